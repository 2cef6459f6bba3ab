"""Numerical gradients by central differences, and how far an analytic gradient is from them.

The one checker of the project: the engine's gradient tests (``tests/gradcheck.py`` wraps it in
assertions) and the backpropagation sim's *Check Gradients* button both call it.

    ∂f/∂xᵢ ≈ (f(x + ε eᵢ) − f(x − ε eᵢ)) / 2ε

The error of the central difference is O(ε²); with ε = 10⁻⁶ and float64 it is dominated by
rounding, about 10⁻¹⁰ relative for the smooth losses of the chapter.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

EPS = 1e-6
"""Default step ε of the central differences."""


def numeric_grad(f: Callable[[np.ndarray], float], x: np.ndarray, eps: float = EPS) -> np.ndarray:
    """Central-difference gradient of the scalar function ``f`` at ``x`` (any shape).

    ``x`` is copied; ``f`` sees a perturbed copy each time, never the caller's array.
    Returns an array of ``x``'s shape.
    """
    eps = float(eps)
    if not 0.0 < eps < 1.0:
        raise ValueError(f"ε must be a small positive number, got {eps}")
    x = np.array(x, dtype=float)
    grad = np.zeros_like(x)
    flat = x.reshape(-1)
    gflat = grad.reshape(-1)
    for i in range(flat.size):
        old = flat[i]
        flat[i] = old + eps
        f_plus = float(f(x.copy()))
        flat[i] = old - eps
        f_minus = float(f(x.copy()))
        flat[i] = old
        gflat[i] = (f_plus - f_minus) / (2 * eps)
    return grad


def mismatches(
    analytic: np.ndarray, numeric: np.ndarray, *, rtol: float = 1e-5, atol: float = 1e-7
) -> list[tuple[tuple[int, ...], float, float]]:
    """Entries where ``analytic`` and ``numeric`` differ (``np.isclose`` with rtol, atol).

    Each is ``(index, analytic value, numeric value)``; an empty list means they agree.
    Raises ValueError when the shapes differ.
    """
    analytic = np.asarray(analytic, dtype=float)
    numeric = np.asarray(numeric, dtype=float)
    if analytic.shape != numeric.shape:
        raise ValueError(f"analytic shape {analytic.shape} != numeric shape {numeric.shape}")
    bad = ~np.isclose(analytic, numeric, rtol=rtol, atol=atol)
    return [
        (tuple(int(i) for i in idx), float(analytic[idx]), float(numeric[idx]))
        for idx in np.ndindex(bad.shape)
        if bad[idx]
    ]


def agreement(
    analytic: Sequence[np.ndarray],
    numeric: Sequence[np.ndarray],
    *,
    rtol: float = 1e-6,
    atol: float = 1e-9,
) -> dict[str, float | bool]:
    """How close several analytic gradients are to their numeric twins, in one verdict.

    ``max_abs_diff`` over every entry, ``max_rel_diff`` = that over the largest analytic
    magnitude, and ``agree`` when ``max_abs_diff ≤ rtol · scale + atol``.
    """
    pairs = [
        (np.asarray(a, dtype=float), np.asarray(n, dtype=float))
        for a, n in zip(analytic, numeric, strict=True)
    ]
    for a, n in pairs:
        if a.shape != n.shape:
            raise ValueError(f"analytic shape {a.shape} != numeric shape {n.shape}")
    abs_diff = max((float(np.max(np.abs(a - n), initial=0.0)) for a, n in pairs), default=0.0)
    scale = max((float(np.max(np.abs(a), initial=0.0)) for a, _ in pairs), default=0.0)
    return {
        "max_abs_diff": abs_diff,
        "max_rel_diff": abs_diff / max(scale, 1e-300),
        "agree": abs_diff <= rtol * max(scale, 1e-12) + atol,
    }

"""One shared numerical gradient checker (central differences), used by every gradient test.

On failure it raises AssertionError with the analytic and the numeric gradient side by side.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

EPS = 1e-6


def numeric_grad(f: Callable[[np.ndarray], float], x: np.ndarray, eps: float = EPS) -> np.ndarray:
    """Central-difference gradient of the scalar function ``f`` at ``x`` (any shape).

    ``x`` is copied; ``f`` sees a perturbed copy each time, never the caller's array.
    """
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


def check_grad(
    f: Callable[[np.ndarray], float],
    analytic: np.ndarray,
    x: np.ndarray,
    *,
    name: str = "gradient",
    rtol: float = 1e-5,
    atol: float = 1e-7,
    eps: float = EPS,
) -> None:
    """Assert that ``analytic`` equals the central-difference gradient of ``f`` at ``x``.

    The failure message lists analytic next to numeric for every entry that differs.
    """
    analytic = np.asarray(analytic, dtype=float)
    numeric = numeric_grad(f, x, eps)
    if analytic.shape != numeric.shape:
        raise AssertionError(
            f"{name}: analytic shape {analytic.shape} != numeric shape {numeric.shape}"
        )
    bad = ~np.isclose(analytic, numeric, rtol=rtol, atol=atol)
    if bad.any():
        rows = [
            f"  at {tuple(int(i) for i in idx)}: analytic {analytic[idx]:+.10g}  "
            f"numeric {numeric[idx]:+.10g}"
            for idx in zip(*np.nonzero(bad), strict=True)
        ]
        raise AssertionError(
            f"{name}: {int(bad.sum())} of {bad.size} entries differ "
            f"(rtol={rtol}, atol={atol}):\n" + "\n".join(rows[:20])
        )


def check_elementwise_derivative(
    fn: Callable[[np.ndarray], np.ndarray],
    grad: Callable[[np.ndarray], np.ndarray],
    z: np.ndarray,
    *,
    name: str = "derivative",
    rtol: float = 1e-5,
    atol: float = 1e-7,
) -> None:
    """Check an elementwise derivative ``grad(z)`` against differences of ``fn`` (sum trick)."""
    z = np.asarray(z, dtype=float)
    check_grad(lambda v: float(np.sum(fn(v))), grad(z), z, name=name, rtol=rtol, atol=atol)

"""Assertions over the engine's numerical gradient checker (``engine/gradcheck.py``).

Every gradient test uses these; on failure they raise AssertionError with the analytic and
the numeric gradient side by side. The backpropagation sim's *Check Gradients* calls the same
``engine.gradcheck.numeric_grad``.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from engine.gradcheck import EPS, mismatches, numeric_grad

__all__ = ["EPS", "check_elementwise_derivative", "check_grad", "numeric_grad"]


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
    bad = mismatches(analytic, numeric, rtol=rtol, atol=atol)
    if bad:
        rows = [f"  at {idx}: analytic {a:+.10g}  numeric {n:+.10g}" for idx, a, n in bad]
        raise AssertionError(
            f"{name}: {len(bad)} of {analytic.size} entries differ "
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

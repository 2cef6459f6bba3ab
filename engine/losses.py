"""Loss functions, each with its gradient with respect to the prediction beside it.

Convention (the chapter's): predictions ``y_hat`` and targets ``y`` have shape ``(n, m)``, one
sample per column, so m = ``y.shape[1]`` is the batch size and every loss is an average over
the m columns. A 1-D array ``(n,)`` counts as a single sample (one column vector, m = 1).
Nothing here mutates its inputs.

Logs never see 0: predictions are clipped to [EPS, 1 − EPS] (binary cross-entropy) or
[EPS, 1] (cross-entropy) with ``EPS = 1e-12``, so a prediction of exactly 0 for the true class
costs log(1e12) ≈ 27.6 instead of infinity. The gradients use the same clipped values.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from engine.activations import sigmoid, softmax

Array = np.ndarray

EPS = 1e-12
"""Smallest probability a log is taken of (see the module docstring)."""


class LossShapeError(ValueError):
    """Prediction and target shapes differ."""


def _pair(y_hat: npt.ArrayLike, y: npt.ArrayLike, loss: str) -> tuple[Array, Array, int]:
    """Float arrays of ``y_hat`` and ``y`` and the batch size m, after checking shapes match."""
    y_hat = np.asarray(y_hat, dtype=float)
    y = np.asarray(y, dtype=float)
    if y_hat.shape != y.shape:
        raise LossShapeError(
            f"{loss}: prediction ŷ has shape {y_hat.shape} but target y has shape {y.shape}; "
            "they must match, one column per sample"
        )
    m = y.shape[1] if y.ndim >= 2 else 1
    return y_hat, y, m


# --- Mean squared error -----------------------------------------------------------------


def mse(y_hat: npt.ArrayLike, y: npt.ArrayLike) -> float:
    """Mean squared error L = (1/m) Σ_i ||y_i − ŷ_i||².

    Parameters
    ----------
    y_hat, y : ``(n, m)`` predictions and targets (columns are samples).

    Returns
    -------
    The squared distance summed over the n outputs, averaged over the m samples.
    """
    y_hat, y, m = _pair(y_hat, y, "mse")
    return float(np.sum((y - y_hat) ** 2) / m)


def mse_grad(y_hat: npt.ArrayLike, y: npt.ArrayLike) -> Array:
    """∂L/∂ŷ of :func:`mse`: (2/m)(ŷ − y), shape ``(n, m)``."""
    y_hat, y, m = _pair(y_hat, y, "mse")
    return 2.0 * (y_hat - y) / m


# --- Binary cross-entropy ---------------------------------------------------------------


def binary_cross_entropy(y_hat: npt.ArrayLike, y: npt.ArrayLike) -> float:
    """Binary cross-entropy L = −(1/m) Σ_i [y_i log ŷ_i + (1 − y_i) log(1 − ŷ_i)].

    Parameters
    ----------
    y_hat : ``(n, m)`` predicted probabilities in [0, 1] (sigmoid outputs), clipped to
        [EPS, 1 − EPS] before the log. With n > 1 each row is its own yes/no question and the
        terms are summed over rows.
    y : ``(n, m)`` targets in {0, 1} (any value in [0, 1] works).
    """
    y_hat, y, m = _pair(y_hat, y, "binary_cross_entropy")
    p = np.clip(y_hat, EPS, 1.0 - EPS)
    return float(-np.sum(y * np.log(p) + (1.0 - y) * np.log1p(-p)) / m)


def binary_cross_entropy_grad(y_hat: npt.ArrayLike, y: npt.ArrayLike) -> Array:
    """∂L/∂ŷ of :func:`binary_cross_entropy`: (1/m) (ŷ − y) / (ŷ(1 − ŷ)), shape ``(n, m)``.

    ŷ is clipped to [EPS, 1 − EPS] first, so the division is always finite.
    """
    y_hat, y, m = _pair(y_hat, y, "binary_cross_entropy")
    p = np.clip(y_hat, EPS, 1.0 - EPS)
    return (p - y) / (p * (1.0 - p)) / m


def sigmoid_binary_cross_entropy_grad(z: npt.ArrayLike, y: npt.ArrayLike) -> Array:
    """∂L/∂z of BCE(sigmoid(z), y), the chapter's simplification: (σ(z) − y)/m, ``(n, m)``.

    The σ'(z) = σ(1 − σ) of the sigmoid cancels the denominator of the BCE gradient.
    """
    z, y, m = _pair(z, y, "sigmoid_binary_cross_entropy_grad")
    return (sigmoid(z) - y) / m


# --- Categorical cross-entropy ----------------------------------------------------------


def cross_entropy(y_hat: npt.ArrayLike, y: npt.ArrayLike) -> float:
    """Categorical cross-entropy L = −(1/m) Σ_i Σ_k y_ik log ŷ_ik.

    Parameters
    ----------
    y_hat : ``(K, m)`` predicted class probabilities, each column summing to 1 (softmax
        outputs), clipped to [EPS, 1] before the log.
    y : ``(K, m)`` one-hot targets, one column per sample.
    """
    y_hat, y, m = _pair(y_hat, y, "cross_entropy")
    return float(-np.sum(y * np.log(np.clip(y_hat, EPS, 1.0))) / m)


def cross_entropy_grad(y_hat: npt.ArrayLike, y: npt.ArrayLike) -> Array:
    """∂L/∂ŷ of :func:`cross_entropy`: −(1/m) y / ŷ (ŷ clipped to [EPS, 1]), shape ``(K, m)``."""
    y_hat, y, m = _pair(y_hat, y, "cross_entropy")
    return -y / np.clip(y_hat, EPS, 1.0) / m


def softmax_cross_entropy_grad(z: npt.ArrayLike, y: npt.ArrayLike) -> Array:
    """∂L/∂z of CE(softmax(z), y), the chapter's simplification: (softmax(z) − y)/m.

    Parameters
    ----------
    z : ``(K, m)`` logits.
    y : ``(K, m)`` one-hot targets (each column summing to 1 is what makes it this simple).

    Returns
    -------
    ``(K, m)``: the softmax Jacobian times −y/ŷ collapses to ŷ − y per column.
    """
    z, y, m = _pair(z, y, "softmax_cross_entropy_grad")
    return (softmax(z, axis=0) - y) / m


# --- The table of losses ----------------------------------------------------------------


@dataclass(frozen=True)
class Loss:
    """A loss with its gradient.

    Attributes
    ----------
    name : key in :data:`LOSSES`.
    fn : (y_hat, y) -> float, both ``(n, m)``.
    grad : (y_hat, y) -> ∂L/∂ŷ, ``(n, m)``.
    label : name for display.
    output_activation : the output activation the chapter pairs it with.
    use_case : what it is for, from the chapter's table.
    """

    name: str
    fn: Callable[[Array, Array], float]
    grad: Callable[[Array, Array], Array]
    label: str
    output_activation: str
    use_case: str


LOSSES: dict[str, Loss] = {
    "mse": Loss("mse", mse, mse_grad, "Mean squared error", "linear", "Regression"),
    "binary_cross_entropy": Loss(
        "binary_cross_entropy",
        binary_cross_entropy,
        binary_cross_entropy_grad,
        "Binary cross-entropy",
        "sigmoid",
        "Binary classification",
    ),
    "cross_entropy": Loss(
        "cross_entropy",
        cross_entropy,
        cross_entropy_grad,
        "Categorical cross-entropy",
        "softmax",
        "Multi-class classification",
    ),
}


def get_loss(name: str) -> Loss:
    """``LOSSES[name]``, with an error listing the known names if ``name`` is unknown."""
    try:
        return LOSSES[name]
    except KeyError:
        known = ", ".join(LOSSES)
        raise ValueError(f"unknown loss {name!r}; choose one of: {known}") from None

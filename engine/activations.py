"""Activation functions, each with its derivative beside it, looked up by name.

Every function takes an array ``z`` of any shape (the pre-activations) and returns an array of
the same shape; none mutates its input. Scalars and lists are accepted and turned into float
arrays. Sigmoid, softplus and softmax are written so that no ``exp`` ever overflows, so they stay
finite for any finite input (``sigmoid(1000) == 1.0``, ``softmax([1000, -1000]) == [1, 0]``).

``ACTIVATIONS[name]`` gives an :class:`Activation` carrying ``fn``, its elementwise derivative
``grad`` and ``backward`` (the chain-rule step ``dL/dZ`` from ``dL/dA``), so callers never branch
on names. ``ACTIVATION_TABLE`` holds the chapter's comparison table as plain strings.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

Array = np.ndarray


def _f(z: npt.ArrayLike) -> Array:
    return np.asarray(z, dtype=float)


# --- ReLU -------------------------------------------------------------------------------


def relu(z: npt.ArrayLike) -> Array:
    """ReLU(z) = max(0, z), elementwise. Shape in = shape out."""
    return np.maximum(0.0, _f(z))


def relu_grad(z: npt.ArrayLike) -> Array:
    """ReLU'(z) = 1 if z > 0 else 0, elementwise; ReLU'(0) = 0 as in the chapter's code."""
    return (_f(z) > 0).astype(float)


# --- Leaky ReLU -------------------------------------------------------------------------


def leaky_relu(z: npt.ArrayLike, alpha: float = 0.01) -> Array:
    """LeakyReLU(z) = z if z > 0 else alpha * z, elementwise. Shape in = shape out."""
    z = _f(z)
    return np.where(z > 0, z, alpha * z)


def leaky_relu_grad(z: npt.ArrayLike, alpha: float = 0.01) -> Array:
    """LeakyReLU'(z) = 1 if z > 0 else alpha (alpha at z = 0, like ReLU'(0) = 0)."""
    return np.where(_f(z) > 0, 1.0, alpha)


# --- Sigmoid ----------------------------------------------------------------------------


def sigmoid(z: npt.ArrayLike) -> Array:
    """σ(z) = 1 / (1 + e^(-z)), elementwise, in (0, 1) (rounds to 0 or 1 for |z| > ~37).

    Stable form: with e = exp(-|z|) <= 1, σ(z) = 1/(1+e) for z >= 0 and e/(1+e) for z < 0,
    so ``exp`` never overflows.
    """
    z = _f(z)
    e = np.exp(-np.abs(z))
    return np.where(z >= 0, 1.0 / (1.0 + e), e / (1.0 + e))


def sigmoid_grad(z: npt.ArrayLike) -> Array:
    """σ'(z) = σ(z)(1 − σ(z)), elementwise; at most 0.25 (at z = 0)."""
    s = sigmoid(z)
    return s * (1.0 - s)


# --- Tanh -------------------------------------------------------------------------------


def tanh(z: npt.ArrayLike) -> Array:
    """tanh(z) = (e^z − e^(-z)) / (e^z + e^(-z)) = 2σ(2z) − 1, elementwise, in (−1, 1)."""
    return np.tanh(_f(z))


def tanh_grad(z: npt.ArrayLike) -> Array:
    """tanh'(z) = 1 − tanh²(z), elementwise; at most 1 (at z = 0)."""
    t = np.tanh(_f(z))
    return 1.0 - t * t


# --- Softplus ---------------------------------------------------------------------------


def softplus(z: npt.ArrayLike) -> Array:
    """softplus(z) = log(1 + e^z), elementwise, in (0, ∞): a smooth ReLU.

    Stable form: max(z, 0) + log1p(exp(-|z|)), so ``exp`` never overflows.
    """
    z = _f(z)
    return np.maximum(z, 0.0) + np.log1p(np.exp(-np.abs(z)))


def softplus_grad(z: npt.ArrayLike) -> Array:
    """softplus'(z) = σ(z) = 1 / (1 + e^(-z)), elementwise."""
    return sigmoid(z)


# --- Linear (identity) ------------------------------------------------------------------


def linear(z: npt.ArrayLike) -> Array:
    """Identity: linear(z) = z (a copy). Used for regression outputs."""
    return _f(z).copy()


def linear_grad(z: npt.ArrayLike) -> Array:
    """linear'(z) = 1, elementwise."""
    return np.ones_like(_f(z))


# --- Softmax ----------------------------------------------------------------------------


def softmax(z: npt.ArrayLike, axis: int = 0) -> Array:
    """softmax(z)_i = e^(z_i) / Σ_j e^(z_j), taken along ``axis``.

    Parameters
    ----------
    z : array of any shape, e.g. logits ``(K,)`` or a batch ``(K, m)`` (classes down the rows,
        one sample per column, so the default ``axis=0`` normalises each column).
    axis : the class axis.

    Returns
    -------
    Array of ``z``'s shape, entries in [0, 1], summing to 1 along ``axis``.
    Stabilised by subtracting max(z) along ``axis`` before ``exp``, which changes nothing
    mathematically (the factor e^(-max) cancels) but keeps every exponent <= 0.
    """
    z = _f(z)
    with np.errstate(over="ignore"):  # z - max may round to -inf for |z| near 1e308; exp -> 0
        e = np.exp(z - np.max(z, axis=axis, keepdims=True))
    return e / np.sum(e, axis=axis, keepdims=True)


def softmax_terms(z: npt.ArrayLike) -> tuple[Array, float]:
    """softmax's pieces as a student writes them: the exponentials e^(z_j) and their sum.

    For showing the computation ``a_j = e^(z_j) / Σ_k e^(z_k)`` step by step. Unlike
    :func:`softmax` these are *not* shifted by max(z), so the numbers match a hand computation;
    e^z overflows float64 past z ≈ 709, and for such logits this raises ValueError (the
    probabilities themselves always come from :func:`softmax`).

    Returns ``(exps, total)``: an array of ``z``'s shape and a float.
    """
    z = _f(z)
    if z.size and float(np.max(z)) > _EXP_SAFE:
        raise ValueError(
            f"e^z overflows for z = {float(np.max(z)):g} (> {_EXP_SAFE:g}): softmax_terms shows "
            "unshifted exponentials; use softmax(z), which subtracts max(z) first"
        )
    exps = np.exp(z)
    return exps, float(np.sum(exps))


_EXP_SAFE = 700.0
"""Largest logit whose unshifted e^z (and a sum of a few of them) stays finite in float64."""


def softmax_jacobian(z: npt.ArrayLike) -> Array:
    """Jacobian of softmax for one logit vector: J = diag(s) − s sᵀ with s = softmax(z).

    Parameters
    ----------
    z : ``(K,)`` logits.

    Returns
    -------
    ``(K, K)`` array with J[i, j] = ∂s_i/∂z_j = s_i (δ_ij − s_j). Symmetric; rows sum to 0.
    """
    z = _f(z)
    if z.ndim != 1:
        raise ValueError(
            f"softmax_jacobian takes one logit vector of shape (K,), got shape {z.shape}; "
            "for a batch, apply it to each column"
        )
    s = softmax(z)
    return np.diag(s) - np.outer(s, s)


def softmax_grad(z: npt.ArrayLike) -> Array:
    """Diagonal of the softmax Jacobian, ∂s_i/∂z_i = s_i(1 − s_i), along axis 0.

    Not the full derivative: softmax mixes its inputs, so ``dL/dZ`` is *not* ``dL/dA * this``.
    Use :func:`softmax_backward` (or :func:`softmax_jacobian`) for the chain rule. This
    diagonal is what plots and :func:`saturation_mask` show.
    """
    s = softmax(z)
    return s * (1.0 - s)


def softmax_backward(z: npt.ArrayLike, upstream: npt.ArrayLike) -> Array:
    """Chain rule through softmax, one Jacobian-vector product per column.

    Parameters
    ----------
    z : ``(K, m)`` logits (or ``(K,)``).
    upstream : ``dL/dA``, same shape as ``z``.

    Returns
    -------
    ``dL/dZ`` of the same shape: for each column, Jᵀ g = s ⊙ (g − (sᵀ g)), with s = softmax(z)
    and g the upstream column (J is symmetric), without building the ``(K, K)`` matrix.
    """
    s = softmax(z)
    g = _f(upstream)
    return s * (g - np.sum(s * g, axis=0, keepdims=True))


# --- The table of activations -----------------------------------------------------------


def _elementwise_backward(grad: Callable[[Array], Array]) -> Callable[[Array, Array], Array]:
    def backward(z: npt.ArrayLike, upstream: npt.ArrayLike) -> Array:
        return _f(upstream) * grad(_f(z))

    return backward


@dataclass(frozen=True)
class Activation:
    """An activation function with its derivative.

    Attributes
    ----------
    name : key in :data:`ACTIVATIONS`.
    fn : z -> a, same shape.
    grad : z -> f'(z), same shape, elementwise. For softmax this is only the Jacobian's
        diagonal s(1 − s) (see ``elementwise``).
    backward : (z, dL/da) -> dL/dz, same shape: ``dL/da * grad(z)`` for elementwise
        activations, the per-column Jacobian-vector product for softmax.
    elementwise : False for softmax, whose output i depends on every z_j.
    """

    name: str
    fn: Callable[[Array], Array]
    grad: Callable[[Array], Array]
    backward: Callable[[Array, Array], Array]
    elementwise: bool = True


def _elementwise(name: str, fn: Callable, grad: Callable) -> Activation:
    return Activation(name, fn, grad, _elementwise_backward(grad))


ACTIVATIONS: dict[str, Activation] = {
    "relu": _elementwise("relu", relu, relu_grad),
    "sigmoid": _elementwise("sigmoid", sigmoid, sigmoid_grad),
    "tanh": _elementwise("tanh", tanh, tanh_grad),
    "leaky_relu": _elementwise("leaky_relu", leaky_relu, leaky_relu_grad),
    "softplus": _elementwise("softplus", softplus, softplus_grad),
    "linear": _elementwise("linear", linear, linear_grad),
    "softmax": Activation("softmax", softmax, softmax_grad, softmax_backward, elementwise=False),
}


def get_activation(name: str) -> Activation:
    """``ACTIVATIONS[name]``, with an error listing the known names if ``name`` is unknown."""
    try:
        return ACTIVATIONS[name]
    except KeyError:
        known = ", ".join(ACTIVATIONS)
        raise ValueError(f"unknown activation {name!r}; choose one of: {known}") from None


def saturation_mask(name: str, z: npt.ArrayLike, threshold: float = 0.05) -> Array:
    """Where the activation is saturated: |f'(z)| < threshold.

    Parameters
    ----------
    name : key in :data:`ACTIVATIONS` (for softmax, f' is the Jacobian diagonal s(1 − s)
        along axis 0).
    z : array of any shape.
    threshold : gradient magnitude below which a region counts as saturated.

    Returns
    -------
    Boolean array of ``z``'s shape. Examples: sigmoid for |z| > ~3, ReLU for z <= 0 (its
    "dead" side), never for linear.
    """
    return np.abs(get_activation(name).grad(_f(z))) < threshold


# The chapter's comparison table, one row per activation, as plain strings (no markup) so the
# browser can show it as is. Keys of each row: name, label, formula, derivative, range,
# use_case, gradient_issue, gradient_flow.
ACTIVATION_TABLE: dict[str, dict[str, str]] = {
    "relu": {
        "name": "relu",
        "label": "ReLU",
        "formula": "max(0, z)",
        "derivative": "1 if z > 0, 0 if z ≤ 0",
        "range": "[0, ∞)",
        "use_case": "Hidden layers",
        "gradient_issue": "Dead neurons",
        "gradient_flow": (
            "Where z > 0 the derivative is exactly 1, so gradients pass through many layers "
            "without shrinking; where z ≤ 0 it is 0 and nothing flows, and a neuron that is "
            "negative for every input stops learning (a dead ReLU)."
        ),
    },
    "sigmoid": {
        "name": "sigmoid",
        "label": "Sigmoid",
        "formula": "1 / (1 + e^(−z))",
        "derivative": "σ(z)(1 − σ(z))",
        "range": "(0, 1)",
        "use_case": "Binary output",
        "gradient_issue": "Vanishing",
        "gradient_flow": (
            "σ'(z) ≤ 0.25, so through 10 sigmoid layers the gradient is multiplied by at most "
            "0.25^10 ≈ 1e-6; for |z| > 5 it is below 0.007 and the neuron barely learns."
        ),
    },
    "tanh": {
        "name": "tanh",
        "label": "Tanh",
        "formula": "(e^z − e^(−z)) / (e^z + e^(−z))",
        "derivative": "1 − tanh²(z)",
        "range": "(−1, 1)",
        "use_case": "Hidden layers, RNNs",
        "gradient_issue": "Vanishing",
        "gradient_flow": (
            "tanh'(z) ≤ 1 with its peak of 1 at z = 0, four times sigmoid's, and outputs are "
            "zero-centred; but for |z| > 3 it falls below 0.01, so saturated units still "
            "shrink gradients layer after layer."
        ),
    },
    "leaky_relu": {
        "name": "leaky_relu",
        "label": "Leaky ReLU",
        "formula": "z if z > 0, αz if z ≤ 0 (α = 0.01)",
        "derivative": "1 if z > 0, α if z ≤ 0",
        "range": "(−∞, ∞)",
        "use_case": "Hidden layers (fixes dead ReLUs)",
        "gradient_issue": "Small gradient for z < 0",
        "gradient_flow": (
            "Like ReLU the derivative is 1 for z > 0, but it is α = 0.01 instead of 0 for "
            "z < 0, so a little gradient always flows and neurons cannot die."
        ),
    },
    "softplus": {
        "name": "softplus",
        "label": "Softplus",
        "formula": "log(1 + e^z)",
        "derivative": "σ(z) = 1 / (1 + e^(−z))",
        "range": "(0, ∞)",
        "use_case": "Hidden layers (smooth ReLU), positive outputs",
        "gradient_issue": "Vanishing for z ≪ 0",
        "gradient_flow": (
            "Its derivative is the sigmoid, between 0 and 1: close to 1 for z ≫ 0 like ReLU, "
            "and fading smoothly towards 0 for z ≪ 0 instead of cutting off at 0."
        ),
    },
    "softmax": {
        "name": "softmax",
        "label": "Softmax",
        "formula": "e^(z_i) / Σ_j e^(z_j)",
        "derivative": "∂s_i/∂z_j = s_i(δ_ij − s_j)  (a K×K Jacobian)",
        "range": "(0, 1)^K, sums to 1",
        "use_case": "Multi-class output",
        "gradient_issue": "Saturates if one logit dominates (pair with cross-entropy)",
        "gradient_flow": (
            "Each output depends on every logit, so the derivative is a matrix, not a curve; "
            "paired with cross-entropy it collapses to ŷ − y, which never vanishes while the "
            "prediction is wrong."
        ),
    },
    "linear": {
        "name": "linear",
        "label": "Linear (identity)",
        "formula": "z",
        "derivative": "1",
        "range": "(−∞, ∞)",
        "use_case": "Regression output",
        "gradient_issue": "No nonlinearity",
        "gradient_flow": (
            "The derivative is 1 everywhere, so gradients pass unchanged; but stacked linear "
            "layers collapse into one matrix W[2]W[1], so depth adds no expressive power."
        ),
    },
}

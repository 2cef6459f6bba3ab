"""A fully connected network: initialisation, forward pass, backward pass, SGD step.

Shapes follow the chapter. Layer l (1-based, as in the chapter) has W[l] of shape
``(n_l, n_{l-1})`` and b[l] of shape ``(n_l, 1)``; a batch is columns, X ``(n_0, m)``:

    A[0] = X,   Z[l] = W[l] A[l-1] + b[l],   A[l] = σ[l](Z[l]),   l = 1..L.

In Python the lists are 0-based: ``params[i] = (W, b)`` is the chapter's layer i + 1, and so
are ``trace.Z[i]``, ``grads["dW"][i]``, ``grads["db"][i]`` and ``grads["delta"][i]``;
``trace.A`` has one more entry, ``trace.A[0] = X`` and ``trace.A[i + 1] = σ(trace.Z[i])``.
Nothing here mutates its inputs; ``sgd_step`` returns new arrays.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypedDict

import numpy as np
import numpy.typing as npt

from engine.activations import get_activation
from engine.losses import get_loss

Array = np.ndarray
Params = list[tuple[Array, Array]]


class DimensionError(ValueError):
    """Matrix shapes that cannot be multiplied or added; the message names both shapes."""


# --- Shapes and sizes -------------------------------------------------------------------


def matmul_shape_check(
    W_shape: Sequence[int], a_shape: Sequence[int], *, layer: int | None = None
) -> tuple[int, ...]:
    """Shape of W @ a, or a :class:`DimensionError` that explains the rule to a student.

    Parameters
    ----------
    W_shape : ``(n_out, n_in)``.
    a_shape : ``(n_in, m)`` or ``(n_in,)``.
    layer : the chapter's layer number l, used to name W[l] and a[l-1] in the message.

    Returns
    -------
    ``(n_out, m)`` (or ``(n_out,)`` for a vector): the rows of W by the columns of a.

    Raises
    ------
    DimensionError
        e.g. "W[2] has shape (8, 6) but a[1] has 8 rows: the columns of W must equal the
        rows of a".
    """
    W_shape, a_shape = tuple(int(n) for n in W_shape), tuple(int(n) for n in a_shape)
    w_name, a_name = ("W", "a") if layer is None else (f"W[{layer}]", f"a[{layer - 1}]")
    if len(W_shape) != 2 or len(a_shape) not in (1, 2):
        raise DimensionError(
            f"{w_name} has shape {W_shape} and {a_name} has shape {a_shape}: W must be a "
            "matrix (n_out, n_in) and a a column vector (n_in,) or a batch (n_in, m)"
        )
    if W_shape[1] != a_shape[0]:
        raise DimensionError(
            f"{w_name} has shape {W_shape} but {a_name} has {a_shape[0]} rows: "
            f"the columns of W must equal the rows of a ({W_shape[1]} ≠ {a_shape[0]})"
        )
    return (W_shape[0], *a_shape[1:])


def _check_bias(W_shape: tuple[int, ...], b_shape: tuple[int, ...], layer: int) -> None:
    if b_shape != (W_shape[0], 1):
        raise DimensionError(
            f"b[{layer}] has shape {b_shape} but W[{layer}] has shape {W_shape}: the bias "
            f"needs one entry per row of W, as a column ({W_shape[0]}, 1)"
        )


def param_count(layer_sizes: Sequence[int]) -> int:
    """Number of weights and biases: Σ_l (n_l · n_{l-1} + n_l).

    ``layer_sizes`` is ``[n_0, n_1, ..., n_L]`` (input size first). [4, 8, 8, 2] -> 130.
    """
    return sum(row["params"] for row in layer_report(layer_sizes))


class LayerRow(TypedDict):
    """One row of :func:`layer_report`: the shapes and counts of layer ``l``."""

    layer: int
    n_in: int
    n_out: int
    W_shape: list[int]
    b_shape: list[int]
    weights: int
    biases: int
    params: int


def layer_report(layer_sizes: Sequence[int]) -> list[LayerRow]:
    """One plain dict per layer l = 1..L describing W[l] and b[l] (JSON-ready).

    Keys: ``layer`` (l, 1-based), ``n_in``, ``n_out``, ``W_shape`` [n_out, n_in], ``b_shape``
    [n_out, 1], ``weights`` n_out·n_in, ``biases`` n_out, ``params`` weights + biases.
    """
    sizes = [int(n) for n in layer_sizes]
    if len(sizes) < 2 or min(sizes) < 1:
        raise ValueError(
            f"layer_sizes {sizes} must list at least an input and an output size, all >= 1"
        )
    return [
        {
            "layer": layer,
            "n_in": n_in,
            "n_out": n_out,
            "W_shape": [n_out, n_in],
            "b_shape": [n_out, 1],
            "weights": n_out * n_in,
            "biases": n_out,
            "params": n_out * n_in + n_out,
        }
        for layer, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:], strict=True), start=1)
    ]


# --- Initialisation ---------------------------------------------------------------------

# Standard deviation of W[l] ~ N(0, std²) as a function of (n_in, n_out).
INIT_SCHEMES: dict[str, Callable[[int, int], float]] = {
    # He: keeps the variance of ReLU activations steady. The chapter's code uses this
    # (labelled "Xavier" in a comment there).
    "he": lambda n_in, n_out: float(np.sqrt(2.0 / n_in)),
    # Xavier / LeCun, fan-in form: Var(W) = 1/n_in, suited to tanh and sigmoid.
    "xavier": lambda n_in, n_out: float(np.sqrt(1.0 / n_in)),
    # Glorot's fan-in/fan-out average: Var(W) = 2/(n_in + n_out).
    "glorot": lambda n_in, n_out: float(np.sqrt(2.0 / (n_in + n_out))),
}


def init_params(layer_sizes: Sequence[int], rng: np.random.Generator, scheme: str = "he") -> Params:
    """Random weights and zero biases for a network with sizes ``[n_0, ..., n_L]``.

    Parameters
    ----------
    layer_sizes : input size, hidden sizes, output size.
    rng : source of randomness (same seed -> same weights).
    scheme : key in :data:`INIT_SCHEMES`: ``"he"`` std √(2/n_in); ``"xavier"`` std √(1/n_in);
        ``"glorot"`` std √(2/(n_in + n_out)).

    Returns
    -------
    ``[(W, b), ...]``, one pair per layer: W ``(n_out, n_in)`` ~ N(0, std²), b ``(n_out, 1)``
    zeros.
    """
    if scheme not in INIT_SCHEMES:
        raise ValueError(
            f"unknown init scheme {scheme!r}; choose one of: {', '.join(INIT_SCHEMES)}"
        )
    std = INIT_SCHEMES[scheme]
    return [
        (
            rng.standard_normal((row["n_out"], row["n_in"])) * std(row["n_in"], row["n_out"]),
            np.zeros((row["n_out"], 1)),
        )
        for row in layer_report(layer_sizes)
    ]


# --- Forward ----------------------------------------------------------------------------


@dataclass
class ForwardTrace:
    """Everything the forward pass computed, kept for the backward pass and for display.

    Attributes
    ----------
    Z : L arrays, ``Z[i]`` ``(n_{i+1}, m)``, the pre-activations of the chapter's layer i + 1.
    A : L + 1 arrays, ``A[0] = X`` ``(n_0, m)``, ``A[i + 1] = σ(Z[i])`` ``(n_{i+1}, m)``.
    activations : the L activation names used.
    """

    Z: list[Array]
    A: list[Array]
    activations: list[str]

    @property
    def output(self) -> Array:
        """The network's output ŷ = A[L], ``(n_L, m)``."""
        return self.A[-1]


def forward(params: Params, X: npt.ArrayLike, activations: Sequence[str]) -> ForwardTrace:
    """Forward propagation: Z[l] = W[l] A[l-1] + b[l], A[l] = σ[l](Z[l]) for l = 1..L.

    Parameters
    ----------
    params : ``[(W, b), ...]``, W ``(n_out, n_in)``, b ``(n_out, 1)``.
    X : ``(n_0, m)`` batch, one sample per column (a vector ``(n_0,)`` is one column).
    activations : one name from ``ACTIVATIONS`` per layer (e.g. ``["relu", "softmax"]``).

    Returns
    -------
    :class:`ForwardTrace` with every Z and A; ``trace.output`` is ``(n_L, m)``.

    Raises
    ------
    DimensionError if a W, a b and the incoming activations do not fit together.
    """
    if len(activations) != len(params):
        raise ValueError(
            f"{len(params)} layers but {len(activations)} activation names: give one per layer"
        )
    A = np.asarray(X, dtype=float)
    if A.ndim == 1:  # one sample given as a vector: make it a column
        A = A.reshape(-1, 1)
    trace = ForwardTrace(Z=[], A=[A], activations=list(activations))
    for layer, ((W, b), name) in enumerate(zip(params, activations, strict=True), start=1):
        matmul_shape_check(W.shape, A.shape, layer=layer)
        _check_bias(W.shape, np.shape(b), layer)
        Z = W @ A + b
        A = get_activation(name).fn(Z)
        trace.Z.append(Z)
        trace.A.append(A)
    return trace


# --- Backward ---------------------------------------------------------------------------

# (output activation, loss) pairs whose δ[L] = ∂L/∂Z[L] simplifies to (ŷ − y)/m: the
# activation's derivative cancels the loss's denominator.
SIMPLIFIED_OUTPUT_DELTA: frozenset[tuple[str, str]] = frozenset(
    {("softmax", "cross_entropy"), ("sigmoid", "binary_cross_entropy")}
)


def output_delta(trace: ForwardTrace, Y: npt.ArrayLike, loss: str) -> Array:
    """δ[L] = ∂L/∂Z[L], ``(n_L, m)``.

    (ŷ − y)/m for the pairs in :data:`SIMPLIFIED_OUTPUT_DELTA`; otherwise the chain rule
    ∂L/∂ŷ ⊙ σ'(Z[L]) for elementwise σ, or the softmax Jacobian-vector product per column.
    """
    name = trace.activations[-1]
    Y = np.asarray(Y, dtype=float)
    if Y.ndim == 1:  # one sample given as a vector: make it a column
        Y = Y.reshape(-1, 1)
    y_hat = trace.output
    if Y.shape != y_hat.shape:
        raise DimensionError(
            f"targets Y have shape {Y.shape} but the output a[{len(trace.Z)}] has shape "
            f"{y_hat.shape}: one target column per sample, one row per output neuron"
        )
    if (name, loss) in SIMPLIFIED_OUTPUT_DELTA:
        return (y_hat - Y) / Y.shape[1]
    return get_activation(name).backward(trace.Z[-1], get_loss(loss).grad(y_hat, Y))


def backward(
    params: Params, trace: ForwardTrace, Y: npt.ArrayLike, loss: str
) -> dict[str, list[Array]]:
    """Backpropagation: the gradient of the loss with respect to every W and b.

    δ[L] from :func:`output_delta`, then for l = L−1..1:
    δ[l] = (W[l+1]ᵀ δ[l+1]) ⊙ σ'[l](Z[l]); and for every layer
    ∂L/∂W[l] = δ[l] A[l-1]ᵀ, ∂L/∂b[l] = Σ_columns δ[l].

    Parameters
    ----------
    params : the ``[(W, b), ...]`` that produced ``trace``.
    trace : from :func:`forward`.
    Y : ``(n_L, m)`` targets.
    loss : key in ``LOSSES``.

    Returns
    -------
    ``{"dW": [...], "db": [...], "delta": [...]}``, lists aligned with ``params``: dW[i] has
    W's shape, db[i] ``(n_out, 1)``, delta[i] ``(n_out, m)``. The 1/m of the loss is already
    inside δ, so dW and db are gradients of the mean loss, ready for :func:`sgd_step`.
    """
    deltas, dWs, dbs = [], [], []  # filled from the output layer back, reversed at the end
    delta = output_delta(trace, Y, loss)
    for i in range(len(params) - 1, -1, -1):
        deltas.append(delta)
        dWs.append(delta @ trace.A[i].T)
        dbs.append(np.sum(delta, axis=1, keepdims=True))
        if i > 0:
            dA = params[i][0].T @ delta  # ∂L/∂A[i]: the transpose sends δ back along W
            delta = get_activation(trace.activations[i - 1]).backward(trace.Z[i - 1], dA)
    return {"dW": dWs[::-1], "db": dbs[::-1], "delta": deltas[::-1]}


def weight_chain(
    params: Params, trace: ForwardTrace, Y: npt.ArrayLike, loss: str, layer: int, row: int, col: int
) -> list[dict[str, Any]]:
    """The chain rule for one weight, ∂L/∂W[layer][row, col], as the factors a student multiplies.

    For one example (``m = 1``), elementwise activations, and a network in which every layer
    after ``layer`` has one neuron, so that the weight reaches the loss along one path:

        ∂L/∂a[L] · σ'(z[L]) · W[L][0, ·] · σ'(z[L−1]) ··· σ'(z[layer]_row) · a[layer−1]_col

    Each factor is ``{"kind", "layer", "index", "value"}`` with kind ``"loss"`` (∂L/∂a[L]),
    ``"slope"`` (σ'(z[k]) at neuron ``index``), ``"weight"`` (W[k][index]) or ``"input"``
    (a[layer−1] at ``index``), from the loss back to the weight. Their product is
    ``backward(...)["dW"][layer − 1][row, col]``. ``layer`` counts from 1 as in the chapter;
    ``row`` and ``col`` from 0.
    """
    n_layers = len(params)
    if not 1 <= layer <= n_layers:
        raise ValueError(f"layer must be 1..{n_layers}, got {layer}")
    W = params[layer - 1][0]
    if not (0 <= row < W.shape[0] and 0 <= col < W.shape[1]):
        raise ValueError(f"W[{layer}] has shape {W.shape}: no entry ({row}, {col})")
    Y = np.asarray(Y, dtype=float).reshape(trace.output.shape)
    if trace.output.shape[1] != 1:
        raise ValueError(f"weight_chain follows one example, got m = {trace.output.shape[1]}")
    wide = [k for k in range(layer + 1, n_layers + 1) if params[k - 1][0].shape[0] != 1]
    if wide:
        raise ValueError(
            f"layer {wide[0]} has {params[wide[0] - 1][0].shape[0]} neurons: the weight reaches "
            "the loss along several paths, so ∂L/∂W is a sum, not one product (use backward)"
        )
    names = trace.activations
    if any(not get_activation(names[k - 1]).elementwise for k in range(layer, n_layers + 1)):
        raise ValueError("weight_chain needs elementwise activations (softmax mixes its inputs)")
    dL_da = get_loss(loss).grad(trace.output, Y)
    out = row if layer == n_layers else 0  # the output unit the path ends in
    factors: list[dict[str, Any]] = [
        {"kind": "loss", "layer": n_layers, "index": (out,), "value": float(dL_da[out, 0])}
    ]
    for k in range(n_layers, layer - 1, -1):
        unit = row if k == layer else 0
        slope = get_activation(names[k - 1]).grad(trace.Z[k - 1])[unit, 0]
        factors.append({"kind": "slope", "layer": k, "index": (unit,), "value": float(slope)})
        if k > layer:
            before = row if k - 1 == layer else 0
            value = params[k - 1][0][0, before]
            factors.append(
                {"kind": "weight", "layer": k, "index": (0, before), "value": float(value)}
            )
    factors.append(
        {
            "kind": "input",
            "layer": layer - 1,
            "index": (col,),
            "value": float(trace.A[layer - 1][col, 0]),
        }
    )
    return factors


def sgd_step(params: Params, grads: dict[str, list[Array]], lr: float) -> Params:
    """One gradient-descent step: W ← W − lr·dW, b ← b − lr·db.

    Returns new arrays; ``params`` is not mutated (unlike the chapter's in-place ``-=``).
    """
    return [
        (W - lr * dW, b - lr * db)
        for (W, b), dW, db in zip(params, grads["dW"], grads["db"], strict=True)
    ]

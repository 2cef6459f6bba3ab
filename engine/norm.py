"""Batch, layer, instance and group normalisation, each with its backward step.

All four compute the chapter's two lines over a different set of elements (the *scope*):

    x̂ = (x − μ) / sqrt(σ² + ε),    y = γ · x̂ + β

with μ and σ² the mean and the biased variance (divide by m) over the scope. Only the scope
differs, so one forward and one backward function do the work and a lookup table says which
axes each kind reduces:

    batch     (N, D): axis N;  (N, C, ...): axes N and the spatial axes, one μ, σ² per channel
    layer     every axis but N: one μ, σ² per sample
    instance  the spatial axes: one μ, σ² per sample and channel
    group     the spatial axes and the C / G channels of each group: one μ, σ² per sample and group

γ and β are scalars or one value per channel (per feature for a 2-D ``x``); layer norm also
accepts one value per element of a sample, shape ``x.shape[1:]``, as PyTorch's LayerNorm does.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

Param = float | np.ndarray


class NormError(ValueError):
    """A tensor, a parameter or a group count that does not fit; the message says why."""


# kind -> (smallest ndim, axes reduced for a given ndim)
NORM_AXES: dict[str, tuple[int, Callable[[int], tuple[int, ...]]]] = {
    "batch": (2, lambda nd: (0, *range(2, nd))),
    "layer": (2, lambda nd: tuple(range(1, nd))),
    "instance": (3, lambda nd: tuple(range(2, nd))),
    "group": (3, lambda nd: tuple(range(1, nd))),
}


def norm_axes(kind: str, ndim: int) -> tuple[int, ...]:
    """Axes of an ``ndim``-D tensor ``(N, C, ...)`` over which ``kind`` computes μ and σ².

    For ``"group"`` the axes are ``(1, ..., ndim − 1)`` restricted to one group of channels;
    :func:`stat_index` gives the exact scope of every element.
    """
    if kind not in NORM_AXES:
        raise NormError(f"unknown normalisation {kind!r}: choose one of {sorted(NORM_AXES)}")
    min_ndim, axes = NORM_AXES[kind]
    if ndim < min_ndim:
        raise NormError(
            f"{kind} norm needs a tensor with at least {min_ndim} axes "
            f"({'(N, C, L) or (N, C, H, W)' if min_ndim == 3 else '(N, D)'}), got {ndim}"
        )
    return axes(ndim)


def stat_index(kind: str, shape: tuple[int, ...], groups: int = 1) -> np.ndarray:
    """Which statistic (μ, σ²) each element is normalised with: int array of shape ``shape``.

    Elements with the same number share one mean and variance, so a sim can colour the scope.
    Batch: the channel ``c``; layer: the sample ``n``; instance: ``n·C + c``; group:
    ``n·G + c // (C / G)``.
    """
    norm_axes(kind, len(shape))
    idx = np.indices(shape)
    n, c = idx[0], idx[1]
    channels = shape[1]
    if kind == "group":
        per_group = _group_size(shape, groups)
        return n * groups + c // per_group
    ids = {"batch": c, "layer": n, "instance": n * channels + c}
    return ids[kind]


# --------------------------------------------------------------------------- shared core


def _group_size(shape: tuple[int, ...], groups: int) -> int:
    if isinstance(groups, bool) or not isinstance(groups, int | np.integer) or groups < 1:
        raise NormError(f"groups must be a whole number ≥ 1, got {groups!r}")
    if shape[1] % groups:
        raise NormError(
            f"group norm needs the channels to split evenly: x of shape {shape} has "
            f"C = {shape[1]}, which is not divisible by groups = {groups}"
        )
    return shape[1] // groups


def _scope(x: np.ndarray, kind: str, groups: int) -> tuple[np.ndarray, tuple[int, ...]]:
    """``x`` viewed so the scope is a set of axes: ``(N, G, C/G, ...)`` for group norm."""
    axes = norm_axes(kind, x.ndim)
    if kind != "group":
        return x, axes
    per_group = _group_size(x.shape, groups)
    grouped = x.reshape((x.shape[0], groups, per_group) + x.shape[2:])
    return grouped, tuple(range(2, grouped.ndim))


def _param(p: Param, x: np.ndarray, kind: str, what: str) -> np.ndarray:
    """γ or β as an array that broadcasts against ``x``: ``()`` or ``(1, C, 1, ...)``."""
    a = np.asarray(p, dtype=float)
    if a.ndim == 0:
        return a
    if a.shape == (x.shape[1],):
        return a.reshape((1, -1) + (1,) * (x.ndim - 2))
    if kind == "layer" and a.shape == x.shape[1:]:
        return a[None]
    allowed = f"a number or shape ({x.shape[1]},), one per channel"
    if kind == "layer":
        allowed += f", or {x.shape[1:]}, one per element of a sample"
    raise NormError(f"{what} for {kind} norm of x {x.shape} must be {allowed}; got shape {a.shape}")


def _sum_to(g: np.ndarray, view: np.ndarray, original: Param) -> np.ndarray:
    """Sum ``g`` over the axes ``view`` was broadcast along; return the parameter's own shape."""
    if view.ndim == 0:
        return np.asarray(g.sum())
    axes = tuple(i for i, size in enumerate(view.shape) if size == 1)
    return g.sum(axis=axes).reshape(np.shape(original))


def _forward(x, kind: str, gamma: Param, beta: Param, eps: float, groups: int = 1):
    """``y = γ · (x − μ) / sqrt(σ² + ε) + β`` over the scope of ``kind``; returns ``(y, stats)``."""
    x = np.asarray(x, dtype=float)
    g, b = _param(gamma, x, kind, "gamma"), _param(beta, x, kind, "beta")
    view, axes = _scope(x, kind, groups)
    mean = view.mean(axis=axes, keepdims=True)
    var = view.var(axis=axes, keepdims=True)
    inv_std = 1.0 / np.sqrt(var + eps)
    x_hat = ((view - mean) * inv_std).reshape(x.shape)
    stats = {
        "mean": np.squeeze(mean, axis=axes),
        "var": np.squeeze(var, axis=axes),
        "inv_std": np.squeeze(inv_std, axis=axes),
        "x_hat": x_hat,
    }
    return g * x_hat + b, stats


def _backward(dy, stats: dict, kind: str, gamma: Param, groups: int = 1):
    """``(dx, dγ, dβ)`` for :func:`_forward`, given ``dy = ∂L/∂y``.

    ``dx = (dx̂ − mean(dx̂) − x̂ · mean(dx̂ · x̂)) / sqrt(σ² + ε)`` with ``dx̂ = γ · dy`` and the
    means over the scope.
    """
    dy = np.asarray(dy, dtype=float)
    x_hat = stats["x_hat"]
    if dy.shape != x_hat.shape:
        raise NormError(f"dy must have the shape of x {x_hat.shape}, got {dy.shape}")
    g = _param(gamma, dy, kind, "gamma")
    dgamma = _sum_to(dy * x_hat, g, gamma)
    dbeta = _sum_to(dy, g, gamma)
    dxh, axes = _scope(g * dy, kind, groups)
    xh, _ = _scope(x_hat, kind, groups)
    inv_std = np.expand_dims(stats["inv_std"], axes)
    mean_dxh = dxh.mean(axis=axes, keepdims=True)
    mean_dxh_xh = (dxh * xh).mean(axis=axes, keepdims=True)
    dx = inv_std * (dxh - mean_dxh - xh * mean_dxh_xh)
    return dx.reshape(dy.shape), dgamma, dbeta


# --------------------------------------------------------------------------- the four norms


def batch_norm(x: np.ndarray, gamma: Param = 1.0, beta: Param = 0.0, eps: float = 1e-5):
    """Normalise each feature (channel) over the batch, with the batch's own statistics.

    ``μ_B = (1/m) Σ_i x_i``, ``σ²_B = (1/m) Σ_i (x_i − μ_B)²``, ``y = γ x̂ + β``; for a 4-D ``x``
    the sum runs over ``m = N·H·W`` values per channel.

    Parameters
    ----------
    x : ndarray of shape ``(N, D)``, ``(N, C, L)`` or ``(N, C, H, W)``
    gamma, beta : float or ndarray of shape ``(D,)`` / ``(C,)``
    eps : float

    Returns
    -------
    y : ndarray with the shape of ``x``
    stats : dict
        ``"mean"``, ``"var"`` (biased), ``"inv_std"``: ``(D,)`` or ``(C,)``; ``"x_hat"``: x's shape.
    """
    return _forward(x, "batch", gamma, beta, eps)


def batch_norm_backward(dy: np.ndarray, stats: dict, gamma: Param = 1.0):
    """``(dx, dgamma, dbeta)`` of :func:`batch_norm`; dγ, dβ have the shape of ``gamma``."""
    return _backward(dy, stats, "batch", gamma)


def layer_norm(x: np.ndarray, gamma: Param = 1.0, beta: Param = 0.0, eps: float = 1e-5):
    """Normalise each sample over all its features: ``μ_l = (1/d) Σ_j x_j`` per sample.

    Parameters
    ----------
    x : ndarray of shape ``(N, D)`` or ``(N, C, ...)``
    gamma, beta : float, ndarray of shape ``(C,)`` (``(D,)``), or of shape ``x.shape[1:]``

    Returns
    -------
    y : ndarray with the shape of ``x``
    stats : dict
        ``"mean"``, ``"var"``, ``"inv_std"``: ``(N,)``; ``"x_hat"``: x's shape. No running
        statistics: training and inference compute the same thing, and a sample's output does
        not depend on the rest of the batch.
    """
    return _forward(x, "layer", gamma, beta, eps)


def layer_norm_backward(dy: np.ndarray, stats: dict, gamma: Param = 1.0):
    """``(dx, dgamma, dbeta)`` of :func:`layer_norm`; dγ, dβ have the shape of ``gamma``."""
    return _backward(dy, stats, "layer", gamma)


def instance_norm(x: np.ndarray, eps: float = 1e-5, gamma: Param = 1.0, beta: Param = 0.0):
    """Normalise each sample's each channel over its spatial axes (style transfer).

    ``x`` : ndarray ``(N, C, H, W)`` or ``(N, C, L)``. Returns ``(y, stats)``; ``"mean"``,
    ``"var"``, ``"inv_std"`` have shape ``(N, C)``.
    """
    return _forward(x, "instance", gamma, beta, eps)


def instance_norm_backward(dy: np.ndarray, stats: dict, gamma: Param = 1.0):
    """``(dx, dgamma, dbeta)`` of :func:`instance_norm`."""
    return _backward(dy, stats, "instance", gamma)


def group_norm(
    x: np.ndarray, groups: int, eps: float = 1e-5, gamma: Param = 1.0, beta: Param = 0.0
):
    """Split the C channels into ``groups`` groups; normalise each sample's group over (C/G, H, W).

    ``groups = 1`` is layer norm over ``(C, H, W)``; ``groups = C`` is instance norm.
    ``x`` : ndarray ``(N, C, H, W)`` or ``(N, C, L)`` with C divisible by ``groups``.
    Returns ``(y, stats)``; ``"mean"``, ``"var"``, ``"inv_std"`` have shape ``(N, groups)``.
    """
    return _forward(x, "group", gamma, beta, eps, groups)


def group_norm_backward(dy: np.ndarray, stats: dict, groups: int, gamma: Param = 1.0):
    """``(dx, dgamma, dbeta)`` of :func:`group_norm`."""
    return _backward(dy, stats, "group", gamma, groups)


# --------------------------------------------------------------------------- running statistics


class BatchNorm:
    """Batch norm with learnable γ, β and running statistics for inference.

    Training uses the batch's statistics and then updates, **in place**,
    ``running = (1 − momentum) · running + momentum · batch``. For the running variance the
    batch variance is made unbiased (× m / (m − 1)), as PyTorch does; the normalisation itself
    uses the biased one, as in the chapter. Inference uses only the running statistics, so a
    sample's output no longer depends on its batch.

    Attributes
    ----------
    gamma, beta, running_mean, running_var : ndarray of shape ``(num_features,)``
    last_stats : dict or None
        The stats of the last training batch (see :func:`batch_norm`).
    """

    def __init__(self, num_features: int, momentum: float = 0.1, eps: float = 1e-5) -> None:
        self.num_features = num_features
        self.momentum = momentum
        self.eps = eps
        self.gamma = np.ones(num_features)
        self.beta = np.zeros(num_features)
        self.running_mean = np.zeros(num_features)
        self.running_var = np.ones(num_features)
        self.last_stats: dict | None = None

    def forward(self, x: np.ndarray, training: bool = True) -> np.ndarray:
        """``y`` with the shape of ``x`` (``(N, D)`` or ``(N, C, ...)``); training mutates self."""
        x = np.asarray(x, dtype=float)
        if x.ndim < 2 or x.shape[1] != self.num_features:
            raise NormError(
                f"BatchNorm({self.num_features}) needs x of shape (N, {self.num_features}, ...), "
                f"got {x.shape}"
            )
        if not training:
            view = (1, -1) + (1,) * (x.ndim - 2)
            x_hat = (x - self.running_mean.reshape(view)) / np.sqrt(
                self.running_var.reshape(view) + self.eps
            )
            return self.gamma.reshape(view) * x_hat + self.beta.reshape(view)
        m = x.size // self.num_features
        if m < 2:
            raise NormError(
                f"batch norm in training needs more than one value per channel; x of shape "
                f"{x.shape} gives {m}: use a larger batch, or layer norm"
            )
        y, stats = batch_norm(x, self.gamma, self.beta, self.eps)
        unbiased = stats["var"] * m / (m - 1)
        self.running_mean *= 1.0 - self.momentum
        self.running_mean += self.momentum * stats["mean"]
        self.running_var *= 1.0 - self.momentum
        self.running_var += self.momentum * unbiased
        self.last_stats = stats
        return y

    __call__ = forward


# --------------------------------------------------------------------------- for the sim

NORM_TABLE: list[dict[str, str]] = [
    {
        "kind": "batch",
        "name": "Batch Norm",
        "normalize_over": "Batch dimension (N, and H, W for images): one mean/variance per channel",
        "best_for": "CNNs, large batches",
        "batch_dependency": "Yes: each output depends on the other samples in the batch",
        "train_vs_inference": "Differs: batch statistics in training, running averages "
        "at inference",
        "compute_notes": "Keeps running mean/variance; noisy with small batches; fuses into the "
        "preceding convolution at inference",
        "stats_shape": "(C,)",
    },
    {
        "kind": "layer",
        "name": "Layer Norm",
        "normalize_over": "Feature dimension (all of C, H, W): one mean/variance per sample",
        "best_for": "Transformers, RNNs",
        "batch_dependency": "None: works with batch size 1",
        "train_vs_inference": "Same computation in training and inference",
        "compute_notes": "Statistics computed per sample at every step, also at inference",
        "stats_shape": "(N,)",
    },
    {
        "kind": "instance",
        "name": "Instance Norm",
        "normalize_over": "Spatial dimensions (H, W): one mean/variance per sample and channel",
        "best_for": "Style transfer",
        "batch_dependency": "None",
        "train_vs_inference": "Same computation in training and inference",
        "compute_notes": "Removes each image's per-channel contrast; unstable on tiny H×W",
        "stats_shape": "(N, C)",
    },
    {
        "kind": "group",
        "name": "Group Norm",
        "normalize_over": "Channel groups (C/G channels and H, W): one mean/variance per sample "
        "and group",
        "best_for": "Small batch CNNs (detection, segmentation)",
        "batch_dependency": "None",
        "train_vs_inference": "Same computation in training and inference",
        "compute_notes": "C must be divisible by G; G = 1 is layer norm, G = C is instance norm",
        "stats_shape": "(N, G)",
    },
]


def sample_activations(
    rng: np.random.Generator,
    shape: tuple[int, ...] = (8, 4, 6, 6),
    scale: float = 1.0,
    shift: float = 0.0,
) -> np.ndarray:
    """Activations whose channels differ in mean and spread, so batch and layer norm differ.

    Channel ``c`` of ``C`` is drawn from ``Normal(shift + μ_c, (scale · σ_c)²)`` with ``μ_c``
    evenly from −2 to 3 and ``σ_c`` evenly from 0.5 to 2.

    Parameters
    ----------
    rng : numpy.random.Generator
    shape : tuple ``(N, C)``, ``(N, C, L)`` or ``(N, C, H, W)``
    scale, shift : float

    Returns
    -------
    ndarray of shape ``shape``
    """
    if len(shape) < 2:
        raise NormError(f"shape must be (N, C, ...) with at least 2 axes, got {shape}")
    channels = shape[1]
    view = (1, channels) + (1,) * (len(shape) - 2)
    means = (shift + np.linspace(-2.0, 3.0, channels)).reshape(view)
    spreads = (scale * np.linspace(0.5, 2.0, channels)).reshape(view)
    return means + spreads * rng.standard_normal(shape)

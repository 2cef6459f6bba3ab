"""Convolution and pooling, as in the chapter: cross-correlation (no kernel flip).

The chapter's equation for one channel is

    (I * K)[i, j] = sum_m sum_n I[i·s + m, j·s + n] · K[m, n]

over the zero-padded input, and a layer with several channels sums that over the input
channels and adds one bias per output channel:

    Out[c_out, i, j] = sum_{c_in} (I[c_in] * K[c_out, c_in])[i, j] + b[c_out]

Along each side the output has ``(n − k + 2p) / s + 1`` positions. When that division is not
exact, frameworks floor it and the last rows/columns of the input are never visited;
:func:`conv_output_size` refuses such a combination with an explanation, while
:func:`conv_output_size_explain` reports it without raising so a sim can say it in words.

Layouts (the engine's conventions, ``engine/__init__.py``): images ``(C, H, W)``, batches
``(N, C, H, W)``, kernels ``(C_out, C_in, kh, kw)``. The preset kernels the sim offers and the
small synthetic pictures it convolves live in :mod:`engine.conv_presets`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import cast

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view

Padding = str | int


class ConvError(ValueError):
    """A kernel, stride or padding that does not fit the input; the message says why."""


# --------------------------------------------------------------------------- output size


def same_padding(k: int) -> int:
    """Padding that keeps the size at stride 1: ``p = (k − 1) // 2`` for an odd kernel ``k``.

    With ``p = (k − 1) / 2`` the formula gives ``(n − k + k − 1) / 1 + 1 = n``. At stride 2 the
    chapter's recipe is the same padding, then the formula: ``"same"`` no longer keeps the size
    but gives ``(n − 1) // 2 + 1`` (about half; 7 → 4 for k = 3 or 5). TensorFlow's ``"same"``
    also gives ``ceil(n / s)``; PyTorch refuses ``padding="same"`` when the stride is not 1.

    Raises
    ------
    ConvError
        For an even kernel: no whole symmetric padding keeps the size.
    """
    k = _whole(k, "kernel size", minimum=1)
    if k % 2 == 0:
        raise ConvError(
            f"'same' padding needs an odd kernel size, got {k}: keeping the size needs "
            f"(k − 1)/2 = {(k - 1) / 2} zeros on each side, which is not a whole number"
        )
    return (k - 1) // 2


PADDING_RULES: dict[str, Callable[[int], int]] = {
    "valid": lambda k: 0,
    "same": same_padding,
}


def resolve_padding(padding: Padding, k: int) -> int:
    """Number of zeros added on each side for ``padding`` ("valid", "same" or an int ≥ 0)."""
    if isinstance(padding, str):
        if padding not in PADDING_RULES:
            raise ConvError(
                f"padding must be 'valid', 'same' or a whole number ≥ 0, got {padding!r}"
            )
        return PADDING_RULES[padding](k)
    return _whole(padding, "padding", minimum=0)


def conv_output_size_explain(n: int, k: int, padding: Padding = "valid", stride: int = 1) -> dict:
    """Explain ``(n − k + 2p) / s + 1`` for one side, without raising on an inexact fit.

    Parameters
    ----------
    n, k : int
        Input size and kernel size along one side.
    padding : "valid" | "same" | int
        Zeros added on each side.
    stride : int
        Step between kernel positions.

    Returns
    -------
    dict
        ``{"formula": "(7 − 3 + 2·0) / 1 + 1 = 5", "size": 5, "exact": True, "padding": 0,
        "remainder": 0, "message": "..."}``. ``size`` is the floored number of kernel positions
        (0 when the kernel does not fit at all); ``remainder`` is how many padded rows/columns
        the last position leaves unvisited.

    Raises
    ------
    ConvError
        Only for arguments no sim can show: sizes or stride < 1, negative padding, an unknown
        padding name, or "same" with an even kernel.
    """
    n = _whole(n, "input size", minimum=1)
    k = _whole(k, "kernel size", minimum=1)
    stride = _whole(stride, "stride", minimum=1)
    p = resolve_padding(padding, k)
    span = n - k + 2 * p
    head = f"({n} − {k} + 2·{p}) / {stride}"
    if span < 0:
        return {
            "formula": f"{head} + 1 = {_num(span / stride + 1)}: no position fits",
            "size": 0,
            "exact": False,
            "padding": p,
            "remainder": 0,
            "message": (
                f"the kernel ({k}) is larger than the padded input ({n} + 2·{p} = {n + 2 * p}): "
                f"it cannot be placed even once; use a smaller kernel or more padding"
            ),
        }
    steps, remainder = divmod(span, stride)
    size = steps + 1
    if remainder == 0:
        formula = f"{head} + 1 = {size}"
        message = (
            f"{head} = {steps} is a whole number: the kernel fits "
            f"exactly {size} positions along this side, so the output has {size}"
        )
    else:
        formula = f"{head} + 1 = {_num(span / stride + 1)} → {size} (floored)"
        message = (
            f"{head} = {_num(span / stride)} is not a whole number: "
            f"the last kernel position would hang over the edge; frameworks floor it to {steps} "
            f"and drop the last {remainder} padded row(s)/column(s), giving {size}"
        )
    return {
        "formula": formula,
        "size": size,
        "exact": remainder == 0,
        "padding": p,
        "remainder": remainder,
        "message": message,
    }


def conv_output_size(n: int, k: int, padding: Padding = "valid", stride: int = 1) -> int:
    """Output size along one side: ``out = (n − k + 2p) / s + 1``, only when it is exact.

    Examples: ``conv_output_size(7, 3, 0, 1) == 5``; ``conv_output_size(7, 3, "valid", 2) == 3``;
    ``conv_output_size(7, 5, "same", 1) == 7``.

    Raises
    ------
    ConvError
        When the kernel is larger than the padded input, or when ``(n − k + 2p)`` is not
        divisible by the stride (the message gives the numbers and what frameworks do).
    """
    info = conv_output_size_explain(n, k, padding, stride)
    if not info["exact"]:
        raise ConvError(info["message"])
    return info["size"]


# --------------------------------------------------------------------------- convolution


def pad2d(x: np.ndarray, p: int | tuple[int, int]) -> np.ndarray:
    """Zero-pad the last two axes of ``x``: ``(..., H, W) -> (..., H + 2ph, W + 2pw)``.

    ``p`` is one int for both axes or ``(ph, pw)``. Returns a new array; ``x`` is not changed.
    """
    # mypy cannot narrow on np.ndim: a p that is not 0-d is the (ph, pw) pair.
    ph, pw = (p, p) if np.ndim(p) == 0 else cast("tuple[int, int]", p)
    ph = _whole(ph, "padding", minimum=0)
    pw = _whole(pw, "padding", minimum=0)
    x = np.asarray(x, dtype=float)
    if x.ndim < 2:
        raise ConvError(f"pad2d needs at least 2 axes (H, W), got shape {x.shape}")
    widths = [(0, 0)] * (x.ndim - 2) + [(ph, ph), (pw, pw)]
    return np.pad(x, widths)


# (x.ndim, kernels.ndim) -> how many leading axes to add to x and to kernels to reach 4-D.
_LAYOUTS: dict[tuple[int, int], tuple[int, int]] = {
    (2, 2): (2, 2),  # (H, W) with (kh, kw)
    (3, 4): (1, 0),  # (C_in, H, W) with (C_out, C_in, kh, kw)
    (4, 4): (0, 0),  # (N, C_in, H, W) with (C_out, C_in, kh, kw)
}


def _as_batch(x: np.ndarray, kernels: np.ndarray) -> tuple[np.ndarray, np.ndarray, int]:
    """Promote to ``(N, C_in, H, W)`` and ``(C_out, C_in, kh, kw)``; return x's added axes."""
    x = np.asarray(x, dtype=float)
    kernels = np.asarray(kernels, dtype=float)
    key = (x.ndim, kernels.ndim)
    if key not in _LAYOUTS:
        raise ConvError(
            f"cannot convolve x of shape {x.shape} with kernels of shape {kernels.shape}: use "
            f"x (H, W) with a kernel (kh, kw), x (C_in, H, W) or (N, C_in, H, W) with kernels "
            f"(C_out, C_in, kh, kw)"
        )
    add_x, add_k = _LAYOUTS[key]
    x4 = x.reshape((1,) * add_x + x.shape)
    k4 = kernels.reshape((1,) * add_k + kernels.shape)
    if x4.shape[1] != k4.shape[1]:
        raise ConvError(
            f"x of shape {x.shape} has {x4.shape[1]} input channels but kernels of shape "
            f"{kernels.shape} expect C_in = {k4.shape[1]}: kernels must be (C_out, C_in, kh, kw) "
            f"with C_in = {x4.shape[1]}"
        )
    return x4, k4, add_x


def _geometry(x4: np.ndarray, k4: np.ndarray, stride: int, padding: Padding, strict: bool):
    """Padding ``(ph, pw)`` and output size ``(h_out, w_out)``, raising ConvError if it can't."""
    (h, w), (kh, kw) = x4.shape[2:], k4.shape[2:]
    rows = conv_output_size_explain(h, kh, padding, stride)
    cols = conv_output_size_explain(w, kw, padding, stride)
    for side, info in (("rows", rows), ("columns", cols)):
        if info["size"] == 0 or (strict and not info["exact"]):
            raise ConvError(f"{side}: {info['message']} (x {x4.shape[2:]}, kernel {(kh, kw)})")
    return (rows["padding"], cols["padding"]), (rows["size"], cols["size"])


def _windows(xp: np.ndarray, kh: int, kw: int, stride: int, out: tuple[int, int]) -> np.ndarray:
    """Read-only view ``(N, C, h_out, w_out, kh, kw)`` of every kernel-sized window."""
    view = sliding_window_view(xp, (kh, kw), axis=(2, 3))
    return view[:, :, ::stride, ::stride][:, :, : out[0], : out[1]]


def conv2d(
    x: np.ndarray,
    kernels: np.ndarray,
    bias: float | np.ndarray | None = None,
    stride: int = 1,
    padding: Padding = "valid",
    *,
    strict: bool = False,
) -> np.ndarray:
    """Cross-correlate ``x`` with ``kernels`` (no flip), with zero padding and a stride.

    ``Out[o, i, j] = Σ_c Σ_m Σ_n X_pad[c, i·s + m, j·s + n] · K[o, c, m, n] + b[o]``

    Parameters
    ----------
    x : ndarray of shape ``(H, W)``, ``(C_in, H, W)`` or ``(N, C_in, H, W)``
    kernels : ndarray of shape ``(kh, kw)`` for a 2-D ``x``, else ``(C_out, C_in, kh, kw)``
    bias : float or ndarray of shape ``(C_out,)``, optional
    stride : int
    padding : "valid" | "same" | int
    strict : bool
        If True, raise when ``(n − k + 2p)`` is not divisible by the stride; by default the
        size is floored as frameworks do (see :func:`conv_output_size_explain`).

    Returns
    -------
    ndarray of shape ``(H_out, W_out)``, ``(C_out, H_out, W_out)`` or ``(N, C_out, H_out, W_out)``
    """
    x4, k4, add_x = _as_batch(x, kernels)
    stride = _whole(stride, "stride", minimum=1)
    pads, out_hw = _geometry(x4, k4, stride, padding, strict)
    kh, kw = k4.shape[2:]
    windows = _windows(pad2d(x4, pads), kh, kw, stride, out_hw)
    out = np.einsum("nchwij,ocij->nohw", windows, k4, optimize=True)
    if bias is not None:
        out = out + _bias_column(bias, k4.shape[0])
    return out.reshape(out.shape[add_x:])


def _bias_column(bias: float | np.ndarray, c_out: int) -> np.ndarray:
    b = np.asarray(bias, dtype=float)
    if b.ndim == 0:
        return b
    if b.shape != (c_out,):
        raise ConvError(
            f"bias must be a number or shape ({c_out},), one per output channel; "
            f"got shape {b.shape}"
        )
    return b.reshape(1, c_out, 1, 1)


def conv2d_backward(
    x: np.ndarray,
    kernels: np.ndarray,
    dout: np.ndarray,
    stride: int = 1,
    padding: Padding = "valid",
    *,
    strict: bool = False,
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Gradients of a loss through :func:`conv2d`, given ``dout = ∂L/∂Out``.

    ``∂L/∂K[o,c,m,n] = Σ_{N,i,j} dout[N,o,i,j] · X_pad[N,c,i·s+m,j·s+n]``,
    ``∂L/∂b[o] = Σ_{N,i,j} dout[N,o,i,j]``, and every window of ``X_pad`` receives
    ``Σ_o dout[N,o,i,j] · K[o]`` back at the place it was read from (then the padding is cut off).

    Parameters
    ----------
    x, kernels, stride, padding, strict
        As given to :func:`conv2d` (any of its three layouts).
    dout : ndarray with the shape of ``conv2d(x, kernels, ...)``

    Returns
    -------
    dx : ndarray with the shape of ``x``
    dkernels : ndarray with the shape of ``kernels``
    dbias : ndarray of shape ``(C_out,)`` (shape ``()`` for the 2-D case)
    """
    x4, k4, add_x = _as_batch(x, kernels)
    stride = _whole(stride, "stride", minimum=1)
    (ph, pw), (h_out, w_out) = _geometry(x4, k4, stride, padding, strict)
    n, c_out, (kh, kw) = x4.shape[0], k4.shape[0], k4.shape[2:]
    expected = (n, c_out, h_out, w_out)[add_x:]
    dout = np.asarray(dout, dtype=float)
    if dout.shape != expected:
        raise ConvError(f"dout must have the output's shape {expected}, got {dout.shape}")
    d4 = dout.reshape((n, c_out, h_out, w_out))
    xp = pad2d(x4, (ph, pw))
    windows = _windows(xp, kh, kw, stride, (h_out, w_out))
    dkernels = np.einsum("nohw,nchwij->ocij", d4, windows, optimize=True)
    dbias = d4.sum(axis=(0, 2, 3))
    # Each output position sends Σ_o dout·K back to its window; one strided slice per kernel
    # offset (kh·kw slices), never a loop over pixels.
    back = np.einsum("nohw,ocij->ncijhw", d4, k4, optimize=True)
    dxp = np.zeros_like(xp)
    for i in range(kh):
        for j in range(kw):
            dxp[:, :, i : i + stride * h_out : stride, j : j + stride * w_out : stride] += back[
                :, :, i, j
            ]
    dx = dxp[:, :, ph : ph + x4.shape[2], pw : pw + x4.shape[3]]
    return (
        dx.reshape(np.shape(x)),
        dkernels.reshape(np.shape(kernels)),
        dbias.reshape(dbias.shape if add_x < 2 else ()),
    )


def conv2d_trace(
    x: np.ndarray, kernel: np.ndarray, stride: int = 1, padding: Padding = "valid"
) -> dict:
    """Every kernel position of a 2-D convolution, for the sim to step through.

    Parameters
    ----------
    x : ndarray of shape ``(H, W)``
    kernel : ndarray of shape ``(kh, kw)``
    stride, padding
        As for :func:`conv2d` (sizes are floored like frameworks do).

    Returns
    -------
    dict
        ``{"padded": (H+2p, W+2p) list, "padding": p, "stride": s, "kernel": list,
        "output": (H_out, W_out) list, "steps": [...]}`` where ``steps`` has one plain dict per
        output position in row-major order: ``{"out": [i, j], "top_left": [r, c]`` (in padded
        coordinates), ``"window"``, ``"products"`` (window · kernel, element-wise), ``"sum"}``.
        ``sum`` equals ``conv2d(x, kernel, stride=stride, padding=padding)[i, j]``.
    """
    x = np.asarray(x, dtype=float)
    kernel = np.asarray(kernel, dtype=float)
    if x.ndim != 2 or kernel.ndim != 2:
        raise ConvError(
            f"conv2d_trace is for one 2-D image and one 2-D kernel; got x "
            f"{x.shape} and kernel {kernel.shape}"
        )
    x4, k4, _ = _as_batch(x, kernel)
    stride = _whole(stride, "stride", minimum=1)
    pads, (h_out, w_out) = _geometry(x4, k4, stride, padding, False)
    padded = pad2d(x, pads)
    kh, kw = kernel.shape
    windows = _windows(padded[None, None], kh, kw, stride, (h_out, w_out))[0, 0]
    products = windows * kernel
    sums = products.sum(axis=(2, 3))
    steps = [
        {
            "out": [i, j],
            "top_left": [i * stride, j * stride],
            "window": windows[i, j].tolist(),
            "products": products[i, j].tolist(),
            "sum": float(sums[i, j]),
        }
        for i in range(h_out)
        for j in range(w_out)
    ]
    return {
        "padded": padded.tolist(),
        "padding": pads[0] if pads[0] == pads[1] else list(pads),
        "stride": stride,
        "kernel": kernel.tolist(),
        "output": sums.tolist(),
        "steps": steps,
    }


# --------------------------------------------------------------------------- pooling

POOL_REDUCERS: dict[str, Callable[..., np.ndarray]] = {"max": np.max, "avg": np.mean}


def _pool_windows(x: np.ndarray, size: int, stride: int) -> np.ndarray:
    """View ``(..., H_out, W_out, size, size)``; sizes floored as frameworks do."""
    x = np.asarray(x, dtype=float)
    size = _whole(size, "pool size", minimum=1)
    stride = _whole(stride, "pool stride", minimum=1)
    if x.ndim < 2 or min(x.shape[-2:]) < size:
        raise ConvError(
            f"a {size}×{size} pool needs an input of at least {size}×{size} in its "
            f"last two axes, got shape {x.shape}"
        )
    return sliding_window_view(x, (size, size), axis=(-2, -1))[..., ::stride, ::stride, :, :]


def pool2d(x: np.ndarray, size: int = 2, stride: int = 2, mode: str = "max") -> np.ndarray:
    """Max or average of each ``size×size`` window: ``(..., H, W) -> (..., H_out, W_out)``.

    ``H_out = (H − size) // stride + 1`` (likewise ``W_out``); a 2×2 pool with stride 2 halves
    each even side. ``x`` may be ``(H, W)``, ``(C, H, W)`` or have more leading axes.
    """
    if mode not in POOL_REDUCERS:
        raise ConvError(f"pool mode must be one of {sorted(POOL_REDUCERS)}, got {mode!r}")
    return POOL_REDUCERS[mode](_pool_windows(x, size, stride), axis=(-2, -1))


def max_pool2d(x: np.ndarray, size: int = 2, stride: int = 2) -> np.ndarray:
    """Largest value of each window; shapes as :func:`pool2d`."""
    return pool2d(x, size, stride, "max")


def avg_pool2d(x: np.ndarray, size: int = 2, stride: int = 2) -> np.ndarray:
    """Mean of each window; shapes as :func:`pool2d`."""
    return pool2d(x, size, stride, "avg")


def max_pool2d_argmax(x: np.ndarray, size: int = 2, stride: int = 2) -> np.ndarray:
    """Where each max came from: int array ``(..., H_out, W_out, 2)`` of input ``(row, col)``.

    Ties go to the first position in row-major order within the window.
    """
    windows = _pool_windows(x, size, stride)
    flat = windows.reshape(windows.shape[:-2] + (size * size,)).argmax(axis=-1)
    h_out, w_out = flat.shape[-2:]
    rows = np.arange(h_out)[:, None] * stride + flat // size
    cols = np.arange(w_out)[None, :] * stride + flat % size
    return np.stack([rows, cols], axis=-1)


def pool2d_trace(x: np.ndarray, size: int = 2, stride: int = 2, mode: str = "max") -> dict:
    """Every pool window of a 2-D input ``(H, W)``, for display.

    Returns ``{"output": list, "steps": [{"out": [i, j], "top_left": [r, c], "window": list,
    "value": float, "argmax": [r, c] (input coordinates; only for mode "max")}, ...]}``.
    """
    x = np.asarray(x, dtype=float)
    if x.ndim != 2:
        raise ConvError(f"pool2d_trace is for one 2-D input, got shape {x.shape}")
    windows = _pool_windows(x, size, stride)
    out = pool2d(x, size, stride, mode)
    where = max_pool2d_argmax(x, size, stride) if mode == "max" else None
    steps = []
    for i in range(out.shape[0]):
        for j in range(out.shape[1]):
            step = {
                "out": [i, j],
                "top_left": [i * stride, j * stride],
                "window": windows[i, j].tolist(),
                "value": float(out[i, j]),
            }
            if where is not None:
                step["argmax"] = where[i, j].tolist()
            steps.append(step)
    return {"output": out.tolist(), "steps": steps}


# --------------------------------------------------------------------------- helpers


def _whole(value: object, what: str, *, minimum: int) -> int:
    """``value`` as an int ≥ ``minimum``, or a ConvError naming ``what``."""
    if isinstance(value, bool) or not isinstance(value, int | np.integer):
        raise ConvError(f"{what} must be a whole number, got {value!r}")
    if value < minimum:
        raise ConvError(f"{what} must be ≥ {minimum}, got {value}")
    return int(value)


def _num(v: float) -> str:
    """A number as a student would write it: 5, 2.5, −1."""
    text = f"{v:.10g}"
    return text.replace("-", "−")

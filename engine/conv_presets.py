"""The convolution sim's material: preset kernels and small synthetic pictures drawn by code.

Kept apart from :mod:`engine.conv` (the operation itself) so the math module reads as the
chapter's equations. ``KERNELS[name][size]`` are read-only arrays; :func:`preset_kernel` and
:func:`sample_image` return fresh copies.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from engine.conv import ConvError

_BINOMIAL = {3: np.array([1.0, 2.0, 1.0]), 5: np.array([1.0, 4.0, 6.0, 4.0, 1.0])}
_DERIVATIVE = {3: np.array([-1.0, 0.0, 1.0]), 5: np.array([-1.0, -2.0, 0.0, 2.0, 1.0])}


def _identity(k: int) -> np.ndarray:
    out = np.zeros((k, k))
    out[k // 2, k // 2] = 1.0
    return out


def _edge(k: int) -> np.ndarray:
    """Laplacian-style: −1 everywhere, k² − 1 in the centre; sums to 0 (flat regions → 0)."""
    out = -np.ones((k, k))
    out[k // 2, k // 2] = k * k - 1
    return out


def _blur(k: int) -> np.ndarray:
    """Gaussian (binomial) blur, sums to 1: [1 2 1]ᵀ[1 2 1] / 16 for 3×3."""
    g = np.outer(_BINOMIAL[k], _BINOMIAL[k])
    return g / g.sum()


def _sharpen(k: int) -> np.ndarray:
    """Unsharp mask ``identity + (identity − blur)``-style; 3×3 is the classic 5-centre cross."""
    if k == 3:
        return np.array([[0.0, -1.0, 0.0], [-1.0, 5.0, -1.0], [0.0, -1.0, 0.0]])
    return 2 * _identity(k) - _blur(k)


def _sobel_x(k: int) -> np.ndarray:
    """Smooth down the rows, differentiate across the columns: > 0 where dark turns bright."""
    return np.outer(_BINOMIAL[k], _DERIVATIVE[k])


KERNEL_BUILDERS: dict[str, Callable[[int], np.ndarray]] = {
    "edge": _edge,
    "blur": _blur,
    "sharpen": _sharpen,
    "sobel_x": _sobel_x,
    "sobel_y": lambda k: _sobel_x(k).T,
    "identity": _identity,
}

KERNEL_NOTES: dict[str, str] = {
    "edge": "edge detection (Laplacian): weights sum to 0, so flat areas give 0, edges stand out",
    "blur": "Gaussian blur: a weighted average (weights sum to 1) that smooths detail",
    "sharpen": "sharpen: the pixel plus its difference from its neighbours (weights sum to 1)",
    "sobel_x": "Sobel x: responds to vertical edges (brightness changing left to right)",
    "sobel_y": "Sobel y: responds to horizontal edges (brightness changing top to bottom)",
    "identity": "identity: copies the centre pixel, the output equals the (cropped) input",
}


def _freeze(a: np.ndarray) -> np.ndarray:
    a.setflags(write=False)
    return a


KERNELS: dict[str, dict[int, np.ndarray]] = {
    name: {k: _freeze(build(k)) for k in (3, 5)} for name, build in KERNEL_BUILDERS.items()
}
"""``KERNELS[name][size]``: read-only ``(size, size)`` arrays for size 3 and 5."""


def preset_kernel(name: str, size: int = 3) -> np.ndarray:
    """A fresh, writable copy of ``KERNELS[name][size]``, shape ``(size, size)``."""
    if name not in KERNELS or size not in KERNELS[name]:
        raise ConvError(
            f"no preset kernel {name!r} of size {size}: names are {sorted(KERNELS)}, sizes 3 and 5"
        )
    return KERNELS[name][size].copy()


# --------------------------------------------------------------------------- sample images


def _strokes(points: list[tuple[float, float]], size: int = 28, width: float = 1.3) -> np.ndarray:
    """Antialiased polyline through ``points`` (x, y) on a ``(size, size)`` image in [0, 1]."""
    p = np.asarray(points, dtype=float)
    a, b = p[:-1, None, None, :], p[1:, None, None, :]  # (S, 1, 1, 2)
    yy, xx = np.mgrid[0:size, 0:size].astype(float)
    q = np.stack([xx, yy], axis=-1)  # (size, size, 2), pixel centres
    ab = b - a
    t = np.clip(np.sum((q - a) * ab, axis=-1) / np.sum(ab * ab, axis=-1), 0.0, 1.0)
    dist = np.linalg.norm(q - (a + t[..., None] * ab), axis=-1).min(axis=0)
    return np.clip(width + 0.5 - dist, 0.0, 1.0)


def _arc(cx: float, cy: float, r: float, start: float, stop: float, n: int = 14) -> list:
    angles = np.radians(np.linspace(start, stop, n))
    return list(zip(cx + r * np.cos(angles), cy + r * np.sin(angles), strict=True))


def _digit_seven() -> np.ndarray:
    return _strokes(
        [(6.0, 7.5), (13.0, 6.6), (21.5, 6.0), (18.0, 12.5), (15.0, 18.0), (13.0, 23.0)]
    )


def _digit_three() -> np.ndarray:
    upper = _arc(14.0, 9.5, 5.0, -160.0, 90.0)
    lower = _arc(14.0, 18.5, 5.5, -90.0, 160.0)
    return np.maximum(_strokes(upper), _strokes(lower))


def _shapes() -> np.ndarray:
    yy, xx = np.mgrid[0:28, 0:28].astype(float)
    square = ((yy >= 3) & (yy <= 11) & (xx >= 3) & (xx <= 11)) * 0.8
    circle = np.clip(5.5 - np.hypot(yy - 18.0, xx - 19.0), 0.0, 1.0)
    line = _strokes([(3.0, 25.0), (12.0, 15.0)], width=0.8)
    return np.maximum.reduce([square, circle, line])


_EDGE_7X7: dict[str, Callable[[], np.ndarray]] = {
    "vertical_edge": lambda: np.where(np.arange(7)[None, :] >= 3, 0.9, 0.1) * np.ones((7, 1)),
    "diagonal_edge": lambda: np.where(np.add.outer(np.arange(7), -np.arange(7)) >= 0, 0.9, 0.1),
    "square": lambda: np.pad(np.full((3, 3), 0.9), 2, constant_values=0.1),
}

SAMPLE_IMAGES: dict[str, Callable[[], np.ndarray]] = {
    "digit": _digit_seven,
    "digit3": _digit_three,
    "shapes": _shapes,
}


def sample_image(name: str = "digit") -> np.ndarray:
    """A small synthetic grayscale image in [0, 1], drawn by code (deterministic).

    ``"digit"``: a hand-drawn-looking 7 (28×28); ``"digit3"``: a 3 (28×28); ``"shapes"``: a
    square, a circle and a diagonal line (28×28); the 7×7 names of :func:`sample_input_7x7`
    also work. Returns a new float array of shape ``(28, 28)`` or ``(7, 7)``.
    """
    table = SAMPLE_IMAGES | _EDGE_7X7
    if name not in table:
        raise ConvError(f"no sample image {name!r}: choose one of {sorted(table)}")
    return table[name]().astype(float)


def sample_input_7x7(name: str = "vertical_edge") -> np.ndarray:
    """A 7×7 grayscale input with a clear edge, so edge kernels show something.

    ``"vertical_edge"``: columns 0–2 are 0.1, columns 3–6 are 0.9; ``"diagonal_edge"``: 0.9 on
    and below the diagonal, 0.1 above; ``"square"``: a bright 3×3 square on a dark ground.
    Returns a new float array of shape ``(7, 7)``.
    """
    if name not in _EDGE_7X7:
        raise ConvError(f"no 7×7 sample {name!r}: choose one of {sorted(_EDGE_7X7)}")
    return _EDGE_7X7[name]().astype(float)

"""Tensor shapes: what each operation of the chapter's table does to a shape, and why it fails.

Every ``*_shape`` function works on bare shapes (tuples of ints), so the sim can answer "what
would this give?" without building arrays; the thin array versions below them check the shape
first and then call NumPy. A shape that does not fit raises :class:`ShapeError` with a message
that names the shapes and the rule broken, e.g.
"cannot reshape (2, 3, 4) = 24 elements into (5, 5) = 25 elements".

Row-major (C) order throughout: the last axis varies fastest, as in NumPy and PyTorch.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

Shape = tuple[int, ...]


class ShapeError(ValueError):
    """A shape that an operation cannot take; the message names the shapes and the rule."""


def _shape(shape: Sequence[int], what: str = "shape") -> Shape:
    """``shape`` as a tuple of Python ints ≥ 0, or a ShapeError."""
    try:
        out = tuple(shape)
    except TypeError:
        raise ShapeError(f"{what} must be a tuple of whole numbers, got {shape!r}") from None
    for size in out:
        if isinstance(size, bool) or not isinstance(size, int | np.integer) or size < 0:
            raise ShapeError(f"{what} {out} has {size!r}: sizes must be whole numbers ≥ 0")
    return tuple(int(s) for s in out)


def _axis(axis: int, ndim: int, shape: Shape, what: str = "axis") -> int:
    """``axis`` in ``[−ndim, ndim)`` made non-negative, or a ShapeError naming ``shape``."""
    if isinstance(axis, bool) or not isinstance(axis, int | np.integer):
        raise ShapeError(f"{what} must be a whole number, got {axis!r} (shape {shape})")
    if not -ndim <= axis < ndim:
        raise ShapeError(
            f"{what} {axis} is out of range for {shape}: valid axes are {-ndim} … {ndim - 1}"
        )
    return int(axis) % ndim


def _axes(axis: int | Sequence[int], ndim: int, shape: Shape) -> tuple[int, ...]:
    """One or several axes, normalised; repeating an axis is an error."""
    given = (axis,) if isinstance(axis, int | np.integer) else tuple(axis)
    out = tuple(_axis(a, ndim, shape) for a in given)
    if len(set(out)) != len(out):
        raise ShapeError(f"axes {given} name the same axis twice (shape {shape})")
    return out


# --------------------------------------------------------------------------- shape functions


def reshape_shape(shape: Sequence[int], target: Sequence[int]) -> Shape:
    """Shape after reshaping: same number of elements, one size may be −1 (inferred).

    Raises ShapeError, e.g. "cannot reshape (2, 3, 4) = 24 elements into (5, 5) = 25 elements".
    """
    shape = _shape(shape)
    target = tuple(target)
    n = math.prod(shape)
    known = [s for s in target if s != -1]
    _shape(known, f"target {target}")
    if len(known) < len(target) - 1:
        raise ShapeError(f"cannot reshape {shape} into {target}: only one size may be −1")
    known_n = math.prod(known)
    if len(known) == len(target) - 1:
        if known_n == 0 or n % known_n:
            raise ShapeError(
                f"cannot reshape {shape} = {n} elements into {target}: the other sizes multiply "
                f"to {known_n}, which does not divide {n}, so −1 cannot be filled in"
            )
        target = tuple(n // known_n if s == -1 else int(s) for s in target)
    elif known_n != n:
        raise ShapeError(
            f"cannot reshape {shape} = {n} elements into {target} = {known_n} elements"
        )
    return tuple(int(s) for s in target)


def transpose_shape(shape: Sequence[int], axes: Sequence[int] | None = None) -> Shape:
    """Shape after permuting the axes: ``out[i] = shape[axes[i]]``; no ``axes`` reverses them."""
    shape = _shape(shape)
    nd = len(shape)
    if axes is None:
        return shape[::-1]
    axes = tuple(axes)
    if len(axes) != nd:
        raise ShapeError(
            f"axes {axes} must list each of the {nd} axes of {shape} once, got {len(axes)}"
        )
    perm = _axes(axes, nd, shape)
    return tuple(shape[a] for a in perm)


def permute_shape(shape: Sequence[int], dims: Sequence[int]) -> Shape:
    """PyTorch's name for :func:`transpose_shape` with explicit ``dims``."""
    return transpose_shape(shape, dims)


def squeeze_shape(shape: Sequence[int], axis: int | Sequence[int] | None = None) -> Shape:
    """Shape without size-1 axes: all of them, or only ``axis`` (which must have size 1)."""
    shape = _shape(shape)
    if axis is None:
        return tuple(s for s in shape if s != 1)
    drop = _axes(axis, len(shape), shape)
    for a in drop:
        if shape[a] != 1:
            raise ShapeError(f"cannot squeeze axis {a} of {shape}: its size is {shape[a]}, not 1")
    return tuple(s for i, s in enumerate(shape) if i not in drop)


def unsqueeze_shape(shape: Sequence[int], axis: int | Sequence[int]) -> Shape:
    """Shape with new size-1 axes placed at ``axis`` of the result (like ``np.expand_dims``)."""
    shape = _shape(shape)
    given = (axis,) if isinstance(axis, int | np.integer) else tuple(axis)
    nd = len(shape) + len(given)
    new = _axes(given, nd, shape)
    rest = iter(shape)
    return tuple(1 if i in new else next(rest) for i in range(nd))


def flatten_shape(shape: Sequence[int], start_dim: int = 0, end_dim: int = -1) -> Shape:
    """Shape with axes ``start_dim … end_dim`` merged into one (PyTorch's ``flatten``)."""
    shape = _shape(shape)
    if not shape:
        return (1,)
    start = _axis(start_dim, len(shape), shape, "start_dim")
    end = _axis(end_dim, len(shape), shape, "end_dim")
    if start > end:
        raise ShapeError(f"start_dim {start_dim} comes after end_dim {end_dim} in {shape}")
    return shape[:start] + (math.prod(shape[start : end + 1]),) + shape[end + 1 :]


def concatenate_shapes(shapes: Sequence[Sequence[int]], axis: int = 0) -> Shape:
    """Shape after joining along an existing ``axis``; all other axes must match."""
    given = [_shape(s) for s in shapes]
    names = " and ".join(str(s) for s in given)
    if not given or not given[0]:
        raise ShapeError(f"concatenate needs one or more shapes with at least 1 axis, got {names}")
    first = given[0]
    ax = _axis(axis, len(first), first)
    for other in given[1:]:
        if len(other) != len(first):
            raise ShapeError(
                f"cannot concatenate {names}: they have {len(first)} and {len(other)} axes"
            )
        for i, (p, q) in enumerate(zip(first, other, strict=True)):
            if i != ax and p != q:
                raise ShapeError(
                    f"cannot concatenate {names} along axis {ax}: axis {i} differs ({p} vs "
                    f"{q}); every axis except the joined one must match"
                )
    return first[:ax] + (sum(s[ax] for s in given),) + first[ax + 1 :]


def stack_shapes(shapes: Sequence[Sequence[int]], axis: int = 0) -> Shape:
    """Shape after stacking equal shapes along a new ``axis`` of size ``len(shapes)``."""
    given = [_shape(s) for s in shapes]
    names = " and ".join(str(s) for s in given)
    if not given:
        raise ShapeError("stack needs at least one shape")
    if any(s != given[0] for s in given):
        raise ShapeError(f"cannot stack {names}: stack needs all shapes equal")
    ax = _axis(axis, len(given[0]) + 1, given[0])
    return given[0][:ax] + (len(given),) + given[0][ax:]


def broadcast_shapes(a: Sequence[int], b: Sequence[int]) -> tuple[Shape, list[dict]]:
    """Result shape of an element-wise operation, and one explanation per result axis.

    Shapes are aligned on the right; a missing axis counts as 1; a size 1 is stretched to the
    other size; otherwise the sizes must be equal.

    Returns
    -------
    shape : tuple
    explanation : list of dict
        ``{"axis": i, "a": size or None, "b": size or None, "result": r, "rule": text}``,
        left to right over the result, e.g. ``"a has size 1: stretched to 2"``.
    """
    a, b = _shape(a), _shape(b)
    nd = max(len(a), len(b))
    pa, pb = (None,) * (nd - len(a)) + a, (None,) * (nd - len(b)) + b
    steps: list[dict[str, Any]] = []
    for i, (x, y) in enumerate(zip(pa, pb, strict=True)):
        xs, ys = 1 if x is None else x, 1 if y is None else y
        if xs != ys and 1 not in (xs, ys):
            raise ShapeError(
                f"cannot broadcast {a} with {b}: at axis {i} ({i - nd} from the right) a has "
                f"{xs} and b has {ys}; sizes must be equal or one of them 1"
            )
        result = ys if xs == 1 else xs
        steps.append({"axis": i, "a": x, "b": y, "result": result, "rule": _rule(x, y, result)})
    return tuple(s["result"] for s in steps), steps


def _rule(x: int | None, y: int | None, result: int) -> str:
    """Words for one axis of :func:`broadcast_shapes`."""
    for name, size, other in (("a", x, y), ("b", y, x)):
        if size is None:
            return f"missing in {name}: treated as 1" + (
                f", then stretched to {result}" if result != 1 else ""
            )
        if size == 1 and other != 1:
            return f"{name} has size 1: stretched to {result}"
    return "equal"


def matmul_shape(a: Sequence[int], b: Sequence[int]) -> Shape:
    """Shape of ``a @ b``: ``(..., M, K) @ (..., K, N) -> (..., M, N)``, batch axes broadcast.

    A 1-D ``a`` is a row ``(1, K)`` and a 1-D ``b`` a column ``(K, 1)``; the added axis is
    removed again from the result (NumPy's rule).
    """
    a, b = _shape(a), _shape(b)
    if not a or not b:
        raise ShapeError(f"cannot matmul {a} @ {b}: both sides need at least 1 axis")
    a2 = a if len(a) > 1 else (1,) + a
    b2 = b if len(b) > 1 else b + (1,)
    if a2[-1] != b2[-2]:
        where = "second-to-last" if len(b) > 1 else "only"
        raise ShapeError(
            f"cannot matmul {a} @ {b}: a's last axis is {a2[-1]} but b's {where} axis is "
            f"{b2[-2]}; they must be equal (it is the summed index k)"
        )
    try:
        batch, _ = broadcast_shapes(a2[:-2], b2[:-2])
    except ShapeError as err:
        raise ShapeError(f"cannot matmul {a} @ {b}: the batch axes do not match: {err}") from None
    return batch + a2[-2:-1] * (len(a) > 1) + b2[-1:] * (len(b) > 1)


def einsum_shape(spec: str, *shapes: Sequence[int]) -> Shape:
    """Result shape of an explicit einsum such as ``"bik,bkj->bij"`` or ``"bqd,bkd->bqk"``.

    Each letter names one size, which must agree everywhere it appears (unlike NumPy, a size 1
    is not broadcast). Without ``->`` the output is the letters used once, in alphabetical
    order. ``...`` is not supported.
    """
    given = tuple(_shape(s) for s in shapes)
    text = spec.replace(" ", "")
    lhs, arrow, rhs = text.partition("->")
    terms = lhs.split(",")
    if "." in text or not re.fullmatch(r"[A-Za-z]*", lhs.replace(",", "") + rhs):
        raise ShapeError(f"einsum {spec!r}: use letters, commas and one '->' (no '...')")
    if len(terms) != len(given):
        raise ShapeError(
            f"einsum {spec!r} has {len(terms)} operand(s) but {len(given)} shape(s) were "
            f"given: {', '.join(map(str, given))}"
        )
    sizes: dict[str, tuple[int, int, Shape]] = {}
    for i, (term, shape) in enumerate(zip(terms, given, strict=True)):
        if len(term) != len(shape):
            raise ShapeError(
                f"einsum {spec!r}: operand {i} '{term}' names {len(term)} axes but its shape "
                f"{shape} has {len(shape)}"
            )
        for letter, size in zip(term, shape, strict=True):
            seen = sizes.setdefault(letter, (size, i, shape))
            if seen[0] != size:
                raise ShapeError(
                    f"einsum {spec!r}: letter '{letter}' is {seen[0]} in operand {seen[1]} "
                    f"{seen[2]} but {size} in operand {i} {shape}"
                )
    if not arrow:
        rhs = "".join(sorted(c for c in sizes if lhs.count(c) == 1))
    for letter in rhs:
        if letter not in sizes or rhs.count(letter) > 1:
            raise ShapeError(
                f"einsum {spec!r}: output letter '{letter}' must appear once in the output and "
                f"in some input (shapes {', '.join(map(str, given))})"
            )
    return tuple(sizes[c][0] for c in rhs)


def valid_reshape_targets(shape: Sequence[int], max_ndim: int = 4) -> list[Shape]:
    """Every shape of 1 … ``max_ndim`` axes, each size ≥ 2, holding the same elements.

    Size-1 axes are left out (any target may add them); ``(n,)`` is always first. Sorted by
    number of axes, then by sizes, e.g. for 6: ``[(6,), (2, 3), (3, 2)]``.
    """
    n = math.prod(_shape(shape))
    if n < 2:
        return [(n,)]
    divisors = [d for d in range(2, n + 1) if n % d == 0]

    def split(m: int, parts: int) -> list[Shape]:
        found: list[Shape] = [(m,)]
        if parts > 1:
            for d in divisors:
                if d < m and m % d == 0:
                    found += [(d,) + rest for rest in split(m // d, parts - 1)]
        return found

    return sorted(split(n, max_ndim), key=lambda s: (len(s), s))


# --------------------------------------------------------------------------- element mapping


def _grid(shape: Shape) -> np.ndarray:
    """Index tuple of every element in row-major order: int array ``(n, ndim)``."""
    if not shape:
        return np.zeros((1, 0), dtype=int)
    return np.indices(shape).reshape(len(shape), -1).T


def _map_flatten(shape: Shape, idx: np.ndarray, start_dim: int = 0, end_dim: int = -1):
    flatten_shape(shape, start_dim, end_dim)  # checks the dims
    if not shape:
        return np.zeros((1, 1), dtype=int)
    s, e = _axis(start_dim, len(shape), shape), _axis(end_dim, len(shape), shape)
    merged = np.ravel_multi_index(tuple(idx[:, s : e + 1].T), shape[s : e + 1])
    return np.column_stack([idx[:, :s], merged, idx[:, e + 1 :]])


def _map_unsqueeze(shape: Shape, idx: np.ndarray, axis: int | Sequence[int]):
    out = unsqueeze_shape(shape, axis)
    old = [i for i, _ in enumerate(out) if i not in _axes(axis, len(out), shape)]
    mapped = np.zeros((len(idx), len(out)), dtype=int)
    mapped[:, old] = idx
    return mapped


def _joined(shape: Shape, others: Sequence[Sequence[int]], position: int) -> list[Shape]:
    return [*map(_shape, others[:position]), shape, *map(_shape, others[position:])]


def _map_concatenate(shape, idx, others=(), axis=0, position=0):
    shapes = _joined(shape, others, position)
    concatenate_shapes(shapes, axis)
    ax = _axis(axis, len(shape), shape)
    mapped = idx.copy()
    mapped[:, ax] += sum(s[ax] for s in shapes[:position])
    return mapped


def _map_stack(shape, idx, others=(), axis=0, position=0):
    shapes = _joined(shape, others, position)
    ax = _axis(axis, len(shape) + 1, shape)
    stack_shapes(shapes, axis)
    return np.insert(idx, ax, position, axis=1)


def _map_transpose(shape: Shape, idx: np.ndarray, axes: Sequence[int] | None = None):
    transpose_shape(shape, axes)
    perm = range(len(shape))[::-1] if axes is None else _axes(axes, len(shape), shape)
    return idx[:, list(perm)]


def _map_squeeze(shape: Shape, idx: np.ndarray, axis: int | Sequence[int] | None = None):
    squeeze_shape(shape, axis)
    dropped = (
        [i for i, s in enumerate(shape) if s == 1]
        if axis is None
        else _axes(axis, len(shape), shape)
    )
    return idx[:, [i for i in range(len(shape)) if i not in dropped]]


MAPPERS: dict[str, Callable[..., np.ndarray]] = {
    "reshape": lambda shape, idx, target: _grid(reshape_shape(shape, target)),
    "transpose": _map_transpose,
    "permute": lambda shape, idx, dims: _map_transpose(shape, idx, dims),
    "squeeze": _map_squeeze,
    "unsqueeze": _map_unsqueeze,
    "flatten": _map_flatten,
    "concatenate": _map_concatenate,
    "stack": _map_stack,
}
"""op name -> ``(shape, idx (n, ndim), **args) -> (n, out_ndim)`` output index of each element."""


def element_mapping(shape: Sequence[int], op: str, **args) -> np.ndarray:
    """Where each input element lands: int array ``(n, out_ndim)``.

    Row ``k`` is the output index tuple of the input element with row-major index ``k``.
    Reshape keeps row-major order (row ``k`` is the ``k``-th index of the output); transpose
    does not. ``op`` and its arguments: ``reshape(target)``, ``transpose(axes=None)``,
    ``permute(dims)``, ``squeeze(axis=None)``, ``unsqueeze(axis)``,
    ``flatten(start_dim=0, end_dim=-1)``, ``concatenate(others, axis=0, position=0)`` and
    ``stack(others, axis=0, position=0)`` (the mapped tensor sits at ``position`` among the
    ``others``). For broadcasting, where one element goes to many places, see
    :func:`broadcast_sources`.
    """
    shape = _shape(shape)
    if op not in MAPPERS:
        raise ShapeError(
            f"unknown operation {op!r} for shape {shape}: use one of {sorted(MAPPERS)}"
        )
    return MAPPERS[op](shape, _grid(shape), **args)


def broadcast_sources(shape: Sequence[int], target: Sequence[int]) -> np.ndarray:
    """For each element of ``target``, the row-major index of the input element it copies.

    Returns an int array of shape ``target``. ``shape`` must broadcast to exactly ``target``.
    """
    shape, target = _shape(shape), _shape(target)
    result, _ = broadcast_shapes(shape, target)
    if result != target:
        raise ShapeError(f"cannot broadcast {shape} to {target}: the result would be {result}")
    return np.broadcast_to(np.arange(math.prod(shape)).reshape(shape), target).copy()


# --------------------------------------------------------------------------- parsing


def parse_shape(
    text: str, *, max_ndim: int = 5, max_elements: int = 4096, allow_infer: bool = False
) -> Shape:
    """Read a shape typed by a student: ``"(2, 3, 4)"``, ``"2,3,4"``, ``"2x3x4"``, ``"[2 3 4]"``.

    Sizes are whole numbers ≥ 1 (one −1 too when ``allow_infer``); at most ``max_ndim`` axes and
    ``max_elements`` elements, so the sim can draw it. Raises ShapeError saying what is wrong.
    """
    body = str(text).strip()
    if body[:1] in ("(", "["):
        if body[-1:] != {"(": ")", "[": "]"}[body[0]]:
            raise ShapeError(f"unbalanced brackets in {text!r}")
        body = body[1:-1].strip()
    body = body.removesuffix(",").rstrip()
    if not body:
        raise ShapeError(f"empty shape {text!r}: type sizes such as 2, 3, 4")
    sizes = []
    for token in re.split(r"\s*[,xX×*]\s*|\s+", body):
        if not token:
            raise ShapeError(f"a size is missing between two separators in {text!r}")
        if not re.fullmatch(r"[+-]?\d{1,9}", token):
            raise ShapeError(f"{token!r} is not a whole number (in {text!r})")
        sizes.append(int(token))
    inferred = sizes.count(-1) if allow_infer else 0
    if inferred > 1:
        raise ShapeError(f"only one size may be −1 in {text!r}")
    if any(s < 1 and not (s == -1 and inferred) for s in sizes):
        raise ShapeError(f"sizes must be ≥ 1 (got {min(sizes)} in {text!r})")
    if len(sizes) > max_ndim:
        raise ShapeError(f"at most {max_ndim} axes (got {len(sizes)} in {text!r})")
    n = math.prod(s for s in sizes if s != -1)
    if n > max_elements:
        raise ShapeError(f"too many elements to draw: {n:,} > {max_elements:,} (in {text!r})")
    return tuple(sizes)


# --------------------------------------------------------------------------- array versions


def reshape(x: np.ndarray, target: Sequence[int]) -> np.ndarray:
    """``x`` reshaped to ``target`` (checked by :func:`reshape_shape`)."""
    return np.reshape(x, reshape_shape(np.shape(x), target))


def transpose(x: np.ndarray, axes: Sequence[int] | None = None) -> np.ndarray:
    """``x`` with its axes permuted (checked by :func:`transpose_shape`)."""
    transpose_shape(np.shape(x), axes)
    return np.transpose(x, axes)


def squeeze(x: np.ndarray, axis: int | Sequence[int] | None = None) -> np.ndarray:
    """``x`` without its size-1 axes (checked by :func:`squeeze_shape`)."""
    return np.reshape(x, squeeze_shape(np.shape(x), axis))


def unsqueeze(x: np.ndarray, axis: int | Sequence[int]) -> np.ndarray:
    """``x`` with new size-1 axes (checked by :func:`unsqueeze_shape`)."""
    return np.reshape(x, unsqueeze_shape(np.shape(x), axis))


def flatten(x: np.ndarray, start_dim: int = 0, end_dim: int = -1) -> np.ndarray:
    """``x`` with axes ``start_dim … end_dim`` merged (checked by :func:`flatten_shape`)."""
    return np.reshape(x, flatten_shape(np.shape(x), start_dim, end_dim))


def concatenate(xs: Sequence[np.ndarray], axis: int = 0) -> np.ndarray:
    """Arrays joined along ``axis`` (checked by :func:`concatenate_shapes`)."""
    concatenate_shapes([np.shape(x) for x in xs], axis)
    return np.concatenate(xs, axis=axis)


def stack(xs: Sequence[np.ndarray], axis: int = 0) -> np.ndarray:
    """Arrays stacked along a new ``axis`` (checked by :func:`stack_shapes`)."""
    stack_shapes([np.shape(x) for x in xs], axis)
    return np.stack(xs, axis=axis)


def broadcast(a: np.ndarray, b: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``a`` and ``b`` stretched to their common shape (checked by :func:`broadcast_shapes`)."""
    shape, _ = broadcast_shapes(np.shape(a), np.shape(b))
    return np.broadcast_to(a, shape), np.broadcast_to(b, shape)


def matmul(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """``a @ b`` (checked by :func:`matmul_shape`)."""
    matmul_shape(np.shape(a), np.shape(b))
    return np.matmul(a, b)


def einsum(spec: str, *arrays: np.ndarray) -> np.ndarray:
    """``np.einsum(spec, *arrays)`` (checked by :func:`einsum_shape`)."""
    einsum_shape(spec, *(np.shape(a) for a in arrays))
    return np.einsum(spec, *arrays)

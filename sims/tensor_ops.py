"""Tensor Operations Visualizer: what reshape, transpose, squeeze, … do to a shape and its elements.

Every shape rule, error message, element mapping, reshape-target list, broadcast rule table and
einsum result comes from :mod:`engine.tensor`; this module only parses the controls (with
``engine.tensor.parse_shape``) and packs the answers for the sketch.

The state is :class:`State` (plain JSON, drawn by ``static/sketches/tensor-operations.js``)::

    params          current control values (shape, op, target, axes, axis, second, einsum, speed)
    applied         True after "Apply Operation" (the sketch animates, then shows the result)
    applies         how many times the operation was applied (each press replays the animation)
    error           the engine's ShapeError message (or a parse error), else None
    error_field     the control the error is most likely about ("shape", "target", "axes", ...)
    inputs          [{"name": "a"|"b", "shape": [...], "n": count, "titles", "note"}]
    outputs         [{"name", "shape", "n", "drawable", "src_tensor", "src_index", "titles",
                    "note"}]
                    src_tensor[m] / src_index[m]: the input (0 = a, 1 = b) and its row-major
                    index that lands in output cell m (row-major); None for einsum (summed)
                    titles: the tensor's title, longest first (the sketch shows the first that
                    fits); note: why a result too big to draw is shown as its shape, else None
    result_shape    the result shape, or None on error
    expr            the NumPy call that does the same, e.g. "np.reshape(a, (6, 4))"
    dest            for one-input ops: row k = output index tuple of input element k
                    (engine.tensor.element_mapping), else None
    order_kept      one-input ops: True when element k lands in output cell k (row-major order
                    kept, as reshape does), else False; None for two-input ops
    order_note      a sentence about the order, with an example element
    reshape_targets first shapes of engine.tensor.valid_reshape_targets(a); n_targets: how many
    broadcast_rules engine.tensor.broadcast_shapes' per-axis explanation, or None
    einsum_letters  [{"letter", "size", "in": [operands], "kept": bool}] or None
    message         one sentence for the reader

and the text the sketch shows as it is, built from the fields above by :func:`_with_text`::

    heading         "Result shape: (6, 4)" (or "Result shape: —" on error)
    call            ``expr``, or "reshape: cannot run" on error
    info            lines under the drawing: [{"text", "bold"?, "color"?}] (color: a palette
                    name of static/sketch-kit.js), the note or error, the broadcast rules, the
                    einsum letters
    targets         the reshape-like ops: {"head", "tokens", "total"}, the valid targets as
                    text (the sketch wraps as many as fit), else None
    error_box       the lines of the error box drawn in place of a result ([] without error)
    describe        the drawing's accessible description (aria-label)
"""

from __future__ import annotations

import math
import re
from typing import Any, TypedDict, cast

import numpy as np

from engine import tensor as T
from sims import _numpy_script as nps
from sims._contract import Control, Settings, SimMeta, setting_action


class State(TypedDict):
    """The state: see the module docstring for what each key holds."""

    params: dict[str, Any]
    applied: bool
    applies: int
    error: str | None
    error_field: str | None
    inputs: list[dict[str, Any]]
    outputs: list[dict[str, Any]]
    result_shape: list[int] | None
    expr: str
    dest: list[list[int]] | None
    order_kept: bool | None
    order_note: str
    reshape_targets: list[list[int]]
    n_targets: int
    broadcast_rules: list[dict[str, Any]] | None
    einsum_letters: list[dict[str, Any]] | None
    message: str
    heading: str
    call: str
    info: list[dict[str, Any]]
    targets: dict[str, Any] | None
    error_box: list[dict[str, Any]]
    describe: str


MAX_INPUT_NDIM = 4
"""Inputs are drawn as nested boxes of 1 to 4 axes (results may reach 5 after unsqueeze/stack)."""
MAX_INPUT_ELEMENTS = 120
"""Each input keeps a drawable element count; a result holds at most twice as many."""
MAX_DRAW = 240
"""Larger results (only broadcasting can make them) are shown as shapes, not cell by cell."""
MAX_TARGETS = 60
"""How many valid reshape targets travel in the state (the total is in ``n_targets``)."""

OPS = [
    ["reshape", "reshape"],
    ["transpose", "transpose / permute"],
    ["squeeze", "squeeze"],
    ["unsqueeze", "unsqueeze"],
    ["flatten", "flatten"],
    ["concatenate", "concatenate"],
    ["stack", "stack"],
    ["broadcast", "broadcast"],
    ["einsum", "einsum"],
]
EINSUMS = [
    ["bik,bkj->bij", "bik,bkj→bij"],  # short: the select is 150 px wide on a phone
    ["bqd,bkd->bqk", "bqd,bkd→bqk"],
]
SECOND_SUGGESTION = {
    "concatenate": "(2, 3, 4)",
    "stack": "(2, 3, 4)",
    "broadcast": "(3, 4)",
    "bik,bkj->bij": "(2, 4, 5)",
    "bqd,bkd->bqk": "(2, 5, 4)",
}
"""A second shape that works with the default first shape, per operation (einsum: per spec)."""

META = SimMeta(
    order=8,
    slug="tensor-operations",
    title="Tensor Operations Visualizer",
    description=(
        "Type a tensor shape, pick reshape, transpose, squeeze, unsqueeze, flatten, concatenate, "
        "stack, broadcast or einsum, and watch every element move to its new place in the "
        "result, drawn as nested boxes with each axis labelled."
    ),
    bloom="Apply",
    objectives=[
        "Predict the result shape of reshape, transpose, squeeze, unsqueeze, flatten, "
        "concatenate, stack and broadcasting",
        "Explain why reshape keeps the row-major order of the elements while transpose does not",
        "List the valid reshape targets of a shape and recognise an invalid one",
        "Apply the broadcasting rules axis by axis and infer einsum result shapes",
    ],
    draw_height=640,
    control_height=250,
    subjects=["Tensor", "Tensor Operations", "Reshape", "Broadcasting", "Einsum"],
    lesson_notes=[
        "Press *Apply Operation* with the default reshape (2, 3, 4) → (6, 4): the elements keep "
        "their row-major order (0, 1, 2, … fill the result row by row).",
        "Choose *transpose / permute* with axes (2, 0, 1) and apply: the shape becomes (4, 2, 3) "
        "and the numbers no longer run in order; transposing moves elements.",
        "Type (5, 5) as the reshape target: 24 elements cannot fill 25 places, and the sim says "
        "so. Pick one of the listed valid targets instead, or use −1 for one size.",
        "Concatenate (2, 3, 4) with (2, 3, 4) along axis 0, 1 and 2; then try (2, 3, 4) with "
        "(3, 4) in broadcast mode and read the rule for each axis.",
        "Switch to einsum: the batched matmul bik,bkj→bij and the attention scores "
        "bqd,bkd→bqk infer their result shape letter by letter.",
    ],
    describe=(
        "The input tensor drawn as nested boxes (rows of cells, grids, boxes of grids), each "
        "box labelled with its axis and size, an arrow naming the operation, and the result "
        "tensor; every element keeps its colour and number so you can see where it moves."
    ),
)

CONTROLS = [
    Control(
        "shape",
        "text",
        "Input shape a",
        default="(2, 3, 4)",
        maxlength=24,
        help="Whole numbers ≥ 1, at most 4 axes and 120 elements, e.g. (2, 3, 4)",
    ),
    Control("op", "select", "Operation", default="reshape", options=OPS),
    Control(
        "target",
        "text",
        "Reshape target",
        default="(6, 4)",
        maxlength=24,
        help="Same number of elements; one size may be -1",
    ),
    Control(
        "axes",
        "text",
        "Transpose axes",
        default="(2, 0, 1)",
        maxlength=24,
        help="A permutation of the axes, e.g. (2, 0, 1); empty reverses them",
    ),
    Control(
        "axis",
        "slider",
        "Axis",
        default=0,
        min=-5,
        max=5,
        step=1,
        help="squeeze / unsqueeze / concatenate / stack axis; flatten's start_dim",
    ),
    Control(
        "second",
        "text",
        "Second shape b",
        default="(2, 3, 4)",
        maxlength=24,
        help="concatenate / stack / broadcast / einsum second operand",
    ),
    Control(
        "einsum",
        "select",
        "Einsum (matmul, attention)",
        default="bik,bkj->bij",
        options=EINSUMS,
        help="bik,bkj→bij: a batched matrix product; bqd,bkd→bqk: attention scores",
    ),
    Control("speed", "slider", "Speed", default=3, min=1, max=10, step=1, help="Animation speed"),
    Control("apply", "button", "Apply Operation", url=False),
    Control("use_result", "button", "Use result as input", url=False),
]
SETTINGS = Settings(CONTROLS)
"""(The shape texts are checked by the operation itself: a bad shape is the lesson, shown in
the state's ``error``, not a refused setting.)"""

ERROR_FIELD = {
    "reshape": "target",
    "transpose": "axes",
    "squeeze": "axis",
    "unsqueeze": "axis",
    "flatten": "axis",
    "concatenate": "second",
    "stack": "second",
    "broadcast": "second",
    "einsum": "second",
}
"""The control an engine ShapeError of each operation is most likely about."""
ONE_INPUT = ("reshape", "transpose", "squeeze", "unsqueeze", "flatten")
TARGET_OPS = ("reshape", "flatten", "squeeze", "unsqueeze")
"""The operations whose lesson includes the list of valid reshape targets."""


class FieldError(ValueError):
    """A control's text that cannot be used; ``field`` names the control."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


# --------------------------------------------------------------------------- parsing


def fmt(shape: Any) -> str:
    """A shape as Python writes it: ``(2, 3, 4)``, ``(6,)``, ``()``."""
    return str(tuple(int(s) for s in shape))


def parse_field(params: dict[str, Any], name: str, **limits: Any) -> tuple[int, ...]:
    """The shape typed into control ``name``, read by ``engine.tensor.parse_shape``."""
    try:
        return T.parse_shape(str(params[name]), **limits)
    except T.ShapeError as err:
        label = {"shape": "input shape a", "target": "reshape target", "second": "second shape b"}[
            name
        ]
        raise FieldError(name, f"{label}: {err}") from None


def parse_axes(text: str) -> tuple[int, ...] | None:
    """The transpose axes typed by the student: ``"(2, 0, 1)"``, ``"2 0 1"``; empty -> None.

    Only the syntax is checked here; whether they are a permutation is the engine's rule.
    """
    body = str(text).strip()
    if body[:1] in ("(", "["):
        if body[-1:] != {"(": ")", "[": "]"}[body[0]]:
            raise FieldError("axes", f"transpose axes: unbalanced brackets in {text!r}")
        body = body[1:-1].strip()
    body = body.removesuffix(",").rstrip()
    if not body:
        return None
    axes = []
    for token in re.split(r"\s*,\s*|\s+", body):
        if not re.fullmatch(r"[+-]?\d{1,2}", token):
            raise FieldError(
                "axes",
                f"transpose axes: {token!r} is not an axis number "
                f"(in {text!r}); type e.g. (2, 0, 1)",
            )
        axes.append(int(token))
    return tuple(axes)


# --------------------------------------------------------------------------- element moves


def _flat(index_rows: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """Row-major position of each output index tuple (row) in ``shape``."""
    if not shape:
        return np.zeros(len(index_rows), dtype=int)
    return np.ravel_multi_index(tuple(np.asarray(index_rows).T), shape)


def _output(name: str, shape: tuple[int, ...], src_tensor=None, src_index=None) -> dict:
    n = math.prod(shape)
    drawable = n <= MAX_DRAW
    return {
        "name": name,
        "shape": list(shape),
        "n": n,
        "drawable": drawable,
        "src_tensor": None if src_tensor is None or not drawable else list(map(int, src_tensor)),
        "src_index": None if src_index is None or not drawable else list(map(int, src_index)),
    }


def _one_input(a: tuple[int, ...], op: str, **args: Any) -> tuple[dict, np.ndarray]:
    """Output cells of an op on ``a`` alone, from ``engine.tensor.element_mapping``."""
    dest = T.element_mapping(a, op, **args)
    out_shape = {
        "reshape": lambda: T.reshape_shape(a, args["target"]),
        "transpose": lambda: T.transpose_shape(a, args["axes"]),
        "squeeze": lambda: T.squeeze_shape(a, args["axis"]),
        "unsqueeze": lambda: T.unsqueeze_shape(a, args["axis"]),
        "flatten": lambda: T.flatten_shape(a, args["start_dim"]),
    }[op]()
    pos = _flat(dest, out_shape)
    src = np.empty(math.prod(out_shape), dtype=int)
    src[pos] = np.arange(len(pos))
    return _output("result", out_shape, np.zeros_like(src), src), dest


def _two_inputs(a: tuple, b: tuple, op: str, axis: int) -> dict:
    """Output cells of concatenate / stack of ``a`` (first) and ``b`` (second)."""
    joined = T.concatenate_shapes if op == "concatenate" else T.stack_shapes
    out_shape = joined([a, b], axis)
    n = math.prod(out_shape)
    src_tensor, src_index = np.zeros(n, dtype=int), np.zeros(n, dtype=int)
    for t, (shape, other) in enumerate(((a, b), (b, a))):
        dest = T.element_mapping(shape, op, others=[other], axis=axis, position=t)
        pos = _flat(dest, out_shape)
        src_tensor[pos] = t
        src_index[pos] = np.arange(len(pos))
    return _output("result", out_shape, src_tensor, src_index)


def _einsum_letters(spec: str, shapes: list[tuple[int, ...]]) -> list[dict]:
    """Each letter of ``spec``: its size, the operands that use it, and kept or summed."""
    lhs, _, rhs = spec.partition("->")
    letters: list[dict] = []
    for i, (term, shape) in enumerate(zip(lhs.split(","), shapes, strict=True)):
        for letter, size in zip(term, shape, strict=True):
            row = next((r for r in letters if r["letter"] == letter), None)
            if row is None:
                letters.append(
                    {"letter": letter, "size": int(size), "in": [i], "kept": letter in rhs}
                )
            elif i not in row["in"]:
                row["in"].append(i)
    return letters


def _order(dest: np.ndarray, out_shape: tuple[int, ...]) -> tuple[bool, str]:
    """Whether element k lands in output cell k, and a sentence with an example."""
    pos = _flat(dest, out_shape)
    moved = np.flatnonzero(pos != np.arange(len(pos)))
    if not len(moved):
        return True, (
            "Row-major order kept: element k lands in cell k of the result, read row "
            "by row (last axis fastest)."
        )
    k = int(moved[0])
    return False, (
        f"Order changed: element {k} lands in cell {int(pos[k])} of the result "
        f"(index {tuple(int(v) for v in dest[k])}), not in cell {k}."
    )


# --------------------------------------------------------------------------- the state


def _compute(params: dict[str, Any]) -> dict[str, Any]:
    """Everything the sketch draws for ``params``; engine errors become ``error``."""
    base: dict[str, Any] = {
        "params": params,
        "error": None,
        "error_field": None,
        "inputs": [],
        "outputs": [],
        "result_shape": None,
        "expr": "",
        "dest": None,
        "order_kept": None,
        "order_note": "",
        "reshape_targets": [],
        "n_targets": 0,
        "broadcast_rules": None,
        "einsum_letters": None,
        "message": "",
    }
    op = str(params["op"])
    if op not in dict(OPS):
        raise ValueError(f"unknown operation {op!r}: choose one of {', '.join(dict(OPS))}")
    try:
        a = parse_field(params, "shape", max_ndim=MAX_INPUT_NDIM, max_elements=MAX_INPUT_ELEMENTS)
    except FieldError as err:
        return {
            **base,
            "error": str(err),
            "error_field": err.field,
            "message": "Fix the input shape: whole numbers ≥ 1, e.g. (2, 3, 4).",
        }
    base["inputs"] = [{"name": "a", "shape": list(a), "n": math.prod(a)}]
    targets = T.valid_reshape_targets(a)
    base["reshape_targets"] = [list(t) for t in targets[:MAX_TARGETS]]
    base["n_targets"] = len(targets)
    try:
        base.update(_operation(a, op, params, base))
    except FieldError as err:
        base.update(
            error=str(err),
            error_field=err.field,
            outputs=[],
            message="The operation cannot run: read the message and change the input.",
        )
    except T.ShapeError as err:
        base.update(
            error=str(err),
            error_field=ERROR_FIELD[op],
            outputs=[],
            message="The operation cannot run: read the message and change the input.",
        )
    return base


def _operation(a: tuple, op: str, params: dict[str, Any], base: dict) -> dict[str, Any]:
    """Result of ``op`` on ``a`` (and the second shape): outputs, result shape, notes."""
    axis = int(params["axis"])
    sa = fmt(a)
    if op in ONE_INPUT:
        args: dict[str, Any]  # keyword arguments of engine.tensor.element_mapping for op
        if op == "reshape":
            target = parse_field(params, "target", max_ndim=5, max_elements=10**9, allow_infer=True)
            args, expr = {"target": target}, f"np.reshape(a, {fmt(target)})"
        elif op == "transpose":
            axes = parse_axes(params["axes"])
            args = {"axes": axes}
            expr = "np.transpose(a)" if axes is None else f"np.transpose(a, {fmt(axes)})"
        elif op == "squeeze":
            args, expr = {"axis": axis}, f"np.squeeze(a, axis={axis})"
        elif op == "unsqueeze":
            args, expr = {"axis": axis}, f"np.expand_dims(a, {axis})  # torch: a.unsqueeze({axis})"
        else:
            args, expr = {"start_dim": axis}, f"torch.flatten(a, start_dim={axis})"
        out, dest = _one_input(a, op, **args)
        kept, note = _order(dest, tuple(out["shape"]))
        return {
            "outputs": [out],
            "result_shape": out["shape"],
            "expr": expr,
            "dest": dest.tolist(),
            "order_kept": kept,
            "order_note": note,
            "message": f"{op} {sa} → {fmt(out['shape'])}. Press Apply Operation to watch "
            "the elements move.",
        }
    b = parse_field(params, "second", max_ndim=MAX_INPUT_NDIM, max_elements=MAX_INPUT_ELEMENTS)
    inputs = [*base["inputs"], {"name": "b", "shape": list(b), "n": math.prod(b)}]
    sb = fmt(b)
    if op in ("concatenate", "stack"):
        out = _two_inputs(a, b, op, axis)
        fn = "np.concatenate" if op == "concatenate" else "np.stack"
        what = (
            "joins a and b along an existing axis"
            if op == "concatenate"
            else "puts a and b side by side along a new axis"
        )
        return {
            "inputs": inputs,
            "outputs": [out],
            "result_shape": out["shape"],
            "expr": f"{fn}([a, b], axis={axis})",
            "message": f"{op} {what}: {sa} and {sb} → {fmt(out['shape'])}.",
        }
    if op == "broadcast":
        shape, rules = T.broadcast_shapes(a, b)
        outs = [
            _output(
                "a stretched",
                shape,
                np.zeros(math.prod(shape), dtype=int),
                T.broadcast_sources(a, shape).ravel(),
            ),
            _output(
                "b stretched",
                shape,
                np.ones(math.prod(shape), dtype=int),
                T.broadcast_sources(b, shape).ravel(),
            ),
        ]
        drawn = (
            ""
            if outs[0]["drawable"]
            else (f" ({math.prod(shape)} elements: too many to draw cell by cell)")
        )
        return {
            "inputs": inputs,
            "outputs": outs,
            "result_shape": list(shape),
            "broadcast_rules": rules,
            "expr": "a + b  # broadcast",
            "message": f"Broadcasting {sa} with {sb} gives {fmt(shape)}{drawn}: shapes are "
            "aligned on the right and each size 1 is stretched.",
        }
    spec = str(params["einsum"])
    if spec not in dict(EINSUMS):
        raise ValueError(f"unknown einsum {spec!r}: choose one of {', '.join(dict(EINSUMS))}")
    shape = T.einsum_shape(spec, a, b)
    letters = _einsum_letters(spec, [a, b])
    summed = [r["letter"] for r in letters if not r["kept"]]
    return {
        "inputs": inputs,
        "outputs": [_output("result", shape)],
        "result_shape": list(shape),
        "einsum_letters": letters,
        "expr": f"np.einsum('{spec}', a, b)",
        "message": f"einsum {spec}: {sa}, {sb} → {fmt(shape)}; "
        f"{', '.join(summed) or 'no letter'} summed away.",
    }


# --------------------------------------------------------------------------- the text shown


def _titled(tensor: dict[str, Any], drawn: bool) -> dict[str, Any]:
    """A tensor with its titles (longest first) and, when too big to draw, a note saying so."""
    shape = fmt(tensor["shape"])
    title = f"{tensor['name']}: {shape}"
    if drawn:
        return {
            **tensor,
            "titles": [f"{title} · {tensor['n']} elements", title, shape],
            "note": None,
        }
    note = f"{tensor['n']} elements: too many to draw cell by cell; the shape is {shape}."
    return {**tensor, "titles": [title, shape], "note": note}


def _info(state: dict[str, Any]) -> list[dict[str, Any]]:
    """The lines under the drawing: the note (or error), then the rule table of the operation."""
    if state["error"]:
        lines = [{"text": f"Error: {state['error']}", "bold": True, "color": "error"}]
    else:
        note = state["order_note"] if state["applied"] and state["order_note"] else state["message"]
        lines = [{"text": note}]
    for r in state["broadcast_rules"] or []:
        a, b = ("—" if v is None else v for v in (r["a"], r["b"]))
        lines.append({"text": f"axis {r['axis']}: a {a}, b {b} → {r['result']} ({r['rule']})"})
    if state["einsum_letters"]:
        parts = [
            f"{r['letter']} = {r['size']} (in {', '.join('ab'[i] for i in r['in'])}; "
            f"{'kept' if r['kept'] else 'summed'})"
            for r in state["einsum_letters"]
        ]
        lines.append({"text": " · ".join(parts)})
    return lines


def _describe(state: dict[str, Any]) -> str:
    """The drawing in one sentence, for screen readers."""
    ins = " and ".join(f"{t['name']} {fmt(t['shape'])}" for t in state["inputs"])
    if state["error"]:
        return f"Input {ins or 'invalid'}: {state['params']['op']} cannot run: {state['error']}"
    order = f" {state['order_note']}" if state["order_note"] else ""
    return (
        f"Input {ins}; {state['expr']} gives the result shape {fmt(state['result_shape'])}.{order}"
    )


def _with_text(state: dict[str, Any]) -> dict[str, Any]:
    """``state`` plus the text the sketch shows (see the module docstring), from its numbers."""
    op, error, shape = state["params"]["op"], state["error"], state["result_shape"]
    targets = None
    if state["inputs"] and op in TARGET_OPS and state["reshape_targets"]:
        targets = {
            "head": f"Valid reshape targets ({state['inputs'][0]['n']} elements):",
            "tokens": [fmt(t) for t in state["reshape_targets"]],
            "total": state["n_targets"],
        }
    error_box = []
    if error:
        error_box = [
            {"text": f"⚠ Cannot apply {op}:", "bold": True, "color": "error"},
            {"text": error, "color": "error", "gap": 2},
        ]
        if state["error_field"] == "shape" and state["message"]:
            error_box.append({"text": state["message"], "color": "error"})
    return {
        **state,
        "inputs": [_titled(t, True) for t in state["inputs"]],
        "outputs": [_titled(t, t["drawable"]) for t in state["outputs"]],
        "heading": "Result shape: —" if shape is None else f"Result shape: {fmt(shape)}",
        "call": state["expr"] or (f"{op}: cannot run" if error else ""),
        "info": _info(state),
        "targets": targets,
        "error_box": error_box,
        "describe": _describe(state),
    }


def initial_state(params: dict[str, Any]) -> State:
    """The plan for the control values (nothing applied yet)."""
    p = SETTINGS.clean(params)
    if p["second"] == SETTINGS.controls["second"].default:
        p["second"] = _suggestion(p, p["second"])
    return cast("State", _with_text({**_compute(p), "applied": False, "applies": 0}))  # not applied


def _suggestion(params: dict[str, Any], current: str) -> str:
    """The second shape that suits the operation, unless the student typed their own."""
    if current not in SECOND_SUGGESTION.values():
        return current
    key = params["einsum"] if params["op"] == "einsum" else params["op"]
    return SECOND_SUGGESTION.get(key, current)


def _update(state: dict[str, Any], params: dict[str, Any], name: str) -> dict[str, Any]:
    """A control changed: recompute the plan (speed only changes the animation)."""
    if name == "speed":
        return {**state, "params": params}
    if name in ("op", "einsum"):
        params["second"] = _suggestion(params, params["second"])
    return _with_text({**_compute(params), "applied": False, "applies": state.get("applies", 0)})


set_param = setting_action(SETTINGS, update=_update, reinit=initial_state)


def apply(state: dict[str, Any]) -> dict[str, Any]:
    """ "Apply Operation": mark the plan applied (the sketch animates the elements)."""
    new = _compute(state["params"])
    if new["error"]:
        return _with_text({**new, "applied": False, "applies": state.get("applies", 0)})
    done = (
        "Applied: the result shape is "
        + fmt(new["result_shape"])
        + ". "
        + (new["order_note"] or new["message"])
    )
    return _with_text(
        {**new, "applied": True, "applies": state.get("applies", 0) + 1, "message": done}
    )


def use_result(state: dict[str, Any]) -> dict[str, Any]:
    """Make the result the new input shape (to chain operations)."""
    shape = state.get("result_shape")
    if not shape:
        raise ValueError("there is no result to use: fix the operation first")
    if len(shape) > MAX_INPUT_NDIM or math.prod(shape) > MAX_INPUT_ELEMENTS:
        raise ValueError(
            f"the result {fmt(shape)} is too big to be an input (at most "
            f"{MAX_INPUT_NDIM} axes and {MAX_INPUT_ELEMENTS} elements)"
        )
    params = {**state["params"], "shape": fmt(shape)}
    return _with_text({**_compute(params), "applied": False, "applies": state.get("applies", 0)})


# --------------------------------------------------------------------------- "Show the NumPy"


def _numbered(name: str, shape: tuple[int, ...]) -> str:
    """``a = np.arange(24).reshape(2, 3, 4)``: the elements numbered as the sim draws them."""
    return f"{name} = np.arange({math.prod(shape)}).reshape{fmt(shape)}"


def _call_code(op: str, params: dict[str, Any]) -> tuple[str, list[str]]:
    """What the operation does, in a comment, and the NumPy lines that compute ``result``."""
    axis = int(params["axis"])
    if op == "reshape":
        target = parse_field(params, "target", max_ndim=5, max_elements=10**9, allow_infer=True)
        return "reshape: the same elements in row-major order, in a new shape", [
            f"result = np.reshape(a, {fmt(target)})"
        ]
    if op == "transpose":
        axes = parse_axes(params["axes"])
        call = "np.transpose(a)" if axes is None else f"np.transpose(a, {fmt(axes)})"
        return "transpose: result axis i is axis axes[i] of a (no axes: reversed)", [
            f"result = {call}"
        ]
    if op == "squeeze":
        return f"squeeze: remove axis {axis}, which must have size 1", [
            f"result = np.squeeze(a, axis={axis})"
        ]
    if op == "unsqueeze":
        return f"unsqueeze (torch a.unsqueeze({axis})): a new axis of size 1 at {axis}", [
            f"result = np.expand_dims(a, {axis})"
        ]
    if op == "flatten":
        return (
            f"flatten, torch.flatten(a, start_dim={axis}): keep the axes before start_dim, "
            "merge the rest",
            [
                f"start = np.lib.array_utils.normalize_axis_index({axis}, a.ndim)  # an axis of a?",
                "result = np.reshape(a, a.shape[:start] + (-1,))",
            ],
        )
    if op in ("concatenate", "stack"):
        what = "along an existing axis" if op == "concatenate" else "along a new axis"
        return f"{op}: a and b joined {what}, axis {axis}", [
            f"result = np.{op}([a, b], axis={axis})"
        ]
    if op == "broadcast":
        return "broadcast: shapes aligned on the right, each size 1 stretched", [
            "a_stretched, b_stretched = np.broadcast_arrays(a, b)",
            "result = a + b",
        ]
    spec = str(params["einsum"])
    return f"einsum {spec}: letters in both inputs but not after -> are summed", [
        f"result = np.einsum('{spec}', a, b)"
    ]


def numpy_code(state: dict[str, Any]) -> str:
    """The plain-NumPy script of what the sim shows now ("Show the NumPy").

    The inputs numbered by ``np.arange`` (as the sim draws them), the current operation as a
    NumPy call, the result's shape and, once applied, its values (where each element went).
    When the operation is an error the call runs in ``try``/``except`` and prints NumPy's own
    error; a text the sim cannot read as a shape or axes gives no call, only the sim's message.
    """
    p = state["params"]
    op = str(p["op"])
    lines = ["import numpy as np", ""]
    try:
        a = parse_field(p, "shape", max_ndim=MAX_INPUT_NDIM, max_elements=MAX_INPUT_ELEMENTS)
        b = None
        if op not in ONE_INPUT:
            b = parse_field(p, "second", max_ndim=MAX_INPUT_NDIM, max_elements=MAX_INPUT_ELEMENTS)
        what, call = _call_code(op, p)
    except FieldError as err:
        return nps.join_lines(
            [
                *lines,
                f"# the sim cannot read the {err.field} text, so there is no NumPy call to run:",
                f"print({str(err)!r})",
            ]
        )
    lines += [
        "# the input a, its elements numbered 0, 1, 2, … in row-major order",
        _numbered("a", a),
    ]
    if b is not None:
        lines += ["# the second input b, numbered the same way", _numbered("b", b)]
    lines += ["", f"# {what}"]
    if state["error"]:
        lines += [
            f"# the sim says: {state['error']}",
            "try:",
            *(f"    {line}" for line in call),
            '    print("result shape:", result.shape)',
            "except ValueError as err:  # (NumPy's AxisError is a ValueError too)",
            "    error = err",
            '    print("NumPy raises", type(error).__name__ + ":", error)',
        ]
        return nps.join_lines(lines)
    lines += [*call, 'print("result shape:", result.shape)']
    drawable = all(out["drawable"] for out in state["outputs"])
    if op == "einsum":
        lines.append("# (the sim infers the shape; each value is a sum of products over k or d)")
    elif not state["applied"]:
        lines.append("# (press Apply Operation in the sim to watch each element move)")
    elif not drawable:
        lines.append("# (too many elements to draw: the sim shows the shape only)")
    elif op == "broadcast":
        lines += [
            'print("a stretched:\\n", a_stretched)',
            'print("b stretched:\\n", b_stretched)',
        ]
    else:
        lines.append('print("result:\\n", result)')
    return nps.join_lines(lines)


VIEWS = {"numpy_code": numpy_code}


ACTIONS = {"set_param": set_param, "apply": apply, "use_result": use_result}

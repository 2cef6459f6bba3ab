"""Convolution Operation Visualizer: a kernel slides over a 7×7 image, cell by cell.

Every number comes from ``engine.conv``; the sketch ``static/sketches/convolution-operation.js``
only draws this state. The state is :class:`State` (plain JSON)::

    params        control values: kernel, ksize, stride, padding, pos, speed, pool, image
    input         7×7 grayscale input in [0, 1] (engine.conv_presets.sample_input_7x7("square"))
    padded        the zero-padded input, (7 + 2p)², and pad = p
    kernel        {"name", "size", "weights" (k×k), "denominator" d, "ints" (k×k: weights·d),
                   "labels" (k×k strings), "factor" ("1/16" or ""), "note"}
    size          output size along one side: engine.conv.conv_output_size_explain(7, k, ...)
                  plus "lines" (the formula with the numbers filled in, for the drawing)
    output        the full output map, engine.conv.conv2d(input, kernel, stride, padding)
    labels        output values as short strings, same shape
    n_positions   number of kernel positions (= output cells); pos: the current one, 1-based
    current       the kernel at position pos: out [i, j], top_left [r, c] (padded coordinates),
                  window (k×k), products (k×k, window·weights), scaled (window·ints),
                  scaled_labels, row_sums (+ labels), total (Σ scaled), value (= output[i][j]),
                  equation lines
    scale         colour scale of the output: {"kind": "diverging"|"gray", "limit": L}
    pool          None, or the 2×2 / stride 2 pooling of the output: mode, output, labels,
                  ready (which pooled cells have their window computed), size explanation,
                  used (rows/cols of the output that a window covers), scale
    sample        the 28×28 sample image before/after the current kernel, stride and padding,
                  its size explanation, and "presets": every preset (stride 1, "same") on it,
                  each {"kernel", "scale", "pixels"} (the picture as bytes: see _pixels)
    message       one sentence for the reader; warning: a clamped value, or None
    titles        the drawing's panel titles, with their numbers: input, output, pool (the
                  window and the pooled map's shape, "Max pool 2×2 → 3×3"; longest first, the
                  sketch takes the first that fits), window, kernel, products, both
                  (the narrow screen's weights-and-products grid), sample, presets
    text          the text panel's lines, {"wide": [...], "narrow": [...]}, each {"text", "tone"}
                  with tone "ink", "note" (grey) or "warn" (a size that is not a whole number)
"""

from __future__ import annotations

import base64
from collections.abc import Mapping
from functools import lru_cache
from typing import Any, TypedDict, cast

import numpy as np

from engine import conv, conv_presets
from sims import _numpy_script as nps
from sims._contract import Control, Settings, SimMeta, fmt, setting_action


class State(TypedDict):
    """The state: see the module docstring for what each key holds."""

    params: dict[str, Any]
    input: list[list[float]]
    pad: int
    padded: list[list[float]]
    padded_labels: list[list[str]]
    kernel: dict[str, Any]
    stride: int
    size: dict[str, Any]
    output: list[list[float]]
    labels: list[list[str]]
    n_positions: int
    pos: int
    current: dict[str, Any]
    scale: dict[str, Any]
    pool: dict[str, Any] | None
    sample: dict[str, Any]
    message: str
    warning: str | None
    titles: dict[str, Any]
    text: dict[str, list[dict[str, str]]]
    summary: str  # one paragraph for screen readers


META = SimMeta(
    order=6,
    slug="convolution-operation",
    title="Convolution Operation Visualizer",
    description=(
        "Slide a 3×3 or 5×5 kernel across a 7×7 grayscale image one position at a time: see the "
        "element-wise products, their sum placed into the output map, how stride and padding "
        "set the output size, a 2×2 pooling step, and what each preset kernel does to a picture."
    ),
    bloom="Apply",
    objectives=[
        "Compute one output value of a convolution as the sum of the element-wise products of "
        "the kernel and the input window under it",
        "Apply the output-size formula (n − k + 2p)/s + 1 for given kernel size, stride and "
        "padding, and recognise when it is not a whole number",
        "Predict the effect of edge-detection, blur, sharpen, Sobel and identity kernels",
        "Apply 2×2 max or average pooling to a feature map",
    ],
    draw_height=740,
    control_height=280,
    subjects=["Convolutional Layer", "Convolution Kernel", "Stride", "Padding", "Pooling Layer"],
    lesson_notes=[
        "Press *Next* (or focus the drawing and use the arrow keys) and check one output cell by "
        "hand: multiply each input value by the kernel weight above it and add the products.",
        "Switch padding to *same* with a 5×5 kernel: two rings of zeros appear and the output "
        "stays 7×7. Switch stride to 2: the kernel jumps two cells and the output shrinks.",
        "Read the output-size formula under the maps with your numbers filled in.",
        "Compare the presets on the sample picture: edge detection and Sobel give signed "
        "responses (blue negative, orange positive), blur smooths, sharpen exaggerates.",
        "Turn on max or average pooling and watch a 2×2 window summarise the output map; with "
        "an odd size the last row and column are left out, and the sim says so.",
    ],
    describe=(
        "A 7×7 grayscale input with a kernel outlined on it, the kernel's weights, the "
        "element-wise products and their sum, and the output feature map filled in cell by cell "
        "in a blue (negative), white (zero), orange (positive) colour scale; beside them the "
        "output-size formula, an optional 2×2 pooled map, and a 28×28 sample picture before and "
        "after the kernel."
    ),
)

KERNEL_LABELS = {
    "edge": "Edge detection",
    "blur": "Blur",
    "sharpen": "Sharpen",
    "sobel_x": "Sobel x (vertical edges)",
    "sobel_y": "Sobel y (horizontal edges)",
    "identity": "Identity",
}
MAX_POSITIONS = 49  # a 7×7 output: the largest the settings allow
N = 7  # input size
INPUT_NAME = "square"
POOL_SIZE = 2
DENOMINATORS = (1, 16, 256)
"""Common factors tried for showing kernel weights as whole numbers (blur: 1/16, 1/256)."""

CONTROLS = [
    Control(
        "kernel",
        "select",
        "Preset kernel",
        default="edge",
        options=[[k, v] for k, v in KERNEL_LABELS.items()],
    ),
    Control("ksize", "select", "Kernel size", default="3", options=[["3", "3×3"], ["5", "5×5"]]),
    Control("stride", "select", "Stride", default="1", options=[["1", "1"], ["2", "2"]]),
    Control(
        "padding",
        "select",
        "Padding",
        default="valid",
        options=[["valid", "valid (none)"], ["same", "same (zeros)"]],
    ),
    Control("prev", "button", "◀ Previous position", url=False),
    Control("next", "button", "Next position ▶", url=False),
    Control("animate", "button", "Animate Convolution", url=False),
    Control("speed", "slider", "Steps / s", default=2, min=0.5, max=8, step=0.5),
    Control(
        "pool",
        "select",
        "2×2 pooling",
        default="none",
        options=[["none", "none"], ["max", "max"], ["avg", "average"]],
    ),
    Control(
        "image",
        "select",
        "Sample image",
        default="digit",
        options=[["digit", "digit 7"], ["digit3", "digit 3"], ["shapes", "shapes"]],
    ),
]

SETTINGS = Settings(CONTROLS, extra={"pos": 1})
"""Every setting kept in ``params``: the controls' values plus the kernel position ``pos``
(1-based, reading order), which the Previous/Next buttons and the arrow keys change."""


# --------------------------------------------------------------------------- formatting


def _labels(a: np.ndarray, digits: int = 2) -> list:
    return [[fmt(v, digits) for v in row] for row in np.asarray(a, dtype=float)]


def _scale(values: np.ndarray) -> dict[str, Any]:
    """Colour scale: diverging (blue < 0 < orange) when any value is negative, else gray."""
    values = np.asarray(values, dtype=float)
    lo, hi = float(values.min()), float(values.max())
    if lo < -1e-12:
        limit = max(abs(lo), abs(hi), 1e-9)
        return {
            "kind": "diverging",
            "limit": limit,
            "min": lo,
            "max": hi,
            "lo_label": f"−{fmt(limit, 2)}",
            "hi_label": f"+{fmt(limit, 2)}",
            "label": f"−{fmt(limit, 2)} blue · 0 white · +{fmt(limit, 2)} orange",
        }
    limit = max(hi, 1.0)
    return {
        "kind": "gray",
        "limit": limit,
        "min": lo,
        "max": hi,
        "lo_label": "0",
        "hi_label": fmt(limit, 2),
        "label": f"0 black · {fmt(limit, 2)} white (none < 0)",
    }


def _kernel_display(weights: np.ndarray) -> dict[str, Any]:
    """Whole-number weights times a common factor 1/d when one of DENOMINATORS works."""
    for d in DENOMINATORS:
        ints = weights * d
        if np.allclose(ints, np.round(ints), atol=1e-9):
            ints = np.round(ints)
            return {
                "denominator": d,
                "ints": ints.tolist(),
                "labels": _labels(ints, 0),
                "factor": "" if d == 1 else f"1/{d}",
            }
    return {"denominator": 1, "ints": weights.tolist(), "labels": _labels(weights, 2), "factor": ""}


# --------------------------------------------------------------------------- validation


def _clean(params: dict[str, Any]) -> tuple[dict[str, Any], str | None]:
    """Defaults merged in, types fixed, values checked; a position out of range is clamped."""
    p = SETTINGS.clean(params)
    pos = p["pos"]
    if isinstance(pos, bool) or not isinstance(pos, (int, float)) or pos != int(pos):
        raise ValueError(f"the kernel position must be a whole number, got {pos!r}")
    k, stride = int(p["ksize"]), int(p["stride"])
    n_positions = conv.conv_output_size_explain(N, k, p["padding"], stride)["size"] ** 2
    warning = None
    if not 1 <= pos <= n_positions:
        clamped = min(max(int(pos), 1), n_positions)
        warning = (
            f"Kernel position {int(pos)} does not exist with these settings (positions "
            f"1 to {n_positions}); showing position {clamped}."
        )
        pos = clamped
    p["pos"] = int(pos)
    return p, warning


# --------------------------------------------------------------------------- the state


def _size_lines(info: dict[str, Any], n: int, k: int, stride: int, what: str) -> list[str]:
    p = info["padding"]
    lines = [
        f"{what} = (n − k + 2p) / s + 1 with n = {n}, k = {k}, p = {p}, s = {stride}:",
        f"{info['formula']}  →  {info['size']}×{info['size']}",
    ]
    if not info["exact"]:
        lines.append(f"{info['message'][0].upper()}{info['message'][1:]}.")
    return lines


def _current(trace: dict[str, Any], pos: int, kd: dict[str, Any], k: int) -> dict[str, Any]:
    step = trace["steps"][pos - 1]
    window = np.asarray(step["window"])
    scaled = window * np.asarray(kd["ints"])
    row_sums = scaled.sum(axis=1)
    total = float(scaled.sum())
    i, j = step["out"]
    d = kd["denominator"]
    value = step["sum"]
    weight_labels = [w if not w.startswith("−") else f"({w})" for w in np.ravel(kd["labels"])]
    terms = [f"{fmt(x, 2)}·{w}" for x, w in zip(window.ravel(), weight_labels, strict=True)]
    if d == 1:
        result = f"= {fmt(total, 3)} → output[{i}][{j}]"
    else:
        result = f"= {fmt(total, 3)};  × 1/{d} = {fmt(value, 3)} → output[{i}][{j}]"
    out = {
        **step,
        "window_labels": _labels(window, 2),
        "scaled": scaled.tolist(),
        "scaled_labels": _labels(scaled, 2),
        "row_sums": row_sums.tolist(),
        "row_sum_labels": [fmt(v, 2) for v in row_sums],
        "total": total,
        "total_label": fmt(total, 3),
        "value": value,
        "value_label": fmt(value, 3),
        "terms": terms,
        "result": result,
        "sum_line": f"Σ = {' + '.join(terms)} {result}",
        "rows_line": "Row sums "
        + " + ".join(f"({t})" if t.startswith("−") else t for t in (fmt(v, 2) for v in row_sums))
        + f" {result}",
        "n_terms": k * k,
    }
    # the line the drawing writes under the grids: every term of a 3×3 kernel, or the row sums
    # (each a sum of one grid row) of a 5×5 kernel; the grid shows every product either way
    out["written"] = out["sum_line"] if k * k <= 9 else out["rows_line"]
    return out


def _pool(output: np.ndarray, mode: str, pos: int) -> dict[str, Any] | None:
    if mode == "none":
        return None
    h = output.shape[0]
    if h < POOL_SIZE:
        return {
            "mode": mode,
            "output": [],
            "labels": [],
            "ready": [],
            "too_small": True,
            "short": [],
            "lines": [
                f"A {POOL_SIZE}×{POOL_SIZE} pool needs at least a "
                f"{POOL_SIZE}×{POOL_SIZE} map; this output is {h}×{h}."
            ],
        }
    trace = conv.pool2d_trace(output, POOL_SIZE, POOL_SIZE, mode)
    info = conv.conv_output_size_explain(h, POOL_SIZE, 0, POOL_SIZE)
    done = pos  # output cells computed so far, in reading order
    ready = []
    for st in trace["steps"]:
        r, c = st["top_left"]
        last = (r + POOL_SIZE - 1) * h + (c + POOL_SIZE - 1)  # bottom-right cell, 0-based
        ready.append(last < done)
    size = info["size"]
    used = size * POOL_SIZE
    name = "max" if mode == "max" else "average"
    lines = [
        f"2×2 {name} pool, stride 2: ({h} − 2) / 2 + 1 = "
        f"{fmt((h - POOL_SIZE) / POOL_SIZE + 1, 2)}"
        + ("" if info["exact"] else f" → {size}")
        + f"  →  {size}×{size}"
    ]
    left = h - used
    rows = "row and column" if left == 1 else f"{left} rows and columns"
    if not info["exact"]:
        lines.append(
            f"({h} − 2) / 2 = {fmt((h - POOL_SIZE) / POOL_SIZE, 2)} is not a whole number: a "
            f"2×2 window starting at the last {rows} would hang over the edge, so the pool "
            f"keeps {size} window{'s' if size > 1 else ''} per side and leaves the last {rows} "
            f"of the {h}×{h} map unpooled (hatched)."
        )
    out = np.asarray(trace["output"])
    return {
        "mode": mode,
        "output": trace["output"],
        "labels": _labels(out, 2),
        "ready": ready,
        "steps": [
            {"top_left": s["top_left"], **({"argmax": s["argmax"]} if "argmax" in s else {})}
            for s in trace["steps"]
        ],
        "used": used,
        "exact": info["exact"],
        "lines": lines,
        "scale": _scale(out),
        "short": lines[:1]
        + (
            []
            if info["exact"]
            else [f"Not a whole number, so the last {rows} are left out (hatched)."]
        ),
        "too_small": False,
    }


@lru_cache(maxsize=8)
def _sample_image(name: str) -> np.ndarray:
    image = conv_presets.sample_image(name)
    image.setflags(write=False)
    return image


@lru_cache(maxsize=8)
def _presets(name: str, k: int) -> tuple:
    """Every preset kernel (stride 1, "same") on the sample picture; cached, never mutated."""
    image = _sample_image(name)
    out = []
    for other in KERNEL_LABELS:
        res = conv.conv2d(image, conv_presets.KERNELS[other][k], stride=1, padding="same")
        scale = _scale(res)
        out.append({"kernel": other, "pixels": _pixels(res, scale), "scale": scale})
    return tuple(out)


def _pixels(values: np.ndarray, scale: dict[str, Any]) -> str:
    """A picture for the preset gallery: each value's place on its colour scale as one byte
    (0 = the scale's low end, 255 = its high end; rows in reading order), base64. Six 28×28
    previews travel with every state: as bytes they are 6 KB instead of 23 KB of JSON numbers,
    which the bridge parses and checks on every call. The sketch turns a byte b back into the
    value lo + b/255·(hi − lo) for the colour (within 1/510 of the scale: invisible)."""
    limit = float(scale["limit"])
    lo = -limit if scale["kind"] == "diverging" else 0.0
    # rounded first, so a last-bit difference between CPython's and Pyodide's float results
    # (0.0 vs 1e-17 on a zero-sum kernel) cannot move a value across a byte boundary
    t = np.clip((np.round(np.asarray(values, dtype=float), 9) - lo) / (limit - lo), 0.0, 1.0)
    t = np.round(t, 9)
    return base64.b64encode(np.round(255 * t).astype(np.uint8).tobytes()).decode("ascii")


def _sample(name: str, kname: str, k: int, stride: int, padding: str) -> dict[str, Any]:
    image = _sample_image(name)
    n = image.shape[0]
    info = conv.conv_output_size_explain(n, k, padding, stride)
    after = conv.conv2d(image, conv_presets.KERNELS[kname][k], stride=stride, padding=padding)
    presets = list(_presets(name, k))
    return {
        "name": name,
        "image": np.round(image, 3).tolist(),
        "after": np.round(after, 3).tolist(),
        "after_shape": list(after.shape),
        "scale": _scale(after),
        "size": info,
        "lines": _size_lines(info, n, k, stride, "Picture's output size"),
        "short": [info["formula"]]
        + (
            []
            if info["exact"]
            else [
                f"Not a whole number: floored, so the last {info['remainder']} padded row(s) and "
                f"column(s) are never visited."
            ]
        ),
        "presets": presets,
    }


def _titles(state: Mapping[str, Any]) -> dict[str, Any]:
    """The panel titles of the drawing, with the sizes and the kernel's common factor."""
    pad, ker, pool, sample = state["pad"], state["kernel"], state["pool"], state["sample"]
    n, k, factor = len(state["output"]), ker["size"], ker["factor"]
    pool_titles: list[str] = []
    if pool and not pool["too_small"]:
        # the window (POOL_SIZE) and, after the arrow, the pooled map's own shape
        rows, cols = np.asarray(pool["output"]).shape
        mode = "Max" if pool["mode"] == "max" else "Average"
        win, out = f"{POOL_SIZE}×{POOL_SIZE}", f"{rows}×{cols}"
        pool_titles = [
            f"{mode} pool {win} → {out}",
            f"{mode} {win} → {out}",
            f"{win} → {out}",
            f"{win} pool",
        ]
    rows, cols = sample["after_shape"]
    side = len(sample["image"])
    return {
        "input": f"Input {N}×{N}, pad p = {pad}" if pad else f"Input {N}×{N}, no padding",
        "output": f"Output {n}×{n}",
        "pool": pool_titles,
        "window": "Input window",
        "kernel": f"Kernel × {factor}" if factor else "Kernel",
        "products": "Products, row sums",
        "both": f"Weights × {factor} (top), products" if factor else "Weights (top), products",
        "sample": f"Sample {side}×{side} → {ker['name']} → {rows}×{cols}",
        "presets": f"Every preset, {k}×{k}, same",
    }


def _text_lines(state: Mapping[str, Any]) -> dict[str, list[dict[str, str]]]:
    """The text panel: the output-size formula, the pooling's, the message and what the colours
    and the kernel mean ("wide"); on a narrow screen only the formula's numbers and the pooling
    (or, without pooling, the message)."""
    size, pool = state["size"]["lines"], state["pool"]
    pool_tone = "warn" if pool and pool.get("exact") is False else "ink"
    message = [{"text": state["message"], "tone": "note"}]
    wide = [{"text": line, "tone": "ink"} for line in size]
    narrow = [{"text": f"Output size = {size[1]}", "tone": "ink"}]
    if pool:
        wide += [{"text": line, "tone": pool_tone} for line in pool["lines"]]
        narrow += [{"text": line, "tone": pool_tone} for line in pool["short"]]
    else:
        narrow += message
    wide += message + [
        {"text": f"Output colours: {state['scale']['label']}.", "tone": "note"},
        {"text": f"Kernel: {state['kernel']['note']}.", "tone": "note"},
    ]
    return {"wide": wide, "narrow": narrow}


def _build(p: dict[str, Any], warning: str | None, message: str) -> dict[str, Any]:
    k, stride, padding = int(p["ksize"]), int(p["stride"]), p["padding"]
    x = conv_presets.sample_input_7x7(INPUT_NAME)
    weights = conv_presets.preset_kernel(p["kernel"], k)
    info = conv.conv_output_size_explain(N, k, padding, stride)
    output = conv.conv2d(x, weights, stride=stride, padding=padding)
    trace = conv.conv2d_trace(x, weights, stride=stride, padding=padding)
    kd = _kernel_display(weights)
    pos = int(p["pos"])
    state = {
        "params": p,
        "input": x.tolist(),
        "pad": info["padding"],
        "padded": trace["padded"],
        "padded_labels": _labels(np.asarray(trace["padded"]), 2),
        "kernel": {
            "name": p["kernel"],
            "label": KERNEL_LABELS[p["kernel"]],
            "size": k,
            "weights": weights.tolist(),
            "note": conv_presets.KERNEL_NOTES[p["kernel"]],
            **kd,
        },
        "stride": stride,
        "size": {**info, "lines": _size_lines(info, N, k, stride, "Output size")},
        "output": output.tolist(),
        "labels": _labels(output, 2),
        "n_positions": len(trace["steps"]),
        "pos": pos,
        "current": _current(trace, pos, kd, k),
        "scale": _scale(output),
        "pool": _pool(output, p["pool"], pos),
        "sample": _sample(p["image"], p["kernel"], k, stride, padding),
        "message": message,
        "warning": warning,
    }
    return {**state, "titles": _titles(state)}


def _with_summary(state: Mapping[str, Any]) -> State:
    """The state with its final message: one paragraph for screen readers (what the drawing
    shows, with its numbers) and the text panel's lines."""
    cur, ker, size = state["current"], state["kernel"], state["size"]
    i, j = cur["out"]
    factor = f" times {ker['factor']}" if ker["factor"] else ""
    parts = [
        f"{ker['label']} kernel {ker['size']}×{ker['size']}, weights by row: "
        + "; ".join(", ".join(row) for row in ker["labels"])
        + f"{factor}.",
        f"Stride {state['stride']}, padding {state['params']['padding']} "
        f"(p = {state['pad']}). {size['lines'][0]} {size['lines'][1]}.",
        f"{state['message']} Sum of the {cur['n_terms']} products: "
        + " + ".join(cur["terms"])
        + f" {cur['result']}.",
    ]
    if state["pool"] and not state["pool"]["too_small"]:
        parts.append(" ".join(state["pool"]["lines"]))
    parts.append(" ".join(state["sample"]["lines"]))
    # a _build state + summary and text
    return cast("State", {**state, "summary": " ".join(parts), "text": _text_lines(state)})


def _where(state_pos: int, n_positions: int, size: int) -> str:
    i, j = divmod(state_pos - 1, size)
    return f"Position {state_pos} of {n_positions}: output row {i}, column {j}."


def initial_state(params: dict[str, Any]) -> State:
    """The state for the given control values (defaults for the missing ones)."""
    p, warning = _clean(params)
    state = _build(p, warning, "")
    state["message"] = _where(state["pos"], state["n_positions"], state["size"]["size"])
    return _with_summary(state)


def _rebuild(params: dict[str, Any]) -> State:
    """The state for new settings; geometry changes keep the position when it still exists."""
    p, warning = _clean(params)
    new = _build(p, warning, "")
    new["message"] = _where(new["pos"], new["n_positions"], new["size"]["size"])
    return _with_summary(new)


set_param = setting_action(
    SETTINGS, update=lambda state, params, name: _rebuild(params), reinit=initial_state
)


MOVES = {
    "next": (0, 1, True),
    "prev": (0, -1, True),
    "left": (0, -1, False),
    "right": (0, 1, False),
    "up": (-1, 0, False),
    "down": (1, 0, False),
}


def move(state: dict[str, Any], direction: str) -> State:
    """Move the kernel: next/prev in reading order (wrapping rows), or left/right/up/down
    within the output grid (stopping at its edges), or to the first/last position."""
    n_positions, size = state["n_positions"], state["size"]["size"]
    pos = int(state["params"]["pos"])
    if direction == "first":
        pos = 1
    elif direction == "last":
        pos = n_positions
    elif direction in MOVES:
        di, dj, reading = MOVES[direction]
        if reading:
            pos = min(max(pos + dj, 1), n_positions)
        else:
            i, j = divmod(pos - 1, size)
            i = min(max(i + di, 0), size - 1)
            j = min(max(j + dj, 0), size - 1)
            pos = i * size + j + 1
    else:
        raise ValueError(
            f"direction must be one of {', '.join([*MOVES, 'first', 'last'])}, got {direction!r}"
        )
    return _rebuild({**state["params"], "pos": pos})


def animate_step(state: dict[str, Any]) -> State:
    """One step of the animation: the next position, or back to 1 after the last."""
    pos = int(state["params"]["pos"])
    nxt = 1 if pos >= state["n_positions"] else pos + 1
    new = _rebuild({**state["params"], "pos": nxt})
    if nxt == new["n_positions"]:
        new["message"] += " The output map is complete."
    return _with_summary(new)


# --------------------------------------------------------------------------- "Show the NumPy"


def numpy_code(state: dict[str, Any]) -> str:
    """The plain-NumPy script of what the sim shows now ("Show the NumPy").

    The input and kernel as literals, the zero padding (``np.pad``), the output-size formula,
    the window at the current kernel position with its element-wise products and their sum,
    the whole output map by a loop over the positions with the stride, and the 2×2 pooling
    when it is on. Cross-correlation, as the chapter and the engine: the kernel is not flipped.
    """
    ker, cur = state["kernel"], state["current"]
    k, stride, pad, d = (
        int(ker["size"]),
        int(state["stride"]),
        int(state["pad"]),
        ker["denominator"],
    )
    padding = state["params"]["padding"]
    i, j = cur["out"]
    size = int(state["size"]["size"])
    lines = [
        "import numpy as np",
        "",
        f"# the {N}×{N} input image I (grey values from 0 to 1)",
        nps.assign("I", state["input"]),
        f"# the {k}×{k} {ker['label']} kernel K (cross-correlation: the kernel is not flipped)",
    ]
    if d == 1:
        lines.append(nps.assign("K", ker["weights"]))
    else:  # the weights as the sim shows them: whole numbers times 1/d
        ints = [[int(v) for v in row] for row in ker["ints"]]
        lines += [nps.assign("K_int", ints), f"K = K_int / {d}"]
    rule = "no padding" if padding == "valid" else "(k - 1) // 2 zeros, to keep the size"
    lines += [
        f"k, s, p = {k}, {stride}, {pad}  # kernel size, stride, padding ({padding}: {rule})",
        "",
        "# zero padding: p rings of zeros around the input",
        "I_pad = np.pad(I, p)",
        "# the output size along one side: (n - k + 2p) / s + 1, floored",
        "n = I.shape[0]",
        "out_size = (n - k + 2 * p) // s + 1",
        'print(f"output size = ({n} - {k} + 2*{p}) / {s} + 1 =", out_size)',
        "",
        f"# kernel position {state['pos']} of {state['n_positions']}: output cell (i, j) reads "
        "the k×k window of I_pad at (i*s, j*s)",
        f"i, j = {i}, {j}",
        "window = I_pad[i * s : i * s + k, j * s : j * s + k]",
    ]
    if d == 1:
        lines += ["products = window * K  # element-wise", "out_ij = products.sum()"]
    else:
        lines += [
            "products = window * K_int  # element-wise, with the whole-number weights",
            f"out_ij = products.sum() / {d}",
        ]
    lines += [
        'print("window =\\n", window)',
        'print("products =\\n", products)',
        'print("row sums =", products.sum(axis=1))',
        'print(f"output[{i}][{j}] = sum of products =", out_ij)',
        "",
        "# the whole output map: the same sum at every kernel position, s cells apart",
        "out = np.zeros((out_size, out_size))",
        "for r in range(out_size):",
        "    for c in range(out_size):",
        "        out[r, c] = np.sum(I_pad[r * s : r * s + k, c * s : c * s + k] * K)",
        'print("output =\\n", out)',
    ]
    pool = state["pool"]
    if pool is not None:
        mode = "max" if pool["mode"] == "max" else "mean"
        name = "max" if pool["mode"] == "max" else "average"
        lines.append("")
        if pool["too_small"]:
            lines += [
                f"# 2×2 {name} pooling needs at least a 2×2 map; this output is {size}×{size}",
                'print("no pooling: the output is smaller than the 2×2 window")',
            ]
        else:
            lines += [
                f"# 2×2 {name} pooling, stride 2: the {name} of each window (an odd last row "
                "and column are left out)",
                "m = (out_size - 2) // 2 + 1",
                "pooled = np.zeros((m, m))",
                "for r in range(m):",
                "    for c in range(m):",
                f"        pooled[r, c] = out[2 * r : 2 * r + 2, 2 * c : 2 * c + 2].{mode}()",
                'print("pooled =\\n", pooled)',
            ]
    return nps.join_lines(lines)


VIEWS = {"numpy_code": numpy_code}


ACTIONS = {"set_param": set_param, "move": move, "animate_step": animate_step}

"""Neural Network Architecture Visualizer: layers, weight-matrix shapes, parameter counts.

Every number comes from :mod:`engine.dense` (``layer_report``, ``param_count``,
``matmul_shape_check``, ``init_params``, ``forward``) and :mod:`engine.activations`.

The state is :class:`State` (plain JSON, drawn by
``static/sketches/neural-network-architecture.js``)::

    params        current control values (n_in, n_hidden, n_out, h1..h5, act1..act5,
                  act_out, show_dims, show_weights, highlight, break_layer, speed)
    sizes         [n_0, n_1, ..., n_L]  input size first, output size last
    L             number of weight layers (hidden layers + 1)
    columns       L + 1 dicts, one per column of nodes: name, short, n, activation info
                  (None for the input), a_shape [n, 1], dims (its label "a[l]: n×1" and
                  the short "n×1"), shade (values of a[l] scaled to
                  [-1, 1] for the data-flow colouring, None where the flow cannot reach)
    layers        L dicts, engine.dense.layer_report rows (the shapes and counts the layer
                  sizes ask for) plus activation, equation and shapes text, ``broken`` for
                  the dimension-mismatch demo, and the matrices really drawn: W_shape_shown,
                  weights_shown, params_shown (one column too many when broken, counted from
                  that array) and label_rows (the connection's label: {"one": [W, b] as
                  sets, "two": ["W[l]", shape]})
    total_params  the sum of params_shown, the parameters of the matrices drawn (=
                  engine.dense.param_count(sizes) unless a connection is broken);
                  total_weights, total_biases, breakdown ("40 + 72 + 18") likewise
    highlight_max L: the highlight slider's range on this network (its Control declares
                  the largest, MAX_HIDDEN + 1; a larger setting is clamped to L, with a note)
    highlight     None or {layer, equation, shapes, rule, ok}
    mismatch      None or {layer, W_shape, a_shape, expected_W_shape, expected_total, error}
                  (the engine's DimensionError; expected_total = dense.param_count(sizes))
    flow          {pos, per_layer, end, layer, frac, stopped, text}
    output        {values: ŷ = a[L] for the fixed sample x, shown: first few} or None
    summary       one sentence describing the network (for screen readers)
    message       one sentence for the reader
    info          the info panel's lines, in display order, as the sketch's ms.textPanel
                  takes them, plus: ``rank`` (the sketch drops the highest rank first when
                  short of room), ``color`` (a palette name), ``wide_only`` (only on wide
                  screens), ``narrow_size`` (the size on narrow ones) and ``while_flowing``
                  (only while the data flow has started or plays)
"""

from __future__ import annotations

from typing import Annotated, Any, NotRequired, TypedDict

import numpy as np

from engine import dense
from engine.activations import ACTIVATION_TABLE, get_activation
from sims import _numpy_script as nps
from sims._args import Range
from sims._contract import Control, Settings, SimMeta, fmt, setting_action


class Flow(TypedDict):
    """The data-flow pulse: substep ``pos`` of ``end`` (``per_layer`` per layer), whether it
    stopped at a broken connection, and its layer and fraction for the drawing."""

    pos: Annotated[int, Range(0, 10_000)]
    end: Annotated[int, Range(0, 10_000)]
    stopped: bool
    per_layer: NotRequired[int]
    layer: NotRequired[int]
    frac: NotRequired[float]
    text: NotRequired[str]


class State(TypedDict):
    """The state: see the module docstring for what each key holds."""

    params: dict[str, Any]
    sizes: list[int]
    L: Annotated[int, Range(1, 6)]  # the number of weight layers, 1..MAX_HIDDEN + 1
    activations: list[str]  # the activation of each layer 1..L
    columns: list[dict[str, Any]]
    layers: list[dict[str, Any]]
    total_params: int
    highlight_max: int
    total_weights: int
    total_biases: int
    breakdown: str
    highlight: dict[str, Any] | None
    mismatch: dict[str, Any] | None
    flow: Flow
    output: dict[str, Any] | None
    notes: list[str]  # sentences about settings the network cannot follow
    summary: str
    message: str
    info: list[dict[str, Any]]


META = SimMeta(
    order=3,
    slug="neural-network-architecture",
    title="Neural Network Architecture Visualizer",
    description=(
        "Build a fully connected network layer by layer and see the shape of every weight "
        "matrix, the parameter count of each layer, each layer's equation with its shapes, "
        "a data-flow animation, and what happens when two dimensions do not match."
    ),
    bloom="Understand",
    objectives=[
        "Visualize neural network architecture and understand the dimensions of weight "
        "matrices at each layer",
        "Explain why W[l] has shape n_l × n_(l−1) and b[l] has shape n_l × 1",
        "Count the parameters of a dense network layer by layer (4 → 8 → 8 → 2 has 130)",
        "Recognise that the columns of W[l] must equal the rows of a[l−1]",
    ],
    draw_height=560,
    control_height=460,
    subjects=[
        "Neural network",
        "Weight matrix",
        "Bias vector",
        "Hidden layer",
        "Parameter count",
        "Matrix dimensions",
    ],
    lesson_notes=[
        "The default network is 4 → 8 → 8 → 2: read its 130 parameters as 40 + 72 + 18 and "
        "check each term as n_out·n_in + n_out.",
        "Tick *Show Weight Matrices*: each connection is labelled W[l] ∈ ℝ^(n_l×n_(l−1)). "
        "Change a hidden layer's neuron count and watch which two matrices change shape.",
        "Press *Next layer* to step through the layers: the equation "
        "a[l] = σ(W[l] a[l−1] + b[l]) is shown with the shape of every term.",
        "Press *Play data flow*: a pulse carries the input vector through the network and "
        "shows the shape of a[l] at each step.",
        "Choose a layer under *Break a connection*: its W gets one column too many and the "
        "engine refuses to multiply, naming both shapes. The data flow stops there.",
    ],
    describe=(
        "A node-and-edge diagram of a fully connected neural network, input on the left and "
        "output on the right, with each layer's size and activation, the weight-matrix shapes "
        "on the connections and the parameter count per layer."
    ),
)

MAX_HIDDEN = 5
MAX_NEURONS = 64
SEED = 0
"""Seed of the fixed weights and sample input used by the data-flow animation."""
FLOW_SUBSTEPS = 4
"""Animation steps per layer: the pulse is at a[l-1], then 1/4, 2/4, 3/4 of the way to a[l]."""
ICON_POINTS = 13
CONSTANTS = {"max_hidden": MAX_HIDDEN}

HIDDEN_ACTIVATIONS = ["relu", "leaky_relu", "sigmoid", "tanh", "softplus", "linear"]
OUTPUT_ACTIVATIONS = ["softmax", "sigmoid", "linear"]
SHORT = {
    "relu": "ReLU",
    "leaky_relu": "LReLU",
    "sigmoid": "σ",
    "tanh": "tanh",
    "softplus": "SP",
    "linear": "id",
    "softmax": "SM",
}
"""Abbreviations for narrow screens (the icon beside each tells the shape)."""
INPUT_SIZES = [1, 2, 3, 4, 5, 6, 8, 10, 16, 32, 64]
OUTPUT_SIZES = [1, 2, 3, 4, 5, 6, 8, 10]


def _options(values: list[Any], label=str) -> list[list[str]]:
    return [[str(v), label(v)] for v in values]


def _act_label(name: str) -> str:
    return ACTIVATION_TABLE[name]["label"].replace(" (identity)", "")


CONTROLS = [
    Control("n_in", "select", "Input dimension n₀", default="4", options=_options(INPUT_SIZES)),
    Control("n_hidden", "slider", "Hidden layers", default=2, min=1, max=MAX_HIDDEN, step=1),
    Control("n_out", "select", "Output dimension", default="2", options=_options(OUTPUT_SIZES)),
    Control(
        "act_out",
        "select",
        "Output activation",
        default="softmax",
        options=_options(OUTPUT_ACTIVATIONS, _act_label),
    ),
]
for _k in range(1, MAX_HIDDEN + 1):
    CONTROLS += [
        Control(
            f"h{_k}",
            "slider",
            f"Hidden {_k} neurons",
            default=8,
            min=1,
            max=MAX_NEURONS,
            step=1,
            help=f"number of neurons n_{_k} of hidden layer {_k}",
        ),
        Control(
            f"act{_k}",
            "select",
            f"Hidden {_k} activation",
            default="relu",
            options=_options(HIDDEN_ACTIVATIONS, _act_label),
        ),
    ]
CONTROLS += [
    Control("show_dims", "checkbox", "Show Dimensions", default=False),
    Control("show_weights", "checkbox", "Show Weight Matrices", default=False),
    Control(
        "highlight",
        "slider",
        "Highlight layer",
        default=0,
        min=0,
        max=MAX_HIDDEN + 1,  # the largest L; the page narrows the slider to the state's L
        step=1,
        help="0 = none; 1 to L highlights layer l",
    ),
    Control("next_layer", "button", "Next layer ▸", url=False),
    Control(
        "break_layer",
        "select",
        "Break a connection",
        default="none",
        options=[["none", "None (all match)"]]
        + [[str(k), f"W[{k}]: wrong columns"] for k in range(1, MAX_HIDDEN + 2)],
        help="give W[l] one column too many and see the engine refuse to multiply",
    ),
    Control("play", "button", "Play data flow", url=False),
    Control("speed", "slider", "Flow steps / s", default=4, min=1, max=20, step=1),
]
SETTINGS = Settings(CONTROLS)
_KINDS = SETTINGS.controls


def architecture(p: dict[str, Any]) -> tuple[list[int], list[str]]:
    """Layer sizes ``[n_0, ..., n_L]`` and the L activation names from the settings."""
    hidden = range(1, p["n_hidden"] + 1)
    sizes = [int(p["n_in"]), *(p[f"h{k}"] for k in hidden), int(p["n_out"])]
    acts = [*(p[f"act{k}"] for k in hidden), p["act_out"]]
    return sizes, acts


# --------------------------------------------------------------------------- pieces


def _icon(name: str) -> dict[str, Any]:
    """A small picture of the activation, computed by the engine, scaled to the unit square.

    Elementwise activations: ICON_POINTS points (u, v) of a = f(z) for z in [−3, 3].
    Softmax: its output for the logits [2, 1, 0.1] as three bars (they sum to 1).
    """
    act = get_activation(name)
    if not act.elementwise:
        return {"kind": "bars", "values": act.fn(np.array([[2.0], [1.0], [0.1]]))[:, 0].tolist()}
    z = np.linspace(-3.0, 3.0, ICON_POINTS)
    a = act.fn(z)
    lo, hi = float(a.min()), float(a.max())
    v = (a - lo) / (hi - lo) if hi > lo else np.full_like(a, 0.5)
    u = (z + 3.0) / 6.0
    return {"kind": "curve", "points": np.stack([u, v], axis=1).tolist()}


def _act_info(name: str) -> dict[str, Any]:
    return {"name": name, "label": _act_label(name), "short": SHORT[name], "icon": _icon(name)}


def _shade(a: np.ndarray | None) -> list[float] | None:
    """a[l] (one column) scaled by its largest magnitude to [−1, 1], for node colours."""
    if a is None:
        return None
    col = np.asarray(a, dtype=float)[:, 0]
    peak = float(np.max(np.abs(col))) if col.size else 0.0
    return (col / peak).tolist() if peak > 0 else [0.0] * int(col.size)


def _fmt(shape: list[int] | tuple[int, ...]) -> str:
    return "×".join(str(int(n)) for n in shape)


def _layer_text(row: dense.LayerRow, act_label: str) -> dict[str, str]:
    """Equation and shapes of layer l, the product shape from engine.dense.matmul_shape_check."""
    ly, n_in = row["layer"], row["n_in"]
    z_shape = dense.matmul_shape_check(row["W_shape"], (n_in, 1), layer=ly)
    return {
        "equation": f"a[{ly}] = {act_label}(W[{ly}] a[{ly - 1}] + b[{ly}])",
        "shapes": (
            f"W[{ly}]: {_fmt(row['W_shape'])}, a[{ly - 1}]: {n_in}×1, "
            f"b[{ly}]: {_fmt(row['b_shape'])} → a[{ly}]: {_fmt(z_shape)}"
        ),
        "product": f"({_fmt(row['W_shape'])})·({n_in}×1) = {_fmt(z_shape)}",
        "rule": f"columns of W[{ly}] = {n_in} = rows of a[{ly - 1}] ✓",
    }


def _flow(state_flow: dict[str, Any] | None, L: int, broken: int | None) -> Flow:
    pos = int(state_flow["pos"]) if state_flow else 0
    stopped = bool(state_flow["stopped"]) if state_flow else False
    end = FLOW_SUBSTEPS * L if broken is None else FLOW_SUBSTEPS * (broken - 1) + 2
    pos = min(pos, end)
    return {
        "pos": pos,
        "per_layer": FLOW_SUBSTEPS,
        "end": end,
        "stopped": stopped,
        "layer": pos // FLOW_SUBSTEPS,
        "frac": (pos % FLOW_SUBSTEPS) / FLOW_SUBSTEPS,
    }


def _info_lines(s: dict[str, Any]) -> list[dict[str, Any]]:
    """The info panel's lines from the rest of the state ``s`` (see ``info`` above)."""
    lines: list[dict[str, Any]] = []

    def add(text: str, rank: int, **style: Any) -> None:
        lines.append({"text": text, "rank": rank, "size": 16, **style})

    add(
        f"Parameters: {s['total_params']} = {s['breakdown']}", 0, size=20, narrow_size=18, bold=True
    )
    m = s["mismatch"]
    if m:
        ly = m["layer"]
        add(
            f"W[{ly}] is {_fmt(m['W_shape'])}, one column too many; with "
            f"{_fmt(m['expected_W_shape'])} the network has {m['expected_total']}.",
            1,
            color="error",
        )
    for lay in s["layers"]:
        ly = lay["layer"]
        add(
            f"Layer {ly}: W[{ly}] {_fmt(lay['W_shape_shown'])} ({lay['weights_shown']}) + "
            f"b[{ly}] {_fmt(lay['b_shape'])} ({lay['biases']}) = {lay['params_shown']}",
            6,
            color="error" if lay["broken"] else "grey",
            wide_only=True,
        )
    add(
        f"{s['total_weights']} weights + {s['total_biases']} biases",
        7,
        color="grey",
        wide_only=True,
    )
    if s["mismatch"]:
        add(f"✗ {s['mismatch']['error']}", 1, bold=True, color="error")
    h = s["highlight"]
    if h:
        add(h["equation"], 2, size=18, bold=True, mono=True)
        add(h["shapes"], 2, mono=True)
        add(
            f"{h['product']};  {h['rule']}",
            3,
            color="ink" if h["ok"] else "error",
            bold=not h["ok"],
        )
    f, out = s["flow"], s["output"]
    # a stopped flow's text is a sentence of its own ("Data flow stopped at layer 2: …")
    flow_line = f["text"] if f["stopped"] and s["mismatch"] else f"Data flow: {f['text']}"
    add(flow_line, 3, color="orangeDark", while_flowing=True)
    if out and f["pos"] >= f["end"]:
        vals = out["values"]
        shown = ", ".join(fmt(v, 2, 2) for v in vals[:4]) + (", …" if len(vals) > 4 else "")
        total = f" (sum {fmt(out['sum'], 2, 2)})" if out["activation"] == "softmax" else ""
        add(f"ŷ = a[{s['L']}] = [{shown}]{total}", 4, mono=True, while_flowing=True)
    if not h:
        add(
            "Each layer l computes a[l] = σ(W[l] a[l−1] + b[l]) with W[l] ∈ ℝ^(n_l × n_(l−1)) "
            "and b[l] ∈ ℝ^(n_l × 1).",
            5,
            color="grey",
        )
        add(
            "Press Next layer (or click a column) to see one layer with its shapes.",
            9,
            color="grey",
        )
    for n in s["notes"]:
        add(f"Note: {n}", 4, color="orangeDark")
    if not s["mismatch"] or s["message"] != s["mismatch"]["error"]:
        add(s["message"], 8, color="grey")
    return lines


# --------------------------------------------------------------------------- the state


def _evaluate(
    p: dict[str, Any], flow: dict[str, Any] | None = None, message: str | None = None
) -> State:
    """Everything the sketch draws, computed by the engine from the settings ``p``."""
    sizes, acts = architecture(p)
    L = len(sizes) - 1
    report = dense.layer_report(sizes)
    total = dense.param_count(sizes)
    notes = []
    if p["highlight"] > L:  # the slider's range is 0..L on this network: clamp, say so
        notes.append(
            f"Highlight layer {p['highlight']} does not exist ({L} layers): "
            f"showing layer {L}, the output layer."
        )
        p = {**p, "highlight": L}

    # fixed weights and a fixed sample input for the data-flow animation
    weights = dense.init_params(sizes, np.random.default_rng(SEED), scheme="he")
    x = np.random.default_rng([SEED, 1]).standard_normal((sizes[0], 1))

    # the dimension-mismatch demo: W[l] gets one column too many
    mismatch: dict[str, Any] | None = None
    broken = None
    bad_shape: list[int] = []  # W[broken]'s shape, one column too many
    bad_weights = 0  # and its number of entries
    if p["break_layer"] != "none":
        ly = int(p["break_layer"])
        if ly > L:
            notes.append(
                f"There is no W[{ly}] in a network with {L} layers: choose W[1] to "
                f"W[{L}] under Break a connection."
            )
        else:
            broken = ly
            W, b = weights[ly - 1]
            extra = np.random.default_rng([SEED, 2]).standard_normal((W.shape[0], 1))
            W_bad = np.hstack([W, extra])
            bad = [*weights[: ly - 1], (W_bad, b), *weights[ly:]]
            try:
                dense.forward(bad, x, acts)
            except dense.DimensionError as exc:
                error = str(exc)
            else:  # pragma: no cover - the engine always refuses this
                raise AssertionError("engine.dense.forward accepted mismatched shapes")
            bad_shape, bad_weights = [int(n) for n in W_bad.shape], int(W_bad.size)
            mismatch = {
                "layer": ly,
                "W_shape": bad_shape,
                "a_shape": [sizes[ly - 1], 1],
                "expected_W_shape": list(W.shape),
                "expected_total": total,
                "error": error,
            }

    reach = L if broken is None else broken - 1
    trace = dense.forward(weights[:reach], x, acts[:reach]) if reach else None
    A = trace.A if trace else [x]

    columns = []
    for i, n in enumerate(sizes):
        name = "Input" if i == 0 else ("Output" if i == L else f"Hidden {i}")
        short = "In" if i == 0 else ("Out" if i == L else f"H{i}")
        columns.append(
            {
                "index": i,
                "name": name,
                "short": short,
                "n": n,
                "a_shape": [n, 1],
                "dims": [f"a[{i}]: {n}×1", f"{n}×1"],  # the dimension label, long and short
                "activation": None if i == 0 else _act_info(acts[i - 1]),
                "shade": _shade(A[i]) if i <= reach else None,
            }
        )

    layers = []
    for row in report:
        ly = row["layer"]
        info: dict[str, Any] = {
            **row,
            "activation": acts[ly - 1],
            "act_label": _act_label(acts[ly - 1]),
            **_layer_text(row, _act_label(acts[ly - 1])),
            "broken": ly == broken,
        }
        # the matrix really drawn (and counted): W[broken] has one column too many
        if ly == broken:
            info["W_shape_shown"] = bad_shape
            info["weights_shown"] = bad_weights
            info["params_shown"] = bad_weights + row["biases"]
        else:
            info["W_shape_shown"] = row["W_shape"]
            info["weights_shown"] = row["weights"]
            info["params_shown"] = row["params"]
        shown = _fmt(info["W_shape_shown"])
        # the connection's label: on one line each when there is room, else in two short rows
        info["label_rows"] = {
            "one": [f"W[{ly}] ∈ ℝ^({shown})", f"b[{ly}] ∈ ℝ^{row['n_out']}"],
            "two": [f"W[{ly}]", shown],
        }
        layers.append(info)

    hl = None
    if p["highlight"]:
        ly = p["highlight"]
        lay = layers[ly - 1]
        hl = {
            "layer": ly,
            "equation": lay["equation"],
            "shapes": lay["shapes"],
            "product": lay["product"],
            "rule": lay["rule"],
            "ok": ly != broken,
        }
        if ly == broken:
            hl["shapes"] = f"W[{ly}]: {_fmt(bad_shape)}, a[{ly - 1}]: {sizes[ly - 1]}×1 → no result"
            hl["rule"] = (
                f"columns of W[{ly}] = {bad_shape[1]} ≠ {sizes[ly - 1]} = rows of a[{ly - 1}] ✗"
            )
            hl["product"] = f"({_fmt(bad_shape)})·({sizes[ly - 1]}×1) is undefined"

    fl = _flow(flow, L, broken)
    k = fl["layer"]
    if fl["stopped"] and broken is not None:
        fl["text"] = (
            f"Data flow stopped at layer {broken}: W[{broken}] is "
            f"{_fmt(bad_shape)} but a[{broken - 1}] is {sizes[broken - 1]}×1."
        )  # the info panel shows this sentence as it is (no "Data flow: " before it)
    elif fl["frac"] == 0:
        fl["text"] = (
            f"x = a[0]: {sizes[0]}×1"
            if k == 0
            else f"a[{k}] = {_act_label(acts[k - 1])}(W[{k}] a[{k - 1}] + b[{k}]): {sizes[k]}×1"
        )
    else:
        fl["text"] = (
            f"a[{k}] ({sizes[k]}×1) → W[{k + 1}] ({sizes[k + 1]}×{sizes[k]}) → "
            f"a[{k + 1}] ({sizes[k + 1]}×1)"
        )

    output = None
    if broken is None:
        assert trace is not None  # no broken layer: reach = L ≥ 1, so the forward pass ran
        y = trace.output[:, 0]
        output = {"values": y.tolist(), "activation": acts[-1], "sum": float(np.sum(y))}

    if message is None:
        message = (
            "Change a layer and every shape and count updates."
            if mismatch is None
            else mismatch["error"]
        )
    if acts[-1] == "softmax" and sizes[-1] == 1:
        notes.append("Softmax over one output is always 1: use Sigmoid for a single output.")

    arrow = " → ".join(str(n) for n in sizes)
    summary = (
        f"A {arrow} network with {L - 1} hidden layer{'s' if L > 2 else ''} and "
        f"{total} parameters ({' + '.join(str(r['params']) for r in report)})."
    )
    shown_total = sum(lay["params_shown"] for lay in layers)
    if mismatch:
        summary += (
            f" W[{broken}] is drawn {_fmt(bad_shape)}, one column too many, so the matrices "
            f"shown hold {shown_total}."
        )
    state: State = {
        "params": p,
        "sizes": sizes,
        "L": L,
        "activations": acts,
        "columns": columns,
        "layers": layers,
        "total_params": shown_total,
        "highlight_max": L,
        "total_weights": sum(lay["weights_shown"] for lay in layers),
        "total_biases": sum(lay["biases"] for lay in layers),
        "breakdown": " + ".join(str(lay["params_shown"]) for lay in layers),
        "highlight": hl,
        "mismatch": mismatch,
        "flow": fl,
        "output": output,
        "notes": notes,
        "summary": summary,
        "message": message,
        "info": [],
    }
    state["info"] = _info_lines(dict(state))
    return state


def initial_state(params: dict[str, Any]) -> State:
    """The network described by the settings (defaults: 4 → 8 → 8 → 2, ReLU, Softmax)."""
    return _evaluate(SETTINGS.clean(params))


def _update(state: dict[str, Any], p: dict[str, Any], name: str) -> State:
    """One control changed. Architecture changes restart the data flow from x."""
    same_net = architecture(p) == architecture(state["params"]) and (
        p["break_layer"] == state["params"]["break_layer"]
    )
    flow = state["flow"] if same_net else None
    message = None
    if name.startswith("h") and name[1:].isdigit() and int(name[1:]) > p["n_hidden"]:
        message = (
            f"Hidden layer {name[1:]} is not in use: raise Hidden layers to {name[1:]} to add it."
        )
    return _evaluate(p, flow, message)


def next_layer(state: dict[str, Any]) -> State:
    """Highlight the next layer: 1, 2, ..., L, then 1 again (L from the settings, which the
    bridge has checked, not from the state's copy of it)."""
    L = int(state["params"]["n_hidden"]) + 1
    current = min(int(state["params"]["highlight"]), L)
    p = {**state["params"], "highlight": current % L + 1}
    return _evaluate(p, state["flow"])


def prev_layer(state: dict[str, Any]) -> State:
    """Highlight the previous layer: L, L − 1, ..., 1, then L again (none → L)."""
    L = int(state["params"]["n_hidden"]) + 1
    current = min(int(state["params"]["highlight"]), L)
    p = {**state["params"], "highlight": L if current <= 1 else current - 1}
    return _evaluate(p, state["flow"])


def flow_step(state: dict[str, Any]) -> State:
    """Advance the data-flow pulse by one step; it starts over after the output layer.

    With a broken connection the pulse stops halfway along it (``flow.stopped``); the next
    step starts over from x.
    """
    fl = state["flow"]
    if fl["stopped"] or fl["pos"] >= fl["end"] and state["mismatch"] is None:
        return _evaluate(state["params"], {"pos": 0, "stopped": False})
    pos = fl["pos"] + 1
    stopped = state["mismatch"] is not None and pos >= fl["end"]
    msg = state["mismatch"]["error"] if stopped else None
    return _evaluate(state["params"], {"pos": pos, "stopped": stopped}, msg)


def reset_flow(state: dict[str, Any]) -> State:
    """Put the pulse back at the input x."""
    return _evaluate(state["params"], {"pos": 0, "stopped": False})


set_param = setting_action(SETTINGS, update=_update, reinit=initial_state)

ACTIONS = {
    "set_param": set_param,
    "next_layer": next_layer,
    "prev_layer": prev_layer,
    "flow_step": flow_step,
    "reset_flow": reset_flow,
}


# --------------------------------------------------------------------------- Show the NumPy


def numpy_code(state: dict[str, Any]) -> str:
    """The plain-NumPy script of what the sim shows: each W[l] (n_l × n_(l−1)) and b[l]
    (n_l × 1), the sim's own weights (He initialisation from seed SEED, zero biases), each
    layer's parameter count and the total; a broken connection's W with its extra column and
    the product NumPy refuses; the highlighted layer's shapes; and, once the data flow has
    reached the output, the forward pass of the sample x that gives ŷ."""
    s = _evaluate(SETTINGS.clean(state["params"]), state["flow"])  # what the sim draws
    sizes, acts, L = s["sizes"], s["activations"], s["L"]
    mismatch = s["mismatch"]
    lines = [
        f"# layer sizes n[0] (input) ... n[L] (output): {' → '.join(map(str, sizes))}",
        f"n = {sizes}",
        f"# W[l] is n[l] × n[l-1] and b[l] is n[l] × 1: He initialisation (seed {SEED}) and "
        "zero biases, as the sim",
        f"rng = np.random.default_rng({SEED})",
    ]
    for ly in range(1, L + 1):
        lines += [
            f"W{ly} = rng.standard_normal(({sizes[ly]}, {sizes[ly - 1]})) * np.sqrt(2 / "
            f"{sizes[ly - 1]})",
            f"b{ly} = np.zeros(({sizes[ly]}, 1))",
        ]
    if mismatch:
        ly = mismatch["layer"]
        rows, cols = mismatch["W_shape"]
        lines += [
            f"# the broken connection: W{ly} gets one column too many ({rows} × {cols})",
            f"W{ly} = np.hstack([W{ly}, np.random.default_rng([{SEED}, 2]).standard_normal"
            f"(({rows}, 1))])",
        ]
    pairs = ", ".join(f"(W{ly}, b{ly})" for ly in range(1, L + 1))
    lines += [
        "# parameters of each layer: every entry of W[l] and of b[l]",
        f"layers = [{pairs}]",
        "for l, (W, b) in enumerate(layers, start=1):",
        '    print(f"layer {l}: W{l} {W.shape}, b{l} {b.shape}: {W.size} + {b.size} = '
        '{W.size + b.size}")',
        "total = sum(W.size + b.size for W, b in layers)",
        'print("total parameters:", total)',
    ]
    if mismatch:
        ly = mismatch["layer"]
        lines += [
            f"# the columns of W{ly} must equal the rows of a[{ly - 1}]: here they do not",
            f"a_prev = np.zeros(({sizes[ly - 1]}, 1))  # any a[{ly - 1}] of its shape",
            "try:",
            f"    W{ly} @ a_prev",
            "except ValueError as err:",
            "    error = str(err)",
            f'    print("W{ly} @ a{ly - 1} fails:", W{ly}.shape, "@", a_prev.shape, error)',
        ]
    elif s["highlight"]:
        ly = s["highlight"]["layer"]
        lines += [
            f"# the highlighted layer {ly}: z[{ly}] = W[{ly}] a[{ly - 1}] + b[{ly}]",
            f"a_prev = np.zeros(({sizes[ly - 1]}, 1))  # any a[{ly - 1}] of its shape",
            f"z{ly} = W{ly} @ a_prev + b{ly}",
            f'print("z{ly} = W{ly} @ a{ly - 1} + b{ly}:", W{ly}.shape, "@", a_prev.shape, '
            f'"->", z{ly}.shape)',
        ]
    if s["output"] and s["flow"]["pos"] >= s["flow"]["end"]:
        lines += [
            f"# the data flow: the sim's sample input x (seed [{SEED}, 1]) through every layer",
            f"a0 = np.random.default_rng([{SEED}, 1]).standard_normal(({sizes[0]}, 1))",
        ]
        for ly in range(1, L + 1):
            lines += [
                f"z{ly} = W{ly} @ a{ly - 1} + b{ly}",
                *nps.activation_lines(acts[ly - 1], f"z{ly}", f"a{ly}"),
            ]
        lines += [f"y_hat = a{L}", 'print("y_hat:", y_hat.ravel())']
    return nps.script(lines)


VIEWS = {"numpy_code": numpy_code}

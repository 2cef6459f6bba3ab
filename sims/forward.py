"""Forward Propagation Step-by-Step: a 2 → 3 → 2 network traced one operation at a time.

The network is the chapter's: ReLU hidden layer, softmax output, He-initialised weights
(``engine.dense.init_params``), forward pass by ``engine.dense.forward``. The steps are

    0  a[0] = x                      the input
    1  z[1] = W[1] a[0] + b[1]       3×2 · 2×1 + 3×1 → 3×1
    2  a[1] = ReLU(z[1])
    3  z[2] = W[2] a[1] + b[2]       2×3 · 3×1 + 2×1 → 2×1
    4  a[2] = softmax(z[2])          sums to 1
    5  done: the prediction

and every shape is checked by ``engine.dense.matmul_shape_check`` at its step.

Biases: the chapter's code starts with b = 0, which hides the "+ b" of z = W a + b. By default
this sim draws small random biases from the same seed (N(0, 0.3²)); the *Biases* control
switches to the chapter's zeros. Weights and biases are rounded to two decimals so that each
product on screen can be checked by hand; the forward pass uses exactly the rounded values.

The state is :class:`State` (plain JSON, drawn by ``static/sketches/forward-propagation.js``)::

    params      control values: x1, x2, x (text), seed, bias_init, speed, show_weights,
                show_matmul
    draws       how many times "New weights" was pressed (the weights come from [seed, draws])
    sizes       [2, 3, 2];  activations ["relu", "softmax"]
    x           the input actually used, [x1, x2]
    W, b        W[i] (n_out, n_in) and b[i] (n_out, 1) as nested lists, i = 0, 1 for the
                chapter's layers 1, 2
    Z, A        pre-activations Z[i] (n_{i+1},) and activations A[0] = x, A[i+1] (flat lists)
    contrib     contrib[i][j][k] = W[i][j][k] · A[i][k], the value flowing along each edge
    rows        rows[i][j]: the sum for neuron j of layer i+1 (terms, bias, z, tokens)
    act_rows    act_rows[i][j]: how the activation turns z into a for that neuron (tokens)
    shapes      shapes[i]: W, a, Wa, b, z shapes of layer i+1 and the engine's check
    step        0..5 (see above);  focus: the highlighted neuron of the current layer
    steps       steps[k]: {"title", "kind", "layer", "explain", "dims"} for every step k
    output      {"probs", "sum", "predicted"} the softmax output
    message     one sentence for the reader;  notice: a note for the page (or "")
"""

from __future__ import annotations

import re
from typing import Annotated, Any, TypedDict, cast

import numpy as np

from engine import dense
from engine.activations import softmax_terms
from sims import _contract
from sims import _numpy_script as nps
from sims._args import Range
from sims._contract import Control, Settings, SimMeta, setting_action, sub


class State(TypedDict):
    """The state: see the module docstring for what each key holds."""

    params: dict[str, Any]
    draws: int
    sizes: list[int]
    activations: list[str]
    x: list[float]
    W: list[list[list[float]]]
    b: list[list[list[float]]]
    Z: list[list[float]]
    A: list[list[float]]
    contrib: list[list[list[float]]]
    rows: list[list[dict[str, Any]]]
    act_rows: list[list[dict[str, Any]]]
    shapes: list[dict[str, Any]]
    step: Annotated[int, Range(0, 5)]  # 0..LAST_STEP
    focus: Annotated[int, Range(0, 2)]  # a neuron of the widest layer (3)
    steps: list[dict[str, Any]]
    output: dict[str, Any]
    message: str
    notice: str


META = SimMeta(
    order=4,
    slug="forward-propagation",
    title="Forward Propagation Step-by-Step",
    description=(
        "Trace one input through a 2 → 3 → 2 network (ReLU hidden layer, softmax output): "
        "each step computes z = W a + b or applies an activation, with every product, "
        "every value at every neuron and the matrix shapes checked."
    ),
    bloom="Apply",
    objectives=[
        "Trace data flow through a neural network and see the matrix operations at each layer",
        "Compute z[l] = W[l] a[l-1] + b[l] by hand from the weights and check it against the sim",
        "Apply ReLU and softmax to pre-activations and explain why the softmax outputs sum to 1",
        "Verify that the shapes fit at every step: (n_l × n_{l-1}) · (n_{l-1} × 1) → (n_l × 1)",
    ],
    draw_height=560,
    control_height=240,
    subjects=["Forward propagation", "Weight matrix", "Matrix multiplication", "ReLU", "Softmax"],
    lesson_notes=[
        "Press *Next Step* to move through the five operations of the forward pass; the "
        "highlighted layer is the one being computed, and the number on each edge is its "
        "contribution w·a to the highlighted neuron.",
        "Tick *Show Matrix Multiplication* to see z = W a + b written out with the actual "
        "numbers: the matrices, and for each neuron the full sum of products plus its bias. "
        "Click a neuron of the current layer (or use the arrow keys) to highlight its row.",
        "Tick *Show weights* to see W[1], b[1], W[2] and b[2]. *New weights* draws another "
        "random network (He initialisation, as in the chapter's code).",
        'Biases: the chapter\'s code starts with b = 0, which would make the "+ b" invisible, '
        "so this sim draws small random biases from the same seed (normal, standard deviation "
        "0.3). Choose *Biases: zero* to get the chapter's initialisation. Weights and biases are "
        "rounded to two decimals so you can check every product by hand.",
        "Move the input sliders (or type a vector such as 1.0, 0.5) and watch which hidden "
        "neurons ReLU switches off (negative z becomes 0), and how the softmax probabilities "
        "always add up to 1.",
    ],
    describe=(
        "A neural network diagram with 2 input, 3 hidden (ReLU) and 2 output (softmax) "
        "neurons showing the value at every neuron; the layer being computed is highlighted, "
        "its connections are labelled with the products w·a, and a panel shows z = W a + b "
        "with the actual numbers and the matrix shapes."
    ),
)

SIZES = [2, 3, 2]
ACTIVATIONS = ["relu", "softmax"]
LAST_STEP = 5
"""Step 0 shows the input; steps 1..5 reveal the computation; Next after 5 starts over."""
INPUT_LIMIT = 3.0
BIAS_STD = 0.3
DEFAULT_TEXT = "1.0, 0.5"
CONSTANTS = {"last_step": LAST_STEP}

CONTROLS = [
    Control("next", "button", "Next Step", url=False),
    Control("auto", "button", "Auto Run", url=False),
    Control("speed", "slider", "Speed (steps/min)", default=60, min=12, max=240, step=12),
    Control("reset", "button", "Reset to step 0", url=False),
    Control("x1", "slider", "Input x₁", default=1.0, min=-3.0, max=3.0, step=0.1),
    Control("x2", "slider", "Input x₂", default=0.5, min=-3.0, max=3.0, step=0.1),
    Control(
        "x",
        "text",
        "Input vector x (x₁, x₂)",
        default=DEFAULT_TEXT,
        maxlength=40,
        help="two numbers between −3 and 3, separated by a comma, e.g. 1.0, 0.5",
        check=lambda text: parse_input(text),
    ),
    Control("new_weights", "button", "New weights", url=False),
    Control("seed", "slider", "Seed", default=31, min=0, max=99, step=1),
    Control(
        "bias_init",
        "select",
        "Biases",
        default="random",
        options=[["random", "small random"], ["zero", "zero (chapter)"]],
    ),
    Control("show_weights", "checkbox", "Show weights", default=False),
    Control("show_matmul", "checkbox", "Show Matrix Multiplication", default=False),
]
SETTINGS = Settings(CONTROLS)


# --------------------------------------------------------------------------- formatting


def fmt(v: float, digits: int = 3, min_digits: int = 2) -> str:
    """Numbers here show at least two decimals: :func:`sims._contract.fmt` with min_digits=2."""
    return _contract.fmt(v, digits, min_digits)


def paren(v: float, digits: int = 3) -> str:
    """A factor in a product: (0.52), (−0.31)."""
    return f"({fmt(v, digits)})"


def signed(v: float, digits: int = 3) -> str:
    """A term after the first: "+ 0.10" or "− 0.31"."""
    return f"{'−' if fmt(v, digits).startswith('−') else '+'} {fmt(v, digits).lstrip('−')}"


def shape_text(shape: tuple[int, ...] | list[int]) -> str:
    return "×".join(str(n) for n in shape)


# --------------------------------------------------------------------------- inputs


def parse_input(text: str) -> list[float]:
    """Two numbers from text such as "1.0, 0.5", "[1 0.5]" or "(-1; 2)".

    Raises ValueError with a message a student can act on.
    """
    cleaned = str(text).strip().strip("[]()").replace("−", "-")
    parts = [p for p in re.split(r"[,;\s]+", cleaned) if p]
    if len(parts) != 2:
        raise ValueError(
            f"the input vector needs exactly 2 numbers (x₁, x₂) separated by a comma, "
            f"e.g. 1.0, 0.5 (you gave {len(parts)})"
        )
    values = []
    for part in parts:
        try:
            v = float(part)
        except ValueError:
            raise ValueError(f"“{part}” is not a number; write the input like 1.0, 0.5") from None
        if not np.isfinite(v) or abs(v) > INPUT_LIMIT:
            raise ValueError(
                f"{part} is outside the allowed range −{INPUT_LIMIT:g} … {INPUT_LIMIT:g}"
            )
        values.append(v)
    return values


def input_text(x: list[float]) -> str:
    """The text-box form of an input vector: [1.0, 0.5] -> "1.0, 0.5"."""
    return ", ".join(fmt(v, 2, 1) for v in x)


# --------------------------------------------------------------------------- the network


def make_params(seed: int, draws: int, bias_init: str) -> dense.Params:
    """The sim's weights: He initialisation by ``engine.dense.init_params`` from the generator
    ``default_rng([seed, draws])``, then biases N(0, 0.3²) from the same generator (or zeros);
    all rounded to 2 decimals. Weights come first, so the Biases choice never changes W."""
    if bias_init not in ("random", "zero"):
        raise ValueError(f"Biases must be 'random' or 'zero', not {bias_init!r}")
    rng = np.random.default_rng([int(seed), int(draws)])
    params = dense.init_params(SIZES, rng, "he")
    out = []
    for W, b in params:
        if bias_init == "random":
            b = rng.normal(0.0, BIAS_STD, size=b.shape)
        out.append((np.round(W, 2) + 0.0, np.round(b, 2) + 0.0))
    return out


def _params_from_state(state: dict[str, Any]) -> dense.Params:
    return [
        (np.asarray(W, dtype=float), np.asarray(b, dtype=float))
        for W, b in zip(state["W"], state["b"], strict=True)
    ]


def _z_rows(W: np.ndarray, a: np.ndarray, b: np.ndarray, z: np.ndarray, layer: int) -> list:
    """For each neuron j: z_j = Σ_k W[j,k] a[k] + b[j] with its products, as screen tokens."""
    rows = []
    a_name = "x" if layer == 1 else "a"
    for j in range(W.shape[0]):
        products = W[j] * a
        tokens = [f"z{sub(j + 1)} ="]
        for k in range(W.shape[1]):
            tokens.append(("" if k == 0 else "+ ") + f"{paren(W[j, k], 2)}{paren(a[k])}")
        tokens.append(f"+ {paren(b[j, 0], 2)}")
        tokens.append(f"= {fmt(products[0])}")
        tokens.extend(signed(p) for p in products[1:])
        tokens.append(signed(b[j, 0]))
        tokens.append(f"= {fmt(z[j])}")
        rows.append(
            {
                "neuron": j,
                "terms": [
                    {"w": float(W[j, k]), "a": float(a[k]), "product": float(products[k])}
                    for k in range(W.shape[1])
                ],
                "b": float(b[j, 0]),
                "z": float(z[j]),
                "symbolic": f"z{sub(j + 1)} = "
                + " + ".join(
                    f"w{sub(j + 1)}{sub(k + 1)}·{a_name}{sub(k + 1)}" for k in range(W.shape[1])
                )
                + f" + b{sub(j + 1)}",
                "tokens": tokens,
            }
        )
    return rows


def _activation_rows(name: str, z: np.ndarray, a: np.ndarray) -> list:
    rows = []
    if name == "relu":
        for j in range(z.size):
            off = z[j] <= 0
            rows.append(
                {
                    "neuron": j,
                    "z": float(z[j]),
                    "a": float(a[j]),
                    "off": bool(off),
                    "tokens": [
                        f"a{sub(j + 1)} = ReLU(z{sub(j + 1)})",
                        f"= max(0, {fmt(z[j])})",
                        f"= {fmt(a[j])}",
                    ]
                    + (["(switched off)"] if off else []),
                }
            )
        return rows
    # softmax: e^{z_j} / Σ_k e^{z_k}, shown unshifted as a student computes it by hand (|z|
    # stays small here: |x| ≤ 3, weights ~ N(0, 1)); the probabilities a come from the engine.
    e, total = softmax_terms(z)
    denom = " + ".join(f"e^{fmt(v, 2)}" for v in z)
    for j in range(z.size):
        rows.append(
            {
                "neuron": j,
                "z": float(z[j]),
                "a": float(a[j]),
                "exp": float(e[j]),
                "exp_sum": total,
                "tokens": [
                    f"a{sub(j + 1)} = e^{fmt(z[j], 2)} / ({denom})",
                    f"= {fmt(e[j])} / {fmt(total)}",
                    f"= {fmt(a[j], 3, 3)}",
                ],
            }
        )
    return rows


def _shapes(params: dense.Params, trace: dense.ForwardTrace) -> list[dict[str, Any]]:
    out = []
    for i, (W, b) in enumerate(params):
        layer = i + 1
        a_shape = trace.A[i].shape
        wa = dense.matmul_shape_check(W.shape, a_shape, layer=layer)  # raises if they misfit
        z_shape = trace.Z[i].shape
        out.append(
            {
                "layer": layer,
                "W": list(W.shape),
                "a": list(a_shape),
                "Wa": list(wa),
                "b": list(b.shape),
                "z": list(z_shape),
                "out": list(trace.A[i + 1].shape),
                "ok": bool(tuple(wa) == tuple(b.shape) == tuple(z_shape)),
                "text": (
                    f"W[{layer}] ({shape_text(W.shape)}) · a[{i}] ({shape_text(a_shape)}) → "
                    f"({shape_text(wa)}),  + b[{layer}] ({shape_text(b.shape)}) → "
                    f"z[{layer}] ({shape_text(z_shape)})"
                ),
                "rule": (
                    f"columns of W[{layer}] = rows of a[{i}] = {W.shape[1]} ✓, "
                    f"rows of W[{layer}] = rows of b[{layer}] = {W.shape[0]} ✓"
                ),
            }
        )
    return out


def _steps(shapes: list[dict[str, Any]], probs_sum: float) -> list[dict[str, Any]]:
    s1, s2 = shapes
    return [
        {
            "kind": "input",
            "layer": 0,
            "title": "Input: a[0] = x",
            "explain": "The input vector enters the network unchanged: it is the activation "
            "of layer 0.",
            "dims": f"a[0] = x has shape ({shape_text(s1['a'])}): one column, one row per input "
            "neuron ✓",
        },
        {
            "kind": "z",
            "layer": 1,
            "title": "Layer 1: z[1] = W[1] a[0] + b[1]",
            "explain": "Each hidden neuron adds up its weighted inputs w·a (the numbers on the "
            "edges) and its bias.",
            "dims": f"{s1['text']}: {s1['rule']}",
        },
        {
            "kind": "act",
            "layer": 1,
            "title": "Layer 1: a[1] = ReLU(z[1])",
            "explain": "ReLU keeps positive values and turns negative ones into 0, neuron by "
            "neuron.",
            "dims": f"ReLU acts elementwise: z[1] ({shape_text(s1['z'])}) → a[1] "
            f"({shape_text(s1['out'])}) ✓",
        },
        {
            "kind": "z",
            "layer": 2,
            "title": "Layer 2: z[2] = W[2] a[1] + b[2]",
            "explain": "Each output neuron adds up the hidden activations times its weights, "
            "plus its bias.",
            "dims": f"{s2['text']}: {s2['rule']}",
        },
        {
            "kind": "act",
            "layer": 2,
            "title": "Layer 2: a[2] = softmax(z[2])",
            "explain": "Softmax turns the output scores into probabilities: e^z of each neuron "
            "divided by the sum over the layer.",
            "dims": f"softmax acts on the whole column: z[2] ({shape_text(s2['z'])}) → a[2] "
            f"({shape_text(s2['out'])}), entries sum to {fmt(probs_sum, 3, 3)} ✓",
        },
        {
            "kind": "done",
            "layer": 2,
            "title": "Done: ŷ = a[2]",
            "explain": "The forward pass is complete: the output is a probability for each class.",
            "dims": f"a[0] ({shape_text(s1['a'])}) → z[1] ({shape_text(s1['z'])}) → a[1] "
            f"({shape_text(s1['out'])}) → z[2] ({shape_text(s2['z'])}) → a[2] "
            f"({shape_text(s2['out'])}) ✓",
        },
    ]


def _current_layer_size(step: int) -> int:
    """Neurons of the layer the step works on (the one whose neurons can be focused)."""
    return SIZES[[0, 1, 1, 2, 2, 2][step]]


def _message(state: dict[str, Any], output: dict[str, Any]) -> str:
    step = state["step"]
    if step == 0:
        return "Press Next Step to compute layer 1, or Auto Run to play every step."
    if step == LAST_STEP:
        k = output["predicted"]
        return (
            f"The network predicts class {k + 1} with probability "
            f"{fmt(output['probs'][k], 3, 3)}. Press Next Step to start again."
        )
    f = state["focus"]
    if step in (1, 3):
        row = state["rows"][step // 2][f]
        return (
            f"Neuron {f + 1}: the products on its edges plus its bias "
            f"{fmt(row['b'], 2)} give z{sub(f + 1)} = {fmt(row['z'])}."
        )
    if step == 2:
        off = [r["neuron"] + 1 for r in state["act_rows"][0] if r["off"]]
        if not off:
            return "Every hidden z is positive, so ReLU passes all of them through."
        names = ", ".join(str(n) for n in off)
        return f"ReLU switched off hidden neuron{'s' if len(off) > 1 else ''} {names} (z ≤ 0)."
    return (
        f"The probabilities add up to {fmt(output['sum'], 3, 3)}; the larger z gets the larger "
        "share."
    )


def _evaluate(state: dict[str, Any]) -> State:
    """Run the forward pass on (W, b, x) with the engine and fill in everything shown."""
    params = _params_from_state(state)
    x = np.asarray(state["x"], dtype=float)
    trace = dense.forward(params, x.reshape(-1, 1), ACTIVATIONS)
    Z = [z[:, 0] for z in trace.Z]
    A = [a[:, 0] for a in trace.A]
    shapes = _shapes(params, trace)
    probs = A[-1]
    output = {
        "probs": probs.tolist(),
        "sum": float(np.sum(probs)),
        "predicted": int(np.argmax(probs)),
    }
    new = {
        **state,
        "sizes": SIZES,
        "activations": ACTIVATIONS,
        "Z": [z.tolist() for z in Z],
        "A": [a.tolist() for a in A],
        "contrib": [(W * A[i][None, :]).tolist() for i, (W, _) in enumerate(params)],
        "rows": [_z_rows(W, A[i], b, Z[i], i + 1) for i, (W, b) in enumerate(params)],
        "act_rows": [_activation_rows(name, Z[i], A[i + 1]) for i, name in enumerate(ACTIVATIONS)],
        "shapes": shapes,
        "steps": _steps(shapes, output["sum"]),
        "output": output,
    }
    new["focus"] = min(int(state.get("focus", 0)), _current_layer_size(new["step"]) - 1)
    new["message"] = _message(new, output)
    new.setdefault("notice", "")
    return cast("State", new)  # the incoming state's keys plus everything derived above


def _with_network(state: dict[str, Any]) -> dict[str, Any]:
    p = state["params"]
    params = make_params(int(p["seed"]), int(state["draws"]), str(p["bias_init"]))
    return {**state, "W": [W.tolist() for W, _ in params], "b": [b.tolist() for _, b in params]}


# --------------------------------------------------------------------------- contract


def initial_state(params: dict[str, Any]) -> State:
    """Step 0 of a fresh network from the seed; the input from the sliders, or from the text
    box when it holds something other than its default (e.g. a URL parameter ``x=2,-1``)."""
    params = dict(params)
    notice = ""
    if "x" in params:  # a bad vector (from a link) is a notice, not a failure
        ok, why = SETTINGS.control("x").validate(params["x"])
        if not ok:
            notice = f"The input vector “{params.pop('x')}” was ignored: {why}."
    p = SETTINGS.clean(params)
    x = [float(p["x1"]), float(p["x2"])]
    if p["x"].strip() != DEFAULT_TEXT:
        x = parse_input(p["x"])
    p.update(x1=x[0], x2=x[1], x=input_text(x))
    state = {"params": p, "draws": 0, "x": x, "step": 0, "focus": 0, "notice": notice}
    return _evaluate(_with_network(state))


def _update(state: dict[str, Any], p: dict[str, Any], name: str) -> State:
    """A control changed. Inputs and weights change the values, never the current step."""
    new = {**state, "notice": ""}
    if name in ("x1", "x2"):
        if len(state["x"]) != SIZES[0]:  # a damaged state: say so, never an IndexError
            raise ValueError(
                f"the state's input x has {len(state['x'])} numbers; this network takes {SIZES[0]}"
            )
        x = list(state["x"])
        x[0 if name == "x1" else 1] = float(p[name])
        p.update(x1=x[0], x2=x[1], x=input_text(x))
        new["x"] = x
    elif name == "x":
        x = parse_input(p["x"])
        p.update(x1=x[0], x2=x[1], x=input_text(x))
        new["x"] = x
    elif name == "seed":
        new["draws"] = 0
    new["params"] = p
    if name in ("seed", "bias_init"):
        new = _with_network(new)
    return _evaluate(new)


set_param = setting_action(SETTINGS, update=_update, reinit=initial_state)


def next_step(state: dict[str, Any]) -> State:
    """Go to the next operation of the forward pass (after the last one: back to step 0)."""
    step = state["step"] + 1 if state["step"] < LAST_STEP else 0
    return _evaluate({**state, "step": step, "focus": 0, "notice": ""})


def reset(state: dict[str, Any]) -> State:
    """Back to step 0 with the same weights and input."""
    return _evaluate({**state, "step": 0, "focus": 0, "notice": ""})


def new_weights(state: dict[str, Any]) -> State:
    """Draw another random network from [seed, draws + 1]; the step stays."""
    return _evaluate(_with_network({**state, "draws": int(state["draws"]) + 1, "notice": ""}))


def set_focus(state: dict[str, Any], neuron: int) -> State:
    """Highlight neuron ``neuron`` (0-based) of the current layer: its edges and its row."""
    n = _current_layer_size(state["step"])
    if not 0 <= int(neuron) < n:
        raise ValueError(f"the current layer has neurons 1 … {n}, not {int(neuron) + 1}")
    return _evaluate({**state, "focus": int(neuron), "notice": ""})


ACTIONS = {
    "set_param": set_param,
    "next_step": next_step,
    "reset": reset,
    "new_weights": new_weights,
    "set_focus": set_focus,
}


# --------------------------------------------------------------------------- Show the NumPy


def numpy_code(state: dict[str, Any]) -> str:
    """The plain-NumPy script of the forward pass up to the current step: a[0] = x, then
    z[l] = W[l] @ a[l-1] + b[l] and a[l] = activation(z[l]) (ReLU, then softmax with the max
    subtracted), with the state's weights, biases and input; at step 5 the prediction."""
    params = _params_from_state(state)  # the shapes are checked by the engine first
    dense.forward(params, np.asarray(state["x"], dtype=float).reshape(-1, 1), ACTIVATIONS)
    step = int(state["step"])
    lines = [
        "# step 0: the input a[0] = x, as a column (2 × 1)",
        *nps.array("a0", [[float(v)] for v in state["x"]]),
        'print("a0:", a0.ravel())',
    ]
    for i, name in enumerate(ACTIVATIONS):
        layer = i + 1
        W, b = params[i]
        n_out, n_in = W.shape
        if step >= 2 * layer - 1:
            lines += [
                f"# step {2 * layer - 1}: z[{layer}] = W[{layer}] a[{layer - 1}] + b[{layer}]: "
                f"({n_out} × {n_in}) @ ({n_in} × 1) + ({n_out} × 1) -> {n_out} × 1",
                *nps.array(f"W{layer}", W.tolist()),
                *nps.array(f"b{layer}", b.tolist()),
                f"z{layer} = W{layer} @ a{layer - 1} + b{layer}",
                f'print("z{layer}:", z{layer}.ravel())',
            ]
        if step >= 2 * layer:
            how = (
                "max(0, z), neuron by neuron"
                if name == "relu"
                else "e^z / Σ e^z down the column (the max subtracted: no exp overflows)"
            )
            lines += [
                f"# step {2 * layer}: a[{layer}] = {nps.LABEL[name]}(z[{layer}]) = {how}",
                *nps.activation_lines(name, f"z{layer}", f"a{layer}"),
                f'print("a{layer}:", a{layer}.ravel())',
            ]
    if step >= 4:
        lines.append('print("sum of a2:", a2.sum())')
    if step >= LAST_STEP:
        lines += [
            "# step 5: the prediction y_hat = a[2]: the class with the largest probability",
            "y_hat = a2",
            'print("predicted class:", np.argmax(y_hat) + 1, "with probability", y_hat.max())',
        ]
    return nps.script(lines)


VIEWS = {"numpy_code": numpy_code}

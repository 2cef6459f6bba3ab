"""Activation Functions Visualizer: shape, range and gradient behaviour of each activation.

Every number drawn by ``static/sketches/activation-functions.js`` is computed here with
``engine.activations``; the sketch only maps numbers to pixels.

The state is :class:`State` (plain JSON)::

    params      current control values (activation, z_range, z, show_derivative, compare_all,
                threshold, depth, logit1, logit2, logit3)
    zs          the input grid, N_SAMPLES points from −z_range to +z_range (0 included)
    curves      {key: {"label", "f": [...], "df": [...]}}: the selected function's curve and,
                when Compare All is on, every elementwise function's and softmax's p₁(z₁)
    selected    key of the highlighted curve ("relu", ..., or "softmax" for softmax's p₁(z₁))
    y_range     [lo, hi]: the plot's y-axis, taken from the values of the drawn curves over
                the chosen input range (never a fixed range, so ReLU is never clipped)
    grad_abs    |f'(z)| of the selected function on the grid (the heat strip), in [0, 1]
    saturated   [[z_from, z_to], ...]: intervals of the grid where |f'(z)| < threshold
    trace       {"z", "f", "df", "saturated"} at the traced point, plus "all": the same for
                every elementwise function when Compare All is on
    table       the chapter's table row of the selected activation (engine ACTIVATION_TABLE)
    table_all   every row (for Compare All)
    flow        {"depth", "max_grad", "z_at_max", "best", "at_trace", "verdict", "sentence"}
    softmax     {"logits", "probs", "sum", "jacobian", "sweep": {"p": [[...] x3], "dp1": [...]}}
    message     one sentence for the reader; clamped: True when z was moved into the range
"""

from __future__ import annotations

from typing import Any, TypedDict

import numpy as np

from engine.activations import (
    ACTIVATION_TABLE,
    ACTIVATIONS,
    saturation_mask,
    softmax,
    softmax_grad,
    softmax_jacobian,
)
from engine.losses import cross_entropy, softmax_cross_entropy_grad
from sims import _numpy_script as nps
from sims._contract import Control, Settings, SimMeta, decimals, setting_action


class State(TypedDict):
    """The state: see the module docstring for what each key holds."""

    params: dict[str, Any]
    zs: np.ndarray | list[float]
    curves: dict[str, dict[str, Any]]
    selected: str
    y_range: list[float]
    grad_abs: np.ndarray | list[float]
    saturated: list[list[float]]
    saturated_fraction: float  # the share of the grid in ``saturated``
    trace: dict[str, Any]
    table: dict[str, Any]
    table_all: list[dict[str, Any]]
    flow: dict[str, Any]
    flow_all: list[dict[str, Any]]  # Compare All: ``flow``'s numbers for every function
    softmax: dict[str, Any]
    clamped: bool
    message: str


META = SimMeta(
    order=2,
    slug="activation-functions",
    title="Activation Functions Visualizer",
    description=(
        "Plot ReLU, Sigmoid, Tanh, Leaky ReLU and Softplus with their derivatives, trace a point "
        "along the curve, see where gradients vanish, compare all functions at once, and turn "
        "three logits into softmax probabilities."
    ),
    bloom="Analyze",
    objectives=[
        "Compare activation functions by their shape, range, and gradient behavior",
        "Identify saturation regions where the derivative is close to zero",
        "Explain how the derivative's size decides whether gradients survive many layers",
        "Interpret softmax outputs as a probability distribution over classes",
    ],
    draw_height=660,
    control_height=330,
    subjects=["Activation Function", "ReLU", "Sigmoid", "Tanh", "Softmax", "Vanishing gradient"],
    lesson_notes=[
        "Start with ReLU and tick *Show Derivative*: the derivative is 1 for z > 0 and 0 for "
        "z ≤ 0. The shaded band marks where |f′(z)| is below the saturation threshold.",
        "Switch to Sigmoid and move the *Trace z* slider to 4 or −4: f′(z) falls below 0.02. "
        "The heat strip under the axis shows the gradient magnitude along the whole input range.",
        "Raise *Layers N*: the panel computes max|f′|^N, the best case factor an activation "
        "can pass back through N layers. Compare 0.25^N for Sigmoid with 1^N for ReLU.",
        "Tick *Compare All* to overlay every function; the panel lists f(z) and f′(z) of each "
        "at the traced point.",
        "Choose Softmax and move the three logits: the bars always sum to 1, and a large gap "
        "between logits pushes one probability towards 1.",
    ],
    describe=(
        "A plot of the selected activation function over the chosen input range with a traced "
        "point, optional derivative curve, shaded saturation regions and a gradient-magnitude "
        "strip under the axis, beside a panel with the function's range, use, gradient issue "
        "and gradient flow through many layers; for softmax, a bar chart of three class "
        "probabilities."
    ),
)

N_SAMPLES = 301
"""Points of the input grid (odd, so z = 0 is a sample and ReLU's kink is drawn sharp)."""

ELEMENTWISE = ["relu", "sigmoid", "tanh", "leaky_relu", "softplus"]
"""The scalar activations of the chapter's visualizer, in the selector's order."""

CONTROLS = [
    Control(
        "activation",
        "select",
        "Activation",
        default="relu",
        options=[
            ["relu", "ReLU"],
            ["sigmoid", "Sigmoid"],
            ["tanh", "Tanh"],
            ["leaky_relu", "Leaky ReLU"],
            ["softplus", "Softplus"],
            ["softmax", "Softmax (3 classes)"],
        ],
    ),
    Control(
        "z_range",
        "slider",
        "Input range ±",
        default=5.0,
        min=1.0,
        max=10.0,
        step=0.5,
        help="The plot shows z from −range to +range",
    ),
    Control(
        "z",
        "slider",
        "Trace z",
        default=1.0,
        min=-10.0,
        max=10.0,
        step=0.1,
        help="The traced point; kept inside the input range",
    ),
    Control("show_derivative", "checkbox", "Show Derivative", default=False),
    Control("compare_all", "checkbox", "Compare All", default=False),
    Control(
        "threshold",
        "slider",
        "Saturation |f′| <",
        default=0.05,
        min=0.005,
        max=0.3,
        step=0.005,
        help="Where |f′(z)| is below this, the region is shaded as saturated",
    ),
    Control(
        "depth",
        "slider",
        "Layers N",
        default=10,
        min=1,
        max=50,
        step=1,
        help="Number of layers for the gradient-flow estimate max|f′|^N",
    ),
    Control("logit1", "slider", "Logit z₁", default=2.0, min=-10.0, max=10.0, step=0.1),
    Control("logit2", "slider", "Logit z₂", default=1.0, min=-10.0, max=10.0, step=0.1),
    Control("logit3", "slider", "Logit z₃", default=0.1, min=-10.0, max=10.0, step=0.1),
]

SETTINGS = Settings(CONTROLS)
_SPECS = SETTINGS.controls


# ------------------------------------------------------------------ the pieces of the state


def _intervals(zs: np.ndarray, mask: np.ndarray) -> list[list[float]]:
    """Contiguous runs of True in ``mask`` as [z_from, z_to], widened to the half-way points
    between samples (clipped to the grid's ends), so a shaded band covers its samples."""
    out = []
    n = mask.size
    i = 0
    while i < n:
        if mask[i]:
            j = i
            while j + 1 < n and mask[j + 1]:
                j += 1
            lo = zs[0] if i == 0 else (zs[i - 1] + zs[i]) / 2
            hi = zs[-1] if j == n - 1 else (zs[j] + zs[j + 1]) / 2
            out.append([float(lo), float(hi)])
            i = j + 1
        else:
            i += 1
    return out


def _softmax_part(p: dict[str, Any], zs: np.ndarray) -> dict[str, Any]:
    """Probabilities of the three logits, the Jacobian, and p_i as z₁ sweeps the grid."""
    logits = np.array([p["logit1"], p["logit2"], p["logit3"]])
    probs = softmax(logits)
    sweep_logits = np.vstack([zs, np.full_like(zs, p["logit2"]), np.full_like(zs, p["logit3"])])
    sweep = softmax(sweep_logits, axis=0)  # (3, N): one column per z₁ on the grid
    target = 0  # class 1 is taken as the true class for the cross-entropy gradient
    onehot = np.eye(3)[target]
    return {
        "logits": logits,
        "probs": probs,
        "true_class": target,
        "ce_loss": cross_entropy(probs[:, None], onehot[:, None]),
        "ce_grad": softmax_cross_entropy_grad(logits[:, None], onehot[:, None])[:, 0],
        "sum": float(np.sum(probs)),
        "argmax": int(np.argmax(probs)),
        "jacobian": softmax_jacobian(logits),
        # ∂p₁/∂z₁ is the Jacobian's diagonal, which the engine's softmax_grad gives
        "sweep": {"p": sweep, "dp1": softmax_grad(sweep_logits)[0]},
        "saturated": saturation_mask("softmax", sweep_logits, p["threshold"])[0],
    }


def _curve(key: str, zs: np.ndarray, sm: dict[str, Any]) -> dict[str, Any]:
    if key == "softmax":
        return {"label": "Softmax p₁(z₁)", "f": sm["sweep"]["p"][0], "df": sm["sweep"]["dp1"]}
    act = ACTIVATIONS[key]
    return {"label": ACTIVATION_TABLE[key]["label"], "f": act.fn(zs), "df": act.grad(zs)}


def _y_range(
    curves: dict[str, dict[str, Any]], with_derivative: bool, extra: list[Any] | None = None
) -> list[float]:
    """The y-axis from the drawn values (5 % margin), always showing y = 0.

    ``extra``: further drawn value arrays (softmax's p₂, p₃ sweeps)."""
    values = [c["f"] for c in curves.values()] + list(extra or [])
    if with_derivative:
        values += [c["df"] for c in curves.values()]
    allv = np.concatenate([np.ravel(v) for v in values])
    lo = min(0.0, float(np.min(allv)))
    hi = max(0.0, float(np.max(allv)))
    if hi - lo < 1e-9:
        hi = lo + 1.0
    margin = 0.05 * (hi - lo)
    return [lo - margin, hi + margin]


def _point(key: str, z: float, threshold: float, p: dict[str, Any]) -> dict[str, Any]:
    """f, f′ and saturation at one input (for softmax: p₁ and ∂p₁/∂z₁ at z₁ = z)."""
    if key == "softmax":
        logits = np.array([z, p["logit2"], p["logit3"]])
        return {
            "key": key,
            "z": z,
            "f": float(softmax(logits)[0]),
            "df": float(softmax_grad(logits)[0]),
            "saturated": bool(saturation_mask("softmax", logits, threshold)[0]),
        }
    act = ACTIVATIONS[key]
    df = float(act.grad(np.array([z]))[0])
    return {
        "key": key,
        "z": z,
        "f": float(act.fn(np.array([z]))[0]),
        "df": df,
        "saturated": bool(saturation_mask(key, np.array([z]), threshold)[0]),
    }


def _flow(key: str, zs: np.ndarray, df: np.ndarray, trace_df: float, depth: int) -> dict[str, Any]:
    """What |f′| means through ``depth`` layers: the best case factor max|f′|^N over the range
    and the factor |f′(z)|^N if every layer sat at the traced input (weights left out)."""
    g = np.abs(df)
    i = int(np.argmax(g))
    max_grad = float(g[i])
    best = max_grad**depth
    at_trace = abs(trace_df) ** depth
    if best < 1e-3:
        verdict = "vanishes"
    elif best < 0.5:
        verdict = "shrinks"
    else:
        verdict = "survives"
    if key == "softmax":
        sentence = (
            "Softmax is applied once, at the output, not stacked in N layers: paired with "
            "cross-entropy its gradient is p − y, which only vanishes when the prediction is right."
        )
    else:
        label = ACTIVATION_TABLE[key]["label"]
        sentence = (
            f"Through {depth} {label} layer{'s' if depth > 1 else ''} the activation can pass "
            f"back at most max|f′|^{depth} = {max_grad:.3g}^{depth} = {best:.3g} of the "
            f"gradient: it {verdict}."
        )
    return {
        "depth": depth,
        "max_grad": max_grad,
        "z_at_max": float(zs[i]),
        "best": best,
        "at_trace": at_trace,
        "verdict": verdict,
        "sentence": sentence,
    }


def _build(p: dict[str, Any], message: str | None = None) -> State:
    """The whole state from validated settings."""
    R = p["z_range"]
    zs = np.linspace(-R, R, N_SAMPLES)
    clamped = not -R <= p["z"] <= R
    if clamped:
        p = {**p, "z": float(np.clip(p["z"], -R, R))}
    key = p["activation"]
    sm = _softmax_part(p, zs)
    softmax_saturated = sm.pop("saturated")  # p₁'s saturation along the sweep, not state
    keys = [*ELEMENTWISE, "softmax"] if p["compare_all"] else [key]
    curves = {k: _curve(k, zs, sm) for k in keys}
    selected = curves[key]
    grad_abs = np.abs(np.asarray(selected["df"]))
    if key == "softmax":
        mask = softmax_saturated
        trace_z = p["logit1"]
    else:
        mask = saturation_mask(key, zs, p["threshold"])
        trace_z = p["z"]
    trace = _point(key, trace_z, p["threshold"], p)
    if p["compare_all"]:
        trace["all"] = [
            _point(k, p["z"], p["threshold"], p) | {"label": ACTIVATION_TABLE[k]["label"]}
            for k in ELEMENTWISE
        ]
    # the softmax view (without Compare All) also draws p₂ and p₃ as z₁ sweeps the range
    sweeps = list(sm["sweep"]["p"][1:]) if key == "softmax" and not p["compare_all"] else []
    flow_all = []
    if p["compare_all"]:
        for k in ELEMENTWISE:
            g = float(np.max(np.abs(curves[k]["df"])))
            flow_all.append(
                {
                    "key": k,
                    "label": ACTIVATION_TABLE[k]["label"],
                    "max_grad": g,
                    "best": g ** p["depth"],
                }
            )
    sat_frac = float(np.mean(mask))
    if message is None:
        if clamped:
            message = f"Trace z was outside ±{R:g}, so it was moved to {p['z']:g}."
        elif trace["saturated"]:
            message = (
                f"At z = {trace_z:g} the gradient |f′| = {abs(trace['df']):.3g} is below "
                f"{p['threshold']:g}: this input is in a saturation region."
            )
        else:
            message = (
                f"{100 * sat_frac:.0f} % of [−{R:g}, {R:g}] is saturated "
                f"(|f′| < {p['threshold']:g})."
            )
    return {
        "params": p,
        "zs": zs,
        "curves": curves,
        "selected": key,
        "y_range": _y_range(curves, p["show_derivative"], sweeps),
        "grad_abs": grad_abs,
        "saturated": _intervals(zs, mask),
        "saturated_fraction": sat_frac,
        "trace": trace,
        "table": ACTIVATION_TABLE[key],
        "table_all": [ACTIVATION_TABLE[k] for k in [*ELEMENTWISE, "softmax"]],
        "flow": _flow(key, zs, selected["df"], trace["df"], p["depth"]),
        "flow_all": flow_all,
        "softmax": sm,
        "clamped": clamped,
        "message": message,
    }


# ------------------------------------------------------------------ the page's calls


def initial_state(params: dict[str, Any]) -> State:
    """The state for the given settings (defaults for missing ones)."""
    return _build(SETTINGS.clean(params))


def _update(state: dict[str, Any], params: dict[str, Any], name: str) -> State:
    """One control changed: recompute everything from the new settings."""
    return _build(params)


set_param = setting_action(SETTINGS, update=_update, reinit=initial_state)


def set_logits(state: dict[str, Any], logits: list[float]) -> State:
    """Set all three softmax logits at once (e.g. from the keyboard)."""
    if len(logits) != 3:
        raise ValueError(f"softmax here takes 3 logits, got {len(logits)}")
    params = {**state["params"], "logit1": logits[0], "logit2": logits[1], "logit3": logits[2]}
    return _build(SETTINGS.clean(params))


def move_z(state: dict[str, Any], steps: int) -> State:
    """Move the traced point by ``steps`` steps of its slider (the arrow keys), staying inside
    the input range. Relative, so quick key presses each move it from the latest state."""
    _, _, step = _SPECS["z"].slider_range
    p = state["params"]
    z = round(float(p["z"]) + int(steps) * step, decimals(step))
    z = min(max(z, -p["z_range"]), p["z_range"])
    return _build(SETTINGS.clean({**p, "z": z}))


ACTIONS = {"set_param": set_param, "set_logits": set_logits, "move_z": move_z}


# ------------------------------------------------------------------ Show the NumPy


def numpy_code(state: dict[str, Any]) -> str:
    """The plain-NumPy script of what the sim shows for its settings: the selected function
    and its derivative at the traced z, the saturated share of the range and the gradient-flow
    factors max|f′|^N and |f′(z)|^N; in softmax mode the probabilities, their Jacobian and
    cross-entropy with its gradient p − y; with Compare All, every function at z."""
    p = SETTINGS.clean(state["params"])
    R, N, key = p["z_range"], p["depth"], p["activation"]
    z = float(np.clip(p["z"], -R, R))  # as _build: the traced point stays inside the range
    grid = [
        f"# the plotted range: {N_SAMPLES} points from −R to R",
        f"zs = np.linspace({nps.number(-R)}, {nps.number(R)}, {N_SAMPLES})",
    ]
    if p["compare_all"]:
        return nps.script(_compare_all_lines(z, N, grid))
    grid.append(f"threshold = {nps.number(p['threshold'])}  # |f'| below this is saturated")
    if key == "softmax":
        return nps.script(_softmax_lines(p, grid))
    df = f"{key}_grad"
    return nps.script(
        [
            f"# {nps.LABEL[key]} and its derivative",
            *nps.function_defs(key),
            *grid,
            "# the traced point: f(z) and f'(z)",
            f"z = {nps.number(z)}",
            f"a = {key}(z)",
            f"da = {df}(z)",
            'print("z:", z)',
            'print("f(z):", a)',
            'print("f\'(z):", da)',
            'print("saturated at z:", abs(da) < threshold)',
            "# the saturated share of the range: where |f'(z)| < threshold",
            f"saturated = np.abs({df}(zs)) < threshold",
            'print("saturated share:", saturated.mean())',
            "# gradient flow through N layers: each passes back at most max|f'| of the gradient",
            f"N = {N}",
            f"max_grad = np.max(np.abs({df}(zs)))",
            'print("max |f\'|:", max_grad)',
            'print("max |f\'|^N:", max_grad**N)',
            'print("|f\'(z)|^N:", abs(da) ** N)',
        ]
    )


def _softmax_lines(p: dict[str, Any], grid: list[str]) -> list[str]:
    logits = [p["logit1"], p["logit2"], p["logit3"]]
    return [
        "# softmax down the column, with the max subtracted so that no exp overflows",
        "def softmax(z):",
        "    exp_z = np.exp(z - np.max(z, axis=0, keepdims=True))",
        "    return exp_z / np.sum(exp_z, axis=0, keepdims=True)",
        "",
        "# the three logits and their probabilities",
        *nps.array("z", logits),
        "p = softmax(z)",
        'print("p:", p)',
        'print("sum of p:", p.sum())',
        "# the Jacobian dp_i/dz_j = p_i (δ_ij − p_j); its diagonal is p_i (1 − p_i)",
        "J = np.diag(p) - np.outer(p, p)",
        'print("Jacobian:", J.tolist())',
        'print("dp1/dz1:", J[0, 0])',
        "# cross-entropy with class 1 as the true class, and its gradient p − y",
        "y = np.array([1.0, 0.0, 0.0])",
        "loss = -np.sum(y * np.log(p))",
        'print("loss:", loss)',
        'print("dL/dz:", p - y)',
        *grid,
        "# the curve p1(z1) as z1 sweeps the range (z2, z3 fixed): one column per z1",
        "Z = np.vstack([zs, np.full_like(zs, z[1]), np.full_like(zs, z[2])])",
        "P = softmax(Z)",
        "dp1 = P[0] * (1 - P[0])",
        'print("saturated share:", np.mean(dp1 < threshold))',
    ]


def _compare_all_lines(z: float, depth: int, grid: list[str]) -> list[str]:
    lines = ["# every activation and its derivative"]
    for key in ELEMENTWISE:
        lines += nps.function_defs(key)
    return [
        *lines,
        "functions = {",
        *(f'    "{k}": ({k}, {k}_grad),' for k in ELEMENTWISE),
        "}",
        *grid,
        "# each function at the traced z, and its best case factor max|f'|^N through N layers",
        f"z = {nps.number(z)}",
        f"N = {depth}",
        "compare = {}",
        "for name, (f, df) in functions.items():",
        "    compare[name] = (f(z), df(z), np.max(np.abs(df(zs))) ** N)",
        "    print(f\"{name}: f(z) = {f(z)}, f'(z) = {df(z)}, max|f'|^N = {compare[name][2]}\")",
    ]


VIEWS = {"numpy_code": numpy_code}

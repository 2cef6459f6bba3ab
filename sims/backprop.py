"""Backpropagation Step-by-Step: a 2 → 3 → 1 network, one training example, the chain rule.

The reader runs the forward pass, then walks the backward pass one step at a time:

  1. δ[2] = ∂L/∂a[2] ⊙ σ'(z[2])                   (for cross-entropy + sigmoid: ŷ − y)
  2. dW[2] = δ[2] a[1]ᵀ,  db[2] = δ[2]              (1×1 · 1×3 → 1×3)
  3. δ[1] = (W[2]ᵀ δ[2]) ⊙ σ'(z[1])                 (3×1 · 1×1 → 3×1)
  4. dW[1] = δ[1] a[0]ᵀ,  db[1] = δ[1]              (3×1 · 1×2 → 3×2)

and then applies W ← W − η dW and sees the loss fall. Every number comes from
``engine.dense`` (forward, backward, sgd_step), ``engine.losses`` and
``engine.activations``; the page only draws them.

Both layers use the sigmoid: the output must lie in (0, 1) for binary cross-entropy, and using
it for MSE too keeps one network for both losses (targets in [0, 1]). The hidden sigmoid keeps
every δ non-zero, so every factor of the chain rule is visible; a ReLU hidden layer could have
dead units whose δ and whole gradient row are exactly 0.

The state is :class:`State` (plain JSON, drawn by ``static/sketches/backpropagation.js``)::

    params    control values: seed, target (text), loss, lr, speed, chain, weight
    x, y      the training example: x [x1, x2], target y (float)
    W, b      [W1 (3×2), W2 (1×3)], [b1 (3×1), b2 (1×1)]
    shapes    {"W1", "W2", "b1", "b2"}: the engine's shapes, [rows, cols]
    phase     "ready" (no forward pass yet) | "forward" | "backward" | "done"
    step      backward steps shown so far, 0..4
    forward   None, or z1, a1 (3×1), z2, a2 (1×1), y_hat, loss, loss_label
    backward  the revealed backward results (see :func:`_backward_view`)
    chain     None, or the chain-rule factors of the highlighted weight (see :func:`_chain`)
    history   loss after each forward pass of this run (first pass, then after each update)
    last_update None, or loss_before, loss_after, lr, W_before, b_before, dW, db, W_after
    check     None, or the finite-difference check (see :func:`numeric_gradient`)
    message   one sentence for the reader
"""

from __future__ import annotations

from typing import Any, TypedDict, cast

import numpy as np

from engine import dense, gradcheck
from engine.activations import get_activation
from engine.losses import get_loss
from sims import _numpy_script as nps
from sims._contract import Control, Settings, SimMeta, setting_action, sub


class State(TypedDict):
    """The state: see the module docstring for what each key holds."""

    params: dict[str, Any]
    x: list[float]
    y: float
    W: list[list[list[float]]]
    b: list[list[list[float]]]
    shapes: dict[str, list[int]]
    phase: str
    step: int
    forward: dict[str, Any] | None
    backward: dict[str, Any]
    chain: dict[str, Any] | None
    history: list[float]
    last_update: dict[str, Any] | None
    check: dict[str, Any] | None
    updates: int  # SGD updates applied in this run
    message: str


META = SimMeta(
    order=5,
    slug="backpropagation",
    title="Backpropagation Step-by-Step",
    description=(
        "Run the forward pass of a 2 → 3 → 1 network, then step the backward pass: δ at each "
        "neuron, weight gradients δ aᵀ with the transpose drawn, shape checks, the chain rule "
        "for any weight with its numbers, and gradient-descent updates that lower the loss."
    ),
    bloom="Analyze",
    objectives=[
        "Understand how gradients flow backward through a network via the chain rule",
        "Compute δ[2] = ∂L/∂a[2] ⊙ σ'(z[2]) and δ[1] = (W[2]ᵀ δ[2]) ⊙ σ'(z[1]) with numbers",
        "Explain why ∂L/∂W[l] = δ[l] a[l−1]ᵀ has exactly the shape of W[l]",
        "Write the chain of factors for one weight and check that their product is its gradient",
        "See that one gradient-descent step W ← W − η dW lowers the loss",
    ],
    draw_height=720,
    control_height=230,
    subjects=["Backpropagation", "Chain rule", "Gradient", "Weight matrix", "Transpose"],
    lesson_notes=[
        "Press *Forward Pass* first: the backward controls stay disabled until the network "
        "has produced ŷ and a loss, because every gradient reuses the forward values.",
        "Press *Backward Step* four times (or *Auto Backprop*): δ[2] at the output, dW[2] = "
        "δ[2] a[1]ᵀ, δ[1] sent back through W[2]ᵀ, then dW[1] = δ[1] a[0]ᵀ. Each weight "
        "gradient is checked against its weight's shape.",
        "Tick *Show Chain Rule* and pick a weight: the chain ∂L/∂a[2] · ∂a[2]/∂z[2] · "
        "∂z[2]/∂a[1] · ∂a[1]/∂z[1] · ∂z[1]/∂W[1] is written with its numbers, and the product "
        "equals the engine's gradient entry.",
        "Switch the loss to Cross-Entropy: with a sigmoid output, δ[2] = ∂L/∂a[2] · σ'(z[2]) "
        "simplifies to ŷ − y, because σ'(z) = ŷ(1 − ŷ) cancels the loss's denominator.",
        "After a full backward pass press *Apply Update* (learning rate η): the loss before and "
        "after are shown, and the small plot records the loss falling over repeated updates.",
        "Both layers use the sigmoid. Its derivative is never 0, so every neuron gets a "
        "non-zero δ; with ReLU a hidden unit with z ≤ 0 would be dead, with δ = 0 and a whole "
        "row of dW[1] equal to 0. The output sigmoid keeps ŷ in (0, 1), so the same targets "
        "work for MSE and for binary cross-entropy.",
        "*Check Gradients* compares the engine's dW and db with central finite differences "
        "(L(w + ε) − L(w − ε)) / 2ε of the loss, computed by the same engine.",
    ],
    describe=(
        "A 2-3-1 neural network diagram with the forward values at each neuron and, after each "
        "backward step, the error signal delta at each neuron and arrows showing the gradient "
        "flowing back; beside it the current backward step written as matrices with numbers, "
        "the transpose of the activations, a shape check, the chain rule for a chosen weight, "
        "and a plot of the loss over updates."
    ),
)

LAYER_SIZES = [2, 3, 1]
ACTIVATIONS = ["sigmoid", "sigmoid"]
X_DEFAULT = [1.0, 0.5]
"""The single training example's input (fixed; the target is a control)."""
EPS_FD = 1e-6
"""Step of the central finite differences in :func:`numeric_gradient`."""
HISTORY_MAX = 200
STEPS = 4
"""Backward steps: δ[2], dW[2] and db[2], δ[1], dW[1] and db[1]."""
CONSTANTS = {"backward_steps": STEPS}

LOSS_OPTIONS = [
    ["mse", "MSE"],
    ["binary_cross_entropy", "Cross-Entropy"],
]
LOSS_LABELS = {
    "mse": "MSE  L = (ŷ − y)²",
    "binary_cross_entropy": "Binary cross-entropy  L = −[y log ŷ + (1 − y) log(1 − ŷ)]",
}


def _weight_options() -> list[list[str]]:
    """Every weight of the network as [value, label]: W1_i_j (0-based) shown 1-based."""
    options = [[f"W2_0_{i}", f"W[2]{sub(1, i + 1)}: h{i + 1} → out"] for i in range(LAYER_SIZES[1])]
    options += [
        [f"W1_{i}_{j}", f"W[1]{sub(i + 1, j + 1)}: x{j + 1} → h{i + 1}"]
        for i in range(LAYER_SIZES[1])
        for j in range(LAYER_SIZES[0])
    ]
    return options


WEIGHT_OPTIONS = _weight_options()

CONTROLS = [
    Control("forward", "button", "Forward Pass", url=False),
    Control("backward", "button", "Backward Step", url=False),
    Control("auto", "button", "Auto Backprop", url=False),
    Control("speed", "slider", "Auto steps/s", default=1.0, min=0.5, max=5, step=0.5),
    Control(
        "target",
        "text",
        "Target y (0 to 1)",
        default="0.8",
        maxlength=12,
        help="The training target, a number between 0 and 1; press Enter",
        check=lambda text: parse_target(text),
    ),
    Control("loss", "select", "Loss", default="mse", options=LOSS_OPTIONS),
    Control("chain", "checkbox", "Show Chain Rule", default=False),
    Control("weight", "select", "Chain rule for", default="W1_0_0", options=WEIGHT_OPTIONS),
    Control("lr", "slider", "Learning rate η", default=1.0, min=0.1, max=10, step=0.1),
    Control("update", "button", "Apply Update", url=False),
    Control(
        "check",
        "button",
        "Check Gradients",
        url=False,
        help="Compare the engine's gradients with finite differences of the loss",
    ),
    Control("seed", "slider", "Seed (weights)", default=3, min=0, max=99, step=1, change="reinit"),
    Control("reset", "button", "Reset", url=False),
]
SETTINGS = Settings(CONTROLS)


# --- helpers ------------------------------------------------------------------------------


def parse_target(text: Any) -> float:
    """The target typed by the reader as a float in [0, 1], or a ValueError saying why not."""
    raw = str(text).strip()
    try:
        value = float(raw)
    except ValueError:
        raise ValueError(
            f"target “{raw}” is not a number: type a number between 0 and 1, e.g. 0.8"
        ) from None
    if not np.isfinite(value) or not 0.0 <= value <= 1.0:
        raise ValueError(
            f"target {raw} is outside [0, 1]: the output ŷ is a sigmoid, always between 0 and 1, "
            "so type a target between 0 and 1"
        )
    return value


def _parse_weight(name: str) -> tuple[int, int, int]:
    """'W1_2_0' -> (layer 1, row 2, column 1), 0-based row/column, checked against the shapes."""
    try:
        layer_txt, i_txt, j_txt = str(name).split("_")
        layer, i, j = int(layer_txt[1:]), int(i_txt), int(j_txt)
        n_out, n_in = LAYER_SIZES[layer], LAYER_SIZES[layer - 1]
        if layer_txt[0] != "W" or layer not in (1, 2) or not (0 <= i < n_out and 0 <= j < n_in):
            raise ValueError
    except (ValueError, IndexError):
        known = ", ".join(v for v, _ in WEIGHT_OPTIONS)
        raise ValueError(f"no weight named {name!r}; choose one of: {known}") from None
    return layer, i, j


def _params(state: dict[str, Any]) -> dense.Params:
    """The state's weights as the engine's ``[(W1, b1), (W2, b2)]``."""
    return [
        (np.asarray(W, dtype=float), np.asarray(b, dtype=float))
        for W, b in zip(state["W"], state["b"], strict=True)
    ]


def _xy(state: dict[str, Any]) -> tuple[np.ndarray, np.ndarray]:
    """The example as columns: X (2, 1), Y (1, 1)."""
    return (np.asarray(state["x"], dtype=float).reshape(-1, 1), np.array([[float(state["y"])]]))


def loss_value(params: dense.Params, X: np.ndarray, Y: np.ndarray, loss: str) -> float:
    """L(ŷ, y) with ŷ = engine.dense.forward(params, X): the function every gradient is of."""
    return get_loss(loss).fn(dense.forward(params, X, ACTIVATIONS).output, Y)


def _shape_check(name: str, grad: np.ndarray, W: np.ndarray) -> dict[str, Any]:
    return {
        "name": name,
        "grad_shape": list(grad.shape),
        "param_shape": list(W.shape),
        "ok": grad.shape == W.shape,
    }


def _forward_view(state: dict[str, Any]) -> dict[str, Any]:
    """The forward pass of the engine on the state's weights and example."""
    params = _params(state)
    X, Y = _xy(state)
    loss = state["params"]["loss"]
    trace = dense.forward(params, X, ACTIVATIONS)
    return {
        "z1": trace.Z[0],
        "a1": trace.A[1],
        "z2": trace.Z[1],
        "a2": trace.A[2],
        "y_hat": float(trace.output[0, 0]),
        "error": float(trace.output[0, 0] - Y[0, 0]),
        "loss": get_loss(loss).fn(trace.output, Y),
        "loss_label": LOSS_LABELS[loss],
    }


def _backward_view(state: dict[str, Any], step: int) -> dict[str, Any]:
    """The engine's backward pass, revealed up to ``step`` (0..4) of the four steps.

    Keys by step: 1 dL_da2, sp2 (σ'(z[2])), delta2, delta2_chain (∂L/∂a[2]·σ'(z[2])),
    simplified (True for cross-entropy + sigmoid); 2 dW2, db2, a1, a1T, check2; 3 W2T,
    W2T_delta2, sp1, delta1; 4 dW1, db1, a0, a0T, check1.
    """
    if step <= 0:
        return {}
    params = _params(state)
    X, Y = _xy(state)
    loss = state["params"]["loss"]
    trace = dense.forward(params, X, ACTIVATIONS)
    grads = dense.backward(params, trace, Y, loss)
    sigma = get_activation("sigmoid")
    W2 = params[1][0]
    dL_da2 = get_loss(loss).grad(trace.output, Y)
    sp2 = sigma.grad(trace.Z[1])
    out: dict[str, Any] = {
        "dL_da2": dL_da2,
        "sp2": sp2,
        "delta2": grads["delta"][1],
        "delta2_chain": dL_da2 * sp2,
        "simplified": (ACTIVATIONS[-1], loss) in dense.SIMPLIFIED_OUTPUT_DELTA,
    }

    def weight_step(layer: int) -> dict[str, Any]:
        """Step 2 (layer 2) or 4 (layer 1): dW[l] = δ[l] a[l−1]ᵀ, db[l], a[l−1] and the check."""
        i = layer - 1
        return {
            f"dW{layer}": grads["dW"][i],
            f"db{layer}": grads["db"][i],
            f"a{i}": trace.A[i],
            f"a{i}T": trace.A[i].T,
            f"check{layer}": _shape_check(f"W[{layer}]", grads["dW"][i], params[i][0]),
        }

    if step >= 2:
        out.update(weight_step(2))
    if step >= 3:
        out.update(
            W2T=W2.T,
            W2T_delta2=W2.T @ grads["delta"][1],
            sp1=sigma.grad(trace.Z[0]),
            delta1=grads["delta"][0],
        )
    if step >= 4:
        out.update(weight_step(1))
    return out


def _factor_words(factor: dict[str, Any], row: int) -> dict[str, str]:
    """How one factor of engine.dense.weight_chain reads in the 2-3-1 network (1-based)."""
    kind, layer, index = factor["kind"], factor["layer"], factor["index"]
    n = [k + 1 for k in index]
    if kind == "loss":
        return {"symbol": "∂L/∂a[2]", "meaning": "loss slope at ŷ"}
    if kind == "slope" and layer == 2:
        return {"symbol": "∂a[2]/∂z[2]", "meaning": "σ'(z[2])"}
    if kind == "slope":
        return {"symbol": f"∂a[1]{sub(*n)}/∂z[1]{sub(*n)}", "meaning": f"σ'(z[1]{sub(*n)})"}
    if kind == "weight":
        return {"symbol": f"∂z[2]/∂a[1]{sub(n[1])}", "meaning": f"W[2]{sub(*n)}"}
    if layer == 1:  # the input of W[2]: a hidden activation
        return {"symbol": f"∂z[2]/∂W[2]{sub(1, *n)}", "meaning": f"a[1]{sub(*n)}"}
    return {
        "symbol": f"∂z[1]{sub(row + 1)}/∂W[1]{sub(row + 1, *n)}",
        "meaning": f"a[0]{sub(*n)} = x{sub(*n)}",
    }


def _chain(state: dict[str, Any]) -> dict[str, Any] | None:
    """The chain rule for the highlighted weight, each factor from the engine, and its product.

    For W[1][i][j]: ∂L/∂a[2] · σ'(z[2]) · W[2][0][i] · σ'(z[1]_i) · a[0]_j; for W[2][0][i]:
    ∂L/∂a[2] · σ'(z[2]) · a[1]_i. ``engine`` is the backward pass's entry once the reader has
    stepped to that layer's dW (else None).
    """
    if state["phase"] == "ready":
        return None
    layer, i, j = _parse_weight(state["params"]["weight"])
    params = _params(state)
    X, Y = _xy(state)
    loss = state["params"]["loss"]
    trace = dense.forward(params, X, ACTIVATIONS)
    row, col = (0, j) if layer == 2 else (i, j)
    factors = [
        {**_factor_words(f, row), "value": f["value"]}
        for f in dense.weight_chain(params, trace, Y, loss, layer, row, col)
    ]
    product = float(np.prod([f["value"] for f in factors]))
    name = f"W[{layer}]{sub(row + 1, col + 1)}"
    engine = None
    if state["step"] >= (2 if layer == 2 else 4):
        grads = dense.backward(params, trace, Y, loss)
        engine = float(grads["dW"][layer - 1][row, col])
    return {
        "weight": name,
        "layer": layer,
        "row": row,
        "col": col,
        "factors": factors,
        "product": product,
        "engine": engine,
        "value": float(params[layer - 1][0][row, col]),
    }


def _finish(state: dict[str, Any]) -> dict[str, Any]:
    """Fill in everything derived from the phase: forward, backward view, chain rule."""
    new = dict(state)
    new["forward"] = None if new["phase"] == "ready" else _forward_view(new)
    new["backward"] = _backward_view(new, new["step"])
    new["chain"] = _chain(new) if new["params"]["chain"] else None
    return new


def _invalidate(state: dict[str, Any], message: str, *, keep_history: bool = False) -> dict:
    """Back to "no forward pass yet": the backward controls are disabled again."""
    return {
        **state,
        "phase": "ready",
        "step": 0,
        "check": None,
        "message": message,
        "history": state["history"] if keep_history else [],
        "last_update": None,
    }


# --- the contract -------------------------------------------------------------------------


def initial_state(params: dict[str, Any]) -> State:
    """Weights from the seed (Xavier init for sigmoid layers), zero biases, no forward pass."""
    p = SETTINGS.clean(params)
    y = parse_target(p["target"])
    rng = np.random.default_rng(p["seed"])
    net = dense.init_params(LAYER_SIZES, rng, scheme="xavier")
    state = {
        "params": p,
        "x": list(X_DEFAULT),
        "y": y,
        "W": [W.tolist() for W, _ in net],
        "b": [b.tolist() for _, b in net],
        "shapes": {
            f"{k}{n}": list(a.shape)
            for n, (W, b) in enumerate(net, start=1)
            for k, a in (("W", W), ("b", b))
        },
        "phase": "ready",
        "step": 0,
        "history": [],
        "last_update": None,
        "check": None,
        "updates": 0,
        "message": "Press Forward Pass: the backward pass needs the forward values first.",
    }
    # _finish fills in forward, backward and chain: every key of State is then present
    return cast("State", _finish(state))


def forward_pass(state: dict[str, Any]) -> dict[str, Any]:
    """Run the forward pass on the current weights; the backward pass starts over."""
    new = {**state, "phase": "forward", "step": 0, "check": None}
    new = _finish(new)
    if not state["history"] or state["phase"] == "ready":
        new["history"] = [new["forward"]["loss"]]
    new["message"] = (
        f"Forward pass done: ŷ = {new['forward']['y_hat']:.4f}, target "
        f"y = {new['y']:g}, loss L = {new['forward']['loss']:.4f}. "
        "Now press Backward Step."
    )
    return new


_STEP_MESSAGES = {
    1: "Step 1: the output error signal δ[2] = ∂L/∂a[2] ⊙ σ'(z[2]).",
    2: "Step 2: dW[2] = δ[2] a[1]ᵀ (1×1 · 1×3 → 1×3) and db[2] = δ[2].",
    3: "Step 3: δ flows back through the transpose: δ[1] = (W[2]ᵀ δ[2]) ⊙ σ'(z[1]).",
    4: "Step 4: dW[1] = δ[1] a[0]ᵀ (3×1 · 1×2 → 3×2) and db[1] = δ[1]. Backward pass "
    "complete: press Apply Update.",
}


def backward_step(state: dict[str, Any]) -> dict[str, Any]:
    """Reveal the next of the four backward steps (needs a forward pass first)."""
    if state["phase"] == "ready":
        raise ValueError("run the Forward Pass first: backpropagation reuses its z and a values")
    if state["step"] >= STEPS:
        return {
            **state,
            "message": "The backward pass is complete: press Apply Update, or "
            "Forward Pass to start again.",
        }
    step = state["step"] + 1
    new = _finish({**state, "step": step, "phase": "done" if step == STEPS else "backward"})
    new["message"] = _STEP_MESSAGES[step]
    return new


def apply_update(state: dict[str, Any]) -> dict[str, Any]:
    """W ← W − η dW, b ← b − η db with the engine's gradients, then a new forward pass."""
    if state["phase"] != "done":
        raise ValueError(
            "finish the backward pass first (all four Backward Steps): the "
            "update needs every gradient dW and db"
        )
    params = _params(state)
    X, Y = _xy(state)
    loss = state["params"]["loss"]
    lr = float(state["params"]["lr"])
    trace = dense.forward(params, X, ACTIVATIONS)
    grads = dense.backward(params, trace, Y, loss)
    new_params = dense.sgd_step(params, grads, lr)
    before = get_loss(loss).fn(trace.output, Y)
    new = {
        **state,
        "W": [W.tolist() for W, _ in new_params],
        "b": [b.tolist() for _, b in new_params],
        "phase": "forward",
        "step": 0,
        "check": None,
        "updates": int(state["updates"]) + 1,
    }
    new = _finish(new)
    after = new["forward"]["loss"]
    new["history"] = [*state["history"], after][-HISTORY_MAX:]
    new["last_update"] = {
        "lr": lr,
        "loss_before": before,
        "loss_after": after,
        "W_before": [W.tolist() for W, _ in params],
        "b_before": [b.tolist() for _, b in params],
        "dW": [g.tolist() for g in grads["dW"]],
        "db": [g.tolist() for g in grads["db"]],
        "W_after": new["W"],
    }
    trend = "fell" if after < before else "rose (try a smaller η)"
    new["message"] = (
        f"Update {new['updates']}: W ← W − η·dW with η = {lr:g}. The loss {trend}: "
        f"{before:.5f} → {after:.5f}. Step backward again for the next update."
    )
    return new


def numeric_gradient(state: dict[str, Any], eps: float = EPS_FD) -> dict[str, Any]:
    """Central finite differences of the loss for every W and b entry, with the engine's loss.

    ∂L/∂θ ≈ (L(θ + ε) − L(θ − ε)) / 2ε by :func:`engine.gradcheck.numeric_grad` (the checker
    the engine's own gradient tests use), L = engine loss of engine.dense.forward. Returns
    ``{"dW": [dW1, dW2], "db": [db1, db2], "eps": eps}``; does not change the state.
    """
    params = _params(state)
    X, Y = _xy(state)
    loss = state["params"]["loss"]
    out: dict[str, list[Any]] = {"dW": [], "db": []}
    for layer in range(len(params)):
        for kind, slot in (("dW", 0), ("db", 1)):

            def loss_with(value: np.ndarray, layer: int = layer, slot: int = slot) -> float:
                trial = [list(pair) for pair in params]
                trial[layer][slot] = value
                return loss_value([(w, b) for w, b in trial], X, Y, loss)

            grad = gradcheck.numeric_grad(loss_with, params[layer][slot], eps)
            out[kind].append(grad.tolist())
    return {**out, "eps": float(eps)}


def check_gradients(state: dict[str, Any]) -> dict[str, Any]:
    """Show the finite-difference check of the completed backward pass's gradients."""
    if state["phase"] != "done":
        raise ValueError("finish the backward pass first (all four Backward Steps), then check")
    params = _params(state)
    X, Y = _xy(state)
    loss = state["params"]["loss"]
    grads = dense.backward(params, dense.forward(params, X, ACTIVATIONS), Y, loss)
    numeric = numeric_gradient(state)
    verdict = gradcheck.agreement(
        [*grads["dW"], *grads["db"]], [*numeric["dW"], *numeric["db"]], rtol=1e-6, atol=1e-9
    )
    check = {
        "eps": numeric["eps"],
        "numeric_dW": numeric["dW"],
        "numeric_db": numeric["db"],
        **verdict,
    }
    said = "agree" if verdict["agree"] else "DISAGREE"
    return {
        **state,
        "check": check,
        "message": f"Finite differences (ε = {numeric['eps']:g}) and the engine's gradients "
        f"{said}: largest difference {verdict['max_abs_diff']:.2e}.",
    }


def _update(state: dict[str, Any], params: dict[str, Any], name: str) -> dict[str, Any]:
    """A control changed. Target and loss change the loss, so the forward pass must run again.
    (The seed is ``change="reinit"``: new weights from ``initial_state``.)"""
    new = {**state, "params": params}
    if name == "target":
        new["y"] = parse_target(params["target"])
        new = _invalidate(
            new, f"Target set to {new['y']:g}: press Forward Pass to see the new loss."
        )
    elif name == "loss":
        label = dict(LOSS_OPTIONS)[params["loss"]]
        new = _invalidate(new, f"Loss set to {label}: press Forward Pass.")
    return _finish(new)


def reset(state: dict[str, Any]) -> State:
    """Back to the seed's initial weights, keeping the settings."""
    return initial_state(state["params"])


# --- "Show the NumPy" -----------------------------------------------------------------------

_LOSS_CODE = {
    "mse": (
        "# the loss: MSE L = (a2 - y)^2, and its slope dL/da2 = 2 (a2 - y)",
        "np.sum((a2 - y) ** 2)",
        "2 * (a2 - y)",
    ),
    "binary_cross_entropy": (
        "# the loss: binary cross-entropy L = -[y log a2 + (1 - y) log(1 - a2)]",
        "-np.sum(y * np.log(a2) + (1 - y) * np.log(1 - a2))",
        "(a2 - y) / (a2 * (1 - a2))",
    ),
}
"""Per loss: the comment, L of a2 and y, and ∂L/∂a2, as the chapter writes them (m = 1)."""


def _weights_code(state: dict[str, Any]) -> list[str]:
    """The weights the sim shows: literals, or (after an update) the update that made them."""
    u = state["last_update"]
    if u is None:
        return [
            "# the weights and biases of the 2 → 3 → 1 network (W1: 3×2, W2: 1×3)",
            *(nps.assign(f"{k}{n}", state[k][n - 1]) for n in (1, 2) for k in ("W", "b")),
        ]
    old = [nps.assign(f"{k}{n}_old", u[f"{k}_before"][n - 1]) for n in (1, 2) for k in ("W", "b")]
    grads = [nps.assign(f"d{k}{n}_old", u[f"d{k}"][n - 1]) for n in (1, 2) for k in ("W", "b")]
    return [
        "# the weights before the last update, and the gradients dW, db it used",
        *old,
        *grads,
        f"lr = {nps.number(u['lr'])}",
        "# the last update (Apply Update): W <- W - lr * dW, b <- b - lr * db",
        "W1, b1 = W1_old - lr * dW1_old, b1_old - lr * db1_old",
        "W2, b2 = W2_old - lr * dW2_old, b2_old - lr * db2_old",
        "# the loss before the update (the forward pass on the old weights)",
        "a2_old = sigmoid(W2_old @ sigmoid(W1_old @ a0 + b1_old) + b2_old)",
        f"loss_before = {_LOSS_CODE[state['params']['loss']][1].replace('a2', 'a2_old')}",
        'print("loss before the update =", loss_before)',
    ]


def _chain_code(state: dict[str, Any]) -> list[str]:
    """The chain rule of the highlighted weight, factor by factor."""
    layer, i, j = _parse_weight(state["params"]["weight"])
    step = state["step"]
    lines = [""]
    if step < 1:
        lines += [f"dL_da2 = {_LOSS_CODE[state['params']['loss']][2]}", "sp2 = a2 * (1 - a2)"]
    if layer == 2:
        lines += [
            f"# chain rule for W2[0, {j}]: dL/da2 · sigmoid'(z2) · a1[{j}]",
            f"chain = dL_da2[0, 0] * sp2[0, 0] * a1[{j}, 0]",
        ]
    else:
        if step < 3:
            lines.append("sp1 = a1 * (1 - a1)")
        lines += [
            f"# chain rule for W1[{i}, {j}]: dL/da2 · sigmoid'(z2) · W2[0, {i}] · "
            f"sigmoid'(z1[{i}]) · a0[{j}]",
            f"chain = dL_da2[0, 0] * sp2[0, 0] * W2[0, {i}] * sp1[{i}, 0] * a0[{j}, 0]",
        ]
    lines.append(f'print("chain rule for W{layer}[{0 if layer == 2 else i}, {j}] =", chain)')
    return lines


def numpy_code(state: dict[str, Any]) -> str:
    """The plain-NumPy script of what the sim shows now ("Show the NumPy").

    The weights (after an update: the weights before it, the gradients and the update), the
    forward pass z = W a + b, a = σ(z) and the loss, the backward steps revealed so far
    (δ2, dW2 = δ2 a1ᵀ and db2, δ1 = (W2ᵀ δ2) ⊙ σ'(z1), dW1 = δ1 a0ᵀ and db1), after the
    fourth step the update W ← W − η dW that *Apply Update* makes, and the chain rule of the
    highlighted weight when it is shown. Names as in the chapter; m = 1, so no 1/m.
    """
    loss = state["params"]["loss"]
    comment, loss_expr, slope_expr = _LOSS_CODE[loss]
    step = int(state["step"]) if state["phase"] != "ready" else 0
    lines = [
        "import numpy as np",
        "",
        "",
        "def sigmoid(z):",
        "    return 1 / (1 + np.exp(-z))",
        "",
        "",
        "# the training example: input a0 = x as a column, and the target y",
        f"a0 = {nps.literal([[v] for v in state['x']])}",
        f"y = np.array([[{nps.number(state['y'])}]])",
        *_weights_code(state),
    ]
    if state["phase"] == "ready":
        lines += [
            "# no forward pass yet: press Forward Pass (the backward pass reuses its z and a)",
            'print("W1 shape:", W1.shape, " W2 shape:", W2.shape)',
        ]
        return nps.join_lines(lines)
    lines += [
        "",
        "# forward pass, layer by layer: z = W a + b, a = sigmoid(z)",
        "z1 = W1 @ a0 + b1",
        "a1 = sigmoid(z1)",
        "z2 = W2 @ a1 + b2",
        "a2 = sigmoid(z2)",
        comment,
        f"loss = {loss_expr}",
        'print("z1 =", z1.ravel())',
        'print("a1 =", a1.ravel())',
        'print("z2 =", z2.ravel())',
        'print("y_hat = a2 =", a2.ravel())',
        'print("loss =", loss)',
    ]
    if step >= 1:
        lines += ["", "# step 1: the output error signal delta2 = dL/da2 * sigmoid'(z2)"]
        lines += [f"dL_da2 = {slope_expr}", "sp2 = a2 * (1 - a2)  # sigmoid'(z2)"]
        if (ACTIVATIONS[-1], loss) in dense.SIMPLIFIED_OUTPUT_DELTA:
            lines += [
                "delta2 = a2 - y  # sigmoid + cross-entropy: dL/da2 * sp2 simplifies to a2 - y",
                'print("dL/da2 * sigmoid\'(z2) =", (dL_da2 * sp2).ravel())',
            ]
        else:
            lines.append("delta2 = dL_da2 * sp2")
        lines += ['print("dL/da2 =", dL_da2.ravel())', 'print("delta2 =", delta2.ravel())']
    if step >= 2:
        lines += [
            "",
            "# step 2: dW2 = delta2 @ a1.T (1×1 @ 1×3 -> 1×3, the shape of W2), db2 = delta2",
            "dW2 = delta2 @ a1.T",
            "db2 = delta2",
            'print("dW2 =", dW2.ravel())',
            'print("dW2.shape == W2.shape:", dW2.shape, W2.shape, dW2.shape == W2.shape)',
            'print("db2 =", db2.ravel())',
        ]
    if step >= 3:
        lines += [
            "",
            "# step 3: delta flows back through W2.T: delta1 = (W2.T @ delta2) * sigmoid'(z1)",
            "sp1 = a1 * (1 - a1)  # sigmoid'(z1)",
            "delta1 = (W2.T @ delta2) * sp1",
            'print("W2.T @ delta2 =", (W2.T @ delta2).ravel())',
            'print("delta1 =", delta1.ravel())',
        ]
    if step >= 4:
        lines += [
            "",
            "# step 4: dW1 = delta1 @ a0.T (3×1 @ 1×2 -> 3×2, the shape of W1), db1 = delta1",
            "dW1 = delta1 @ a0.T",
            "db1 = delta1",
            'print("dW1 =", dW1.ravel())',
            'print("dW1.shape == W1.shape:", dW1.shape, W1.shape, dW1.shape == W1.shape)',
            'print("db1 =", db1.ravel())',
            "",
            "# what Apply Update does: W <- W - lr * dW, b <- b - lr * db, then the new loss",
            f"lr = {nps.number(state['params']['lr'])}",
            "W1_new, b1_new = W1 - lr * dW1, b1 - lr * db1",
            "W2_new, b2_new = W2 - lr * dW2, b2 - lr * db2",
            "a2_new = sigmoid(W2_new @ sigmoid(W1_new @ a0 + b1_new) + b2_new)",
            f"loss_new = {loss_expr.replace('a2', 'a2_new')}",
            'print("loss after the update =", loss_new)',
        ]
    if state["params"]["chain"]:
        lines += _chain_code(state)
    return nps.join_lines(lines)


VIEWS = {"numpy_code": numpy_code}


set_param = setting_action(SETTINGS, update=_update, reinit=initial_state)

ACTIONS = {
    "forward_pass": forward_pass,
    "backward_step": backward_step,
    "apply_update": apply_update,
    "check_gradients": check_gradients,
    "numeric_gradient": numeric_gradient,
    "set_param": set_param,
    "reset": reset,
}

"""Show the NumPy (issue 13): a sim's ``numpy_code(state)`` view is a plain-NumPy script that
recomputes the numbers the sim shows for that state.

For the initial state and states reached by actions, each script (a) imports only
``import numpy as np``; (b) runs in a fresh namespace; (c) computes variables equal to the
state's numbers to 1e-9, the expected values read from the state (never from the script);
(d) prints each key value after its label; and (e) is served by the bridge as ``{"ok": text}``.
A failing comparison prints both values (``tests/numpy_scripts.py``).

Part A: perceptron, activations, architecture, forward (``CASES_A``, ``CHECKS_A``).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

from sims import _bridge
from sims import activations as act
from sims import architecture as arch
from sims import forward as fw
from sims import perceptron as pc
from sims._contract import dumps
from tests.numpy_scripts import close, run, shows

# --------------------------------------------------------------------------- helpers


def jsonable(state: Any) -> dict[str, Any]:
    """The state as the page holds it (JSON), which is what the view receives."""
    return json.loads(dumps(state))


def repeat(fn: Callable[[Any], Any], state: Any, n: int) -> Any:
    for _ in range(n):
        state = fn(state)
    return state


# --------------------------------------------------------------------------- A: perceptron


def perceptron_states() -> list[tuple[str, dict[str, Any]]]:
    s0 = pc.initial_state({})
    one = pc.learn_step(s0)
    xor = pc.initial_state({"preset": "xor"})
    empty = pc.clear_points(one)
    return [
        ("initial", s0),
        ("after-one-update", one),
        ("xor-run-12-ticks", repeat(pc.run_step, xor, 12)),
        ("converged", repeat(pc.learn_step, s0, 200)),
        ("xor-gave-up", repeat(pc.run_step, xor, 60)),
        ("lr-changed-after-update", pc.set_param(one, "lr", 0.9)),
        ("dragged-weights", pc.set_weights(one, [0.5, -2.0])),
        ("bias-moved", pc.set_param(s0, "bias", 1.25)),
        ("no-points", empty),
        ("one-point", pc.add_point(empty, 1.0, -0.5, -1)),
    ]


def check_perceptron(ns: dict[str, Any], out: str, s: dict[str, Any]) -> None:
    close("X", ns["X"], np.reshape(s["X"], (2, -1)))
    assert ns["y"].tolist() == s["y"], (ns["y"], s["y"])
    close("w", ns["w"], s["w"])
    close("b", ns["b"], s["b"])
    close("z", ns["z"], s["z"])
    assert ns["y_hat"].tolist() == s["pred"], (ns["y_hat"], s["pred"])
    assert ns["wrong"].tolist() == s["wrong"], (ns["wrong"], s["wrong"])
    last = s["last"]
    if last is not None:
        close("w_old", ns["w_old"], last["w_old"])
        close("x_i", ns["x_i"], last["x"])
        assert ns["y_i"] == last["y"] and ns["eta"] == last["lr"], (ns["y_i"], ns["eta"], last)
        shows(out, "z_i before the update:", np.dot(last["w_old"], last["x"]) + last["b_old"])
        shows(out, "w after the update:", last["w_new"])
        shows(out, "b after the update:", last["b_new"])
    if s["y"]:
        close("accuracy", ns["accuracy"], s["accuracy"])
        shows(out, "z:", s["z"])
        shows(out, "predictions:", s["pred"])
        shows(out, "misclassified points:", s["wrong"])
        shows(out, "accuracy:", [s["n_correct"], len(s["y"]), s["accuracy"]])
    else:
        assert "accuracy" not in ns, "no points: the script must not compute an accuracy"
        shows(out, "points:", 0)


# --------------------------------------------------------------------------- A: activations


def activation_states() -> list[tuple[str, dict[str, Any]]]:
    s0 = act.initial_state({})
    cases = [("relu-initial", s0), ("relu-at-the-kink", act.move_z(s0, -10))]
    for name, z in [("sigmoid", 4.0), ("tanh", -2.3), ("leaky_relu", -1.5), ("softplus", 0.7)]:
        cases.append((f"{name}-z{z}", act.initial_state({"activation": name, "z": z})))
    return [
        *cases,
        ("sigmoid-clamped", act.initial_state({"activation": "sigmoid", "z": 8, "z_range": 3})),
        ("tanh-deep", act.initial_state({"activation": "tanh", "depth": 50, "threshold": 0.2})),
        ("softmax", act.initial_state({"activation": "softmax"})),
        (
            "softmax-logits",
            act.set_logits(act.initial_state({"activation": "softmax"}), [-3, 7, 7]),
        ),
        ("compare-all", act.initial_state({"compare_all": True, "z": -0.4, "depth": 3})),
        ("softmax-compare-all", act.initial_state({"activation": "softmax", "compare_all": True})),
    ]


def check_activations(ns: dict[str, Any], out: str, s: dict[str, Any]) -> None:
    tr, fl = s["trace"], s["flow"]
    if s["params"]["compare_all"]:
        for row, flow in zip(tr["all"], s["flow_all"], strict=True):
            got = ns["compare"][row["key"]]
            close(f"compare[{row['key']}]", got, [row["f"], row["df"], flow["best"]])
            shows(out, f"{row['key']}: f(z) =", row["f"])
        return
    if s["selected"] == "softmax":
        sm = s["softmax"]
        close("z (logits)", ns["z"], sm["logits"])
        close("p", ns["p"], sm["probs"])
        close("J", ns["J"], sm["jacobian"])
        close("loss", ns["loss"], sm["ce_loss"])
        close("p - y", ns["p"] - ns["y"], sm["ce_grad"])
        close("p[0] (the traced p1)", ns["p"][0], tr["f"])
        close("J[0, 0] (the traced dp1/dz1)", ns["J"][0, 0], tr["df"])
        close("max |dp1|", np.max(np.abs(ns["dp1"])), fl["max_grad"])
        shows(out, "p:", sm["probs"])
        shows(out, "sum of p:", sm["sum"])
        shows(out, "Jacobian:", sm["jacobian"])
        shows(out, "dp1/dz1:", tr["df"])
        shows(out, "loss:", sm["ce_loss"])
        shows(out, "dL/dz:", sm["ce_grad"])
        shows(out, "saturated share:", s["saturated_fraction"])
        return
    close("z", ns["z"], tr["z"])
    close("a = f(z)", ns["a"], tr["f"])
    close("da = f'(z)", ns["da"], tr["df"])
    close("max_grad", ns["max_grad"], fl["max_grad"])
    close("saturated.mean()", ns["saturated"].mean(), s["saturated_fraction"])
    shows(out, "z:", tr["z"])
    shows(out, "f(z):", tr["f"])
    shows(out, "f'(z):", tr["df"])
    assert f"saturated at z: {tr['saturated']}" in out, out
    shows(out, "saturated share:", s["saturated_fraction"])
    shows(out, "max |f'|:", fl["max_grad"])
    shows(out, "max |f'|^N:", fl["best"])
    shows(out, "|f'(z)|^N:", fl["at_trace"])


# --------------------------------------------------------------------------- A: architecture


def architecture_states() -> list[tuple[str, dict[str, Any]]]:
    s0 = arch.initial_state({})
    deep = arch.initial_state(
        {
            "n_in": "3",
            "n_hidden": 5,
            "h3": 1,
            "act1": "leaky_relu",
            "act2": "sigmoid",
            "act3": "tanh",
            "act4": "softplus",
            "act5": "linear",
            "n_out": "1",
            "act_out": "linear",
        }
    )
    broken = arch.set_param(s0, "break_layer", "2")
    return [
        ("initial", s0),
        ("highlight-layer-2", arch.next_layer(arch.next_layer(s0))),
        ("flow-at-the-output", repeat(arch.flow_step, s0, 12)),
        ("flow-midway", repeat(arch.flow_step, s0, 5)),
        ("deep-every-activation-flowed", repeat(arch.flow_step, arch.next_layer(deep), 24)),
        (
            "sigmoid-output-flowed",
            repeat(arch.flow_step, arch.set_param(s0, "act_out", "sigmoid"), 12),
        ),
        ("broken-W2", broken),
        (
            "broken-W2-highlighted-flow-stopped",
            repeat(arch.flow_step, arch.set_param(broken, "highlight", 2), 6),
        ),
        ("broken-W1", arch.set_param(s0, "break_layer", "1")),
        ("break-beyond-the-network", arch.set_param(s0, "break_layer", "6")),
    ]


def check_architecture(ns: dict[str, Any], out: str, s: dict[str, Any]) -> None:
    assert ns["n"] == s["sizes"], (ns["n"], s["sizes"])
    for lay in s["layers"]:
        ly = lay["layer"]
        W, b = ns[f"W{ly}"], ns[f"b{ly}"]
        assert list(W.shape) == lay["W_shape_shown"], (ly, W.shape, lay["W_shape_shown"])
        assert list(b.shape) == lay["b_shape"], (ly, b.shape, lay["b_shape"])
        assert W.size + b.size == lay["params_shown"], (ly, W.size + b.size, lay)
        w_shape = "(" + ", ".join(map(str, lay["W_shape_shown"])) + ")"
        shows(
            out,
            f"layer {ly}: W{ly} {w_shape}, b{ly}",
            [*lay["b_shape"], lay["weights_shown"], lay["biases"], lay["params_shown"]],
        )
    assert ns["total"] == s["total_params"], (ns["total"], s["total_params"])
    shows(out, "total parameters:", s["total_params"])
    m = s["mismatch"]
    if m:
        ly = m["layer"]
        assert ns.get("error"), "the broken product must fail with NumPy's error"
        shows(out, f"W{ly} @ a{ly - 1} fails:", [*m["W_shape"], *m["a_shape"]])
    elif s["highlight"]:
        ly = s["highlight"]["layer"]
        shape = f"{s['sizes'][ly]}×1"
        assert s["highlight"]["shapes"].endswith(f"a[{ly}]: {shape}"), s["highlight"]
        assert ns[f"z{ly}"].shape == (s["sizes"][ly], 1), ns[f"z{ly}"].shape
        shows(
            out,
            f"z{ly} = W{ly} @ a{ly - 1} + b{ly}:",
            [*ns[f"W{ly}"].shape, s["sizes"][ly - 1], 1, s["sizes"][ly], 1],
        )
    flowed = s["output"] is not None and s["flow"]["pos"] >= s["flow"]["end"]
    if flowed:
        close("y_hat", ns["y_hat"], s["output"]["values"])
        shows(out, "y_hat:", s["output"]["values"])
        for i, col in enumerate(s["columns"]):  # node shades: a[l] scaled by its largest |a|
            a = ns[f"a{i}"].ravel()
            close(f"a{i} / max|a{i}|", a / np.max(np.abs(a)) if np.any(a) else a, col["shade"])
    else:
        assert "y_hat" not in ns, "ŷ is not on screen before the flow reaches the output"


# --------------------------------------------------------------------------- A: forward


def forward_states() -> list[tuple[str, dict[str, Any]]]:
    s0 = fw.initial_state({})
    states = [(f"step-{k}", repeat(fw.next_step, s0, k)) for k in range(fw.LAST_STEP + 1)]
    zero = fw.set_param(repeat(fw.next_step, s0, 5), "bias_init", "zero")
    return [
        *states,
        ("zero-biases-done", zero),
        ("new-weights-step-3", fw.new_weights(repeat(fw.next_step, s0, 3))),
        ("typed-input-step-4", fw.set_param(repeat(fw.next_step, s0, 4), "x", "-2.5, 3")),
        ("seed-99-step-2", fw.set_param(repeat(fw.next_step, s0, 2), "seed", 99)),
    ]


def check_forward(ns: dict[str, Any], out: str, s: dict[str, Any]) -> None:
    step = s["step"]
    close("a0", ns["a0"], s["A"][0])
    assert ns["a0"].shape == (2, 1), ns["a0"].shape
    shows(out, "a0:", s["A"][0])
    for i in range(2):
        layer = i + 1
        if step >= 2 * layer - 1:
            close(f"W{layer}", ns[f"W{layer}"], s["W"][i])
            close(f"b{layer}", ns[f"b{layer}"], s["b"][i])
            close(f"z{layer}", ns[f"z{layer}"], s["Z"][i])
            assert ns[f"z{layer}"].shape == tuple(s["shapes"][i]["z"]), ns[f"z{layer}"].shape
            shows(out, f"z{layer}:", s["Z"][i])
        else:
            assert f"z{layer}" not in ns, f"step {step}: z{layer} is not computed yet"
        if step >= 2 * layer:
            close(f"a{layer}", ns[f"a{layer}"], s["A"][layer])
            shows(out, f"a{layer}:", s["A"][layer])
        else:
            assert f"a{layer}" not in ns, f"step {step}: a{layer} is not computed yet"
    if step >= 4:
        shows(out, "sum of a2:", s["output"]["sum"])
    if step == fw.LAST_STEP:
        k = s["output"]["predicted"]
        shows(out, "predicted class:", [k + 1, s["output"]["probs"][k]])


# --------------------------------------------------------------------------- A: the cases

MODULES_A = {"perceptron": pc, "activations": act, "architecture": arch, "forward": fw}
CHECKS_A: dict[str, Callable[[dict[str, Any], str, dict[str, Any]], None]] = {
    "perceptron": check_perceptron,
    "activations": check_activations,
    "architecture": check_architecture,
    "forward": check_forward,
}
CASES_A = [
    (sim, case, jsonable(state))
    for sim, states in [
        ("perceptron", perceptron_states()),
        ("activations", activation_states()),
        ("architecture", architecture_states()),
        ("forward", forward_states()),
    ]
    for case, state in states
]


@pytest.mark.parametrize(
    ("sim", "state"), [(s, st) for s, _, st in CASES_A], ids=[f"{s}-{c}" for s, c, _ in CASES_A]
)
def test_numpy_code_recomputes_what_the_sim_shows_a(sim: str, state: dict[str, Any]) -> None:
    code = MODULES_A[sim].numpy_code(state)
    ns, out = run(code)
    CHECKS_A[sim](ns, out, state)


@pytest.mark.parametrize("sim", sorted(MODULES_A))
def test_the_bridge_serves_numpy_code_as_text_a(sim: str) -> None:
    for _, case, state in [c for c in CASES_A if c[0] == sim][:3]:
        answer = json.loads(_bridge.call(f"{sim}.numpy_code", json.dumps({"state": state})))
        assert set(answer) == {"ok"} and isinstance(answer["ok"], str), (case, answer)
        assert answer["ok"] == MODULES_A[sim].numpy_code(state), case
        run(answer["ok"])


MUTATIONS_A = [
    ("perceptron", "after-one-update", "b = b_old + eta * y_i", "b = b_old - eta * y_i"),
    ("perceptron", "initial", "np.where(z >= 0, 1, -1)", "np.where(z >= 0, -1, 1)"),
    ("activations", "sigmoid-z4.0", "sigmoid(z) * (1 - sigmoid(z))", "sigmoid(z)"),
    ("activations", "softmax", "np.diag(p) - np.outer(p, p)", "np.diag(p)"),
    ("activations", "compare-all", "np.where(z > 0, 1.0, 0.01)", "np.where(z > 0, 1.0, 0.1)"),
    ("architecture", "broken-W2", "np.hstack([W2, ", "np.hstack([W2, W2, "),
    ("architecture", "flow-at-the-output", "np.sqrt(2 / 8)", "np.sqrt(1 / 8)"),
    ("forward", "step-4", "exp_z / np.sum(exp_z", "exp_z / np.max(exp_z"),
    ("forward", "step-2", "np.maximum(0, z1)", "np.maximum(0.1, z1)"),
]


@pytest.mark.parametrize(
    ("sim", "case", "old", "new"), MUTATIONS_A, ids=[m[1] for m in MUTATIONS_A]
)
def test_the_checks_catch_a_script_broken_on_purpose_a(sim: str, case: str, old: str, new: str):
    """The comparisons above can fail: one wrong operator in the script makes them fail."""
    state = next(st for s, c, st in CASES_A if (s, c) == (sim, case))
    code = MODULES_A[sim].numpy_code(state)
    assert old in code, f"the {case} script no longer contains {old!r}"
    ns, out = run(code.replace(old, new))
    with pytest.raises(AssertionError):
        CHECKS_A[sim](ns, out, state)


DAMAGED_A = [
    ("perceptron", "after-one-update", {"last": {}}, "state.last lacks b_new"),
    ("perceptron", "after-one-update", {"w": [1.0]}, "w must have 2 numbers, not 1"),
    ("perceptron", "initial", {"y": [1, -1]}, "X must be 2 rows of one number per label"),
    ("forward", "step-5", {"x": [1.0, 2.0, 3.0]}, "the columns of W must equal the rows of a"),
]


@pytest.mark.parametrize(("sim", "case", "damage", "refusal"), DAMAGED_A)
def test_a_damaged_state_gets_a_sentence_not_a_script_a(sim, case, damage, refusal):
    state = next(st for s, c, st in CASES_A if (s, c) == (sim, case))
    answer = json.loads(
        _bridge.call(f"{sim}.numpy_code", json.dumps({"state": {**state, **damage}}))
    )
    assert answer.get("type") in ("ValueError", "DimensionError"), answer  # refusals
    assert refusal in answer["error"], answer

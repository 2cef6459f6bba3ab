""" "Show the NumPy" (issue 13) for backprop, convolution, normalization and tensor_ops.

Each sim's ``numpy_code(state)`` view is a plain-NumPy script. For states reached by the sims'
own actions these tests (a) parse it and check its only import is ``import numpy as np``,
(b) run it in a fresh namespace with stdout captured, (c) compare the variables it computes
with the numbers of the state (read from the state dict, never from the script) to 1e-9, and
(d) check that the printed output gives each key value. (e) One call per sim goes through
``sims._bridge.call`` as the page makes it.
"""

from __future__ import annotations

import itertools
import json
from typing import Any

import numpy as np
import pytest

from sims import _bridge, backprop, convolution, normalization, tensor_ops
from sims._contract import dumps
from tests.numpy_scripts import close, run, shows


def says(out: str, label: str, want: Any, tol: float = 1e-6) -> None:
    """The output prints ``want`` at the end of the line after ``label`` (to print precision)."""
    shows(out, label, want, tol=tol, last=True)


# --------------------------------------------------------------------------- backprop


def _backprop_states() -> list[tuple[str, dict[str, Any]]]:
    """Every phase and backward step for both losses, an update, and the chain rule on."""
    out = []
    for loss in ("mse", "binary_cross_entropy"):
        s = backprop.initial_state({"loss": loss})
        out.append((f"{loss}-ready", s))
        s = backprop.forward_pass(s)
        out.append((f"{loss}-forward", s))
        for step in range(1, 5):
            s = backprop.backward_step(s)
            out.append((f"{loss}-step{step}", s))
    s = backprop.initial_state({"chain": True, "weight": "W2_0_1", "target": "0.3", "seed": 11})
    s = backprop.forward_pass(s)
    for _ in range(4):
        s = backprop.backward_step(s)
    s = backprop.apply_update(s)
    out.append(("updated-chainW2", s))
    s = backprop.set_param(s, "weight", "W1_2_1")
    s = backprop.backward_step(s)
    out.append(("updated-step1-chainW1", s))
    s = backprop.set_param(s, "lr", 0.5)
    for _ in range(3):
        s = backprop.backward_step(s)
    out.append(("updated-step4-new-lr", s))
    s = backprop.set_param(backprop.initial_state({"loss": "binary_cross_entropy"}), "chain", True)
    out.append(("bce-chain-forward", backprop.forward_pass(s)))
    return out


BACKPROP_STATES = _backprop_states()


def check_backprop(state: dict[str, Any], script: str) -> None:
    ns, out = run(script)
    for n in (1, 2):
        close(f"W{n}", ns[f"W{n}"], state["W"][n - 1])
        close(f"b{n}", ns[f"b{n}"], state["b"][n - 1])
    if state["phase"] == "ready":
        assert "z1" not in ns, "no forward pass yet, but the script computes z1"
        return
    fwd, bwd, step = state["forward"], state["backward"], state["step"]
    for key in ("z1", "a1", "z2", "a2"):
        close(key, ns[key], fwd[key])
    close("loss", ns["loss"], fwd["loss"])
    says(out, "a1 =", fwd["a1"])
    says(out, "y_hat = a2 =", fwd["y_hat"])
    says(out, "loss =", fwd["loss"])
    u = state["last_update"]
    if u is not None:
        close("loss_before", ns["loss_before"], u["loss_before"])
        says(out, "loss before the update =", u["loss_before"])
    expected = {1: ("dL_da2", "delta2"), 2: ("dW2", "db2"), 3: ("sp1", "delta1"), 4: ("dW1", "db1")}
    for k in range(1, 5):
        for key in expected[k]:
            if k <= step:
                close(key, ns[key], bwd[key])
            elif state["chain"] is None:  # (the chain rule needs dL_da2 and sp1 itself)
                assert key not in ns, f"step {step}: {key} is not shown yet"
    if step >= 1:
        close("sp2", ns["sp2"], bwd["sp2"])
        says(out, "delta2 =", bwd["delta2"])
    if step >= 2:
        says(out, "dW2 =", bwd["dW2"])
    if step >= 3:
        says(out, "delta1 =", bwd["delta1"])
    if step >= 4:
        says(out, "dW1 =", bwd["dW1"])
        after = backprop.apply_update(state)  # the engine's update, for comparison
        close("W1_new", ns["W1_new"], after["W"][0])
        close("b2_new", ns["b2_new"], after["b"][1])
        close("loss_new", ns["loss_new"], after["last_update"]["loss_after"])
        says(out, "loss after the update =", after["last_update"]["loss_after"])
    if state["chain"] is not None:
        close("chain", ns["chain"], state["chain"]["product"])
        label = f"chain rule for W{state['chain']['layer']}[{state['chain']['row']}, "
        says(out, label + f"{state['chain']['col']}] =", state["chain"]["product"])
    else:
        assert "chain" not in ns, "the chain rule is not shown, but the script computes it"


@pytest.mark.parametrize(("name", "state"), BACKPROP_STATES, ids=[n for n, _ in BACKPROP_STATES])
def test_backprop_script_recomputes_forward_backward_update_and_chain(name: str, state) -> None:
    check_backprop(state, backprop.numpy_code(state))


def test_backprop_check_fails_when_the_script_gets_dW_wrong() -> None:
    """The comparison can fail: dW2 = delta2 @ a1.T with a1 doubled is caught."""
    state = dict(BACKPROP_STATES)["mse-step4"]
    broken = backprop.numpy_code(state).replace("dW2 = delta2 @ a1.T", "dW2 = delta2 @ (2 * a1).T")
    with pytest.raises(AssertionError, match="dW2"):
        check_backprop(state, broken)


# --------------------------------------------------------------------------- convolution


def _convolution_states() -> list[tuple[str, dict[str, Any]]]:
    """Every kernel × size × stride × padding × pooling (mid position), and the move actions."""
    out = []
    grid = itertools.product(
        convolution.KERNEL_LABELS, ("3", "5"), ("1", "2"), ("valid", "same"), ("none", "max", "avg")
    )
    for kernel, ksize, stride, padding, pool in grid:
        params = {"kernel": kernel, "ksize": ksize, "stride": stride, "padding": padding}
        s = convolution.initial_state({**params, "pool": pool})
        s = convolution.initial_state({**s["params"], "pos": s["n_positions"] // 2 + 1})
        out.append(("-".join([kernel, ksize, stride, padding, pool]), s))
    s = convolution.initial_state({"kernel": "blur", "pool": "max"})
    for direction in ("next", "down", "right", "last", "prev"):
        s = convolution.move(s, direction)
        out.append((f"blur-move-{direction}", s))
    out.append(("animate-wraps", convolution.animate_step(s)))
    return out


CONVOLUTION_STATES = _convolution_states()


def check_convolution(state: dict[str, Any], script: str) -> None:
    ns, out = run(script)
    cur, ker = state["current"], state["kernel"]
    close("K", ns["K"], ker["weights"])
    close("p", ns["p"], state["pad"])
    close("I_pad", ns["I_pad"], state["padded"])
    close("out_size", ns["out_size"], state["size"]["size"])
    says(out, "output size = ", state["size"]["size"])
    close("(i, j)", [ns["i"], ns["j"]], cur["out"])
    close("window", ns["window"], cur["window"])
    # the products grid the sim draws: window · weights, or window · whole-number weights
    close("products", ns["products"], cur["products"] if ker["denominator"] == 1 else cur["scaled"])
    close("out_ij", ns["out_ij"], cur["value"])
    i, j = cur["out"]
    says(out, f"output[{i}][{j}] = sum of products =", cur["value"])
    says(out, "window =", cur["window"])
    close("out", ns["out"], state["output"])
    says(out, "output =", state["output"])
    pool = state["pool"]
    if pool is None:
        assert "pooled" not in ns, "pooling is off, but the script pools"
    elif not pool["too_small"]:
        close("pooled", ns["pooled"], pool["output"])
        says(out, "pooled =", pool["output"])


@pytest.mark.parametrize(
    ("name", "state"), CONVOLUTION_STATES, ids=[n for n, _ in CONVOLUTION_STATES]
)
def test_convolution_script_recomputes_window_sum_output_and_pool(name: str, state) -> None:
    check_convolution(state, convolution.numpy_code(state))


def test_convolution_check_fails_when_the_script_ignores_the_stride() -> None:
    state = dict(CONVOLUTION_STATES)["edge-3-2-same-max"]
    broken = convolution.numpy_code(state).replace("k, s, p = 3, 2,", "k, s, p = 3, 1,")
    with pytest.raises(AssertionError, match="out_size|window|I_pad"):
        check_convolution(state, broken)


# --------------------------------------------------------------------------- normalization


def _normalization_states() -> list[tuple[str, dict[str, Any]]]:
    s = normalization.initial_state({})
    out = [("default", s), ("inference", normalization.set_param(s, "mode", "inference"))]
    params = {"batch": 2, "gamma": 1.5, "beta": -1.0, "shift": 2.0, "scale": 3.0, "seed": 7}
    s = normalization.initial_state(params)
    out.append(("batch2-gamma-beta-shift-scale", s))
    out.append(("batch2-inference", normalization.set_param(s, "mode", "inference")))
    s = normalization.set_param(normalization.initial_state({"batch": 8}), "mode", "inference")
    out.append(("batch8-inference-anim", normalization.anim_step(normalization.anim_start(s))))
    out.append(("focus", normalization.set_focus(normalization.initial_state({}), "ln", 2)))
    return out


NORMALIZATION_STATES = _normalization_states()


def check_normalization(state: dict[str, Any], script: str) -> None:
    ns, out = run(script)
    bn, ln = state["bn"], state["ln"]
    close("x", ns["x"], state["x"])
    close("mu_B", ns["mu_B"], bn["batch_mean"])
    close("var_B", ns["var_B"], bn["batch_var"])
    assert ns["mu_B"].shape == (1, state["shape"][1], 1), "Batch Norm μ keeps dims (1, C, 1)"
    assert ns["mu_L"].shape == (state["shape"][0], 1, 1), "Layer Norm μ keeps dims (N, 1, 1)"
    close("mu_run", ns["mu_run"], bn["running_mean"])
    close("var_run", ns["var_run"], bn["running_var"])
    close("y_bn", ns["y_bn"], bn["y"])
    close("mu_L", ns["mu_L"], ln["mean"])
    close("var_L", ns["var_L"], ln["var"])
    close("y_ln", ns["y_ln"], ln["y"])
    diff = np.abs(ns["y_bn_train"] - ns["y_bn_infer"]).max()
    close("train vs inference", diff, bn["train_infer_max_diff"])
    close("alone (BN)", np.abs(ns["y0_bn"] - ns["y_bn"][:1]).max(), bn["alone_max_diff"])
    close("alone (LN)", np.abs(ns["y0_ln"] - ns["y_ln"][:1]).max(), ln["alone_max_diff"])
    says(out, "Batch Norm means per channel =", bn["batch_mean"])
    says(out, "Batch Norm variances per channel =", bn["batch_var"])
    says(out, "running means =", bn["running_mean"])
    says(out, "running variances =", bn["running_var"])
    says(out, "Layer Norm means per sample =", ln["mean"])
    says(out, "Layer Norm variances per sample =", ln["var"])
    says(out, "training vs inference, largest difference =", bn["train_infer_max_diff"])
    says(out, "sample 0 alone, Batch Norm changes by", bn["alone_max_diff"])
    says(out, "sample 0 alone, Layer Norm changes by", ln["alone_max_diff"])
    if state["params"]["mode"] == "train":
        says(out, "batch means miss the population means by up to", bn["pop_error"])


@pytest.mark.parametrize(
    ("name", "state"), NORMALIZATION_STATES, ids=[n for n, _ in NORMALIZATION_STATES]
)
def test_normalization_script_recomputes_batch_layer_and_running_statistics(name, state) -> None:
    check_normalization(state, normalization.numpy_code(state))


def test_normalization_check_fails_when_batch_norm_uses_the_wrong_axes() -> None:
    state = dict(NORMALIZATION_STATES)["default"]
    broken = normalization.numpy_code(state).replace(
        "mu_B = x.mean(axis=(0, 2)", "mu_B = x.mean(axis=(0, 1)"
    )
    with pytest.raises(AssertionError, match="mu_B"):
        check_normalization(state, broken)


# --------------------------------------------------------------------------- tensor_ops


def _tensor_states() -> list[tuple[str, dict[str, Any]]]:
    """Each operation with settings that work and settings that fail, applied or not."""
    cases: list[dict[str, Any]] = []
    for target in ("(6, 4)", "(-1, 4)", "(4, -1, 3)", "(24,)", "(5, 5)", "(-1, -1)", "(0, 24)"):
        cases.append({"op": "reshape", "target": target})
    for axes in ("(2, 0, 1)", "", "(1, 0, 2)", "(0, 0, 1)", "(1, 0)", "(0, 1, 3)", "(a, b)"):
        cases.append({"op": "transpose", "axes": axes})
    for shape, axis in itertools.product(("(1, 3, 1)", "(2, 3, 4)", "(6,)"), range(-5, 6)):
        for op in ("squeeze", "unsqueeze", "flatten"):
            cases.append({"op": op, "shape": shape, "axis": axis})
    for second, axis in itertools.product(("(2, 3, 4)", "(2, 3, 2)", "(3, 4)"), (-4, -1, 0, 2, 3)):
        cases.append({"op": "concatenate", "second": second, "axis": axis})
        cases.append({"op": "stack", "second": second, "axis": axis})
    for shape, second in (
        ("(2, 3, 4)", "(3, 4)"),
        ("(2, 1, 4)", "(3, 1)"),
        ("(2, 3, 4)", "(2, 4)"),
        ("(4, 1, 5)", "(1, 6, 1)"),  # 120 elements: too many to draw
        ("(2, 3, 4)", "(1,)"),
    ):
        cases.append({"op": "broadcast", "shape": shape, "second": second})
    for spec, second in itertools.product(
        ("bik,bkj->bij", "bqd,bkd->bqk"), ("(2, 4, 5)", "(2, 5, 4)", "(3, 4, 5)", "(4, 5)")
    ):
        cases.append({"op": "einsum", "einsum": spec, "second": second})
    cases += [{"shape": "(2, x)"}, {"shape": "(5, 5, 5)"}, {"op": "stack", "second": "(2,, 3)"}]
    out = []
    for params in cases:
        s = tensor_ops.initial_state(params)
        name = "-".join(str(v) for v in params.values())
        out.append((name, tensor_ops.apply(s) if not s["error"] else s))
    s = tensor_ops.initial_state({})
    out.append(("planned-not-applied", s))
    s = tensor_ops.use_result(tensor_ops.apply(s))
    s = tensor_ops.set_param(s, "op", "transpose")
    out.append(("use-result-then-transpose", tensor_ops.apply(s)))
    return out


TENSOR_STATES = _tensor_states()


def check_tensor_ops(state: dict[str, Any], script: str) -> None:
    ns, out = run(script)
    if state["error"]:
        assert "result" not in ns, (
            f"the sim shows the error {state['error']!r}, but the script computes a result "
            f"{np.shape(ns['result'])}:\n{out}"
        )
        if "try:" in script:
            assert isinstance(ns.get("error"), ValueError), f"NumPy did not raise:\n{out}"
            assert "NumPy raises" in out, f"the output does not say NumPy raises:\n{out}"
        else:  # a text the sim cannot read: its own message, no NumPy call
            assert state["error"] in out, f"the output does not give {state['error']!r}:\n{out}"
        return
    a_shape = state["inputs"][0]["shape"]
    assert list(ns["a"].shape) == a_shape and ns["a"].ravel().tolist() == list(
        range(int(np.prod(a_shape)))
    ), "a is not np.arange numbered in the input shape"
    result = ns["result"]
    assert list(result.shape) == state["result_shape"], (
        f"NumPy gives shape {result.shape}, the sim {state['result_shape']}"
    )
    says(out, "result shape:", state["result_shape"], tol=0)
    op = state["params"]["op"]
    outputs = state["outputs"]
    if op == "broadcast" and outputs[0]["src_index"] is not None:
        close("a_stretched", ns["a_stretched"], outputs[0]["src_index"])
        close("b_stretched", ns["b_stretched"], outputs[1]["src_index"])
        if state["applied"]:
            says(out, "b stretched:", outputs[1]["src_index"], tol=0)
    elif outputs[0]["src_index"] is not None:
        # the sim draws, in output cell m, element src_index[m] of its input
        close("result", result, outputs[0]["src_index"])
        if state["applied"]:
            says(out, "result:", outputs[0]["src_index"], tol=0)


@pytest.mark.parametrize(("name", "state"), TENSOR_STATES, ids=[n for n, _ in TENSOR_STATES])
def test_tensor_ops_script_gives_the_shape_values_or_numpys_error(name: str, state) -> None:
    check_tensor_ops(state, tensor_ops.numpy_code(state))


def test_tensor_ops_cover_both_results_and_errors_of_every_operation() -> None:
    """The sweep above reaches, for every operation, a working and a failing setting."""
    ops = {op for op, _ in tensor_ops.OPS}
    works = {s["params"]["op"] for _, s in TENSOR_STATES if not s["error"]}
    fails = {s["params"]["op"] for _, s in TENSOR_STATES if s["error"]}
    assert works == ops and fails == ops, f"working: {sorted(works)}, failing: {sorted(fails)}"


def test_tensor_ops_check_fails_when_the_script_reverses_the_transpose() -> None:
    state = dict(TENSOR_STATES)["transpose-(2, 0, 1)"]
    broken = tensor_ops.numpy_code(state).replace("(a, (2, 0, 1))", "(a, (1, 2, 0))")
    with pytest.raises(AssertionError, match="shape"):
        check_tensor_ops(state, broken)


# --------------------------------------------------------------------------- the bridge


@pytest.mark.parametrize(
    ("module", "state"),
    [
        ("backprop", BACKPROP_STATES[5][1]),
        ("convolution", CONVOLUTION_STATES[0][1]),
        ("normalization", NORMALIZATION_STATES[1][1]),
        ("tensor_ops", TENSOR_STATES[0][1]),
    ],
    ids=["backprop", "convolution", "normalization", "tensor_ops"],
)
def test_the_bridge_answers_numpy_code_with_the_script(module: str, state) -> None:
    """(e) the page's call: ``{"ok": script}``, the same script as the direct call."""
    answer = json.loads(_bridge.call(f"{module}.numpy_code", dumps({"state": state})))
    assert set(answer) == {"ok"} and isinstance(answer["ok"], str), answer
    assert answer["ok"].startswith("import numpy as np\n"), answer["ok"][:200]
    direct = {
        "backprop": backprop,
        "convolution": convolution,
        "normalization": normalization,
        "tensor_ops": tensor_ops,
    }[module].numpy_code(json.loads(dumps(state)))
    assert answer["ok"] == direct, "the bridge's script differs from numpy_code(state)"

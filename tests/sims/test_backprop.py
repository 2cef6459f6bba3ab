"""sims/backprop.py against independent computations: plain NumPy and central differences."""

from __future__ import annotations

import json

import numpy as np
import pytest

from engine import dense
from sims import backprop as bp
from sims._contract import defaults, dumps

LOSSES = ["mse", "binary_cross_entropy"]


def _sig(z):
    return 1.0 / (1.0 + np.exp(-z))


def _plain(state):
    """The forward and backward pass written out in plain NumPy (no engine), for one example."""
    W1, W2 = (np.array(W) for W in state["W"])
    b1, b2 = (np.array(b) for b in state["b"])
    x = np.array(state["x"]).reshape(2, 1)
    y = state["y"]
    z1 = W1 @ x + b1
    a1 = _sig(z1)
    z2 = W2 @ a1 + b2
    a2 = _sig(z2)
    if state["params"]["loss"] == "mse":
        loss = float((a2[0, 0] - y) ** 2)
        dL_da2 = 2 * (a2 - y)
    else:
        loss = float(-(y * np.log(a2[0, 0]) + (1 - y) * np.log(1 - a2[0, 0])))
        dL_da2 = (a2 - y) / (a2 * (1 - a2))
    d2 = dL_da2 * a2 * (1 - a2)
    d1 = (W2.T @ d2) * a1 * (1 - a1)
    return {
        "z1": z1,
        "a1": a1,
        "z2": z2,
        "a2": a2,
        "loss": loss,
        "dL_da2": dL_da2,
        "delta2": d2,
        "delta1": d1,
        "dW2": d2 @ a1.T,
        "db2": d2,
        "dW1": d1 @ x.T,
        "db1": d1,
    }


def _full(loss="mse", **params):
    state = bp.initial_state({"loss": loss, "chain": True, **params})
    state = bp.forward_pass(state)
    for _ in range(bp.STEPS):
        state = bp.backward_step(state)
    return state


def _close(actual, expected, name, rtol=1e-12, atol=1e-14):
    actual, expected = np.asarray(actual, float), np.asarray(expected, float)
    assert actual.shape == expected.shape, f"{name}: shape {actual.shape} != {expected.shape}"
    assert np.allclose(actual, expected, rtol=rtol, atol=atol), (
        f"{name}:\n sim      {actual.tolist()}\n expected {expected.tolist()}"
    )


def test_network_is_2_3_1_with_13_parameters_and_engine_shapes():
    state = bp.initial_state({})
    assert state["shapes"] == {"W1": [3, 2], "b1": [3, 1], "W2": [1, 3], "b2": [1, 1]}
    assert [np.shape(W) for W in state["W"]] == [(3, 2), (1, 3)]
    assert dense.param_count(bp.LAYER_SIZES) == 13
    assert state["params"]["loss"] == "mse" and len(state["x"]) == 2  # MSE, one example


def test_the_seed_reproduces_the_weights_and_biases_start_at_zero():
    """Same seed, same network (a shared link shows the same numbers); another seed, other
    weights; Xavier init leaves the biases at zero and keeps |W| within √(6/(n_in+n_out))."""
    state = bp.initial_state({"seed": 11})
    assert bp.initial_state({"seed": 11})["W"] == state["W"]
    assert bp.initial_state({"seed": 12})["W"] != state["W"]
    assert all(np.all(np.asarray(b) == 0) for b in state["b"]), state["b"]
    for W in state["W"]:
        n_out, n_in = np.shape(W)
        bound = np.sqrt(6 / (n_in + n_out))
        assert np.all(np.abs(W) <= bound), (W, bound)


def test_backward_is_refused_before_the_forward_pass():
    state = bp.initial_state({})
    assert state["phase"] == "ready" and state["forward"] is None and state["backward"] == {}
    with pytest.raises(ValueError, match="Forward Pass first"):
        bp.backward_step(state)
    with pytest.raises(ValueError, match="backward pass first"):
        bp.apply_update(state)
    with pytest.raises(ValueError, match="backward pass first"):
        bp.check_gradients(state)


@pytest.mark.parametrize("loss", LOSSES)
def test_forward_values_equal_plain_numpy(loss):
    state = bp.forward_pass(bp.initial_state({"loss": loss, "target": "0.3"}))
    ref = _plain(state)
    f = state["forward"]
    for key in ("z1", "a1", "z2", "a2"):
        _close(f[key], ref[key], key)
    assert f["y_hat"] == pytest.approx(ref["a2"][0, 0], rel=1e-14)
    assert f["error"] == pytest.approx(ref["a2"][0, 0] - 0.3, rel=1e-12)
    assert f["loss"] == pytest.approx(ref["loss"], rel=1e-12)
    assert state["history"] == [f["loss"]]


def test_backward_steps_reveal_one_stage_at_a_time():
    state = bp.forward_pass(bp.initial_state({}))
    seen = []
    for _ in range(bp.STEPS):
        state = bp.backward_step(state)
        seen.append(sorted(state["backward"]))
    assert "delta2" in seen[0] and "dW2" not in seen[0]
    assert "dW2" in seen[1] and "delta1" not in seen[1]
    assert "delta1" in seen[2] and "dW1" not in seen[2]
    assert "dW1" in seen[3] and state["phase"] == "done"
    assert [s for s in seen[0]] == sorted(["dL_da2", "sp2", "delta2", "delta2_chain", "simplified"])
    # a fifth step changes nothing but the message
    again = bp.backward_step(state)
    assert again["backward"] == state["backward"] and again["step"] == 4


@pytest.mark.parametrize("loss", LOSSES)
@pytest.mark.parametrize("seed", [0, 3, 42])
def test_gradients_equal_plain_numpy_chain_rule(loss, seed):
    state = _full(loss, seed=seed, target="0.8")
    ref = _plain(state)
    b = state["backward"]
    for key in ("delta2", "delta1", "dW2", "db2", "dW1", "db1", "dL_da2"):
        _close(b[key], ref[key], key, rtol=1e-10)
    _close(b["sp2"], ref["a2"] * (1 - ref["a2"]), "sigma'(z2)")
    _close(b["sp1"], ref["a1"] * (1 - ref["a1"]), "sigma'(z1)")
    _close(b["W2T_delta2"], np.array(state["W"][1]).T @ ref["delta2"], "W2^T delta2")


def test_transposes_are_shown_as_rows_and_columns():
    b = _full()["backward"]
    assert np.shape(b["a1"]) == (3, 1) and np.shape(b["a1T"]) == (1, 3)
    assert np.shape(b["a0"]) == (2, 1) and np.shape(b["a0T"]) == (1, 2)
    assert np.shape(b["W2T"]) == (3, 1)
    _close(b["a1T"], np.array(b["a1"]).T, "a1T")
    _close(b["a0T"], np.array(b["a0"]).T, "a0T")
    _close(b["W2T"], np.array(_full()["W"][1]).T, "W2T")


def test_gradient_shapes_are_checked_against_weight_shapes():
    b = _full()["backward"]
    assert b["check2"] == {"name": "W[2]", "grad_shape": [1, 3], "param_shape": [1, 3], "ok": True}
    assert b["check1"] == {"name": "W[1]", "grad_shape": [3, 2], "param_shape": [3, 2], "ok": True}


def test_cross_entropy_output_delta_simplifies_to_error():
    state = _full("binary_cross_entropy", target="1.0")
    b = state["backward"]
    assert b["simplified"] is True
    error = state["forward"]["y_hat"] - 1.0
    assert b["delta2"][0][0] == pytest.approx(error, rel=1e-14)
    assert b["delta2_chain"][0][0] == pytest.approx(error, rel=1e-9)  # ∂L/∂a · σ' before cancelling
    assert _full("mse")["backward"]["simplified"] is False


@pytest.mark.parametrize("loss", LOSSES)
def test_chain_rule_product_equals_the_engine_entry_for_every_weight(loss):
    state = _full(loss)
    for value, _label in bp.WEIGHT_OPTIONS:
        chain = bp.set_param(state, "weight", value)["chain"]
        layer, i, j = bp._parse_weight(value)
        expected = state["backward"][f"dW{layer}"][i][j]
        assert chain["engine"] == pytest.approx(expected, rel=1e-15), value
        assert chain["product"] == pytest.approx(expected, rel=1e-12), (value, chain)
        assert len(chain["factors"]) == (5 if layer == 1 else 3)
        assert chain["product"] == pytest.approx(np.prod([f["value"] for f in chain["factors"]]))


def test_chain_rule_factors_are_the_named_quantities():
    state = _full(weight="W1_2_1")
    ref = _plain(state)
    values = [f["value"] for f in state["chain"]["factors"]]
    expected = [
        ref["dL_da2"][0, 0],
        (ref["a2"] * (1 - ref["a2"]))[0, 0],
        state["W"][1][0][2],
        (ref["a1"] * (1 - ref["a1"]))[2, 0],
        state["x"][1],
    ]
    np.testing.assert_allclose(values, expected, rtol=1e-12)
    assert state["chain"]["weight"] == "W[1]₃₂"


def test_chain_rule_waits_for_its_layer_before_comparing_with_the_engine():
    state = bp.forward_pass(bp.initial_state({"chain": True, "weight": "W1_0_0"}))
    assert state["chain"]["engine"] is None and state["chain"]["product"] != 0
    for _ in range(3):
        state = bp.backward_step(state)
    assert state["chain"]["engine"] is None
    assert bp.backward_step(state)["chain"]["engine"] is not None
    assert bp.initial_state({"chain": True})["chain"] is None  # nothing before the forward pass
    assert bp.forward_pass(bp.initial_state({}))["chain"] is None  # toggle off: no chain


def _central_difference(state, eps=1e-6):
    """∂L/∂θ by central differences, with engine.dense.forward and the engine's loss."""
    from engine.losses import get_loss

    params = [
        (np.array(W, dtype=float), np.array(b, dtype=float))  # JSON may give int 0s
        for W, b in zip(state["W"], state["b"], strict=True)
    ]
    X = np.array(state["x"], dtype=float).reshape(2, 1)
    Y = np.array([[state["y"]]], dtype=float)
    loss = get_loss(state["params"]["loss"]).fn
    out = {"dW": [], "db": []}
    for layer in range(2):
        for key, slot in (("dW", 0), ("db", 1)):
            grad = np.zeros_like(params[layer][slot])
            for idx in np.ndindex(grad.shape):
                vals = []
                for sign in (1, -1):
                    trial = [list(p) for p in params]
                    trial[layer][slot] = trial[layer][slot].copy()
                    trial[layer][slot][idx] += sign * eps
                    out_ = dense.forward([tuple(p) for p in trial], X, bp.ACTIVATIONS).output
                    vals.append(loss(out_, Y))
                grad[idx] = (vals[0] - vals[1]) / (2 * eps)
            out[key].append(grad)
    return out


@pytest.mark.parametrize("loss", LOSSES)
def test_engine_gradients_equal_central_differences(loss):
    state = _full(loss, target="0.2")
    fd = _central_difference(state)
    b = state["backward"]
    for key, ours in (("dW", [b["dW1"], b["dW2"]]), ("db", [b["db1"], b["db2"]])):
        for layer in range(2):
            _close(ours[layer], fd[key][layer], f"{key}[{layer + 1}]", rtol=1e-6, atol=1e-9)
    numeric = bp.numeric_gradient(state)
    for key in ("dW", "db"):
        for layer in range(2):
            _close(numeric[key][layer], fd[key][layer], f"numeric {key}", rtol=1e-9, atol=1e-12)
    check = bp.check_gradients(state)["check"]
    assert check["agree"] and check["max_abs_diff"] < 1e-8, check


def test_apply_update_is_one_sgd_step_and_the_loss_falls():
    state = _full(lr=1.0)
    grads = {
        "dW": [np.array(state["backward"]["dW1"]), np.array(state["backward"]["dW2"])],
        "db": [np.array(state["backward"]["db1"]), np.array(state["backward"]["db2"])],
    }
    params = [(np.array(W), np.array(b)) for W, b in zip(state["W"], state["b"], strict=True)]
    expected = dense.sgd_step(params, grads, 1.0)
    new = bp.apply_update(state)
    for (W, b), W_s, b_s in zip(expected, new["W"], new["b"], strict=True):
        _close(W_s, W, "W after update")
        _close(b_s, b, "b after update")
    u = new["last_update"]
    assert u["loss_after"] < u["loss_before"], u
    assert u["loss_after"] == pytest.approx(_plain(new)["loss"], rel=1e-12)
    assert new["phase"] == "forward" and new["step"] == 0 and new["history"][-1] == u["loss_after"]
    with pytest.raises(ValueError):  # the next update needs a new backward pass
        bp.apply_update(new)


@pytest.mark.parametrize("loss", LOSSES)
def test_repeated_updates_lower_the_loss_every_time(loss):
    state = _full(loss)
    for _ in range(8):
        state = bp.apply_update(state)
        for _ in range(bp.STEPS):
            state = bp.backward_step(state)
    history = state["history"]
    assert len(history) == 9
    assert all(b < a for a, b in zip(history, history[1:], strict=False)), history


@pytest.mark.parametrize("bad", ["abc", "1.5", "-0.1", "nan", "", "inf"])
def test_bad_target_raises_a_message_naming_the_range(bad):
    state = bp.initial_state({})
    with pytest.raises(ValueError, match="between 0 and 1"):
        bp.set_param(state, "target", bad)
    with pytest.raises(ValueError, match="between 0 and 1"):
        bp.initial_state({"target": bad})


def test_changing_target_or_loss_requires_a_new_forward_pass():
    state = _full()
    for name, value in (("target", "0.25"), ("loss", "binary_cross_entropy")):
        new = bp.set_param(state, name, value)
        assert new["phase"] == "ready" and new["step"] == 0 and new["forward"] is None, name
        assert new["W"] == state["W"]
    assert bp.set_param(state, "target", " 0.25 ")["y"] == 0.25


def test_every_value_control_changes_the_state():
    state = _full()
    other = {
        "speed": 3.0,
        "target": "0.4",
        "loss": "binary_cross_entropy",
        "chain": False,
        "weight": "W2_0_1",
        "lr": 0.5,
        "seed": 9,
    }
    assert set(other) == set(defaults(bp.CONTROLS))
    for name, value in other.items():
        new = bp.set_param(state, name, value)
        assert new != state, name
        assert new["params"][name] == value, (name, new["params"][name])


def test_states_are_json_and_actions_keep_them_json():
    state = _full()
    for s in (state, bp.apply_update(state), bp.check_gradients(state), bp.reset(state)):
        json.loads(dumps(s))


def test_reset_returns_to_the_seed_weights_with_the_settings_kept():
    state = bp.apply_update(_full(seed=5, lr=2.0))
    again = bp.reset(state)
    assert again["W"] == bp.initial_state({"seed": 5})["W"]
    assert again["params"]["lr"] == 2.0 and again["phase"] == "ready" and again["history"] == []


def test_unknown_weight_is_refused_with_the_known_names():
    with pytest.raises(ValueError, match="W1_0_0"):
        bp.set_param(bp.initial_state({}), "weight", "W3_0_0")

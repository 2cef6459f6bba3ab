"""sims/forward.py (Forward Propagation Step-by-Step) against independent computations.

The sim's numbers are checked against engine.dense.forward on the same weights and against a
plain-NumPy forward pass written here (ReLU = max(0, z), softmax = e^z / Σ e^z).
"""

from __future__ import annotations

import json

import numpy as np
import pytest

from engine import dense
from sims import forward as fp
from sims._contract import defaults, dumps


def plain_forward(W, b, x):
    """The chapter's forward pass in plain NumPy, independent of the engine."""
    a0 = np.asarray(x, dtype=float).reshape(-1, 1)
    z1 = np.asarray(W[0]) @ a0 + np.asarray(b[0])
    a1 = np.maximum(0.0, z1)
    z2 = np.asarray(W[1]) @ a1 + np.asarray(b[1])
    a2 = np.exp(z2) / np.sum(np.exp(z2))
    return [z1.ravel(), z2.ravel()], [a0.ravel(), a1.ravel(), a2.ravel()]


@pytest.fixture
def state():
    return fp.initial_state(defaults(fp.CONTROLS))


def test_defaults_are_the_chapter_spec_2_3_2_relu_softmax_input_1_05(state):
    assert state["sizes"] == [2, 3, 2]
    assert state["activations"] == ["relu", "softmax"]
    assert state["x"] == [1.0, 0.5], state["x"]
    assert state["params"]["x"] == "1.0, 0.5"
    assert state["step"] == 0
    assert [np.shape(W) for W in state["W"]] == [(3, 2), (2, 3)]
    assert [np.shape(b) for b in state["b"]] == [(3, 1), (2, 1)]


def test_weights_are_reproducible_per_seed_and_draw_and_shown_to_two_decimals():
    """Same (seed, draws), same weights (a shared link shows the same numbers); a new draw or
    seed gives others; every weight and bias has at most 2 decimals, as the screen shows it."""
    got = fp.make_params(31, 0, "random")
    again = fp.make_params(31, 0, "random")
    for (W, b), (W2, b2) in zip(got, again, strict=True):
        np.testing.assert_array_equal(W, W2)
        np.testing.assert_array_equal(b, b2)
    for other in (fp.make_params(31, 1, "random"), fp.make_params(32, 0, "random")):
        assert not np.array_equal(other[0][0], got[0][0])
    for W, b in got:
        for v in (W, b):
            np.testing.assert_allclose(v * 100, np.round(v * 100), atol=1e-9)
    assert [W.shape for W, _ in got] == [(3, 2), (2, 3)]


def test_biases_random_from_the_same_generator_after_weights_or_zero():
    rng = np.random.default_rng([31, 0])
    dense.init_params([2, 3, 2], rng, "he")
    b1 = np.round(rng.normal(0, fp.BIAS_STD, (3, 1)), 2)
    got = fp.make_params(31, 0, "random")
    np.testing.assert_array_equal(got[0][1], b1)
    assert np.any(got[0][1] != 0), "random biases should make '+ b' visible"
    zero = fp.make_params(31, 0, "zero")
    assert all(np.all(b == 0) for _, b in zero)
    for (W, _), (W0, _) in zip(got, zero, strict=True):
        np.testing.assert_array_equal(W, W0)  # the Biases choice never changes W


def test_state_values_equal_engine_forward_and_plain_numpy(state):
    params = [(np.array(W), np.array(b)) for W, b in zip(state["W"], state["b"], strict=True)]
    trace = dense.forward(params, np.array([[1.0], [0.5]]), ["relu", "softmax"])
    for i in range(2):
        np.testing.assert_allclose(state["Z"][i], trace.Z[i].ravel(), rtol=0, atol=1e-12)
    for i in range(3):
        np.testing.assert_allclose(state["A"][i], trace.A[i].ravel(), rtol=0, atol=1e-12)
    Z, A = plain_forward(state["W"], state["b"], state["x"])
    for i in range(2):
        np.testing.assert_allclose(state["Z"][i], Z[i], atol=1e-12)
    np.testing.assert_allclose(state["A"][2], A[2], atol=1e-12)


def test_softmax_output_sums_to_one_and_prediction_is_argmax(state):
    assert abs(state["output"]["sum"] - 1.0) < 1e-12, state["output"]
    assert state["output"]["predicted"] == int(np.argmax(state["A"][2]))


def test_edge_contributions_are_w_times_a_and_rows_add_up_to_z(state):
    for i in range(2):
        W = np.array(state["W"][i])
        a = np.array(state["A"][i])
        np.testing.assert_allclose(state["contrib"][i], W * a[None, :], atol=1e-15)
        for j, row in enumerate(state["rows"][i]):
            total = sum(t["product"] for t in row["terms"]) + row["b"]
            assert abs(total - state["Z"][i][j]) < 1e-12, (i, j, total, state["Z"][i][j])
            assert [t["w"] for t in row["terms"]] == list(W[j])


def test_written_out_sum_has_every_product_and_the_bias():
    s = fp.initial_state({**defaults(fp.CONTROLS), "seed": 31})
    row = s["rows"][0][0]
    W, b = s["W"][0], s["b"][0]
    text = " ".join(row["tokens"])
    for k in range(2):
        assert fp.paren(W[0][k], 2) in text, (W[0][k], text)
    assert fp.paren(b[0][0], 2) in text
    assert text.endswith(f"= {fp.fmt(s['Z'][0][0])}"), text
    # layer 2 rows have three products
    assert len(s["rows"][1][0]["terms"]) == 3


def test_known_numbers_for_a_hand_made_network():
    """A network small enough to do by hand: z1 = (0.5)(1) + (−0.25)(0.5) + 0.1 = 0.475."""
    s = fp.initial_state(defaults(fp.CONTROLS))
    s = {
        **s,
        "W": [[[0.5, -0.25], [1.0, 1.0], [-1.0, 0.0]], [[1.0, 0.0, 0.0], [0.0, 1.0, 0.0]]],
        "b": [[[0.1], [0.0], [0.0]], [[0.0], [0.0]]],
    }
    s = fp.reset(s)
    assert s["Z"][0] == pytest.approx([0.475, 1.5, -1.0])
    assert s["A"][1] == pytest.approx([0.475, 1.5, 0.0])  # ReLU switched neuron 3 off
    assert s["act_rows"][0][2]["off"] is True
    e = np.exp([0.475, 1.5])
    assert s["A"][2] == pytest.approx(list(e / e.sum()))
    assert " ".join(s["rows"][0][0]["tokens"]) == (
        "z₁ = (0.50)(1.00) + (−0.25)(0.50) + (0.10) = 0.50 − 0.125 + 0.10 = 0.475"
    )


def test_shapes_are_checked_by_the_engine_at_each_layer(state):
    s1, s2 = state["shapes"]
    keys = ("W", "a", "Wa", "b", "z")
    assert [s1[k] for k in keys] == [[3, 2], [2, 1], [3, 1], [3, 1], [3, 1]], s1
    assert [s2[k] for k in keys] == [[2, 3], [3, 1], [2, 1], [2, 1], [2, 1]], s2
    assert s1["ok"] and s2["ok"]
    assert tuple(s1["Wa"]) == dense.matmul_shape_check((3, 2), (2, 1), layer=1)
    assert "3×2" in state["steps"][1]["dims"] and "2×3" in state["steps"][3]["dims"]


def test_mismatched_shapes_raise_a_dimension_error_naming_them(state):
    bad = {**state, "W": [[[1.0, 2.0, 3.0]] * 3, state["W"][1]]}  # W[1] 3×3 with a 2-vector
    with pytest.raises(dense.DimensionError, match=r"W\[1\] has shape \(3, 3\)"):
        fp.reset(bad)


def test_next_step_walks_0_to_5_then_back_to_0(state):
    kinds = []
    s = state
    for _ in range(6):
        kinds.append(s["steps"][s["step"]]["kind"])
        s = fp.next_step(s)
    assert kinds == ["input", "z", "act", "z", "act", "done"], kinds
    assert s["step"] == 0


def test_reset_returns_to_step_0_keeping_weights(state):
    s = fp.next_step(fp.next_step(state))
    r = fp.reset(s)
    assert r["step"] == 0 and r["W"] == state["W"]


def test_new_weights_redraws_from_seed_and_draw_count(state):
    s = fp.new_weights(fp.next_step(state))
    assert s["draws"] == 1 and s["step"] == 1
    assert s["W"] != state["W"]
    expected = fp.make_params(31, 1, "random")
    assert s["W"] == [W.tolist() for W, _ in expected]
    params = [(np.array(W), np.array(b)) for W, b in zip(s["W"], s["b"], strict=True)]
    trace = dense.forward(params, np.array([1.0, 0.5]), ["relu", "softmax"])
    np.testing.assert_allclose(s["A"][2], trace.output.ravel(), atol=1e-12)


def test_sliders_and_text_box_set_the_input_and_stay_in_sync(state):
    s = fp.set_param(state, "x1", -2.0)
    assert s["x"] == [-2.0, 0.5] and s["params"]["x"] == "−2.0, 0.5"
    s = fp.set_param(s, "x", "0.25, -1.5")
    assert s["x"] == [0.25, -1.5]
    assert (s["params"]["x1"], s["params"]["x2"]) == (0.25, -1.5)
    Z, _ = plain_forward(s["W"], s["b"], [0.25, -1.5])
    np.testing.assert_allclose(s["Z"][0], Z[0], atol=1e-12)
    # the box accepts what it shows
    assert fp.set_param(s, "x", s["params"]["x"])["x"] == [0.25, -1.5]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("1.0", "exactly 2 numbers"),
        ("1, 2, 3", "exactly 2 numbers"),
        ("a, 1", "not a number"),
        ("5, 0", "outside the allowed range"),
        ("nan, 1", "outside the allowed range"),
    ],
)
def test_bad_input_text_raises_a_message_a_student_can_act_on(state, text, message):
    with pytest.raises(ValueError, match=message):
        fp.set_param(state, "x", text)


def test_bad_text_in_the_url_falls_back_to_the_sliders_with_a_notice():
    s = fp.initial_state({**defaults(fp.CONTROLS), "x": "banana, 1"})
    assert s["x"] == [1.0, 0.5]
    assert "banana" in s["notice"] and "not a number" in s["notice"], s["notice"]
    s = fp.initial_state({**defaults(fp.CONTROLS), "x": "[2, -1]"})
    assert s["x"] == [2.0, -1.0] and s["notice"] == ""


def test_every_setting_is_kept_in_params(state):
    for name, value in [
        ("speed", 120),
        ("show_weights", True),
        ("show_matmul", True),
        ("seed", 7),
        ("bias_init", "zero"),
    ]:
        s = fp.set_param(state, name, value)
        assert s["params"][name] == value, (name, s["params"])
        assert s != state
    zero = fp.set_param(state, "bias_init", "zero")
    assert all(v == [0.0] for b in zero["b"] for v in b)


def test_focus_selects_a_neuron_of_the_current_layer_and_rejects_others(state):
    s = fp.set_focus(fp.next_step(state), 2)
    assert s["focus"] == 2
    assert "z₃" in s["message"]
    with pytest.raises(ValueError, match="neurons 1 … 3"):
        fp.set_focus(s, 3)
    # moving on to the 2-neuron output layer keeps the focus inside it
    s = fp.next_step(fp.next_step(s))
    assert s["focus"] < 2


def test_state_is_plain_json_and_bridge_round_trips(state):
    json.loads(dumps(state))
    from sims._bridge import call

    out = json.loads(call("forward.next_step", json.dumps({"state": state})))
    assert out["ok"]["step"] == 1, out


def test_fmt_uses_a_real_minus_and_no_negative_zero():
    assert fp.fmt(-0.0001) == "0.00"
    assert fp.fmt(-0.125) == "−0.125"
    assert fp.fmt(0.5) == "0.50"
    assert fp.fmt(0.24412, 3, 3) == "0.244"


@pytest.mark.parametrize("x", [[], [1.0], [1.0, 0.5, 2.0]])
def test_a_state_whose_input_is_not_two_numbers_is_refused_with_a_sentence(state, x):
    """Found by tests/sims/test_fuzz.py: a damaged x made the x1 slider an IndexError."""
    from sims._bridge import call

    damaged = json.loads(dumps({**state, "x": x}))
    out = json.loads(
        call("forward.set_param", json.dumps({"state": damaged, "name": "x1", "value": 1.0}))
    )
    assert out.get("type") == "ValueError", out
    assert f"has {len(x)} numbers; this network takes 2" in out["error"], out


@pytest.mark.parametrize(
    ("key", "value"), [("step", 99), ("step", -1), ("focus", -5), ("focus", 3)]
)
def test_a_state_whose_step_or_focus_is_out_of_range_is_refused_with_a_sentence(state, key, value):
    """step 99 made new_weights and set_focus an IndexError; the State type now bounds both
    (step 0..LAST_STEP, focus 0..the widest layer − 1)."""
    from sims._bridge import call

    damaged = json.loads(dumps({**state, key: value}))
    for action, extra in [("new_weights", {}), ("set_focus", {"neuron": 0})]:
        out = json.loads(call(f"forward.{action}", json.dumps({"state": damaged, **extra})))
        assert out.get("type") == "ValueError", (action, out)
        assert f"state.{key} must be a whole number from 0 to" in out["error"], (action, out)
    assert (fp.LAST_STEP, max(fp.SIZES) - 1) == (5, 2), "update the Range of State.step/focus"

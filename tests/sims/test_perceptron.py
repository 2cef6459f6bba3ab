"""sims/perceptron.py in CPython: the learning loop, XOR, point editing, validation."""

from __future__ import annotations

import numpy as np
import pytest

from engine import perceptron as pc
from sims import perceptron as sim
from sims._contract import defaults


def run(state: dict, max_steps: int = 5000) -> dict:
    for _ in range(max_steps):
        state = sim.learn_step(state)
        if state["learn"]["status"] != "idle":
            return state
    raise AssertionError(f"no verdict after {max_steps} steps: {state['learn']}")


def test_initial_state_is_the_seeded_dataset_and_weights():
    s = sim.initial_state(defaults(sim.CONTROLS))
    rng = np.random.default_rng(7)
    X, y = pc.make_dataset("separable", 40, rng)
    np.testing.assert_array_equal(np.array(s["X"]), X)
    assert s["y"] == y.tolist()
    np.testing.assert_allclose(s["w"], pc.random_weights(rng))
    assert s["accuracy"] == pc.accuracy(np.array(s["w"]), s["b"], X, y)


def test_learning_steps_reproduce_engine_train_and_converge():
    s = sim.initial_state(defaults(sim.CONTROLS))
    w, b, epochs, converged = pc.train(
        np.array(s["w"]), s["b"], np.array(s["X"]), np.array(s["y"]), s["params"]["lr"], 20
    )
    final = run(s)
    assert converged and final["learn"]["status"] == "converged"
    np.testing.assert_allclose(final["w"], w, atol=1e-12)
    assert final["b"] == pytest.approx(b) and final["learn"]["epoch"] == epochs
    assert final["accuracy"] == 1.0


def test_xor_gives_up_after_the_budget_and_says_it_is_not_separable():
    final = run(sim.initial_state({**defaults(sim.CONTROLS), "preset": "xor"}))
    assert final["learn"]["status"] == "gave_up"
    assert "XOR is not linearly separable" in final["message"]
    assert final["accuracy"] < 1.0


def test_a_hand_made_non_separable_set_gets_the_generic_message():
    s = sim.clear_points(sim.initial_state(defaults(sim.CONTROLS)))
    for x, y, label in [(1, 1, 1), (-1, -1, 1), (1, -1, -1), (-1, 1, -1)]:
        s = sim.add_point(s, x, y, label)
    final = run(s)
    assert final["learn"]["status"] == "gave_up"
    assert "may not be linearly separable" in final["message"]


@pytest.mark.parametrize(
    ("x", "y", "label", "message"),
    [
        (0.0, 0.0, 2, "class is \\+1 or −1"),
        (9.0, 0.0, 1, "outside the plot"),
    ],
)
def test_add_point_rejects_bad_input_with_a_clear_message(x, y, label, message):
    with pytest.raises(ValueError, match=message):
        sim.add_point(sim.initial_state(defaults(sim.CONTROLS)), x, y, label)


def test_the_plane_takes_points_up_to_max_points_then_says_to_clear():
    s = sim.clear_points(sim.initial_state(defaults(sim.CONTROLS)))
    for i in range(sim.MAX_POINTS):
        s = sim.add_point(s, (i % 40) / 10 - 2, (i // 40) / 10 - 2, 1 if i % 2 else -1)
    assert len(s["y"]) == sim.MAX_POINTS, len(s["y"])
    with pytest.raises(ValueError, match=f"at most {sim.MAX_POINTS} points: press Clear points"):
        sim.add_point(s, 0.0, 0.0, 1)
    assert len(sim.clear_points(s)["y"]) == 0


def test_set_weights_rejects_non_finite_values():
    with pytest.raises(ValueError, match="two finite numbers"):
        sim.set_weights(sim.initial_state(defaults(sim.CONTROLS)), [float("nan"), 1.0])


@pytest.mark.parametrize(("name", "value"), [("preset", "xor"), ("seed", 42)])
def test_a_dataset_setting_through_set_param_draws_the_new_dataset(name, value):
    # preset and seed are change="reinit": set_param must not keep the old points
    start = sim.initial_state({})
    changed = sim.set_param(start, name, value)
    fresh = sim.initial_state({**start["params"], name: value})
    assert changed["X"] == fresh["X"] and changed["y"] == fresh["y"], f"{name}={value!r}"
    assert changed["X"] != start["X"], f"{name}={value!r} left the dataset as it was"
    assert changed["params"][name] == value


def test_xor_through_set_param_is_called_not_separable_when_learning_gives_up():
    s = sim.set_param(sim.initial_state({}), "preset", "xor")
    while s["learn"]["status"] == "idle":
        s = sim.learn_step(s)
    assert s["learn"]["status"] == "gave_up", s["message"]
    assert "not linearly separable" in s["message"], s["message"]


def _bias_control():
    return next(c for c in sim.CONTROLS if c.name == "bias")


def test_params_bias_follows_b_through_every_learning_step():
    # the page sets the Bias slider from params["bias"]: it must be the learned b
    s = sim.initial_state({**defaults(sim.CONTROLS), "preset": "xor"})
    moved = False
    for _ in range(200):
        s = sim.learn_step(s)
        assert s["params"]["bias"] == s["b"], (s["params"]["bias"], s["b"])
        moved = moved or s["b"] != 0.0
        if s["learn"]["status"] != "idle":
            break
    assert moved, "learning never changed b: the test proves nothing"


@pytest.mark.parametrize(
    "action",
    [
        lambda s: sim.set_weights(s, [0.5, -1.0]),
        sim.new_weights,
        sim.restart_learning,
        sim.clear_points,
        lambda s: sim.add_point(s, 1.0, 1.0, 1),
        lambda s: sim.set_param(s, "lr", 0.5),
        lambda s: sim.set_param(s, "bias", -1.25),
    ],
)
def test_params_bias_equals_b_after_every_action(action):
    s = run(sim.initial_state(defaults(sim.CONTROLS)))  # a learned b, not the slider's 0
    assert s["b"] != 0.0 and s["params"]["bias"] == s["b"]
    s = action(s)
    assert s["params"]["bias"] == s["b"]


def test_a_learned_bias_beyond_the_slider_is_shown_at_the_slider_end():
    control = _bias_control()
    s = sim.clear_points(sim.initial_state(defaults(sim.CONTROLS)))
    s = sim.set_param(sim.set_param(s, "lr", 1.0), "bias", 4.9)
    s = sim.set_weights(sim.add_point(s, 1.0, 1.0, 1), [-3.0, -3.0])  # w·x + b = −1.1: wrong
    s = sim.learn_step(s)
    assert s["b"] == pytest.approx(5.9)
    assert s["params"]["bias"] == control.max
    # and from below
    s = sim.clear_points(sim.initial_state(defaults(sim.CONTROLS)))
    s = sim.set_param(sim.set_param(s, "lr", 1.0), "bias", -4.9)
    s = sim.set_weights(sim.add_point(s, 1.0, 1.0, -1), [3.0, 3.0])
    s = sim.learn_step(s)
    assert s["b"] == pytest.approx(-5.9)
    assert s["params"]["bias"] == control.min


def ticks(state: dict, max_ticks: int = 500) -> tuple[dict, list[dict]]:
    """Run Perceptron Learning's ticks (run_step) to the verdict: (final state, every state)."""
    seen = []
    for _ in range(max_ticks):
        state = sim.run_step(state)
        seen.append(state)
        if state["learn"]["status"] != "idle":
            return state, seen
    raise AssertionError(f"no verdict after {max_ticks} ticks: {state['learn']}")


@pytest.mark.parametrize("preset", ["separable", "xor"])
@pytest.mark.parametrize("seed", [0, 7, 42])
def test_a_run_reaches_the_same_verdict_and_weights_as_single_steps(preset, seed):
    start = sim.initial_state({**defaults(sim.CONTROLS), "preset": preset, "seed": seed})
    by_steps = run(start)
    by_ticks, seen = ticks(start)
    assert by_ticks["learn"] == by_steps["learn"], (by_ticks["learn"], by_steps["learn"])
    np.testing.assert_array_equal(by_ticks["w"], by_steps["w"])
    assert by_ticks["b"] == by_steps["b"] and by_ticks["message"] == by_steps["message"]
    # the first STEP_BY_STEP updates come one per tick, so the lesson's first moves are visible
    k = min(sim.STEP_BY_STEP, by_steps["learn"]["total_updates"])
    first = [s["learn"]["total_updates"] for s in seen[:k]]
    assert first == list(range(1, k + 1)), first


def test_the_xor_verdict_comes_within_forty_ticks_instead_of_hundreds_of_steps():
    """At the default 4 ticks/s the reader waits seconds, not the ~3 minutes of 700 steps."""
    start = sim.initial_state({**defaults(sim.CONTROLS), "preset": "xor"})
    steps = 0
    s = start
    while s["learn"]["status"] == "idle":
        s, steps = sim.learn_step(s), steps + 1
    final, seen = ticks(start)
    assert final["learn"]["status"] == "gave_up"
    budget = final["learn"]["budget"]
    assert len(seen) <= sim.STEP_BY_STEP + budget + 1 < steps / 10, (len(seen), steps)
    # a whole-epoch tick says how many updates its epoch made and what is still wrong
    tick = next(t for t in seen if "in this tick" in t["message"])
    assert f"{len(tick['wrong'])} of 40 points misclassified" in tick["message"], tick["message"]
    X, y = np.array(tick["X"]), np.array(tick["y"])
    assert len(tick["wrong"]) == int(pc.misclassified(np.array(tick["w"]), tick["b"], X, y).sum())


def test_accuracy_reads_out_the_counts_and_says_when_there_are_no_points():
    s = sim.initial_state(defaults(sim.CONTROLS))
    X, y = np.array(s["X"]), np.array(s["y"])
    correct = int((pc.predict(np.array(s["w"]), s["b"], X) == y).sum())
    assert s["accuracy_text"] == f"Accuracy {correct}/40 = {100 * correct / 40:.1f} %"
    empty = sim.clear_points(s)
    assert empty["accuracy"] is None and "0/0" not in empty["accuracy_text"], empty
    assert empty["accuracy_text"] == "Accuracy: no points yet"
    # learning on no points says so and does not claim convergence
    after = sim.learn_step(empty)
    assert after["learn"]["status"] == "idle" and "No points to learn from" in after["message"]
    assert sim.run_step(empty)["learn"]["status"] == "idle"

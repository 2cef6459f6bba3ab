"""sims/activations.py in CPython: its state against plain-NumPy formulas written out here."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest

from sims import activations as sim
from sims._contract import defaults, dumps

# Independent formulas (plain NumPy, not the engine), and their derivatives.
FORMULAS = {
    "relu": (lambda z: np.maximum(z, 0.0), lambda z: (z > 0).astype(float)),
    "sigmoid": (
        lambda z: 1.0 / (1.0 + np.exp(-z)),
        lambda z: np.exp(-z) / (1.0 + np.exp(-z)) ** 2,
    ),
    "tanh": (np.tanh, lambda z: 1.0 / np.cosh(z) ** 2),
    "leaky_relu": (lambda z: np.where(z > 0, z, 0.01 * z), lambda z: np.where(z > 0, 1.0, 0.01)),
    "softplus": (lambda z: np.log(1.0 + np.exp(z)), lambda z: 1.0 / (1.0 + np.exp(-z))),
}


def state_for(**params) -> dict:
    """initial_state through JSON, as the page sees it."""
    return json.loads(dumps(sim.initial_state(params)))


def close(a, b, tol=1e-9) -> None:
    a, b = np.asarray(a, dtype=float), np.asarray(b, dtype=float)
    assert a.shape == b.shape, f"shapes {a.shape} vs {b.shape}"
    worst = np.max(np.abs(a - b)) if a.size else 0.0
    assert np.allclose(a, b, atol=tol, rtol=tol), f"max difference {worst}: {a} vs {b}"


def test_default_is_relu_on_minus_5_to_5_with_a_few_hundred_samples():
    s = state_for()
    assert s["params"]["activation"] == "relu"
    assert s["selected"] == "relu"
    assert (s["zs"][0], s["zs"][-1]) == (-5.0, 5.0)
    assert 200 <= len(s["zs"]) <= 1000, len(s["zs"])
    assert 0.0 in s["zs"], "z = 0 (ReLU's kink) should be a sample"
    assert s["params"]["show_derivative"] is False and s["params"]["compare_all"] is False


@pytest.mark.parametrize("name", list(FORMULAS))
def test_curve_and_derivative_equal_the_formulas(name):
    s = state_for(activation=name, z_range=7.5)
    zs = np.array(s["zs"])
    f, df = FORMULAS[name]
    close(s["curves"][name]["f"], f(zs))
    close(s["curves"][name]["df"], df(zs))
    close(s["grad_abs"], np.abs(df(zs)))


@pytest.mark.parametrize("name", ["relu", "softplus", "leaky_relu"])
@pytest.mark.parametrize("z_range", [1.0, 5.0, 10.0])
def test_y_range_follows_the_curve_so_unbounded_functions_are_not_clipped(name, z_range):
    s = state_for(activation=name, z_range=z_range, show_derivative=True)
    lo, hi = s["y_range"]
    f = np.array(s["curves"][name]["f"])
    df = np.array(s["curves"][name]["df"])
    top = max(f.max(), df.max())
    assert hi >= top, f"y-axis top {hi} clips the curve's maximum {top}"
    assert lo <= min(f.min(), df.min())
    # and not a fixed range: the axis ends within 10 % of the curve's top
    assert hi <= top + 0.1 * (hi - lo) + 1e-12, f"y-axis top {hi} far above the curve's {top}"


@pytest.mark.parametrize("name", list(FORMULAS))
def test_every_drawn_value_lies_inside_the_y_range_in_compare_all(name):
    s = state_for(activation=name, compare_all=True, show_derivative=True, z_range=10)
    lo, hi = s["y_range"]
    for key, curve in s["curves"].items():
        for part in ("f", "df"):
            v = np.array(curve[part])
            assert lo <= v.min() and v.max() <= hi, (
                f"{key}.{part} in [{v.min()}, {v.max()}] vs {lo, hi}"
            )


@pytest.mark.parametrize("name", list(FORMULAS))
@pytest.mark.parametrize("threshold", [0.01, 0.05, 0.2])
def test_saturation_intervals_cover_exactly_the_samples_with_small_gradient(name, threshold):
    s = state_for(activation=name, threshold=threshold)
    zs = np.array(s["zs"])
    small = np.abs(FORMULAS[name][1](zs)) < threshold
    inside = np.array([any(a <= z <= b for a, b in s["saturated"]) for z in zs])
    wrong = zs[inside != small]
    assert wrong.size == 0, f"samples shaded wrongly: {wrong[:5]} (intervals {s['saturated']})"
    assert math.isclose(s["saturated_fraction"], small.mean())


def test_sigmoid_saturation_starts_where_its_derivative_falls_below_the_threshold():
    s = state_for(activation="sigmoid", threshold=0.05)
    # σ'(z) = 0.05  <=>  σ = (1 − √0.8)/2  <=>  |z| = ln((1 + √0.8)/(1 − √0.8))
    edge = math.log((1 + math.sqrt(0.8)) / (1 - math.sqrt(0.8)))
    (a0, b0), (a1, b1) = s["saturated"]
    step = s["zs"][1] - s["zs"][0]
    assert a0 == -5.0 and b1 == 5.0
    assert abs(b0 + edge) <= step and abs(a1 - edge) <= step, (b0, a1, edge)


@pytest.mark.parametrize("name", list(FORMULAS))
@pytest.mark.parametrize("z", [-4.2, -0.3, 0.7, 3.9])
def test_traced_point_shows_f_and_derivative_at_z(name, z):
    s = state_for(activation=name, z=z, threshold=0.05)
    f, df = FORMULAS[name]
    t = s["trace"]
    assert t["z"] == z
    close(t["f"], f(np.array(z)))
    close(t["df"], df(np.array(z)))
    assert t["saturated"] == bool(abs(df(np.array(z))) < 0.05)


def test_trace_outside_the_input_range_is_moved_to_its_end_with_a_message():
    s = state_for(z=8.0, z_range=3.0)
    assert s["params"]["z"] == 3.0 and s["trace"]["z"] == 3.0
    assert s["clamped"] is True
    assert "outside ±3" in s["message"], s["message"]
    s2 = sim.set_param(s, "z_range", 2.0)
    assert s2["params"]["z"] == 2.0, s2["params"]


@pytest.mark.parametrize("depth", [1, 10, 50])
def test_gradient_flow_is_the_largest_derivative_on_the_range_to_the_power_n(depth):
    sig = state_for(activation="sigmoid", depth=depth, z=2.0)
    assert math.isclose(sig["flow"]["max_grad"], 0.25)  # σ'(0), z = 0 is a sample
    assert math.isclose(sig["flow"]["best"], 0.25**depth)
    sd = FORMULAS["sigmoid"][1](np.array(2.0))
    assert math.isclose(sig["flow"]["at_trace"], float(sd) ** depth, rel_tol=1e-12)
    relu = state_for(activation="relu", depth=depth)
    assert relu["flow"]["best"] == 1.0 and relu["flow"]["verdict"] == "survives"
    sp = state_for(activation="softplus", depth=depth, z_range=4.0)
    assert math.isclose(sp["flow"]["best"], (1 / (1 + math.exp(-4.0))) ** depth)
    assert f"{depth} Sigmoid layer" in sig["flow"]["sentence"], sig["flow"]["sentence"]


def test_dead_relu_passes_no_gradient_at_a_negative_traced_point():
    s = state_for(activation="relu", z=-1.0, depth=5)
    assert s["flow"]["at_trace"] == 0.0 and s["trace"]["saturated"] is True


def test_compare_all_carries_every_function_and_its_values_at_the_traced_point():
    s = state_for(compare_all=True, z=1.5, depth=4)
    assert set(s["curves"]) == {*FORMULAS, "softmax"}
    zs = np.array(s["zs"])
    for key, (f, _df) in FORMULAS.items():
        close(s["curves"][key]["f"], f(zs))
    by_key = {a["key"]: a for a in s["trace"]["all"]}
    assert set(by_key) == set(FORMULAS)
    for key, (f, df) in FORMULAS.items():
        close(by_key[key]["f"], f(np.array(1.5)))
        close(by_key[key]["df"], df(np.array(1.5)))
    flow = {r["key"]: r for r in s["flow_all"]}
    close(flow["tanh"]["best"], 1.0)
    close(flow["sigmoid"]["best"], 0.25**4)
    assert len(s["table_all"]) == 6


def test_compare_all_off_sends_only_the_selected_curve():
    s = state_for(activation="tanh")
    assert list(s["curves"]) == ["tanh"] and s["flow_all"] == []


def test_side_panel_rows_are_the_chapter_table():
    rows = {k: state_for(activation=k)["table"] for k in ["relu", "sigmoid", "tanh", "softmax"]}
    got = {k: (r["range"], r["use_case"], r["gradient_issue"]) for k, r in rows.items()}
    assert got["relu"] == ("[0, ∞)", "Hidden layers", "Dead neurons")
    assert got["sigmoid"] == ("(0, 1)", "Binary output", "Vanishing")
    assert got["tanh"] == ("(−1, 1)", "Hidden layers, RNNs", "Vanishing")
    assert got["softmax"][0].startswith("(0, 1)^K") and got["softmax"][1] == "Multi-class output"


@pytest.mark.parametrize("logits", [(2.0, 1.0, 0.1), (10.0, -10.0, 0.0), (-3.3, -3.3, -3.3)])
def test_softmax_probabilities_sum_to_one_and_equal_exp_over_sum(logits):
    s = state_for(activation="softmax", logit1=logits[0], logit2=logits[1], logit3=logits[2])
    sm = s["softmax"]
    e = np.exp(np.array(logits))
    p = e / e.sum()
    close(sm["probs"], p)
    assert abs(sm["sum"] - 1.0) < 1e-12 and abs(sum(sm["probs"]) - 1.0) < 1e-12
    close(sm["jacobian"], np.diag(p) - np.outer(p, p))
    close(sm["ce_grad"], p - np.array([1.0, 0.0, 0.0]))
    close(sm["ce_loss"], -math.log(p[0]))
    assert sm["argmax"] == int(np.argmax(p))


def test_softmax_sweep_is_p_as_z1_moves_with_the_trace_at_logit1():
    s = state_for(activation="softmax", logit1=1.0, logit2=0.5, logit3=-1.0, z_range=4)
    zs = np.array(s["zs"])
    e = np.exp(np.vstack([zs, np.full_like(zs, 0.5), np.full_like(zs, -1.0)]))
    p = e / e.sum(axis=0)
    close(s["softmax"]["sweep"]["p"], p)
    close(s["curves"]["softmax"]["f"], p[0])
    close(s["curves"]["softmax"]["df"], p[0] * (1 - p[0]))
    assert s["trace"]["z"] == 1.0
    close(s["trace"]["f"], s["softmax"]["probs"][0])
    assert s["y_range"][0] <= 0.0 and 1.0 <= s["y_range"][1] <= 1.1


def test_softmax_view_y_range_covers_all_three_probability_curves():
    # class 2 dominates: p₂ reaches ~0.99 at the left end while p₁ stays small there
    s = state_for(activation="softmax", logit1=-1.0, logit2=4.0, logit3=0.1)
    lo, hi = s["y_range"]
    sweep = np.array(s["softmax"]["sweep"]["p"])
    assert lo <= sweep.min() and sweep.max() <= hi, (sweep.min(), sweep.max(), s["y_range"])


def test_set_logits_sets_all_three():
    s = sim.set_logits(state_for(activation="softmax"), logits=[0.0, 0.0, 0.0])
    close(s["softmax"]["probs"], [1 / 3] * 3)
    with pytest.raises(ValueError, match="3 logits"):
        sim.set_logits(s, logits=[1.0, 2.0])


CHANGES = {
    "activation": "tanh",
    "z_range": 8.0,
    "z": -2.0,
    "show_derivative": True,
    "compare_all": True,
    "threshold": 0.2,
    "depth": 3,
    "logit1": -1.0,
    "logit2": 4.0,
    "logit3": 2.5,
}
"""A new value per control."""
DRAWN = {
    "activation": "curves",
    "z_range": "zs",
    "z": "trace",
    "show_derivative": None,  # f′ is always in curves[...]["df"]; the toggle says draw it
    "compare_all": "curves",
    "threshold": "saturated",
    "depth": "flow",
    "logit1": "softmax",
    "logit2": "softmax",
    "logit3": "softmax",
}
"""The state entry (besides params) that must change with each control (base: sigmoid)."""


def test_the_change_table_names_every_control():
    assert set(CHANGES) == set(defaults(sim.CONTROLS)) == set(DRAWN)


@pytest.mark.parametrize("name", list(CHANGES))
def test_every_control_changes_what_is_drawn(name):
    base = state_for(activation="sigmoid")
    new = json.loads(dumps(sim.set_param(base, name=name, value=CHANGES[name])))
    assert new["params"][name] == CHANGES[name]
    assert new["params"] != base["params"]
    key = DRAWN[name]
    if key is not None:
        assert new[key] != base[key], f"{name} -> {CHANGES[name]!r} left state[{key!r}] unchanged"


def test_state_stays_finite_json_at_the_extremes():
    for name in [*FORMULAS, "softmax"]:
        s = sim.initial_state(
            {
                "activation": name,
                "z_range": 10,
                "z": -10,
                "compare_all": True,
                "show_derivative": True,
                "logit1": 10,
                "logit2": -10,
                "logit3": -10,
                "depth": 50,
                "threshold": 0.005,
            }
        )
        json.loads(dumps(s))  # dumps refuses NaN/inf, naming the path


def test_move_z_steps_the_traced_point_from_the_latest_state_and_stops_at_the_range():
    s = state_for(z=1.0, z_range=2.0)
    s = sim.move_z(s, 1)
    assert s["params"]["z"] == 1.1 and s["trace"]["z"] == 1.1
    s = sim.move_z(sim.move_z(s, -1), -1)  # two quick presses: each from the state before
    assert s["params"]["z"] == 0.9
    assert dumps(s) == dumps(sim.set_param(state_for(z=1.0, z_range=2.0), "z", 0.9))
    edge = state_for(z=1.95, z_range=2.0)
    s = sim.move_z(edge, 1)
    assert s["params"]["z"] == 2.0 and s["clamped"] is False  # a nudge, not a clamp note
    assert sim.move_z(s, 1)["params"]["z"] == 2.0
    assert sim.move_z(state_for(z=-2.0, z_range=2.0), -1)["params"]["z"] == -2.0

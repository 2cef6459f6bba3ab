"""Hostile and random arguments through the bridge (``sims._bridge.call``), as a page sends them.

Every answer must be a result that is this sim's state (it passes the ``State`` check and is
JSON), or a refusal (a ``ValueError``, or ``LookupError`` for no such action) with a message for
the reader: never a Python internal error (KeyError, TypeError…: the bridge reports those as
``InternalError``). The first failing input
is printed by hypothesis.
"""

from __future__ import annotations

import inspect
import json
import typing

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import sims
from sims import _args, _bridge
from sims._contract import defaults, dumps

SIMS = sims.discover()
CASES = [(name, action) for name, m in sorted(SIMS.items()) for action in sorted(m.ACTIONS)]
# the read-only VIEWS (e.g. numpy_code) take the same states, so they are fuzzed the same way
CASES += [
    (name, view) for name, m in sorted(SIMS.items()) for view in sorted(getattr(m, "VIEWS", {}))
]
STATES = {
    name: json.loads(dumps(m.initial_state(defaults(m.CONTROLS)))) for name, m in SIMS.items()
}

# Any JSON value, hostile ones first: wrong types, boundaries, huge and tiny numbers, long
# strings, markup, nesting.
leaves = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**15), max_value=10**15),
    st.sampled_from([0, -1, 1, 2**31, -(2**53), 1e308, -1e-308, 0.5, 1e12, 1e13]),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=30),
    st.sampled_from(
        ["", "xor", "<img src=x onerror=alert(1)>", "(2, 3)", "-1", "1e400", "x" * 3000]
    ),
)
json_values = st.recursive(
    leaves,
    lambda inner: (
        st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=12,
)


def answer(path: str, args_json: str) -> dict:
    out = json.loads(_bridge.call(path, args_json))
    assert "ok" in out or out.get("type") != "InternalError", (
        f"{path}({args_json[:300]}) answered {out.get('type')}: {out.get('error')}\n"
        f"{out.get('detail')}"
    )
    name, _, action = path.partition(".")
    fn = function(name, action)
    if "ok" in out and typing.get_type_hints(fn).get("return") is SIMS[name].State:
        _args.check_value(out["ok"], SIMS[name].State, f"{path} result")
    if "ok" in out and typing.get_type_hints(fn).get("return") is str:  # a view's text
        assert isinstance(out["ok"], str), f"{path} answered {out['ok']!r:.200}, not a text"
    return out


def function(name: str, action: str):  # noqa: ANN201 - an action or a view
    return {**getattr(SIMS[name], "VIEWS", {}), **SIMS[name].ACTIONS}[action]


def params_of(name: str, action: str) -> list[str]:
    return [p for p in inspect.signature(function(name, action)).parameters if p != "state"]


@pytest.mark.parametrize(("name", "action"), CASES, ids=[f"{n}.{a}" for n, a in CASES])
@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_hostile_arguments_are_refused_or_give_a_state(name, action, data):
    args: dict = {"state": STATES[name]}
    for p in params_of(name, action):
        if data.draw(st.booleans(), label=f"send {p}"):
            args[p] = data.draw(json_values, label=p)
    if data.draw(st.integers(0, 9), label="extra") == 0:
        args[data.draw(st.text(max_size=6), label="extra name")] = 1
    answer(f"{name}.{action}", json.dumps(args))


@pytest.mark.parametrize(("name", "action"), CASES, ids=[f"{n}.{a}" for n, a in CASES])
@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_a_damaged_state_is_refused_or_gives_a_state(name, action, data):
    state = dict(STATES[name])
    key = data.draw(st.sampled_from(sorted(state)), label="damaged key")
    state[key] = data.draw(json_values, label=key)
    args: dict = {"state": state}
    if action == "set_param":
        control = data.draw(st.sampled_from([c for c in SIMS[name].CONTROLS if c.has_value]))
        args.update(name=control.name, value=control.default)
    for p in params_of(name, action):
        args.setdefault(p, 0)
    answer(f"{name}.{action}", json.dumps(args))


@pytest.mark.parametrize(
    ("args_json", "refusal"),
    [
        ('{"state": NaN}', "NaN is not a number the sims take"),
        ('{"state": {}, "steps": Infinity}', "Infinity is not a number the sims take"),
        ('{"state": {}, "steps": 1e400}', "too large"),
        ('{"state": {}, "steps": ' + "9" * 5000 + "}", "too large"),
        ("[" * 100_000 + "]" * 100_000, "nest"),
        ('{"a": ' * 40 + "1" + "}" * 40, "nests too deeply"),
        ('{"state": "' + "x" * 5000 + '"}', "5,000 characters"),
        ("[1, 2]", "must be a JSON object"),
        ("{not json", "not valid JSON"),
        ('{"state": ' + json.dumps(list(range(30_000))) + "}", "30,000 items"),
    ],
    ids=[
        "nan",
        "inf",
        "1e400",
        "huge-int",
        "deep-list",
        "deep-object",
        "long-text",
        "array",
        "bad-json",
        "long-list",
    ],
)
def test_hostile_json_is_refused_before_any_action_runs(args_json, refusal):
    out = json.loads(_bridge.call("activations.move_z", args_json))
    assert out.get("type") == "ValueError" and refusal in out["error"], out


def test_an_unknown_or_missing_argument_is_named_with_what_the_action_takes():
    s = json.dumps({"state": STATES["activations"], "stepz": 1})
    out = json.loads(_bridge.call("activations.move_z", s))
    assert out["error"] == "move_z takes state, steps; 'stepz' is not one of them", out
    out = json.loads(
        _bridge.call("activations.move_z", json.dumps({"state": STATES["activations"]}))
    )
    assert out["error"] == "move_z needs steps (it takes state, steps)", out
    out = json.loads(
        _bridge.call(
            "activations.move_z", json.dumps({"state": STATES["activations"], "steps": "2"})
        )
    )
    assert out["error"] == "move_z: steps must be a whole number, not a text", out


def test_a_state_of_another_sim_is_refused_naming_what_it_lacks():
    out = json.loads(
        _bridge.call("perceptron.learn_step", json.dumps({"state": STATES["activations"]}))
    )
    assert out["type"] == "ValueError" and "it is not this sim's state" in out["error"], out


def test_a_setting_that_needs_new_data_reinitialises_it():
    """perceptron: Dataset → XOR through set_param gives exactly initial_state's XOR points."""
    s = json.loads(
        _bridge.call(
            "perceptron.set_param",
            json.dumps({"state": STATES["perceptron"], "name": "preset", "value": "xor"}),
        )
    )["ok"]
    fresh = json.loads(dumps(SIMS["perceptron"].initial_state(s["params"])))
    assert (s["params"]["preset"], s["X"], s["y"]) == ("xor", fresh["X"], fresh["y"])


@pytest.mark.parametrize("n_points", [3_000_000, 1_000_000, 41])
def test_a_size_no_control_offers_is_refused_before_anything_is_allocated(n_points):
    params = {**STATES["perceptron"]["params"], "n_points": n_points}
    out = json.loads(_bridge.call("perceptron.initial_state", json.dumps({"params": params})))
    assert out.get("error") == f"n_points is fixed at 40 in this sim; got {n_points}", out


def test_a_refusal_has_no_traceback_and_an_internal_error_keeps_it(monkeypatch):
    """A refusal's sentence is for the reader (no traceback under "details"); an internal error
    is a bug to report, so its traceback goes with it."""
    refused = json.loads(_bridge.call("perceptron.add_point", json.dumps({"state": 1})))
    assert refused["type"] == "ValueError" and "detail" not in refused, refused

    def broken(state):
        return {}["missing"]

    monkeypatch.setitem(SIMS["perceptron"].ACTIONS, "learn_step", broken)
    state = SIMS["perceptron"].initial_state({})
    out = json.loads(_bridge.call("perceptron.learn_step", json.dumps({"state": state})))
    assert out["type"] == "InternalError" and "Traceback" in out["detail"], out
    assert "KeyError" in out["detail"] and "missing" in out["detail"], out["detail"]

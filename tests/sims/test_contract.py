"""The contract every sim module follows (``sims/_contract.py``), checked over all of them."""

from __future__ import annotations

import json
import re
from pathlib import Path

import numpy as np
import pytest

import sims
from sims._contract import dumps, to_jsonable

SIMS = sims.discover()


@pytest.mark.parametrize("name", sorted(SIMS))
def test_dumps_fast_path_writes_what_to_jsonable_writes(name: str) -> None:
    state = SIMS[name].initial_state({})
    slow = json.dumps(to_jsonable(state), separators=(",", ":"), allow_nan=False)
    fast = dumps(state)
    assert fast == slow, f"{name}: dumps differs from to_jsonable at char {_first_diff(fast, slow)}"


def test_dumps_converts_numpy_values() -> None:
    data = {"a": np.array([[1, 2]]), "f": np.float32(1.5), "i": np.int64(3), "b": np.bool_(True)}
    assert json.loads(dumps(data)) == {"a": [[1, 2]], "f": 1.5, "i": 3, "b": True}


@pytest.mark.parametrize(
    ("data", "error", "where"),
    [
        ({"a": [1.0, {"b": np.array([1.0, np.nan])}]}, ValueError, "state.a[1].b[1] is nan"),
        ({"a": [float("inf")]}, ValueError, "state.a[0] is inf"),
        ({"a": {"b": {1, 2}}}, TypeError, "state.a.b has type set"),
    ],
)
def test_dumps_names_the_path_of_a_bad_value(data: dict, error: type, where: str) -> None:
    with pytest.raises(error) as caught:
        dumps(data)
    assert where in str(caught.value), f"message {str(caught.value)!r} does not name {where!r}"


def _first_diff(a: str, b: str) -> int:
    return next(
        (i for i, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), min(len(a), len(b))
    )


# ------------------------------------------------------------------ the settings layer

VALUE_CONTROLS = [
    (name, control)
    for name, m in sorted(SIMS.items())
    for control in m.CONTROLS
    if control.has_value
]
VC_IDS = [f"{name}.{control.name}" for name, control in VALUE_CONTROLS]


def other_value(control):
    """A valid value of ``control`` other than its default, as the DOM would send it."""
    if control.kind == "select":
        return next(v for v in control.values if v != control.default)
    if control.kind == "checkbox":
        return not control.default
    if control.kind == "slider":
        up = control.default + control.step
        return up if up <= control.max else control.default - control.step
    return None  # text: each sim's own tests try its texts


def bad_values(control):
    """Values every rule refuses, with a word the message must contain."""
    if control.kind == "slider":
        return [
            (control.max + 10 * control.step, "outside the range"),
            ("abc", "not a number"),
            (float("nan"), "not a number"),
            (True, "not a number"),
        ]
    if control.kind == "select":
        return [("no-such-option", "choose one of"), (None, "choose one of")]
    if control.kind == "checkbox":
        return [("maybe", "true or false"), (3, "true or false")]
    return [("x" * (control.maxlength + 1), f"longer than {control.maxlength}"), (5, "not text")]


@pytest.mark.parametrize("name", sorted(SIMS))
def test_the_state_is_json_and_holds_every_setting(name):
    state = SIMS[name].initial_state({})
    json.loads(dumps(state))
    settings = [c.name for c in SIMS[name].CONTROLS if c.has_value]
    missing = [s for s in settings if s not in state["params"]]
    assert missing == [], f"{name}: state.params lacks {missing}"
    assert "set_param" in SIMS[name].ACTIONS, f"{name} has no set_param action"


@pytest.mark.parametrize(("name", "control"), VALUE_CONTROLS, ids=VC_IDS)
def test_set_param_takes_a_new_value_and_returns_a_whole_state(name, control):
    module = SIMS[name]
    start = module.initial_state({})
    value = other_value(control)
    if value is None:
        pytest.skip("text controls are tried by their sim's own tests")
    new = module.ACTIONS["set_param"](state=start, name=control.name, value=value)
    assert new["params"][control.name] == control.coerce(value), (
        f"{name}.{control.name}: set to {value!r}, params hold {new['params'][control.name]!r}"
    )
    assert sorted(new) == sorted(start), (
        f"{name}.{control.name}: keys differ from initial_state's: {sorted(set(new) ^ set(start))}"
    )
    if control.change == "reinit":
        fresh = module.initial_state({**start["params"], control.name: value})
        assert dumps(new) == dumps(fresh), f"{name}.{control.name}: not the same as a re-init"


@pytest.mark.parametrize(("name", "control"), VALUE_CONTROLS, ids=VC_IDS)
def test_set_param_refuses_a_bad_value_naming_the_control(name, control):
    module = SIMS[name]
    start = module.initial_state({})
    for value, words in bad_values(control):
        with pytest.raises(ValueError) as caught:
            module.ACTIONS["set_param"](state=start, name=control.name, value=value)
        message = str(caught.value)
        assert control.label in message and words in message, (
            f"{name}.{control.name}={value!r}: message {message!r} lacks the label or {words!r}"
        )
        try:  # a link may hold it: refused, or (forward's input vector) ignored with a notice
            s = module.initial_state({control.name: value})
        except ValueError:
            continue
        assert "was ignored" in s.get("notice", ""), f"{name}: initial_state took {value!r}"
        assert s["params"][control.name] == control.default


@pytest.mark.parametrize("name", sorted(SIMS))
def test_an_unknown_setting_is_refused_listing_the_settings(name):
    module = SIMS[name]
    with pytest.raises(ValueError, match="there is no setting 'colour'; the settings are"):
        module.ACTIONS["set_param"](state=module.initial_state({}), name="colour", value=1)
    with pytest.raises(ValueError, match="there is no setting 'colour'"):
        module.initial_state({"colour": 1})


def test_no_sim_module_validates_its_own_settings():
    # the settings layer is sims/_contract.py: these idioms were the per-sim copies
    idioms = ["_SPECS = {", "_KINDS = {", "_RANGES = {", "defaults(CONTROLS)", "def _coerce("]
    found = [
        f"{path.name}: {idiom}"
        for path in sorted(Path(sims.__file__).parent.glob("[!_]*.py"))
        for idiom in idioms
        if idiom in path.read_text(encoding="utf-8")
    ]
    assert found == [], f"settings validated outside sims/_contract.py: {found}"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("1", (True, 1)),
        (" 2.5 ", (True, 2.5)),
        ("1e1", (True, 10)),
        ("0x10", (False, "not a number")),
        ("1_0", (False, "not a number")),
        ("", (False, "not a number")),
        ("Infinity", (False, "not a number")),
        ("11", (False, "outside the range 0 to 10")),
        ("2.26", (True, 2.5)),  # snapped to the step, half up
        ("2.24", (True, 2)),
    ],
)
def test_slider_text_follows_the_url_rules(raw, expected):
    from sims._contract import Control

    control = Control("k", "slider", "K", default=1, min=0, max=10, step=0.5)
    assert control.validate(raw) == expected


SKETCHES = Path(sims.__file__).resolve().parent.parent / "static" / "sketches"


@pytest.mark.parametrize("name", sorted(SIMS))
def test_every_constant_a_sketch_reads_is_declared_by_its_module(name):
    """A sketch reads fixed numbers as ms.constants.<key>; the module's CONSTANTS must have each
    key (else the sketch would compute with undefined), and they must be plain JSON."""
    module = SIMS[name]
    constants = dict(getattr(module, "CONSTANTS", {}))
    assert json.loads(json.dumps(constants)) == constants, f"{name}.CONSTANTS is not JSON"
    sketch = (SKETCHES / f"{module.META.slug}.js").read_text(encoding="utf-8")
    read = sorted(set(re.findall(r"ms\.constants\.(\w+)", sketch)))
    missing = [key for key in read if key not in constants]
    assert missing == [], (
        f"{module.META.slug}.js reads ms.constants.{missing}; CONSTANTS={constants}"
    )


TESTS = Path(__file__).resolve().parents[1]


def test_module_slug_sketch_and_tests_follow_the_naming_rule():
    """docs/adding-a-sim.md, "Names": sims/<module>.py (snake_case), a kebab-case slug, the
    sketch static/sketches/<slug>.js, tests tests/{sims,browser}/test_<module>.py; no sketch
    without a sim."""
    problems = []
    for name, module in SIMS.items():
        slug = module.META.slug
        if not re.fullmatch(r"[a-z][a-z0-9]*(_[a-z0-9]+)*", name):
            problems.append(f"module {name!r} is not snake_case")
        if not re.fullmatch(r"[a-z][a-z0-9]*(-[a-z0-9]+)*", slug):
            problems.append(f"{name}: slug {slug!r} is not kebab-case")
        for path in (
            SKETCHES / f"{slug}.js",
            TESTS / "sims" / f"test_{name}.py",
            TESTS / "browser" / f"test_{name}.py",
        ):
            if not path.is_file():
                problems.append(f"{name}: missing {path.relative_to(TESTS.parent)}")
    slugs = {m.META.slug for m in SIMS.values()}
    problems += [f"orphan sketch {p.name}" for p in SKETCHES.glob("*.js") if p.stem not in slugs]
    assert problems == [], "\n".join(problems)


@pytest.mark.parametrize("name", sorted(SIMS))
def test_state_typeddict_matches_initial_state(name: str) -> None:
    """``State`` declares the state: its required keys are all in ``initial_state({})``, and
    every key there is declared (required or optional)."""
    module = SIMS[name]
    state_type = module.State
    state = module.initial_state({})
    required = set(state_type.__required_keys__)
    declared = required | set(state_type.__optional_keys__)
    missing = sorted(required - set(state))
    undeclared = sorted(set(state) - declared)
    assert not missing, f"{name}: State requires keys that initial_state lacks: {missing}"
    assert not undeclared, f"{name}: initial_state has keys State does not declare: {undeclared}"

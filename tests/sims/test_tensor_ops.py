"""sims/tensor_ops.py (Tensor Operations Visualizer) against plain NumPy.

Each element of the input is tagged with its row-major index (``np.arange``); running the real
NumPy operation on the tagged array says which input element lands in each output cell. The
sim's ``src_index`` / ``src_tensor`` (built from engine.tensor.element_mapping) must agree.
"""

from __future__ import annotations

import itertools
import json
import math

import numpy as np
import pytest

from engine import tensor as T
from sims import tensor_ops as tops
from sims._contract import defaults, dumps

B_TAG = 1000  # elements of b are tagged 1000 + k, so a result cell names its source tensor


def tagged(shape, offset=0):
    return offset + np.arange(math.prod(shape)).reshape(shape)


def with_params(**changes):
    state = tops.initial_state(defaults(tops.CONTROLS))
    for name, value in changes.items():
        state = tops.set_param(state, name, value)
    return state


def sources(state, output=0):
    out = state["outputs"][output]
    return np.array(out["src_tensor"]), np.array(out["src_index"])


# --------------------------------------------------------------------------- defaults


def test_default_is_reshape_of_2_3_4_into_6_4_with_the_elements_in_row_major_order():
    s = tops.initial_state({})
    assert s["params"]["shape"] == "(2, 3, 4)" and s["params"]["target"] == "(6, 4)"
    assert [{k: t[k] for k in ("name", "shape", "n")} for t in s["inputs"]] == [
        {"name": "a", "shape": [2, 3, 4], "n": 24}
    ]
    assert s["result_shape"] == [6, 4]
    expected = tagged((2, 3, 4)).reshape(6, 4).ravel()
    t, k = sources(s)
    assert k.tolist() == expected.tolist() and set(t) == {0}
    assert s["order_kept"] is True and s["error"] is None and s["applied"] is False


def test_default_state_is_plain_json():
    s = tops.initial_state({})
    assert json.loads(dumps(s))["result_shape"] == [6, 4]


# --------------------------------------------------------------------------- one-input ops


@pytest.mark.parametrize(
    ("changes", "numpy_op"),
    [
        ({"target": "(4, -1)"}, lambda x: x.reshape(4, -1)),
        ({"target": "(3, 2, 2, 2)"}, lambda x: x.reshape(3, 2, 2, 2)),
        ({"op": "transpose"}, lambda x: np.transpose(x, (2, 0, 1))),
        ({"op": "transpose", "axes": ""}, np.transpose),
        ({"op": "transpose", "axes": "1 0 2"}, lambda x: np.transpose(x, (1, 0, 2))),
        ({"op": "unsqueeze", "axis": 1}, lambda x: np.expand_dims(x, 1)),
        ({"op": "unsqueeze", "axis": -1}, lambda x: np.expand_dims(x, -1)),
        ({"op": "flatten"}, lambda x: x.reshape(-1)),
        ({"op": "flatten", "axis": 1}, lambda x: x.reshape(2, 12)),
        ({"shape": "(1, 3, 1)", "op": "squeeze", "axis": 2}, lambda x: np.squeeze(x, 2)),
    ],
)
def test_one_input_ops_send_each_element_where_numpy_puts_it(changes, numpy_op):
    s = with_params(**changes)
    assert s["error"] is None, s["error"]
    a = tuple(s["inputs"][0]["shape"])
    expected = numpy_op(tagged(a))
    assert s["result_shape"] == list(expected.shape)
    t, k = sources(s)
    assert k.tolist() == expected.ravel().tolist(), f"{changes}: {k} vs {expected.ravel()}"
    assert set(t.tolist()) <= {0}
    # dest[k] is the output index of input element k (engine.tensor.element_mapping)
    for elem, index in enumerate(s["dest"]):
        assert expected[tuple(index)] == elem
    assert s["order_kept"] == bool(np.array_equal(expected.ravel(), np.arange(expected.size)))


def test_reshape_keeps_row_major_order_and_transpose_does_not():
    assert with_params(op="reshape")["order_kept"] is True
    moved = with_params(op="transpose")
    assert moved["order_kept"] is False
    # np.transpose(arange(24).reshape(2, 3, 4), (2, 0, 1)).ravel() starts 0, 4, 8, ...: element 1
    # is the first that moves, to cell 6
    assert "element 1 lands in cell 6" in moved["order_note"], moved["order_note"]


# --------------------------------------------------------------------------- two-input ops


@pytest.mark.parametrize("axis", [0, 1, 2, -1])
def test_concatenate_places_a_then_b_like_numpy(axis):
    s = with_params(op="concatenate", second="(2, 3, 4)", axis=axis)
    expected = np.concatenate([tagged((2, 3, 4)), tagged((2, 3, 4), B_TAG)], axis=axis)
    assert s["result_shape"] == list(expected.shape)
    t, k = sources(s)
    assert t.tolist() == (expected.ravel() >= B_TAG).astype(int).tolist()
    assert k.tolist() == (expected.ravel() % B_TAG).tolist()


def test_concatenate_of_different_sizes_along_the_joined_axis():
    s = with_params(op="concatenate", second="(2, 5, 4)", axis=1)
    assert (
        s["result_shape"]
        == [2, 8, 4]
        == list(np.concatenate([np.zeros((2, 3, 4)), np.zeros((2, 5, 4))], axis=1).shape)
    )


@pytest.mark.parametrize("axis", [0, 1, 3, -1])
def test_stack_adds_an_axis_of_size_two_like_numpy(axis):
    s = with_params(op="stack", axis=axis)
    expected = np.stack([tagged((2, 3, 4)), tagged((2, 3, 4), B_TAG)], axis=axis)
    assert s["result_shape"] == list(expected.shape)
    t, k = sources(s)
    assert t.tolist() == (expected.ravel() >= B_TAG).astype(int).tolist()
    assert k.tolist() == (expected.ravel() % B_TAG).tolist()


@pytest.mark.parametrize(
    ("a", "b"),
    [("(2, 3, 4)", "(3, 4)"), ("(2, 1, 4)", "(3, 1)"), ("(4,)", "(3, 1)"), ("(1, 3)", "(2, 2, 1)")],
)
def test_broadcast_stretches_both_operands_like_numpy(a, b):
    s = with_params(op="broadcast", shape=a, second=b)
    sa, sb = T.parse_shape(a), T.parse_shape(b)
    shape = np.broadcast_shapes(sa, sb)
    assert s["result_shape"] == list(shape)
    for o, (src, tensor) in enumerate(((sa, 0), (sb, 1))):
        t, k = sources(s, o)
        assert k.tolist() == np.broadcast_to(tagged(src), shape).ravel().tolist()
        assert set(t.tolist()) == {tensor}
    assert [r["result"] for r in s["broadcast_rules"]] == list(shape)


def test_broadcast_default_second_shape_is_3_4_with_the_engines_rule_table():
    s = with_params(op="broadcast")
    assert s["params"]["second"] == "(3, 4)"
    assert s["broadcast_rules"] == T.broadcast_shapes((2, 3, 4), (3, 4))[1]
    assert s["broadcast_rules"][0]["rule"] == "missing in b: treated as 1, then stretched to 2"


def test_broadcast_too_large_to_draw_keeps_the_shape_but_no_cells():
    s = with_params(op="broadcast", shape="(10, 1, 12)", second="(10, 1)")
    assert s["result_shape"] == [10, 10, 12] and s["error"] is None
    assert s["outputs"][0]["drawable"] is False and s["outputs"][0]["src_index"] is None


def test_incompatible_broadcast_shows_the_engine_message():
    s = with_params(op="broadcast", second="(2, 3)")
    with pytest.raises(ValueError):
        np.broadcast_shapes((2, 3, 4), (2, 3))
    assert s["error"].startswith("cannot broadcast (2, 3, 4) with (2, 3)")
    assert s["result_shape"] is None and s["outputs"] == []


# --------------------------------------------------------------------------- einsum


@pytest.mark.parametrize(("spec", "b"), [("bik,bkj->bij", (2, 4, 5)), ("bqd,bkd->bqk", (2, 5, 4))])
def test_einsum_modes_infer_the_chapters_result_shapes(spec, b):
    s = with_params(op="einsum", einsum=spec)
    assert s["params"]["second"] == str(b)
    expected = np.einsum(spec, np.zeros((2, 3, 4)), np.zeros(b)).shape
    assert s["result_shape"] == list(expected)
    summed = [r["letter"] for r in s["einsum_letters"] if not r["kept"]]
    assert summed == (["k"] if spec.startswith("bik") else ["d"])
    assert s["outputs"][0]["src_index"] is None  # each cell is a sum, not one element


def test_einsum_with_mismatched_inner_size_names_the_letter():
    s = with_params(op="einsum", second="(2, 3, 5)")
    assert "letter 'k' is 4 in operand 0" in s["error"]


# --------------------------------------------------------------------------- errors and parsing


def test_reshape_into_5_5_shows_the_engine_error_and_the_sim_keeps_working():
    s = with_params(target="(5, 5)")
    assert s["error"] == "cannot reshape (2, 3, 4) = 24 elements into (5, 5) = 25 elements"
    assert s["result_shape"] is None and s["inputs"][0]["shape"] == [2, 3, 4]
    assert s["n_targets"] > 0  # the valid targets are still listed
    fixed = tops.set_param(s, "target", "(4, 6)")
    assert fixed["error"] is None and fixed["result_shape"] == [4, 6]


@pytest.mark.parametrize(
    ("text", "words"),
    [
        ("(2, 0, 4)", "≥ 1"),
        ("(2, 3, 4, 2, 2)", "at most 4 axes"),
        ("(11, 11)", "too many"),
        ("abc", "not a whole number"),
        ("<b>2</b>", "not a whole number"),
        ("", "empty"),
    ],
)
def test_bad_input_shape_says_why_in_the_error(text, words):
    s = with_params(shape=text)
    assert s["error_field"] == "shape" and words in s["error"], s["error"]
    assert s["inputs"] == [] and s["result_shape"] is None


@pytest.mark.parametrize(
    ("axes", "words"),
    [
        ("(0, 1)", "must list each of the 3 axes"),
        ("(0, 0, 1)", "same axis twice"),
        ("(a, b, c)", "not an axis number"),
    ],
)
def test_bad_transpose_axes_give_a_reason(axes, words):
    s = with_params(op="transpose", axes=axes)
    assert words in s["error"], s["error"]


def test_squeeze_of_an_axis_that_is_not_1_names_its_size():
    s = with_params(op="squeeze", axis=0)
    assert s["error"] == "cannot squeeze axis 0 of (2, 3, 4): its size is 2, not 1"


def test_axis_out_of_range_for_concatenate_is_an_engine_error():
    s = with_params(op="concatenate", axis=5)
    assert "out of range" in s["error"]


# --------------------------------------------------------------------------- reshape targets


def brute_force_targets(n, max_ndim=4):
    found = []
    for ndim in range(1, max_ndim + 1):
        for sizes in itertools.product(range(2, n + 1), repeat=ndim):
            if math.prod(sizes) == n:
                found.append(sizes)
    return found


@pytest.mark.parametrize("shape", ["(2, 3, 4)", "(6,)", "(2, 2, 2, 2)", "(7,)"])
def test_valid_reshape_targets_are_every_factorisation(shape):
    s = with_params(shape=shape)
    n = math.prod(T.parse_shape(shape))
    expected = brute_force_targets(n)
    assert s["n_targets"] == len(expected)
    in_order = sorted(expected, key=lambda t: (len(t), t))[: tops.MAX_TARGETS]
    assert [tuple(t) for t in s["reshape_targets"]] == in_order
    for target in s["reshape_targets"]:
        assert with_params(shape=shape, target=str(tuple(target)))["error"] is None


# --------------------------------------------------------------------------- actions


def test_apply_marks_the_plan_applied_and_counts_presses():
    s = tops.apply(tops.initial_state({}))
    assert s["applied"] is True and s["applies"] == 1 and s["result_shape"] == [6, 4]
    assert tops.apply(s)["applies"] == 2
    # a change of setting shows the plan again, not applied
    assert tops.set_param(s, "op", "transpose")["applied"] is False


def test_apply_with_an_error_does_not_apply():
    s = tops.apply(with_params(target="(5, 5)"))
    assert s["applied"] is False and s["error"].startswith("cannot reshape")


def test_speed_changes_only_the_speed():
    s = tops.apply(tops.initial_state({}))
    fast = tops.set_param(s, "speed", 9)
    assert fast["params"]["speed"] == 9 and fast["applied"] is True
    assert {k: v for k, v in fast.items() if k != "params"} == {
        k: v for k, v in s.items() if k != "params"
    }


def test_use_result_chains_squeezes_1_3_1_to_3():
    s = with_params(shape="(1, 3, 1)", op="squeeze", axis=0)
    assert s["result_shape"] == [3, 1]
    s = tops.set_param(tops.use_result(s), "axis", 1)
    assert s["params"]["shape"] == "(3, 1)" and s["result_shape"] == [3]


def test_use_result_refuses_when_there_is_no_result():
    with pytest.raises(ValueError, match="no result"):
        tops.use_result(with_params(target="(5, 5)"))


def test_a_typed_second_shape_survives_an_operation_change():
    s = with_params(op="concatenate", second="(2, 1, 4)")
    assert tops.set_param(s, "op", "broadcast")["params"]["second"] == "(2, 1, 4)"


def test_url_params_for_broadcast_get_the_suggested_second_shape():
    s = tops.initial_state({"op": "broadcast"})
    assert s["params"]["second"] == "(3, 4)" and s["result_shape"] == [2, 3, 4]


@pytest.mark.parametrize("op", [v for v, _ in tops.OPS])
def test_every_operation_gives_json_with_a_result_or_a_message(op):
    s = with_params(op=op, shape="(1, 3, 4)")
    data = json.loads(dumps(s))
    assert data["result_shape"] is not None or data["error"], op


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"target": "(5, 5)"}, "target"),
        ({"op": "squeeze"}, "axis"),
        ({"op": "transpose", "axes": "(0, 1)"}, "axes"),
        ({"op": "broadcast", "second": "(2, 3)"}, "second"),
        ({"shape": "(0,)"}, "shape"),
    ],
)
def test_error_names_the_control_to_fix(changes, field):
    s = with_params(**changes)
    assert s["error"] and s["error_field"] == field, (s["error"], s["error_field"])


# --------------------------------------------------------------------------- the text shown


def test_headings_and_titles_name_the_engines_shapes():
    s = with_params(op="transpose", shape="(2, 2, 3, 4)", axes="(3, 1, 0, 2)")
    shape = np.transpose(tagged((2, 2, 3, 4)), (3, 1, 0, 2)).shape
    assert s["heading"] == f"Result shape: {shape}", s["heading"]
    assert s["call"] == s["expr"] == "np.transpose(a, (3, 1, 0, 2))", s["call"]
    assert s["inputs"][0]["titles"] == [
        "a: (2, 2, 3, 4) · 48 elements",
        "a: (2, 2, 3, 4)",
        "(2, 2, 3, 4)",
    ]
    assert s["outputs"][0]["titles"][0] == f"result: {shape} · 48 elements"
    assert (
        s["describe"]
        == f"Input a (2, 2, 3, 4); {s['expr']} gives the result shape {shape}. " + s["order_note"]
    )
    assert s["info"] == [{"text": s["message"]}] and s["error_box"] == []
    assert s["targets"] is None, "transpose lists no reshape targets"
    applied = tops.apply(s)
    assert applied["info"] == [{"text": applied["order_note"]}], applied["info"]


def test_a_scalar_result_has_the_empty_shape_as_its_heading():
    s = with_params(shape="(1,)", op="squeeze", axis=0)
    assert s["result_shape"] == [] and s["heading"] == "Result shape: ()", s["heading"]


def test_the_reshape_targets_line_lists_the_engines_targets():
    s = with_params(op="flatten", shape="(2, 3, 4)")
    targets = T.valid_reshape_targets((2, 3, 4))
    assert s["targets"]["head"] == "Valid reshape targets (24 elements):"
    assert s["targets"]["tokens"] == [str(tuple(t)) for t in targets[: tops.MAX_TARGETS]]
    assert s["targets"]["total"] == len(targets) and s["targets"]["tokens"][0] == "(24,)"


def test_broadcast_and_einsum_lines_come_from_the_engines_tables():
    s = with_params(op="broadcast", second="(5, 1, 1, 4)")
    rules = T.broadcast_shapes((2, 3, 4), (5, 1, 1, 4))[1]
    lines = [line["text"] for line in s["info"][1:]]
    assert len(lines) == len(rules), lines
    for line, r in zip(lines, rules, strict=True):
        assert line.startswith(f"axis {r['axis']}: a "), line
        assert line.endswith(f"b {r['b']} → {r['result']} ({r['rule']})"), (line, r)
    assert (
        s["info"][1]["text"]
        == "axis 0: a —, b 5 → 5 (missing in a: treated as 1, then stretched to 5)"
    )
    big = with_params(op="broadcast", shape="(4, 1, 6)", second="(5, 1, 7, 1)")
    assert (
        big["outputs"][0]["note"]
        == "840 elements: too many to draw cell by cell; the shape is (5, 4, 7, 6)."
    )
    assert big["outputs"][0]["titles"] == ["a stretched: (5, 4, 7, 6)", "(5, 4, 7, 6)"]
    e = with_params(op="einsum")
    assert e["info"][1]["text"] == (
        "b = 2 (in a, b; kept) · i = 3 (in a; kept) · k = 4 (in a, b; summed) · j = 5 (in b; kept)"
    ), e["info"]


def test_an_error_fills_the_error_box_and_the_description():
    s = with_params(target="(5, 5)")
    error = "cannot reshape (2, 3, 4) = 24 elements into (5, 5) = 25 elements"
    assert s["heading"] == "Result shape: —" and s["call"] == "reshape: cannot run"
    assert s["info"] == [{"text": f"Error: {error}", "bold": True, "color": "error"}], s["info"]
    assert [line["text"] for line in s["error_box"]] == ["⚠ Cannot apply reshape:", error]
    assert s["describe"] == f"Input a (2, 3, 4): reshape cannot run: {error}"
    bad = with_params(shape="(0,)")
    assert bad["error_box"][-1]["text"] == bad["message"] and bad["describe"].startswith(
        "Input invalid:"
    )

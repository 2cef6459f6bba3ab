"""engine.tensor: every shape rule agrees with what NumPy does to real arrays."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from engine import tensor as T
from engine.tensor import ShapeError

# more examples than the default 100 for the shape rules (tests/conftest.py sets the profile)
MANY = settings(max_examples=150)

shapes = st.lists(st.integers(0, 4), max_size=4).map(tuple)
small_shapes = st.lists(st.integers(1, 3), min_size=1, max_size=4).map(tuple)


def numpy_outcome(fn):
    """The shape NumPy produces, or the string "error" when NumPy raises ValueError."""
    try:
        result = fn()
    except ValueError:  # numpy.exceptions.AxisError is a ValueError too
        return "error"
    return result if isinstance(result, tuple) else result.shape


def engine_outcome(fn):
    try:
        return tuple(fn())
    except ShapeError:
        return "error"


def assert_same_outcome(ours, theirs, label):
    assert engine_outcome(ours) == numpy_outcome(theirs), (
        f"{label}: engine {engine_outcome(ours)} vs numpy {numpy_outcome(theirs)}"
    )


def message_of(fn) -> str | None:
    try:
        fn()
    except ShapeError as err:
        return str(err)
    return None


# ---------------------------------------------------------------- chapter examples


@pytest.mark.parametrize(
    ("result", "expected"),
    [
        (T.reshape_shape((6,), (2, 3)), (2, 3)),
        (T.transpose_shape((8, 28, 28, 3), (0, 3, 1, 2)), (8, 3, 28, 28)),
        (T.broadcast_shapes((3,), (2, 3))[0], (2, 3)),
        (T.concatenate_shapes([(5, 10), (5, 10)], axis=1), (5, 20)),
        (T.stack_shapes([(28, 28), (28, 28)]), (2, 28, 28)),
        (T.squeeze_shape((1, 3, 1)), (3,)),
        (T.matmul_shape((4, 5, 6), (4, 6, 7)), (4, 5, 7)),
        (T.einsum_shape("bik,bkj->bij", (4, 5, 6), (4, 6, 7)), (4, 5, 7)),
        (T.einsum_shape("bqd,bkd->bqk", (2, 10, 16), (2, 12, 16)), (2, 10, 12)),
    ],
)
def test_chapter_table_examples(result, expected):
    assert result == expected


def test_reshape_error_message_counts_elements():
    with pytest.raises(ShapeError) as err:
        T.reshape_shape((2, 3, 4), (5, 5))
    assert str(err.value) == "cannot reshape (2, 3, 4) = 24 elements into (5, 5) = 25 elements"


def test_broadcast_explanation_per_axis():
    _, steps = T.broadcast_shapes((2, 1, 4), (3, 1))
    assert [s["rule"] for s in steps] == [
        "missing in b: treated as 1, then stretched to 2",
        "a has size 1: stretched to 3",
        "b has size 1: stretched to 4",
    ]
    assert steps[0] == {"axis": 0, "a": 2, "b": None, "result": 2, "rule": steps[0]["rule"]}
    assert T.broadcast_shapes((2, 3), (2, 3))[1][1]["rule"] == "equal"


def test_einsum_names_the_clashing_letter():
    with pytest.raises(ShapeError, match=r"letter 'k' is 6 in operand 0 \(4, 5, 6\) but 5"):
        T.einsum_shape("bik,bkj->bij", (4, 5, 6), (4, 5, 7))


# ---------------------------------------------------------------- round trips


@MANY
@given(shapes, st.data())
def test_reshape_round_trip(shape, data):
    target = data.draw(st.sampled_from(T.valid_reshape_targets(shape)))
    x = np.arange(math.prod(shape)).reshape(shape)
    assert T.reshape_shape(T.reshape_shape(shape, target), shape) == shape
    np.testing.assert_array_equal(T.reshape(T.reshape(x, target), shape), x)


@MANY
@given(shapes.flatmap(lambda s: st.tuples(st.just(s), st.permutations(range(len(s))))))
def test_transpose_round_trip_with_inverse_permutation(case):
    shape, perm = case
    inverse = tuple(int(i) for i in np.argsort(perm))
    x = np.arange(math.prod(shape)).reshape(shape)
    assert T.transpose_shape(T.transpose_shape(shape, perm), inverse) == shape
    np.testing.assert_array_equal(T.transpose(T.transpose(x, perm), inverse), x)


# ---------------------------------------------------------------- agreement with NumPy


@MANY
@given(shapes, st.lists(st.integers(-1, 6), max_size=4).map(tuple))
def test_reshape_agrees_with_numpy(shape, target):
    assert_same_outcome(
        lambda: T.reshape_shape(shape, target), lambda: np.zeros(shape).reshape(target), "reshape"
    )


@MANY
@given(shapes, st.lists(st.integers(-5, 4), max_size=4).map(tuple))
def test_transpose_agrees_with_numpy(shape, axes):
    assert_same_outcome(
        lambda: T.transpose_shape(shape, axes), lambda: np.transpose(np.zeros(shape), axes), "T"
    )


@MANY
@given(shapes.filter(len), st.one_of(st.none(), st.integers(-5, 4)))
def test_squeeze_agrees_with_numpy(shape, axis):
    # (NumPy also lets a 0-d array "squeeze" axis 0; the engine refuses, so 0-d is left out.)
    assert_same_outcome(
        lambda: T.squeeze_shape(shape, axis), lambda: np.squeeze(np.zeros(shape), axis), "squeeze"
    )


@MANY
@given(shapes, st.one_of(st.integers(-6, 5), st.lists(st.integers(-6, 5), max_size=3)))
def test_unsqueeze_agrees_with_expand_dims(shape, axis):
    axis = axis if isinstance(axis, int) else tuple(axis)
    assert_same_outcome(
        lambda: T.unsqueeze_shape(shape, axis),
        lambda: np.expand_dims(np.zeros(shape), axis),
        "unsqueeze",
    )


@MANY
@given(shapes, st.integers(-4, 3), st.integers(-4, 3))
def test_flatten_merges_the_axes_from_start_to_end(shape, start, end):
    n = len(shape)
    if n == 0:
        expected = (1,)  # PyTorch: flattening a scalar gives one element
    elif not (-n <= start < n and -n <= end < n) or start % n > end % n:
        expected = "error"
    else:
        s, e = start % n, end % n
        expected = (
            np.zeros(shape)
            .reshape(shape[:s] + (math.prod(shape[s : e + 1]),) + shape[e + 1 :])
            .shape
        )
    assert engine_outcome(lambda: T.flatten_shape(shape, start, end)) == expected


@MANY
@given(st.lists(small_shapes, min_size=1, max_size=3), st.integers(-4, 4))
def test_concatenate_agrees_with_numpy(shape_list, axis):
    arrays = [np.zeros(s) for s in shape_list]
    assert_same_outcome(
        lambda: T.concatenate_shapes(shape_list, axis),
        lambda: np.concatenate(arrays, axis=axis),
        "concatenate",
    )


@MANY
@given(st.lists(small_shapes, min_size=1, max_size=3), st.integers(-5, 5))
def test_stack_agrees_with_numpy(shape_list, axis):
    arrays = [np.zeros(s) for s in shape_list]
    assert_same_outcome(
        lambda: T.stack_shapes(shape_list, axis), lambda: np.stack(arrays, axis=axis), "stack"
    )


@MANY
@given(shapes, shapes)
def test_broadcast_agrees_with_numpy_broadcast_shapes(a, b):
    assert_same_outcome(
        lambda: T.broadcast_shapes(a, b)[0], lambda: np.broadcast_shapes(a, b), "broadcast"
    )


@MANY
@given(
    st.lists(st.integers(1, 3), max_size=4).map(tuple),
    st.lists(st.integers(1, 3), max_size=4).map(tuple),
)
def test_matmul_agrees_with_numpy(a, b):
    assert_same_outcome(
        lambda: T.matmul_shape(a, b), lambda: np.matmul(np.zeros(a), np.zeros(b)), "matmul"
    )


EINSUM_SPECS = ["bik,bkj->bij", "bqd,bkd->bqk", "ij,jk->ik", "ij->ji", "ij,ij->i", "i,j->ij"]


@MANY
@given(st.sampled_from(EINSUM_SPECS), st.dictionaries(st.sampled_from("bijkqd"), st.integers(1, 4)))
def test_einsum_agrees_with_numpy(spec, sizes):
    terms = spec.split("->")[0].split(",")
    operand_shapes = [tuple(sizes.get(c, 2) for c in term) for term in terms]
    arrays = [np.ones(s) for s in operand_shapes]
    assert T.einsum_shape(spec, *operand_shapes) == np.einsum(spec, *arrays).shape


@MANY
@given(shapes, shapes)
def test_every_shape_error_names_the_shapes_involved(a, b):
    attempts = [
        (lambda: T.broadcast_shapes(a, b), [a, b]),
        (lambda: T.matmul_shape(a, b), [a, b]),
        (lambda: T.concatenate_shapes([a, b], 0), [a, b]),
        (lambda: T.stack_shapes([a, b], 0), [a, b]),
        (lambda: T.reshape_shape(a, b), [a, b]),
        (lambda: T.transpose_shape(a, tuple(range(len(b)))), [a]),
        (lambda: T.squeeze_shape(a, 0), [a]),
        (lambda: T.unsqueeze_shape(a, len(b) - 2), [a]),
        (lambda: T.flatten_shape(a, -1, 0), [a]),
        (lambda: T.einsum_shape("ij,jk->ik", a, b), [a, b] if len(a) == len(b) == 2 else []),
    ]
    for attempt, involved in attempts:
        message = message_of(attempt)
        if message is not None:
            for shape in involved:
                assert str(shape) in message, f"{shape} missing from: {message}"


# ---------------------------------------------------------------- reshape targets


@MANY
@given(shapes)
def test_valid_reshape_targets_keep_the_element_count(shape):
    targets = T.valid_reshape_targets(shape)
    n = math.prod(shape)
    assert targets[0] == (n,)
    assert targets == sorted(targets, key=lambda s: (len(s), s)) and len(set(targets)) == len(
        targets
    )
    for target in targets:
        assert math.prod(target) == n and 1 <= len(target) <= 4, target
        assert n < 2 or min(target) >= 2, target


def test_valid_reshape_targets_of_the_default_shape():
    targets = T.valid_reshape_targets((2, 3, 4))
    assert (6, 4) in targets and (2, 3, 4) in targets and (24,) in targets
    assert len(targets) == 20  # 1 + 6 + 9 + 4 ordered factorisations of 24
    assert T.valid_reshape_targets((6,), max_ndim=2) == [(6,), (2, 3), (3, 2)]


# ---------------------------------------------------------------- element mapping


def assert_mapping_matches(mapping, numpy_out):
    """``numpy_out`` holds input flat indices; each input k must sit at mapping[k]."""
    n = mapping.shape[0]
    assert mapping.shape == (n, numpy_out.ndim)
    np.testing.assert_array_equal(numpy_out[tuple(mapping.T)], np.arange(n))


@MANY
@given(shapes, st.data())
def test_reshape_mapping_is_identity_in_flat_order(shape, data):
    target = data.draw(st.sampled_from(T.valid_reshape_targets(shape)))
    mapping = T.element_mapping(shape, "reshape", target=target)
    flat = np.ravel_multi_index(tuple(mapping.T), target)
    np.testing.assert_array_equal(flat, np.arange(math.prod(shape)))


@MANY
@given(shapes.flatmap(lambda s: st.tuples(st.just(s), st.permutations(range(len(s))))))
def test_transpose_mapping_matches_numpy_transpose_of_arange(case):
    shape, perm = case
    source = np.arange(math.prod(shape)).reshape(shape)
    assert_mapping_matches(
        T.element_mapping(shape, "transpose", axes=perm), np.transpose(source, perm)
    )


def test_other_mappings_match_numpy():
    source = np.arange(12).reshape(1, 3, 4)
    other = -np.ones((1, 2, 4), dtype=int)
    cases = [
        (T.element_mapping((1, 3, 4), "squeeze"), np.squeeze(source)),
        (T.element_mapping((1, 3, 4), "unsqueeze", axis=(1, 3)), np.expand_dims(source, (1, 3))),
        (T.element_mapping((1, 3, 4), "flatten", start_dim=1), source.reshape(1, 12)),
        (T.element_mapping((1, 3, 4), "permute", dims=(2, 0, 1)), source.transpose(2, 0, 1)),
        (
            T.element_mapping((1, 3, 4), "concatenate", others=[(1, 2, 4)], axis=1, position=1),
            np.concatenate([other, source], axis=1),
        ),
        (
            T.element_mapping((1, 3, 4), "stack", others=[(1, 3, 4)], axis=2, position=1),
            np.stack([-np.ones_like(source), source], axis=2),
        ),
    ]
    for mapping, numpy_out in cases:
        assert_mapping_matches(mapping, numpy_out)


def test_broadcast_sources_match_numpy_broadcast_to():
    expected = np.broadcast_to(np.arange(3).reshape(3, 1), (2, 3, 4))
    np.testing.assert_array_equal(T.broadcast_sources((3, 1), (2, 3, 4)), expected)
    with pytest.raises(ShapeError, match=r"\(3, 1\).*\(3,\)"):
        T.broadcast_sources((3, 1), (3,))


def test_unknown_mapping_op_lists_the_choices():
    with pytest.raises(ShapeError, match="reshape"):
        T.element_mapping((2, 3), "rotate")


# ---------------------------------------------------------------- parsing


@pytest.mark.parametrize(
    "text", ["(2, 3, 4)", "2,3,4", "2x3x4", "2X3X4", "[2 3 4]", " 2 × 3 × 4 ", "(2,3,4,)"]
)
def test_parse_shape_accepts_common_spellings(text):
    assert T.parse_shape(text) == (2, 3, 4)


def test_parse_shape_reads_a_one_axis_tuple_and_an_inferred_size():
    assert T.parse_shape("(6,)") == (6,)
    assert T.parse_shape("-1, 4", allow_infer=True) == (-1, 4)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("a", "'a' is not a whole number"),
        ("2, 2.5", "'2.5' is not a whole number"),
        ("2, 0", "sizes must be ≥ 1"),
        ("-1, 4", "sizes must be ≥ 1"),
        ("1,2,1,2,1,2", "at most 5 axes"),
        ("1000, 1000", "too many elements to draw: 1,000,000 > 4,096"),
        ("(2, 3]", "unbalanced brackets"),
        ("2,,3", "missing"),
        ("", "empty shape"),
    ],
)
def test_parse_shape_rejects_with_a_reason(text, message):
    with pytest.raises(ShapeError) as err:
        T.parse_shape(text)
    assert message in str(err.value), str(err.value)


def test_parse_shape_limits_are_parameters():
    assert T.parse_shape("2,2,2,2,2,2", max_ndim=6) == (2,) * 6
    with pytest.raises(ShapeError, match="8 > 4"):
        T.parse_shape("2,4", max_elements=4)

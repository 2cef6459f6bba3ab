"""Activations: derivatives against central differences, stability at extreme inputs, table."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from engine import activations as act
from tests.gradcheck import check_elementwise_derivative, check_grad

ELEMENTWISE = ["relu", "sigmoid", "tanh", "leaky_relu", "softplus", "linear"]
TABLE_KEYS = {
    "name",
    "label",
    "formula",
    "derivative",
    "range",
    "use_case",
    "gradient_issue",
    "gradient_flow",
}


def points_away_from_zero(rng: np.random.Generator, n: int = 40) -> np.ndarray:
    """Points in [-6, 6] at least 0.01 from the ReLU / leaky-ReLU kink at 0."""
    z = rng.uniform(-6, 6, size=n)
    return np.where(np.abs(z) < 0.01, 0.5, z)


@pytest.mark.parametrize("name", ELEMENTWISE)
def test_elementwise_derivative_matches_central_differences(name: str) -> None:
    a = act.ACTIVATIONS[name]
    z = points_away_from_zero(np.random.default_rng(0)).reshape(5, 8)
    check_elementwise_derivative(a.fn, a.grad, z, name=f"{name}'")


def test_leaky_relu_derivative_with_custom_alpha_matches_central_differences() -> None:
    z = points_away_from_zero(np.random.default_rng(1))
    check_elementwise_derivative(
        lambda v: act.leaky_relu(v, alpha=0.2),
        lambda v: act.leaky_relu_grad(v, alpha=0.2),
        z,
        name="leaky_relu' (alpha=0.2)",
    )


def test_relu_derivative_at_zero_is_zero_as_in_the_chapter() -> None:
    assert act.relu_grad(0.0) == 0.0
    assert act.ACTIVATIONS["relu"].grad(np.zeros(3)).tolist() == [0.0, 0.0, 0.0]


def test_leaky_relu_derivative_at_zero_is_alpha() -> None:
    assert act.leaky_relu_grad(0.0, alpha=0.1) == pytest.approx(0.1)


def test_softplus_derivative_is_sigmoid() -> None:
    z = np.linspace(-8, 8, 17)
    np.testing.assert_allclose(act.softplus_grad(z), act.sigmoid(z))


def test_tanh_equals_two_sigmoid_two_z_minus_one() -> None:
    z = np.linspace(-5, 5, 21)
    np.testing.assert_allclose(act.tanh(z), 2 * act.sigmoid(2 * z) - 1, atol=1e-12)


def test_sigmoid_at_plus_minus_1000_is_finite_with_limits_one_and_zero() -> None:
    with np.errstate(over="raise", divide="raise", invalid="raise"):
        s = act.sigmoid(np.array([-1000.0, 0.0, 1000.0]))
        ds = act.sigmoid_grad(np.array([-1000.0, 1000.0]))
    assert s.tolist() == [0.0, 0.5, 1.0]
    assert ds.tolist() == [0.0, 0.0]


def test_softmax_jacobian_matches_central_differences_row_by_row() -> None:
    z = np.random.default_rng(2).normal(size=4)
    J = act.softmax_jacobian(z)
    for i in range(4):
        check_grad(lambda v, i=i: act.softmax(v)[i], J[i], z, name=f"softmax Jacobian row {i}")


def test_softmax_backward_equals_jacobian_transpose_times_upstream_per_column() -> None:
    rng = np.random.default_rng(3)
    Z, G = rng.normal(size=(4, 3)), rng.normal(size=(4, 3))
    expected = np.stack([act.softmax_jacobian(Z[:, j]).T @ G[:, j] for j in range(3)], axis=1)
    np.testing.assert_allclose(act.softmax_backward(Z, G), expected, atol=1e-14)


def test_softmax_backward_matches_central_differences() -> None:
    rng = np.random.default_rng(4)
    Z, G = rng.normal(size=(3, 2)), rng.normal(size=(3, 2))
    check_grad(
        lambda v: float(np.sum(G * act.softmax(v, axis=0))),
        act.ACTIVATIONS["softmax"].backward(Z, G),
        Z,
        name="softmax backward",
    )


def test_softmax_grad_is_the_jacobian_diagonal() -> None:
    z = np.array([0.3, -1.2, 2.0])
    np.testing.assert_allclose(act.softmax_grad(z), np.diag(act.softmax_jacobian(z)))
    assert act.ACTIVATIONS["softmax"].elementwise is False


def test_softmax_columns_sum_to_one_and_are_finite_at_logits_plus_minus_1000() -> None:
    z = np.array([[1000.0, -1000.0, 0.0], [-1000.0, -1000.0, 1.0], [1000.0, 1000.0, 2.0]])
    with np.errstate(over="raise", divide="raise", invalid="raise"):
        s = act.softmax(z, axis=0)
    assert np.isfinite(s).all(), s
    np.testing.assert_allclose(s.sum(axis=0), [1.0, 1.0, 1.0])
    np.testing.assert_allclose(s[:, 0], [0.5, 0.0, 0.5])


def test_softmax_axis_one_normalises_rows() -> None:
    z = np.array([[1.0, 2.0, 3.0], [0.0, 0.0, 0.0]])
    np.testing.assert_allclose(act.softmax(z, axis=1).sum(axis=1), [1.0, 1.0])
    np.testing.assert_allclose(act.softmax(z, axis=1)[1], [1 / 3, 1 / 3, 1 / 3])


def test_softmax_jacobian_rejects_a_batch() -> None:
    with pytest.raises(ValueError, match=r"\(K,\)"):
        act.softmax_jacobian(np.zeros((3, 2)))


@pytest.mark.parametrize(
    ("name", "z", "expected"),
    [
        ("sigmoid", [-6.0, 0.0, 6.0], [True, False, True]),
        ("relu", [-1.0, 0.0, 1.0], [True, True, False]),
        ("tanh", [-3.0, 0.0, 3.0], [True, False, True]),
        ("linear", [-100.0, 0.0, 100.0], [False, False, False]),
    ],
)
def test_saturation_mask_marks_where_the_derivative_is_below_threshold(
    name: str, z: list[float], expected: list[bool]
) -> None:
    assert act.saturation_mask(name, np.array(z)).tolist() == expected


def test_unknown_activation_name_lists_the_known_ones() -> None:
    with pytest.raises(ValueError, match="relu"):
        act.saturation_mask("swish", np.zeros(2))


def test_activation_table_has_every_activation_with_all_keys_as_plain_strings() -> None:
    names = ["relu", "sigmoid", "tanh", "leaky_relu", "softplus", "softmax", "linear"]
    assert list(act.ACTIVATION_TABLE) == names
    for name, row in act.ACTIVATION_TABLE.items():
        assert set(row) == TABLE_KEYS, (name, set(row) ^ TABLE_KEYS)
        assert row["name"] == name
        assert all(isinstance(v, str) and v for v in row.values()), row


def test_activation_table_rows_match_the_chapters_table() -> None:
    expected = {
        "relu": ("[0, ∞)", "Hidden layers", "Dead neurons"),
        "sigmoid": ("(0, 1)", "Binary output", "Vanishing"),
        "tanh": ("(−1, 1)", "Hidden layers, RNNs", "Vanishing"),
    }
    for name, (rng_, use, issue) in expected.items():
        row = act.ACTIVATION_TABLE[name]
        assert (row["range"], row["use_case"], row["gradient_issue"]) == (rng_, use, issue)
    assert act.ACTIVATION_TABLE["softmax"]["range"] == "(0, 1)^K, sums to 1"
    assert act.ACTIVATION_TABLE["softmax"]["use_case"] == "Multi-class output"


def test_sigmoid_derivative_peak_is_a_quarter_as_the_table_says() -> None:
    z = np.linspace(-10, 10, 2001)
    assert act.sigmoid_grad(z).max() == pytest.approx(0.25)
    assert "0.25" in act.ACTIVATION_TABLE["sigmoid"]["gradient_flow"]


# --- Properties over any finite input ---------------------------------------------------

finite_arrays = hnp.arrays(
    dtype=np.float64,
    shape=hnp.array_shapes(min_dims=1, max_dims=2, max_side=6),
    elements=st.one_of(
        st.floats(allow_nan=False, allow_infinity=False),
        st.sampled_from([1e6, -1e6, 0.0, 1000.0, -1000.0]),
    ),
)


@pytest.mark.filterwarnings("error")
@given(z=finite_arrays)
def test_every_activation_and_derivative_is_finite_with_the_input_shape(z: np.ndarray) -> None:
    for name, a in act.ACTIVATIONS.items():
        for what, out in (("fn", a.fn(z)), ("grad", a.grad(z))):
            assert out.shape == z.shape, (name, what, out.shape, z.shape)
            assert np.isfinite(out).all(), (name, what, z, out)


@pytest.mark.filterwarnings("error")
@given(z=finite_arrays)
def test_softmax_of_any_finite_logits_sums_to_one_along_axis_zero(z: np.ndarray) -> None:
    s = act.softmax(z, axis=0)
    assert ((s >= 0) & (s <= 1)).all(), s
    np.testing.assert_allclose(s.sum(axis=0), 1.0, rtol=1e-12)


@given(z=finite_arrays)
def test_sigmoid_stays_within_zero_and_one(z: np.ndarray) -> None:
    s = act.sigmoid(z)
    assert ((s >= 0) & (s <= 1)).all(), (z, s)


def test_softmax_terms_are_the_unshifted_exponentials_and_divide_to_softmax():
    z = np.array([0.5, -1.0, 2.0])
    exps, total = act.softmax_terms(z)
    expected = [math.exp(0.5), math.exp(-1.0), math.exp(2.0)]
    assert np.allclose(exps, expected), f"{exps} vs {expected}"
    assert total == pytest.approx(sum(expected))
    assert np.allclose(exps / total, act.softmax(z)), f"{exps / total} vs softmax {act.softmax(z)}"


def test_softmax_terms_refuse_logits_whose_exponential_overflows():
    with pytest.raises(ValueError, match="overflows for z = 800"):
        act.softmax_terms(np.array([800.0, 0.0]))

"""Losses: values against hand computations, gradients against central differences."""

from __future__ import annotations

import numpy as np
import pytest

from engine import losses
from engine.activations import sigmoid, softmax
from tests.gradcheck import check_grad

RNG_SEED = 7


def one_hot(labels: list[int], k: int) -> np.ndarray:
    """``(k, m)`` one-hot columns for integer labels."""
    return np.eye(k)[:, labels]


def probabilities(rng: np.random.Generator, k: int, m: int) -> np.ndarray:
    """``(k, m)`` columns summing to 1, no entry near 0."""
    return softmax(rng.normal(size=(k, m)), axis=0)


def test_mse_is_mean_over_columns_of_squared_distance() -> None:
    y_hat = np.array([[1.0, 2.0], [0.0, 0.0]])
    y = np.array([[0.0, 2.0], [2.0, 1.0]])
    # column 0: 1 + 4 = 5, column 1: 0 + 1 = 1, mean over m = 2 columns: 3
    assert losses.mse(y_hat, y) == pytest.approx(3.0)


def test_binary_cross_entropy_of_a_half_is_log_two() -> None:
    assert losses.binary_cross_entropy(np.full((1, 4), 0.5), np.array([[0, 1, 1, 0]])) == (
        pytest.approx(np.log(2))
    )


def test_cross_entropy_is_minus_mean_log_of_true_class_probability() -> None:
    y_hat = np.array([[0.7, 0.1], [0.2, 0.1], [0.1, 0.8]])
    y = one_hot([0, 2], 3)
    assert losses.cross_entropy(y_hat, y) == pytest.approx(-(np.log(0.7) + np.log(0.8)) / 2)


def test_mse_grad_matches_central_differences() -> None:
    rng = np.random.default_rng(RNG_SEED)
    y_hat, y = rng.normal(size=(3, 4)), rng.normal(size=(3, 4))
    check_grad(lambda v: losses.mse(v, y), losses.mse_grad(y_hat, y), y_hat, name="mse'")


def test_binary_cross_entropy_grad_matches_central_differences() -> None:
    rng = np.random.default_rng(RNG_SEED)
    y_hat = rng.uniform(0.1, 0.9, size=(2, 5))
    y = rng.integers(0, 2, size=(2, 5)).astype(float)
    check_grad(
        lambda v: losses.binary_cross_entropy(v, y),
        losses.binary_cross_entropy_grad(y_hat, y),
        y_hat,
        name="BCE'",
    )


def test_cross_entropy_grad_matches_central_differences() -> None:
    rng = np.random.default_rng(RNG_SEED)
    y_hat, y = probabilities(rng, 4, 5), one_hot([0, 3, 1, 1, 2], 4)
    check_grad(
        lambda v: losses.cross_entropy(v, y),
        losses.cross_entropy_grad(y_hat, y),
        y_hat,
        name="CE'",
    )


@pytest.mark.parametrize("name", sorted(losses.LOSSES))
def test_loss_table_gradient_matches_central_differences(name: str) -> None:
    rng = np.random.default_rng(RNG_SEED)
    y_hat, y = probabilities(rng, 3, 4), one_hot([0, 1, 2, 2], 3)
    loss = losses.LOSSES[name]
    check_grad(lambda v: loss.fn(v, y), loss.grad(y_hat, y), y_hat, name=f"{name}'")


def test_softmax_plus_cross_entropy_gradient_is_y_hat_minus_y_over_m() -> None:
    rng = np.random.default_rng(RNG_SEED)
    z, y = rng.normal(size=(4, 5)), one_hot([2, 0, 3, 3, 1], 4)
    analytic = losses.softmax_cross_entropy_grad(z, y)
    np.testing.assert_allclose(analytic, (softmax(z, axis=0) - y) / 5)
    check_grad(
        lambda v: losses.cross_entropy(softmax(v, axis=0), y), analytic, z, name="dCE(softmax)/dz"
    )


def test_sigmoid_plus_binary_cross_entropy_gradient_is_y_hat_minus_y_over_m() -> None:
    rng = np.random.default_rng(RNG_SEED)
    z = rng.normal(size=(1, 6))
    y = np.array([[1.0, 0.0, 0.0, 1.0, 1.0, 0.0]])
    check_grad(
        lambda v: losses.binary_cross_entropy(sigmoid(v), y),
        losses.sigmoid_binary_cross_entropy_grad(z, y),
        z,
        name="dBCE(sigmoid)/dz",
    )


def test_cross_entropy_is_finite_when_predictions_contain_zeros() -> None:
    y_hat = np.array([[0.0, 1.0], [1.0, 0.0]])  # both samples put probability 0 on the truth
    y = one_hot([0, 1], 2)
    with np.errstate(divide="raise", invalid="raise"):
        value = losses.cross_entropy(y_hat, y)
        grad = losses.cross_entropy_grad(y_hat, y)
    assert value == pytest.approx(-np.log(losses.EPS)), value
    assert np.isfinite(grad).all(), grad


def test_binary_cross_entropy_is_finite_at_predictions_zero_and_one() -> None:
    y_hat = np.array([[0.0, 1.0, 0.0, 1.0]])
    y = np.array([[1.0, 0.0, 0.0, 1.0]])
    with np.errstate(divide="raise", invalid="raise"):
        value = losses.binary_cross_entropy(y_hat, y)
        grad = losses.binary_cross_entropy_grad(y_hat, y)
    assert np.isfinite(value) and value > 10, value
    assert np.isfinite(grad).all(), grad


def test_a_single_column_vector_counts_as_one_sample() -> None:
    assert losses.mse(np.array([1.0, 2.0]), np.array([0.0, 0.0])) == pytest.approx(5.0)


def test_mismatched_shapes_raise_a_value_error_naming_both() -> None:
    with pytest.raises(ValueError, match=r"\(3, 2\).*\(2, 3\)"):
        losses.mse(np.zeros((3, 2)), np.zeros((2, 3)))


def test_unknown_loss_name_lists_the_known_ones() -> None:
    with pytest.raises(ValueError, match="cross_entropy"):
        losses.get_loss("hinge")

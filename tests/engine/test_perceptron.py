"""engine.perceptron: the update rule's values, convergence, XOR, determinism."""

from __future__ import annotations

import numpy as np
import pytest

from engine import perceptron as pc


def test_update_rule_values_match_w_plus_eta_y_x():
    w, b = pc.update(np.array([0.5, -1.0]), 0.25, np.array([2.0, 1.0]), -1, 0.1)
    # w + 0.1 * (-1) * (2, 1) = (0.3, -1.1); b + 0.1 * (-1) = 0.15
    np.testing.assert_allclose(w, [0.3, -1.1], atol=1e-15)
    assert b == pytest.approx(0.15, abs=1e-15)


def test_update_does_not_mutate_the_weights():
    w = np.array([1.0, 2.0])
    pc.update(w, 0.0, np.array([1.0, 1.0]), 1, 0.5)
    assert w.tolist() == [1.0, 2.0]


def test_predict_uses_sign_with_zero_as_plus_one():
    X = np.array([[1.0, -1.0, 0.0], [0.0, 0.0, 0.0]])
    assert pc.predict(np.array([1.0, 0.0]), 0.0, X).tolist() == [1, -1, 1]


def test_a_point_on_the_boundary_counts_as_misclassified():
    X = np.array([[0.0], [0.0]])
    assert pc.misclassified(np.array([1.0, 1.0]), 0.0, X, np.array([1])).tolist() == [True]


def test_epoch_equals_an_explicit_sequential_loop():
    rng = np.random.default_rng(3)
    X, y = pc.make_dataset("separable", 30, rng)
    w0 = pc.random_weights(rng)
    w, b, n = pc.epoch(w0, 0.1, X, y, 0.2)
    # the same algorithm written out point by point
    w_ref, b_ref, n_ref = w0.copy(), 0.1, 0
    for i in range(X.shape[1]):
        if y[i] * (w_ref @ X[:, i] + b_ref) <= 0:
            w_ref = w_ref + 0.2 * y[i] * X[:, i]
            b_ref = b_ref + 0.2 * y[i]
            n_ref += 1
    np.testing.assert_allclose(w, w_ref, atol=1e-12)
    assert (b, n) == pytest.approx((b_ref, n_ref))


@pytest.mark.parametrize("seed", range(20))
def test_separable_preset_reaches_100_percent_within_100_epochs(seed):
    rng = np.random.default_rng(seed)
    X, y = pc.make_dataset("separable", 40, rng)
    w, b, epochs, converged = pc.train(pc.random_weights(rng), 0.0, X, y, 0.2, 100)
    assert converged, f"seed {seed}: not converged after {epochs} epochs"
    assert pc.accuracy(w, b, X, y) == 1.0


def test_separable_preset_is_separable_with_a_margin():
    X, y = pc.make_dataset("separable", 200, np.random.default_rng(0))
    assert set(np.unique(y)) <= {-1, 1}
    assert np.abs(X).max() <= pc.PLOT_LIMIT


@pytest.mark.parametrize("seed", range(10))
def test_xor_never_reaches_100_percent(seed):
    rng = np.random.default_rng(seed)
    X, y = pc.make_dataset("xor", 40, rng)
    w, b = pc.random_weights(rng), 0.0
    best = 0.0
    for _ in range(100):
        w, b, _ = pc.epoch(w, b, X, y, 0.2)
        best = max(best, pc.accuracy(w, b, X, y))
    assert best < 1.0, f"seed {seed}: XOR reached accuracy {best}"
    assert best <= 0.8, f"seed {seed}: a line should get at most ~3/4 of XOR, got {best}"


def test_datasets_and_weights_are_deterministic_for_a_seed():
    a = pc.make_dataset("xor", 25, np.random.default_rng(11))
    b = pc.make_dataset("xor", 25, np.random.default_rng(11))
    np.testing.assert_array_equal(a[0], b[0])
    np.testing.assert_array_equal(a[1], b[1])
    np.testing.assert_array_equal(
        pc.random_weights(np.random.default_rng(5)), pc.random_weights(np.random.default_rng(5))
    )


def test_unknown_dataset_names_the_choices():
    with pytest.raises(ValueError, match="separable"):
        pc.make_dataset("spiral", 10, np.random.default_rng(0))

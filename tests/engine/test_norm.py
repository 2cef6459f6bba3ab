"""engine.norm: the statistics each norm promises, checked against hand-written loops."""

from __future__ import annotations

import numpy as np
import pytest

from engine.norm import (
    NORM_AXES,
    NORM_TABLE,
    BatchNorm,
    NormError,
    batch_norm,
    batch_norm_backward,
    group_norm,
    group_norm_backward,
    instance_norm,
    instance_norm_backward,
    layer_norm,
    layer_norm_backward,
    norm_axes,
    sample_activations,
    stat_index,
)
from tests.gradcheck import check_grad


@pytest.fixture
def x4() -> np.ndarray:
    return sample_activations(np.random.default_rng(0), (8, 4, 6, 6))


def standardise(values: np.ndarray, eps: float) -> np.ndarray:
    return (values - values.mean()) / np.sqrt(values.var() + eps)


# ---------------------------------------------------------------- the statistics


def test_batch_norm_gives_each_feature_mean_0_var_1_over_the_batch():
    x = np.random.default_rng(1).normal(3.0, 5.0, size=(16, 5))
    y, stats = batch_norm(x, eps=0.0)
    np.testing.assert_allclose(y.mean(axis=0), 0.0, atol=1e-12)
    np.testing.assert_allclose(y.var(axis=0), 1.0, atol=1e-12)
    np.testing.assert_allclose(stats["mean"], x.mean(axis=0))
    assert stats["var"].shape == (5,) and stats["x_hat"].shape == (16, 5)


def test_batch_norm_4d_is_per_channel_over_n_h_w(x4):
    y, stats = batch_norm(x4, eps=0.0)
    np.testing.assert_allclose(y.mean(axis=(0, 2, 3)), 0.0, atol=1e-12)
    np.testing.assert_allclose(y.var(axis=(0, 2, 3)), 1.0, atol=1e-12)
    assert stats["mean"].shape == (4,)
    for c in range(4):  # the independent way: one channel at a time
        np.testing.assert_allclose(y[:, c], standardise(x4[:, c], 0.0), atol=1e-12)


def test_layer_norm_gives_each_sample_mean_0_var_1(x4):
    y, stats = layer_norm(x4, eps=0.0)
    np.testing.assert_allclose(y.mean(axis=(1, 2, 3)), 0.0, atol=1e-12)
    np.testing.assert_allclose(y.var(axis=(1, 2, 3)), 1.0, atol=1e-12)
    assert stats["mean"].shape == (8,)
    for n in range(8):
        np.testing.assert_allclose(y[n], standardise(x4[n], 0.0), atol=1e-12)


def test_instance_norm_is_per_sample_and_channel(x4):
    y, stats = instance_norm(x4, eps=1e-5)
    assert stats["mean"].shape == (8, 4)
    np.testing.assert_allclose(y[3, 2], standardise(x4[3, 2], 1e-5), atol=1e-12)


def test_group_norm_with_one_group_equals_layer_norm(x4):
    np.testing.assert_allclose(group_norm(x4, 1)[0], layer_norm(x4)[0], atol=1e-12)


def test_group_norm_with_c_groups_equals_instance_norm(x4):
    np.testing.assert_allclose(group_norm(x4, 4)[0], instance_norm(x4)[0], atol=1e-12)


def test_group_norm_two_groups_match_a_loop(x4):
    y, stats = group_norm(x4, 2, eps=1e-5)
    assert stats["mean"].shape == (8, 2)
    np.testing.assert_allclose(y[5, 2:4], standardise(x4[5, 2:4], 1e-5), atol=1e-12)


def test_group_norm_refuses_channels_not_divisible_by_groups(x4):
    with pytest.raises(NormError) as err:
        group_norm(x4, 3)
    assert "C = 4" in str(err.value) and "groups = 3" in str(err.value), str(err.value)


def test_gamma_and_beta_are_applied_per_channel(x4):
    gamma, beta = np.array([1.0, 2.0, 0.5, -1.0]), np.array([0.0, 1.0, -2.0, 3.0])
    y, stats = batch_norm(x4, gamma, beta)
    expected = gamma[None, :, None, None] * stats["x_hat"] + beta[None, :, None, None]
    np.testing.assert_allclose(y, expected)
    np.testing.assert_allclose(y.mean(axis=(0, 2, 3)), beta, atol=1e-10)
    np.testing.assert_allclose(y.std(axis=(0, 2, 3)), np.abs(gamma), rtol=1e-4)


def test_wrong_gamma_shape_names_both_shapes(x4):
    with pytest.raises(NormError) as err:
        batch_norm(x4, gamma=np.ones(3))
    assert "(8, 4, 6, 6)" in str(err.value) and "(3,)" in str(err.value), str(err.value)


# ---------------------------------------------------------------- batch dependency


def test_layer_norm_of_one_sample_does_not_depend_on_the_batch(x4):
    alone, _ = layer_norm(x4[:1])
    in_batch, _ = layer_norm(x4)
    np.testing.assert_allclose(alone[0], in_batch[0], atol=1e-12)


def test_batch_norm_of_one_sample_depends_on_the_batch(x4):
    alone, _ = batch_norm(x4[:2])
    in_batch, _ = batch_norm(x4)
    assert not np.allclose(alone[0], in_batch[0])


def test_batchnorm_running_stats_follow_the_momentum_rule():
    rng = np.random.default_rng(2)
    bn = BatchNorm(3, momentum=0.1)
    mean, var = np.zeros(3), np.ones(3)
    for _ in range(5):
        x = rng.normal(2.0, 3.0, size=(10, 3))
        bn.forward(x, training=True)
        mean = 0.9 * mean + 0.1 * x.mean(axis=0)
        var = 0.9 * var + 0.1 * x.var(axis=0, ddof=1)  # unbiased, as PyTorch
    np.testing.assert_allclose(bn.running_mean, mean)
    np.testing.assert_allclose(bn.running_var, var)


def test_batchnorm_inference_uses_running_statistics(x4):
    bn = BatchNorm(4, momentum=0.5)
    bn.gamma, bn.beta = np.array([1.0, 2.0, 3.0, 4.0]), np.array([0.1, 0.2, 0.3, 0.4])
    for _ in range(3):
        train_out = bn.forward(x4, training=True)
    infer_out = bn.forward(x4, training=False)
    assert not np.allclose(train_out, infer_out), "inference should not use batch statistics"
    c = (None, slice(None), None, None)
    manual = (x4 - bn.running_mean[c]) / np.sqrt(bn.running_var[c] + bn.eps)
    np.testing.assert_allclose(infer_out, bn.gamma[c] * manual + bn.beta[c])


def test_batchnorm_refuses_one_value_per_channel_in_training():
    with pytest.raises(NormError, match=r"\(1, 3\)"):
        BatchNorm(3).forward(np.ones((1, 3)))


def test_batchnorm_refuses_wrong_channel_count(x4):
    with pytest.raises(NormError, match=r"BatchNorm\(3\).*\(8, 4, 6, 6\)"):
        BatchNorm(3).forward(x4)


# ---------------------------------------------------------------- gradients


def _loss_grads(forward, backward, x, gamma, beta, weights):
    """loss = Σ weights · y, so dy = weights; returns the analytic grads and loss functions."""
    _, stats = forward(x, gamma, beta)
    dx, dgamma, dbeta = backward(weights, stats, gamma)

    def loss(x_, g_, b_):
        return float(np.sum(weights * forward(x_, g_, b_)[0]))

    check_grad(lambda v: loss(v, gamma, beta), dx, x, name="dx")
    check_grad(lambda v: loss(x, v, beta), dgamma, gamma, name="dgamma")
    check_grad(lambda v: loss(x, gamma, v), dbeta, beta, name="dbeta")


CASES = [
    ("batch 2-D, per-feature γ", batch_norm, batch_norm_backward, (6, 3), (3,)),
    ("batch 4-D, per-channel γ", batch_norm, batch_norm_backward, (3, 2, 3, 3), (2,)),
    ("batch 4-D, scalar γ", batch_norm, batch_norm_backward, (3, 2, 2, 3), ()),
    ("layer 2-D, per-feature γ", layer_norm, layer_norm_backward, (4, 5), (5,)),
    ("layer 4-D, elementwise γ", layer_norm, layer_norm_backward, (2, 2, 3, 3), (2, 3, 3)),
    ("layer 3-D, per-channel γ", layer_norm, layer_norm_backward, (3, 2, 4), (2,)),
]


@pytest.mark.parametrize(("label", "forward", "backward", "x_shape", "g_shape"), CASES)
def test_backward_matches_numeric_gradient(label, forward, backward, x_shape, g_shape):
    rng = np.random.default_rng(3)
    x = rng.normal(1.0, 2.0, size=x_shape)
    gamma = rng.normal(size=g_shape) if g_shape else np.asarray(1.3)
    beta = rng.normal(size=g_shape) if g_shape else np.asarray(-0.2)
    weights = rng.normal(size=x_shape)
    _loss_grads(forward, backward, x, gamma, beta, weights)


def test_instance_norm_backward_matches_numeric_gradient():
    rng = np.random.default_rng(4)
    x, gamma, beta = rng.normal(size=(2, 3, 3, 3)), rng.normal(size=3), rng.normal(size=3)
    weights = rng.normal(size=x.shape)
    _loss_grads(
        lambda x_, g, b: instance_norm(x_, 1e-5, g, b),
        instance_norm_backward,
        x,
        gamma,
        beta,
        weights,
    )


def test_group_norm_backward_matches_numeric_gradient():
    rng = np.random.default_rng(5)
    x, gamma, beta = rng.normal(size=(2, 4, 2, 3)), rng.normal(size=4), rng.normal(size=4)
    weights = rng.normal(size=x.shape)
    _loss_grads(
        lambda x_, g, b: group_norm(x_, 2, 1e-5, g, b),
        lambda dy, stats, g: group_norm_backward(dy, stats, 2, g),
        x,
        gamma,
        beta,
        weights,
    )


# ---------------------------------------------------------------- scope helpers and table


@pytest.mark.parametrize(
    ("kind", "ndim", "axes"),
    [
        ("batch", 2, (0,)),
        ("batch", 4, (0, 2, 3)),
        ("layer", 2, (1,)),
        ("layer", 4, (1, 2, 3)),
        ("instance", 4, (2, 3)),
        ("instance", 3, (2,)),
    ],
)
def test_norm_axes(kind, ndim, axes):
    assert norm_axes(kind, ndim) == axes


def test_norm_axes_refuses_instance_norm_without_spatial_axes():
    with pytest.raises(NormError, match="at least 3 axes"):
        norm_axes("instance", 2)


@pytest.mark.parametrize(
    ("kind", "run"),
    [
        ("batch", lambda x: batch_norm(x, eps=0.0)),
        ("layer", lambda x: layer_norm(x, eps=0.0)),
        ("instance", lambda x: instance_norm(x, eps=0.0)),
        ("group", lambda x: group_norm(x, 2, eps=0.0)),
    ],
)
def test_stat_index_marks_the_elements_that_share_statistics(kind, run, x4):
    ids = stat_index(kind, x4.shape, groups=2)
    y, stats = run(x4)
    assert len(np.unique(ids)) == stats["mean"].size
    for i in np.unique(ids):
        scope = y[ids == i]
        assert abs(scope.mean()) < 1e-12 and abs(scope.var() - 1.0) < 1e-12, (kind, i)


def test_norm_table_has_one_row_per_kind_with_plain_string_fields():
    assert [row["kind"] for row in NORM_TABLE] == list(NORM_AXES)
    fields = {"name", "normalize_over", "best_for", "batch_dependency", "train_vs_inference"}
    for row in NORM_TABLE:
        assert fields | {"compute_notes"} <= set(row), row
        assert all(isinstance(v, str) and v for v in row.values()), row
    assert NORM_TABLE[0]["best_for"] == "CNNs, large batches"


def test_sample_activations_channels_differ_and_are_reproducible():
    a = sample_activations(np.random.default_rng(7), (8, 4, 6, 6), scale=1.0, shift=0.5)
    b = sample_activations(np.random.default_rng(7), (8, 4, 6, 6), scale=1.0, shift=0.5)
    np.testing.assert_array_equal(a, b)
    means, stds = a.mean(axis=(0, 2, 3)), a.std(axis=(0, 2, 3))
    assert np.all(np.diff(means) > 0.5) and np.all(np.diff(stds) > 0.1), (means, stds)
    assert sample_activations(np.random.default_rng(7), (5, 3, 10)).shape == (5, 3, 10)

"""Dense network: backward against central differences of the loss, shapes, init, collapse."""

from __future__ import annotations

import numpy as np
import pytest

from engine import dense
from engine.activations import get_activation
from engine.losses import LOSSES
from tests.gradcheck import check_grad

HIDDEN = ["relu", "sigmoid", "tanh", "leaky_relu", "softplus", "linear"]
OUTPUT_AND_LOSS = [
    ("softmax", "cross_entropy"),
    ("sigmoid", "binary_cross_entropy"),
    ("linear", "mse"),
    ("sigmoid", "mse"),
    ("softmax", "mse"),
]
SIZES = [3, 4, 2]
M = 5


def targets(rng: np.random.Generator, output: str, loss: str) -> np.ndarray:
    """``(2, M)`` targets that suit the loss: one-hot, 0/1, or real values."""
    if loss == "cross_entropy":
        return np.eye(SIZES[-1])[:, rng.integers(0, SIZES[-1], size=M)]
    if loss == "binary_cross_entropy":
        return rng.integers(0, 2, size=(SIZES[-1], M)).astype(float)
    return rng.normal(size=(SIZES[-1], M))


def loss_of(
    params: dense.Params, X: np.ndarray, Y: np.ndarray, acts: list[str], loss: str
) -> float:
    return LOSSES[loss].fn(dense.forward(params, X, acts).output, Y)


def with_replaced(params: dense.Params, i: int, which: int, value: np.ndarray) -> dense.Params:
    """A copy of ``params`` with W (which=0) or b (which=1) of layer i replaced."""
    out = list(params)
    pair = list(out[i])
    pair[which] = value
    out[i] = (pair[0], pair[1])
    return out


@pytest.mark.parametrize(("output", "loss"), OUTPUT_AND_LOSS)
@pytest.mark.parametrize("hidden", HIDDEN)
def test_backward_dW_db_match_central_differences_of_the_loss(
    hidden: str, output: str, loss: str
) -> None:
    rng = np.random.default_rng(11)
    params = dense.init_params(SIZES, rng, scheme="xavier")
    params = [(W, rng.normal(scale=0.5, size=b.shape)) for W, b in params]  # nonzero biases
    X, Y = rng.normal(size=(SIZES[0], M)), targets(rng, output, loss)
    acts = [hidden, output]
    trace = dense.forward(params, X, acts)
    min_abs_z = min(float(np.abs(Z).min()) for Z in trace.Z)
    assert min_abs_z > 1e-4, f"a pre-activation is {min_abs_z:g}, too close to the ReLU kink"

    grads = dense.backward(params, trace, Y, loss)
    for i, (W, b) in enumerate(params):
        check_grad(
            lambda v, i=i: loss_of(with_replaced(params, i, 0, v), X, Y, acts, loss),
            grads["dW"][i],
            W,
            name=f"dW[{i + 1}] ({hidden} -> {output}, {loss})",
        )
        check_grad(
            lambda v, i=i: loss_of(with_replaced(params, i, 1, v), X, Y, acts, loss),
            grads["db"][i],
            b,
            name=f"db[{i + 1}] ({hidden} -> {output}, {loss})",
        )


@pytest.mark.parametrize(("output", "loss"), OUTPUT_AND_LOSS)
def test_backward_delta_matches_central_differences_with_respect_to_Z(
    output: str, loss: str
) -> None:
    """δ[l] = ∂L/∂Z[l]: perturb Z[l] directly and run the rest of the network on it."""
    rng = np.random.default_rng(12)
    params = dense.init_params(SIZES, rng, scheme="xavier")
    X, Y = rng.normal(size=(SIZES[0], M)), targets(rng, output, loss)
    acts = ["tanh", output]
    trace = dense.forward(params, X, acts)
    grads = dense.backward(params, trace, Y, loss)

    def loss_from_Z1(Z1: np.ndarray) -> float:
        A1 = get_activation("tanh").fn(Z1)
        return loss_of(params[1:], A1, Y, acts[1:], loss)

    def loss_from_Z2(Z2: np.ndarray) -> float:
        return LOSSES[loss].fn(get_activation(output).fn(Z2), Y)

    check_grad(loss_from_Z1, grads["delta"][0], trace.Z[0], name="delta[1]")
    check_grad(loss_from_Z2, grads["delta"][1], trace.Z[1], name="delta[2]")


def test_gradient_shapes_match_the_parameters_they_update() -> None:
    rng = np.random.default_rng(0)
    params = dense.init_params([4, 8, 8, 2], rng)
    trace = dense.forward(params, rng.normal(size=(4, 6)), ["relu", "relu", "softmax"])
    grads = dense.backward(params, trace, np.eye(2)[:, [0, 1, 1, 0, 0, 1]], "cross_entropy")
    got = [(dW.shape, db.shape, d.shape) for dW, db, d in zip(*grads.values(), strict=True)]
    want = [((n_out, n_in), (n_out, 1), (n_out, 6)) for n_in, n_out in [(4, 8), (8, 8), (8, 2)]]
    assert got == want


def test_forward_trace_keeps_X_as_A0_and_one_Z_per_layer() -> None:
    rng = np.random.default_rng(1)
    params = dense.init_params([2, 3, 2], rng)
    X = np.array([[1.0], [0.5]])
    trace = dense.forward(params, X, ["relu", "sigmoid"])
    assert [a.shape for a in trace.A] == [(2, 1), (3, 1), (2, 1)]
    assert [z.shape for z in trace.Z] == [(3, 1), (2, 1)]
    np.testing.assert_array_equal(trace.A[0], X)
    np.testing.assert_allclose(trace.Z[0], params[0][0] @ X + params[0][1])


def test_forward_treats_a_vector_input_as_one_column() -> None:
    params = dense.init_params([2, 3, 2], np.random.default_rng(1))
    as_vector = dense.forward(params, np.array([1.0, 0.5]), ["relu", "sigmoid"]).output
    as_column = dense.forward(params, np.array([[1.0], [0.5]]), ["relu", "sigmoid"]).output
    np.testing.assert_array_equal(as_vector, as_column)


def test_linear_network_collapses_to_one_matrix_as_the_chapter_says() -> None:
    rng = np.random.default_rng(2)
    (W1, b1), (W2, b2) = [
        (W, rng.normal(size=b.shape)) for W, b in dense.init_params([3, 5, 2], rng)
    ]
    X = rng.normal(size=(3, 7))
    out = dense.forward([(W1, b1), (W2, b2)], X, ["linear", "linear"]).output
    np.testing.assert_allclose(out, (W2 @ W1) @ X + (W2 @ b1 + b2), atol=1e-12)


def test_param_count_of_the_chapters_4_8_8_2_network_is_130() -> None:
    assert dense.param_count([4, 8, 8, 2]) == 130


def test_layer_report_lists_shapes_and_counts_per_layer() -> None:
    report = dense.layer_report([4, 8, 8, 2])
    assert [(r["layer"], r["W_shape"], r["b_shape"]) for r in report] == [
        (1, [8, 4], [8, 1]),
        (2, [8, 8], [8, 1]),
        (3, [2, 8], [2, 1]),
    ]
    assert [(r["weights"], r["biases"], r["params"]) for r in report] == [
        (32, 8, 40),
        (64, 8, 72),
        (16, 2, 18),
    ]
    assert sum(r["params"] for r in report) == dense.param_count([4, 8, 8, 2])


def test_matmul_shape_check_returns_rows_of_W_by_columns_of_a() -> None:
    assert dense.matmul_shape_check((8, 6), (6, 5)) == (8, 5)
    assert dense.matmul_shape_check((8, 6), (6,)) == (8,)


def test_matmul_shape_check_explains_the_rule_naming_both_shapes() -> None:
    with pytest.raises(dense.DimensionError) as info:
        dense.matmul_shape_check((8, 6), (8, 5), layer=2)
    assert str(info.value).startswith(
        "W[2] has shape (8, 6) but a[1] has 8 rows: the columns of W must equal the rows of a"
    ), str(info.value)
    assert isinstance(info.value, ValueError)


def test_forward_with_a_wrong_input_size_raises_a_dimension_error() -> None:
    params = dense.init_params([4, 3, 2], np.random.default_rng(0))
    with pytest.raises(dense.DimensionError, match=r"W\[1\] has shape \(3, 4\)"):
        dense.forward(params, np.zeros((5, 2)), ["relu", "softmax"])


def test_forward_with_a_row_bias_raises_a_dimension_error() -> None:
    (W, b), *_ = dense.init_params([4, 3], np.random.default_rng(0))
    with pytest.raises(dense.DimensionError, match=r"b\[1\] has shape \(3,\)"):
        dense.forward([(W, b.ravel())], np.zeros((4, 2)), ["relu"])


def test_init_params_is_deterministic_for_a_seed_with_zero_biases() -> None:
    a = dense.init_params([3, 4, 2], np.random.default_rng(42))
    b = dense.init_params([3, 4, 2], np.random.default_rng(42))
    c = dense.init_params([3, 4, 2], np.random.default_rng(43))
    for (Wa, ba), (Wb, bb) in zip(a, b, strict=True):
        np.testing.assert_array_equal(Wa, Wb)
        np.testing.assert_array_equal(ba, bb)
        assert not ba.any()
    assert not np.array_equal(a[0][0], c[0][0])


@pytest.mark.parametrize(
    ("scheme", "expected_std"),
    [("he", np.sqrt(2 / 400)), ("xavier", np.sqrt(1 / 400)), ("glorot", np.sqrt(2 / 700))],
)
def test_init_params_weight_std_matches_the_scheme(scheme: str, expected_std: float) -> None:
    [(W, b)] = dense.init_params([400, 300], np.random.default_rng(5), scheme=scheme)
    assert W.shape == (300, 400) and b.shape == (300, 1)
    assert abs(W.mean()) < 0.05 * expected_std, W.mean()
    assert W.std() == pytest.approx(expected_std, rel=0.02)


def test_sgd_step_moves_against_the_gradient_and_leaves_params_unchanged() -> None:
    params = [(np.ones((2, 3)), np.zeros((2, 1)))]
    grads = {"dW": [np.full((2, 3), 2.0)], "db": [np.ones((2, 1))], "delta": [np.zeros((2, 1))]}
    [(W, b)] = dense.sgd_step(params, grads, lr=0.1)
    np.testing.assert_allclose(W, np.full((2, 3), 0.8))
    np.testing.assert_allclose(b, np.full((2, 1), -0.1))
    np.testing.assert_array_equal(params[0][0], np.ones((2, 3)))
    np.testing.assert_array_equal(params[0][1], np.zeros((2, 1)))


def test_a_few_sgd_steps_lower_the_cross_entropy() -> None:
    rng = np.random.default_rng(3)
    X = rng.normal(size=(2, 20))
    Y = np.eye(2)[:, (X[0] + X[1] > 0).astype(int)]
    acts = ["tanh", "softmax"]
    params = dense.init_params([2, 4, 2], rng, scheme="xavier")
    before = loss_of(params, X, Y, acts, "cross_entropy")
    for _ in range(20):
        trace = dense.forward(params, X, acts)
        params = dense.sgd_step(params, dense.backward(params, trace, Y, "cross_entropy"), 0.5)
    after = loss_of(params, X, Y, acts, "cross_entropy")
    assert after < 0.8 * before, (before, after)


@pytest.mark.parametrize(
    ("sizes", "acts", "loss", "n_unique"),
    [
        # n_unique: the weights with one path to the loss (every later layer has one unit),
        # counted by hand: 2→3→1 has all 6 + 3; 4→5→1→1 has all 20 + 5 + 1.
        ([2, 3, 1], ["sigmoid", "sigmoid"], "mse", 9),
        ([2, 3, 1], ["sigmoid", "sigmoid"], "binary_cross_entropy", 9),
        ([4, 5, 1, 1], ["tanh", "relu", "sigmoid"], "mse", 26),
        ([3, 2, 2], ["tanh", "sigmoid"], "mse", 4),  # layer 1 has two paths: only W[2]
    ],
)
def test_weight_chain_factors_multiply_to_the_numeric_gradient(sizes, acts, loss, n_unique):
    """Every weight whose path to the loss is unique: the product of the chain's factors is
    the central-difference derivative of the loss (not the engine's own backward)."""
    rng = np.random.default_rng(11)
    params = dense.init_params(sizes, rng, scheme="xavier")
    X = rng.normal(size=(sizes[0], 1))
    Y = np.full((sizes[-1], 1), 0.3)
    trace = dense.forward(params, X, acts)
    checked = 0
    for layer in range(1, len(sizes)):
        if any(n != 1 for n in sizes[layer + 1 :]):
            continue
        W = params[layer - 1][0]
        for row, col in np.ndindex(W.shape):
            factors = dense.weight_chain(params, trace, Y, loss, layer, row, col)
            product = float(np.prod([f["value"] for f in factors]))

            def loss_at(w, layer=layer, row=row, col=col):
                moved = [(Wk.copy(), bk) for Wk, bk in params]
                moved[layer - 1][0][row, col] = w
                out = dense.forward(moved, X, acts).output
                return float(LOSSES[loss].fn(out, Y))

            w0 = W[row, col]
            eps = 1e-6
            numeric = (loss_at(w0 + eps) - loss_at(w0 - eps)) / (2 * eps)
            assert product == pytest.approx(numeric, rel=1e-5, abs=1e-9), (
                f"W[{layer}][{row},{col}]: chain {product} vs numeric {numeric}: {factors}"
            )
            checked += 1
    assert checked == n_unique, f"checked {checked} weights, expected {n_unique}"


def test_weight_chain_refuses_a_weight_with_several_paths():
    rng = np.random.default_rng(2)
    params = dense.init_params([2, 3, 2], rng)
    trace = dense.forward(params, np.ones((2, 1)), ["sigmoid", "sigmoid"])
    with pytest.raises(ValueError, match="layer 2 has 2 neurons: .* several paths"):
        dense.weight_chain(params, trace, np.zeros((2, 1)), "mse", 1, 0, 0)

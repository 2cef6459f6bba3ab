"""engine.conv against the chapter's facts and a slow, explicit loop written here."""

from __future__ import annotations

import numpy as np
import pytest

from engine.conv import (
    ConvError,
    avg_pool2d,
    conv2d,
    conv2d_backward,
    conv2d_trace,
    conv_output_size,
    conv_output_size_explain,
    max_pool2d,
    max_pool2d_argmax,
    pad2d,
    pool2d_trace,
    same_padding,
)
from engine.conv_presets import KERNELS, preset_kernel, sample_image, sample_input_7x7
from tests.gradcheck import check_grad


def slow_conv(x, kernels, bias, stride, p):
    """Reference: four explicit loops over (n, o, i, j), straight from the chapter's sum."""
    x = np.pad(x, ((0, 0), (0, 0), (p, p), (p, p)))
    n_batch, _, h, w = x.shape
    c_out, _, kh, kw = kernels.shape
    h_out, w_out = (h - kh) // stride + 1, (w - kw) // stride + 1
    out = np.zeros((n_batch, c_out, h_out, w_out))
    for n in range(n_batch):
        for o in range(c_out):
            for i in range(h_out):
                for j in range(w_out):
                    total = bias[o]
                    for c in range(x.shape[1]):
                        for m in range(kh):
                            for q in range(kw):
                                total += (
                                    x[n, c, i * stride + m, j * stride + q] * kernels[o, c, m, q]
                                )
                    out[n, o, i, j] = total
    return out


# ---------------------------------------------------------------- output size: chapter facts


@pytest.mark.parametrize(
    ("n", "k", "padding", "stride", "expected"),
    [
        (7, 3, 0, 1, 5),
        (7, 3, "valid", 1, 5),
        (7, 3, "same", 1, 7),
        (7, 5, "same", 1, 7),
        (28, 5, "same", 1, 28),
        (7, 3, "valid", 2, 3),
        (7, 5, 0, 2, 2),
        (7, 3, "same", 2, 4),
        (8, 2, 0, 2, 4),
    ],
)
def test_output_size_formula(n, k, padding, stride, expected):
    assert conv_output_size(n, k, padding, stride) == expected


@pytest.mark.parametrize("k", [1, 3, 5, 7])
def test_same_padding_keeps_size_at_stride_1(k):
    for n in (k, 7, 10):
        assert conv_output_size(n, k, "same", 1) == n, f"n={n}, k={k}, p={same_padding(k)}"


def test_same_padding_for_even_kernel_is_refused_with_reason():
    with pytest.raises(ConvError, match=r"odd kernel size, got 4"):
        same_padding(4)


def test_inexact_stride_raises_with_the_numbers():
    with pytest.raises(ConvError) as err:
        conv_output_size(8, 3, 0, 2)
    message = str(err.value)
    for piece in ("(8 − 3 + 2·0) / 2 = 2.5", "not a whole number", "floor it to 2"):
        assert piece in message, message


def test_kernel_larger_than_padded_input_raises_with_the_numbers():
    with pytest.raises(ConvError) as err:
        conv_output_size(3, 5, 0, 1)
    assert "kernel (5)" in str(err.value) and "3 + 2·0 = 3" in str(err.value), str(err.value)


@pytest.mark.parametrize(
    ("args", "words"),
    [((7, 3, "full", 1), "'full'"), ((7, 3, -1, 1), "≥ 0"), ((7, 3, 0, 0), "stride")],
)
def test_bad_arguments_raise_conv_error(args, words):
    with pytest.raises(ConvError, match=words):
        conv_output_size(*args)


def test_explain_reports_exact_fit():
    info = conv_output_size_explain(7, 3, 0, 1)
    assert info["formula"] == "(7 − 3 + 2·0) / 1 + 1 = 5"
    assert (info["size"], info["exact"], info["padding"]) == (5, True, 0)
    assert "(7 − 3 + 2·0) / 1 = 4 is a whole number" in info["message"]


def test_explain_reports_floor_instead_of_raising():
    info = conv_output_size_explain(8, 3, "valid", 2)
    assert (info["size"], info["exact"], info["remainder"]) == (3, False, 1), info
    assert "2.5" in info["message"] and "floor" in info["message"]


def test_explain_reports_no_fit_as_size_zero():
    info = conv_output_size_explain(3, 5, 0, 1)
    assert (info["size"], info["exact"]) == (0, False), info
    assert "cannot be placed" in info["message"]


def test_explain_size_matches_real_output_for_every_sim_combination():
    x = sample_input_7x7()
    for k in (3, 5):
        for stride in (1, 2):
            for padding in ("valid", "same"):
                info = conv_output_size_explain(7, k, padding, stride)
                out = conv2d(x, KERNELS["edge"][k], stride=stride, padding=padding)
                assert out.shape == (info["size"],) * 2, (k, stride, padding, info)
                assert info["exact"], info


# ---------------------------------------------------------------- conv2d vs the slow loop


@pytest.mark.parametrize(
    ("n", "c_in", "c_out", "hw", "k", "stride", "padding"),
    [
        (1, 1, 1, (7, 7), (3, 3), 1, 0),
        (2, 3, 4, (6, 7), (3, 3), 1, 1),
        (2, 2, 3, (7, 7), (5, 5), 2, 2),
        (1, 3, 2, (8, 9), (3, 2), 2, 0),
        (3, 1, 2, (5, 5), (1, 1), 1, 0),
        (1, 2, 2, (9, 8), (3, 3), 3, 1),
    ],
)
def test_conv2d_batch_matches_slow_loop(n, c_in, c_out, hw, k, stride, padding):
    rng = np.random.default_rng(0)
    x = rng.normal(size=(n, c_in, *hw))
    kernels = rng.normal(size=(c_out, c_in, *k))
    bias = rng.normal(size=c_out)
    fast = conv2d(x, kernels, bias, stride=stride, padding=padding)
    slow = slow_conv(x, kernels, bias, stride, padding)
    np.testing.assert_allclose(fast, slow, atol=1e-12)


def test_conv2d_single_and_channel_layouts_match_slow_loop():
    rng = np.random.default_rng(1)
    image, kernel = rng.normal(size=(7, 7)), rng.normal(size=(3, 3))
    slow = slow_conv(image[None, None], kernel[None, None], [0.5], 1, 1)
    np.testing.assert_allclose(conv2d(image, kernel, 0.5, padding="same"), slow[0, 0], atol=1e-12)
    x3, k4, b = rng.normal(size=(2, 6, 6)), rng.normal(size=(3, 2, 3, 3)), rng.normal(size=3)
    slow3 = slow_conv(x3[None], k4, b, 1, 0)[0]
    np.testing.assert_allclose(conv2d(x3, k4, b), slow3, atol=1e-12)


def test_conv2d_is_cross_correlation_not_flipped():
    x = np.zeros((3, 3))
    x[0, 0] = 1.0
    kernel = np.arange(9.0).reshape(3, 3)
    # One position; the output is Σ x·K, which picks K[0, 0] (a flipped kernel would pick K[2, 2]).
    assert conv2d(x, kernel)[0, 0] == kernel[0, 0]


def test_conv2d_floors_by_default_and_strict_refuses():
    x = np.ones((8, 8))
    assert conv2d(x, np.ones((3, 3)), stride=2).shape == (3, 3)
    with pytest.raises(ConvError, match="2.5"):
        conv2d(x, np.ones((3, 3)), stride=2, strict=True)


@pytest.mark.parametrize(
    ("x_shape", "k_shape", "words"),
    [
        ((3, 7, 7), (4, 2, 3, 3), "3 input channels"),
        ((7, 7), (1, 1, 3, 3), "cannot convolve"),
        ((3, 3), (5, 5), "larger than the padded input"),
    ],
)
def test_conv2d_bad_shapes_name_them(x_shape, k_shape, words):
    with pytest.raises(ConvError) as err:
        conv2d(np.ones(x_shape), np.ones(k_shape))
    assert words in str(err.value) and str(x_shape) in str(err.value), str(err.value)


def test_pad2d_adds_zeros_on_last_two_axes_only():
    x = np.ones((2, 3, 4))
    padded = pad2d(x, 1)
    assert padded.shape == (2, 5, 6)
    assert padded[:, 1:-1, 1:-1].sum() == x.sum() and padded.sum() == x.sum()


# ---------------------------------------------------------------- trace


@pytest.mark.parametrize(("k", "stride", "padding"), [(3, 1, "valid"), (5, 2, "same"), (3, 2, 1)])
def test_trace_sums_equal_conv2d(k, stride, padding):
    x, kernel = sample_input_7x7("diagonal_edge"), preset_kernel("sharpen", k)
    trace = conv2d_trace(x, kernel, stride, padding)
    out = conv2d(x, kernel, stride=stride, padding=padding)
    sums = np.array([s["sum"] for s in trace["steps"]]).reshape(out.shape)
    np.testing.assert_allclose(sums, out, atol=1e-12)
    np.testing.assert_allclose(trace["output"], out, atol=1e-12)


def test_trace_steps_are_row_major_with_windows_from_padded_input():
    x, kernel = sample_input_7x7(), preset_kernel("edge", 3)
    trace = conv2d_trace(x, kernel, stride=2, padding="same")
    padded = np.array(trace["padded"])
    assert trace["padding"] == 1 and padded.shape == (9, 9)
    assert [s["out"] for s in trace["steps"][:5]] == [[0, 0], [0, 1], [0, 2], [0, 3], [1, 0]]
    step = trace["steps"][6]  # out (1, 2) -> top-left (2, 4) in padded coordinates
    assert step["top_left"] == [2, 4]
    np.testing.assert_array_equal(step["window"], padded[2:5, 4:7])
    np.testing.assert_allclose(step["products"], padded[2:5, 4:7] * kernel)


# ---------------------------------------------------------------- pooling


@pytest.mark.parametrize("shape", [(8, 8), (3, 6, 10), (28, 28)])
def test_2x2_pool_stride_2_halves_each_side(shape):
    x = np.random.default_rng(2).normal(size=shape)
    halved = shape[:-2] + (shape[-2] // 2, shape[-1] // 2)
    assert max_pool2d(x).shape == halved
    assert avg_pool2d(x).shape == halved


def test_pool_values_and_argmax_on_known_input():
    x = np.array([[1.0, 3.0, 2.0, 0.0], [4.0, 2.0, 1.0, 5.0], [0.0, 0.0, 7.0, 1.0]])
    np.testing.assert_array_equal(max_pool2d(x), [[4.0, 5.0]])
    np.testing.assert_array_equal(avg_pool2d(x), [[2.5, 2.0]])
    np.testing.assert_array_equal(max_pool2d_argmax(x), [[[1, 0], [1, 3]]])
    steps = pool2d_trace(x)["steps"]
    assert [s["argmax"] for s in steps] == [[1, 0], [1, 3]]


def test_pool_larger_than_input_raises():
    with pytest.raises(ConvError, match=r"3×3 pool .* shape \(2, 2\)"):
        max_pool2d(np.ones((2, 2)), size=3)


# ---------------------------------------------------------------- backward


@pytest.mark.parametrize(("stride", "padding", "hw"), [(1, "valid", (5, 6)), (2, 1, (6, 5))])
def test_conv2d_backward_matches_numeric_gradient(stride, padding, hw):
    rng = np.random.default_rng(3)
    x = rng.normal(size=(2, 2, *hw))
    kernels = rng.normal(size=(3, 2, 3, 3))
    bias = rng.normal(size=3)
    out_shape = conv2d(x, kernels, bias, stride, padding).shape
    weights = rng.normal(size=out_shape)  # loss = Σ weights · out, so dout = weights

    def loss(x_, k_, b_):
        return float(np.sum(weights * conv2d(x_, k_, b_, stride, padding)))

    dx, dk, db = conv2d_backward(x, kernels, weights, stride, padding)
    check_grad(lambda v: loss(v, kernels, bias), dx, x, name="dx")
    check_grad(lambda v: loss(x, v, bias), dk, kernels, name="dkernels")
    check_grad(lambda v: loss(x, kernels, v), db, bias, name="dbias")


def test_conv2d_backward_2d_layout_shapes_and_numeric_gradient():
    rng = np.random.default_rng(4)
    x, kernel = rng.normal(size=(7, 7)), rng.normal(size=(3, 3))
    weights = rng.normal(size=(4, 4))
    dx, dk, db = conv2d_backward(x, kernel, weights, stride=2, padding="same")
    assert (dx.shape, dk.shape, db.shape) == ((7, 7), (3, 3), ())
    check_grad(lambda v: float(np.sum(weights * conv2d(v, kernel, 0, 2, "same"))), dx, x, name="dx")


# ---------------------------------------------------------------- presets and samples


def test_preset_kernels_have_the_documented_sums_and_shapes():
    sums = {"edge": 0.0, "blur": 1.0, "sharpen": 1.0, "sobel_x": 0.0, "sobel_y": 0.0}
    for name, total in sums.items():
        for size in (3, 5):
            kernel = KERNELS[name][size]
            assert kernel.shape == (size, size)
            assert np.isclose(kernel.sum(), total), (name, size, kernel.sum())
    np.testing.assert_array_equal(KERNELS["edge"][3], [[-1, -1, -1], [-1, 8, -1], [-1, -1, -1]])


def test_identity_kernel_returns_the_cropped_input():
    x = sample_input_7x7()
    np.testing.assert_array_equal(conv2d(x, KERNELS["identity"][3]), x[1:-1, 1:-1])


def test_edge_kernel_responds_only_at_the_edge_of_the_7x7_sample():
    response = np.abs(conv2d(sample_input_7x7("vertical_edge"), KERNELS["edge"][3]))
    columns = response.max(axis=0)
    assert np.allclose(columns[[0, 3, 4]], 0.0) and np.all(columns[[1, 2]] > 1.0), columns


@pytest.mark.parametrize("name", ["digit", "digit3", "shapes"])
def test_sample_images_are_28x28_in_unit_range_and_deterministic(name):
    image = sample_image(name)
    assert image.shape == (28, 28)
    assert image.min() >= 0.0 and image.max() <= 1.0 and image.max() > 0.5
    np.testing.assert_array_equal(image, sample_image(name))


def test_unknown_names_list_the_choices():
    with pytest.raises(ConvError, match="digit"):
        sample_image("cat")
    with pytest.raises(ConvError, match="sobel_x"):
        preset_kernel("emboss")

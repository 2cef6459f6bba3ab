"""sims/convolution.py against independent computations: an explicit loop, the formula, NumPy."""

from __future__ import annotations

import itertools
import json
import re

import numpy as np
import pytest

from engine import conv, conv_presets
from sims import convolution as sim
from sims._contract import dumps, fmt

COMBOS = list(itertools.product(["3", "5"], ["1", "2"], ["valid", "same"]))


def loop_conv(x: np.ndarray, k: np.ndarray, stride: int, pad: int) -> np.ndarray:
    """The chapter's sum, written out: out[i, j] = Σ_m Σ_n X_pad[i·s + m, j·s + n] · K[m, n]."""
    xp = np.zeros((x.shape[0] + 2 * pad, x.shape[1] + 2 * pad))
    xp[pad : pad + x.shape[0], pad : pad + x.shape[1]] = x
    size = (xp.shape[0] - k.shape[0]) // stride + 1
    out = np.zeros((size, size))
    for i in range(size):
        for j in range(size):
            for m in range(k.shape[0]):
                for n in range(k.shape[1]):
                    out[i, j] += xp[i * stride + m, j * stride + n] * k[m, n]
    return out


def test_defaults_are_the_chapters_7x7_input_3x3_edge_kernel_stride_1_valid():
    s = sim.initial_state({})
    assert np.shape(s["input"]) == (7, 7), np.shape(s["input"])
    assert (s["kernel"]["name"], s["kernel"]["size"], s["stride"], s["pad"]) == ("edge", 3, 1, 0)
    assert s["kernel"]["labels"] == [["−1", "−1", "−1"], ["−1", "8", "−1"], ["−1", "−1", "−1"]]
    assert np.shape(s["output"]) == (5, 5)
    assert s["pos"] == 1 and s["n_positions"] == 25


@pytest.mark.parametrize("kernel", list(sim.KERNEL_LABELS))
@pytest.mark.parametrize(("ksize", "stride", "padding"), COMBOS)
def test_output_map_equals_an_explicit_loop_and_engine_conv2d(kernel, ksize, stride, padding):
    s = sim.initial_state({"kernel": kernel, "ksize": ksize, "stride": stride, "padding": padding})
    x = conv_presets.sample_input_7x7(sim.INPUT_NAME)
    k = conv_presets.preset_kernel(kernel, int(ksize))
    pad = (int(ksize) - 1) // 2 if padding == "same" else 0
    expected = loop_conv(x, k, int(stride), pad)
    np.testing.assert_allclose(s["output"], expected, atol=1e-12)
    np.testing.assert_allclose(
        s["output"], conv.conv2d(x, k, stride=int(stride), padding=padding), atol=1e-12
    )


@pytest.mark.parametrize(("ksize", "stride", "padding"), COMBOS)
def test_output_size_follows_the_formula_with_the_numbers_filled_in(ksize, stride, padding):
    k, st = int(ksize), int(stride)
    p = (k - 1) // 2 if padding == "same" else 0
    s = sim.initial_state({"ksize": ksize, "stride": stride, "padding": padding})
    expected = (7 - k + 2 * p) / st + 1
    assert s["size"]["size"] == int(expected) == len(s["output"]), (s["size"], expected)
    line = s["size"]["lines"][1]
    assert line.startswith(f"(7 − {k} + 2·{p}) / {st} + 1 = {int(expected)}"), line
    assert s["n_positions"] == int(expected) ** 2


def test_5x5_same_keeps_7x7_and_3x3_valid_stride_2_gives_3x3():
    assert np.shape(sim.initial_state({"ksize": "5", "padding": "same"})["output"]) == (7, 7)
    assert np.shape(sim.initial_state({"ksize": "3", "stride": "2"})["output"]) == (3, 3)


def test_current_step_products_and_sum_match_the_window_times_the_kernel():
    s = sim.initial_state({"kernel": "blur", "ksize": "5", "padding": "same", "pos": 17})
    cur = s["current"]
    i, j = cur["out"]
    assert (i, j) == divmod(17 - 1, 7)
    xp = np.asarray(s["padded"])
    r, c = cur["top_left"]
    window = xp[r : r + 5, c : c + 5]
    k = conv_presets.preset_kernel("blur", 5)
    np.testing.assert_allclose(cur["products"], window * k, atol=1e-12)
    # the drawing shows whole-number weights ×1/256 and products in the same units
    assert s["kernel"]["factor"] == "1/256"
    np.testing.assert_allclose(np.asarray(s["kernel"]["ints"]) / 256, k, atol=1e-12)
    np.testing.assert_allclose(cur["scaled"], window * k * 256, atol=1e-9)
    np.testing.assert_allclose(cur["row_sums"], (window * k * 256).sum(axis=1), atol=1e-9)
    assert cur["value"] == pytest.approx(s["output"][i][j])
    assert cur["total"] / 256 == pytest.approx(cur["value"])


def test_written_sum_lists_every_term():
    s = sim.initial_state({})
    cur = s["current"]
    assert len(cur["terms"]) == 9
    assert cur["sum_line"].count("·") == 9, cur["sum_line"]
    assert cur["sum_line"].endswith("= −0.8 → output[0][0]"), cur["sum_line"]
    five = sim.initial_state({"ksize": "5"})["current"]
    assert len(five["terms"]) == 25 and len(five["row_sum_labels"]) == 5


def test_kernel_labels_are_short_whole_numbers_not_decimals():
    for name in sim.KERNEL_LABELS:
        for k in ("3", "5"):
            labels = sim.initial_state({"kernel": name, "ksize": k})["kernel"]["labels"]
            flat = [t for row in labels for t in row]
            assert all("." not in t and len(t) <= 4 for t in flat), (name, k, flat)


def test_signed_outputs_use_a_diverging_scale_and_unsigned_ones_gray():
    edge = sim.initial_state({"kernel": "edge"})
    assert edge["scale"]["kind"] == "diverging" and min(map(min, edge["output"])) < 0
    assert edge["scale"]["limit"] == pytest.approx(np.abs(edge["output"]).max())
    blur = sim.initial_state({"kernel": "blur"})
    assert blur["scale"]["kind"] == "gray" and min(map(min, blur["output"])) >= 0


@pytest.mark.parametrize("mode", ["max", "avg"])
@pytest.mark.parametrize(("ksize", "stride", "padding"), COMBOS)
def test_pooling_is_2x2_stride_2_of_the_output_and_says_when_it_floors(
    mode, ksize, stride, padding
):
    s = sim.initial_state({"ksize": ksize, "stride": stride, "padding": padding, "pool": mode})
    out = np.asarray(s["output"])
    h = out.shape[0] // 2
    blocks = out[: 2 * h, : 2 * h].reshape(h, 2, h, 2)
    expected = blocks.max(axis=(1, 3)) if mode == "max" else blocks.mean(axis=(1, 3))
    np.testing.assert_allclose(s["pool"]["output"], expected, atol=1e-12)
    exact = (out.shape[0] - 2) % 2 == 0
    assert s["pool"]["exact"] is exact
    text = " ".join(s["pool"]["lines"])
    if exact:
        assert "not a whole number" not in text, text
    else:
        assert "not a whole number" in text and "unpooled" in text, text


def test_pool_cells_appear_only_when_their_window_of_the_output_is_computed():
    s = sim.initial_state({"pool": "max", "pos": 7})  # 5×5 output, cells 0..6 computed
    # window (0,0) covers cells 0,1,5,6 (all ≤ 6); window (0,1) needs cell 8
    assert s["pool"]["ready"] == [True, False, False, False]
    last = sim.move(s, "last")
    assert all(last["pool"]["ready"])


def test_no_pooling_by_default():
    assert sim.initial_state({})["pool"] is None


def test_sample_image_is_a_28x28_picture_convolved_with_the_current_settings():
    s = sim.initial_state({"kernel": "sobel_x", "ksize": "3", "stride": "2", "image": "shapes"})
    img = conv_presets.sample_image("shapes")
    assert np.shape(s["sample"]["image"]) == (28, 28)
    assert len(np.unique(np.round(img, 2))) > 4  # a picture, not a checkerboard
    expected = conv.conv2d(img, conv_presets.KERNELS["sobel_x"][3], stride=2, padding="valid")
    np.testing.assert_allclose(s["sample"]["after"], expected, atol=1e-3)
    # (28 − 3) / 2 is not whole: explained in words, not floored silently
    assert not s["sample"]["size"]["exact"]
    assert "not a whole number" in " ".join(s["sample"]["lines"])
    names = [pr["kernel"] for pr in s["sample"]["presets"]]
    assert names == list(sim.KERNEL_LABELS)


def test_move_steps_in_reading_order_and_by_rows_within_the_grid():
    s = sim.initial_state({})  # 5×5 output
    assert sim.move(s, "next")["pos"] == 2
    assert sim.move(s, "prev")["pos"] == 1  # stays at the first position
    assert sim.move(s, "down")["current"]["out"] == [1, 0]
    end = sim.move(s, "last")
    assert end["pos"] == 25 and sim.move(end, "next")["pos"] == 25
    assert sim.move(end, "up")["current"]["out"] == [3, 4]
    with pytest.raises(ValueError, match="direction must be one of"):
        sim.move(s, "sideways")


def test_animation_walks_every_position_then_wraps():
    s = sim.initial_state({"stride": "2"})  # 3×3 output
    seen = [s["pos"]]
    for _ in range(9):
        s = sim.animate_step(s)
        seen.append(s["pos"])
    assert seen == [1, 2, 3, 4, 5, 6, 7, 8, 9, 1], seen


def test_changing_geometry_keeps_the_position_or_clamps_it_with_a_warning():
    s = sim.initial_state({"pos": 20})
    assert s["warning"] is None and s["pos"] == 20
    small = sim.set_param(s, "stride", "2")
    assert small["pos"] == 9 and "does not exist" in small["warning"], small["warning"]


def test_every_setting_is_kept_in_params_so_each_control_changes_the_state():
    s = sim.initial_state({})
    for c in sim.CONTROLS:
        if c.kind == "select":
            other = next(v for v, _ in c.options if v != c.default)
        elif c.kind == "slider":
            other = c.max
        else:
            continue
        new = sim.set_param(s, c.name, other)
        assert new["params"][c.name] == other and new != s, c.name


def test_state_is_plain_json_and_has_a_screen_reader_summary():
    s = sim.initial_state({"ksize": "5", "pool": "avg"})
    assert json.loads(dumps(s))["pos"] == 1
    assert "5×5" in s["summary"] and "Sum of the 25 products" in s["summary"]


@pytest.mark.parametrize("pool", ["none", "max", "avg"])
@pytest.mark.parametrize(("ksize", "stride", "padding"), COMBOS)
def test_titles_carry_the_engines_sizes_and_the_kernels_factor(ksize, stride, padding, pool):
    s = sim.initial_state(
        {"kernel": "blur", "ksize": ksize, "stride": stride, "padding": padding, "pool": pool}
    )
    t, n, k = s["titles"], len(s["output"]), int(ksize)
    assert t["output"] == f"Output {n}×{n}", (t["output"], np.shape(s["output"]))
    pad = conv.conv_output_size_explain(7, k, padding, int(stride))["padding"]
    assert t["input"] == (f"Input 7×7, pad p = {pad}" if pad else "Input 7×7, no padding")
    factor = s["kernel"]["factor"]
    assert factor in ("1/16", "1/256") and t["kernel"] == f"Kernel × {factor}", (t, factor)
    assert t["both"].startswith(f"Weights × {factor}"), t["both"]
    rows, cols = np.shape(s["sample"]["after"])
    assert t["sample"] == f"Sample 28×28 → blur → {rows}×{cols}", (t["sample"], rows, cols)
    assert t["presets"] == f"Every preset, {k}×{k}, same"
    if pool == "none":
        assert t["pool"] == []
    else:
        check_pool_titles(t["pool"], s["pool"]["output"], s["output"], pool)


POOL_TITLE = re.compile(r"^(?:(Max|Average) )?(?:pool )?(\d+)×(\d+)(?: pool)?(?: → (\d+)×(\d+))?$")


def check_pool_titles(titles, pooled, output, mode) -> None:
    """Every pool title names the pool window (sim.POOL_SIZE, the setting) as its window and,
    when it names an output, the pooled map's real shape: that of 2×2 / stride 2 block
    pooling done here with NumPy on the output map."""
    out = np.asarray(output)
    k = sim.POOL_SIZE
    h, w = out.shape[0] // k, out.shape[1] // k
    blocks = out[: h * k, : w * k].reshape(h, k, w, k)
    expected = blocks.max(axis=(1, 3)) if mode == "max" else blocks.mean(axis=(1, 3))
    np.testing.assert_allclose(pooled, expected, atol=1e-12)
    assert titles, "no pool title"
    for title in titles:
        m = POOL_TITLE.match(title)
        assert m, f"pool title {title!r} is not '[Mode] [pool] k×k [→ h×w]'"
        name, kr, kc, orow, ocol = m.groups()
        assert (int(kr), int(kc)) == (k, k), f"{title!r}: window {kr}×{kc}, pool size {k}×{k}"
        if orow is not None:
            assert (int(orow), int(ocol)) == expected.shape, f"{title!r}: output {expected.shape}"
        if name is not None:
            assert name == ("Max" if mode == "max" else "Average"), title
    assert "→" in titles[0] and titles[0].startswith("Max" if mode == "max" else "Average"), titles


@pytest.mark.parametrize("mode", ["max", "avg"])
def test_pool_title_names_the_2x2_window_not_the_3x3_result(mode):
    """The 7×7 output (3×3 kernel, same) pools to 3×3: the title says 2×2 → 3×3."""
    s = sim.initial_state({"padding": "same", "pool": mode})
    assert np.shape(s["output"]) == (7, 7) and np.shape(s["pool"]["output"]) == (3, 3)
    assert s["titles"]["pool"][0] == ("Max" if mode == "max" else "Average") + " pool 2×2 → 3×3"
    check_pool_titles(s["titles"]["pool"], s["pool"]["output"], s["output"], mode)


def test_written_sum_is_every_term_for_3x3_and_the_row_sums_for_5x5():
    three = sim.initial_state({})["current"]
    assert three["written"] == three["sum_line"], three["written"]
    five = sim.initial_state({"ksize": "5"})["current"]
    assert five["written"] == five["rows_line"], five["written"]
    total = sum(five["row_sums"])
    assert five["written"].startswith("Row sums ") and f"= {fmt(total, 3)}" in five["written"], (
        five["written"],
        total,
    )


@pytest.mark.parametrize("pool", ["none", "max"])
@pytest.mark.parametrize(("ksize", "stride", "padding"), COMBOS)
def test_text_lines_are_the_size_formulas_the_pooling_and_the_message(ksize, stride, padding, pool):
    s = sim.initial_state({"ksize": ksize, "stride": stride, "padding": padding, "pool": pool})
    wide, narrow = s["text"]["wide"], s["text"]["narrow"]
    texts = [line["text"] for line in wide]
    size = conv.conv_output_size_explain(7, int(ksize), padding, int(stride))
    assert texts[:2] == s["size"]["lines"][:2] and f"→  {size['size']}×" in texts[1], texts
    assert texts[-3:] == [
        s["message"],
        f"Output colours: {s['scale']['label']}.",
        f"Kernel: {s['kernel']['note']}.",
    ], texts
    assert narrow[0] == {"text": f"Output size = {s['size']['lines'][1]}", "tone": "ink"}
    if pool == "none":
        assert narrow[1:] == [{"text": s["message"], "tone": "note"}], narrow
        return
    tone = "ink" if s["pool"]["exact"] else "warn"
    assert [line["text"] for line in narrow[1:]] == s["pool"]["short"], narrow
    assert {line["tone"] for line in narrow[1:]} == {tone}, (narrow, s["pool"]["exact"])
    pooled = [line for line in wide if line["text"] in s["pool"]["lines"]]
    assert len(pooled) == len(s["pool"]["lines"]) and all(ln["tone"] == tone for ln in pooled)


def test_text_lines_follow_the_final_message():
    s = sim.initial_state({"stride": "2", "pos": 8})
    done = sim.animate_step(s)  # the last position: the message says the map is complete
    assert "complete" in done["message"]
    assert done["text"]["wide"][-3]["text"] == done["message"], done["text"]["wide"]


@pytest.mark.parametrize("ksize", ["3", "5"])
def test_the_preset_gallery_pictures_are_each_kernel_on_the_sample_within_a_255th(ksize):
    """The previews travel as bytes (place on the colour scale): decoded, each equals
    conv2d(sample, preset kernel, stride 1, same) to within half a 255th of its scale."""
    import base64

    s = sim.initial_state({"ksize": ksize, "image": "shapes"})
    img = conv_presets.sample_image("shapes")
    for pr in s["sample"]["presets"]:
        res = conv.conv2d(img, conv_presets.KERNELS[pr["kernel"]][int(ksize)], padding="same")
        limit = pr["scale"]["limit"]
        lo = -limit if pr["scale"]["kind"] == "diverging" else 0.0
        b = np.frombuffer(base64.b64decode(pr["pixels"]), dtype=np.uint8).reshape(res.shape)
        decoded = lo + b / 255 * (limit - lo)
        worst = float(np.abs(decoded - np.clip(res, lo, limit)).max())
        assert worst <= 0.5 / 255 * (limit - lo) + 1e-12, (pr["kernel"], worst)
        assert np.all((res >= lo - 1e-9) & (res <= limit + 1e-9)), pr["kernel"]  # scale covers it

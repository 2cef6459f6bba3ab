"""Convolution Operation Visualizer in Chromium: the map equals engine.conv.conv2d, sizes, stepping.

One page is shared by the tests of this module (the engine takes a while to boot on a busy
machine); each test leaves it at the defaults it found or sets what it needs first.
"""

from __future__ import annotations

import numpy as np
import pytest

from engine import conv, conv_presets
from sims import convolution as sim
from tests.browser.harness import (
    assert_close,
    assert_parity,
    cpython_call,
    set_control,
    sim_page,
    snapshot,
    state,
    wait_state_change,
)

SLUG = "convolution-operation"


@pytest.fixture(scope="module")
def shared(shared_context, site_url):
    with sim_page(shared_context, site_url, SLUG, width=1200, height=1100) as opened:
        yield opened


def change(page, name, value) -> dict:
    """Set a control and wait for the state that answers it (no-op if it already holds)."""
    if str(state(page)["params"][name]) == str(value):
        return state(page)
    before = snapshot(page)
    set_control(page, name, value)
    page.wait_for_function(
        "([n, v]) => String(window.microsim.state.params[n]) === String(v)",
        arg=[name, value],
        timeout=10_000,
    )
    if snapshot(page) == before:
        wait_state_change(page, before)
    return state(page)


def reset(page) -> None:
    for name, value in [
        ("kernel", "edge"),
        ("ksize", "3"),
        ("stride", "1"),
        ("padding", "valid"),
        ("pool", "none"),
        ("image", "digit"),
        ("speed", 2),
    ]:
        if str(state(page)["params"][name]) != str(value):
            change(page, name, value)
    if state(page)["pos"] != 1:
        page.focus("#draw-region")
        page.keyboard.press("Home")
        page.wait_for_function("() => window.microsim.state.pos === 1")


def test_reaches_ready_without_console_errors_or_requests_off_origin(shared):
    page, log = shared
    assert page.evaluate("document.documentElement.dataset.engine") == "ready"
    assert log.problems() == [], log.problems()
    assert log.off_origin() == [], log.off_origin()


def test_output_map_equals_engine_conv2d_for_every_size_stride_padding_and_kernel(shared):
    page, log = shared
    reset(page)
    x = conv_presets.sample_input_7x7(sim.INPUT_NAME)
    # all eight (ksize, stride, padding) combinations, one change at a time (a Gray code)
    combos = [
        ("3", "1", "valid"),
        ("3", "1", "same"),
        ("3", "2", "same"),
        ("3", "2", "valid"),
        ("5", "2", "valid"),
        ("5", "2", "same"),
        ("5", "1", "same"),
        ("5", "1", "valid"),
    ]
    kernels = ["edge", "edge", "blur", "blur", "sharpen", "sobel_x", "sobel_y", "identity"]
    for (ksize, stride, padding), kernel in zip(combos, kernels, strict=True):
        change(page, "kernel", kernel)
        change(page, "ksize", ksize)
        change(page, "stride", stride)
        s = change(page, "padding", padding)
        expected = conv.conv2d(
            x, conv_presets.preset_kernel(kernel, int(ksize)), stride=int(stride), padding=padding
        )
        got = np.asarray(s["output"])
        assert got.shape == expected.shape, (ksize, stride, padding, got.shape, expected.shape)
        np.testing.assert_allclose(
            got, expected, atol=1e-12, err_msg=f"{kernel} k={ksize} s={stride} {padding}"
        )
    assert log.problems() == [], log.problems()


def test_5x5_same_keeps_7x7_and_stride_2_valid_3x3_gives_3x3(shared):
    page, _ = shared
    reset(page)
    change(page, "ksize", "5")
    s = change(page, "padding", "same")
    assert np.shape(s["output"]) == (7, 7) and s["size"]["size"] == 7, s["size"]["lines"]
    assert "(7 − 5 + 2·2) / 1 + 1 = 7" in s["size"]["lines"][1]
    change(page, "ksize", "3")
    change(page, "padding", "valid")
    s = change(page, "stride", "2")
    assert np.shape(s["output"]) == (3, 3), np.shape(s["output"])
    assert "(7 − 3 + 2·0) / 2 + 1 = 3" in s["size"]["lines"][1]


def test_every_control_changes_the_state_as_cpython_says(shared):
    page, _ = shared
    reset(page)
    for control in sim.CONTROLS:
        if control.kind == "button":
            continue
        value = (
            control.max
            if control.kind == "slider"
            else next(v for v, _ in control.options if v != control.default)
        )
        before = state(page)
        after = change(page, control.name, value)
        expected = cpython_call(
            "convolution.set_param", {"state": before, "name": control.name, "value": value}
        )
        assert_close(after, expected, path=f"after {control.name}={value}")
        assert after != before, control.name


def test_next_previous_buttons_and_arrow_keys_move_the_kernel(shared):
    page, _ = shared
    reset(page)
    before = state(page)
    mark = snapshot(page)
    page.click("[data-control=next]")
    after = wait_state_change(page, mark)
    assert_close(after, cpython_call("convolution.move", {"state": before, "direction": "next"}))
    assert after["pos"] == 2 and after["current"]["top_left"] == [0, 1]
    mark = snapshot(page)
    page.click("[data-control=prev]")
    assert wait_state_change(page, mark)["pos"] == 1
    page.focus("#draw-region")
    for key, pos, out in [
        ("ArrowRight", 2, [0, 1]),
        ("ArrowDown", 7, [1, 1]),
        ("ArrowLeft", 6, [1, 0]),
        ("End", 25, [4, 4]),
        ("ArrowUp", 20, [3, 4]),
    ]:
        mark = snapshot(page)
        page.keyboard.press(key)
        s = wait_state_change(page, mark)
        assert (s["pos"], s["current"]["out"]) == (pos, out), (key, s["pos"], s["current"]["out"])
    # the sum drawn for this position is the output cell it lands in
    cur = s["current"]
    i, j = cur["out"]
    assert cur["value"] == pytest.approx(s["output"][i][j])
    assert "output[3][4]" in cur["sum_line"]


def test_animate_steps_through_every_position_and_pauses_when_hidden(shared):
    page, _ = shared
    reset(page)
    change(page, "stride", "2")  # 9 positions
    change(page, "speed", 8)
    page.click("[data-control=animate]")
    page.wait_for_function("() => window.microsim.state.pos >= 3", timeout=10_000)
    assert page.get_attribute("[data-control=animate]", "aria-pressed") == "true"
    # hidden page: the animation waits
    page.evaluate("""() => {
        Object.defineProperty(document, 'visibilityState', {configurable: true, get: () => 'hidden'});
        document.dispatchEvent(new Event('visibilitychange'));
    }""")
    page.wait_for_timeout(400)
    held = state(page)["pos"]
    page.wait_for_timeout(1200)
    assert state(page)["pos"] == held, "the animation kept running while hidden"
    page.evaluate("""() => {
        delete document.visibilityState;
        document.dispatchEvent(new Event('visibilitychange'));
    }""")
    page.wait_for_function("() => window.microsim.state.pos === 9", timeout=15_000)
    page.wait_for_function(
        "() => document.querySelector('[data-control=animate]').getAttribute('aria-pressed') === 'false'"
    )
    s = state(page)
    assert "complete" in s["message"], s["message"]
    assert_parity(page, "convolution.animate_step", {"state": s})


def test_pooling_is_2x2_of_the_output_and_a_floored_size_is_explained(shared):
    page, _ = shared
    reset(page)
    s = change(page, "pool", "max")
    out = np.asarray(s["output"])  # 5×5
    np.testing.assert_allclose(s["pool"]["output"], conv.max_pool2d(out), atol=1e-12)
    assert "not a whole number" in " ".join(s["pool"]["lines"])
    s = change(page, "pool", "avg")
    np.testing.assert_allclose(s["pool"]["output"], conv.avg_pool2d(out), atol=1e-12)


def test_a_bad_value_shows_a_message_and_the_sim_keeps_working(shared):
    page, _ = shared
    reset(page)
    before = state(page)
    result = page.evaluate("() => window.microsim.act('set_param', {name: 'ksize', value: '4'})")
    assert result is None
    status = page.text_content("#status")
    assert "Kernel size (ksize): choose one of 3, 5" in status, status
    assert state(page) == before
    s = change(page, "ksize", "5")
    assert s["kernel"]["size"] == 5


def test_signed_output_is_drawn_in_blue_and_orange_and_described_for_screen_readers(shared):
    page, _ = shared
    reset(page)
    page.focus("#draw-region")
    mark = snapshot(page)
    page.keyboard.press("End")  # every output cell computed
    wait_state_change(page, mark)
    page.wait_for_timeout(200)
    colours = page.evaluate("""() => {
        const c = document.querySelector('#draw-region canvas');
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
        let blue = 0, orange = 0;
        for (let i = 0; i < d.length; i += 4) {
            const [r, g, b] = [d[i], d[i + 1], d[i + 2]];
            if (b > r + 60 && b > 150) blue++;
            if (r > b + 100 && r > 200 && g > 90 && g < 200) orange++;
        }
        return {blue, orange};
    }""")
    assert colours["blue"] > 200 and colours["orange"] > 200, colours
    label = page.get_attribute("#draw-region", "aria-label")
    assert "Position 25 of 25" in label and "Sum of the 9 products" in label, label
    assert page.get_attribute("#draw-region", "tabindex") == "0"


def test_url_parameters_set_every_setting_control(shared_context, site_url):
    query = "kernel=blur&ksize=5&stride=2&padding=same&speed=4.5&pool=avg&image=shapes"
    page = shared_context.new_page()
    page.goto(f"{site_url}sims/{SLUG}/main.html?{query}", wait_until="domcontentloaded")
    page.wait_for_selector("[data-control=kernel]")
    values = page.evaluate("() => window.microsim.params()")
    assert values == {
        "kernel": "blur",
        "ksize": "5",
        "stride": "2",
        "padding": "same",
        "speed": 4.5,
        "pool": "avg",
        "image": "shapes",
    }, values
    assert page.text_content("#notes").strip() == ""
    # initial_state for these values (what the page asks the engine for once it is ready)
    s = cpython_call("convolution.initial_state", {"params": values})
    assert (s["kernel"]["size"], s["stride"], s["pad"], np.shape(s["output"])) == (5, 2, 2, (4, 4))
    page.close()


def _notes(page) -> dict:
    return page.evaluate(
        """() => {
            const box = document.getElementById('notes');
            return {texts: [...box.children].map((e) => e.textContent), hidden: box.hidden,
                    region: document.getElementById('draw-region').getBoundingClientRect().height};
        }"""
    )


def test_a_clamped_position_shows_one_note_that_the_next_good_state_clears(shared):
    page, _ = shared
    reset(page)
    before = _notes(page)
    assert before["texts"] == [] and before["hidden"], before
    page.focus("#draw-region")
    page.keyboard.press("End")
    page.wait_for_function("() => window.microsim.state.pos === 25")  # 5×5 output, last cell
    s = change(page, "stride", "2")  # 3×3 output: position 25 is clamped to 9
    assert s["pos"] == 9 and s["warning"], s["warning"]
    s = change(page, "ksize", "5")  # 2×2 output: position 9 is clamped to 4
    assert s["pos"] == 4 and s["warning"], s["warning"]
    got = _notes(page)
    assert got["texts"] == [s["warning"]], f"notes {got['texts']}, the state's {s['warning']!r}"
    # the next state with nothing clamped clears it, and the drawing gets its height back
    page.focus("#draw-region")
    page.keyboard.press("ArrowLeft")
    page.wait_for_function("() => window.microsim.state.pos === 3")
    assert state(page)["warning"] is None
    page.wait_for_function("() => document.getElementById('notes').hidden")
    after = _notes(page)
    assert after["texts"] == [] and after["region"] == before["region"], (before, after)
    reset(page)

"""Activation Functions Visualizer in Chromium: every control against CPython, softmax, notes."""

from __future__ import annotations

import pytest

from tests.browser.harness import (
    assert_close,
    assert_parity,
    cpython_call,
    set_control,
    snapshot,
    state,
    wait_ready,
    wait_state_change,
)

SLUG = "activation-functions"


@pytest.fixture(scope="module")
def shared(shared_context, site_url):
    """One page for the module's tests (the engine loads once); a test starts from reset()."""
    from tests.browser.harness import sim_page

    with sim_page(shared_context, site_url, SLUG) as opened:
        yield opened


def reset(page) -> dict:
    """Every control back to its default and the state recomputed from them."""
    page.evaluate(
        """async () => {
            const ms = window.microsim;
            for (const c of ms.config.controls) {
                if (c.kind !== 'button') ms.setControl(c.name, c.default);
            }
            await ms.reinit();
        }"""
    )
    s = state(page)
    assert s["params"]["activation"] == "relu" and s["params"]["z"] == 1.0, s["params"]
    return s


CANVAS_HASH = """() => {
    const c = document.querySelector('#draw-region canvas');
    const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
    let h = 0;
    for (let i = 0; i < d.length; i += 28) h = (h * 31 + d[i] + 3 * d[i + 1] + 7 * d[i + 2]) % 1e9;
    return h;
}"""

# (control, new value): each UI change is compared with the same action run in CPython.
STEPS = [
    ("activation", "sigmoid"),
    ("z_range", 8.0),
    ("z", -3.5),
    ("show_derivative", True),
    ("threshold", 0.1),
    ("depth", 25),
    ("compare_all", True),
    ("activation", "softmax"),
    ("logit1", -1.5),
    ("logit2", 4.0),
    ("logit3", 0.7),
    ("compare_all", False),
]


def test_every_control_gives_the_state_cpython_computes_and_changes_the_drawing(shared):
    page, log = shared
    reset(page)
    for name, value in STEPS:
        mark = snapshot(page)  # the page's own serialisation (json.dumps spaces differ)
        before = state(page)
        pixels = page.evaluate(CANVAS_HASH)
        set_control(page, name, value)
        after = wait_state_change(page, mark)
        expected = cpython_call(
            "activations.set_param", {"state": before, "name": name, "value": value}
        )
        assert_close(after, expected, path=f"after {name}={value!r}")
        page.wait_for_timeout(50)
        assert page.evaluate(CANVAS_HASH) != pixels, f"{name}={value!r} did not change the drawing"
    assert log.problems() == [], log.problems()
    assert log.off_origin() == [], log.off_origin()


def test_pyodide_and_cpython_agree_on_every_activation_and_softmax(shared):
    page, _ = shared
    for name in ["relu", "sigmoid", "tanh", "leaky_relu", "softplus", "softmax"]:
        params = {
            "activation": name,
            "z_range": 10,
            "z": -2.2,
            "show_derivative": True,
            "compare_all": name == "tanh",
            "logit1": 3.3,
            "logit2": -4.0,
            "logit3": 9.9,
        }
        assert_parity(page, "activations.initial_state", {"params": params})


def test_softmax_bars_sum_to_one_and_track_the_logits(shared):
    page, _ = shared
    reset(page)
    before = snapshot(page)
    set_control(page, "activation", "softmax")
    assert wait_state_change(page, before)["selected"] == "softmax"
    for logits in [(2.0, 1.0, 0.1), (10.0, -10.0, 0.0), (0.0, 0.0, 0.0)]:
        for i, v in enumerate(logits):
            before = snapshot(page)
            set_control(page, f"logit{i + 1}", v)
            if state(page)["params"][f"logit{i + 1}"] != v:
                wait_state_change(page, before)
        page.wait_for_function(
            "(l) => JSON.stringify(window.microsim.state.softmax.logits) === JSON.stringify(l)",
            arg=list(logits),
        )
        sm = state(page)["softmax"]
        assert sum(sm["probs"]) == pytest.approx(1.0, abs=1e-12), sm["probs"]
        assert sm["sum"] == pytest.approx(1.0, abs=1e-12)
        expected = cpython_call(
            "activations.initial_state",
            {"params": {**state(page)["params"]}},
        )["softmax"]
        assert_close(sm, expected, path=f"softmax{logits}")
    assert sm["probs"] == pytest.approx([1 / 3] * 3)


def test_y_axis_grows_with_the_input_range_so_relu_is_never_clipped(shared):
    page, _ = shared
    reset(page)
    for name, value in [("activation", "softplus"), ("z_range", 10)]:
        before = snapshot(page)
        set_control(page, name, value)
        s = wait_state_change(page, before)
    top = max(s["curves"]["softplus"]["f"])
    assert top > 9.9 and s["y_range"][1] >= top, (top, s["y_range"])
    before = snapshot(page)
    set_control(page, "z_range", 2)
    s = wait_state_change(page, before)
    assert s["y_range"][1] < 3, f"y-axis still {s['y_range']} for z in [−2, 2]"


def test_trace_outside_the_range_is_clamped_with_a_visible_note(open_sim):
    page, log = open_sim(SLUG, "z=9&z_range=3")
    wait_ready(page)
    page.wait_for_function("() => window.microsim.state.params.z_range === 3")
    s = state(page)
    assert s["params"]["z"] == 3 and s["clamped"] is True
    assert "moved to 3" in page.text_content("#notes")
    assert page.eval_on_selector("[data-control=z]", "el => Number(el.value)") == 3
    assert log.problems() == []


def test_arrow_keys_on_the_plot_move_the_traced_point(shared):
    page, _ = shared
    reset(page)
    page.focus("#draw-region")
    before = snapshot(page)
    page.keyboard.press("ArrowRight")
    s = wait_state_change(page, before)
    assert s["params"]["z"] == pytest.approx(1.1) and s["trace"]["z"] == pytest.approx(1.1)
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("ArrowLeft")
    page.wait_for_function("() => Math.abs(window.microsim.state.params.z - 0.9) < 1e-9")


def test_a_bad_action_argument_shows_a_message_and_the_sim_keeps_working(shared):
    page, log = shared
    reset(page)
    result = page.evaluate(
        "() => window.microsim.act('set_param', {name: 'activation', value: 'swish'})"
    )
    assert result is None
    assert "choose one of" in page.text_content("#status")
    before = snapshot(page)
    set_control(page, "activation", "tanh")
    assert wait_state_change(page, before)["selected"] == "tanh"

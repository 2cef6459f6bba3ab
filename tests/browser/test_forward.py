"""Browser tests of forward-propagation: the page runs the same engine as CPython.

Two pages are shared by the tests of this module (loading Pyodide is the slow part): one at
1000 px with default settings, one at 400 px opened with URL parameters.
"""

from __future__ import annotations

import numpy as np
import pytest

from engine import dense
from sims import forward as fp
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

SLUG = "forward-propagation"


@pytest.fixture(scope="module")
def sim(shared_context, site_url):
    with sim_page(shared_context, site_url, SLUG, height=900) as opened:
        yield opened


@pytest.fixture(scope="module")
def narrow(shared_context, site_url):
    query = "x1=-1.5&seed=5&bias_init=zero&show_matmul=true&x=banana%2C1"
    with sim_page(shared_context, site_url, SLUG, query, width=400, height=900) as (page, log):
        page.wait_for_function("() => window.microsim.state.params.seed === 5")
        yield page, log


def act_and_compare(page, control, value, action, args):
    """Use a control like a user; the new state equals CPython's action on the old state."""
    before = state(page)
    snap = snapshot(page)
    set_control(page, control, value)
    after = wait_state_change(page, snap)
    expected = cpython_call(f"forward.{action}", {"state": before, **args})
    assert_close(after, expected, path=f"{control}={value!r}")
    return after


def panel_text(page) -> str:
    return page.text_content(".fp-panel")


def reset_page(page):
    page.evaluate("async () => { await window.microsim.act('reset'); }")


def test_ready_with_no_console_error_and_no_off_origin_request(sim):
    page, log = sim
    assert page.evaluate("document.documentElement.dataset.engine") == "ready"
    assert log.problems() == [], log.problems()
    assert log.off_origin() == [], log.off_origin()


def test_first_frame_matches_the_embedded_initial_state(sim):
    page, _ = sim
    embedded = page.evaluate("JSON.parse(document.getElementById('microsim-state').textContent)")
    assert_close(embedded, fp.initial_state({}), path="embedded")
    assert "Step 0 of 5" in panel_text(page)


def test_initial_state_and_steps_are_the_same_in_pyodide_and_cpython(sim):
    page, _ = sim
    s = assert_parity(page, "forward.initial_state", {"params": {"seed": 12, "x": "0.3, -2"}})
    for _ in range(5):
        s = assert_parity(page, "forward.next_step", {"state": s})
    assert s["step"] == 5


def test_numbers_in_the_page_equal_cpython_engine_forward(sim):
    page, _ = sim
    s = state(page)
    params = fp.make_params(s["params"]["seed"], s["draws"], s["params"]["bias_init"])
    trace = dense.forward(params, np.array(s["x"]).reshape(2, 1), ["relu", "softmax"])
    for i in range(2):
        np.testing.assert_allclose(s["Z"][i], trace.Z[i].ravel(), atol=1e-12)
    np.testing.assert_allclose(s["A"][2], trace.output.ravel(), atol=1e-12)


def test_next_step_walks_the_forward_pass_and_the_panel_shows_each_step(sim):
    page, _ = sim
    reset_page(page)
    titles = []
    for _ in range(6):
        after = act_and_compare(page, "next", None, "next_step", {})
        titles.append(after["steps"][after["step"]]["title"])
        assert f"Step {after['step']} of 5" in panel_text(page)
        assert after["steps"][after["step"]]["dims"] in panel_text(page)
    assert titles[:5] == [
        "Layer 1: z[1] = W[1] a[0] + b[1]",
        "Layer 1: a[1] = ReLU(z[1])",
        "Layer 2: z[2] = W[2] a[1] + b[2]",
        "Layer 2: a[2] = softmax(z[2])",
        "Done: ŷ = a[2]",
    ], titles
    assert state(page)["step"] == 0  # after "done" it starts again


def test_activation_rows_are_shown_with_their_numbers(sim):
    page, _ = sim
    reset_page(page)
    for _ in range(2):
        set_control(page, "next", None)
    page.wait_for_function("() => window.microsim.state.step === 2")
    text = panel_text(page)
    for row in state(page)["act_rows"][0]:
        assert " ".join(row["tokens"]) in text, (row["tokens"], text)


def test_show_matrix_multiplication_writes_out_every_product(sim):
    page, _ = sim
    reset_page(page)
    set_control(page, "next", None)
    page.wait_for_function("() => window.microsim.state.step === 1")
    rows = state(page)["rows"][0]
    assert " ".join(rows[1]["tokens"]) not in panel_text(page)
    after = act_and_compare(
        page, "show_matmul", True, "set_param", {"name": "show_matmul", "value": True}
    )
    text = panel_text(page)
    for row in after["rows"][0]:
        assert " ".join(row["tokens"]) in text, (row["tokens"], text)
    act_and_compare(
        page, "show_matmul", False, "set_param", {"name": "show_matmul", "value": False}
    )
    assert " ".join(rows[1]["tokens"]) not in panel_text(page)


def test_show_weights_expands_the_four_matrices(sim):
    page, _ = sim
    assert "W[2] =" not in panel_text(page)
    after = act_and_compare(
        page, "show_weights", True, "set_param", {"name": "show_weights", "value": True}
    )
    text = panel_text(page)
    for label in ("W[1] =", "b[1] =", "W[2] =", "b[2] ="):
        assert label in text, text
    assert fp.fmt(after["W"][1][1][2], 2) in text
    act_and_compare(
        page, "show_weights", False, "set_param", {"name": "show_weights", "value": False}
    )
    assert "W[2] =" not in panel_text(page)


def test_new_weights_redraws_and_the_step_stays(sim):
    page, _ = sim
    before = state(page)
    after = act_and_compare(page, "new_weights", None, "new_weights", {})
    assert after["draws"] == before["draws"] + 1 and after["W"] != before["W"]
    assert after["step"] == before["step"]


def test_input_sliders_and_text_box_change_the_input(sim):
    page, _ = sim
    after = act_and_compare(page, "x1", -2.0, "set_param", {"name": "x1", "value": -2.0})
    assert after["x"][0] == -2.0
    assert page.input_value('[data-control="x"]') == "−2.0, 0.5"
    after = act_and_compare(page, "x2", 1.5, "set_param", {"name": "x2", "value": 1.5})
    assert after["x"] == [-2.0, 1.5]
    after = act_and_compare(
        page, "x", "0.7, -0.3", "set_param", {"name": "x", "value": "0.7, -0.3"}
    )
    assert after["x"] == [0.7, -0.3]
    assert page.input_value('[data-control="x1"]') == "0.7"


def test_bad_input_text_shows_a_message_and_keeps_the_state(sim):
    page, log = sim
    before = snapshot(page)
    set_control(page, "x", "1, two")
    page.wait_for_function("() => document.getElementById('status').classList.contains('error')")
    assert "not a number" in page.text_content("#status")
    assert snapshot(page) == before
    act_and_compare(page, "x", "1.0, 0.5", "set_param", {"name": "x", "value": "1.0, 0.5"})
    assert log.page_errors == [], log.page_errors


def test_seed_biases_and_speed_settings_change_the_state(sim):
    page, _ = sim
    for name, value in [
        ("seed", 8),
        ("bias_init", "zero"),
        ("speed", 120),
        ("bias_init", "random"),
    ]:
        after = act_and_compare(page, name, value, "set_param", {"name": name, "value": value})
        assert after["params"][name] == value


def test_reset_goes_back_to_step_0(sim):
    page, _ = sim
    set_control(page, "next", None)
    page.wait_for_function("() => window.microsim.state.step >= 1")
    after = act_and_compare(page, "reset", None, "reset", {})
    assert after["step"] == 0


def test_clicking_a_neuron_and_arrow_keys_move_the_highlight(sim):
    page, _ = sim
    reset_page(page)
    set_control(page, "next", None)
    page.wait_for_function("() => window.microsim.state.step === 1")
    # the third hidden neuron: ask the page where it drew it
    box = page.evaluate(
        """() => { const r = window.microsim.region.getBoundingClientRect();
                   return {x: r.left, y: r.top}; }"""
    )
    pos = page.evaluate("() => window.__fpPositions && window.__fpPositions()")
    x, y = pos[1][2]["x"], pos[1][2]["y"]
    snap = snapshot(page)
    page.mouse.click(box["x"] + 1 + x, box["y"] + 1 + y)
    assert wait_state_change(page, snap)["focus"] == 2
    page.focus("#draw-region")
    snap = snapshot(page)
    page.keyboard.press("ArrowUp")
    assert wait_state_change(page, snap)["focus"] == 1


def test_auto_run_plays_to_the_end_at_the_speed_of_the_slider(sim):
    page, _ = sim
    reset_page(page)
    set_control(page, "speed", 12)  # 12 steps/min: 5 s per step
    page.wait_for_function("() => window.microsim.state.params.speed === 12")
    set_control(page, "auto", None)
    page.wait_for_function("() => window.microsim.state.step === 1")
    page.wait_for_timeout(1500)
    assert state(page)["step"] == 1, "at 12 steps/min the second step must not come within 1.5 s"
    assert page.get_attribute('[data-control="auto"]', "aria-pressed") == "true"
    set_control(page, "auto", None)  # pause
    assert page.get_attribute('[data-control="auto"]', "aria-pressed") == "false"
    set_control(page, "speed", 240)  # 0.25 s per step
    page.wait_for_function("() => window.microsim.state.params.speed === 240")
    set_control(page, "auto", None)
    page.wait_for_function("() => window.microsim.state.step === 5", timeout=8000)
    page.wait_for_function(
        "() => document.querySelector('[data-control=auto]')"
        ".getAttribute('aria-pressed') === 'false'"
    )


def test_url_parameters_set_controls_and_bad_text_gives_a_note(narrow):
    page, log = narrow
    s = state(page)
    assert s["params"]["seed"] == 5 and s["params"]["bias_init"] == "zero"
    assert s["params"]["show_matmul"] is True
    assert s["x"] == [-1.5, 0.5], s["x"]  # the bad text fell back to the sliders
    assert all(v == [0.0] for b in s["b"] for v in b)
    notes = page.text_content("#notes")
    assert "banana" in notes, notes
    assert_close(
        s,
        cpython_call(
            "forward.initial_state",
            {"params": page.evaluate("() => window.microsim.params()") | {"x": "banana,1"}},
        ),
        path="url state",
    )
    assert log.problems() == [], log.problems()


def test_at_400_px_the_panel_sits_below_the_network_inside_the_region(narrow):
    page, _ = narrow
    boxes = page.evaluate(
        """() => {
            const r = window.microsim.region.getBoundingClientRect();
            const p = document.querySelector('.fp-panel').getBoundingClientRect();
            const c = window.microsim.region.querySelector('canvas').getBoundingClientRect();
            return {r: [r.left, r.top, r.right, r.bottom], p: [p.left, p.top, p.right, p.bottom],
                    c: [c.width, c.height]};
        }"""
    )
    r, p = boxes["r"], boxes["p"]
    assert r[0] <= p[0] and r[1] <= p[1] and p[2] <= r[2] and p[3] <= r[3] + 0.5, boxes
    assert p[1] - r[1] >= 250, f"the network needs its 250 px above the panel: {boxes}"
    assert boxes["c"][1] >= 300, boxes

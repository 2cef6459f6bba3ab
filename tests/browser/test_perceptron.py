"""Perceptron Decision Boundary in Chromium: learning, XOR, the update rule, dragging, adding."""

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

SLUG = "perceptron-decision-boundary"


def run_learning(page, timeout=60_000) -> dict:
    """Press Run Perceptron Learning at top speed and wait until the algorithm stops."""
    set_control(page, "speed", 30)
    page.click("[data-control=learn]")
    page.wait_for_function("() => window.microsim.state.learn.status !== 'idle'", timeout=timeout)
    return state(page)


def test_learning_on_the_separable_preset_reaches_100_percent(open_sim):
    page, log = open_sim(SLUG)
    wait_ready(page)
    assert state(page)["accuracy"] < 1.0, "the default weights already separate the data"
    final = run_learning(page)
    assert final["learn"]["status"] == "converged", final["message"]
    assert final["accuracy"] == 1.0 and final["wrong"] == []
    assert "Converged" in final["message"]
    assert log.problems() == []


def test_xor_reports_not_separable_when_the_epoch_budget_runs_out(open_sim):
    page, _ = open_sim(SLUG, "preset=xor")
    wait_ready(page)
    page.wait_for_function("() => window.microsim.state.params.preset === 'xor'")
    # the engine's steps back to back (the Run button's pacing is tested on the separable set;
    # at its top speed the 20 epochs here would take half a minute)
    final = page.evaluate(
        """async () => {
            let s = window.microsim.state;
            for (let i = 0; i < 5000 && s && s.learn.status === 'idle'; i += 1) {
                s = await window.microsim.act('learn_step');
            }
            return s;
        }"""
    )
    assert final["learn"]["status"] == "gave_up"
    assert final["learn"]["epoch"] == final["learn"]["budget"] == 20
    assert "not linearly separable" in final["message"]
    assert final["accuracy"] < 1.0


def test_the_run_button_reaches_the_xor_verdict_in_a_few_dozen_ticks(open_sim):
    """Run Perceptron Learning steps one update per tick, then one epoch per tick (run_step):
    the XOR verdict comes after about 28 ticks (7 s at the default 4 ticks/s) instead of ~700.
    """
    page, _ = open_sim(SLUG, "preset=xor&speed=30")
    wait_ready(page)
    page.evaluate(
        """() => { window.__ticks = 0; const on = window.microsim.onState;
                   window.microsim.onState = (s) => { window.__ticks += 1; on(s); }; }"""
    )
    start = state(page)
    page.click("[data-control=learn]")
    page.wait_for_function("() => window.microsim.state.learn.status !== 'idle'", timeout=60_000)
    final, ticks = state(page), page.evaluate("() => window.__ticks")
    expected = start
    for _ in range(1000):
        expected = cpython_call("perceptron.learn_step", {"state": expected})
        if expected["learn"]["status"] != "idle":
            break
    assert final["learn"] == expected["learn"], (final["learn"], expected["learn"])
    assert_close(final["w"], expected["w"], path="w")
    assert "XOR is not linearly separable" in final["message"], final["message"]
    budget = final["learn"]["budget"]
    assert ticks <= 8 + budget + 2 < expected["learn"]["total_updates"] / 10, (
        ticks,
        expected["learn"]["total_updates"],
    )


def test_each_learning_step_shows_the_engines_update_with_its_numbers(open_sim):
    page, _ = open_sim(SLUG)
    wait_ready(page)
    before = state(page)
    mark = snapshot(page)
    page.click("[data-control=step]")
    after = wait_state_change(page, mark)
    expected = cpython_call("perceptron.learn_step", {"state": before})
    assert_close(after, expected, path="after one step")
    last = after["last"]
    # the rule on screen: w <- w + eta*y*x, b <- b + eta*y, with the numbers it shows
    assert last["w_new"] == pytest.approx(
        [w + last["lr"] * last["y"] * x for w, x in zip(last["w_old"], last["x"], strict=True)]
    )
    assert last["b_new"] == pytest.approx(last["b_old"] + last["lr"] * last["y"])
    assert_parity(page, "perceptron.learn_step", {"state": after})


def test_dragging_the_weight_vector_turns_the_boundary(open_sim):
    page, _ = open_sim(SLUG)
    wait_ready(page)
    s = state(page)
    handle = page.evaluate(
        """() => {
            const r = document.querySelector('#draw-region canvas').getBoundingClientRect();
            return [r.left, r.top];
        }"""
    )
    # locate the handle: the plot maps [-3, 3] to the square at layout.plot (left column)
    canvas = page.eval_on_selector("#draw-region canvas", "c => [c.clientWidth, c.clientHeight]")
    size = min(canvas[1] - 20, canvas[0] * 0.55)
    top = (canvas[1] - size) / 2
    to_px = lambda x, y: (handle[0] + 10 + (x + 3) / 6 * size, handle[1] + top + (3 - y) / 6 * size)  # noqa: E731
    start = to_px(*s["w"])
    page.mouse.move(*start)
    page.mouse.down()
    page.mouse.move(*to_px(1.0, 1.0), steps=4)
    page.mouse.up()
    page.wait_for_function(
        "() => Math.abs(window.microsim.state.w[0] - 1) < 0.05 && Math.abs(window.microsim.state.w[1] - 1) < 0.05"
    )
    after = state(page)
    assert_close(after, cpython_call("perceptron.set_weights", {"state": s, "w": after["w"]}))


def test_bias_slider_shifts_the_boundary_and_add_point_mode_adds_the_chosen_class(open_sim):
    page, _ = open_sim(SLUG)
    wait_ready(page)
    before = snapshot(page)
    set_control(page, "bias", 1.5)
    s = wait_state_change(page, before)
    assert s["b"] == 1.5 and s["z"][0] == pytest.approx(
        s["w"][0] * s["X"][0][0] + s["w"][1] * s["X"][1][0] + 1.5
    )
    set_control(page, "add_mode", True)
    set_control(page, "add_class", "-1")
    page.wait_for_function("() => window.microsim.state.params.add_class === '-1'")
    n = len(state(page)["y"])
    box = page.eval_on_selector(
        "#draw-region canvas",
        "c => { const r = c.getBoundingClientRect(); return [r.left, r.top, r.height]; }",
    )
    before = snapshot(page)
    page.mouse.click(box[0] + 40, box[1] + box[2] / 2)
    s = wait_state_change(page, before)
    assert len(s["y"]) == n + 1 and s["y"][-1] == -1 and s["custom"] is True
    before = snapshot(page)
    page.click("[data-control=clear]")
    assert wait_state_change(page, before)["y"] == []


def test_new_weights_and_seed_change_the_weights_deterministically(open_sim):
    page, _ = open_sim(SLUG)
    wait_ready(page)
    s = state(page)
    mark = snapshot(page)
    page.click("[data-control=reset]")
    after = wait_state_change(page, mark)
    assert after["w"] != s["w"]
    assert_close(after, cpython_call("perceptron.new_weights", {"state": s}))
    mark = snapshot(page)
    set_control(page, "seed", 8)
    seeded = wait_state_change(page, mark)
    assert_close(seeded, cpython_call("perceptron.initial_state", {"params": seeded["params"]}))


def test_the_bias_slider_shows_the_learned_bias_after_each_step(open_sim):
    # the runtime sets the slider from params["bias"], which the sim keeps equal to b
    page, _ = open_sim(SLUG)
    wait_ready(page)
    for _ in range(3):
        mark = snapshot(page)
        page.click("[data-control=step]")
        s = wait_state_change(page, mark)
        shown = page.evaluate(
            """() => {
                const el = document.querySelector('[data-control=bias]');
                return [Number(el.value), document.getElementById(`${el.id}-out`).textContent];
            }"""
        )
        assert s["params"]["bias"] == s["b"]
        assert shown[0] == pytest.approx(s["b"], abs=0.025), (shown, s["b"])
        assert shown[1] == f"{shown[0]:.2f}"
    assert s["b"] != 0.0, "three steps never moved b: the test proves nothing"


def test_a_finger_drags_the_weight_vector_without_scrolling_the_page(browser, site_url):
    """A touch on w's tip is a drag (pointer events; the touch does not scroll the page); a touch
    elsewhere is left to the browser. 390x844 phone viewport with touch."""
    context = browser.new_context(viewport={"width": 390, "height": 844}, has_touch=True)
    try:
        page = context.new_page()
        page.goto(f"{site_url}sims/{SLUG}/main.html")
        wait_ready(page)
        page.evaluate(
            """() => { window.__prevented = [];
                addEventListener('touchstart', (e) => window.__prevented.push(e.defaultPrevented)); }"""
        )
        s = state(page)
        box = page.evaluate(
            """() => { const r = document.querySelector('#draw-region canvas').getBoundingClientRect();
                       return {left: r.left, top: r.top, ...window.microsim.plotBox}; }"""
        )
        lim = 3.0

        def to_px(x, y):
            return (
                box["left"] + box["x"] + (x + lim) / (2 * lim) * box["s"],
                box["top"] + box["y"] + (lim - y) / (2 * lim) * box["s"],
            )

        cdp = context.new_cdp_session(page)

        def touch(kind, xy):
            points = [] if kind == "touchEnd" else [{"x": xy[0], "y": xy[1]}]
            cdp.send("Input.dispatchTouchEvent", {"type": kind, "touchPoints": points})

        tip, target = to_px(*s["w"]), to_px(-1.5, 2.0)
        # a finger lands 20 px off the tip: still on the handle (a 60 px target for touch)
        touch("touchStart", (tip[0] + 20, tip[1]))
        for k in range(1, 6):
            touch("touchMove", tuple(a + (b - a) * k / 5 for a, b in zip(tip, target, strict=True)))
        touch("touchEnd", target)
        page.wait_for_function(
            "() => Math.abs(window.microsim.state.w[0] + 1.5) < 0.1 "
            "&& Math.abs(window.microsim.state.w[1] - 2.0) < 0.1"
        )
        after = state(page)
        assert_close(after, cpython_call("perceptron.set_weights", {"state": s, "w": after["w"]}))
        # a touch on the controls' side of the canvas, away from the tip, is not taken
        corner = to_px(2.9, -2.9) if abs(after["w"][0] - 2.9) > 1 else to_px(-2.9, -2.9)
        touch("touchStart", corner)
        touch("touchEnd", corner)
        assert page.evaluate("() => window.__prevented") == [True, False]
    finally:
        context.close()

"""Backpropagation sim in Chromium: the page's numbers are CPython's, its gradients are checked
against central differences, and the backward controls wait for the forward pass.

One page is shared by the module (the engine takes a while to load); each test starts from the
default settings with :func:`fresh`.
"""

from __future__ import annotations

import time

import numpy as np
import pytest

from tests.browser.harness import (
    assert_close,
    browser_call,
    cpython_call,
    set_control,
    sim_page,
    snapshot,
    state,
    wait_ready,
    wait_state_change,
)
from tests.sims.test_backprop import _central_difference

SLUG = "backpropagation"
DEFAULTS = {
    "speed": 1.0,
    "target": "0.8",
    "loss": "mse",
    "chain": False,
    "weight": "W1_0_0",
    "lr": 1.0,
    "seed": 3,
}
GATED = ["backward", "auto", "update", "check"]


@pytest.fixture(scope="module")
def sim(shared_context, site_url):
    with sim_page(shared_context, site_url, SLUG, height=900, ready=False) as opened:
        yield opened


def fresh(page) -> dict:
    """Default controls and the initial state, as after loading the page."""
    wait_ready(page)
    page.evaluate(
        """(d) => { for (const [k, v] of Object.entries(d)) window.microsim.setControl(k, v);
                    return window.microsim.reinit(); }""",
        DEFAULTS,
    )
    return state(page)


def disabled(page) -> dict:
    return page.evaluate(
        """(names) => Object.fromEntries(names.map((n) =>
             [n, document.querySelector(`[data-control="${n}"]`).disabled]))""",
        ["forward", *GATED],
    )


def click_and_compare(page, control: str, action: str) -> dict:
    """Click a button and require the new state to equal CPython's action on the prior state."""
    before = state(page)
    text = snapshot(page)
    set_control(page, control, None)
    after = wait_state_change(page, text, timeout=20_000)
    assert_close(after, cpython_call(f"backprop.{action}", {"state": before}), path=action)
    return after


def canvas(page) -> str:
    return page.evaluate("document.querySelector('#draw-region canvas').toDataURL()")


def test_ready_without_errors_and_backward_disabled_until_forward(sim):
    page, log = sim
    s = fresh(page)
    assert log.problems() == [], log.problems()
    assert log.off_origin() == [], log.off_origin()
    assert s["phase"] == "ready" and s["forward"] is None
    assert disabled(page) == {
        "forward": False,
        "backward": True,
        "auto": True,
        "update": True,
        "check": True,
    }
    # a click on the disabled button does nothing
    text = snapshot(page)
    page.evaluate("document.querySelector('[data-control=backward]').click()")
    page.wait_for_timeout(300)
    assert snapshot(page) == text
    click_and_compare(page, "forward", "forward_pass")
    assert disabled(page) == {
        "forward": False,
        "backward": False,
        "auto": False,
        "update": True,
        "check": True,
    }


def test_forward_and_each_backward_step_equal_cpython(sim):
    page, _ = sim
    fresh(page)
    s = click_and_compare(page, "forward", "forward_pass")
    assert s["phase"] == "forward" and s["params"]["loss"] == "mse"
    for step in range(1, 5):
        s = click_and_compare(page, "backward", "backward_step")
        assert s["step"] == step
    assert s["phase"] == "done"
    assert s["backward"]["check1"]["ok"] and s["backward"]["check2"]["ok"]
    assert disabled(page) == {
        "forward": False,
        "backward": True,
        "auto": True,
        "update": False,
        "check": False,
    }


@pytest.mark.parametrize("loss", ["mse", "binary_cross_entropy"])
def test_gradients_equal_finite_differences_in_cpython_and_in_pyodide(sim, loss):
    page, _ = sim
    fresh(page)
    set_control(page, "loss", loss)
    page.wait_for_function("(l) => window.microsim.state.params.loss === l", arg=loss)
    set_control(page, "forward", None)
    page.wait_for_function("() => window.microsim.state.phase === 'forward'")
    for _ in range(4):
        text = snapshot(page)
        set_control(page, "backward", None)
        wait_state_change(page, text)
    s = state(page)
    assert s["phase"] == "done"
    page_grads = {
        "dW": [s["backward"]["dW1"], s["backward"]["dW2"]],
        "db": [s["backward"]["db1"], s["backward"]["db2"]],
    }
    in_cpython = _central_difference(s, eps=1e-6)  # engine.dense.forward + loss, in CPython
    in_pyodide = browser_call(page, "backprop.numeric_gradient", {"state": s, "eps": 1e-6})
    for key in ("dW", "db"):
        for layer in range(2):
            ours = np.array(page_grads[key][layer])
            fd_c = np.array(in_cpython[key][layer])
            fd_p = np.array(in_pyodide[key][layer])
            assert ours.shape == fd_c.shape == fd_p.shape
            for name, fd in (("CPython", fd_c), ("Pyodide", fd_p)):
                assert np.allclose(ours, fd, rtol=1e-6, atol=1e-9), (
                    f"{key}[{layer + 1}] page {ours.tolist()} vs {name} differences {fd.tolist()}"
                )
            assert np.allclose(fd_c, fd_p, rtol=1e-6, atol=1e-10), (fd_c.tolist(), fd_p.tolist())
    # the Check Gradients button shows the same agreement; its round-off-sized differences
    # (~1e-10) come from each runtime's own exp/log, so only they may differ from CPython's
    text = snapshot(page)
    set_control(page, "check", None)
    after = wait_state_change(page, text)
    expected = cpython_call("backprop.check_gradients", {"state": s})
    assert after["check"]["agree"] and expected["check"]["agree"], after["check"]
    assert after["check"]["max_abs_diff"] < 1e-8, after["check"]
    for part in ("numeric_dW", "numeric_db"):
        assert_close(after["check"][part], expected["check"][part], path=part, tol=1e-6)
    strip = {"check", "message"}
    assert_close(
        {k: v for k, v in after.items() if k not in strip},
        {k: v for k, v in expected.items() if k not in strip},
        path="check_gradients",
    )


def test_apply_update_lowers_the_loss_like_cpython(sim):
    page, _ = sim
    fresh(page)
    set_control(page, "forward", None)
    page.wait_for_function("() => window.microsim.state.phase === 'forward'")
    losses = [state(page)["forward"]["loss"]]
    for _ in range(2):
        for _ in range(4):
            text = snapshot(page)
            set_control(page, "backward", None)
            wait_state_change(page, text)
        s = click_and_compare(page, "update", "apply_update")
        assert s["last_update"]["loss_after"] < s["last_update"]["loss_before"], s["last_update"]
        losses.append(s["forward"]["loss"])
        assert disabled(page)["update"] is True  # the next update needs a new backward pass
    assert s["history"] == pytest.approx(losses) and losses[2] < losses[1] < losses[0]


def test_auto_backprop_reaches_step_4_and_its_speed_slider_sets_the_pace(sim):
    page, _ = sim
    fresh(page)
    set_control(page, "forward", None)
    page.wait_for_function("() => window.microsim.state.phase === 'forward'")
    set_control(page, "speed", 0.5)  # one step every 2 s
    page.wait_for_function("() => window.microsim.state.params.speed === 0.5")
    set_control(page, "auto", None)
    page.wait_for_timeout(1500)
    slow = state(page)["step"]
    assert 1 <= slow <= 1, f"at 0.5 steps/s only the first step is done after 1.5 s, not {slow}"
    set_control(page, "auto", None)  # pause
    set_control(page, "speed", 5)  # one step every 0.2 s
    page.wait_for_function("() => window.microsim.state.params.speed === 5")
    start = time.time()
    set_control(page, "auto", None)
    page.wait_for_function("() => window.microsim.state.step === 4", timeout=10_000)
    assert time.time() - start < 4.0
    s = state(page)
    assert s["phase"] == "done"
    page.wait_for_function(
        "() => document.querySelector('[data-control=auto]').textContent === 'Auto Backprop'"
    )


def test_every_setting_changes_the_state_and_matches_cpython(sim):
    page, _ = sim
    fresh(page)
    set_control(page, "forward", None)
    page.wait_for_function("() => window.microsim.state.phase === 'forward'")
    for name, value in (
        ("speed", 3),
        ("lr", 0.5),
        ("chain", True),
        ("weight", "W2_0_1"),
        ("target", "0.4"),
        ("loss", "binary_cross_entropy"),
        ("seed", 9),
    ):
        before = state(page)
        text = snapshot(page)
        set_control(page, name, value)
        after = wait_state_change(page, text)
        assert after["params"][name] == value, (name, after["params"][name])
        expected = cpython_call(
            "backprop.set_param", {"state": before, "name": name, "value": value}
        )
        assert_close(after, expected, path=f"set_param {name}")


def test_show_chain_rule_toggles_the_chain_and_the_drawing(sim):
    page, _ = sim
    fresh(page)
    set_control(page, "forward", None)
    page.wait_for_function("() => window.microsim.state.phase === 'forward'")
    for _ in range(4):
        text = snapshot(page)
        set_control(page, "backward", None)
        wait_state_change(page, text)
    off = canvas(page)
    assert state(page)["chain"] is None
    set_control(page, "chain", True)
    page.wait_for_function("() => window.microsim.state.chain !== null")
    page.wait_for_timeout(100)
    chain = state(page)["chain"]
    assert chain["product"] == pytest.approx(chain["engine"], rel=1e-12)
    assert chain["engine"] == state(page)["backward"]["dW1"][0][0]
    assert canvas(page) != off


def test_bad_target_shows_a_message_and_keeps_the_state(sim):
    page, _ = sim
    fresh(page)
    text = snapshot(page)
    set_control(page, "target", "abc")
    page.wait_for_function("() => document.querySelector('#status').classList.contains('error')")
    assert "between 0 and 1" in page.text_content("#status")
    assert snapshot(page) == text
    set_control(page, "target", "0.5")  # and it keeps working
    assert wait_state_change(page, text)["y"] == 0.5


def test_keyboard_f_and_b_run_forward_and_backward(sim):
    page, _ = sim
    fresh(page)
    page.focus("#draw-region")
    page.keyboard.press("f")
    page.wait_for_function("() => window.microsim.state.phase === 'forward'")
    page.keyboard.press("b")
    page.wait_for_function("() => window.microsim.state.step === 1")


def test_url_parameters_set_the_controls_and_a_bad_one_shows_a_note(open_sim):
    page, log = open_sim(SLUG, "loss=binary_cross_entropy&target=0.3&seed=5&lr=99")
    wait_ready(page)
    page.wait_for_function("() => window.microsim.state.params.seed === 5")
    s = state(page)
    assert s["params"]["loss"] == "binary_cross_entropy" and s["y"] == 0.3
    expected = cpython_call(
        "backprop.initial_state",
        {"params": {**DEFAULTS, "loss": "binary_cross_entropy", "target": "0.3", "seed": 5}},
    )
    assert_close(s, expected, path="initial_state from URL")
    assert page.is_visible("#notes") and "lr" in page.text_content("#notes")
    assert log.problems() == []

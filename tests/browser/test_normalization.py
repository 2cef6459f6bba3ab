"""Normalization Comparison in Chromium: the SVG infographic shows the engine's numbers.

One page is shared by the tests of this module (the engine boots once); each test starts by
re-initialising the state from the default controls.
"""

from __future__ import annotations

import numpy as np
import pytest

from engine.norm import batch_norm, layer_norm, sample_activations
from sims import normalization as sim
from sims._contract import defaults
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

SLUG = sim.META.slug
DEFAULTS = defaults(sim.CONTROLS)


@pytest.fixture(scope="module")
def page_log(shared_context, site_url):
    with sim_page(
        shared_context, site_url, SLUG, width=1200, height=sim.META.canvas_height + 2
    ) as opened:
        yield opened


@pytest.fixture
def page(page_log):
    page, _ = page_log
    for name, value in DEFAULTS.items():  # controls back to their defaults, then a fresh state
        page.evaluate("([n, v]) => window.microsim.setControl(n, v)", [name, value])
    page.evaluate("() => window.microsim.reinit()")
    page.wait_for_function("() => window.microsim.state.anim.phase === 'idle'")
    return page


def fmt(v: float) -> str:
    """The sketch's two-decimal format (U+2212 minus)."""
    s = f"{0.0 if abs(v) < 0.005 else v:.2f}"
    return s.replace("-", "−")


def texts(page, selector: str) -> list[str]:
    return page.eval_on_selector_all(selector, "els => els.map(e => e.textContent)")


def scope_cells(page, kind: str) -> list[tuple[int, int, int]]:
    return [
        tuple(c)
        for c in page.eval_on_selector_all(
            f"svg.nc-tensor-{kind} polygon.scope",
            "els => els.map(e => [+e.dataset.n, +e.dataset.c, +e.dataset.l])",
        )
    ]


def test_ready_offline_and_embedded_state_equals_cpython(page_log):
    page, log = page_log
    assert page.evaluate("document.documentElement.dataset.engine") == "ready"
    assert_close(state(page), cpython_call("normalization.initial_state", {"params": DEFAULTS}))
    assert page.eval_on_selector("svg.nc-tensor-bn", "e => e.getAttribute('role')") == "img"
    assert page.eval_on_selector("svg.nc-tensor-bn title", "e => e.textContent").startswith(
        "Batch Norm tensor"
    )
    assert page.eval_on_selector_all("table.nc-table tbody tr", "els => els.length") == 4
    assert log.problems() == [], log.problems()
    assert log.off_origin() == [], log.off_origin()


def test_bn_and_ln_statistics_on_screen_equal_the_cpython_engine_on_the_same_tensor(page):
    set_control(page, "batch", 6)
    page.wait_for_function("() => window.microsim.state.shape[0] === 6")
    s = state(page)
    x = sample_activations(np.random.default_rng(DEFAULTS["seed"]), (6, 4, 4))
    np.testing.assert_allclose(s["x"], x, atol=1e-12)
    _, bn = batch_norm(x)
    _, ln = layer_norm(x)
    np.testing.assert_allclose(s["bn"]["batch_mean"], bn["mean"], atol=1e-12)
    np.testing.assert_allclose(s["bn"]["batch_var"], bn["var"], atol=1e-12)
    np.testing.assert_allclose(s["ln"]["mean"], ln["mean"], atol=1e-12)
    np.testing.assert_allclose(s["ln"]["var"], ln["var"], atol=1e-12)
    assert texts(page, "svg.nc-tensor-bn .stat-mean") == [fmt(v) for v in bn["mean"]]
    assert texts(page, "svg.nc-tensor-bn .stat-var") == [fmt(v) for v in bn["var"]]
    assert texts(page, "svg.nc-tensor-ln .stat-mean") == [fmt(v) for v in ln["mean"]]
    assert texts(page, "svg.nc-tensor-ln .stat-var") == [fmt(v) for v in ln["var"]]
    # the same action gives the same state in Pyodide and in CPython
    assert_parity(
        page, "normalization.set_param", {"state": s, "name": "mode", "value": "inference"}
    )


def test_highlight_toggle_changes_the_highlighted_cells(page):
    # default "both": BN highlights channel 0 (vertical slice), LN sample 0 (horizontal slice)
    bn_cells, ln_cells = scope_cells(page, "bn"), scope_cells(page, "ln")
    assert bn_cells and all(c == 0 for _, c, _ in bn_cells), bn_cells
    assert {n for n, _, _ in bn_cells} == {0, 1, 2, 3}, "BN scope spans every sample"
    assert ln_cells and all(n == 0 for n, _, _ in ln_cells), ln_cells
    assert {c for _, c, _ in ln_cells} == {0, 1, 2, 3}, "LN scope spans every channel"
    for value, bn_on, ln_on in (("ln", False, True), ("none", False, False), ("bn", True, False)):
        before = snapshot(page)
        set_control(page, "highlight", value)
        wait_state_change(page, before)
        page.wait_for_function(
            "v => document.querySelector('svg.nc-tensor-bn').dataset.highlight === v",
            arg="on" if bn_on else "off",
        )
        assert bool(scope_cells(page, "bn")) is bn_on, value
        assert bool(scope_cells(page, "ln")) is ln_on, value
    # clicking a column moves Batch Norm's scope to that channel; arrow keys move it on
    page.click("svg.nc-tensor-bn polygon[data-face=front][data-n='1'][data-c='2']")
    page.wait_for_function("() => window.microsim.state.focus.bn === 2")
    page.wait_for_function(
        "() => [...document.querySelectorAll('svg.nc-tensor-bn polygon.scope')]"
        ".every(e => e.dataset.c === '2')"
    )
    assert {c for _, c, _ in scope_cells(page, "bn")} == {2}
    page.focus("svg.nc-tensor-bn")
    page.keyboard.press("ArrowRight")
    page.wait_for_function("() => window.microsim.state.focus.bn === 3")


def test_gamma_and_beta_change_the_after_distribution(page):
    prior = state(page)
    before = snapshot(page)
    set_control(page, "gamma", 2.5)
    wait_state_change(page, before)
    page.wait_for_function("() => window.microsim.state.params.gamma === 2.5")
    s = state(page)
    expected = cpython_call(
        "normalization.set_param", {"state": prior, "name": "gamma", "value": 2.5}
    )
    assert_close(s, expected)
    assert s["hist"]["bn"]["counts"] != prior["hist"]["bn"]["counts"]
    bars = page.eval_on_selector_all("svg.nc-hist-bn rect[data-count]", "els => els.length")
    assert bars > 0
    np.testing.assert_allclose(s["bn"]["y"], 2.5 * np.asarray(prior["bn"]["y"]), atol=1e-9)
    before_beta = page.eval_on_selector("svg.nc-hist-bn .beta-line", "e => +e.getAttribute('x1')")
    set_control(page, "beta", 1.5)
    page.wait_for_function("() => window.microsim.state.params.beta === 1.5")
    s2 = state(page)
    np.testing.assert_allclose(s2["bn"]["y"], np.asarray(s["bn"]["y"]) + 1.5, atol=1e-9)
    np.testing.assert_allclose(np.mean(s2["ln"]["y"], axis=(1, 2)), 1.5, atol=1e-9)
    after_beta = page.eval_on_selector("svg.nc-hist-bn .beta-line", "e => +e.getAttribute('x1')")
    assert after_beta != before_beta, "the β marker did not move"
    assert "γ = 2.5, β = 1.5" in page.text_content(".nc-panel-bn .nc-param")


def test_every_control_changes_the_state_as_cpython_does(page):
    changes = {
        "scale": 2.0,
        "shift": -2.5,
        "batch": 2,
        "mode": "inference",
        "speed": 3.0,
        "seed": 42,
        "highlight": "none",
        "gamma": 0.5,
        "beta": -1.0,
    }
    for name, value in changes.items():
        prior = state(page)
        before = snapshot(page)
        set_control(page, name, value)
        wait_state_change(page, before)
        page.wait_for_function(
            "([n, v]) => window.microsim.state.params[n] === v", arg=[name, value]
        )
        if name == "seed":
            expected = cpython_call(
                "normalization.initial_state", {"params": {**prior["params"], "seed": 42}}
            )
        else:
            expected = cpython_call(
                "normalization.set_param", {"state": prior, "name": name, "value": value}
            )
        assert_close(state(page), expected, path=name)
    s = state(page)
    assert s["bn"]["shown_label"] == "running" and s["shape"][0] == 2
    assert "running μ̂" in page.text_content(".nc-panel-bn .on")


def test_compute_statistics_animates_each_channel_then_each_sample(page):
    set_control(page, "speed", 4.0)
    page.wait_for_function("() => window.microsim.state.params.speed === 4")
    set_control(page, "compute", None)
    page.wait_for_function("() => window.microsim.state.anim.phase === 'bn'")
    s = state(page)
    assert texts(page, "svg.nc-tensor-bn .stat-mean")[1:] == ["…"] * 3, "later channels hidden"
    assert s["anim"]["title"] in page.text_content(".nc-anim")
    assert {c for _, c, _ in scope_cells(page, "bn")} == {s["anim"]["index"]}
    page.wait_for_function("() => window.microsim.state.anim.phase === 'ln'", timeout=10_000)
    page.wait_for_function("() => window.microsim.state.anim.phase === 'done'", timeout=10_000)
    assert "…" not in "".join(texts(page, "svg .stat-mean"))
    assert page.text_content("[data-control=compute]") == "Compute statistics"

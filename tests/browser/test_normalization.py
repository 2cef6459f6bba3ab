"""Normalization Comparison in Chromium: the SVG infographic shows the engine's numbers.

One page is shared by the tests of this module (the engine boots once); each test starts by
re-initialising the state from the default controls.
"""

from __future__ import annotations

import re

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


def fmt(v: float, d: int = 2) -> str:
    """The sketch's ``d``-decimal format (U+2212 minus, never "−0.00")."""
    s = f"{0.0 if abs(v) < 0.5 * 10**-d else v:.{d}f}"
    return s.replace("-", "−")


def shown(v: float, d: int = 2) -> float:
    """The number the sketch writes for ``v``, read back."""
    return float(fmt(v, d).replace("−", "-"))


def numbers(text: str) -> list[float]:
    """The numbers in a read-out as written on screen (U+2212 minus)."""
    return [float(t.replace("−", "-")) for t in re.findall(r"[−-]?\d+(?:\.\d+)?", text)]


READOUTS = """() => {
  const q = (sel) => [...document.querySelectorAll(sel)].map((e) => e.textContent);
  const bnRow = 'table.nc-table tr[data-kind=batch]';
  return {
    bn_mean: q('svg.nc-tensor-bn .stat-mean'), bn_var: q('svg.nc-tensor-bn .stat-var'),
    source: q('svg.nc-tensor-bn .stat-source'), scope: q('.nc-panel-bn .nc-scope')[0],
    on: q('.nc-panel-bn .nc-side .on')[0], alone: q('.nc-panel-bn .nc-alone')[0],
    ln_alone: q('.nc-panel-ln .nc-alone')[0], message: q('.nc-anim .nc-message')[0],
    here: q(`${bnRow} td[data-label="On this tensor"]`)[0],
    dependency: q(`${bnRow} td[data-label="Batch dependency"]`)[0],
    caption: q('table.nc-table caption')[0], anim: q('.nc-anim p'),
  };
}"""


def readouts(page) -> dict:
    """The text the sketch rendered for the read-outs this module checks."""
    return page.evaluate(READOUTS)


def set_mode(page, mode: str) -> None:
    if state(page)["params"]["mode"] != mode:
        before = snapshot(page)
        set_control(page, "mode", mode)
        wait_state_change(page, before)
    page.wait_for_function(
        "label => window.microsim.state.bn.shown_label === label",
        arg="running" if mode == "inference" else "batch",
    )


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
    assert "running mean μ̂" in page.text_content(".nc-panel-bn .on")


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


@pytest.mark.parametrize("mode", ["train", "inference"])
def test_on_screen_readouts_are_the_states_and_cpythons_numbers_in_each_mode(page, mode):
    """Issue 11: in inference the cube, the side text, the table and the message show the
    running statistics and a batch-of-1 change of 0; in training this batch's statistics."""
    set_mode(page, mode)
    s = state(page)
    cp = cpython_call("normalization.initial_state", {"params": s["params"]})
    for key in ("shown_mean", "shown_var", "running_mean", "alone_max_diff", "m"):
        assert_close(s["bn"][key], cp["bn"][key], path=f"bn.{key}")
    assert_close(s["table"], cp["table"], path="table")
    assert s["message"] == cp["message"]
    inference = mode == "inference"
    used = ("running_mean", "running_var") if inference else ("batch_mean", "batch_var")
    r = readouts(page)
    # the cube: the statistics of the mode, as CPython computes them
    assert r["bn_mean"] == [fmt(v) for v in cp["bn"][used[0]]], (r["bn_mean"], used)
    assert r["bn_var"] == [fmt(v) for v in cp["bn"][used[1]]], (r["bn_var"], used)
    assert r["bn_mean"] == [fmt(v) for v in s["bn"]["shown_mean"]]
    assert r["source"] == (["μ̂, σ̂²: running, from training"] if inference else []), r["source"]
    # sample 0 alone: the mode's figure from the state, 0.00 at inference
    alone = cp["bn"]["alone_max_diff"]
    assert numbers(r["alone"])[-1] == shown(alone) == shown(s["bn"]["alone_max_diff"])
    if inference:
        assert alone == 0.0 and r["alone"].endswith(
            "changes by 0.00: no batch dependency at inference."
        ), r["alone"]
        assert r["on"].startswith("Inference: uses the running mean μ̂ = ["), r["on"]
        assert numbers(r["on"])[:4] == [shown(v) for v in cp["bn"]["running_mean"]]
        assert "running μ̂, σ̂² from training" in r["scope"], r["scope"]
        assert "running μ̂, σ̂² from training" in r["caption"], r["caption"]
    else:
        assert alone > 0.1 and f"changes by up to {fmt(alone)}." in r["alone"], r["alone"]
        assert r["on"].startswith("Training"), r["on"]
        assert "running" not in r["scope"] + r["caption"], (r["scope"], r["caption"])
    assert r["ln_alone"].startswith(
        f"Sample 0 alone (batch of 1): its output changes by {fmt(cp['ln']['alone_max_diff'])}"
    )
    assert r["message"] == cp["message"]
    assert (
        f"sample 0 normalised alone changes by {'' if inference else 'up to '}"
        f"{alone:.2f} under Batch Norm" in r["message"]
    ), r["message"]
    assert r["here"] == cp["table"][0]["here"], r["here"]
    assert r["dependency"] == cp["table"][0]["batch_dependency"], r["dependency"]
    assert ("running μ̂" in r["here"]) is inference, r["here"]


@pytest.mark.parametrize("mode", ["train", "inference"])
def test_the_animated_statistic_is_the_one_the_cube_reveals_in_each_mode(page, mode):
    """The μ the student watches being computed is the number that appears in the cube: this
    batch's in training, the running μ̂ (with the training batches it comes from) at inference."""
    set_mode(page, mode)
    cp = cpython_call("normalization.initial_state", {"params": state(page)["params"]})
    page.evaluate(
        "async () => { await window.microsim.act('anim_start'); "
        "await window.microsim.act('anim_step'); }"
    )
    page.wait_for_function("() => window.microsim.state.anim.index === 1")
    cp = cpython_call("normalization.anim_start", {"state": cp})
    cp = cpython_call("normalization.anim_step", {"state": cp})
    a, expected = state(page)["anim"], cp["anim"]
    assert_close(a, expected, path="anim")
    r = readouts(page)
    assert r["anim"][0] == expected["title"]
    formula = next(t for t in r["anim"] if "μ" in t and "σ" in t and "=" in t and "[" not in t)
    mu = "μ̂" if mode == "inference" else "μ"
    assert f"{mu} = {fmt(expected['mean'], 3)}" in formula or (
        f"= {fmt(expected['mean'], 3)};" in formula
    ), formula
    assert fmt(expected["var"], 3) in formula, formula
    # the cube reveals channels 0 and 1: the same numbers, to 2 decimals
    assert r["bn_mean"][:2] == [fmt(v) for v in cp["bn"]["shown_mean"][:2]], r["bn_mean"]
    assert r["bn_mean"][1] == fmt(expected["mean"]), (r["bn_mean"][1], expected["mean"])
    assert r["bn_mean"][2:] == ["…", "…"]
    if mode == "inference":
        assert expected["stat"] == "running" and "running mean μ̂" in formula, formula
        assert expected["mean"] == pytest.approx(cp["bn"]["running_mean"][1], abs=1e-12)
        assert (
            r["anim"][1]
            == "μ_B of the 20 training batches = ["
            + ", ".join(fmt(v) for v in expected["train_means"])
            + "]"
        )
        own = f"This batch’s own mean of channel 1, {fmt(expected['batch_mean'], 3)}, is not used"
        assert r["anim"][-1].startswith(own), r["anim"][-1]
        assert fmt(expected["batch_mean"], 2) != r["bn_mean"][1]
    else:
        assert expected["stat"] == "batch"
        assert expected["mean"] == pytest.approx(cp["bn"]["batch_mean"][1], abs=1e-12)


def test_histogram_legend_lists_only_bar_colours_and_off_scale_counts_clear_the_bars(page):
    for name, value in {"gamma": 3.0, "beta": 2.5, "scale": 3.0, "shift": 5.0, "batch": 7}.items():
        page.evaluate("([n, v]) => window.microsim.setControl(n, v)", [name, value])
    page.evaluate("() => window.microsim.reinit()")
    page.wait_for_function("() => window.microsim.state.shape[0] === 7")
    set_mode(page, "inference")
    s = state(page)
    colours = page.evaluate("""() => {
      const norm = (c) => { const e = document.createElement('i'); e.style.color = c;
        document.body.appendChild(e); const v = getComputedStyle(e).color; e.remove(); return v; };
      const bg = (sel) => [...document.querySelectorAll(sel)].map((e) => norm(e.style.background));
      return {
        bars: [...new Set([...document.querySelectorAll('svg.nc-hist rect[data-count]')]
          .map((e) => norm(e.getAttribute('fill'))))],
        hist: bg('.nc-legend-hist .sw'), tensor: bg('.nc-legend-tensor .sw'),
        scope: [...new Set([...document.querySelectorAll('svg.nc-tensor polygon.scope')]
          .map((e) => norm(e.getAttribute('fill'))))],
      };
    }""")
    assert sorted(colours["hist"]) == sorted(colours["bars"]), colours
    assert colours["tensor"] == colours["scope"] and colours["scope"][0] not in colours["hist"]
    for kind in ("bn", "ln"):
        clipped = [s["hist"]["before"]["clipped"], s["hist"][kind]["clipped"]]
        assert all(clipped), clipped
        geo = page.evaluate(
            """(kind) => {
          const svg = document.querySelector(`svg.nc-hist-${kind}`);
          const box = (e) => { const b = e.getBBox(); return [b.x, b.y, b.x + b.width, b.y + b.height]; };
          return { clipped: [...svg.querySelectorAll('.clipped')].map((e) => [e.textContent, box(e)]),
                   beta: [...svg.querySelectorAll('.beta-label')].map(box),
                   bars: [...svg.querySelectorAll('rect[data-count]')].map(box),
                   height: +svg.getAttribute('height') };
        }""",
            kind,
        )
        assert [t for t, _ in geo["clipped"]] == [f"{n} off-scale" for n in clipped], geo["clipped"]
        labels = [b for _, b in geo["clipped"]] + geo["beta"]
        assert len(geo["beta"]) == 1, geo["beta"]
        for lab in labels:
            assert lab[3] <= geo["height"], (kind, lab, geo["height"])
            hits = [
                b
                for b in geo["bars"]
                if lab[0] < b[2] and b[0] < lab[2] and lab[1] < b[3] and b[1] < lab[3]
            ]
            assert hits == [], f"{kind}: label {lab} drawn over bars {hits[:3]}"
        for c in geo["clipped"]:
            b = c[1]
            assert not (
                b[0] < geo["beta"][0][2]
                and geo["beta"][0][0] < b[2]
                and b[1] < geo["beta"][0][3]
                and geo["beta"][0][1] < b[3]
            ), (c, geo["beta"])


def test_mode_select_shows_its_whole_option_text(page):
    widths = page.evaluate("""() => {
      const sel = document.querySelector('[data-control=mode]');
      const cs = getComputedStyle(sel);
      return [...sel.options].map((o) => {
        const span = document.createElement('span');
        span.style.font = cs.font; span.style.whiteSpace = 'pre'; span.textContent = o.text;
        document.body.appendChild(span); const w = span.getBoundingClientRect().width; span.remove();
        return [o.text, w, sel.clientWidth];
      });
    }""")
    for text, need, have in widths:
        # the text, the padding and the drop-down arrow (about 28 px) fit in the select
        assert need + 28 <= have, f"{text!r} needs {need:.0f} + 28 px, the select has {have} px"

"""The sim contract (sims/_contract.py), checked in Chromium for every sim that build.py discovers."""

from __future__ import annotations

import json

import pytest

import sims
from sims._contract import defaults
from tests.browser.harness import (
    assert_close,
    attach_log,
    browser_call,
    cpython_call,
    set_control,
    snapshot,
    state,
    wait_ready,
    wait_state_change,
)

MODULES = sims.discover()
SIMS = sorted((m.META.slug, name) for name, m in MODULES.items())
IDS = [slug for slug, _ in SIMS]


def _changed_value(control):
    """A valid value different from the control's current default."""
    if control.kind == "slider":
        return control.max if control.default != control.max else control.min
    if control.kind == "select":
        return next(v for v, _ in control.options if v != control.default)
    if control.kind == "checkbox":
        return not control.default
    return None


@pytest.mark.parametrize(("slug", "module"), SIMS, ids=IDS)
def test_sim_reaches_ready_offline_and_every_value_control_changes_the_state(
    open_sim, slug, module
):
    page, log = open_sim(slug)
    wait_ready(page)
    sim = MODULES[module]
    # every declared control is on the page with its data-control name
    on_page = page.evaluate(
        "() => [...document.querySelectorAll('[data-control]')].map(e => e.dataset.control)"
    )
    assert on_page == [c.name for c in sim.CONTROLS], "DOM controls differ from CONTROLS"
    # initial_state in Pyodide equals the CPython state embedded at build time
    params = defaults(sim.CONTROLS)
    assert_close(
        browser_call(page, f"{module}.initial_state", {"params": params}),
        cpython_call(f"{module}.initial_state", {"params": params}),
        path=f"{module}.initial_state",
    )
    assert_close(
        state(page),
        cpython_call(f"{module}.initial_state", {"params": params}),
        path="embedded state",
    )
    unchanged = []
    for control in sim.CONTROLS:
        value = _changed_value(control)
        if value is None:
            continue
        before = snapshot(page)
        set_control(page, control.name, value)
        try:
            wait_state_change(page, before, timeout=8_000)
        except Exception:
            unchanged.append(f"{control.name}={value!r} (status: {page.text_content('#status')})")
    assert unchanged == [], f"{slug}: controls that did not change the state: {unchanged}"
    assert log.problems() == [], f"{slug}: console errors {log.problems()}"
    assert log.off_origin() == [], f"{slug}: requests off 127.0.0.1: {log.off_origin()}"


@pytest.mark.parametrize(("slug", "module"), SIMS, ids=IDS)
def test_without_the_engine_the_first_frame_draws_and_retry_is_offered(
    open_sim, site_server, slug, module
):
    with site_server.fault("/pyodide.asm.wasm", "404"):
        page, log = open_sim(slug, fresh=True)  # an engine of its own, which fails to boot
        page.wait_for_function(
            "() => document.documentElement.dataset.engine === 'error'", timeout=30_000
        )
    assert page.is_visible("#retry"), "no retry button after a failed load"
    assert "failed" in page.text_content("#status")
    embedded = json.loads(page.text_content("#microsim-state"))
    assert_close(state(page), embedded, path="state without engine")
    drawn = page.evaluate(
        """() => {
            const region = document.getElementById('draw-region');
            const canvas = region.querySelector('canvas');
            if (!canvas) return region.querySelectorAll('svg *, div, table').length > 5;
            const ctx = canvas.getContext('2d');
            const data = ctx.getImageData(0, 0, canvas.width, canvas.height).data;
            const colours = new Set();
            for (let i = 0; i < data.length; i += 4 * 97) colours.add(data.slice(i, i + 3).join());
            return colours.size > 3;
        }"""
    )
    assert drawn, f"{slug}: nothing drawn while the engine is unavailable"
    if slug == SIMS[0][0]:  # a fresh engine boots once here; test_runtime retries the others
        page.click("#retry")
        wait_ready(page)


@pytest.mark.parametrize(("slug", "module"), SIMS, ids=IDS)
def test_bad_url_parameters_show_a_note_and_the_sim_still_works(open_sim, slug, module):
    sim = MODULES[module]
    slider = next((c for c in sim.CONTROLS if c.kind == "slider"), None)
    query = "nonsense=1" + (f"&{slider.name}=%3Cb%3Ebad%3C%2Fb%3E" if slider else "")
    page, log = open_sim(slug, query)
    wait_ready(page)
    notes = page.text_content("#notes")
    assert "nonsense" in notes, f"no note for an unknown parameter: {notes!r}"
    if slider:
        assert f"{slider.name}=" in notes and "<b>bad</b>" in notes, notes
        assert page.eval_on_selector("#notes", "el => el.querySelector('b')") is None, (
            "URL text was inserted as HTML"
        )
        value = page.eval_on_selector(f"[data-control={slider.name}]", "el => Number(el.value)")
        assert value == pytest.approx(slider.default), "the bad value was applied"
    assert log.problems() == [], log.problems()


def _hostile_query(sim) -> str:
    """A link built to hurt: prototype names, a 5000-character value, 200 junk parameters,
    markup and a valid setting given twice (the last one counts)."""
    from urllib.parse import quote

    slider = next((c for c in sim.CONTROLS if c.kind == "slider"), None)
    parts = ["constructor=1", "__proto__=1", "toString=x", "hasOwnProperty=1"]
    parts.append("x=" + "9" * 5000)
    parts.append("%3Cimg%20src%3Dx%20onerror%3Dalert(1)%3E=1")
    if slider:
        parts += [f"{slider.name}=" + quote("<b>bad</b>"), f"{slider.name}=1e400"]
    parts += [f"junk{i}={i}" for i in range(200)]
    return "&".join(parts)


@pytest.mark.parametrize(("slug", "module"), SIMS, ids=IDS)
def test_a_hostile_link_gives_one_short_dismissible_note_and_the_defaults(open_sim, slug, module):
    """Every problem of the link lands in one note a few lines high (not one line per value),
    no link text becomes markup, the sim starts from its defaults, and × removes the note."""
    sim = MODULES[module]
    query = _hostile_query(sim)
    n_params = query.count("&") + 1  # every one of them is ignored
    page, log = open_sim(slug, query)
    wait_ready(page)
    assert page.locator("#notes .url-note").count() == 1, page.inner_html("#notes")[:500]
    height = page.eval_on_selector("#notes .url-note", "el => el.getBoundingClientRect().height")
    assert height <= 80, f"{slug}: the URL note is {height} px high with its details closed"
    head = page.text_content("#notes .url-note > span")
    assert len(head) <= 160, f"{slug}: note sentence of {len(head)} characters: {head!r}"
    assert page.query_selector("#notes img, #notes b, #status img") is None, "link text became HTML"
    assert "9" * 100 not in page.text_content("#notes"), "the 5000-character value is shown whole"
    assert "were not read" in page.text_content("#notes"), (
        "the parameters beyond the limit are not counted"
    )
    assert head.startswith(f"{n_params} URL parameters ignored"), (
        f"not every one counted ({n_params}): {head!r}"
    )
    params = state(page)["params"]
    expected = defaults(sim.CONTROLS)
    for name, value in expected.items():
        assert params.get(name) == value, (
            f"{slug}: {name} is {params.get(name)!r}, default {value!r}"
        )
    page.click("#notes .note-close")
    assert page.locator("#notes .url-note").count() == 0, "× did not remove the note"
    assert page.is_hidden("#notes"), "an empty notes box is still shown"
    assert log.problems() == [], log.problems()


@pytest.mark.parametrize(("slug", "module"), SIMS, ids=IDS)
def test_a_valid_url_parameter_sets_its_control_and_the_state(open_sim, slug, module):
    sim = MODULES[module]
    control = next((c for c in sim.CONTROLS if c.kind in ("slider", "select")), None)
    if control is None:
        pytest.skip("no slider or select")
    value = _changed_value(control)
    page, log = open_sim(slug, f"{control.name}={value}")
    wait_ready(page)
    same = "(a, b) => (typeof b === 'number' ? Number(a) === b : String(a) === String(b))"
    page.wait_for_function(
        f"([name, v]) => ({same})((window.microsim.state.params || {{}})[name], v)",
        arg=[control.name, value],
        timeout=10_000,
    )
    shown = page.eval_on_selector(f"[data-control={control.name}]", "el => el.value")
    if control.kind == "slider":
        assert float(shown) == pytest.approx(value), (shown, value)
    else:
        assert shown == value, (shown, value)


@pytest.mark.parametrize("width", [360, 400, 800, 1200])
@pytest.mark.parametrize(("slug", "module"), SIMS, ids=IDS)
def test_the_drawing_keeps_its_height_and_the_page_grows_for_the_controls(
    open_sim, slug, module, width
):
    """At every width the drawing region keeps its designed height (META.draw_height) and the
    page fills the window; where the controls wrap onto more rows, the page grows (fullscreen:
    it scrolls; embedded: it asks the parent, tested below). Text is at least 16 px."""
    sim = MODULES[module]
    window = sim.META.canvas_height + 2  # the iframe snippet's height
    page, _ = open_sim(slug, width=width, height=window)
    page.wait_for_selector("#draw-region")
    page.wait_for_timeout(300)
    box = page.evaluate(
        """() => {
            const main = document.querySelector('.microsim');
            const region = document.getElementById('draw-region');
            const controls = document.querySelector('.control-region');
            const small = [...document.querySelectorAll('.control-region *')]
              .filter(e => e.offsetParent && e.childNodes.length && [...e.childNodes].some(n => n.nodeType === 3 && n.textContent.trim()))
              .map(e => [e.tagName, e.textContent.trim().slice(0, 20), parseFloat(getComputedStyle(e).fontSize)])
              .filter(([, , size]) => size < 16);
            return {
              pageHeight: main.offsetHeight,
              docScroll: document.documentElement.scrollHeight,
              docWidth: document.documentElement.scrollWidth,
              regionHeight: region.offsetHeight,
              controlsHeight: controls.offsetHeight,
              controlsBottom: controls.getBoundingClientRect().bottom + window.scrollY,
              small,
            };
        }"""
    )
    draw = sim.META.draw_height
    assert box["regionHeight"] >= draw, f"drawing region {box['regionHeight']} < {draw} px: {box}"
    expected = max(window, draw + box["controlsHeight"])
    assert abs(box["pageHeight"] - expected) <= 1, (expected, box)
    assert box["controlsBottom"] <= box["pageHeight"] + 0.5, (
        f"controls overflow at {width}px: {box}"
    )
    assert box["docScroll"] <= box["pageHeight"] + 2 and box["docWidth"] <= width, box
    if width >= 800:  # the controls fit the designed control height: no growth on a laptop
        assert box["pageHeight"] == window, box
    assert box["small"] == [], f"text under 16 px: {box['small']}"


def test_a_narrow_embed_asks_its_parent_for_the_height_its_controls_need(browser, site_url):
    """A 360 px iframe with the snippet's fixed height: the sim posts {type: 'microsim-resize',
    height} (the MicroSim ecosystem's message); a parent that applies it shows every control
    and the drawing at its designed height, and once the content has settled is not asked
    again."""
    slug, sim = "neural-network-architecture", MODULES["architecture"]
    height = sim.META.canvas_height + 2
    context = browser.new_context(viewport={"width": 400, "height": 900})
    try:
        page = context.new_page()
        # the course page is on another site than the sims (localhost vs 127.0.0.1: the same
        # server, a different site), as a school's LMS page embedding a book's sims would be
        page.goto(site_url.replace("127.0.0.1", "localhost"))
        page.evaluate(
            """([src, height]) => {
                window.asked = [];
                const f = Object.assign(document.createElement('iframe'), {src, title: 'sim'});
                Object.assign(f, {width: 360, height, scrolling: 'no'});
                addEventListener('message', (e) => {
                    if (e.data && e.data.type === 'microsim-resize') {
                        window.asked.push(e.data.height);
                        f.height = e.data.height;
                    }
                });
                document.body.replaceChildren(f);
            }""",
            [f"{site_url}sims/{slug}/main.html", height],
        )
        page.wait_for_function("() => window.asked.length > 0", timeout=20_000)
        frame = next(f for f in page.frames if f.url.endswith(f"/sims/{slug}/main.html"))
        wait_ready(frame)
        page.wait_for_timeout(500)
        asked = page.evaluate("() => window.asked")
        page.wait_for_timeout(1000)  # settled: a granted height is not asked for again
        assert page.evaluate("() => window.asked") == asked, asked
        inner = frame.evaluate(
            """() => ({
                innerHeight: window.innerHeight,
                region: document.getElementById('draw-region').offsetHeight,
                controls: document.querySelector('.control-region').offsetHeight,
                bottom: document.querySelector('.control-region').getBoundingClientRect().bottom,
                embedded: document.documentElement.dataset.embedded,
                mode: document.documentElement.dataset.engineMode,
            })"""
        )
        # cross-site, Chromium may refuse the SharedWorker (third-party storage): own worker
        assert inner["embedded"] == "true" and inner["mode"] in ("shared", "worker"), inner
        assert asked[-1] > height, (asked, height)
        assert asked[-1] == sim.META.draw_height + inner["controls"], (asked, inner)
        assert inner["innerHeight"] == asked[-1] and inner["bottom"] <= inner["innerHeight"], inner
        assert inner["region"] >= sim.META.draw_height, inner
        # (it asks again only when its content grows: the status line as the engine starts)
        assert len(asked) <= 4 and asked == sorted(asked), f"asked again and again: {asked}"
    finally:
        context.close()


def test_a_shared_worker_the_browser_refuses_falls_back_to_an_own_worker(browser, site_url):
    """Under an opaque-origin course page (a sandboxed or about:blank page; here Playwright's
    set_content) Chromium does not start the SharedWorker: the sim falls back to a dedicated
    worker by itself and reaches ready, instead of an error with a Retry that fails again."""
    slug = "perceptron-decision-boundary"
    context = browser.new_context(viewport={"width": 1000, "height": 900})
    try:
        page = context.new_page()
        log = attach_log(page)
        page.set_content(
            f'<iframe src="{site_url}sims/{slug}/main.html" width="900" height="780" '
            'style="border:0" title="sim"></iframe>'
        )
        frame = next(f for f in page.frames if f.url.endswith(f"/sims/{slug}/main.html"))
        wait_ready(frame)
        mode = frame.evaluate("() => document.documentElement.dataset.engineMode")
        assert mode in ("worker", "shared"), mode
        s = frame.evaluate("() => window.microsim.act('learn_step')")
        assert s["learn"]["total_updates"] == 1, s["learn"]
        assert [p for p in log.problems() if "SharedWorker" not in p] == [], log.problems()
        print(f"engine mode under an opaque-origin parent: {mode}")
    finally:
        context.close()


def _url_corpus(control) -> list[str]:
    """URL texts to try on ``control``: valid, edge and refused ones."""
    if control.kind == "slider":
        lo, hi, step = control.min, control.max, control.step
        return [
            str(control.default),
            str(lo),
            str(hi),
            str(hi + step),
            str(lo - step),
            str(lo + step / 2),
            str(lo + step * 0.49),
            f" {hi} ",
            "1e0",
            "abc",
            "",
            "0x10",
            "Infinity",
            "NaN",
        ]
    if control.kind == "select":
        return [*control.values, "nope", control.values[0].upper(), ""]
    if control.kind == "checkbox":
        return ["true", "FALSE", "yes", "off", "1", "0", "maybe", ""]
    return ["abc", "x" * control.maxlength, "x" * (control.maxlength + 1), ""]


def test_url_parameters_and_python_settings_follow_the_same_rules(open_sim):
    from sims._contract import control_json

    page, _ = open_sim("tensor-operations")
    cases = [
        (name, control_json(c), raw, c.validate(raw, run_check=False))
        for name, m in sorted(MODULES.items())
        for c in m.CONTROLS
        if c.has_value and c.url
        for raw in _url_corpus(c)
    ]
    js = page.evaluate(
        "(cases) => cases.map(([spec, raw]) => window.microsim.parseParam(spec, raw))",
        [[spec, raw] for _, spec, raw, _ in cases],
    )
    differ = []
    for (name, spec, raw, (ok, out)), got in zip(cases, js, strict=True):
        want = {"ok": True, "value": out} if ok else {"ok": False, "why": out}
        if got != want:
            differ.append(f"{name}.{spec['name']}={raw!r}: page {got}, Python {want}")
    assert differ == [], f"{len(differ)} of {len(cases)} differ:\n" + "\n".join(differ[:20])


def test_the_sketch_kit_formats_numbers_and_subscripts_as_python_does(open_sim):
    """static/sketch-kit.js fmt/sub and their twins in sims/_contract.py give the same text."""
    from sims._contract import fmt, sub

    page, _ = open_sim("tensor-operations")
    values = [0, 1, -1, 2.5, -2.5, 0.125, -0.0004, 1e-9, 12.3456, -7.0, 0.5, 1 / 3, 99.995, 3e5]
    cases = [(v, d, m) for v in values for d in (0, 1, 2, 3) for m in (0, 2) if m <= d]
    js = page.evaluate(
        "(cases) => cases.map(([v, d, m]) => window.microsim.fmt(v, d, m))",
        [list(c) for c in cases],
    )
    differ = [
        f"fmt({v}, {d}, {m}): page {got!r}, Python {fmt(v, d, m)!r}"
        for (v, d, m), got in zip(cases, js, strict=True)
        if got != fmt(v, d, m)
    ]
    indices = [[0], [1], [2, 1], [10, 3], [1, 2, 3]]
    subs = page.evaluate("(cases) => cases.map((c) => window.microsim.sub(...c))", indices)
    differ += [
        f"sub{tuple(i)}: page {got!r}, Python {sub(*i)!r}"
        for i, got in zip(indices, subs, strict=True)
        if got != sub(*i)
    ]
    assert differ == [], f"{len(differ)} of {len(cases) + len(indices)} differ:\n" + "\n".join(
        differ
    )
    palette = page.evaluate("() => window.microsim.palette")
    assert palette["blue"] == [26, 95, 180] and len(palette["categories"]) == 6, palette


def test_an_engine_error_is_one_sentence_with_the_full_message_under_details(open_sim):
    """A refused call shows one short line; its full message is there on demand only, without
    a Python traceback (that is for internal errors: tests/sims/test_bridge.py)."""
    page, log = open_sim("perceptron-decision-boundary")
    wait_ready(page)
    long_name = "w" * 300  # an unknown argument whose name makes the message long
    page.evaluate(
        "([a]) => window.microsim.call('perceptron.learn_step', a).catch(() => null)",
        [{long_name: 1}],
    )
    status = page.text_content("#status")
    assert page.eval_on_selector("#status", "el => el.classList.contains('error')"), status
    assert len(status) <= 160 and "\n" not in status, f"status of {len(status)} chars: {status!r}"
    assert page.is_visible("#status-more"), "no details button for a long error"
    assert page.is_hidden("#status-detail"), "the details are open before anyone asks"
    page.click("#status-more")
    detail = page.text_content("#status-detail")
    assert page.is_visible("#status-detail") and "Traceback" not in detail, detail[:300]
    assert long_name in detail, "the full message is not under details"
    page.click("#status-more")
    assert page.is_hidden("#status-detail"), "details do not close again"
    assert log.problems() == [], log.problems()


def test_the_url_and_fullscreen_link_carry_the_settings_the_reader_changed(open_sim):
    """issue 12, shareable state: after a change the page's URL and its Fullscreen link hold
    every setting that differs from its default (seed included), and that link opens them."""
    slug = "perceptron-decision-boundary"
    page, log = open_sim(slug, "seed=12")
    wait_ready(page)
    page.wait_for_function("() => window.microsim.state.params.seed === 12")
    before = snapshot(page)
    set_control(page, "lr", 0.5)
    wait_state_change(page, before)
    page.wait_for_function("() => location.search.includes('lr=0.5')")
    search = page.evaluate("() => location.search")
    assert "seed=12" in search and "preset=" not in search, search  # defaults stay out
    href = page.get_attribute(".fullscreen", "href")
    assert href == f"main.html{search}", (href, search)
    again, _ = open_sim(slug, search.lstrip("?"))
    wait_ready(again)
    again.wait_for_function("() => window.microsim.state.params.lr === 0.5")
    p = state(again)["params"]
    assert (p["seed"], p["lr"]) == (12, 0.5), p
    assert log.problems() == [], log.problems()

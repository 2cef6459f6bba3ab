"""Runtime v2 in Chromium: one engine shared by every sim page, its fallbacks, lazy start,
ordered actions, the offline cache, and recovery from a dead or stuck engine.

Course pages are served by the test server (``site_server.pages``): plain HTML holding the
sims' iframe snippets, as a textbook chapter does.
"""

from __future__ import annotations

import json

import pytest

from tests.browser.harness import assert_close, attach_log, cpython_call, state, wait_ready

SLUGS = ["perceptron-decision-boundary", "activation-functions", "tensor-operations"]
NO_SHARED_WORKER = "delete window.SharedWorker;"
NO_WORKERS = "delete window.SharedWorker; delete window.Worker;"


def course_page(slugs, *, gap_px: int = 0, lazy: bool = True, height: int = 700) -> str:
    """A course page with one iframe per slug (``gap_px`` of text above each after the first)."""
    frames = []
    for i, slug in enumerate(slugs):
        if i and gap_px:
            frames.append(f'<div style="height:{gap_px}px">Lesson text…</div>')
        frames.append(
            f'<iframe id="f{i}" src="../sims/{slug}/main.html" height="{height}" width="100%" '
            f'scrolling="no" style="border:0"{" loading=lazy" if lazy else ""} '
            f'title="{slug}"></iframe>'
        )
    return (
        '<!doctype html><html><head><link rel="icon" href="data:,"></head><body><h1>Chapter</h1>'
        + "".join(frames)
        + "</body></html>"
    )


@pytest.fixture
def context(browser):
    ctx = browser.new_context(viewport={"width": 1000, "height": 900})
    yield ctx
    ctx.close()


def frame_engine(page, index: int) -> str:
    return page.evaluate(
        "(i) => document.getElementById('f' + i).contentDocument?.documentElement.dataset.engine",
        index,
    )


def wait_frames_ready(page, indices, timeout: int = 90_000) -> None:
    page.wait_for_function(
        """(ids) => ids.every((i) => {
            const d = document.getElementById('f' + i).contentDocument;
            return d && d.documentElement && ['ready', 'error'].includes(d.documentElement.dataset.engine);
        })""",
        arg=list(indices),
        timeout=timeout,
    )
    engines = [frame_engine(page, i) for i in indices]
    assert engines == ["ready"] * len(indices), f"iframes' data-engine: {engines}"


def frame_eval(page, index: int, script: str, arg=None):
    """Evaluate ``script`` (a function source) inside iframe ``index``."""
    frame = page.query_selector(f"#f{index}").content_frame()
    return frame.evaluate(script, arg)


def test_three_iframes_share_one_engine_that_booted_once_and_keep_their_errors_apart(
    context, site_server
):
    site_server.pages["/_test/three.html"] = course_page(SLUGS, height=280)
    page = context.new_page()
    log = attach_log(page)
    mark = len(site_server.requests)
    page.goto(site_server.url + "_test/three.html")
    wait_frames_ready(page, range(3))
    infos = [frame_eval(page, i, "() => window.microsim.engine.info()") for i in range(3)]
    modes = [
        frame_eval(page, i, "() => document.documentElement.dataset.engineMode") for i in range(3)
    ]
    assert modes == ["shared"] * 3, modes
    instances = {info["instance"] for info in infos}
    assert len(instances) == 1, f"three iframes talk to {len(instances)} engines: {infos}"
    assert infos[-1]["boots"] == 1 and infos[-1]["where"] == "shared", infos[-1]
    assert infos[-1]["ports"] == 3, f"the engine has {infos[-1]['ports']} pages attached"
    wasm = [p for p in site_server.paths_since(mark) if p.endswith("pyodide.asm.wasm")]
    # every iframe computes with it, and gets its own sim's answers
    for i, slug in enumerate(SLUGS):
        module = frame_eval(page, i, "() => window.microsim.config.module")
        s = frame_eval(page, i, "() => window.microsim.reinit()")
        expected = cpython_call(
            f"{module}.initial_state",
            {"params": frame_eval(page, i, "() => window.microsim.params()")},
        )
        assert_close(s, expected, path=f"{slug} initial_state")
    assert len(wasm) == 1, f"the runtime was downloaded {len(wasm)} times for three iframes"
    # an exception in one sim's call does not touch the others' calls
    bad = frame_eval(
        page,
        0,
        "() => window.microsim.call('perceptron.no_such_action', {}).then(() => 'ok', (e) => e.message)",
    )
    assert "no action" in bad, bad
    params = frame_eval(page, 1, "() => window.microsim.params()")
    assert_close(
        frame_eval(page, 1, "() => window.microsim.reinit()"),
        cpython_call("activations.initial_state", {"params": params}),
        path="the other sim's call after the exception",
    )
    steps = frame_eval(
        page, 0, "() => window.microsim.act('learn_step').then(s => s.learn.total_updates)"
    )
    assert steps == 1, f"the sim whose call raised made {steps} learning steps, not 1"
    failed = [(p, st) for p, st, _ in site_server.requests if st >= 400]
    assert log.problems() == [], f"{log.problems()} (failed requests: {failed})"


def test_without_shared_worker_each_page_gets_a_dedicated_worker(context, site_server):
    context.add_init_script(NO_SHARED_WORKER)
    site_server.pages["/_test/two.html"] = course_page(SLUGS[:2], height=400)
    page = context.new_page()
    page.goto(site_server.url + "_test/two.html")
    wait_frames_ready(page, range(2))
    infos = [frame_eval(page, i, "() => window.microsim.engine.info()") for i in range(2)]
    assert [i["where"] for i in infos] == ["worker", "worker"], infos
    assert infos[0]["instance"] != infos[1]["instance"], "dedicated workers must be separate"
    status = frame_eval(page, 0, "() => document.getElementById('status').textContent")
    assert "own worker" in status, status
    s = frame_eval(page, 0, "() => window.microsim.act('learn_step')")
    assert s["learn"]["total_updates"] == 1, s["learn"]


def test_without_any_worker_the_main_thread_runs_the_engine_and_says_so(context, site_server):
    context.add_init_script(NO_WORKERS)
    page = context.new_page()
    log = attach_log(page)
    page.goto(site_server.url + "sims/activation-functions/main.html")
    wait_ready(page)
    assert page.evaluate("document.documentElement.dataset.engineMode") == "main"
    assert "on this page: no Web Workers" in page.text_content("#status"), page.text_content(
        "#status"
    )
    params = page.evaluate("() => window.microsim.params()")
    assert_close(
        page.evaluate("() => window.microsim.reinit()"),
        cpython_call("activations.initial_state", {"params": params}),
        path="main-thread initial_state",
    )
    assert log.problems() == [], log.problems()


def test_an_iframe_far_below_the_fold_attaches_only_when_scrolled_to(context, site_server):
    # without loading=lazy, so the iframe's document loads at once and its own observer decides
    site_server.pages["/_test/far.html"] = course_page(SLUGS[:2], gap_px=6000, lazy=False)
    page = context.new_page()
    page.goto(site_server.url + "_test/far.html")
    wait_frames_ready(page, [0])
    page.wait_for_timeout(1500)
    assert frame_engine(page, 1) == "idle", "the iframe 6000 px below booted without being seen"
    assert frame_eval(page, 0, "() => window.microsim.engine.info()")["ports"] == 1
    page.evaluate("document.getElementById('f1').scrollIntoView()")
    wait_frames_ready(page, [1])
    assert frame_eval(page, 1, "() => window.microsim.engine.info()")["ports"] == 2


def test_two_clicks_before_the_engine_is_ready_both_take_effect_in_order(context, site_server):
    slug, module = "perceptron-decision-boundary", "perceptron"
    page = context.new_page()
    with site_server.fault("/pyodide.asm.wasm", "slow"):
        page.goto(site_server.url + f"sims/{slug}/main.html")
        page.wait_for_selector("[data-control=step]")
        page.click("[data-control=step]")
        page.click("[data-control=step]")
        assert page.evaluate("document.documentElement.dataset.engine") == "loading"
        assert "2 actions waiting" in page.text_content(
            "#status"
        ) or "1 action waiting" in page.text_content("#status")
        wait_ready(page)
    page.wait_for_function("() => window.microsim.state.learn.total_updates >= 2", timeout=10_000)
    embedded = json.loads(page.text_content("#microsim-state"))
    expected = cpython_call(
        f"{module}.learn_step", {"state": cpython_call(f"{module}.learn_step", {"state": embedded})}
    )
    assert_close(state(page), expected, path="after two steps")


def test_a_run_of_slider_inputs_coalesces_to_the_latest_value(context, site_server):
    page = context.new_page()
    with site_server.fault("/pyodide.asm.wasm", "slow"):
        page.goto(site_server.url + "sims/activation-functions/main.html")
        page.wait_for_selector("[data-control=z]")
        page.evaluate(
            """() => {
                const el = document.querySelector('[data-control=z]');
                for (const v of [-2, -1, 0, 0.5, 1, 1.5, 2.5]) {
                    el.value = String(v);
                    el.dispatchEvent(new Event('input', {bubbles: true}));
                }
            }"""
        )
        wait_ready(page)
    page.wait_for_function("() => window.microsim.state.params.z === 2.5", timeout=10_000)
    info = page.evaluate("() => window.microsim.engine.info()")
    # the first input's call is queued at once; the six after it fold into one more call
    assert info["served"] <= 2, f"7 slider inputs while loading made {info['served']} engine calls"
    assert page.eval_on_selector("[data-control=z]", "el => Number(el.value)") == 2.5


def test_a_second_visit_downloads_no_runtime_and_works_offline(context, site_server):
    # dedicated workers, so the second visit must boot a new engine (no shared one survives)
    context.add_init_script(NO_SHARED_WORKER)
    url = site_server.url + "sims/convolution-operation/main.html"
    page = context.new_page()
    page.goto(url)
    wait_ready(page)
    assert page.evaluate("() => window.microsim.engine.offlineReady") is True
    page.close()
    mark = len(site_server.requests)
    page = context.new_page()
    page.goto(url)
    wait_ready(page)
    second = site_server.requests[mark:]
    heavy = [p for p, _, _ in second if p.endswith((".wasm", ".whl", ".zip", "pyodide.asm.js"))]
    assert heavy == [], f"the second visit downloaded the runtime again: {heavy}"
    total = sum(n for _, _, n in second)
    assert total < 200_000, f"second visit: {total} bytes from the network: {second}"
    page.close()
    context.set_offline(True)
    page = context.new_page()
    page.goto(url)
    wait_ready(page)
    s = page.evaluate("() => window.microsim.act('move', {direction: 'next'})")
    assert s is not None and s["params"]["pos"] == 2, "the offline sim does not compute"


def test_a_dead_engine_puts_the_sim_in_error_and_retry_starts_a_fresh_one(context, site_server):
    page = context.new_page()
    page.goto(site_server.url + "sims/tensor-operations/main.html")
    wait_ready(page)
    first = page.evaluate("() => window.microsim.engine.instance")
    page.evaluate("() => window.microsim.engine.testExit()")
    page.wait_for_function(
        "() => document.documentElement.dataset.engine === 'error'", timeout=15_000
    )
    assert page.is_visible("#retry")
    assert "engine failed" in page.text_content("#status"), page.text_content("#status")
    page.click("#retry")
    wait_ready(page)
    assert page.evaluate("() => window.microsim.engine.instance") != first
    # the fresh engine imported NumPy during its boot and this page's sim module before its
    # first call: the first slider move does not pay for them (~0.7 s in Pyodide here)
    loaded = "import sys\n','.join(m for m in ('numpy', 'sims.tensor_ops') if m in sys.modules)"
    at_ready = page.evaluate("(c) => window.microsim.engine.runPython(c)", loaded)
    assert "numpy" in at_ready.split(","), f"at ready, sys.modules has only: {at_ready!r}"
    served = page.evaluate("() => window.microsim.engine.info()")["served"]
    assert served == 0, f"the fresh engine already served {served} calls"
    page.wait_for_function(
        "(c) => window.microsim.engine.runPython(c).then((s) => s.includes('sims.tensor_ops'))",
        arg=loaded,
        timeout=10_000,
    )
    assert page.evaluate("() => window.microsim.reinit()") is not None


def test_an_engine_that_stops_answering_is_detected_and_retry_recovers(context, site_server):
    page = context.new_page()
    page.goto(site_server.url + "sims/perceptron-decision-boundary/main.html")
    wait_ready(page)
    page.evaluate(
        "() => { window.microsim.engine.callTimeoutMs = 1500; window.microsim.engine.testHang(); }"
    )
    assert page.evaluate("() => window.microsim.act('learn_step')") is None
    assert page.evaluate("document.documentElement.dataset.engine") == "error"
    assert "no answer" in page.text_content("#status"), page.text_content("#status")
    page.click("#retry")
    wait_ready(page)
    s = page.evaluate("() => window.microsim.act('learn_step')")
    assert s is not None and s["learn"]["total_updates"] == 1, s


# what a school network can do to a runtime file, and the file's name in the sentence shown
DOWNLOAD_FAULTS = [
    ("/pyodide.asm.wasm", "abort", "pyodide.asm.wasm"),
    ("/pyodide.asm.wasm", "truncate", "pyodide.asm.wasm"),
    ("/python_stdlib.zip", "truncate", "python_stdlib.zip"),
    ("/pyodide-lock.json", "truncate", "pyodide-lock.json"),
    ("/numpy-2.0.2-cp312-cp312-pyodide_2024_0_wasm32.whl", "truncate", "numpy-2.0.2"),
    ("/nn_microsims-0.1.0-py3-none-any.whl", "abort", "nn_microsims"),
]


@pytest.mark.parametrize(("suffix", "kind", "named"), DOWNLOAD_FAULTS)
def test_a_failed_or_truncated_download_is_an_error_naming_the_file_and_retry_recovers(
    browser, site_server, suffix, kind, named
):
    """A cut connection or a truncated file (its size or hash differs from what the build
    wrote down) is the error state within seconds, one sentence naming the file, no page
    error; Retry then fetches it again and the engine becomes ready. (The 15 s bound is the
    point: a truncated pyodide.asm.wasm used to hang the boot for 120 s.)"""
    context = browser.new_context(viewport={"width": 1000, "height": 900})
    try:
        page = context.new_page()
        log = attach_log(page)
        with site_server.fault(suffix, kind):
            page.goto(f"{site_server.url}sims/perceptron-decision-boundary/main.html")
            page.wait_for_function(
                "() => document.documentElement.dataset.engine === 'error'", timeout=15_000
            )
            status = page.text_content("#status")
        assert named in status and "\n" not in status and len(status) <= 160, status
        assert "Traceback" not in status, status
        assert page.is_visible("#retry"), status
        page.click("#retry")
        wait_ready(page)
        assert page.evaluate("() => window.microsim.act('learn_step')")["learn"]["updates"] == 1
        errors = [p for p in log.problems() if "Failed to load resource" not in p]
        assert errors == [], errors
    finally:
        context.close()


def test_a_host_that_gzips_the_runtime_passes_the_size_and_hash_checks(browser, site_server):
    """The checks are on the decoded bytes, so a static host that sends pyodide.asm.wasm and the
    wheels gzip-compressed (Content-Length = the compressed size) boots as usual."""
    context = browser.new_context(viewport={"width": 1000, "height": 900})
    try:
        page = context.new_page()
        with site_server.fault(".wasm", "gzip"), site_server.fault(".whl", "gzip"):
            page.goto(f"{site_server.url}sims/perceptron-decision-boundary/main.html")
            wait_ready(page)
        assert page.evaluate("() => window.microsim.act('learn_step')")["learn"]["updates"] == 1
    finally:
        context.close()

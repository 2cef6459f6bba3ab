"""Fixtures for the browser tests: one server and one Chromium for the whole session."""

from __future__ import annotations

import pytest

from tests.browser.harness import CHROMIUM_ARGS, SITE, attach_log, chromium_path, serve, wait_ready


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def site_server():
    """The :class:`~tests.browser.harness.SiteServer` (request log, fault injection)."""
    if not (SITE / "index.html").is_file():
        pytest.fail("site/ is not built: run `python build.py` (make test does)")
    with serve(SITE) as server:
        yield server


@pytest.fixture(scope="session")
def site_url(site_server):
    return site_server.url


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=chromium_path(), args=CHROMIUM_ARGS, headless=True
        )
        yield browser
        browser.close()


@pytest.fixture(scope="session")
def shared_context(browser, site_url):
    """One browser context for the session's sim pages, so they share one engine.

    Pages of one context attach to one SharedWorker, which lives while any of them is open: a
    keeper page holds it from the first test to the last, so Pyodide boots once for all the
    pages opened with :func:`open_sim` or ``sim_page(shared_context, ...)`` instead of once per
    page. The sim calls are stateless (state in, state out), so pages cannot disturb each
    other through it; each page still starts from its own embedded state. Tests of the
    runtime itself (faults, fallbacks, a killed engine) make their own contexts.
    """
    context = browser.new_context(viewport={"width": 1000, "height": 900})
    keeper = context.new_page()
    keeper.goto(f"{site_url}sims/tensor-operations/main.html")
    wait_ready(keeper)
    yield context
    context.close()


@pytest.fixture
def open_sim(browser, site_url, shared_context):
    """open_sim(slug, query="", width=1000, height=900, fresh=False) -> (page, log).

    The page opens in the session's :func:`shared_context` (the engine is already up), or with
    ``fresh=True`` in a new context with an engine of its own (needed when the test injects a
    failed download: ``site_server.fault(suffix)``). Closed after the test.
    """
    pages, contexts = [], []

    def _open(
        slug: str, query: str = "", width: int = 1000, height: int = 900, *, fresh: bool = False
    ):
        if fresh:
            context = browser.new_context(viewport={"width": width, "height": height})
            contexts.append(context)
            page = context.new_page()
        else:
            page = shared_context.new_page()
            page.set_viewport_size({"width": width, "height": height})
        pages.append(page)
        log = attach_log(page)
        url = f"{site_url}sims/{slug}/main.html" + (f"?{query}" if query else "")
        page.goto(url)
        return page, log

    yield _open
    for page in pages:
        page.close()
    for context in contexts:
        context.close()

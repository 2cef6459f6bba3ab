"""Fixtures for the browser tests: one server and one Chromium for the whole session."""

from __future__ import annotations

import pytest

from tests.browser.harness import CHROMIUM_ARGS, SITE, attach_log, chromium_path, serve


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


@pytest.fixture
def open_sim(browser, site_url):
    """open_sim(slug, query="", width=1000, height=900) -> (page, log); closed afterwards.

    (Failed downloads are injected by the server: ``site_server.fault(suffix)``.)
    """
    contexts = []

    def _open(slug: str, query: str = "", width: int = 1000, height: int = 900):
        context = browser.new_context(viewport={"width": width, "height": height})
        contexts.append(context)
        page = context.new_page()
        log = attach_log(page)
        url = f"{site_url}sims/{slug}/main.html" + (f"?{query}" if query else "")
        page.goto(url)
        return page, log

    yield _open
    for context in contexts:
        context.close()

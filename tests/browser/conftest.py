"""Fixtures for the browser tests: one server and one Chromium for the whole session."""

from __future__ import annotations

import pytest

from tests.browser.harness import CHROMIUM_ARGS, SITE, attach_log, chromium_path, serve_site


def pytest_collection_modifyitems(items):
    for item in items:
        if "tests/browser/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def site_url():
    if not (SITE / "index.html").is_file():
        pytest.fail("site/ is not built: run `python build.py` (make test does)")
    with serve_site(SITE) as url:
        yield url


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
    """open_sim(slug, query="", width=1000, block=None) -> (page, log); closed afterwards.

    ``block`` is a URL glob whose requests are aborted from the first navigation on.
    """
    contexts = []

    def _open(slug: str, query: str = "", width: int = 1000, height: int = 900, block=None):
        context = browser.new_context(viewport={"width": width, "height": height})
        contexts.append(context)
        if block:
            context.route(block, lambda route: route.abort())
        page = context.new_page()
        log = attach_log(page)
        url = f"{site_url}sims/{slug}/main.html" + (f"?{query}" if query else "")
        page.goto(url)
        return page, log

    yield _open
    for context in contexts:
        context.close()

"""The exported sims in a built MkDocs Material book (tests/book.py makes it as the README
tells an author): on the chapter page every sim starts, is not clipped at 1200 and 390 px, the
resize listener grows an iframe whose controls wrap, and nothing leaves the book's origin; a
sim page opened on its own links back to its lesson (the gallery in the plain site)."""

from __future__ import annotations

from urllib.parse import urljoin, urlparse

import pytest

from tests.book import PAGE, SLUGS, make_book
from tests.browser.harness import READY_TIMEOUT_MS, serve

pytestmark = pytest.mark.browser

FRAMES = """() => [...document.querySelectorAll('iframe')].map((f) => {
  const d = f.contentDocument;
  return {
    slug: new URL(f.src).pathname.split('/').slice(-2)[0],
    attr: Number(f.getAttribute('height').replace('px', '')),
    height: f.clientHeight,
    styled: f.style.height,
    engine: d ? d.documentElement.dataset.engine : null,
    content: d ? d.documentElement.scrollHeight : null,
    lessonHidden: d && d.querySelector('.lesson-link') ? d.querySelector('.lesson-link').hidden : null,
  };
})"""
READY = "() => [...document.querySelectorAll('iframe')].every((f) => f.contentDocument && ['ready', 'error'].includes(f.contentDocument.documentElement.dataset.engine))"
FITS = "() => [...document.querySelectorAll('iframe')].every((f) => f.contentDocument && f.clientHeight >= f.contentDocument.documentElement.scrollHeight)"


@pytest.fixture(scope="module")
def book_url(tmp_path_factory):
    book = make_book(tmp_path_factory.mktemp("book"))
    assert book.mkdocs.returncode == 0, book.mkdocs.stderr
    with serve(book.site) as server:
        yield server.url


@pytest.fixture(scope="module")
def chapter(browser, book_url):
    """The chapter page at 1200 px with its three sims ready; every request of the context."""
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    requests: list[str] = []
    context.on("request", lambda r: requests.append(r.url))
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(urljoin(book_url, PAGE.removesuffix("index.md")))
    for frame in page.locator("iframe").all():  # lazy iframes load as they come near
        frame.scroll_into_view_if_needed()
    page.wait_for_function(READY, timeout=READY_TIMEOUT_MS)
    yield page, requests, errors
    context.close()


def test_every_sim_on_the_chapter_page_is_ready(chapter):
    page, _, errors = chapter
    frames = page.evaluate(FRAMES)
    assert [f["slug"] for f in frames] == SLUGS, frames
    assert [f["engine"] for f in frames] == ["ready"] * 3, frames
    assert errors == [], errors


def test_no_sim_is_clipped_at_1200_px_and_at_390_the_listener_grows_the_iframes(chapter):
    page, _, _ = chapter
    page.wait_for_function(FITS, timeout=10_000)
    wide = page.evaluate(FRAMES)
    clipped = [f for f in wide if f["height"] < f["content"]]
    assert clipped == [], f"at 1200 px: {clipped}"
    page.set_viewport_size({"width": 390, "height": 800})
    try:
        page.wait_for_function(FITS, timeout=10_000)
    finally:
        narrow = page.evaluate(FRAMES)
    clipped = [f for f in narrow if f["height"] < f["content"]]
    assert clipped == [], f"at 390 px (iframe height < its sim's scrollHeight): {clipped}"
    grown = [f for f in narrow if f["styled"] and f["height"] > f["attr"]]
    assert grown, f"at 390 px no iframe was resized by microsim-resize.js: {narrow}"
    print("390 px:", narrow)
    page.set_viewport_size({"width": 1200, "height": 900})


def test_the_lesson_link_is_hidden_in_the_iframes(chapter):
    page, _, _ = chapter
    assert [f["lessonHidden"] for f in page.evaluate(FRAMES)] == [True] * 3


def test_the_book_makes_no_request_off_its_origin(chapter, book_url):
    _, requests, _ = chapter
    host = urlparse(book_url).netloc
    off = [
        u
        for u in requests
        if urlparse(u).scheme in ("http", "https") and urlparse(u).netloc != host
    ]
    assert off == [], off
    sims = [u for u in requests if "/nn-microsims/sims/" in u and "main.html" in u]
    assert len(sims) >= 3, f"the sims' pages are not among the requests: {requests[:20]}"


def test_a_sim_page_on_its_own_links_back_to_its_lesson_page(browser, book_url):
    context = browser.new_context(viewport={"width": 1000, "height": 900})
    try:
        page = context.new_page()
        page.goto(urljoin(book_url, f"nn-microsims/sims/{SLUGS[2]}/main.html"))
        link = page.locator(".lesson-link")
        assert link.is_visible() and link.inner_text().strip() == "← Back to lesson"
        assert not page.locator(".fullscreen").is_visible()
        link.click()
        page.wait_for_load_state()
        assert page.url == urljoin(book_url, f"nn-microsims/sims/{SLUGS[2]}/"), page.url
        assert page.locator("h1").first.inner_text().strip() == "Tensor Operations Visualizer"
    finally:
        context.close()


def test_the_plain_sites_sim_page_on_its_own_links_to_the_gallery(browser, site_url):
    context = browser.new_context(viewport={"width": 1000, "height": 900})
    try:
        page = context.new_page()
        page.goto(f"{site_url}sims/{SLUGS[0]}/main.html")
        link = page.locator(".lesson-link")
        assert link.is_visible() and "All sims" in link.inner_text()
        link.click()
        page.wait_for_load_state()
        assert page.url == f"{site_url}index.html", page.url
    finally:
        context.close()

"""Shared browser-test harness: serve the built site on loopback and drive it in Chromium.

Chromium as the Makefile's `chromium` target finds it: $CHROMIUM, else /usr/bin/chromium, else
Playwright's own download.
"""

from __future__ import annotations

import http.server
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parents[2]
SITE = Path(os.environ.get("MICROSIM_SITE") or ROOT / "site")
"""The built site under test: $MICROSIM_SITE, else site/ (``make test`` builds it)."""
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
READY_TIMEOUT_MS = 90_000


def chromium_path() -> str | None:
    """$CHROMIUM, else /usr/bin/chromium, else None (Playwright's own browser)."""
    if os.environ.get("CHROMIUM"):
        return os.environ["CHROMIUM"]
    if Path("/usr/bin/chromium").exists():
        return "/usr/bin/chromium"
    return None


@dataclass
class SiteServer:
    """The test server: its base URL, every request it answered, and faults to inject.

    Faults are served by the server itself, so they reach every requester: pages, shared and
    dedicated workers, service workers (Playwright's routing does not see a SharedWorker's
    requests). ``faults`` maps a path suffix to "404", "abort" (the connection is closed with
    no answer), "truncate" (the first half of the file only) or "slow" (served after 2 s).
    ``pages`` maps a path ("/_test/chapter.html") to HTML the server answers with, for pages
    that embed sims the way a course page does.
    """

    url: str
    requests: list[tuple[str, int, int]] = field(default_factory=list)
    faults: dict[str, str] = field(default_factory=dict)
    pages: dict[str, str] = field(default_factory=dict)
    precache: list[tuple[str, int, int]] = field(default_factory=list)
    """Requests of the service worker filling its offline cache (not in ``requests``)."""

    @contextmanager
    def fault(self, suffix: str, kind: str = "abort") -> Iterator[None]:
        self.faults[suffix] = kind
        try:
            yield
        finally:
            self.faults.pop(suffix, None)

    def paths_since(self, index: int) -> list[str]:
        """Paths (without query) requested after ``len(requests)`` was ``index``."""
        return [path.split("?", 1)[0] for path, _, _ in self.requests[index:]]


@contextmanager
def serve(site: Path = SITE) -> Iterator[SiteServer]:
    """Serve ``site`` on 127.0.0.1 (a free port) in a thread; yields the :class:`SiteServer`."""
    import build  # the project's build.py

    holder: dict[str, SiteServer] = {}

    class FaultyHandler(build.SiteHandler):
        def send_body(self, body: bytes, path: str, encoding: str | None = None) -> None:
            """A 200 answer with ``body`` as sent (a fault's damaged or encoded file)."""
            self.send_response(200)
            if encoding:
                self.send_header("Content-Encoding", encoding)
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Content-Type", self.guess_type(path))
            self.end_headers()
            self.wfile.write(body)
            holder["s"].requests.append((self.path, 200, len(body)))

        def do_GET(self) -> None:  # noqa: N802
            path = self.path.split("?", 1)[0]
            if self.headers.get("X-Microsim-Precache"):
                self.request_log = holder["s"].precache
            if path in holder["s"].pages:
                body = holder["s"].pages[path].encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)
                return
            kind = next((k for s, k in holder["s"].faults.items() if path.endswith(s)), None)
            if kind == "slow":
                time.sleep(2.0)
            if kind == "404":
                self.send_error(404, "fault injected by the test")
                holder["s"].requests.append((self.path, 404, 0))
                return
            if kind == "abort":
                holder["s"].requests.append((self.path, 0, 0))
                self.close_connection = True
                return
            if kind in ("gzip", "truncate"):
                data = (Path(self.directory) / path.lstrip("/")).read_bytes()
                if kind == "gzip":  # what a static host that compresses its files sends
                    import gzip

                    self.send_body(gzip.compress(data), path, encoding="gzip")
                else:  # the first half, with a Content-Length that agrees
                    self.send_body(data[: len(data) // 2], path)
                return
            super().do_GET()

    log: list[tuple[str, int, int]] = []
    attrs = {"quiet": True, "request_log": log}
    handler = partial(type("Handler", (FaultyHandler,), attrs), directory=str(site))
    if not (site / "index.html").is_file():
        raise build.BuildError(f"{site}/index.html does not exist: build first")
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    holder["s"] = SiteServer(url=f"http://127.0.0.1:{server.server_address[1]}/", requests=log)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield holder["s"]
    finally:
        server.shutdown()
        server.server_close()


@contextmanager
def serve_site(site: Path = SITE) -> Iterator[str]:
    """Serve ``site`` on 127.0.0.1 (a free port) in a thread; yields the base URL."""
    with serve(site) as server:
        yield server.url


@dataclass
class PageLog:
    """What a page did: console errors, page errors and every request it made."""

    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)

    def off_origin(self) -> list[str]:
        """Requests to anything but 127.0.0.1 (data: and blob: URLs stay in the page)."""
        return [
            url
            for url in self.requests
            if urlparse(url).scheme not in ("data", "blob")
            and urlparse(url).hostname != "127.0.0.1"
        ]

    def problems(self) -> list[str]:
        """Console errors and uncaught page errors, with the URLs that failed to load."""
        return self.console_errors + self.page_errors + self.failed


def attach_log(page) -> PageLog:  # page: playwright.sync_api.Page
    log = PageLog()
    page.on("console", lambda m: log.console_errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: log.page_errors.append(str(e)))
    page.on("request", lambda r: log.requests.append(r.url))
    page.on(
        "response",
        lambda r: log.failed.append(f"HTTP {r.status} {r.url}") if r.status >= 400 else None,
    )
    return log


@contextmanager
def sim_page(
    context,
    site_url: str,
    slug: str,
    query: str = "",
    *,
    width: int = 1000,
    height: int = 1000,
    ready: bool = True,
):
    """Open a sim in ``context`` (the session's ``shared_context``: its engine is up); yields
    (page, log) and closes the page after. For module-scoped fixtures that share one page.
    """
    page = context.new_page()
    try:
        page.set_viewport_size({"width": width, "height": height})
        log = attach_log(page)
        page.goto(f"{site_url}sims/{slug}/main.html" + (f"?{query}" if query else ""))
        if ready:
            wait_ready(page)
        yield page, log
    finally:
        page.close()


def wait_ready(page, timeout: int = READY_TIMEOUT_MS) -> None:
    """Wait until <html data-engine> is "ready"; fail with the status line if it is "error"."""
    page.wait_for_function(
        "() => ['ready', 'error'].includes(document.documentElement.dataset.engine)",
        timeout=timeout,
    )
    engine = page.evaluate("document.documentElement.dataset.engine")
    if engine != "ready":
        status = page.text_content("#status")
        raise AssertionError(f"engine did not load: data-engine={engine!r}, status={status!r}")


def state(page) -> dict:
    """The sim's latest state, window.microsim.state."""
    return page.evaluate("() => window.microsim.state")


def browser_call(page, path: str, args: dict) -> dict:
    """Run ``microsim.call(path, args)`` in the page (in Pyodide) and return its JSON result."""
    return page.evaluate("([p, a]) => window.microsim.call(p, a)", [path, args])


def cpython_call(path: str, args: dict) -> dict:
    """The same call in this CPython, through the same bridge function the page uses."""
    import json

    from sims._bridge import call

    out = json.loads(call(path, json.dumps(args)))
    if "error" in out:
        raise AssertionError(f"{path} raised in CPython: {out['type']}: {out['error']}")
    return out["ok"]


def assert_close(actual, expected, *, path: str = "state", tol: float = 1e-9) -> None:
    """Deep comparison of JSON data; numbers within ``tol`` (absolute and relative).

    The failure names the first differing path and both values.
    """
    if isinstance(expected, dict):
        assert isinstance(actual, dict), f"{path}: {actual!r} is not an object"
        assert sorted(actual) == sorted(expected), (
            f"{path}: keys differ: {sorted(actual)} vs {sorted(expected)}"
        )
        for key in expected:
            assert_close(actual[key], expected[key], path=f"{path}.{key}", tol=tol)
    elif isinstance(expected, list):
        assert isinstance(actual, list) and len(actual) == len(expected), (
            f"{path}: {actual!r} vs {expected!r}"
        )
        for i, (a, e) in enumerate(zip(actual, expected, strict=True)):
            assert_close(a, e, path=f"{path}[{i}]", tol=tol)
    elif isinstance(expected, bool) or expected is None or isinstance(expected, str):
        assert actual == expected, f"{path}: browser {actual!r} != CPython {expected!r}"
    elif isinstance(expected, (int, float)):
        assert isinstance(actual, (int, float)) and not isinstance(actual, bool), (
            f"{path}: {actual!r} is not a number"
        )
        assert abs(actual - expected) <= tol * max(1.0, abs(expected)), (
            f"{path}: browser {actual!r} != CPython {expected!r} (tol {tol})"
        )
    else:
        raise AssertionError(f"{path}: unexpected JSON value {expected!r}")


def assert_parity(page, path: str, args: dict, tol: float = 1e-9) -> dict:
    """The action gives the same result in Pyodide (in the page) as in CPython; returns it."""
    in_browser = browser_call(page, path, args)
    in_cpython = cpython_call(path, args)
    assert_close(in_browser, in_cpython, path=path, tol=tol)
    return in_browser


def set_control(page, name: str, value) -> None:
    """Set a declared control as a user would (input/change events); buttons are clicked."""
    page.evaluate(
        """([name, value]) => {
            const el = document.querySelector(`[data-control="${name}"]`);
            if (el.tagName === 'BUTTON') { el.click(); return; }
            if (el.type === 'checkbox') el.checked = Boolean(value); else el.value = String(value);
            el.dispatchEvent(new Event('input', {bubbles: true}));
            el.dispatchEvent(new Event('change', {bubbles: true}));
        }""",
        [name, value],
    )


def snapshot(page) -> str:
    """The state serialised by the page itself, to detect a change with wait_state_change."""
    return page.evaluate("() => JSON.stringify(window.microsim.state)")


def wait_state_change(page, before: str, timeout: int = 10_000) -> dict:
    """Wait until the state's serialisation differs from ``before`` (a :func:`snapshot`)."""
    page.wait_for_function(
        "(before) => JSON.stringify(window.microsim.state) !== before", arg=before, timeout=timeout
    )
    return state(page)

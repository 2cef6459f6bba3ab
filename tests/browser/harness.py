"""Shared browser-test harness: serve the built site on loopback and drive it in Chromium.

Chromium, as DESIGN.md says: $CHROMIUM, else /usr/bin/chromium, else Playwright's own.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parents[2]
SITE = ROOT / "site"
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


@contextmanager
def serve_site(site: Path = SITE) -> Iterator[str]:
    """Serve ``site`` on 127.0.0.1 (a free port) in a thread; yields the base URL."""
    import build  # the project's build.py

    server = build.make_server(site, port=0, quiet=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/"
    finally:
        server.shutdown()
        server.server_close()


@dataclass
class PageLog:
    """What a page did: console errors, page errors and every request it made."""

    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    requests: list[str] = field(default_factory=list)

    def off_origin(self) -> list[str]:
        """Requests to anything but 127.0.0.1 (data: and blob: URLs stay in the page)."""
        return [
            url for url in self.requests
            if urlparse(url).scheme not in ("data", "blob")
            and urlparse(url).hostname != "127.0.0.1"
        ]

    def problems(self) -> list[str]:
        return self.console_errors + self.page_errors


def attach_log(page) -> PageLog:  # page: playwright.sync_api.Page
    log = PageLog()
    page.on("console", lambda m: log.console_errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: log.page_errors.append(str(e)))
    page.on("request", lambda r: log.requests.append(r.url))
    return log


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


def python(page, code: str):
    """Not available: sims call the engine only through microsim.call. Kept out on purpose."""
    raise NotImplementedError

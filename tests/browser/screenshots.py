"""Screenshots of the built sims in headless Chromium, to look at them as a user would.

    python tests/browser/screenshots.py                       # every sim, 400/800/1200 px
    python tests/browser/screenshots.py SLUG [--query Q] [--widths 400,800] [--out DIR]
    python tests/browser/screenshots.py --gallery             # also docs/screenshots/<slug>.png

Prints, per page, the time to engine-ready, the status line, console errors and any request
that left 127.0.0.1. Uses $MICROSIM_SITE (default site/).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from playwright.sync_api import sync_playwright  # noqa: E402

from tests.browser.harness import (  # noqa: E402
    CHROMIUM_ARGS,
    ROOT,
    SITE,
    attach_log,
    chromium_path,
    serve_site,
    wait_ready,
)


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("slugs", nargs="*")
    parser.add_argument("--query", default="")
    parser.add_argument("--widths", default="400,800,1200")
    parser.add_argument("--out", type=Path, default=Path("/tmp/microsim-shots"))
    parser.add_argument(
        "--gallery",
        action="store_true",
        help="also save an 800 px shot per sim to docs/screenshots/",
    )
    args = parser.parse_args()
    slugs = args.slugs or sorted(p.name for p in (SITE / "sims").iterdir())
    widths = [int(w) for w in args.widths.split(",")]
    args.out.mkdir(parents=True, exist_ok=True)
    failures = 0
    with serve_site(SITE) as url, sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS)
        for slug in slugs:
            for width in widths:
                # the window of an iframe with the snippet's height; a page that needs more
                # (controls wrapped on a phone) grows, and the shot shows all of it
                meta = json.loads((SITE / "sims" / slug / "metadata.json").read_text())
                frame_h = int(meta["canvasDimensions"]["iframeHeight"])
                page = browser.new_page(viewport={"width": width, "height": frame_h})
                log = attach_log(page)
                start = time.time()
                page.goto(f"{url}sims/{slug}/main.html" + (f"?{args.query}" if args.query else ""))
                try:
                    wait_ready(page)
                except AssertionError as exc:
                    failures += 1
                    print(f"ERROR {slug} @{width}: {exc}")
                page.wait_for_timeout(600)
                height = page.evaluate("document.querySelector('.microsim').offsetHeight")
                path = args.out / f"{slug}-{width}.png"
                page.screenshot(
                    path=str(path),
                    full_page=True,
                    clip={"x": 0, "y": 0, "width": width, "height": height},
                )
                if args.gallery and width == widths[len(widths) // 2]:
                    shots = ROOT / "docs" / "screenshots"
                    shots.mkdir(parents=True, exist_ok=True)
                    page.screenshot(
                        path=str(shots / f"{slug}.png"),
                        full_page=True,
                        clip={"x": 0, "y": 0, "width": width, "height": height},
                    )
                print(
                    f"{slug} @{width}px: ready in {time.time() - start:.1f} s; "
                    f"status {page.text_content('#status')!r}; problems {log.problems()}; "
                    f"off-origin {log.off_origin()} -> {path}"
                )
                failures += bool(log.problems() or log.off_origin())
                page.close()
        browser.close()
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())

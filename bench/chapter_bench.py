"""What a reader waits for: the chapter page of all eight sims, next to a bare Pyodide page.

Usage (from the repository root; needs the built site and Chromium, ``make bench`` has both)::

    python bench/chapter_bench.py              # 3 runs of each scenario
    python bench/chapter_bench.py --runs 5
    python bench/chapter_bench.py --quick      # 1 run; control latency of one sim only
    python bench/chapter_bench.py --all-sims   # also every sim alone, not just the perceptron

Nothing is asserted: the script prints figures. The machine it runs on is usually noisy, so
every scenario runs ``--runs`` times, the scenarios alternate (bare, chapter, sim, bare, ...),
and each figure is the median over the runs with the min–max beside it; a ratio is the
scenario's median over the bare page's median. Every run launches a fresh headless Chromium
(``harness.CHROMIUM_ARGS``) with a fresh context: nothing is cached, no service worker is
installed, every engine boots cold. Viewport 1200x900.

Set-up. The built site (``site/``, or a build into a temporary folder when ``site/`` has none)
is copied into a temporary folder, so a rebuild of ``site/`` by someone else cannot break a
run; the benchmark's own two pages are written into its ``_bench/`` folder, and it is served
by ``build.make_server(..., request_log=list)`` on a free port.

- ``_bench/bare.html`` loads ``vendor/pyodide/pyodide.js`` and, on the main thread,
  ``loadPyodide({indexURL, lockFileURL})``, ``loadPackage(['numpy'])``, ``import numpy``:
  the least a page that computes with NumPy in the browser can do.
- ``_bench/chapter.html`` is a course page: a heading and a paragraph, then for each sim (in
  the gallery's order, ``META.order``) an ``<h2>``, four paragraphs of text (about 600 px) and
  the iframe snippet of the sim's ``index.md`` (``loading="lazy"``, the height from its
  ``metadata.json``).

Every time is measured in the page, from navigation start (``performance.timeOrigin``). An
init script in every frame records, with a MutationObserver on the document, the moment
``<html data-engine>`` turns ``ready`` (or ``error``) and the moment something is first put in
``#draw-region``; iframe times are brought to the top page's clock through the frames'
``performance.timeOrigin``. The iframes are polled through Playwright's frames, not the top
page's ``iframe.contentWindow`` (see FRAME_STATUS for why).

1. Bare page, engine ready: navigation start → ``import numpy`` has returned
   (``window.__ready``).
2. Chapter, first sim interactive: navigation start → the first iframe's ``data-engine`` is
   ``ready``. The reader does not scroll until then.
3. Chapter, all eight interactive: once the first is ready, the page scrolls down 600 px
   every 250 ms (a reader skimming) to the bottom, then waits; navigation start → the last
   iframe is ready. A frame that reports ``error``, or is not ready after 180 s, is reported.
   This figure is bound by the scrolling: the ~5 s the scroll takes to reach the last sim come
   after the first sim's ready. 3b (a separate page load): the reader scrolls the same way from
   navigation start, without waiting for the first sim.
4. Peak memory: every 150 ms a thread sums the PSS (``Pss:`` of ``/proc/<pid>/smaps_rollup``,
   RSS from ``statm`` if unreadable) of every process of the launched Chromium, from launch
   to 2 s after the scenario's last ready (a sim page registers its service worker at ready,
   which then precaches the runtime: that is part of the visit); the peak is printed in MB
   (10^6 bytes). PSS shares pages between the zygote-forked processes, so the sum does not
   count them twice. The processes: Playwright's driver is a child of this Python process and
   launches the browser; the browser is the process in this process's subtree whose command
   line names chromium and whose parent's does not; the zygotes, renderers, GPU and utility
   processes are its descendants (walked through ``/proc/<pid>/stat`` at every sample). Only
   the two crashpad handlers (about 4 MB each), which detach to init, are not counted. A
   command-line tag (``--bench-tag=...``) would not do: Chromium does not pass unknown
   switches to its children (checked with Chromium 156).
5. Main-thread total blocking time: a ``longtask`` PerformanceObserver (``buffered: true``)
   in the top page, installed by the init script; it also sees the long tasks of same-origin
   iframes, which share its main thread. TBT = sum of max(0, duration − 50 ms) over the
   long tasks that started before all eight were ready (bare page: before ``__ready``).
6. One sim alone (its ``main.html`` at 1200x900): first frame = navigation start → the first
   animation frame after p5 has put its canvas (an html sim: its first element) into
   ``#draw-region`` (p5 runs ``setup`` and the first ``draw`` in the task that creates the
   canvas, so that frame shows the drawing); engine ready as in 2; peak memory as in 4.
7. Control → state latency: each sim alone (one browser and context for all, so the shared
   engine stays up), once ready, its sliders and selects (``CONTROLS``, not ``speed``, not a
   disabled one) are changed in turn, 24 times, each to a value it does not have, by setting
   the element's value and dispatching ``input`` and ``change``; the time is taken in the page
   from just before the dispatch to the first ``microsim.onState`` call whose
   ``JSON.stringify(state)`` differs from the one before (5 s timeout, counted).
8. Reload after one visit: in a fresh context the perceptron page is opened, the engine is
   ready and ``await microsim.engine.offlineReady`` (the service worker is active and has
   precached); the page is closed and the same URL opened again in the same context: the body
   bytes the server logged from that navigation until ready are printed. Then the context is
   set offline and the URL opened in a third page: does it reach ready?

Console errors, page errors and HTTP errors are collected in every scenario and printed at
the end. A final Markdown table (figure | bare | chapter/sim | ratio) is meant for the README.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import json
import os
import random
import re
import shutil
import statistics
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from html import escape
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))  # run from a clone: build.py, sims/, tests/ are importable

from playwright.sync_api import Error as PlaywrightError  # noqa: E402

import build  # noqa: E402
import sims  # noqa: E402
from tests.browser.harness import CHROMIUM_ARGS, chromium_path  # noqa: E402

VIEWPORT = {"width": 1200, "height": 900}
READY_TIMEOUT_S = 180.0
SCROLL_STEP_PX = 600
SCROLL_EVERY_S = 0.25
MEMORY_EVERY_S = 0.15
SETTLE_S = 2.0  # memory is sampled this long after the scenario's last ready
LATENCY_EVENTS = 24
LATENCY_TIMEOUT_MS = 5000
SINGLE_SIM = "perceptron-decision-boundary"


def say(message: str) -> None:
    print(message, flush=True)


# --------------------------------------------------------------------------- the pages

BARE_HTML = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Bare Pyodide + NumPy</title>
<link rel="icon" href="data:,"></head>
<body><p id="out">loading…</p>
<script src="../vendor/pyodide/pyodide.js"></script>
<script>
(async () => {
  try {
    const pyodide = await loadPyodide({
      indexURL: '../vendor/pyodide/',
      lockFileURL: '../vendor/pyodide/pyodide-lock.json',
    });
    await pyodide.loadPackage(['numpy']);
    pyodide.runPython('import numpy');
    window.__ready = performance.now();
    document.getElementById('out').textContent = 'ready';
  } catch (err) {
    window.__error = String(err);
  }
})();
</script>
</body></html>
"""

WORDS = (
    "neuron weight bias layer input output gradient loss signal activation matrix vector "
    "the a of to and is in that each every which learns computes sums passes through "
    "network training example batch step rate error value function chain rule derivative"
).split()


def lorem(rng: random.Random, words: int) -> str:
    text = " ".join(rng.choice(WORDS) for _ in range(words))
    return text[0].upper() + text[1:] + "."


@dataclass(frozen=True)
class SimInfo:
    slug: str
    module: str
    title: str
    iframe_height: int
    controls: list[Any]  # sims._contract.Control


def chapter_sims(site: Path) -> list[SimInfo]:
    """The eight sims in the gallery's order (META.order), with their iframe heights."""
    found = []
    for name, module in sims.discover().items():
        meta = module.META
        data = json.loads((site / "sims" / meta.slug / "metadata.json").read_text())
        height = int(data["canvasDimensions"]["iframeHeight"])
        found.append((meta.order, SimInfo(meta.slug, name, meta.title, height, module.CONTROLS)))
    return [info for _, info in sorted(found, key=lambda pair: (pair[0], pair[1].slug))]


def chapter_html(sim_list: list[SimInfo]) -> str:
    """A course page: text, and each sim's iframe snippet as its index.md gives it."""
    rng = random.Random(0)
    parts = [
        "<!doctype html>",
        '<html lang="en"><head><meta charset="utf-8">',
        "<title>Chapter: Neural Networks and Deep Learning</title>",
        '<link rel="icon" href="data:,">',
        "<style>body { font: 16px/1.5 serif; max-width: 760px; margin: 2em auto; }</style>",
        "</head><body>",
        "<h1>Neural Networks and Deep Learning</h1>",
        f"<p>{lorem(rng, 120)}</p>",
    ]
    for sim in sim_list:
        parts.append(f"<h2>{escape(sim.title)}</h2>")
        parts += [f"<p>{lorem(rng, 110)}</p>" for _ in range(4)]
        parts.append(
            f'<iframe src="../sims/{sim.slug}/main.html" loading="lazy" '
            f'height="{sim.iframe_height}px" width="100%" scrolling="no" style="border: 0;" '
            f'title="{escape(sim.title)}" data-slug="{sim.slug}"></iframe>'
        )
    parts += [f"<p>{lorem(rng, 120)}</p>", "</body></html>", ""]
    return "\n".join(parts)


def copy_site(dest: Path) -> Path:
    """A private copy of the built site (built there when site/ has none), with _bench/."""
    site = ROOT / "site"
    out = dest / "site"
    if not (site / "index.html").is_file():
        say(f"site/ is not built: building into {out}")
        build.build(out=out)
    else:
        for attempt in range(3):  # someone may be rebuilding site/ right now
            shutil.rmtree(out, ignore_errors=True)
            try:
                shutil.copytree(site, out)
                if complete_site(out):
                    break
            except (OSError, shutil.Error):
                pass
            say(f"  site/ changed while it was copied; again ({attempt + 1})")
            time.sleep(5)
        else:
            raise SystemExit("site/ keeps changing (a rebuild?); try again later")
    (out / "_bench").mkdir()
    (out / "_bench" / "bare.html").write_text(BARE_HTML)
    (out / "_bench" / "chapter.html").write_text(chapter_html(chapter_sims(out)))
    return out


def complete_site(site: Path) -> bool:
    needed = [
        "index.html",
        "sw.js",
        "vendor/pyodide/pyodide.js",
        "vendor/pyodide/pyodide-lock.json",
    ]
    needed += [f"sims/{s.META.slug}/metadata.json" for s in sims.discover().values()]
    return all((site / n).is_file() for n in needed)


@contextlib.contextmanager
def serving(site: Path) -> Iterator[tuple[str, list[tuple[str, int, int]]]]:
    """Serve ``site`` on a free loopback port; yields (base URL, request log)."""
    log: list[tuple[str, int, int]] = []
    server = build.make_server(site, port=0, quiet=True, request_log=log)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/", log
    finally:
        server.shutdown()
        server.server_close()


# --------------------------------------------------------------------------- in the page

INIT_SCRIPT = """
(() => {
  // per document: a frame's first document (about:blank) hands its window to the next one
  if (document.__benchObserved) return;
  document.__benchObserved = true;
  const B = (window.__bench = {
    engine: null, ready: null, readyAbs: null, errorAbs: null, mode: null,
    drawnAt: null, firstFrame: null, longtasks: [],
  });
  function check() {
    const root = document.documentElement;
    if (!root) return;
    const engine = root.dataset.engine || null;
    if (engine !== B.engine) {
      B.engine = engine;
      if (engine === 'ready' && B.ready === null) {
        B.ready = performance.now();
        B.readyAbs = performance.timeOrigin + B.ready;
        B.mode = root.dataset.engineMode || null;
      }
      if (engine === 'error' && B.errorAbs === null) {
        B.errorAbs = performance.timeOrigin + performance.now();
      }
    }
    if (B.drawnAt === null) {
      const region = document.getElementById('draw-region');
      if (region && region.firstElementChild) {
        B.drawnAt = performance.now();
        requestAnimationFrame(() => { B.firstFrame = performance.now(); });
      }
    }
  }
  new MutationObserver(check).observe(document, {
    subtree: true, childList: true, attributes: true, attributeFilter: ['data-engine'],
  });
  if (window === window.top && PerformanceObserver.supportedEntryTypes.includes('longtask')) {
    new PerformanceObserver((list) => {
      for (const t of list.getEntries()) B.longtasks.push([t.startTime, t.duration]);
    }).observe({ type: 'longtask', buffered: true });
  }
})();
"""

TOP_STATUS = """
() => ({
  origin: performance.timeOrigin,
  bottom: window.scrollY + window.innerHeight >= document.documentElement.scrollHeight - 2,
  height: document.documentElement.scrollHeight,
  slugs: [...document.querySelectorAll('iframe')].map((f) => f.dataset.slug),
})
"""

# Read inside a sim frame (through Playwright's Frame, never the top page's contentWindow:
# touching a lazy iframe's window before it loads makes Chromium reuse that window for the
# sim's document, and Playwright's init script then does not run in it).
FRAME_STATUS = """
() => {
  const B = window.__bench;
  const status = document.getElementById('status');
  return {
    engine: document.documentElement.dataset.engine || null,
    readyAbs: B ? B.readyAbs : null,
    errorAbs: B ? B.errorAbs : null,
    nowAbs: performance.timeOrigin + performance.now(),
    mode: document.documentElement.dataset.engineMode || null,
    status: status ? status.textContent : null,
    observed: Boolean(B),
  };
}
"""

TBT_UNTIL = """
(until) => window.__bench.longtasks
  .filter(([start]) => start < until)
  .reduce((sum, [, duration]) => sum + Math.max(0, duration - 50), 0)
"""

LATENCY_HOOK = """
() => {
  if (window.__benchHooked) return;
  window.__benchHooked = true;
  window.microsim.onState((s) => window.__benchOnState && window.__benchOnState(s));
}
"""

# Returns the ms from just before the dispatch to the first different state, or null.
CHANGE_AND_TIME = """
([name, value, timeoutMs]) => new Promise((resolve) => {
  const el = document.querySelector(`[data-control="${name}"]`);
  const before = JSON.stringify(window.microsim.state);
  let done = false;
  const finish = (ms) => { if (!done) { done = true; window.__benchOnState = null; resolve(ms); } };
  const timer = setTimeout(() => finish(null), timeoutMs);
  let t0 = 0;
  window.__benchOnState = (s) => {
    if (JSON.stringify(s) !== before) { clearTimeout(timer); finish(performance.now() - t0); }
  };
  t0 = performance.now();
  el.value = String(value);
  el.dispatchEvent(new Event('input', { bubbles: true }));
  el.dispatchEvent(new Event('change', { bubbles: true }));
})
"""

CONTROL_VALUES = """
(names) => Object.fromEntries(names.map((n) => {
  const el = document.querySelector(`[data-control="${n}"]`);
  return [n, el ? { value: el.value, disabled: el.disabled } : null];
}))
"""


# --------------------------------------------------------------------------- memory


def process_parents() -> dict[int, int]:
    """{pid: parent pid} of every process, from /proc/<pid>/stat."""
    parents = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
        except OSError:
            continue
        parents[int(entry)] = int(stat[stat.rindex(")") + 2 :].split()[1])
    return parents


def subtree(root: int, parents: dict[int, int]) -> list[int]:
    children: dict[int, list[int]] = {}
    for pid, parent in parents.items():
        children.setdefault(parent, []).append(pid)
    out, todo = [], [root]
    while todo:
        pid = todo.pop()
        out.append(pid)
        todo += children.get(pid, [])
    return out


def cmdline(pid: int) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode()
    except OSError:
        return ""


def find_browser_pid() -> int | None:
    """The Chromium browser process launched (through Playwright's driver) by this process."""
    parents = process_parents()
    for pid in subtree(os.getpid(), parents):
        if "chrom" in cmdline(pid) and "chrom" not in cmdline(parents.get(pid, 0)):
            if "--type=" not in cmdline(pid):
                return pid
    return None


def pss_bytes(pid: int) -> int:
    """Proportional set size of a process (RSS when smaps_rollup cannot be read)."""
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1]) * 1024
    except OSError:
        pass
    try:
        return int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except OSError:
        return 0


class MemorySampler:
    """Samples the summed PSS of a browser's process tree every MEMORY_EVERY_S seconds."""

    def __init__(self, browser_pid: int) -> None:
        self.browser_pid = browser_pid
        self.peak = 0
        self.peak_processes = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _run(self) -> None:
        while not self._stop.is_set():
            pids = subtree(self.browser_pid, process_parents())
            total = sum(pss_bytes(pid) for pid in pids)
            if total > self.peak:
                self.peak, self.peak_processes = total, len(pids)
            self._stop.wait(MEMORY_EVERY_S)

    def __enter__(self) -> MemorySampler:
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()


# --------------------------------------------------------------------------- the browser


@dataclass
class Problems:
    """Console errors, page errors and HTTP errors seen, per scenario."""

    seen: list[str] = field(default_factory=list)

    def watch(self, page: Any, scenario: str) -> None:
        def console(msg: Any) -> None:
            if msg.type == "error":
                self.seen.append(f"[{scenario}] console error: {msg.text} ({page_url(msg)})")

        page.on("console", console)
        page.on("pageerror", lambda err: self.seen.append(f"[{scenario}] page error: {err}"))
        page.on(
            "response",
            lambda r: (
                self.seen.append(f"[{scenario}] HTTP {r.status} {r.url}")
                if r.status >= 400
                else None
            ),
        )


def page_url(msg: Any) -> str:
    location = msg.location or {}
    return f"{location.get('url', '?')}:{location.get('lineNumber', '?')}"


@contextlib.contextmanager
def fresh_browser(pw: Any) -> Iterator[tuple[Any, MemorySampler]]:
    """A newly launched headless Chromium and a memory sampler of its processes."""
    browser = pw.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_ARGS, headless=True)
    try:
        pid = find_browser_pid()
        if pid is None:
            raise SystemExit("cannot find the Chromium browser process under this process")
        with MemorySampler(pid) as sampler:
            yield browser, sampler
    finally:
        browser.close()


def new_page(browser: Any, problems: Problems, scenario: str) -> tuple[Any, Any]:
    context = browser.new_context(viewport=VIEWPORT)
    context.add_init_script(INIT_SCRIPT)
    page = context.new_page()
    problems.watch(page, scenario)
    return context, page


def wait_for(check: Callable[[], Any], timeout_s: float, every_s: float = 0.1) -> Any:
    """Call ``check`` until it returns something truthy (returned) or time runs out (None)."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(every_s)
    return None


def wait_engine(page: Any, timeout_s: float = READY_TIMEOUT_S) -> str | None:
    """Wait until the page's data-engine is ready or error; returns it (None: timed out)."""
    return wait_for(
        lambda: page.evaluate(
            "() => ['ready', 'error'].includes(window.__bench.engine) && window.__bench.engine"
        ),
        timeout_s,
    )


# --------------------------------------------------------------------------- scenarios


def run_bare(pw: Any, url: str, problems: Problems) -> dict[str, float]:
    """Figures 1, 4, 5 of the bare page."""
    with fresh_browser(pw) as (browser, sampler):
        _, page = new_page(browser, problems, "bare")
        page.goto(url + "_bench/bare.html")
        ready = wait_for(
            lambda: page.evaluate("() => window.__ready || (window.__error && -1)"),
            READY_TIMEOUT_S,
        )
        if not ready or ready < 0:
            error = page.evaluate("() => window.__error")
            raise RuntimeError(f"the bare page did not load Pyodide: {error}")
        tbt = page.evaluate(TBT_UNTIL, ready)
        time.sleep(SETTLE_S)  # memory: what follows ready (the offline precache) counts
    return {"ready": ready / 1000, "tbt": tbt / 1000, "memory": sampler.peak / 1e6}


SIM_URL = re.compile(r"/sims/([^/]+)/main\.html")


def chapter_status(page: Any) -> dict[str, Any]:
    """The top page's scroll state and, per iframe in page order, what its sim reports.

    A frame not yet navigated to its sim (lazy) reports ``engine: None``.
    """
    top = page.evaluate(TOP_STATUS)
    found: dict[str, dict[str, Any]] = {}
    for frame in page.frames:
        match = SIM_URL.search(frame.url)
        if match:
            try:
                found[match.group(1)] = frame.evaluate(FRAME_STATUS)
            except PlaywrightError:  # navigating or detached: next poll
                pass
    empty = {"engine": None, "readyAbs": None, "errorAbs": None, "mode": None, "status": None}
    top["frames"] = [{"slug": slug, **found.get(slug, empty)} for slug in top["slugs"]]
    for frame in top["frames"]:
        if frame["engine"] == "ready" and frame["readyAbs"] is None:
            # no init script in this frame (see FRAME_STATUS): the poll's time, a bit late
            frame["readyAbs"], frame["approx"] = frame["nowAbs"], True
    return top


def settled(frame: dict[str, Any]) -> bool:
    return frame["readyAbs"] is not None or frame["engine"] == "error"


def frame_time(status: dict[str, Any], frame: dict[str, Any]) -> float | None:
    """A frame's ready time in seconds since the top page's navigation start."""
    if frame["readyAbs"] is None:
        return None
    return (frame["readyAbs"] - status["origin"]) / 1000


def run_chapter(
    pw: Any, url: str, problems: Problems, *, wait_first: bool = True
) -> dict[str, Any]:
    """Figures 2, 3, 4, 5 of the chapter page (a reader who scrolls once the first is ready);
    with ``wait_first=False`` figure 3b: a reader who starts scrolling at once."""
    with fresh_browser(pw) as (browser, sampler):
        _, page = new_page(browser, problems, "chapter")
        page.goto(url + "_bench/chapter.html")
        if not wait_first:
            return _scroll_through(page, sampler, first=None)

        def first_done() -> dict[str, Any] | None:
            status = chapter_status(page)
            return status if settled(status["frames"][0]) else None

        status = wait_for(first_done, READY_TIMEOUT_S)
        if status is None:
            raise RuntimeError("the chapter's first sim was not ready after 180 s")
        first = frame_time(status, status["frames"][0])
        return _scroll_through(page, sampler, first=first)


def _scroll_through(page: Any, sampler: MemorySampler, first: float | None) -> dict[str, Any]:
    """Scroll the chapter page 600 px every 250 ms to the bottom, until all eight are ready."""
    deadline = time.monotonic() + READY_TIMEOUT_S
    while time.monotonic() < deadline:
        status = chapter_status(page)
        if all(settled(f) for f in status["frames"]):
            break
        if not status["bottom"]:
            page.evaluate(f"() => window.scrollBy(0, {SCROLL_STEP_PX})")
        time.sleep(SCROLL_EVERY_S)
    times = [frame_time(status, f) for f in status["frames"]]
    not_ready = [f for f, t in zip(status["frames"], times, strict=True) if t is None]
    last = max((t for t in times if t is not None), default=None)
    tbt = page.evaluate(TBT_UNTIL, last * 1000 if last and not not_ready else 1e12)
    info = engine_info(page, status["frames"][-1]["slug"]) if not not_ready else None
    time.sleep(SETTLE_S)  # memory: what follows ready (the offline precache) counts
    return {
        "first": first,
        "all": last if not not_ready else None,
        "tbt": tbt / 1000,
        "memory": sampler.peak / 1e6,
        "processes": sampler.peak_processes,
        "height": status["height"],
        "modes": sorted({f["mode"] or "-" for f in status["frames"]}),
        "not_ready": [(f["slug"], f["engine"], f["status"]) for f in not_ready],
        "approx": [f["slug"] for f in status["frames"] if f.get("approx")],
        "times": dict(zip([f["slug"] for f in status["frames"]], times, strict=True)),
        "info": info,
    }


def engine_info(page: Any, slug: str) -> dict[str, Any] | None:
    """microsim.engine.info() of the frame showing ``slug`` (boots, ports, bootMs, ...)."""
    for frame in page.frames:
        if f"/sims/{slug}/main.html" in frame.url:
            return frame.evaluate("() => window.microsim.engine.info()")
    return None


def run_sim(pw: Any, url: str, slug: str, problems: Problems) -> dict[str, Any]:
    """Figure 6 (and 4, 5) of one sim alone."""
    with fresh_browser(pw) as (browser, sampler):
        _, page = new_page(browser, problems, f"sim {slug}")
        page.goto(f"{url}sims/{slug}/main.html")
        engine = wait_engine(page)
        bench = page.evaluate("() => window.__bench")
        tbt = page.evaluate(TBT_UNTIL, bench["ready"] or 1e12)
        time.sleep(SETTLE_S)  # memory: what follows ready (the offline precache) counts
    return {
        "engine": engine,
        "first_frame": bench["firstFrame"] / 1000 if bench["firstFrame"] else None,
        "ready": bench["ready"] / 1000 if engine == "ready" else None,
        "tbt": tbt / 1000,
        "memory": sampler.peak / 1e6,
        "mode": bench["mode"],
    }


def latency_controls(sim: SimInfo) -> list[Any]:
    """The value controls timed: sliders and selects, not the animation speed."""
    return [c for c in sim.controls if c.kind in ("slider", "select") and c.name != "speed"]


def next_value(control: Any, current: str) -> str:
    """A value the control does not have: one step up (wrapping), or the next option."""
    if control.kind == "select":
        values = [v for v, _ in control.options]
        i = values.index(current) if current in values else -1
        return values[(i + 1) % len(values)]
    step = control.step
    value = float(current) + step
    if value > control.max + 1e-9:
        value = control.min
    decimals = len(str(step).split(".")[1]) if "." in str(step) else 0
    return f"{value:.{decimals}f}"


def percentile(values: list[float], q: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * q // 100))
    return ordered[int(rank) - 1]


def run_latency(
    pw: Any, url: str, sim_list: list[SimInfo], problems: Problems, events: int
) -> dict[str, dict[str, Any]]:
    """Figure 7: control → state latency per sim, the engine kept up across the sims."""
    out: dict[str, dict[str, Any]] = {}
    with fresh_browser(pw) as (browser, _):
        context = browser.new_context(viewport=VIEWPORT)
        context.add_init_script(INIT_SCRIPT)
        previous = None
        for sim in sim_list:
            page = context.new_page()
            problems.watch(page, f"latency {sim.slug}")
            page.goto(f"{url}sims/{sim.slug}/main.html")
            page.evaluate("() => window.microsim.ready")
            if previous is not None:
                previous.close()  # after this page attached: the shared engine stays up
            previous = page
            page.evaluate(LATENCY_HOOK)
            controls = latency_controls(sim)
            samples, timeouts, skipped = [], 0, 0
            for i in range(events):
                control = controls[i % len(controls)]
                current = page.evaluate(CONTROL_VALUES, [control.name])[control.name]
                if current is None or current["disabled"]:
                    skipped += 1
                    continue
                value = next_value(control, current["value"])
                ms = page.evaluate(CHANGE_AND_TIME, [control.name, value, LATENCY_TIMEOUT_MS])
                if ms is None:
                    timeouts += 1
                else:
                    samples.append(ms)
                time.sleep(0.05)  # let follow-up redraws settle, as between two user actions
            out[sim.slug] = {
                "p50": percentile(samples, 50) if samples else None,
                "p95": percentile(samples, 95) if samples else None,
                "n": len(samples),
                "timeouts": timeouts,
                "skipped": skipped,
                "controls": [c.name for c in controls],
            }
            say(f"    {sim.slug:30s} {fmt_ms(out[sim.slug])}")
        context.close()
    return out


def run_reload(
    pw: Any, url: str, log: list[tuple[str, int, int]], problems: Problems
) -> dict[str, Any]:
    """Figure 8: the second visit's network bytes, and whether an offline visit gets ready."""
    target = f"{url}sims/{SINGLE_SIM}/main.html"
    with fresh_browser(pw) as (browser, _):
        context = browser.new_context(viewport=VIEWPORT)
        context.add_init_script(INIT_SCRIPT)

        mark = len(log)
        first = context.new_page()
        problems.watch(first, "reload: first visit")
        first.goto(target)
        first_engine = wait_engine(first)
        offline_ready = first.evaluate("() => window.microsim.engine.offlineReady")
        first_log = log[mark:]  # the engine's downloads and the service worker's precache
        first.close()

        mark = len(log)
        second = context.new_page()
        problems.watch(second, "reload: second visit")
        second.goto(target)
        second_engine = wait_engine(second)
        time.sleep(0.5)
        second_log = log[mark:]
        second.close()

        context.set_offline(True)
        mark = len(log)
        third = context.new_page()
        problems.watch(third, "reload: offline (errors expected)")
        try:
            third.goto(target, timeout=30_000)
            offline_engine = wait_engine(third, timeout_s=60)
        except Exception as exc:  # a failed offline navigation is the answer
            offline_engine = f"navigation failed: {str(exc).splitlines()[0]}"
        offline_log = log[mark:]
        context.close()
    return {
        "first_engine": first_engine,
        "offline_ready": offline_ready,
        "first_log": first_log,
        "second_engine": second_engine,
        "second_log": second_log,
        "offline_engine": offline_engine,
        "offline_log": offline_log,
    }


def body_bytes(entries: list[tuple[str, int, int]]) -> int:
    return sum(size for _, _, size in entries)


# --------------------------------------------------------------------------- report


def median_range(values: list[float | None], digits: int = 2) -> str:
    """ "median (min–max)" of the runs that gave a value, and how many did not."""
    got = [v for v in values if v is not None]
    if not got:
        return "n/a"
    missing = len(values) - len(got)
    text = f"{statistics.median(got):.{digits}f} ({min(got):.{digits}f}–{max(got):.{digits}f})"
    return text + (f" [{missing} of {len(values)} runs: none]" if missing else "")


def median(values: list[float | None]) -> float | None:
    got = [v for v in values if v is not None]
    return statistics.median(got) if got else None


def ratio(value: float | None, base: float | None) -> str:
    return f"{value / base:.2f}×" if value is not None and base else "—"


def fmt_ms(row: dict[str, Any]) -> str:
    if row["p50"] is None:
        return f"no sample ({row['timeouts']} timeouts)"
    extra = f", {row['timeouts']} timeouts" if row["timeouts"] else ""
    extra += f", {row['skipped']} disabled skipped" if row["skipped"] else ""
    return f"p50 {row['p50']:.0f} ms, p95 {row['p95']:.0f} ms (n={row['n']}{extra})"


def collect(runs: list[dict[str, Any]], key: str) -> list[float | None]:
    return [run[key] for run in runs]


Row = tuple[str, str, str, str]  # figure | bare | chapter/sim | ratio


def compared(label: str, bare: list[float | None], other: list[float | None], digits: int) -> Row:
    """A row with the bare page's figure, the other's, and other/bare of the medians."""
    return (
        label,
        median_range(bare, digits),
        median_range(other, digits),
        ratio(median(other), median(bare)),
    )


def table_rows(results: dict[str, Any]) -> list[Row]:
    bare, chapter = results["bare"], results["chapter"]
    ready, memory, tbt = (collect(bare, k) for k in ("ready", "memory", "tbt"))
    rows: list[Row] = []
    if bare:
        rows.append(("bare page: Pyodide + NumPy ready (s)", median_range(ready), "—", "1×"))
    if chapter:
        rows += [
            compared(
                "chapter: first sim in view interactive (s)", ready, collect(chapter, "first"), 2
            ),
            compared(
                "chapter: all eight interactive, scrolling (s)", ready, collect(chapter, "all"), 2
            ),
            compared(
                "chapter: all eight, scrolling from the start (s)",
                ready,
                collect(results.get("scroll_now", []), "all"),
                2,
            ),
            compared(
                "chapter: peak browser memory, PSS (MB)", memory, collect(chapter, "memory"), 0
            ),
            compared(
                "chapter: main-thread TBT until all ready (s)", tbt, collect(chapter, "tbt"), 2
            ),
        ]
    for slug, runs in results["sims"].items() if bare else ():
        first_frame = median_range(collect(runs, "first_frame"))
        rows.append((f"{slug} alone: first frame (s)", "—", first_frame, "—"))
        rows.append(compared(f"{slug} alone: engine ready (s)", ready, collect(runs, "ready"), 2))
        rows.append(compared(f"{slug} alone: peak memory (MB)", memory, collect(runs, "memory"), 0))
    for slug, row in results.get("latency", {}).items():
        rows.append((f"{slug}: control → state p50 / p95 (ms)", "—", p50_p95(row), "—"))
    reload = results.get("reload")
    if reload is None:
        return rows
    second = f"{body_bytes(reload['second_log']) / 1e6:.3f}"
    rows.append(("reload after one visit: bytes from the network (MB)", "—", second, "—"))
    offline = "yes" if reload["offline_engine"] == "ready" else "no"
    rows.append(("reload with the network off: reaches ready", "—", offline, "—"))
    return rows


def p50_p95(row: dict[str, Any]) -> str:
    if row["p50"] is None:
        return "n/a"
    return f"{row['p50']:.0f} / {row['p95']:.0f}" + (
        f" ({row['timeouts']} timeouts)" if row["timeouts"] else ""
    )


def print_table(rows: list[tuple[str, str, str, str]]) -> None:
    say("| figure | bare | chapter/sim | ratio |")
    say("|---|---|---|---|")
    for row in rows:
        say("| " + " | ".join(cell or "" for cell in row) + " |")


# --------------------------------------------------------------------------- main


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--runs", type=int, default=3, help="runs of each scenario (default 3)")
    parser.add_argument(
        "--quick", action="store_true", help="1 run; control latency of one sim only"
    )
    parser.add_argument("--all-sims", action="store_true", help="every sim alone, not just one")
    parser.add_argument(
        "--only",
        choices=["latency", "sims", "reload"],
        help="run only this part (to study one figure; the table then lacks the others)",
    )
    args = parser.parse_args(argv)
    runs = 1 if args.quick else max(1, args.runs)

    from playwright.sync_api import sync_playwright

    started = time.monotonic()
    problems = Problems()
    with tempfile.TemporaryDirectory(prefix="chapter-bench-") as tmp:
        say("Set-up: a private copy of the built site, with _bench/bare.html and chapter.html")
        site = copy_site(Path(tmp))
        sim_list = chapter_sims(site)
        alone = [s.slug for s in sim_list] if args.all_sims else [SINGLE_SIM]
        results: dict[str, Any] = {
            "bare": [],
            "chapter": [],
            "sims": {slug: [] for slug in alone},
        }
        with serving(site) as (url, log), sync_playwright() as pw:
            say(f"  serving {site} at {url}")
            with fresh_browser(pw) as (browser, _):
                version = browser.version
            say(f"  Chromium {version}, {runs} run(s), viewport 1200x900\n")

            for run in range(1, runs + 1) if args.only in (None, "sims") else ():
                say(f"Run {run}/{runs}")
                bare = run_bare(pw, url, problems)
                results["bare"].append(bare)
                say(
                    f"  bare page      ready {bare['ready']:.2f} s, TBT {bare['tbt']:.2f} s, "
                    f"peak {bare['memory']:.0f} MB"
                )
                if args.only is None:
                    chapter = run_chapter(pw, url, problems)
                    results["chapter"].append(chapter)
                    say_chapter(chapter)
                    at_once = run_chapter(pw, url, problems, wait_first=False)
                    results.setdefault("scroll_now", []).append(at_once)
                    say(f"  chapter, scrolling from the start: all eight {fmt_s(at_once['all'])}")
                for slug in alone:
                    one = run_sim(pw, url, slug, problems)
                    results["sims"][slug].append(one)
                    say(
                        f"  {slug} alone: first frame {fmt_s(one['first_frame'])}, "
                        f"ready {fmt_s(one['ready'])} ({one['engine']}, {one['mode']}), "
                        f"TBT {one['tbt']:.2f} s, peak {one['memory']:.0f} MB"
                    )

            if args.only in (None, "latency"):
                say("\nControl → state latency (each sim alone, once ready)")
                timed = [s for s in sim_list if s.slug == SINGLE_SIM] if args.quick else sim_list
                results["latency"] = run_latency(pw, url, timed, problems, LATENCY_EVENTS)

            if args.only in (None, "reload"):
                say("\nReload after one visit")
                results["reload"] = reload = run_reload(pw, url, log, problems)
                say_reload(reload)
            http_errors = [entry for entry in log if entry[1] >= 400 or entry[1] == 0]

    elapsed = time.monotonic() - started
    say("\nProblems seen (console errors, page errors, HTTP errors)")
    for line in dict.fromkeys(problems.seen):  # each distinct one once, in order
        say(f"  {line}")
    for path, status, _ in http_errors:
        say(f"  server answered {status} for {path}")
    if not problems.seen and not http_errors:
        say("  none")

    say("")
    print_table(table_rows(results))
    say(
        f"\n{dt.date.today().isoformat()} · Chromium {version} · {runs} run(s) per scenario, "
        f"medians (min–max) · {os.cpu_count()} CPU cores · took {elapsed / 60:.1f} min"
    )
    return 0


def fmt_s(value: float | None) -> str:
    return f"{value:.2f} s" if value is not None else "n/a"


def say_chapter(chapter: dict[str, Any]) -> None:
    say(
        f"  chapter page   first {fmt_s(chapter['first'])}, all eight {fmt_s(chapter['all'])}, "
        f"TBT {chapter['tbt']:.2f} s, peak {chapter['memory']:.0f} MB "
        f"({chapter['processes']} processes), page {chapter['height']} px, "
        f"engine mode {'/'.join(chapter['modes'])}"
    )
    say(
        "                 ready at: "
        + ", ".join(f"{slug.split('-')[0]} {fmt_s(t)}" for slug, t in chapter["times"].items())
    )
    if chapter["info"]:
        info = chapter["info"]
        say(
            f"                 engine: boots {info.get('boots')}, bootMs {info.get('bootMs')}, "
            f"ports {info.get('ports')}, served {info.get('served')}, where {info.get('where')}"
        )
    if chapter["approx"]:
        say(f"                 (no init script in {', '.join(chapter['approx'])}: poll time)")
    for slug, engine, status in chapter["not_ready"]:
        say(f"  NOT READY: {slug}: data-engine={engine!r}, status line {status!r}")


def say_reload(reload: dict[str, Any]) -> None:
    first = reload["first_log"]
    say(
        f"  first visit: {reload['first_engine']}, offlineReady {reload['offline_ready']}; "
        f"{body_bytes(first) / 1e6:.1f} MB in {len(first)} requests (engine + precache)"
    )
    counts: dict[str, list[int]] = {}
    for path, _, size in first:
        counts.setdefault(path.split("?", 1)[0], []).append(size)
    twice = [(sum(sizes), path, len(sizes)) for path, sizes in counts.items() if len(sizes) > 1]
    for total, path, times in sorted(twice, reverse=True)[:5]:
        say(f"    fetched {times}× in the first visit: {path} ({total / 1e6:.2f} MB in all)")
    second = reload["second_log"]
    say(
        f"  second visit: {reload['second_engine']}, {body_bytes(second)} bytes "
        f"in {len(second)} requests:"
    )
    for path, status, size in second:
        say(f"    {status} {size:>9} {path}")
    offline = reload["offline_log"]
    say(f"  offline visit: {reload['offline_engine']}; {len(offline)} requests reached the server")
    for path, status, size in offline:
        say(f"    {status} {size:>9} {path}")


if __name__ == "__main__":
    sys.exit(main())

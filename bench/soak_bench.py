"""Soak: 10,000 engine calls from one page, good and hostile mixed, and what they cost.

Usage (from the repository root; needs the built site and Chromium, ``make bench`` has both)::

    python bench/soak_bench.py                 # 10,000 calls
    python bench/soak_bench.py --calls 2000

Nothing is asserted: the script prints figures and findings. It opens the perceptron sim in
headless Chromium (``harness.CHROMIUM_ARGS``), waits for the engine, and then the page itself
makes ``--calls`` calls through ``microsim.call`` one after another, each on the state the last
good one returned: ``add_point`` and ``learn_step`` (the calls a reader makes most), and every
fifth call a hostile one (NaN, a huge number, an unknown argument, a damaged state, a
5000-character text). It prints

- how many calls were answered, refused (a ValueError the sim explains) and failed otherwise
  (an InternalError is a finding: the sim had no sentence for it);
- the median and 95th-percentile time per call in the page, first and last thousand apart
  (a growing time means a leak);
- the page's JS heap (``performance.memory``, Chromium only) before and after, each after a
  forced garbage collection (``--js-flags=--expose-gc``): growth that stays is a leak;
- in CPython, for the same two good calls, the time of ``sims._bridge.call`` (JSON in and out,
  argument and state checks) next to calling the action directly: the checks' share.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import timeit
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from playwright.sync_api import sync_playwright  # noqa: E402

from tests.browser.harness import (  # noqa: E402
    CHROMIUM_ARGS,
    SITE,
    chromium_path,
    serve_site,
    wait_ready,
)

SOAK_JS = """
async ([n]) => {
  const ms = window.microsim;
  const init = await ms.call('perceptron.initial_state', {params: ms.state.params});
  let state = init;
  const hostile = [
    (s) => ({state: s, x: NaN, y: 0, label: 1}),
    (s) => ({state: s, x: 1e300, y: 0, label: 1}),
    (s) => ({state: s, x: 0, y: 0, label: 1, colour: 'red'}),
    (s) => ({state: {...s, w: 'w'}}),
    (s) => ({state: s, x: 'x'.repeat(5000), y: 0, label: 1}),
  ];
  const counts = {ok: 0, refused: 0, other: 0};
  const kinds = {};
  const times = [];
  if (window.gc) window.gc();  // Chromium with --js-flags=--expose-gc: heap figures without garbage
  const heap0 = performance.memory ? performance.memory.usedJSHeapSize : null;
  for (let i = 0; i < n; i++) {
    let path; let args;
    if (i % 5 === 4) {
      path = i % 10 === 9 ? 'perceptron.learn_step' : 'perceptron.add_point';
      args = hostile[(i / 5 | 0) % hostile.length](state);
    } else if (i % 2) {
      path = 'perceptron.learn_step'; args = {state};
    } else {
      path = 'perceptron.add_point';
      args = {state, x: Math.sin(i) * 2, y: Math.cos(i * 1.3) * 2, label: i % 4 ? 1 : -1};
    }
    if (state.y && state.y.length > 150) state = init;  // keep the state a reader's size
    const t0 = performance.now();
    try {
      const out = await ms.call(path, args);
      counts.ok++;
      if (out && out.params) state = out;
    } catch (err) {
      const kind = err.name || 'Error';
      kinds[kind] = (kinds[kind] || 0) + 1;
      if (kind === 'InternalError') counts.other++;
      else counts.refused++;
    }
    times.push(performance.now() - t0);
  }
  if (window.gc) window.gc();
  const heap1 = performance.memory ? performance.memory.usedJSHeapSize : null;
  return {counts, kinds, times, heap0, heap1};
}
"""


def _quantile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def _cpython_share() -> None:
    """The bridge (JSON + checks) next to the bare action, in CPython."""
    import sims
    from sims._bridge import call
    from sims._contract import defaults, dumps

    module = sims.discover()["perceptron"]
    state = json.loads(dumps(module.initial_state(defaults(module.CONTROLS))))
    for name, extra in (("add_point", {"x": 0.5, "y": -0.5, "label": 1}), ("learn_step", {})):
        args = json.dumps({"state": state, **extra})
        fn = module.ACTIONS[name]
        path = f"perceptron.{name}"

        def bridge(p=path, a=args):
            return call(p, a)

        def bare(f=fn, a=args, e=extra):
            return dumps(f(json.loads(a)["state"], **e))

        bridged = min(timeit.repeat(bridge, number=200, repeat=5))
        direct = min(timeit.repeat(bare, number=200, repeat=5))
        print(
            f"  CPython {name}: bridge {bridged / 200 * 1e3:.3f} ms/call, action + JSON "
            f"{direct / 200 * 1e3:.3f} ms/call: checks add {(bridged / direct - 1) * 100:.0f} %"
        )


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=10_000)
    args = parser.parse_args()
    with serve_site(SITE) as url, sync_playwright() as pw:
        browser = pw.chromium.launch(
            executable_path=chromium_path(), args=[*CHROMIUM_ARGS, "--js-flags=--expose-gc"]
        )
        page = browser.new_page(viewport={"width": 1200, "height": 900})
        errors: list[str] = []
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.goto(f"{url}sims/perceptron-decision-boundary/main.html")
        wait_ready(page)
        result = page.evaluate(SOAK_JS, [args.calls])
        browser.close()
    times = result["times"]
    counts = result["counts"]
    print(f"soak: {args.calls} calls from the perceptron page in one engine")
    print(
        f"  answered {counts['ok']}, refused with a sentence {counts['refused']}, "
        f"other {counts['other']}"
    )
    print(f"  errors by kind: {result['kinds']}")
    if "InternalError" in result["kinds"]:
        print("  FINDING: InternalError answers: a hostile call the sims have no sentence for")
    first, last = times[:1000], times[-1000:]
    print(
        f"  per call: median {statistics.median(times):.2f} ms, "
        f"p95 {_quantile(times, 0.95):.2f} ms; first 1000 median "
        f"{statistics.median(first):.2f} ms, last 1000 {statistics.median(last):.2f} ms"
    )
    if result["heap0"] is not None:
        print(
            f"  page JS heap: {result['heap0'] / 2**20:.1f} MiB before, "
            f"{result['heap1'] / 2**20:.1f} MiB after"
        )
    print(f"  uncaught page errors: {len(errors)}" + (f" (first: {errors[0]})" if errors else ""))
    _cpython_share()
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Per-call time of the engine operations the sims run on every user action (CPython).

Usage (from the repository root)::

    python bench/engine_bench.py            # default: 7 repeats
    python bench/engine_bench.py --repeat 15

Each row is timed with ``timeit``: the number of calls per repeat is chosen so a repeat takes at
least 0.2 s, and the table shows the median per-call time over the repeats. Nothing is asserted:
this is for reading, e.g. to compare against the budget of one animation frame (16 ms), and
the same engine runs several times slower under Pyodide. A row whose engine module or function
is missing is skipped with a printed note.
"""

from __future__ import annotations

import argparse
import importlib
import statistics
import sys
import timeit
from collections.abc import Callable
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a clone, not installed

Bench = Callable[[], Callable[[], object]]  # builds the inputs, returns the call to time


def _perceptron_epoch() -> Callable[[], object]:
    p = importlib.import_module("engine.perceptron")
    rng = np.random.default_rng(0)
    X, y = p.make_dataset("separable", 100, rng)
    w = p.random_weights(rng)  # epoch() does not mutate w, so every call does the same work
    return lambda: p.epoch(w, 0.0, X, y, 0.1)


def _dense_forward_backward() -> Callable[[], object]:
    d = importlib.import_module("engine.dense")
    rng = np.random.default_rng(0)
    params = d.init_params([4, 8, 8, 2], rng)
    X = rng.normal(size=(4, 64))
    Y = np.eye(2)[:, rng.integers(0, 2, size=64)]
    acts = ["relu", "relu", "softmax"]
    return lambda: d.backward(params, d.forward(params, X, acts), Y, "cross_entropy")


def _conv(shape: tuple[int, int], k: int, trace: bool = False) -> Bench:
    def build() -> Callable[[], object]:
        c = importlib.import_module("engine.conv")
        x = np.random.default_rng(0).random(shape)
        kernel = c.preset_kernel("edge", k)
        if trace:
            return lambda: c.conv2d_trace(x, kernel, 1, "same")
        return lambda: c.conv2d(x, kernel, padding="same")

    return build


def _conv_batch_backward() -> Callable[[], object]:
    c = importlib.import_module("engine.conv")
    rng = np.random.default_rng(0)
    x, kernels = rng.normal(size=(8, 3, 28, 28)), rng.normal(size=(4, 3, 3, 3))
    dout = rng.normal(size=(8, 4, 28, 28))
    return lambda: c.conv2d_backward(x, kernels, dout, 1, "same")


def _norm(name: str) -> Bench:
    def build() -> Callable[[], object]:
        n = importlib.import_module("engine.norm")
        x = n.sample_activations(np.random.default_rng(0), (8, 4, 6, 6))
        return lambda: getattr(n, name)(x)

    return build


ROWS: list[tuple[str, Bench]] = [
    ("perceptron epoch, 100 points", _perceptron_epoch),
    ("dense 4→8→8→2 forward+backward, batch 64", _dense_forward_backward),
    ("conv2d 7×7 with 3×3 (same)", _conv((7, 7), 3)),
    ("conv2d_trace 7×7 with 3×3 (same)", _conv((7, 7), 3, trace=True)),
    ("conv2d 28×28 with 5×5 (same)", _conv((28, 28), 5)),
    ("conv2d_backward (8,3,28,28) with (4,3,3,3)", _conv_batch_backward),
    ("batch_norm (8, 4, 6, 6)", _norm("batch_norm")),
    ("layer_norm (8, 4, 6, 6)", _norm("layer_norm")),
]


def time_call(call: Callable[[], object], repeat: int) -> float:
    """Median seconds per call over ``repeat`` repeats of an auto-ranged number of calls."""
    timer = timeit.Timer(call)
    number, _ = timer.autorange()
    return statistics.median(t / number for t in timer.repeat(repeat=repeat, number=number))


def _fmt(seconds: float) -> str:
    for unit, scale in (("s", 1.0), ("ms", 1e-3), ("µs", 1e-6)):
        if seconds >= scale:
            return f"{seconds / scale:8.2f} {unit}"
    return f"{seconds / 1e-9:8.0f} ns"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7, help="repeats per row (median taken)")
    args = parser.parse_args(argv)
    print(f"NumPy {np.__version__}, Python {sys.version.split()[0]}, median of {args.repeat}")
    width = max(len(name) for name, _ in ROWS)
    print(f"{'operation':<{width}}  per call")
    print("-" * (width + 13))
    for name, build in ROWS:
        try:
            call = build()
        except (ImportError, AttributeError) as err:
            print(f"{name:<{width}}  skipped: {err}")
            continue
        print(f"{name:<{width}}  {_fmt(time_call(call, args.repeat))}", flush=True)


if __name__ == "__main__":
    main()

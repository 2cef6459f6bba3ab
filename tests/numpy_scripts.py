"""Helpers of the "Show the NumPy" tests (issue 13): run a sim's ``numpy_code`` script as a
student would, and compare what it computes and prints with the sim's state.

Used by tests/sims/test_numpy_code.py (perceptron, activations, architecture, forward) and
tests/sims/test_numpy_code_b.py (backprop, convolution, normalization, tensor_ops).
"""

from __future__ import annotations

import ast
import contextlib
import io
import re
from typing import Any

import numpy as np

TOL = 1e-9
NUMBER = re.compile(r"[-+]?(?:\d+\.\d*|\.\d+|\d+)(?:[eE][-+]?\d+)?")


def imports_of(script: str) -> list[str]:
    """Every import statement of the script, as source text."""
    tree = ast.parse(script)
    return [
        ast.unparse(node)
        for node in ast.walk(tree)
        if isinstance(node, (ast.Import, ast.ImportFrom))
    ]


def run(script: str) -> tuple[dict[str, Any], str]:
    """The script imports only NumPy as np; run it in a fresh namespace: its variables and
    what it printed."""
    found = imports_of(script)
    assert found == ["import numpy as np"], f"the script's imports are {found}\n{script}"
    namespace: dict[str, Any] = {"__name__": "__numpy_code__"}
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(script, "<numpy_code>", "exec"), namespace)  # noqa: S102 - the test's point
    return namespace, out.getvalue()


def close(name: str, got: Any, want: Any, tol: float = TOL) -> None:
    """The script's ``name`` (``got``) equals the state's value (``want``) to ``tol``; else the
    differing entries are printed, with both values."""
    g = np.asarray(got, dtype=float)
    w = np.asarray(want, dtype=float)
    assert g.size == w.size, f"{name}: the script has shape {g.shape}, the state {w.shape}"
    g, w = g.ravel(), w.ravel()
    bad = np.flatnonzero(~np.isclose(g, w, rtol=tol, atol=tol))
    assert not bad.size, (
        f"{name}: script and state differ at flat index {bad.tolist()}: "
        f"script {g[bad].tolist()} vs state {w[bad].tolist()}"
    )


def printed(out: str, label: str) -> list[float]:
    """The numbers printed after ``label`` (the first line starting with it, and the
    continuation lines of a NumPy array, which start with a space or "[", or are blank)."""
    lines = out.splitlines()
    starts = [k for k, line in enumerate(lines) if line.startswith(label)]
    assert starts, f"the output has no line starting with {label!r}:\n{out}"
    k = starts[0]
    block = [lines[k][len(label) :]]
    for line in lines[k + 1 :]:
        if line and not line.startswith((" ", "[")):
            break
        block.append(line)
    return [float(t) for t in NUMBER.findall(" ".join(block))]


def shows(out: str, label: str, want: Any, *, tol: float = 1e-7, last: bool = False) -> None:
    """The output prints ``want`` (a number or an array) after ``label``, to print precision
    (NumPy prints 8 digits). ``last``: compare the last numbers of the line (a line that
    writes a formula's numbers before its result), else the first."""
    w = np.ravel(np.asarray(want, dtype=float))
    got = printed(out, label)
    assert len(got) >= w.size, f"{label!r} prints {got}, expected {w.size} numbers {w.tolist()}"
    g = np.array(got[-w.size :] if last else got[: w.size])
    assert np.allclose(g, w, rtol=tol, atol=max(tol / 5, 2e-8)), (
        f"{label!r} prints {g.tolist()}, not {w.tolist()}"
    )

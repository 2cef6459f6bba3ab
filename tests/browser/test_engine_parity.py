"""The engine gives the same numbers inside Pyodide (NumPy 2.0.2, wasm32) as in CPython."""

from __future__ import annotations

import json
from pathlib import Path

from tests import parity_suite
from tests.browser.harness import assert_close, wait_ready

SUITE_SOURCE = Path(parity_suite.__file__).read_text()


def test_engine_parity_suite_matches_cpython_to_1e_9(open_sim):
    page, log = open_sim("perceptron-decision-boundary")
    wait_ready(page)
    in_pyodide = json.loads(
        page.evaluate(
            "(source) => window.microsim.engine.runPython(source)",
            SUITE_SOURCE + "\nimport json\njson.dumps(suite())",
        )
    )
    in_cpython = json.loads(json.dumps(parity_suite.suite()))
    assert sorted(in_pyodide) == sorted(parity_suite.GROUPS)
    for group in parity_suite.GROUPS:
        assert_close(in_pyodide[group], in_cpython[group], path=group, tol=1e-9)
    versions = json.loads(
        page.evaluate(
            "() => window.microsim.engine.runPython("
            "'import json, sys, numpy; json.dumps([sys.version, numpy.__version__])')"
        )
    )
    assert versions[1] == "2.0.2", f"Pyodide runs NumPy {versions[1]}"
    assert log.problems() == []

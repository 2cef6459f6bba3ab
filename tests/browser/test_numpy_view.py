"""Show NumPy (issue 13) in Chromium: the panel shows the engine's numpy_code for the state on
screen, follows the state, and its text runs in CPython and in Pyodide with the same output."""

from __future__ import annotations

import contextlib
import io
import json

import pytest

import sims
from tests.browser.harness import (
    cpython_call,
    set_control,
    snapshot,
    state,
    wait_ready,
    wait_state_change,
)

WITH_VIEW = sorted(
    (m.META.slug, name)
    for name, m in sims.discover().items()
    if "numpy_code" in getattr(m, "VIEWS", {})
)


def shown_code(page) -> str:
    page.wait_for_function(
        "() => document.getElementById('numpy-panel').dataset.state === 'current'", timeout=15_000
    )
    return page.text_content("#numpy-code")


def run_here(code: str) -> str:
    """What the script prints in this CPython, in a fresh namespace."""
    out = io.StringIO()
    with contextlib.redirect_stdout(out):
        exec(compile(code, "<numpy_code>", "exec"), {"__name__": "__main__"})  # noqa: S102
    return out.getvalue()


def first_value_control(module: str):
    """A slider or select of the sim that changes its state (the first one not 'speed')."""
    for c in sims.discover()[module].CONTROLS:
        if c.kind in ("slider", "select") and "speed" not in c.name and "steps" not in c.name:
            return c
    return None


@pytest.mark.parametrize(("slug", "module"), WITH_VIEW, ids=[s for s, _ in WITH_VIEW])
def test_show_numpy_shows_the_engines_script_for_the_state_on_screen(open_sim, slug, module):
    page, log = open_sim(slug)
    wait_ready(page)
    assert page.is_hidden("#numpy-panel"), "the NumPy panel is open before anyone asks"
    page.click("#numpy-toggle")
    code = shown_code(page)
    expected = cpython_call(f"{module}.numpy_code", {"state": state(page)})
    assert code == expected, f"{slug}: the panel differs from CPython's numpy_code"
    assert code.lstrip().startswith("import numpy as np"), code[:80]
    printed = run_here(code)
    assert printed.strip(), f"{slug}: the script prints nothing"
    # it follows the state: change a setting, the script is the new state's
    control = first_value_control(module)
    if control is not None:
        before = snapshot(page)
        values = control.values if control.kind == "select" else [control.min, control.max]
        now = state(page)["params"].get(control.name)
        other = next(v for v in values if str(v) != str(now))
        set_control(page, control.name, other)
        wait_state_change(page, before)
        page.wait_for_timeout(100)
        code2 = shown_code(page)
        assert code2 == cpython_call(f"{module}.numpy_code", {"state": state(page)}), slug
    page.click("#numpy-toggle")
    assert page.is_hidden("#numpy-panel") and page.text_content("#numpy-toggle") == "Show NumPy"
    assert log.problems() == [], log.problems()


def test_the_shown_script_prints_the_same_in_pyodide_as_in_cpython(open_sim):
    slug, module = WITH_VIEW[0]
    page, _ = open_sim(slug)
    wait_ready(page)
    page.click("#numpy-toggle")
    code = shown_code(page)
    wrapper = (
        "import contextlib, io\n_out = io.StringIO()\n"
        "with contextlib.redirect_stdout(_out):\n"
        f"    exec({json.dumps(code)}, {{'__name__': '__main__'}})\n"
        "_out.getvalue()"
    )
    in_pyodide = page.evaluate("(src) => window.microsim.engine.runPython(src)", wrapper)
    assert in_pyodide == run_here(code), "the script prints differently in Pyodide"


def test_copy_puts_the_script_on_the_clipboard(browser, site_url):
    slug, _ = WITH_VIEW[0]
    context = browser.new_context(permissions=["clipboard-read", "clipboard-write"])
    try:
        page = context.new_page()
        page.goto(f"{site_url}sims/{slug}/main.html")
        wait_ready(page)
        page.click("#numpy-toggle")
        code = shown_code(page)
        page.click("#numpy-copy")
        page.wait_for_function(
            "() => document.getElementById('numpy-copy').textContent === 'Copied'"
        )
        assert page.evaluate("() => navigator.clipboard.readText()") == code
    finally:
        context.close()

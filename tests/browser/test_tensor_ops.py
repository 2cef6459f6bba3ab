"""Tensor Operations Visualizer in Chromium: controls, Apply, errors, parity with CPython.

One page is shared by the tests of this module (the engine takes a while to load); each test
starts from the default state with ``reset``.
"""

from __future__ import annotations

import json
import re
import time

import numpy as np
import pytest

from sims import tensor_ops as tops
from sims._contract import defaults
from tests.browser.harness import (
    assert_close,
    assert_parity,
    cpython_call,
    set_control,
    sim_page,
    snapshot,
    state,
    wait_ready,
    wait_state_change,
)

SLUG = "tensor-operations"


@pytest.fixture(scope="module")
def shared(shared_context, site_url):
    with sim_page(shared_context, site_url, SLUG, height=900) as opened:
        yield opened


@pytest.fixture
def page(shared):
    page, _ = shared
    for control in tops.CONTROLS:
        if control.has_value:
            page.evaluate(
                "([n, v]) => window.microsim.setControl(n, v)", [control.name, control.default]
            )
    page.evaluate("() => window.microsim.reinit()")
    page.wait_for_function(
        "() => !window.microsim.state.applied && "
        "window.microsim.state.params.op === 'reshape' && "
        "window.microsim.state.params.shape === '(2, 3, 4)'"
    )
    return page


def change(page, name, value) -> dict:
    """Set a control as a user would; the new state must equal CPython's set_param."""
    before = state(page)
    snap = snapshot(page)
    set_control(page, name, value)
    after = wait_state_change(page, snap)
    expected = cpython_call("tensor_ops.set_param", {"state": before, "name": name, "value": value})
    assert_close(after, expected, path=f"after {name}={value!r}")
    return after


def test_page_is_ready_without_console_errors_or_off_origin_requests(shared):
    page, log = shared
    assert page.evaluate("document.documentElement.dataset.engine") == "ready"
    assert log.problems() == [], log.problems()
    assert log.off_origin() == [], log.off_origin()


def test_every_value_control_changes_the_state_as_in_cpython(page):
    changes = [
        ("shape", "(3, 4)"),
        ("target", "(2, 6)"),
        ("op", "transpose"),
        ("axes", "(1, 0)"),
        ("op", "unsqueeze"),
        ("axis", 1),
        ("op", "concatenate"),
        ("second", "(3, 2)"),
        ("op", "einsum"),
        ("einsum", "bqd,bkd->bqk"),
        ("speed", 7),
    ]
    for name, value in changes:
        change(page, name, value)
    s = state(page)
    assert s["params"]["speed"] == 7 and s["params"]["einsum"] == "bqd,bkd->bqk"


def test_apply_button_applies_and_animates_to_the_end(page):
    before = state(page)
    set_control(page, "apply", None)
    page.wait_for_function("() => window.microsim.state.applied === true")
    assert_close(state(page), cpython_call("tensor_ops.apply", {"state": before}))
    page.wait_for_function(
        "() => document.getElementById('draw-region').dataset.anim === 'done'", timeout=15_000
    )


def test_speed_slider_changes_the_animation_time(page):
    def duration(speed):
        set_control(page, "speed", speed)
        page.wait_for_function("(v) => window.microsim.state.params.speed === v", arg=speed)
        start = time.monotonic()
        set_control(page, "apply", None)
        page.wait_for_function(
            "() => document.getElementById('draw-region').dataset.anim === 'running'"
        )
        page.wait_for_function(
            "() => document.getElementById('draw-region').dataset.anim === 'done'", timeout=20_000
        )
        return time.monotonic() - start

    fast, slow = duration(10), duration(2)
    assert slow > 2 * fast, f"speed 2 took {slow:.2f} s, speed 10 {fast:.2f} s"


def test_use_result_button_makes_the_result_the_input(page):
    change(page, "op", "transpose")
    before = state(page)
    snap = snapshot(page)
    set_control(page, "use_result", None)
    after = wait_state_change(page, snap)
    assert_close(after, cpython_call("tensor_ops.use_result", {"state": before}))
    assert after["params"]["shape"] == "(4, 2, 3)"
    assert page.eval_on_selector("[data-control=shape]", "el => el.value") == "(4, 2, 3)"


def test_reshape_2_3_4_into_5_5_shows_the_engine_error(page):
    s = change(page, "target", "(5, 5)")
    message = "cannot reshape (2, 3, 4) = 24 elements into (5, 5) = 25 elements"
    assert s["error"] == message and s["result_shape"] is None
    assert message in page.text_content("#status")
    assert message in page.get_attribute("#draw-region", "aria-label")
    # the sim keeps working
    s = change(page, "target", "(3, 8)")
    assert s["error"] is None and s["result_shape"] == [3, 8]


def test_concatenate_and_broadcast_give_numpys_shapes(page):
    change(page, "op", "concatenate")
    s = change(page, "axis", 2)
    assert s["result_shape"] == list(np.concatenate([np.zeros((2, 3, 4))] * 2, axis=2).shape)
    s = change(page, "op", "broadcast")
    assert s["params"]["second"] == "(3, 4)"
    assert page.eval_on_selector("[data-control=second]", "el => el.value") == "(3, 4)"
    assert s["result_shape"] == [2, 3, 4]
    s = change(page, "second", "(5, 1, 1, 4)")
    assert s["result_shape"] == list(np.broadcast_shapes((2, 3, 4), (5, 1, 1, 4)))
    assert [r["rule"] for r in s["broadcast_rules"]][
        0
    ] == "missing in a: treated as 1, then stretched to 5"


def test_a_4d_tensor_is_drawn_as_nested_boxes_with_every_axis_labelled(page):
    change(page, "target", "(4, 12)")
    change(page, "shape", "(2, 2, 3, 4)")
    page.wait_for_function(
        "() => (document.getElementById('draw-region').dataset.layout || '').includes('[2,2,3,4]')"
    )
    drawn = json.loads(page.get_attribute("#draw-region", "data-layout"))
    a, result = drawn
    # 4-D: one outer box (axis 0) holding two 3-D boxes (axis 1), each holding two 3 x 4 grids
    assert (a["shape"], a["frames"], a["grids"], a["cells"]) == ([2, 2, 3, 4], 3, 4, 48), a
    labelled = {int(m.group(1)) for lab in a["labels"] if (m := re.match(r"axis (\d+): ", lab))}
    assert labelled == {0, 1, 2, 3}, a["labels"]
    assert "axis 0: 2" in a["labels"] and "axis 3: 4" in a["labels"], a["labels"]
    assert (result["shape"], result["grids"], result["cells"]) == ([4, 12], 1, 48), result
    assert a["c"] >= 16 and result["c"] >= 16, "cells too small to read at 1000 px"


def test_typed_text_is_never_inserted_as_html(page):
    s = change(page, "shape", "<img src=x onerror=1>")  # within the box's 24 characters
    assert s["error_field"] == "shape"
    assert page.query_selector("#status img, #notes img, #draw-region img") is None


@pytest.mark.parametrize(
    ("action", "args"),
    [
        ("initial_state", {"params": {**defaults(tops.CONTROLS), "op": "stack", "axis": -1}}),
        (
            "initial_state",
            {
                "params": {
                    **defaults(tops.CONTROLS),
                    "op": "transpose",
                    "shape": "(2, 2, 3, 4)",
                    "axes": "(3, 1, 0, 2)",
                }
            },
        ),
        ("initial_state", {"params": {**defaults(tops.CONTROLS), "op": "einsum"}}),
    ],
)
def test_pyodide_and_cpython_agree_on_element_mappings(shared, action, args):
    page, _ = shared
    assert_parity(page, f"tensor_ops.{action}", args)


def test_bad_text_in_the_url_shows_a_note_and_the_error(open_sim):
    page, log = open_sim(SLUG, "target=(5,%205)&op=reshape")
    wait_ready(page)
    page.wait_for_function("() => window.microsim.state.error !== null")
    notes = page.text_content("#notes")
    assert "target=" in notes and "cannot reshape (2, 3, 4)" in notes, notes
    assert log.problems() == [], log.problems()

"""Browser tests of neural-network-architecture: the page runs the same engine as CPython.

Two pages are shared by the tests of this module (loading Pyodide is the slow part): one at
1000 px with default settings, one at 400 px opened with URL parameters.
"""

from __future__ import annotations

import pytest

from engine import dense
from sims import architecture as arch
from tests.browser.harness import (
    assert_close,
    assert_parity,
    browser_call,
    cpython_call,
    set_control,
    sim_page,
    snapshot,
    state,
    wait_state_change,
)
from tests.sims.test_architecture import expected_readout, readout_rows, total_line

SLUG = "neural-network-architecture"


@pytest.fixture(scope="module")
def sim(shared_context, site_url):
    with sim_page(shared_context, site_url, SLUG, height=1000) as opened:
        yield opened


@pytest.fixture(scope="module")
def narrow(shared_context, site_url):
    query = "n_hidden=3&h1=64&h3=16&act2=tanh&n_in=10&show_weights=true&show_dims=1&h9=2"
    with sim_page(shared_context, site_url, SLUG, query, width=400, height=1000) as (page, log):
        page.wait_for_function("() => window.microsim.state.params.h1 === 64")
        yield page, log


def reset(page):
    """Back to the defaults (through the engine in the page)."""
    page.evaluate("async () => { await window.microsim.reinit(); }")
    for control in arch.CONTROLS:
        if control.has_value:
            set_control_silently(page, control.name, control.default)
    page.evaluate("async () => { await window.microsim.reinit(); }")


def set_control_silently(page, name, value):
    page.evaluate("([n, v]) => window.microsim.setControl(n, v)", [name, value])


def act_and_compare(page, control, value, action="set_param", args=None):
    """Use a control like a user; the new state equals CPython's action on the old state."""
    before = state(page)
    snap = snapshot(page)
    set_control(page, control, value)
    after = wait_state_change(page, snap)
    if args is None:
        args = {"name": control, "value": value}
    expected = cpython_call(f"architecture.{action}", {"state": before, **args})
    assert_close(after, expected, path=f"{control}={value!r}")
    return after


def test_ready_with_no_console_error_and_no_off_origin_request(sim):
    page, log = sim
    assert page.evaluate("document.documentElement.dataset.engine") == "ready"
    assert log.problems() == [], log.problems()
    assert log.off_origin() == [], log.off_origin()


def test_parameter_count_of_4_8_8_2_is_130_computed_in_the_browser(sim):
    page, _ = sim
    result = browser_call(page, "architecture.initial_state", {"params": {}})
    assert result["sizes"] == [4, 8, 8, 2], result["sizes"]
    assert result["total_params"] == 130, result["total_params"]
    assert result["breakdown"] == "40 + 72 + 18", result["breakdown"]
    # the engine in Pyodide, called directly, agrees
    direct = page.evaluate(
        """() => window.microsim.engine.runPython(
            'from engine import dense; dense.param_count([4, 8, 8, 2])')"""
    )
    assert direct == 130, direct
    # and it is what the canvas shows
    lines = page.evaluate("() => window.__nnArchLayout.infoLines")
    assert lines[0] == "Parameters: 130 = 40 + 72 + 18", lines


def test_numbers_in_the_page_equal_cpython_for_every_action(sim):
    page, _ = sim
    start = state(page)
    for action, args in [
        ("set_param", {"name": "h2", "value": 20}),
        ("set_param", {"name": "break_layer", "value": "3"}),
        ("next_layer", {}),
        ("flow_step", {}),
        ("reset_flow", {}),
    ]:
        assert_parity(page, f"architecture.{action}", {"state": start, **args})
    big = {"n_in": "64", "n_hidden": 5, **{f"h{k}": 64 for k in range(1, 6)}, "n_out": "10"}
    out = assert_parity(page, "architecture.initial_state", {"params": big})
    assert out["total_params"] == dense.param_count([64] * 6 + [10])


def test_every_value_control_changes_the_state_as_cpython_does(sim):
    page, log = sim
    reset(page)
    for control in arch.CONTROLS:
        if not control.has_value:
            continue
        if control.kind == "checkbox":
            value = not control.default
        elif control.kind == "select":
            value = next(v for v, _ in control.options if v != control.default)
        elif control.name == "highlight":  # its slider runs 0…L of this network
            value = state(page)["highlight_max"]
        else:
            value = control.max if control.default != control.max else control.min
        act_and_compare(page, control.name, value)
    assert log.problems() == [], log.problems()
    reset(page)


def test_layer_count_and_neuron_sliders_rebuild_the_network(sim):
    page, _ = sim
    reset(page)
    after = act_and_compare(page, "n_hidden", 4)
    assert after["sizes"] == [4, 8, 8, 8, 8, 2]
    after = act_and_compare(page, "h3", 32)
    assert after["layers"][2]["W_shape"] == [32, 8] and after["layers"][3]["W_shape"] == [8, 32]
    after = act_and_compare(page, "n_out", "10")
    assert after["sizes"][-1] == 10 and after["layers"][-1]["W_shape"] == [10, 8]
    # controls of layers beyond the count are disabled, those in use are not
    disabled = page.evaluate(
        "() => [1,2,3,4,5].map(k => document.querySelector(`[data-control=h${k}]`).disabled)"
    )
    assert disabled == [False, False, False, False, True], disabled
    reset(page)


def test_next_layer_button_steps_through_the_layers_with_their_equation(sim):
    page, _ = sim
    reset(page)
    seen = []
    for _ in range(4):
        after = act_and_compare(page, "next_layer", None, action="next_layer", args={})
        seen.append(after["highlight"]["layer"])
    assert seen == [1, 2, 3, 1], seen
    after = act_and_compare(page, "next_layer", None, action="next_layer", args={})
    assert after["highlight"]["equation"] == "a[2] = ReLU(W[2] a[1] + b[2])"
    lines = page.evaluate("() => window.__nnArchLayout.infoLines")
    assert "a[2] = ReLU(W[2] a[1] + b[2])" in lines, lines
    assert "W[2]: 8×8, a[1]: 8×1, b[2]: 8×1 → a[2]: 8×1" in lines, lines
    slider = page.eval_on_selector("[data-control=highlight]", "el => Number(el.value)")
    assert slider == 2, "the highlight slider does not follow the Next layer button"
    reset(page)


def test_breaking_a_connection_shows_the_engines_dimension_error(sim):
    page, _ = sim
    reset(page)
    after = act_and_compare(page, "break_layer", "2")
    try:
        dense.matmul_shape_check((8, 9), (8, 1), layer=2)
    except dense.DimensionError as exc:
        expected = str(exc)
    assert after["mismatch"]["error"] == expected, after["mismatch"]
    lines = page.evaluate("() => window.__nnArchLayout.infoLines")
    assert f"✗ {expected}" in lines, lines
    reset(page)


def test_data_flow_animation_moves_layer_by_layer_and_pauses(sim):
    page, _ = sim
    reset(page)
    set_control(page, "speed", 20)
    page.wait_for_function("() => window.microsim.state.params.speed === 20")
    set_control(page, "play", None)
    page.wait_for_function("() => window.microsim.state.flow.pos >= 5", timeout=10_000)
    assert page.text_content("[data-control=play]") == "Pause data flow"
    set_control(page, "play", None)  # pause
    page.wait_for_function(
        "() => document.querySelector('[data-control=play]').textContent === 'Play data flow'"
    )
    paused = state(page)["flow"]["pos"]
    page.wait_for_timeout(400)
    assert state(page)["flow"]["pos"] == paused, "the flow kept moving after Pause"
    # the flow state in the page is CPython's for the same position
    expected = cpython_call("architecture.initial_state", {"params": state(page)["params"]})
    assert expected["flow"]["pos"] == 0
    lines = page.evaluate("() => window.__nnArchLayout.infoLines")
    assert any(line.startswith("Data flow: ") for line in lines), lines
    reset(page)


def test_flow_stops_at_a_broken_connection(sim):
    page, _ = sim
    reset(page)
    set_control(page, "speed", 20)
    set_control(page, "break_layer", "2")
    page.wait_for_function("() => window.microsim.state.mismatch !== null")
    set_control(page, "play", None)
    page.wait_for_function("() => window.microsim.state.flow.stopped === true", timeout=10_000)
    page.wait_for_function(
        "() => document.querySelector('[data-control=play]').textContent === 'Play data flow'"
    )
    s = state(page)
    assert s["flow"]["pos"] == arch.FLOW_SUBSTEPS + 2, s["flow"]
    assert "stopped at layer 2" in s["flow"]["text"], s["flow"]["text"]
    reset(page)


def test_toggles_change_the_drawing(sim):
    page, _ = sim
    reset(page)

    def pixels():
        return page.evaluate(
            """() => {
                const c = document.querySelector('#draw-region canvas');
                const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
                let h = 0;
                for (let i = 0; i < d.length; i += 16) h = (h * 31 + d[i]) % 1000000007;
                return h;
            }"""
        )

    base = pixels()
    act_and_compare(page, "show_weights", True)
    with_weights = pixels()
    act_and_compare(page, "show_dims", True)
    with_dims = pixels()
    assert len({base, with_weights, with_dims}) == 3, "a toggle did not change the drawing"
    reset(page)


def test_narrow_page_with_url_parameters_abbreviates_big_layers(narrow):
    page, log = narrow
    s = state(page)
    assert s["sizes"] == [10, 64, 8, 16, 2], s["sizes"]
    expected = cpython_call("architecture.initial_state", {"params": s["params"]})
    assert_close(s, expected, path="state from URL parameters")
    layout = page.evaluate("() => window.__nnArchLayout")
    assert layout["width"] <= 400
    drawn = [c["drawn"] for c in layout["columns"]]
    assert max(drawn) <= 10, f"too many circles drawn at 400 px: {drawn}"
    assert layout["columns"][1]["ellipsis"] and layout["columns"][1]["n"] == 64
    notes = page.text_content("#notes")
    assert "h9" in notes, notes
    assert log.problems() == [], log.problems()


def test_keyboard_highlights_layers_on_the_canvas(narrow):
    page, _ = narrow
    page.focus("#draw-region")
    before = snapshot(page)
    page.keyboard.press("ArrowRight")
    after = wait_state_change(page, before)
    assert after["highlight"]["layer"] == 1, after["highlight"]
    before = snapshot(page)
    page.keyboard.press("ArrowLeft")
    after = wait_state_change(page, before)
    assert after["highlight"]["layer"] == after["L"], after["highlight"]
    # quick presses each move one layer (relative actions on the latest state, none lost)
    for _ in range(3):
        page.keyboard.press("ArrowRight")
    page.wait_for_function("() => window.microsim.state.params.highlight === 3", timeout=10_000)


@pytest.mark.parametrize(
    ("n_hidden", "break_layer"), [(2, "none"), (2, "2"), (2, "3"), (3, "1"), (1, "2")]
)
def test_rendered_readout_matches_the_state_and_a_count_from_the_layer_sizes(
    sim, n_hidden, break_layer
):
    """The lines drawn on the canvas are the state's info lines; their shapes, per-matrix
    counts and total are the state's layers and total, and a count from the layer sizes."""
    page, _ = sim
    reset(page)
    if n_hidden != state(page)["params"]["n_hidden"]:
        act_and_compare(page, "n_hidden", n_hidden)
    if break_layer != "none":
        act_and_compare(page, "break_layer", break_layer)
    s = state(page)
    page.wait_for_function(
        "(t) => window.__nnArchLayout && window.__nnArchLayout.infoLines[0] === t",
        arg=s["info"][0]["text"],
        timeout=5_000,
    )
    drawn = page.evaluate("() => window.__nnArchLayout.infoLines")
    texts = [line["text"] for line in s["info"]]
    it = iter(texts)
    assert all(line in it for line in drawn), f"drawn {drawn}\nnot in order in the state {texts}"
    broken = int(break_layer) if break_layer != "none" else 0
    expected = expected_readout(s["sizes"], broken)
    assert len(s["sizes"]) == n_hidden + 2, s["sizes"]
    assert readout_rows(drawn) == expected, f"drawn {readout_rows(drawn)}\nexpected {expected}"
    from_state = [
        (
            lay["layer"],
            *lay["W_shape_shown"],
            lay["weights_shown"],
            lay["biases"],
            lay["params_shown"],
        )
        for lay in s["layers"]
    ]
    assert from_state == expected, f"state {from_state}\nexpected {expected}"
    assert drawn[0] == total_line(expected), (drawn[0], total_line(expected))
    assert s["total_params"] == sum(row[-1] for row in expected), s["total_params"]


def slider_range(page) -> dict:
    return page.evaluate(
        """() => {
            const el = document.querySelector('[data-control=highlight]');
            const opts = [...document.querySelector('[data-control=break_layer]').options];
            return {min: Number(el.min), max: Number(el.max), value: Number(el.value),
                    breakable: opts.filter(o => !o.disabled && o.value !== 'none').map(o => o.value)};
        }"""
    )


def test_highlight_slider_range_follows_the_number_of_layers(sim):
    page, _ = sim
    reset(page)
    for n_hidden in [1, 4, 2, 5]:
        s = act_and_compare(page, "n_hidden", n_hidden)
        got = slider_range(page)
        L = n_hidden + 1
        assert (got["min"], got["max"]) == (0, L) and s["highlight_max"] == L, (got, s["L"])
        assert got["breakable"] == [str(k) for k in range(1, L + 1)], got
    s = act_and_compare(page, "highlight", 6)
    assert slider_range(page)["value"] == 6 == s["highlight"]["layer"]
    # the network shrinks under the highlight: the setting and the slider follow
    s = act_and_compare(page, "n_hidden", 1)
    assert s["params"]["highlight"] == 2 == s["highlight"]["layer"], s["params"]["highlight"]
    assert slider_range(page)["max"] == 2 and slider_range(page)["value"] == 2, slider_range(page)
    reset(page)


def test_url_highlight_beyond_the_default_network_is_kept(shared_context, site_url):
    """?n_hidden=4&highlight=5: the embedded state has 3 layers, the page's network 5."""
    with sim_page(shared_context, site_url, SLUG, "n_hidden=4&highlight=5") as (page, log):
        page.wait_for_function("() => window.microsim.state.params.n_hidden === 4")
        s = state(page)
        assert s["highlight"]["layer"] == 5 and s["notes"] == [], (s["highlight"], s["notes"])
        got = slider_range(page)
        assert (got["max"], got["value"]) == (5, 5), got
        assert log.problems() == [], log.problems()

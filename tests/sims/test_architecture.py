"""sims/architecture.py in CPython: shapes, counts, equations, flow and the mismatch demo,
each checked against an independent computation (hand counts, plain NumPy)."""

from __future__ import annotations

import json
import re

import numpy as np
import pytest

from engine import activations as act
from engine import dense
from sims import architecture as arch
from sims._contract import dumps, fmt


@pytest.fixture
def default():
    return arch.initial_state({})


def hand_count(sizes: list[int]) -> list[int]:
    """Σ n_l·n_(l−1) + n_l per layer, by hand (no engine)."""
    return [n_out * n_in + n_out for n_in, n_out in zip(sizes[:-1], sizes[1:], strict=True)]


def test_default_is_4_8_8_2_relu_softmax_with_130_parameters(default):
    assert default["sizes"] == [4, 8, 8, 2], default["sizes"]
    assert default["activations"] == ["relu", "relu", "softmax"], default["activations"]
    assert default["total_params"] == 130, default["total_params"]
    assert default["breakdown"] == "40 + 72 + 18", default["breakdown"]
    assert [lay["params"] for lay in default["layers"]] == [40, 72, 18]
    assert default["total_weights"] == 4 * 8 + 8 * 8 + 8 * 2
    assert default["total_biases"] == 8 + 8 + 2


def test_defaults_hidden_toggles_off_and_no_highlight(default):
    p = default["params"]
    assert (p["show_dims"], p["show_weights"], p["highlight"], p["break_layer"]) == (
        False,
        False,
        0,
        "none",
    )
    assert default["highlight"] is None and default["mismatch"] is None


@pytest.mark.parametrize("sizes", [[1, 1, 1], [64, 64, 64, 64, 64, 64, 10], [3, 17, 2, 5, 1]])
def test_weight_and_bias_shapes_and_counts_match_a_hand_count(sizes):
    params = {"n_in": str(sizes[0]), "n_out": str(sizes[-1]), "n_hidden": len(sizes) - 2}
    params.update({f"h{k}": n for k, n in enumerate(sizes[1:-1], start=1)})
    if str(sizes[0]) not in [v for v, _ in arch._KINDS["n_in"].options]:
        pytest.skip("input size not offered")
    state = arch.initial_state(params)
    assert state["sizes"] == sizes
    for lay, n_in, n_out in zip(state["layers"], sizes[:-1], sizes[1:], strict=True):
        assert lay["W_shape"] == [n_out, n_in], (lay["layer"], lay["W_shape"])
        assert lay["b_shape"] == [n_out, 1], (lay["layer"], lay["b_shape"])
    assert [lay["params"] for lay in state["layers"]] == hand_count(sizes)
    assert state["total_params"] == sum(hand_count(sizes))


def test_node_values_equal_engine_forward_with_the_same_weights(default):
    sizes, acts = default["sizes"], default["activations"]
    weights = dense.init_params(sizes, np.random.default_rng(arch.SEED))
    x = np.random.default_rng([arch.SEED, 1]).standard_normal((sizes[0], 1))
    # an independent forward pass in plain NumPy
    a = x
    values = [a[:, 0]]
    for (W, b), name in zip(weights, acts, strict=True):
        z = W @ a + b
        e = np.exp(z - z.max())
        a = e / e.sum() if name == "softmax" else np.maximum(z, 0)
        values.append(a[:, 0])
    np.testing.assert_allclose(default["output"]["values"], values[-1], rtol=1e-12)
    for col, v in zip(default["columns"], values, strict=True):
        peak = np.max(np.abs(v))
        expected = v / peak if peak > 0 else np.zeros_like(v)
        np.testing.assert_allclose(col["shade"], expected, rtol=1e-12, err_msg=col["name"])


def test_highlight_shows_equation_and_shapes_of_that_layer(default):
    state = arch.set_param(default, "highlight", 2)
    hl = state["highlight"]
    assert hl["equation"] == "a[2] = ReLU(W[2] a[1] + b[2])", hl["equation"]
    assert hl["shapes"] == "W[2]: 8×8, a[1]: 8×1, b[2]: 8×1 → a[2]: 8×1", hl["shapes"]
    assert hl["ok"] is True
    out = arch.set_param(default, "highlight", 3)["highlight"]
    assert out["equation"] == "a[3] = Softmax(W[3] a[2] + b[3])"
    assert out["shapes"] == "W[3]: 2×8, a[2]: 8×1, b[3]: 2×1 → a[3]: 2×1"


def test_highlight_beyond_the_network_is_clamped_with_a_note(default):
    state = arch.set_param(default, "highlight", 6)
    assert state["highlight"]["layer"] == 3
    # the setting itself is clamped, so the slider shows the layer that is highlighted
    assert state["params"]["highlight"] == 3, state["params"]["highlight"]
    assert any("does not exist" in n for n in state["notes"]), state["notes"]
    # the note goes with the next state: the setting is now in range
    assert arch.set_param(state, "show_dims", True)["notes"] == []
    # a network that shrinks under the highlight clamps it too
    deep = arch.set_param(arch.set_param(default, "n_hidden", 5), "highlight", 6)
    assert deep["params"]["highlight"] == 6 and deep["notes"] == [], deep["notes"]
    shallow = arch.set_param(deep, "n_hidden", 1)
    assert shallow["params"]["highlight"] == 2 == shallow["highlight"]["layer"]


@pytest.mark.parametrize("n_hidden", [1, 2, 3, 4, 5])
def test_highlight_range_is_0_to_the_number_of_layers(n_hidden):
    state = arch.initial_state({"n_hidden": n_hidden})
    L = n_hidden + 1  # hidden layers plus the output layer
    assert state["highlight_max"] == L == state["L"], (state["highlight_max"], L)
    # the Control declares the largest range any network has: 5 hidden layers + output
    control = arch.SETTINGS.control("highlight")
    assert (control.min, control.max) == (0, arch.MAX_HIDDEN + 1), (control.min, control.max)
    for value in range(0, arch.MAX_HIDDEN + 2):
        s = arch.set_param(state, "highlight", value)
        assert s["params"]["highlight"] == min(value, L), (value, s["params"]["highlight"])
        assert (s["highlight"] or {}).get("layer", 0) == min(value, L)


def test_next_layer_cycles_1_to_L_then_back_to_1(default):
    seen = []
    state = default
    for _ in range(4):
        state = arch.next_layer(state)
        seen.append(state["params"]["highlight"])
    assert seen == [1, 2, 3, 1], seen


@pytest.mark.parametrize("action", ["next_layer", "prev_layer"])
@pytest.mark.parametrize("damaged_L", [0, -1, 99])
def test_layer_stepping_on_a_damaged_L_is_refused_not_a_crash(default, action, damaged_L):
    """A state whose L says 0 made next_layer divide by zero (found by test_fuzz): the bridge
    now refuses L outside 1..6, and the action takes L from the checked settings."""
    from sims._bridge import call

    state = json.loads(dumps({**default, "L": damaged_L}))
    answer = json.loads(call(f"architecture.{action}", json.dumps({"state": state})))
    assert answer.get("type") == "ValueError" and "state.L" in answer["error"], answer
    # and given the true L, stepping works from the settings alone
    good = json.loads(
        call(f"architecture.{action}", json.dumps({"state": json.loads(dumps(default))}))
    )
    assert "ok" in good, good
    assert 1 <= good["ok"]["params"]["highlight"] <= default["L"], good["ok"]["params"]


def test_break_layer_shows_the_engines_dimension_error(default):
    state = arch.set_param(default, "break_layer", "2")
    with pytest.raises(dense.DimensionError) as err:
        dense.matmul_shape_check((8, 9), (8, 1), layer=2)
    assert state["mismatch"]["error"] == str(err.value), state["mismatch"]
    assert state["mismatch"]["W_shape"] == [8, 9]
    assert state["layers"][1]["broken"] and state["layers"][1]["W_shape_shown"] == [8, 9]
    assert state["output"] is None
    # the highlighted broken layer says why
    hl = arch.set_param(state, "highlight", 2)["highlight"]
    assert hl["ok"] is False and "≠" in hl["rule"], hl


def test_break_layer_beyond_the_network_is_a_note_not_an_error(default):
    state = arch.set_param(default, "break_layer", "5")
    assert state["mismatch"] is None
    assert any("no W[5]" in n for n in state["notes"]), state["notes"]


def test_flow_walks_layer_by_layer_and_loops(default):
    state = default
    positions, texts = [], []
    for _ in range(arch.FLOW_SUBSTEPS * 3 + 1):
        state = arch.flow_step(state)
        positions.append(state["flow"]["pos"])
        texts.append(state["flow"]["text"])
    assert positions == [*range(1, 13), 0], positions
    assert texts[3] == "a[1] = ReLU(W[1] a[0] + b[1]): 8×1", texts[3]
    assert texts[11] == "a[3] = Softmax(W[3] a[2] + b[3]): 2×1", texts[11]
    assert texts[4] == "a[1] (8×1) → W[2] (8×8) → a[2] (8×1)", texts[4]


def test_flow_stops_at_a_broken_connection(default):
    state = arch.set_param(default, "break_layer", "2")
    for _ in range(20):
        state = arch.flow_step(state)
        if state["flow"]["stopped"]:
            break
    assert state["flow"]["stopped"], state["flow"]
    assert state["flow"]["pos"] == arch.FLOW_SUBSTEPS + 2
    assert state["columns"][2]["shade"] is None  # a[2] cannot be computed
    assert state["message"] == state["mismatch"]["error"]
    # its info line says "Data flow" once
    line = next(ln["text"] for ln in state["info"] if ln.get("while_flowing"))
    assert line == "Data flow stopped at layer 2: W[2] is 8×9 but a[1] is 8×1.", line
    assert arch.flow_step(state)["flow"]["pos"] == 0  # the next step starts over


def test_architecture_change_resets_flow_but_a_toggle_keeps_it(default):
    moved = arch.flow_step(arch.flow_step(default))
    assert arch.set_param(moved, "show_dims", True)["flow"]["pos"] == 2
    assert arch.set_param(moved, "h1", 16)["flow"]["pos"] == 0


def test_activation_icons_come_from_the_engine(default):
    icon = default["columns"][1]["activation"]["icon"]
    z = np.linspace(-3, 3, arch.ICON_POINTS)
    a = act.relu(z)
    expected_v = (a - a.min()) / (a.max() - a.min())
    np.testing.assert_allclose([v for _, v in icon["points"]], expected_v)
    bars = default["columns"][3]["activation"]["icon"]
    np.testing.assert_allclose(bars["values"], act.softmax(np.array([2.0, 1.0, 0.1])))


def test_unused_layer_controls_still_change_the_state(default):
    state = arch.set_param(default, "h5", 30)
    assert state["params"]["h5"] == 30 and state["sizes"] == [4, 8, 8, 2]
    assert "not in use" in state["message"], state["message"]
    assert arch.set_param(default, "act4", "tanh")["params"]["act4"] == "tanh"


def test_every_value_control_changes_the_state(default):
    for control in arch.CONTROLS:
        if not control.has_value:
            continue
        if control.kind == "checkbox":
            value = not control.default
        elif control.kind == "select":
            value = next(v for v, _ in control.options if v != control.default)
        else:
            value = control.default + control.step
        new = arch.set_param(default, control.name, value)
        assert new != default, control.name


def test_softmax_with_one_output_gets_a_note():
    state = arch.initial_state({"n_out": "1"})
    assert any("Softmax over one output" in n for n in state["notes"]), state["notes"]


def test_state_is_json_and_small_enough_for_every_animation_tick():
    big = arch.initial_state(
        {"n_in": "64", "n_hidden": 5, **{f"h{k}": 64 for k in range(1, 6)}, "n_out": "10"}
    )
    text = dumps(big)
    assert json.loads(text)["total_params"] == sum(hand_count([64] * 6 + [10]))
    assert len(text) < 60_000, len(text)


def test_prev_layer_cycles_L_down_to_1_then_back_to_L(default):
    seen = []
    state = default  # no highlight: the first step back is the output layer
    for _ in range(4):
        state = arch.prev_layer(state)
        seen.append(state["params"]["highlight"])
    assert seen == [3, 2, 1, 3], seen
    # a highlight beyond a shrunk network counts from its last layer
    deep = arch.set_param(arch.set_param(default, "n_hidden", 4), "highlight", 5)
    shallow = arch.set_param(deep, "n_hidden", 1)
    assert arch.prev_layer(shallow)["params"]["highlight"] == 1
    assert arch.next_layer(arch.prev_layer(state))["params"]["highlight"] == 3


def info_texts(state: dict) -> list[str]:
    return [line["text"] for line in state["info"]]


def test_info_panel_lines_carry_the_engines_counts_and_the_layers_shapes(default):
    lines = info_texts(default)
    assert lines[0] == f"Parameters: {sum(hand_count([4, 8, 8, 2]))} = 40 + 72 + 18", lines
    assert "Layer 2: W[2] 8×8 (64) + b[2] 8×1 (8) = 72" in lines, lines
    assert f"{4 * 8 + 8 * 8 + 8 * 2} weights + {8 + 8 + 2} biases" in lines, lines
    assert all(line["wide_only"] for line in default["info"] if line["text"].startswith("Layer "))
    hl = arch.set_param(default, "highlight", 2)
    assert "(8×8)·(8×1) = 8×1;  columns of W[2] = 8 = rows of a[1] ✓" in info_texts(hl)
    broken = arch.set_param(default, "break_layer", "2")
    # the broken W is drawn one column too wide, and counted as drawn: 8·9 = 72 weights
    row = next(line for line in broken["info"] if line["text"].startswith("Layer 2:"))
    assert row["text"] == "Layer 2: W[2] 8×9 (72) + b[2] 8×1 (8) = 80", row
    assert row["color"] == "error", row
    assert info_texts(broken)[0] == "Parameters: 138 = 40 + 80 + 18", info_texts(broken)
    assert "W[2] is 8×9, one column too many; with 8×8 the network has 130." in info_texts(broken)
    assert f"✗ {broken['mismatch']['error']}" in info_texts(broken)


def test_info_panel_shows_the_engines_output_once_the_flow_reaches_it(default):
    state = default
    for _ in range(arch.FLOW_SUBSTEPS * 3):
        state = arch.flow_step(state)
    flow_lines = [line for line in state["info"] if line.get("while_flowing")]
    assert flow_lines[0]["text"] == f"Data flow: {state['flow']['text']}", flow_lines
    y = state["output"]["values"]
    expected = f"ŷ = a[3] = [{', '.join(fmt(v, 2, 2) for v in y)}] (sum {fmt(sum(y), 2, 2)})"
    assert flow_lines[1]["text"] == expected, (flow_lines[1]["text"], expected)
    assert not any(line.get("while_flowing") and "ŷ" in line["text"] for line in default["info"])


def test_connection_labels_and_dimension_labels_use_the_drawn_shapes(default):
    broken = arch.set_param(default, "break_layer", "2")
    assert broken["layers"][1]["label_rows"] == {
        "one": ["W[2] ∈ ℝ^(8×9)", "b[2] ∈ ℝ^8"],
        "two": ["W[2]", "8×9"],
    }
    assert [c["dims"] for c in default["columns"]] == [
        [f"a[{i}]: {n}×1", f"{n}×1"] for i, n in enumerate([4, 8, 8, 2])
    ]


READOUT_ROW = re.compile(
    r"^Layer (\d+): W\[(\d+)\] (\d+)×(\d+) \((\d+)\) \+ b\[(\d+)\] (\d+)×1 \((\d+)\) = (\d+)$"
)


def readout_rows(texts: list[str]) -> list[tuple[int, ...]]:
    """The per-layer rows of a read-out as (l, rows of W, columns of W, weights, biases,
    params), parsed from its text; a row whose layer numbers or bias rows disagree fails."""
    rows = []
    for text in texts:
        m = READOUT_ROW.match(text)
        if m:
            ly, ly_w, r, c, w, ly_b, br, b, total = (int(g) for g in m.groups())
            assert ly == ly_w == ly_b and br == r, text
            rows.append((ly, r, c, w, b, total))
    return rows


def expected_readout(sizes: list[int], broken: int) -> list[tuple[int, ...]]:
    """The same rows counted from the layer sizes alone: W[l] is n_l × n_(l−1) (one column
    more when it is the broken one, 0 = none), n_l biases."""
    rows = []
    for ly, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:], strict=True), start=1):
        cols = n_in + (1 if ly == broken else 0)
        rows.append((ly, n_out, cols, n_out * cols, n_out, n_out * cols + n_out))
    return rows


def total_line(rows: list[tuple[int, ...]]) -> str:
    """The read-out's first line for these rows: their sum and its terms."""
    return f"Parameters: {sum(r[-1] for r in rows)} = {' + '.join(str(r[-1]) for r in rows)}"


def _params_for(sizes: list[int], break_layer: str) -> dict:
    params = {
        "n_in": str(sizes[0]),
        "n_out": str(sizes[-1]),
        "n_hidden": len(sizes) - 2,
        "break_layer": break_layer,
        "act_out": "sigmoid",
    }
    params.update({f"h{k}": n for k, n in enumerate(sizes[1:-1], start=1)})
    return params


@pytest.mark.parametrize(
    ("sizes", "break_layer"),
    [
        ([4, 8, 8, 2], "none"),
        ([4, 8, 8, 2], "1"),
        ([4, 8, 8, 2], "2"),
        ([4, 8, 8, 2], "3"),
        ([3, 17, 2, 5, 1], "none"),
        ([3, 17, 2, 5, 1], "4"),
        ([1, 1, 1], "1"),
        ([64, 64, 64, 64, 64, 64, 10], "6"),
        ([2, 5, 3], "5"),  # no W[5] here: nothing broken, a note
    ],
)
def test_readout_shapes_counts_and_total_agree_with_a_count_from_the_layer_sizes(
    sizes, break_layer
):
    """The read-out as text: each row's W shape is the matrix drawn (n_l × n_(l−1), one
    column more when broken), its counts are that shape's entries, and the total is their
    sum — all counted here from the layer sizes alone."""
    state = arch.initial_state(_params_for(sizes, break_layer))
    assert state["sizes"] == sizes, state["sizes"]
    broken = int(break_layer) if break_layer != "none" and int(break_layer) < len(sizes) else 0
    expected = expected_readout(sizes, broken)
    texts = info_texts(state)
    rows = readout_rows(texts)
    assert rows == expected, f"read-out {rows}\nexpected {expected}"
    assert texts[0] == total_line(expected), (texts[0], total_line(expected))
    weights = sum(row[3] for row in expected)
    biases = sum(row[4] for row in expected)
    assert f"{weights} weights + {biases} biases" in texts, texts
    assert state["total_params"] == sum(row[-1] for row in expected), state["total_params"]
    # the connection labels name the same shapes
    for lay, (ly, r, c, *_rest) in zip(state["layers"], expected, strict=True):
        assert lay["label_rows"]["one"][0] == f"W[{ly}] ∈ ℝ^({r}×{c})", lay["label_rows"]
        assert lay["label_rows"]["two"] == [f"W[{ly}]", f"{r}×{c}"], lay["label_rows"]
    if broken:
        correct = sum(hand_count(sizes))
        ly, r, c = broken, sizes[broken], sizes[broken - 1]
        line = (
            f"W[{ly}] is {r}×{c + 1}, one column too many; with {r}×{c} the network has {correct}."
        )
        assert line in texts, texts
        assert state["mismatch"]["W_shape"] == [r, c + 1], state["mismatch"]
    else:
        assert state["mismatch"] is None and state["total_params"] == sum(hand_count(sizes))

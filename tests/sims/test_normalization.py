"""sims.normalization in CPython: the state's numbers against plain NumPy written out by hand."""

from __future__ import annotations

import json

import numpy as np
import pytest

from engine.norm import sample_activations
from sims import normalization as sim
from sims._contract import defaults, dumps

EPS = sim.FIXED["eps"]


def plain(s: dict) -> dict:
    """The state as the page receives it (JSON), so comparisons are on lists and numbers."""
    return json.loads(dumps(s))


def state(**params):
    return plain(sim.initial_state({**defaults(sim.CONTROLS), **params}))


def _anim_start(s):
    return plain(sim.anim_start(s))


def _anim_step(s):
    return plain(sim.anim_step(s))


def _set_param(s, name, value):
    return plain(sim.set_param(s, name, value))


def _set_focus(s, kind, index):
    return plain(sim.set_focus(s, kind, index))


def tensor(s) -> np.ndarray:
    return np.asarray(s["x"], dtype=float)


def test_the_seed_reproduces_the_tensor_and_scale_shift_act_as_the_chapter_says():
    """Same seed, same tensor (a shared link shows the same numbers); Input scale and shift
    map each channel's values x ↦ shift + μ_c + scale·(x − μ_c) around the channel means
    μ_c = −2, −1/3, 4/3, 3 (engine.norm.sample_activations' documented channels)."""
    base = tensor(state(seed=11, batch=6))
    assert base.shape == (6, 4, 4)
    np.testing.assert_array_equal(tensor(state(seed=11, batch=6)), base)
    assert not np.allclose(tensor(state(seed=12, batch=6)), base), "another seed, other data"
    mu = np.linspace(-2.0, 3.0, 4).reshape(1, 4, 1)
    moved = tensor(state(seed=11, batch=6, scale=2.0, shift=-1.0))
    np.testing.assert_allclose(moved, -1.0 + mu + 2.0 * (base - mu), rtol=1e-12, atol=1e-12)


def test_batch_norm_statistics_are_per_channel_over_batch_and_positions():
    s = state(batch=5, seed=2)
    x = tensor(s)
    for c in range(4):
        values = [x[n, c, pos] for n in range(5) for pos in range(4)]
        mean = sum(values) / len(values)
        var = sum((v - mean) ** 2 for v in values) / len(values)
        assert s["bn"]["batch_mean"][c] == pytest.approx(mean, abs=1e-12), c
        assert s["bn"]["batch_var"][c] == pytest.approx(var, abs=1e-12), c
    assert s["bn"]["shown_mean"] == s["bn"]["batch_mean"]
    assert s["bn"]["shown_label"] == "batch"
    assert s["bn"]["m"] == 20


def test_layer_norm_statistics_are_per_sample_over_channels_and_positions():
    s = state(batch=3)
    x = tensor(s)
    for n in range(3):
        values = x[n].ravel()
        assert s["ln"]["mean"][n] == pytest.approx(values.mean(), abs=1e-12)
        assert s["ln"]["var"][n] == pytest.approx(((values - values.mean()) ** 2).mean(), abs=1e-12)


def test_outputs_are_gamma_times_standardised_plus_beta_for_each_scope():
    s = state(gamma=1.7, beta=-0.4)
    x = tensor(s)
    mu_c, var_c = x.mean(axis=(0, 2), keepdims=True), x.var(axis=(0, 2), keepdims=True)
    mu_n, var_n = x.mean(axis=(1, 2), keepdims=True), x.var(axis=(1, 2), keepdims=True)
    bn_expected = 1.7 * (x - mu_c) / np.sqrt(var_c + EPS) - 0.4
    ln_expected = 1.7 * (x - mu_n) / np.sqrt(var_n + EPS) - 0.4
    np.testing.assert_allclose(s["bn"]["y"], bn_expected, atol=1e-12)
    np.testing.assert_allclose(s["ln"]["y"], ln_expected, atol=1e-12)


def test_inference_uses_running_statistics_from_training_batches_and_layer_norm_is_unchanged():
    p = {**defaults(sim.CONTROLS), "batch": 3, "seed": 5}
    train, infer = state(**p), state(**{**p, "mode": "inference"})
    # the running averages, written out independently of engine.norm.BatchNorm
    rng = np.random.default_rng([5, 1])
    run_mean, run_var = np.zeros(4), np.ones(4)
    for _ in range(sim.FIXED["train_steps"]):
        xb = sample_activations(rng, (3, 4, 4))
        m = xb.shape[0] * xb.shape[2]
        batch_mean = xb.mean(axis=(0, 2))
        batch_var = xb.var(axis=(0, 2)) * m / (m - 1)
        run_mean = 0.9 * run_mean + 0.1 * batch_mean
        run_var = 0.9 * run_var + 0.1 * batch_var
    np.testing.assert_allclose(infer["bn"]["running_mean"], run_mean, atol=1e-12)
    np.testing.assert_allclose(infer["bn"]["running_var"], run_var, atol=1e-12)
    assert infer["bn"]["shown_label"] == "running"
    assert infer["bn"]["shown_mean"] == infer["bn"]["running_mean"]
    x = tensor(infer)
    expected = (x - run_mean[None, :, None]) / np.sqrt(run_var[None, :, None] + EPS)
    np.testing.assert_allclose(infer["bn"]["y"], expected, atol=1e-12)
    diff = np.abs(np.asarray(train["bn"]["y"]) - expected).max()
    assert infer["bn"]["train_infer_max_diff"] == pytest.approx(diff)
    assert diff > 0.05, f"batch and running statistics gave nearly the same output ({diff})"
    assert train["ln"]["y"] == infer["ln"]["y"]
    assert infer["ln"]["train_infer_max_diff"] == 0.0


def running_stats(seed, batch, scale=1.0, shift=0.0):
    """Batch Norm's running μ̂, σ̂² after the sim's training batches, written out here with
    NumPy (not engine.norm.BatchNorm), with each batch's μ_B and unbiased σ²_B."""
    rng = np.random.default_rng([seed, 1])
    run_mean, run_var = np.zeros(4), np.ones(4)
    means, variances = [], []
    for _ in range(sim.FIXED["train_steps"]):
        xb = sample_activations(rng, (batch, 4, 4), scale, shift)
        m = batch * 4
        means.append(xb.mean(axis=(0, 2)))
        variances.append(xb.var(axis=(0, 2)) * m / (m - 1))
        run_mean = 0.9 * run_mean + 0.1 * means[-1]
        run_var = 0.9 * run_var + 0.1 * variances[-1]
    return run_mean, run_var, np.array(means), np.array(variances)


def test_the_animation_shows_the_statistics_each_mode_uses_and_the_cube_reveals():
    """Training: each channel's μ, σ² computed from this batch's values. Inference: the running
    μ̂, σ̂² (from the training batches), the same numbers the cube reveals and the output uses,
    with the training batches' μ_B, σ²_B they are averaged from; Layer Norm alike in both."""
    p = {"batch": 3, "seed": 5, "scale": 1.5, "shift": 1.0}
    run_mean, run_var, means, variances = running_stats(**p)
    for mode in ("train", "inference"):
        s = _anim_start(state(**p, mode=mode))
        x = tensor(s)
        while s["anim"]["phase"] != "done":
            a, i = s["anim"], s["anim"]["index"]
            where = f"{mode} {a['phase']} {i}"
            if a["phase"] == "ln":
                assert a["stat"] == "layer", where
                assert a["mean"] == pytest.approx(x[i].mean(), abs=1e-12), where
                assert a["var"] == pytest.approx(x[i].var(), abs=1e-12), where
                assert s["ln"]["mean"][i] == pytest.approx(a["mean"], abs=1e-12), where
            elif mode == "train":
                assert a["stat"] == "batch", where
                assert a["mean"] == pytest.approx(x[:, i, :].mean(), abs=1e-12), where
                assert a["var"] == pytest.approx(x[:, i, :].var(), abs=1e-12), where
            else:
                assert a["stat"] == "running", where
                assert (a["mean"], a["var"]) == pytest.approx(
                    (run_mean[i], run_var[i]), abs=1e-12
                ), where
                np.testing.assert_allclose(a["train_means"], means[:, i], atol=1e-12)
                np.testing.assert_allclose(a["train_vars"], variances[:, i], atol=1e-12)
                # the shown formula, applied to the shown batches, gives the shown μ̂, σ̂²
                mu_hat, var_hat = a["init_mean"], a["init_var"]
                for mu_b, var_b in zip(a["train_means"], a["train_vars"], strict=True):
                    mu_hat = a["decay"] * mu_hat + a["momentum"] * mu_b
                    var_hat = a["decay"] * var_hat + a["momentum"] * var_b
                assert (mu_hat, var_hat) == pytest.approx((a["mean"], a["var"]), abs=1e-12)
                own = x[:, i, :].mean()
                assert a["batch_mean"] == pytest.approx(own, abs=1e-12), where
                assert abs(own - a["mean"]) > 0.05, f"{where}: batch μ {own} ≈ μ̂ {a['mean']}"
            if a["phase"] == "bn":  # the statistic animated is the one the cube reveals
                shown = (s["bn"]["shown_mean"][i], s["bn"]["shown_var"][i])
                assert (a["mean"], a["var"]) == pytest.approx(shown, abs=1e-12), where
            s = _anim_step(s)


def test_batch_of_1_change_of_sample_0_is_computed_per_mode_and_is_0_at_inference():
    """Training: sample 0 alone is normalised with its own per-channel statistics, so its
    output changes. Inference: both use the running μ̂, σ̂², so it does not (0.00 on screen)."""
    p = {"batch": 4, "seed": 3, "gamma": 1.5, "beta": 0.5}
    train, infer = state(**p), state(**p, mode="inference")
    x = tensor(train)
    mean, var = x[0].mean(axis=1, keepdims=True), x[0].var(axis=1, keepdims=True)
    alone_train = 1.5 * (x[0] - mean) / np.sqrt(var + EPS) + 0.5
    expected_train = np.abs(alone_train - np.asarray(train["bn"]["y"])[0]).max()
    run_mean, run_var, _, _ = running_stats(3, 4)
    alone_infer = 1.5 * (x[0] - run_mean[:, None]) / np.sqrt(run_var[:, None] + EPS) + 0.5
    np.testing.assert_allclose(np.asarray(infer["bn"]["y"])[0], alone_infer, atol=1e-12)
    got = (train["bn"]["alone_max_diff"], infer["bn"]["alone_max_diff"])
    assert got == pytest.approx((expected_train, 0.0), abs=1e-12), got
    assert expected_train > 0.1
    assert f"changes by up to {expected_train:.2f} under Batch Norm" in train["message"]
    assert (
        "changes by 0.00 under Batch Norm (no batch dependency at inference)" in (infer["message"])
    ), infer["message"]
    assert "running μ̂, σ̂²" in infer["message"]


def test_the_table_says_batch_norm_uses_running_statistics_at_inference():
    train, infer = state(batch=5), state(batch=5, mode="inference")
    bn_train, bn_infer = train["table"][0], infer["table"][0]
    assert (bn_train["kind"], bn_train["source"], bn_train["values_per_stat"]) == (
        "batch",
        "this tensor",
        20,
    )
    assert bn_train["here"] == "4 μ, σ² (per channel), 20 values each"
    assert (bn_infer["source"], bn_infer["values_per_stat"], bn_infer["n_stats"]) == (
        "training batches",
        0,
        4,
    )
    assert bn_infer["here"].startswith("4 running μ̂, σ̂² (per channel) from 20 training"), bn_infer[
        "here"
    ]
    assert "at inference none" in bn_infer["batch_dependency"], bn_infer["batch_dependency"]
    assert train["table"][1:] == infer["table"][1:], "the other norms do not change"


def test_batch_dependency_bn_output_of_sample_0_changes_alone_ln_does_not():
    s = state(batch=4)
    x = tensor(s)
    mean, var = x[0].mean(axis=1, keepdims=True), x[0].var(axis=1, keepdims=True)
    alone = (x[0] - mean) / np.sqrt(var + EPS)
    diff = np.abs(alone - np.asarray(s["bn"]["y"])[0]).max()
    assert s["bn"]["alone_max_diff"] == pytest.approx(diff)
    assert s["bn"]["alone_max_diff"] > 0.1
    assert s["ln"]["alone_max_diff"] == 0.0


def test_batch_size_changes_bn_statistics_but_not_ln_statistics_of_the_same_sample():
    small, large = state(batch=2), state(batch=8)
    np.testing.assert_array_equal(tensor(small)[:2], tensor(large)[:2])  # same first samples
    assert small["ln"]["mean"][:2] == large["ln"]["mean"][:2]
    assert small["ln"]["var"][:2] == large["ln"]["var"][:2]
    assert not np.allclose(small["bn"]["batch_mean"], large["bn"]["batch_mean"])


def test_input_scale_and_shift_move_the_before_plot_batch_norm_output_stays():
    base, moved = state(), state(scale=2.5, shift=3.0)
    mu_c = np.linspace(-2.0, 3.0, 4)[None, :, None]
    np.testing.assert_allclose(tensor(moved) - 3.0 - mu_c, 2.5 * (tensor(base) - mu_c), atol=1e-12)
    assert moved["hist"]["before"]["edges"] == base["hist"]["before"]["edges"], "fixed axes"
    assert moved["hist"]["before"]["counts"] != base["hist"]["before"]["counts"]
    assert moved["hist"]["bn"]["counts"] == base["hist"]["bn"]["counts"]
    # each channel is moved by its own affine map x → a_c + 2.5·x: batch norm undoes it
    np.testing.assert_allclose(moved["bn"]["y"], base["bn"]["y"], atol=1e-4)
    # layer norm undoes a shift of every feature, but the scale slider widens each channel
    # around its own mean (the gaps between channel means stay), so its output changes
    shifted = state(shift=3.0)
    np.testing.assert_allclose(shifted["ln"]["y"], base["ln"]["y"], atol=1e-9)
    assert not np.allclose(moved["ln"]["y"], base["ln"]["y"], atol=1e-2)


def test_histograms_count_every_value_of_each_channel_and_stack_in_channel_order():
    s = state(batch=7, gamma=3.0, beta=2.5, scale=3.0, shift=5.0)  # some values off-scale
    assert s["hist"]["before"]["clipped"] > 0
    for key, values in (
        ("before", tensor(s)),
        ("bn", np.asarray(s["bn"]["y"])),
        ("ln", np.asarray(s["ln"]["y"])),
    ):
        h = s["hist"][key]
        counts = np.asarray(h["counts"])
        edges = np.asarray(h["edges"])
        assert h["clipped"] == int(np.sum((values < edges[0]) | (values > edges[-1])))
        for c in range(4):
            inside = np.clip(values[:, c, :].ravel(), edges[0], edges[-1])
            expected, _ = np.histogram(inside, bins=edges)
            np.testing.assert_array_equal(counts[c], expected, err_msg=f"{key} channel {c}")
        assert counts.sum() == values.size
        np.testing.assert_array_equal(np.asarray(h["base"])[1:], np.cumsum(counts, axis=0)[:-1])
        assert h["ymax"] == counts.sum(axis=0).max()


def test_gamma_and_beta_change_the_after_distribution():
    base, changed = state(), state(gamma=2.0, beta=1.5)
    y0, y1 = np.asarray(base["bn"]["y"]), np.asarray(changed["bn"]["y"])
    np.testing.assert_allclose(y1, 2.0 * y0 + 1.5, atol=1e-12)
    assert changed["hist"]["bn"]["counts"] != base["hist"]["bn"]["counts"]
    assert changed["hist"]["ln"]["counts"] != base["hist"]["ln"]["counts"]
    np.testing.assert_allclose(np.asarray(changed["ln"]["y"]).mean(axis=(1, 2)), 1.5, atol=1e-9)


def test_scope_index_is_the_channel_for_batch_norm_and_the_sample_for_layer_norm():
    s = state(batch=3)
    n, c, _ = np.indices((3, 4, 4))
    np.testing.assert_array_equal(s["bn"]["stat_index"], c)
    np.testing.assert_array_equal(s["ln"]["stat_index"], n)


def test_table_has_the_four_norms_with_their_statistic_counts_on_this_tensor():
    s = state(batch=6)
    rows = {r["kind"]: r for r in s["table"]}
    assert list(rows) == ["batch", "layer", "instance", "group"]
    assert {k: r["n_stats"] for k, r in rows.items()} == {
        "batch": 4,
        "layer": 6,
        "instance": 24,
        "group": 12,
    }
    assert {k: r["values_per_stat"] for k, r in rows.items()} == {
        "batch": 24,
        "layer": 16,
        "instance": 4,
        "group": 8,
    }
    depends = {k: r["batch_dependency"].startswith("Yes") for k, r in rows.items()}
    assert depends == {"batch": True, "layer": False, "instance": False, "group": False}, depends


def test_animation_visits_each_channel_then_each_sample_with_that_slice_statistics():
    s = _anim_start(state(batch=3))
    x = tensor(s)
    seen = []
    while s["anim"]["phase"] != "done":
        a = s["anim"]
        seen.append((a["phase"], a["index"]))
        values = x[:, a["index"], :] if a["phase"] == "bn" else x[a["index"]]
        assert a["mean"] == pytest.approx(values.mean()) and a["var"] == pytest.approx(values.var())
        assert a["values"] == pytest.approx(values.ravel().tolist())
        assert s["focus"][a["phase"]] == a["index"], "the animated slice is the highlighted one"
        s = _anim_step(s)
    assert seen == [("bn", 0), ("bn", 1), ("bn", 2), ("bn", 3), ("ln", 0), ("ln", 1), ("ln", 2)]
    assert (s["anim"]["bn_revealed"], s["anim"]["ln_revealed"]) == (4, 3)


def test_animation_reveals_statistics_one_at_a_time():
    s = _anim_start(state())
    assert (s["anim"]["bn_revealed"], s["anim"]["ln_revealed"]) == (1, 0)
    s = _anim_step(_anim_step(_anim_step(_anim_step(s))))
    assert (s["anim"]["phase"], s["anim"]["bn_revealed"], s["anim"]["ln_revealed"]) == ("ln", 4, 1)


def test_set_param_changes_params_and_data_params_stop_the_animation():
    s = _anim_start(state())
    kept = _set_param(s, "speed", 3.5)
    assert kept["params"]["speed"] == 3.5 and kept["anim"]["phase"] == "bn"
    reset = _set_param(s, "batch", 6)
    assert reset["shape"] == [6, 4, 4] and reset["anim"]["phase"] == "idle"
    assert _set_param(s, "highlight", "none")["params"]["highlight"] == "none"


def test_set_focus_moves_the_scope_and_rejects_indices_outside_the_tensor():
    s = _set_focus(state(batch=4), "bn", 2)
    assert s["focus"] == {"bn": 2, "ln": 0}
    assert _set_focus(s, "ln", 3)["focus"] == {"bn": 2, "ln": 3}
    with pytest.raises(ValueError, match="sample must be a whole number from 0 to 3"):
        _set_focus(s, "ln", 4)
    with pytest.raises(ValueError, match="'bn'"):
        _set_focus(s, "xx", 0)


def test_focus_is_clamped_when_the_batch_shrinks():
    s = _set_focus(state(batch=8), "ln", 7)
    assert _set_param(s, "batch", 2)["focus"]["ln"] == 1

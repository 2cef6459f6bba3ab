"""Normalization Comparison: which elements Batch Norm and Layer Norm average over, with numbers.

An infographic (HTML + SVG, ``renderer="html"``): a sample tensor ``x`` of shape
``(N, C, L)`` = (batch, channels, spatial) is drawn twice as a 3-D block, once for Batch Norm
and once for Layer Norm, with the scope of one statistic highlighted. Every number comes
from :mod:`engine.norm`; ``static/sketches/normalization-comparison.js`` only draws.

The state is :class:`State` (plain JSON)::

    params      control values (highlight, gamma, beta, scale, shift, batch, mode, speed, seed)
    fixed       settings that are not controls (channels, length, groups, train_steps, ...)
    shape       [N, C, L];  x: the sample tensor, nested lists (N, C, L); x_shade: x / max|x|
                (in [−1, 1], the cell colour)
    population  {"mean": (C,), "var": (C,)}: the distribution each channel is drawn from
    bn          Batch Norm: batch_mean, batch_var (C,); running_mean, running_var (C,) after
                ``train_steps`` training batches; train_means, train_vars (train_steps, C): each
                training batch's μ_B and unbiased σ²_B that the running averages were built
                from; shown_mean, shown_var, shown_label (the pair the mode selects: "batch" in
                training, "running" in inference); stat_index (N, C, L): which statistic each
                element uses; y (N, C, L) in the selected mode; train_infer_max_diff;
                alone_max_diff: how much sample 0's output changes when it is normalised alone
                (a batch of 1) in the selected mode (0 at inference: running statistics);
                pop_error (max |batch μ − population μ|)
    ln          Layer Norm: mean, var (N,); stat_index; y; train_infer_max_diff (0: the same
                computation); alone_max_diff (0: no batch dependency)
    hist        {"before": H, "bn": H, "ln": H}, H = {"edges" (fixed range), "counts" (C, bins),
                "base" (C, bins): where channel c's bar starts when stacked, "ymax", "ticks",
                "clipped": values outside the range, counted in the end bins}
    table       the chapter's comparison table (engine.norm.NORM_TABLE) plus, per row, the
                statistics its norm uses on this tensor in the selected mode ("here",
                "source": "this tensor" or, for Batch Norm at inference, "training batches")
    focus       {"bn": channel, "ln": sample}: the highlighted scope
    anim        {"phase": "idle"|"bn"|"ln"|"done", "index", "bn_revealed", "ln_revealed",
                "stat": "batch"|"running"|"layer", "title", "mean", "var", ...}: the
                statistics animation. "batch" and "layer": "values", "sum", "count" (mean and
                var computed from those values). "running" (Batch Norm at inference):
                "train_means", "train_vars", "steps", "momentum", "decay", "init_mean",
                "init_var" (μ̂ ← decay·μ̂ + momentum·μ_B per training batch), "batch_mean"
                (this batch's own mean, not used)
    message     one sentence for the reader
"""

from __future__ import annotations

from typing import Any, TypedDict

import numpy as np

from engine import norm
from sims import _numpy_script as nps
from sims._contract import Control, Settings, SimMeta, setting_action


class State(TypedDict):
    """The state: see the module docstring for what each key holds."""

    params: dict[str, Any]
    fixed: dict[str, Any]
    shape: list[int]
    x: np.ndarray | list[Any]
    x_shade: np.ndarray | list[Any]
    population: dict[str, Any]
    bn: dict[str, Any]
    ln: dict[str, Any]
    hist: dict[str, dict[str, Any]]
    table: list[dict[str, Any]]
    focus: dict[str, int]
    anim: dict[str, Any]
    message: str


META = SimMeta(
    order=7,
    slug="normalization-comparison",
    title="Normalization Comparison",
    description=(
        "Batch Norm and Layer Norm side by side on one sample tensor (batch × channels × "
        "spatial): which elements each one averages over, the statistics with their values, "
        "before/after distributions, γ and β, training vs inference, and the chapter's table "
        "with Instance Norm and Group Norm."
    ),
    bloom="Analyze",
    objectives=[
        "Understand the difference between normalization techniques by visualizing which "
        "dimensions they operate over",
        "Compute Batch Norm statistics per channel over the batch and Layer Norm statistics "
        "per sample over the features, and read their values",
        "Explain why Batch Norm needs running statistics at inference and Layer Norm does not",
        "Predict how batch size, input scale/shift and the learnable γ, β change the output",
    ],
    draw_height=1000,
    control_height=200,
    subjects=[
        "Batch Normalization",
        "Layer Normalization",
        "Instance Normalization",
        "Group Normalization",
        "Tensor",
    ],
    lesson_notes=[
        "Switch **Highlight scope** between Batch Norm and Layer Norm: Batch Norm's scope is a "
        "vertical slice (one channel, every sample), Layer Norm's a horizontal one (one sample, "
        "every channel). Click a column or row (or use the arrow keys) to move it.",
        "Press **Compute statistics** and follow each channel's mean and variance (Batch Norm), "
        "then each sample's (Layer Norm), with the values they are computed from.",
        "Move **Input shift** and **Input scale**: the *before* plots move and widen, Batch "
        "Norm's *after* plot does not (it undoes each channel's shift and spread). Layer Norm "
        "undoes the shift too, but the scale widens each channel around its own mean, so its "
        "output changes. γ and β set the output's spread and centre instead.",
        "Lower the **Batch size** to 2: Batch Norm's channel means stray further from the "
        "population; Layer Norm's statistics never use the other samples.",
        "Set **Mode** to inference: Batch Norm switches to its running averages and the same "
        "batch gives a different output; Layer Norm does not change.",
    ],
    renderer="html",
    sim_type="infographic",
    describe=(
        "Two 3-D tensor diagrams, batch × channels × spatial, for Batch Norm and Layer Norm, "
        "with the elements of one statistic highlighted (a vertical slice for Batch Norm, a "
        "horizontal slice for Layer Norm), the means and variances beside them, before/after "
        "histograms per channel, and a table comparing Batch, Layer, Instance and Group Norm."
    ),
)

FIXED: dict[str, Any] = {
    "channels": 4,
    "length": 4,
    "groups": 2,
    "train_steps": 20,
    "momentum": 0.1,
    "eps": 1e-5,
    "bins": 24,
    "before_range": [-12.0, 12.0],
    "after_range": [-8.0, 8.0],
}
"""Settings that are not controls: tensor size C and L, Group Norm's G, running-stat training."""

CONTROLS = [
    Control(
        "highlight",
        "select",
        "Highlight scope",
        default="both",
        options=[
            ["both", "Both scopes"],
            ["bn", "Batch Norm scope"],
            ["ln", "Layer Norm scope"],
            ["none", "No highlight"],
        ],
    ),
    Control("gamma", "slider", "γ (scale)", default=1.0, min=0.0, max=3.0, step=0.1),
    Control("beta", "slider", "β (shift)", default=0.0, min=-3.0, max=3.0, step=0.1),
    Control("scale", "slider", "Input scale", default=1.0, min=0.25, max=3.0, step=0.25),
    Control("shift", "slider", "Input shift", default=0.0, min=-5.0, max=5.0, step=0.5),
    Control("batch", "slider", "Batch size N", default=4, min=2, max=8, step=1),
    Control(
        "mode",
        "select",
        "Mode",
        default="train",
        options=[["train", "Training"], ["inference", "Inference"]],
        help="Batch Norm's statistics: this batch's (training) or running ones (inference)",
    ),
    Control(
        "compute",
        "button",
        "Compute statistics",
        url=False,
        help="Animate the computation of each mean and variance",
    ),
    Control("speed", "slider", "Animation steps / s", default=1.0, min=0.5, max=4.0, step=0.5),
    Control("seed", "slider", "Seed", default=3, min=0, max=99, step=1),
]

SETTINGS = Settings(CONTROLS)
_DATA_PARAMS = {"scale", "shift", "batch", "seed"}
"""Settings that change the sample tensor (and so restart the animation)."""


# --------------------------------------------------------------------------- pieces


def _sample(p: dict[str, Any], fixed: dict[str, Any]) -> np.ndarray:
    """The sample tensor ``(N, C, L)`` from the seed; sample n is the same for every N ≥ n+1."""
    rng = np.random.default_rng(int(p["seed"]))
    shape = (int(p["batch"]), fixed["channels"], fixed["length"])
    return norm.sample_activations(rng, shape, float(p["scale"]), float(p["shift"]))


def _trained_batchnorm(
    p: dict[str, Any], fixed: dict[str, Any]
) -> tuple[norm.BatchNorm, np.ndarray, np.ndarray]:
    """A BatchNorm after ``train_steps`` training batches of size N drawn from the seed, with
    each batch's μ_B ``(train_steps, C)`` and unbiased σ²_B = σ²_B · m / (m − 1) (what
    BatchNorm.forward folds into its running averages; a test rebuilds them from these)."""
    bn = norm.BatchNorm(fixed["channels"], momentum=fixed["momentum"], eps=fixed["eps"])
    rng = np.random.default_rng([int(p["seed"]), 1])
    shape = (int(p["batch"]), fixed["channels"], fixed["length"])
    m = shape[0] * shape[2]
    means, variances = [], []
    for _ in range(fixed["train_steps"]):
        bn.forward(norm.sample_activations(rng, shape, float(p["scale"]), float(p["shift"])))
        assert bn.last_stats is not None
        means.append(bn.last_stats["mean"])
        variances.append(bn.last_stats["var"] * m / (m - 1))
    bn.gamma = np.full(fixed["channels"], float(p["gamma"]))
    bn.beta = np.full(fixed["channels"], float(p["beta"]))
    return bn, np.array(means), np.array(variances)


def _histogram(values: np.ndarray, lo: float, hi: float, bins: int) -> dict[str, Any]:
    """Per-channel counts of ``values`` ``(N, C, L)`` in ``bins`` equal bins over a fixed
    ``[lo, hi]`` (fixed so that a shift or a wider spread shows as a moving, widening plot),
    stacked by channel. Values outside are counted in the end bins; ``clipped`` says how many.
    """
    edges = np.linspace(lo, hi, bins + 1)
    clipped = int(np.sum((values < lo) | (values > hi)))
    inside = np.clip(values, lo, hi)
    counts = np.array(
        [np.histogram(inside[:, c, :].ravel(), bins=edges)[0] for c in range(values.shape[1])]
    )
    base = np.cumsum(counts, axis=0) - counts
    return {
        "edges": edges,
        "counts": counts,
        "base": base,
        "clipped": clipped,
        "ymax": int(counts.sum(axis=0).max()),
        "ticks": np.linspace(lo, hi, 3),
    }


def _table(x: np.ndarray, groups: int, inference: bool, steps: int) -> list[dict[str, Any]]:
    """NORM_TABLE plus, per norm, how many statistics it uses on ``x``, and from how many of
    ``x``'s values each is computed: at inference Batch Norm computes none on ``x``, it uses
    its running statistics from ``steps`` training batches (so it has no batch dependency)."""
    n, c, _ = x.shape
    stats = {
        "batch": norm.batch_norm(x)[1]["mean"],
        "layer": norm.layer_norm(x)[1]["mean"],
        "instance": norm.instance_norm(x)[1]["mean"],
        "group": norm.group_norm(x, groups)[1]["mean"],
    }
    what = {
        "batch": "per channel",
        "layer": "per sample",
        "instance": "per sample & channel",
        "group": f"per sample & group, G = {groups}",
    }
    rows = []
    for row in norm.NORM_TABLE:
        s = stats[row["kind"]]
        here: dict[str, Any] = {
            "n_stats": int(s.size),
            "stats_shape_here": list(s.shape),
            "values_per_stat": int(x.size // s.size),
            "source": "this tensor",
            "here": f"{s.size} μ, σ² ({what[row['kind']]}), {x.size // s.size} values each",
        }
        if inference and row["kind"] == "batch":
            here.update(
                values_per_stat=0,
                source="training batches",
                here=f"{s.size} running μ̂, σ̂² ({what['batch']}) from {steps} training "
                "batches; none computed on this tensor",
                batch_dependency=f"{row['batch_dependency']} (in training; at inference "
                "none: running statistics)",
            )
        rows.append({**row, **here})
    return rows


def _anim(phase: str, index: int, x: np.ndarray, running: dict[str, Any] | None) -> dict[str, Any]:
    """The animation's current step: which statistic is being computed, from which values.

    With ``running`` (Batch Norm at inference: ``mean``, ``var``, ``train_means``,
    ``train_vars``, ``momentum``, ``init_mean``, ``init_var``) Batch Norm's step shows the
    running μ̂, σ̂² that normalise channel ``index`` and the training batches they were
    averaged from, not statistics of ``x``."""
    n, c, _ = x.shape
    revealed = {"idle": (c, n), "done": (c, n), "bn": (index + 1, 0), "ln": (c, index + 1)}
    out: dict[str, Any] = {
        "phase": phase,
        "index": index,
        "bn_revealed": revealed[phase][0],
        "ln_revealed": revealed[phase][1],
    }
    if phase == "bn" and running is not None:
        vals = x[:, index, :].ravel()
        momentum = float(running["momentum"])
        steps = int(running["train_means"].shape[0])
        out.update(
            stat="running",
            title=(
                f"Batch Norm at inference, channel {index}: its {vals.size} values "
                f"x[n, {index}, l] are normalised with the running mean μ̂ and variance σ̂² "
                f"from training, not with this batch's own"
            ),
            train_means=running["train_means"][:, index],
            train_vars=running["train_vars"][:, index],
            steps=steps,
            momentum=momentum,
            decay=1.0 - momentum,
            init_mean=float(running["init_mean"][index]),
            init_var=float(running["init_var"][index]),
            mean=float(running["mean"][index]),
            var=float(running["var"][index]),
            batch_mean=float(vals.mean()),
        )
        return out
    if phase == "bn":
        vals = x[:, index, :].ravel()
        out["stat"] = "batch"
        out["title"] = (
            f"Batch Norm, channel {index}: the {vals.size} values x[n, {index}, l] "
            f"of every sample n and position l"
        )
    elif phase == "ln":
        vals = x[index].ravel()
        out["stat"] = "layer"
        out["title"] = (
            f"Layer Norm, sample {index}: the {vals.size} values x[{index}, c, l] "
            f"of every channel c and position l (the same in training and inference)"
        )
    else:
        return out
    mean = float(vals.mean())
    out.update(
        values=vals,
        sum=float(vals.sum()),
        count=int(vals.size),
        mean=mean,
        var=float(((vals - mean) ** 2).mean()),
    )
    return out


def _build(p: dict[str, Any], focus: dict[str, int], anim: tuple[str, int]) -> State:
    """The whole state from the settings: every number through engine.norm."""
    fixed = dict(FIXED)
    x = _sample(p, fixed)
    n, c, length = x.shape
    gamma, beta, eps = float(p["gamma"]), float(p["beta"]), fixed["eps"]

    # Batch Norm: batch statistics (training) and running statistics (inference)
    y_bn_train, bn_stats = norm.batch_norm(x, gamma, beta, eps)
    fresh = norm.BatchNorm(c, momentum=fixed["momentum"], eps=eps)  # the running stats' start
    model, train_means, train_vars = _trained_batchnorm(p, fixed)
    y_bn_infer = model.forward(x, training=False)
    inference = p["mode"] == "inference"
    y_bn = y_bn_infer if inference else y_bn_train
    # sample 0 normalised alone (a batch of 1), in the selected mode
    if inference:
        y_bn_alone = model.forward(x[:1], training=False)
    else:
        y_bn_alone, _ = norm.batch_norm(x[:1], gamma, beta, eps)
    pop_mean = float(p["shift"]) + np.linspace(-2.0, 3.0, c)
    pop_var = (float(p["scale"]) * np.linspace(0.5, 2.0, c)) ** 2
    bn = {
        "batch_mean": bn_stats["mean"],
        "batch_var": bn_stats["var"],
        "running_mean": model.running_mean,
        "running_var": model.running_var,
        "train_means": train_means,
        "train_vars": train_vars,
        "shown_mean": model.running_mean if inference else bn_stats["mean"],
        "shown_var": model.running_var if inference else bn_stats["var"],
        "shown_label": "running" if inference else "batch",
        "stat_index": norm.stat_index("batch", x.shape),
        "y": y_bn,
        "train_infer_max_diff": float(np.abs(y_bn_train - y_bn_infer).max()),
        "alone_max_diff": float(np.abs(y_bn_alone[0] - y_bn[0]).max()),
        "pop_error": float(np.abs(bn_stats["mean"] - pop_mean).max()),
        "m": int(n * length),
    }

    # Layer Norm: per-sample statistics, the same in training and inference
    y_ln, ln_stats = norm.layer_norm(x, gamma, beta, eps)
    y_ln_again, _ = norm.layer_norm(x, gamma, beta, eps)  # "inference": the same computation
    y_ln_alone, _ = norm.layer_norm(x[:1], gamma, beta, eps)
    ln = {
        "mean": ln_stats["mean"],
        "var": ln_stats["var"],
        "stat_index": norm.stat_index("layer", x.shape),
        "y": y_ln,
        "train_infer_max_diff": float(np.abs(y_ln - y_ln_again).max()),
        "alone_max_diff": float(np.abs(y_ln_alone[0] - y_ln[0]).max()),
        "d": int(c * length),
    }

    bins = fixed["bins"]
    (before_lo, before_hi), (after_lo, after_hi) = fixed["before_range"], fixed["after_range"]
    hist = {
        "before": _histogram(x, before_lo, before_hi, bins),
        "bn": _histogram(y_bn, after_lo, after_hi, bins),
        "ln": _histogram(y_ln, after_lo, after_hi, bins),
    }
    focus = {
        "bn": min(max(int(focus.get("bn", 0)), 0), c - 1),
        "ln": min(max(int(focus.get("ln", 0)), 0), n - 1),
    }
    phase, index = anim
    if phase in ("bn", "ln"):
        focus[phase] = index

    if inference:
        message = (
            f"Inference: Batch Norm normalises every batch with the running μ̂, σ̂² from "
            f"{fixed['train_steps']} training batches of {n}, so sample 0 normalised alone "
            f"changes by {bn['alone_max_diff']:.2f} under Batch Norm (no batch dependency at "
            f"inference) and by {ln['alone_max_diff']:.2f} under Layer Norm."
        )
    else:
        message = (
            f"Batch of {n}: Batch Norm's channel means miss the population means by up to "
            f"{bn['pop_error']:.2f} (smaller batches stray further); sample 0 normalised alone "
            f"changes by up to {bn['alone_max_diff']:.2f} under Batch Norm and by "
            f"{ln['alone_max_diff']:.2f} under Layer Norm."
        )
    running = {
        "mean": model.running_mean,
        "var": model.running_var,
        "train_means": train_means,
        "train_vars": train_vars,
        "momentum": fixed["momentum"],
        "init_mean": fresh.running_mean,
        "init_var": fresh.running_var,
    }
    return {
        "params": p,
        "fixed": fixed,
        "shape": [n, c, length],
        "x": x,
        "x_shade": x / max(float(np.abs(x).max()), 1e-12),
        "population": {"mean": pop_mean, "var": pop_var},
        "bn": bn,
        "ln": ln,
        "hist": hist,
        "table": _table(x, fixed["groups"], inference, fixed["train_steps"]),
        "focus": focus,
        "anim": _anim(phase, index, x, running if inference else None),
        "message": message,
    }


# --------------------------------------------------------------------------- the contract


def initial_state(params: dict[str, Any]) -> State:
    """The sample tensor from the seed and every statistic of it; the animation idle."""
    return _build(SETTINGS.clean(params or {}), {"bn": 0, "ln": 0}, ("idle", 0))


def _anim_pos(state: dict[str, Any]) -> tuple[str, int]:
    a = state.get("anim") or {}
    return str(a.get("phase", "idle")), int(a.get("index", 0))


def _update(state: dict[str, Any], params: dict[str, Any], name: str) -> State:
    """A control changed: recompute. Changing the tensor (scale, shift, batch, seed) stops
    the statistics animation."""
    anim = ("idle", 0) if name in _DATA_PARAMS else _anim_pos(state)
    return _build(params, state.get("focus", {}), anim)


set_param = setting_action(SETTINGS, update=_update, reinit=initial_state)


def set_focus(state: dict[str, Any], kind: str, index: int) -> State:
    """Highlight another scope: channel ``index`` for ``kind="bn"``, sample for ``"ln"``."""
    n, c, _ = state["shape"]
    limit = {"bn": c, "ln": n}
    if kind not in limit:
        raise ValueError(f"kind must be 'bn' (a channel) or 'ln' (a sample), not {kind!r}")
    if (
        isinstance(index, bool)
        or not isinstance(index, int | float)
        or not (0 <= int(index) < limit[kind])
        or int(index) != index
    ):
        what = "channel" if kind == "bn" else "sample"
        raise ValueError(
            f"{what} must be a whole number from 0 to {limit[kind] - 1}, not {index!r}"
        )
    focus = {**state["focus"], kind: int(index)}
    return _build(state["params"], focus, ("idle", 0))


def anim_start(state: dict[str, Any]) -> State:
    """Start the statistics animation: Batch Norm's channel 0 first."""
    return _build(state["params"], state["focus"], ("bn", 0))


def anim_step(state: dict[str, Any]) -> State:
    """Next statistic: channels 0..C−1 of Batch Norm, then samples 0..N−1 of Layer Norm."""
    n, c, _ = state["shape"]
    phase, index = _anim_pos(state)
    if phase == "bn":
        nxt = ("bn", index + 1) if index + 1 < c else ("ln", 0)
    elif phase == "ln":
        nxt = ("ln", index + 1) if index + 1 < n else ("done", 0)
    else:
        nxt = ("bn", 0) if phase == "idle" else ("done", 0)
    return _build(state["params"], state["focus"], nxt)


# --------------------------------------------------------------------------- "Show the NumPy"


def numpy_code(state: dict[str, Any]) -> str:
    """The plain-NumPy script of what the sim shows now ("Show the NumPy").

    The sample tensor ``x`` ``(N, C, L)`` as a literal; Batch Norm's statistics over axes
    (0, 2) and Layer Norm's over axes (1, 2) with ``keepdims``, the outputs with γ, β and ε;
    the running statistics Batch Norm uses at inference (as literals: they were averaged over
    the training batches) and which output the selected mode shows; sample 0 normalised alone.
    """
    p, fixed = state["params"], state["fixed"]
    n, c, length = state["shape"]
    bn = state["bn"]
    inference = p["mode"] == "inference"
    momentum = float(fixed["momentum"])
    lines = [
        "import numpy as np",
        "",
        f"# the sample tensor x: (N, C, L) = (batch {n}, channels {c}, positions {length})",
        nps.assign("x", state["x"]),
        f"gamma, beta, eps = {nps.number(p['gamma'])}, {nps.number(p['beta'])}, "
        f"{nps.number(fixed['eps'])}",
        "",
        "# Batch Norm, training: a mean and variance per channel, over batch and positions: "
        "axes (0, 2)",
        "mu_B = x.mean(axis=(0, 2), keepdims=True)  # shape (1, C, 1)",
        "var_B = x.var(axis=(0, 2), keepdims=True)  # biased: divided by m = N·L",
        "y_bn_train = gamma * (x - mu_B) / np.sqrt(var_B + eps) + beta",
        'print("Batch Norm means per channel =", mu_B.ravel())',
        'print("Batch Norm variances per channel =", var_B.ravel())',
        "",
        f"# Batch Norm, inference: running averages over {fixed['train_steps']} training "
        f"batches of {n}, from 0 and 1; after each",
        f"# mu_run <- {nps.number(1 - momentum)} mu_run + {nps.number(momentum)} mu_B, "
        f"var_run <- {nps.number(1 - momentum)} var_run + {nps.number(momentum)} "
        "var_B·m/(m-1)",
        nps.assign("mu_run", bn["running_mean"]),
        nps.assign("var_run", bn["running_var"]),
        "# (as columns (C, 1) they broadcast over x's (N, C, L): one value per channel)",
        "y_bn_infer = gamma * (x - mu_run[:, None]) / np.sqrt(var_run[:, None] + eps) + beta",
        'print("running means =", mu_run)',
        'print("running variances =", var_run)',
        'print("training vs inference, largest difference =", '
        "np.abs(y_bn_train - y_bn_infer).max())",
    ]
    if inference:
        lines += ["# the sim is in inference mode: Batch Norm uses the running statistics"]
        lines += ["y_bn = y_bn_infer"]
    else:
        lines += ["# the sim is in training mode: Batch Norm uses this batch's statistics"]
        lines += ["y_bn = y_bn_train"]
    lines += [
        'print("Batch Norm output, mean per channel =", y_bn.mean(axis=(0, 2)))',
        'print("Batch Norm output, std per channel =", y_bn.std(axis=(0, 2)))',
        "",
        "# Layer Norm: a mean and variance per sample, over channels and positions: axes (1, 2)",
        "# (the same computation in training and inference)",
        "mu_L = x.mean(axis=(1, 2), keepdims=True)  # shape (N, 1, 1)",
        "var_L = x.var(axis=(1, 2), keepdims=True)",
        "y_ln = gamma * (x - mu_L) / np.sqrt(var_L + eps) + beta",
        'print("Layer Norm means per sample =", mu_L.ravel())',
        'print("Layer Norm variances per sample =", var_L.ravel())',
        "",
        "# sample 0 normalised alone, as a batch of 1",
        "x0 = x[:1]",
    ]
    if inference:
        lines += [
            "y0_bn = gamma * (x0 - mu_run[:, None]) / np.sqrt(var_run[:, None] + eps) + beta",
        ]
    else:
        lines += [
            "mu0, var0 = x0.mean(axis=(0, 2), keepdims=True), x0.var(axis=(0, 2), keepdims=True)",
            "y0_bn = gamma * (x0 - mu0) / np.sqrt(var0 + eps) + beta",
        ]
    lines += [
        "mu0_L, var0_L = x0.mean(axis=(1, 2), keepdims=True), x0.var(axis=(1, 2), keepdims=True)",
        "y0_ln = gamma * (x0 - mu0_L) / np.sqrt(var0_L + eps) + beta",
        'print("sample 0 alone, Batch Norm changes by", np.abs(y0_bn - y_bn[:1]).max())',
        'print("sample 0 alone, Layer Norm changes by", np.abs(y0_ln - y_ln[:1]).max())',
    ]
    if not inference:
        lines += [
            "",
            "# the channels' populations have means shift + (-2 … 3): how far the batch "
            "means miss them",
            f"pop_mean = {nps.number(p['shift'])} + np.linspace(-2.0, 3.0, {c})",
            'print("batch means miss the population means by up to", '
            "np.abs(mu_B.ravel() - pop_mean).max())",
        ]
    return nps.join_lines(lines)


VIEWS = {"numpy_code": numpy_code}


ACTIONS = {
    "set_param": set_param,
    "set_focus": set_focus,
    "anim_start": anim_start,
    "anim_step": anim_step,
}

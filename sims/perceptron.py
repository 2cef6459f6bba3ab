"""Perceptron Decision Boundary: weights and bias define a line; the learning rule moves it.

The state is :class:`State` (plain JSON, drawn by
``static/sketches/perceptron-decision-boundary.js``)::

    params   current control values (preset, seed, n_points, bias, lr, max_epochs, ...);
             params["bias"] is always b, clamped to the Bias slider's range
    X        [[x1...], [x2...]]  points as columns, shape (2, m)
    y        [+1/-1, ...]        labels, shape (m,)
    custom   True once points were added or cleared by hand
    w, b     weight vector (2,) and bias
    z        w^T x + b per point; pred: sign(z); wrong: indices of misclassified points
    accuracy fraction correct (None when there are no points); n_correct
    accuracy_text  the read-out as drawn: "Accuracy 37/40 = 92.5 %", or that there are no points
    learn    {"epoch", "index", "updates", "total_updates", "status", "budget"}
             status: "idle" | "converged" | "gave_up"
    last     the last update with its numbers (i, x, y, lr, w_old, b_old, w_new, b_new) or None
    message  one sentence for the reader
    weight_draws  (once "New random weights" was pressed) how many draws so far
"""

# No ``from __future__ import annotations`` here: under it Python 3.11 cannot see the
# NotRequired in State, so State.__required_keys__ would wrongly hold weight_draws.

from typing import Annotated, Any, Literal, NotRequired, TypedDict, cast

import numpy as np

from engine import perceptron as pc
from sims import _numpy_script as nps
from sims._args import Range, check_value
from sims._contract import Control, Settings, SimMeta, setting_action


class Learning(TypedDict):
    """Where Rosenblatt's rule is: epoch (from 1), next point, updates this epoch and in all,
    "idle" / "converged" / "gave_up", and the epoch budget."""

    epoch: Annotated[int, Range(1, 10_000)]
    index: Annotated[int, Range(0, 10_000)]
    updates: Annotated[int, Range(0, 10**9)]
    total_updates: Annotated[int, Range(0, 10**9)]
    status: Literal["idle", "converged", "gave_up"]
    budget: Annotated[int, Range(1, 10_000)]


class State(TypedDict):
    """The state: see the module docstring for what each key holds."""

    params: dict[str, Any]
    X: list[list[float]]
    y: list[int]
    custom: bool
    w: list[float]
    b: float
    z: list[float]
    pred: list[int]
    wrong: list[int]
    accuracy: float | None
    accuracy_text: str
    n_correct: int
    learn: Learning
    last: dict[str, Any] | None
    message: str
    weight_draws: NotRequired[int]  # how often "New random weights" was pressed (from then on)


META = SimMeta(
    order=1,
    slug="perceptron-decision-boundary",
    title="Perceptron Decision Boundary",
    description=(
        "Drag the weight vector and bias of a perceptron and watch its decision boundary move; "
        "run Rosenblatt's learning rule step by step on a separable dataset and on XOR."
    ),
    bloom="Understand",
    objectives=[
        "Visualize how perceptron weights and bias define a linear decision boundary",
        "Explain why the weight vector is perpendicular to the boundary and how the bias shifts it",
        "Trace the perceptron update rule w ← w + η·y·x, b ← b + η·y with actual numbers",
        "Recognise that XOR is not linearly separable, so a single perceptron cannot learn it",
    ],
    draw_height=560,
    control_height=200,
    subjects=["Perceptron", "Neuron Model", "Linear classifier", "Decision boundary"],
    lesson_notes=[
        "Drag the tip of the black arrow (the weight vector **w**): the boundary w·x + b = 0 "
        "turns with it and always stays perpendicular to it.",
        "Move the bias slider: the boundary shifts along **w** without turning.",
        "Press *Run Perceptron Learning* on the linearly separable preset and read each update "
        "under the plot; accuracy reaches 100 %.",
        "Switch to XOR and run again: after the epoch budget the sim reports that no line "
        "separates the classes. This is why we need hidden layers.",
        "Tick *Add Point mode*, pick a class, and click in the plot to build your own dataset.",
    ],
    describe=(
        "A scatter plot of two classes of points, orange circles (+1) and blue squares (−1), "
        "with the perceptron's decision boundary, its weight vector and the two shaded "
        "half-planes; misclassified points are ringed."
    ),
)

FIXED = {"n_points": 40, "max_epochs": 20}
"""Settings that are not controls: dataset size and the epoch budget."""

CONTROLS = [
    Control(
        "preset",
        "select",
        "Dataset",
        default="separable",
        options=[["separable", "Linearly separable"], ["xor", "XOR (not separable)"]],
        change="reinit",
    ),
    Control("seed", "slider", "Seed", default=7, min=0, max=99, step=1, change="reinit"),
    Control("bias", "slider", "Bias b", default=0.0, min=-5.0, max=5.0, step=0.05),
    Control("lr", "slider", "Learning rate η", default=0.2, min=0.05, max=1.0, step=0.05),
    Control("speed", "slider", "Speed (ticks/s)", default=4, min=1, max=30, step=1),
    Control("learn", "button", "Run Perceptron Learning", url=False),
    Control("step", "button", "One step", url=False),
    Control("reset", "button", "New random weights", url=False),
    Control("add_mode", "checkbox", "Add Point mode", default=False),
    Control(
        "add_class",
        "select",
        "New point class",
        default="1",
        options=[["1", "+1 (orange ●)"], ["-1", "−1 (blue ■)"]],
    ),
    Control("clear", "button", "Clear points", url=False),
]
SETTINGS = Settings(CONTROLS, fixed=FIXED)


CONSTANTS = {"plot_limit": pc.PLOT_LIMIT}
"""The plot shows [−plot_limit, plot_limit]² (the engine's datasets lie inside it)."""


def _bias_setting(b: float) -> float:
    """What the Bias slider shows for the bias ``b``: ``b`` itself, clamped to its range."""
    lo, hi, _ = SETTINGS.controls["bias"].slider_range
    return float(min(max(b, lo), hi))


def _evaluate(state: dict[str, Any]) -> State:
    """Fill in everything derived from (X, y, w, b): z, predictions, mistakes, accuracy.

    ``params["bias"]`` follows ``b`` (learning moves it), so the Bias slider, which the page
    sets from ``params``, always shows the current bias.
    """
    X = np.asarray(state["X"], dtype=float).reshape(2, -1)
    y = np.asarray(state["y"], dtype=int)
    w = np.asarray(state["w"], dtype=float)
    b = float(state["b"])
    wrong = pc.misclassified(w, b, X, y)
    pred = pc.predict(w, b, X)
    n_correct = int(np.sum(pred == y))
    # no points: no accuracy (the engine's 1.0 for an empty set would read "0/0 = 100 %")
    accuracy = pc.accuracy(w, b, X, y) if y.size else None
    text = (
        f"Accuracy {n_correct}/{y.size} = {100 * accuracy:.1f} %"
        if accuracy is not None
        else "Accuracy: no points yet"
    )
    # the incoming state (every other key of State) with everything derived from it
    return cast(
        "State",
        {
            **state,
            "params": {**state["params"], "bias": _bias_setting(b)},
            "z": pc.decision(w, b, X).tolist(),
            "pred": pred.tolist(),
            "wrong": np.flatnonzero(wrong).tolist(),
            "accuracy": accuracy,
            "accuracy_text": text,
            "n_correct": n_correct,
        },
    )


def _fresh_learning(budget: int) -> Learning:
    return {
        "epoch": 1,
        "index": 0,
        "updates": 0,
        "total_updates": 0,
        "status": "idle",
        "budget": int(budget),
    }


def initial_state(params: dict[str, Any]) -> State:
    """Dataset and random initial weights from the seed; the bias from its slider."""
    p = SETTINGS.clean(params)
    rng = np.random.default_rng(int(p["seed"]))
    X, y = pc.make_dataset(str(p["preset"]), int(p["n_points"]), rng)
    w = pc.random_weights(rng)
    state = {
        "params": p,
        "X": X.tolist(),
        "y": y.tolist(),
        "custom": False,
        "w": w.tolist(),
        "b": float(p["bias"]),
        "learn": _fresh_learning(p["max_epochs"]),
        "last": None,
        "message": "Drag the arrow tip to change w, or press Run Perceptron Learning.",
    }
    return _evaluate(state)


def set_weights(state: dict[str, Any], w: list[float]) -> State:
    """The reader dragged the weight vector: new ``w``, learning starts over."""
    if len(w) != 2 or not all(np.isfinite(w)):
        raise ValueError(f"w must be two finite numbers, got {w!r}")
    return _evaluate(
        {
            **state,
            "w": [float(v) for v in w],
            "last": None,
            "learn": _fresh_learning(state["params"]["max_epochs"]),
            "message": "w changed: the boundary turned to stay perpendicular to w.",
        }
    )


def _update(state: dict[str, Any], params: dict[str, Any], name: str) -> State:
    """A setting changed that keeps the dataset: bias, learning rate, speed, add mode.
    (Dataset and seed are ``change="reinit"``: they draw new data, via ``initial_state``.)"""
    new = {**state, "params": params}
    if name == "bias":
        new.update(
            b=float(params["bias"]),
            last=None,
            learn=_fresh_learning(params["max_epochs"]),
            message="b changed: the boundary shifted along w without turning.",
        )
    return _evaluate(new)


def new_weights(state: dict[str, Any]) -> State:
    """Draw new random weights (from the seed and the number of draws so far)."""
    draws = int(state.get("weight_draws", 0)) + 1
    rng = np.random.default_rng([int(state["params"]["seed"]), draws])
    new = {
        **state,
        "weight_draws": draws,
        "w": pc.random_weights(rng).tolist(),
        "last": None,
        "learn": _fresh_learning(state["params"]["max_epochs"]),
        "message": "New random weights.",
    }
    return _evaluate(new)


ADD_HINT = "tick Add Point mode and click in the plot."

MAX_POINTS = 500
"""The most points the plane holds: a reader clicking on and on gets a sentence, not a state
that grows (and slows every call) without end (found by bench/soak_bench.py)."""


def add_point(state: dict[str, Any], x: float, y: float, label: int) -> State:
    """Add a point of class ``label`` (+1 or −1) at (x, y) in plot coordinates."""
    lim = pc.PLOT_LIMIT
    if len(state["y"]) >= MAX_POINTS:
        raise ValueError(
            f"the plane holds at most {MAX_POINTS} points: press Clear points to start again"
        )
    if int(label) not in (1, -1):
        raise ValueError(f"a point's class is +1 or −1, not {label!r}")
    if not (abs(x) <= lim and abs(y) <= lim):
        raise ValueError(f"({x:.2f}, {y:.2f}) is outside the plot [−{lim:g}, {lim:g}]²")
    X = np.asarray(state["X"], dtype=float).reshape(2, -1)
    X = np.concatenate([X, [[float(x)], [float(y)]]], axis=1)
    labels = [*state["y"], int(label)]
    return _evaluate(
        {
            **state,
            "X": X.tolist(),
            "y": labels,
            "custom": True,
            "last": None,
            "learn": _fresh_learning(state["params"]["max_epochs"]),
            "message": f"Added a point of class {int(label):+d}; {len(labels)} points.",
        }
    )


def clear_points(state: dict[str, Any]) -> State:
    """Remove every point, to build a dataset by hand."""
    return _evaluate(
        {
            **state,
            "X": [[], []],
            "y": [],
            "custom": True,
            "last": None,
            "learn": _fresh_learning(state["params"]["max_epochs"]),
            "message": "No points: " + ADD_HINT,
        }
    )


def restart_learning(state: dict[str, Any]) -> State:
    """Start the algorithm over from the current weights (epoch 1, no updates yet)."""
    return _evaluate(
        {
            **state,
            "learn": _fresh_learning(state["params"]["max_epochs"]),
            "last": None,
            "message": "Learning restarted from the current weights.",
        }
    )


def learn_step(state: dict[str, Any]) -> State | dict[str, Any]:
    """Advance the perceptron algorithm to its next update (or to its end).

    Points are visited in order 0..m−1 each epoch; the first misclassified one gets the update
    w ← w + η·y·x, b ← b + η·y. An epoch with no update means every point is classified
    correctly (converged). When the epoch budget runs out first, the data may not be
    linearly separable; for the XOR preset it certainly is not.
    """
    learn = dict(state["learn"])
    if learn["status"] != "idle":
        return state
    if not state["y"]:
        return _evaluate({**state, "message": "No points to learn from: " + ADD_HINT})
    X = np.asarray(state["X"], dtype=float).reshape(2, -1)
    y = np.asarray(state["y"], dtype=int)
    w = np.asarray(state["w"], dtype=float)
    b = float(state["b"])
    lr = float(state["params"]["lr"])
    while True:
        i = pc.next_misclassified(w, b, X, y, learn["index"])
        if i is not None:
            w_new, b_new = pc.update(w, b, X[:, i], int(y[i]), lr)
            learn.update(
                index=i + 1, updates=learn["updates"] + 1, total_updates=learn["total_updates"] + 1
            )
            last = {
                "i": i,
                "x": X[:, i].tolist(),
                "y": int(y[i]),
                "lr": lr,
                "w_old": w.tolist(),
                "b_old": b,
                "w_new": w_new.tolist(),
                "b_new": b_new,
                "epoch": learn["epoch"],
            }
            return _evaluate(
                {
                    **state,
                    "w": w_new.tolist(),
                    "b": b_new,
                    "learn": learn,
                    "last": last,
                    "message": f"Epoch {learn['epoch']}: point {i} "
                    "was misclassified, so the rule moved the boundary.",
                }
            )
        # end of an epoch
        if learn["updates"] == 0:
            learn["status"] = "converged"
            message = (
                f"Converged in epoch {learn['epoch']}: every point is on its side. "
                f"{learn['total_updates']} updates in all."
            )
            return _evaluate({**state, "learn": learn, "message": message})
        if learn["epoch"] >= learn["budget"]:
            learn["status"] = "gave_up"
            n_wrong = int(np.sum(pc.misclassified(w, b, X, y)))
            if state["params"]["preset"] == "xor" and not state["custom"]:
                message = (
                    f"XOR is not linearly separable: after {learn['budget']} epochs "
                    f"{n_wrong} of {y.size} points are still misclassified. No single "
                    "line can separate XOR; it takes a hidden layer."
                )
            else:
                message = (
                    f"Stopped after {learn['budget']} epochs with {n_wrong} points "
                    "misclassified: these points may not be linearly separable."
                )
            return _evaluate({**state, "learn": learn, "message": message})
        learn.update(epoch=learn["epoch"] + 1, index=0, updates=0)


STEP_BY_STEP = 8
"""A learning run shows its first STEP_BY_STEP updates one per tick, then one epoch per tick:
the separable preset converges within them, and XOR's verdict (after the 20-epoch budget)
comes in seconds instead of minutes at the same speed."""


def run_step(state: dict[str, Any]) -> State | dict[str, Any]:
    """One tick of Run Perceptron Learning: the next update while the run has made fewer than
    STEP_BY_STEP, else every update to the end of the current epoch (``last`` is the last of
    them, the message says how many); the run's end (converged or gave up) as in learn_step."""
    new = cast("dict[str, Any]", learn_step(state))
    if new["learn"]["total_updates"] <= STEP_BY_STEP or new["learn"]["status"] != "idle":
        return new
    epoch, first = new["learn"]["epoch"], new["learn"]["updates"]
    while True:
        nxt = cast("dict[str, Any]", learn_step(new))
        if nxt["learn"]["status"] != "idle":
            return nxt  # the epoch ended with no update (converged) or the budget ran out
        if nxt["learn"]["epoch"] != epoch:
            break  # nxt is the next epoch's first update: the tick stops before it
        new = nxt
    updates = new["learn"]["updates"]
    shown = updates - first + 1
    wrong = len(new["wrong"])
    return {
        **new,
        "message": f"Epoch {epoch}: {updates} updates ({shown} in this tick); "
        f"{wrong} of {len(new['y'])} points misclassified after the last one.",
    }


set_param = setting_action(SETTINGS, update=_update, reinit=initial_state)

ACTIONS = {
    "set_weights": set_weights,
    "set_param": set_param,
    "new_weights": new_weights,
    "add_point": add_point,
    "clear_points": clear_points,
    "restart_learning": restart_learning,
    "learn_step": learn_step,
    "run_step": run_step,
}


# --------------------------------------------------------------------------- Show the NumPy


class LastUpdate(TypedDict):
    """``state["last"]``: the update w ← w + η·y·x, b ← b + η·y made at point ``i``."""

    i: int
    x: list[float]
    y: Literal[1, -1]
    lr: float
    w_old: list[float]
    b_old: float
    w_new: list[float]
    b_new: float
    epoch: NotRequired[int]


def numpy_code(state: dict[str, Any]) -> str:
    """The plain-NumPy script of what the sim shows: z = w·x + b for every point, the
    predictions sign(z), the misclassified points and the accuracy; and, when the state has a
    last update, that update w ← w + η·y·x, b ← b + η·y with its numbers, giving w and b."""
    X, y, w, b = state["X"], state["y"], state["w"], state["b"]
    if len(X) != 2 or any(len(row) != len(y) for row in X):
        raise ValueError("the state's points X must be 2 rows of one number per label in y")
    if len(w) != 2:
        raise ValueError(f"the state's weight vector w must have 2 numbers, not {len(w)}")
    last = state["last"]
    if last is not None:
        check_value(last, LastUpdate, "state.last")
    m = len(y)
    lines = ["# the points, one per column of X (2 × m), and their labels y (+1 or −1)"]
    lines += nps.array("X", X)
    lines += nps.array("y", y, dtype="" if y else "int")
    if last is None:
        lines += [
            "# the weight vector w and the bias b",
            *nps.array("w", w),
            f"b = {nps.number(b)}",
        ]
    else:
        i = int(last["i"])
        same_point = (
            0 <= i < m
            and [float(row[i]) for row in X] == [float(v) for v in last["x"]]
            and int(y[i]) == int(last["y"])
        )
        epoch = last.get("epoch", state["learn"]["epoch"])
        lines += [
            f"# the last update (epoch {epoch}): point i was misclassified",
            "# (y_i·z_i ≤ 0), so the rule moved w and b: w ← w + η·y_i·x_i, b ← b + η·y_i",
            f"eta = {nps.number(last['lr'])}",
            f"i = {i}",
            *(["x_i = X[:, i]"] if same_point else nps.array("x_i", last["x"])),
            "y_i = y[i]" if same_point else f"y_i = {int(last['y'])}",
            *nps.array("w_old", last["w_old"]),
            f"b_old = {nps.number(last['b_old'])}",
            'print("z_i before the update:", w_old @ x_i + b_old)',
            "w = w_old + eta * y_i * x_i",
            "b = b_old + eta * y_i",
            'print("w after the update:", w)',
            'print("b after the update:", b)',
        ]
        if [float(v) for v in last["w_new"]] != [float(v) for v in w] or float(
            last["b_new"]
        ) != float(b):
            lines += [
                "# the weights were changed since that update",
                *nps.array("w", w),
                f"b = {nps.number(b)}",
            ]
    lines += [
        "# pre-activation z = w·x + b of every point (w @ X: one number per column)",
        "z = w @ X + b",
        "# prediction sign(z), with sign(0) = +1 as in the chapter",
        "y_hat = np.where(z >= 0, 1, -1)",
        "# misclassified: on the wrong side of the line or on it (y·z ≤ 0)",
        "wrong = np.flatnonzero(y * z <= 0)",
    ]
    if m:
        lines += [
            "# accuracy: the fraction of points with y_hat = y",
            "accuracy = np.mean(y_hat == y)",
            'print("z:", z)',
            'print("predictions:", y_hat)',
            'print("misclassified points:", wrong)',
            'print("accuracy:", np.sum(y_hat == y), "/", y.size, "=", accuracy)',
        ]
    else:
        lines += [
            "# no points yet: nothing to classify, so no accuracy",
            'print("points:", y.size)',
        ]
    return nps.script(lines)


VIEWS = {"numpy_code": numpy_code}

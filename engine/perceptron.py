"""The perceptron: a single linear threshold unit and Rosenblatt's learning rule.

Conventions (the chapter's): a batch of points is stored as columns, ``X`` of shape ``(2, m)``;
labels ``y`` of shape ``(m,)`` hold +1 or -1; the weight vector ``w`` has shape ``(d,)`` and the
bias ``b`` is a float.

    prediction      y_hat = sign(w^T x + b),   sign(z) = +1 if z >= 0 else -1
    boundary        w^T x + b = 0               (w is perpendicular to it)
    update rule     w <- w + eta * y * x,   b <- b + eta * y      (only for a misclassified x)

A point counts as misclassified when ``y * (w^T x + b) <= 0``: a point exactly on the boundary is
not yet correctly classified, so learning keeps going until every point has a positive margin.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

PLOT_LIMIT = 3.0
"""Datasets lie in the square [-PLOT_LIMIT, PLOT_LIMIT]^2 (the sim's plot range)."""


def decision(w: np.ndarray, b: float, X: np.ndarray) -> np.ndarray:
    """Pre-activation z = w^T X + b for every column of ``X``.

    Parameters
    ----------
    w : ndarray of shape (d,)
    b : float
    X : ndarray of shape (d, m), one point per column

    Returns
    -------
    z : ndarray of shape (m,)
    """
    return np.asarray(w, dtype=float) @ np.asarray(X, dtype=float) + float(b)


def predict(w: np.ndarray, b: float, X: np.ndarray) -> np.ndarray:
    """Class labels sign(w^T X + b), with sign(0) = +1 as in the chapter.

    Returns
    -------
    y_hat : ndarray of shape (m,), entries +1 or -1 (int)
    """
    return np.where(decision(w, b, X) >= 0, 1, -1)


def misclassified(w: np.ndarray, b: float, X: np.ndarray, y: np.ndarray) -> np.ndarray:
    """Boolean mask of shape (m,): ``y * (w^T x + b) <= 0`` (wrong side, or on the boundary)."""
    return np.asarray(y, dtype=float) * decision(w, b, X) <= 0


def accuracy(w: np.ndarray, b: float, X: np.ndarray, y: np.ndarray) -> float:
    """Fraction of points whose predicted label equals ``y`` (1.0 for an empty set)."""
    y = np.asarray(y)
    if y.size == 0:
        return 1.0
    return float(np.mean(predict(w, b, X) == y))


def update(w: np.ndarray, b: float, x: np.ndarray, y: int, lr: float) -> tuple[np.ndarray, float]:
    """One application of the perceptron rule, w <- w + lr*y*x, b <- b + lr*y.

    The rule is applied unconditionally; the learning loop calls it only for misclassified
    points. Does not mutate ``w``.

    Parameters
    ----------
    w : ndarray of shape (d,)
    b : float
    x : ndarray of shape (d,), one point
    y : +1 or -1, its label
    lr : float, the learning rate eta > 0

    Returns
    -------
    (w_new, b_new) : ndarray of shape (d,), float
    """
    w_new = np.asarray(w, dtype=float) + lr * y * np.asarray(x, dtype=float)
    return w_new, float(b) + lr * y


def next_misclassified(
    w: np.ndarray, b: float, X: np.ndarray, y: np.ndarray, start: int
) -> int | None:
    """Index of the first misclassified point at or after ``start`` in visiting order, or None.

    The visiting order is 0, 1, ..., m-1 (one epoch); the search does not wrap around.
    """
    mask = misclassified(w, b, X, y)
    hits = np.flatnonzero(mask[start:])
    return int(hits[0]) + start if hits.size else None


def epoch(
    w: np.ndarray, b: float, X: np.ndarray, y: np.ndarray, lr: float
) -> tuple[np.ndarray, float, int]:
    """One pass of the perceptron algorithm over the points in order 0..m-1.

    Each point is checked against the *current* weights (which change during the pass), so the
    loop over points is inherently sequential. Does not mutate ``w``.

    Returns
    -------
    (w, b, n_updates) : ndarray of shape (d,), float, int
    """
    w = np.asarray(w, dtype=float).copy()
    b = float(b)
    n_updates = 0
    i = next_misclassified(w, b, X, y, 0)
    while i is not None:
        w, b = update(w, b, X[:, i], int(y[i]), lr)
        n_updates += 1
        i = next_misclassified(w, b, X, y, i + 1)
    return w, b, n_updates


def train(
    w: np.ndarray, b: float, X: np.ndarray, y: np.ndarray, lr: float, max_epochs: int
) -> tuple[np.ndarray, float, int, bool]:
    """Run epochs until an epoch makes no update (converged) or ``max_epochs`` have run.

    Returns
    -------
    (w, b, epochs_run, converged)
    """
    for n in range(1, max_epochs + 1):
        w, b, n_updates = epoch(w, b, X, y, lr)
        if n_updates == 0:
            return w, b, n, True
    return w, b, max_epochs, False


def random_weights(rng: np.random.Generator, d: int = 2, length: float = 1.5) -> np.ndarray:
    """Initial weight vector of shape (d,): a uniformly random direction, rescaled to ``length``."""
    w = rng.normal(size=d)
    return length * w / max(float(np.linalg.norm(w)), 1e-12)


def _separable(n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Points uniform in the plot square, labelled by a random line, with a margin of 0.4."""
    angle = rng.uniform(0, 2 * np.pi)
    normal = np.array([np.cos(angle), np.sin(angle)])
    offset = rng.uniform(-0.6, 0.6)
    margin = 0.4
    lim = PLOT_LIMIT * 0.85
    points = np.empty((2, 0))
    while points.shape[1] < n:  # rejection sampling, vectorised per batch
        cand = rng.uniform(-lim, lim, size=(2, 4 * n))
        keep = np.abs(normal @ cand + offset) >= margin
        points = np.concatenate([points, cand[:, keep]], axis=1)
    X = points[:, :n]
    y = np.where(normal @ X + offset >= 0, 1, -1)
    return X, y


def _xor(n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Four clusters at (+-1.5, +-1.5); label +1 where the coordinates' signs agree, else -1."""
    centres = np.array([[1.5, 1.5], [-1.5, -1.5], [1.5, -1.5], [-1.5, 1.5]]).T  # (2, 4)
    labels = np.array([1, 1, -1, -1])
    which = np.arange(n) % 4
    X = centres[:, which] + rng.normal(scale=0.35, size=(2, n))
    X = np.clip(X, -PLOT_LIMIT * 0.95, PLOT_LIMIT * 0.95)
    return X, labels[which]


DATASETS: dict[str, Callable[[int, np.random.Generator], tuple[np.ndarray, np.ndarray]]] = {
    "separable": _separable,
    "xor": _xor,
}
"""Preset datasets by name: ``DATASETS[name](n, rng) -> (X (2, n), y (n,))``."""


def make_dataset(name: str, n: int, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """A preset dataset: ``"separable"`` (a random line with a margin) or ``"xor"``.

    Parameters
    ----------
    name : one of ``DATASETS``
    n : number of points (>= 1)
    rng : the explicit source of randomness

    Returns
    -------
    X : ndarray of shape (2, n)
    y : ndarray of shape (n,), entries +1 or -1
    """
    if name not in DATASETS:
        raise ValueError(f"unknown dataset {name!r}: choose one of {sorted(DATASETS)}")
    if n < 1:
        raise ValueError(f"a dataset needs at least 1 point, not {n}")
    return DATASETS[name](n, rng)

"""A fixed suite of engine calls (one group per module, realistic sizes, fixed seeds).

``suite()`` returns plain JSON data. The parity test runs this very file in CPython and inside
Pyodide in headless Chromium and requires the same numbers (tolerance 1e-9). Imports only the
engine, NumPy and the standard library, so it runs in both.
"""

from __future__ import annotations

import numpy as np

from engine import activations, conv, conv_presets, dense, losses, norm, perceptron, tensor


def _activations(rng: np.random.Generator) -> dict:
    z = rng.normal(scale=3.0, size=(6, 20))
    out = {
        name: {"fn": act.fn(z).tolist(), "grad": act.grad(z).tolist()}
        for name, act in activations.ACTIVATIONS.items()
    }
    out["softmax_extreme"] = activations.softmax(np.array([[1000.0], [-1000.0], [0.0]])).tolist()
    out["softmax_jacobian"] = activations.softmax_jacobian(z[:, 0]).tolist()
    return out


def _losses(rng: np.random.Generator) -> dict:
    y_hat = activations.softmax(rng.normal(size=(4, 16)))
    y = np.eye(4)[:, rng.integers(0, 4, size=16)]
    p = activations.sigmoid(rng.normal(size=(1, 16)))
    t = rng.integers(0, 2, size=(1, 16)).astype(float)
    return {
        "mse": [losses.mse(y_hat, y), losses.mse_grad(y_hat, y).tolist()],
        "bce": [losses.binary_cross_entropy(p, t), losses.binary_cross_entropy_grad(p, t).tolist()],
        "ce": [losses.cross_entropy(y_hat, y), losses.cross_entropy_grad(y_hat, y).tolist()],
    }


def _dense(rng: np.random.Generator) -> dict:
    params = dense.init_params([4, 8, 8, 2], rng)
    X = rng.normal(size=(4, 64))
    Y = np.eye(2)[:, rng.integers(0, 2, size=64)]
    trace = dense.forward(params, X, ["relu", "relu", "softmax"])
    grads = dense.backward(params, trace, Y, "cross_entropy")
    stepped = dense.sgd_step(params, grads, 0.1)
    return {
        "A": [a.tolist() for a in trace.A],
        "dW": [g.tolist() for g in grads["dW"]],
        "db": [g.tolist() for g in grads["db"]],
        "stepped": [[W.tolist(), b.tolist()] for W, b in stepped],
        "params": dense.param_count([4, 8, 8, 2]),
    }


def _conv(rng: np.random.Generator) -> dict:
    image = conv_presets.sample_image("digit")
    x = rng.normal(size=(3, 9, 9))
    kernels = rng.normal(size=(4, 3, 3, 3))
    out = conv.conv2d(x, kernels, bias=rng.normal(size=4), stride=2, padding="same")
    dx, dk, db = conv.conv2d_backward(x, kernels, np.ones_like(out), 2, "same")
    return {
        "digit_edge": conv.conv2d(
            image, conv_presets.preset_kernel("edge", 5), padding="same"
        ).tolist(),
        "multi": out.tolist(),
        "backward": [dx.tolist(), dk.tolist(), np.asarray(db).tolist()],
        "max_pool": conv.max_pool2d(image).tolist(),
        "avg_pool": conv.avg_pool2d(image).tolist(),
        "trace_sums": [
            s["sum"]
            for s in conv.conv2d_trace(
                conv_presets.sample_input_7x7(), conv_presets.preset_kernel("sobel_x", 3)
            )["steps"]
        ],
    }


def _norm(rng: np.random.Generator) -> dict:
    x = rng.normal(loc=2.0, scale=3.0, size=(8, 4, 6, 6))
    y_bn, s_bn = norm.batch_norm(x, gamma=1.5, beta=-0.5)
    y_ln, s_ln = norm.layer_norm(x)
    bn = norm.BatchNorm(4)
    for _ in range(3):
        bn.forward(rng.normal(size=(8, 4, 6, 6)), training=True)
    return {
        "bn": [y_bn.tolist(), np.asarray(s_bn["mean"]).tolist(), np.asarray(s_bn["var"]).tolist()],
        "ln": [y_ln.tolist(), np.asarray(s_ln["mean"]).tolist()],
        "in": norm.instance_norm(x)[0].tolist(),
        "gn": norm.group_norm(x, 2)[0].tolist(),
        "running": [
            bn.running_mean.tolist(),
            bn.running_var.tolist(),
            bn.forward(x, training=False).tolist(),
        ],
    }


def _tensor(rng: np.random.Generator) -> dict:
    a = rng.normal(size=(2, 3, 4))
    b = rng.normal(size=(2, 4, 5))
    return {
        "reshape": list(tensor.reshape_shape((2, 3, 4), (6, -1))),
        "broadcast": [list(tensor.broadcast_shapes((3, 1), (2, 1, 4))[0])],
        "einsum": list(tensor.einsum_shape("bqd,bkd->bqk", (2, 5, 8), (2, 7, 8))),
        "targets": [list(t) for t in tensor.valid_reshape_targets((2, 3, 4))],
        "mapping": np.asarray(
            tensor.element_mapping((2, 3, 4), "transpose", axes=(2, 0, 1))
        ).tolist(),
        "matmul": tensor.matmul(a, b).tolist(),
    }


def _perceptron(rng: np.random.Generator) -> dict:
    X, y = perceptron.make_dataset("separable", 100, rng)
    w, b, epochs, converged = perceptron.train(perceptron.random_weights(rng), 0.0, X, y, 0.2, 50)
    return {
        "X": X.tolist(),
        "y": y.tolist(),
        "w": w.tolist(),
        "b": b,
        "epochs": epochs,
        "converged": converged,
    }


GROUPS = {
    "activations": _activations,
    "losses": _losses,
    "dense": _dense,
    "conv": _conv,
    "norm": _norm,
    "tensor": _tensor,
    "perceptron": _perceptron,
}


def suite() -> dict:
    """Every group's results, each from its own fixed seed."""
    return {name: fn(np.random.default_rng(i)) for i, (name, fn) in enumerate(GROUPS.items())}

"""Pieces of the plain-NumPy scripts that a sim's ``numpy_code(state)`` view writes ("Show the
NumPy", issue 13).

A script imports only NumPy and nothing of this project; the state's arrays are written in as
literals, every float as its ``repr`` (which reads back as exactly the same float), so the
script recomputes the sim's numbers to the last bit. Activations are written out in NumPy as
in the chapter's listings (``np.maximum(0, z)``, softmax with the max subtracted).
"""

from __future__ import annotations

from typing import Any

WIDTH = 92
"""Longest line of an array literal before it is broken over lines (one row per line)."""


def number(v: Any) -> str:
    """A number as Python source: ints as ints, floats by ``repr`` (round-trips exactly)."""
    if isinstance(v, bool):
        raise ValueError(f"{v!r} is not a number")
    if isinstance(v, int):
        return str(v)
    return repr(float(v))


def array(name: str, value: list[Any], *, dtype: str = "", comment: str = "") -> list[str]:
    """``name = np.array([...])`` as lines: on one line when it fits in :data:`WIDTH`, else
    one row per line (a long row of numbers wrapped)."""
    tail = f", dtype={dtype})" if dtype else ")"
    note = f"  # {comment}" if comment else ""
    return f"{name} = np.array({_nested(value, 0)}{tail}{note}".split("\n")


ACTIVATION = {
    "relu": "np.maximum(0, {z})",
    "leaky_relu": "np.where({z} > 0, {z}, 0.01 * {z})",
    "sigmoid": "1 / (1 + np.exp(-{z}))",
    "tanh": "np.tanh({z})",
    "softplus": "np.log1p(np.exp({z}))",
    "linear": "{z}",
}
"""a = f(z) of each elementwise activation as a NumPy expression in ``{z}``."""

DERIVATIVE = {
    "relu": "np.where(z > 0, 1.0, 0.0)",
    "leaky_relu": "np.where(z > 0, 1.0, 0.01)",
    "sigmoid": "sigmoid(z) * (1 - sigmoid(z))",
    "tanh": "1 - np.tanh(z) ** 2",
    "softplus": "1 / (1 + np.exp(-z))",
    "linear": "np.ones_like(z)",
}
"""f'(z) of each elementwise activation, the body of its ``<name>_grad(z)`` (ReLU'(0) = 0 as
in the chapter's ``relu_derivative``; softplus' is the sigmoid)."""


def function_defs(name: str) -> list[str]:
    """``def <name>(z)`` and ``def <name>_grad(z)`` of an elementwise activation."""
    if name not in DERIVATIVE:
        raise ValueError(f"no NumPy form for the activation {name!r}")
    return [
        f"def {name}(z):",
        "    return " + ACTIVATION[name].format(z="z"),
        "",
        f"def {name}_grad(z):",
        f"    return {DERIVATIVE[name]}",
        "",
    ]


LABEL = {
    "relu": "ReLU",
    "leaky_relu": "Leaky ReLU",
    "sigmoid": "sigmoid",
    "tanh": "tanh",
    "softplus": "softplus",
    "linear": "identity",
    "softmax": "softmax",
}


def softmax_lines(z: str, a: str) -> list[str]:
    """``a = softmax(z)`` down the column, with the max subtracted as in the chapter."""
    return [
        f"exp_z = np.exp({z} - np.max({z}, axis=0, keepdims=True))",
        f"{a} = exp_z / np.sum(exp_z, axis=0, keepdims=True)",
    ]


def activation_lines(name: str, z: str, a: str) -> list[str]:
    """``a = activation(z)`` written out in NumPy (one line, two for softmax)."""
    if name == "softmax":
        return softmax_lines(z, a)
    if name not in ACTIVATION:
        raise ValueError(f"no NumPy form for the activation {name!r}")
    return [f"{a} = " + ACTIVATION[name].format(z=z)]


PRINT_OPTIONS = (
    "np.set_printoptions(suppress=True)  # round-off like 8e-17 prints as 0, not in e-notation"
)


def script(lines: list[str]) -> str:
    """The script's text: ``import numpy as np``, the print options (an array holding a
    round-off residue such as -1.1e-16 would otherwise print every entry in e-notation), a
    blank line, the lines."""
    return "\n".join(["import numpy as np", PRINT_OPTIONS, "", *lines]) + "\n"


# -- array literals


def _nested(value: Any, indent: int) -> str:
    """A nested list literal, on one line when it fits, else one child per line."""
    if hasattr(value, "tolist"):
        value = value.tolist()
    if not isinstance(value, (list, tuple)):
        return number(value)
    flat = "[" + ", ".join(_nested(v, 0) for v in value) + "]"
    if indent + len(flat) <= WIDTH or not value:
        return flat
    pad = " " * (indent + 4)
    if not isinstance(value[0], (list, tuple)) and not hasattr(value[0], "tolist"):
        # a long row of numbers: wrapped, as many per line as fit
        lines, line = [], ""
        for text in (number(v) for v in value):
            if line and len(pad) + len(line) + len(text) + 2 > WIDTH:
                lines.append(line.rstrip())
                line = ""
            line += text + ", "
        lines.append(line.rstrip())
        return "[\n" + "\n".join(pad + ln for ln in lines) + "\n" + " " * indent + "]"
    rows = [pad + _nested(v, indent + 4) + "," for v in value]
    return "[\n" + "\n".join(rows) + "\n" + " " * indent + "]"


def literal(value: Any, *, indent: int = 0) -> str:
    """``np.array([...])`` of ``value`` (nested lists or an ndarray of numbers)."""
    return f"np.array({_nested(value, indent)})"


def assign(name: str, value: Any) -> str:
    """``name = np.array([...])``, broken over lines when long."""
    return f"{name} = {literal(value)}"


def join_lines(lines: list[str]) -> str:
    """Lines that already hold their import as one script ending in a newline (blank lines
    kept, none doubled at the end)."""
    return "\n".join(lines).rstrip() + "\n"

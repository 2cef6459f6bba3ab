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
"""Lines of array literals are wrapped before this many characters."""


def number(v: Any) -> str:
    """A number as Python source: ints as ints, floats by ``repr`` (round-trips exactly)."""
    if isinstance(v, bool):
        raise ValueError(f"{v!r} is not a number")
    if isinstance(v, int):
        return str(v)
    return repr(float(v))


def _items(values: list[Any]) -> list[str]:
    return [
        number(v) if not isinstance(v, list) else "[" + ", ".join(_items(v)) + "]" for v in values
    ]


def _wrap(items: list[str], indent: str, width: int) -> list[str]:
    """``items`` joined by ", " into lines of at most ``width`` characters after ``indent``."""
    lines: list[str] = []
    line = ""
    for item in items:
        if line and len(indent) + len(line) + len(item) + 2 > width:
            lines.append(indent + line + ",")
            line = item
        else:
            line = f"{line}, {item}" if line else item
    lines.append(indent + line)
    return lines


def array(name: str, value: list[Any], *, dtype: str = "", comment: str = "") -> list[str]:
    """``name = np.array([...])`` for a list (1-D) or a list of lists (2-D), one row per line
    when it does not fit on one, each row wrapped at :data:`WIDTH`."""
    tail = f", dtype={dtype})" if dtype else ")"
    note = f"  # {comment}" if comment else ""
    one = f"{name} = np.array([{', '.join(_items(value))}]{tail}{note}"
    if len(one) <= WIDTH:
        return [one]
    out = [f"{name} = np.array(["]
    if value and isinstance(value[0], list):
        for row in value:
            wrapped = _wrap(_items(row), "     ", WIDTH)
            wrapped[0] = "    [" + wrapped[0].lstrip()
            wrapped[-1] += "],"
            out += wrapped
    else:
        out += [
            line if line.endswith(",") else line + ","
            for line in _wrap(_items(value), "    ", WIDTH)
        ]
    out.append(f"]{tail}{note}")
    return out


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


def script(lines: list[str]) -> str:
    """The script's text: ``import numpy as np``, a blank line, the lines."""
    return "\n".join(["import numpy as np", "", *lines]) + "\n"


# -- one-expression literals (np.array([...]) as a string), for the views that build lines

LITERAL_WIDTH = 92
"""Longest nested-list literal line before it is broken over lines (one row per line)."""


def _nested(value: Any, indent: int) -> str:
    """A nested list literal, on one line when it fits, else one child per line."""
    if hasattr(value, "tolist"):
        value = value.tolist()
    if not isinstance(value, (list, tuple)):
        return number(value)
    flat = "[" + ", ".join(_nested(v, 0) for v in value) + "]"
    if indent + len(flat) <= LITERAL_WIDTH or not value:
        return flat
    pad = " " * (indent + 4)
    if not isinstance(value[0], (list, tuple)) and not hasattr(value[0], "tolist"):
        # a long row of numbers: wrapped, as many per line as fit
        lines, line = [], ""
        for text in (number(v) for v in value):
            if line and len(pad) + len(line) + len(text) + 2 > LITERAL_WIDTH:
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

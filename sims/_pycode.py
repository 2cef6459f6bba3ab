"""Writing the plain-NumPy scripts of the ``numpy_code`` views ("Show the NumPy", issue 13).

A sim's ``numpy_code(state)`` returns a short script whose only import is ``import numpy as np``;
the arrays of the state are written into it as literals by :func:`array`, floats by ``repr``
(the shortest text that reads back as the same float), so the script's results equal the
engine's to rounding.
"""

from __future__ import annotations

from typing import Any

WIDTH = 92
"""Longest literal line before a nested list is broken over lines (one row per line)."""


def number(v: Any) -> str:
    """One number as Python reads it back exactly: ``1.0``, ``-0.0625``, ``3`` (ints stay ints)."""
    if isinstance(v, bool):
        raise TypeError(f"{v!r} is a bool, not a number")
    if isinstance(v, int):
        return str(v)
    return repr(float(v))


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


def array(value: Any, *, indent: int = 0) -> str:
    """``np.array([...])`` of ``value`` (nested lists or an ndarray of numbers)."""
    return f"np.array({_nested(value, indent)})"


def assign(name: str, value: Any) -> str:
    """``name = np.array([...])``, broken over lines when long."""
    return f"{name} = {array(value)}"


def script(lines: list[str]) -> str:
    """The lines as one script ending in a newline (blank lines kept, none doubled at the end)."""
    return "\n".join(lines).rstrip() + "\n"

"""What the bridge lets into an action: the arguments' JSON, their names, types and sizes.

Every call from a page (``sims._bridge.call``) passes through :func:`parse` and :func:`check`
before the action runs, so an argument a caller got wrong is refused with a sentence naming the
argument and what is allowed (a ``ValueError``), never answered with a Python internal error.

The declaration is the action's own signature: its parameter names and type hints. ``int``,
``float``, ``bool``, ``str``, ``list[T]``, ``dict[str, T]``, ``X | None``, ``Literal[...]`` and
TypedDicts are checked recursively; ``Annotated[float, Range(lo, hi)]`` adds a range. The
``state`` argument is checked against the module's ``State`` TypedDict when it has one. The
resource bounds below are declared once, here, and hold before anything is allocated.
"""

from __future__ import annotations

import functools
import inspect
import json
import types
import typing
from dataclasses import dataclass
from typing import Any, Literal, NotRequired, Required, Union

MAX_ARGS_CHARS = 4_000_000
"""The longest argument JSON a call may send (the largest state, convolution's, is ~100 KB)."""
MAX_DEPTH = 12
"""How deeply the arguments may nest (the deepest state nests 7 levels)."""
MAX_LIST = 20_000
"""The longest list in any argument (the largest, a 2 × N point list, stays far below)."""
MAX_STR = 2_000
"""The longest string in any argument."""
MAX_NUMBER = 1e12
"""Numbers beyond ±this are refused (none of the sims' quantities comes near)."""


@dataclass(frozen=True)
class Range:
    """``Annotated[float, Range(lo, hi)]``: the number must lie in [lo, hi]."""

    lo: float
    hi: float


def _reject_constant(name: str) -> float:
    raise ValueError(f"{name} is not a number the sims take: only finite numbers")


def _finite_float(text: str) -> float:
    v = float(text)
    if -MAX_NUMBER <= v <= MAX_NUMBER:  # one comparison per number: NaN and ±inf fail it too
        return v
    raise ValueError(f"the number {text[:30]} is too large (at most ±{MAX_NUMBER:g})")


def _bounded_int(text: str) -> int:
    if len(text.lstrip("-")) > 13:
        raise ValueError(f"the number {text[:30]}… is too large (at most ±{MAX_NUMBER:g})")
    return int(text)


def parse(args_json: str) -> dict[str, Any]:
    """The call's arguments from JSON: an object of finite numbers, strings, lists and objects
    within the bounds above, else a ``ValueError`` saying which bound."""
    if not args_json:
        return {}
    if len(args_json) > MAX_ARGS_CHARS:
        raise ValueError(
            f"the arguments are {len(args_json):,} characters long; at most {MAX_ARGS_CHARS:,}"
        )
    try:
        args = json.loads(
            args_json,
            parse_constant=_reject_constant,
            parse_float=_finite_float,
            parse_int=_bounded_int,
        )
    except RecursionError:
        raise ValueError(f"the arguments nest too deeply (at most {MAX_DEPTH} levels)") from None
    except json.JSONDecodeError as exc:
        raise ValueError(f"the arguments are not valid JSON ({exc.msg} at {exc.pos})") from None
    if not isinstance(args, dict):
        raise ValueError(f"the arguments must be a JSON object, not {_kind(args)}")
    _bounded(args, ("arguments",), 0)
    return args


_PLAIN = (int, float, bool, type(None))
"""Leaves the parser has already checked (numbers by parse_float / parse_int)."""


def _where(path: tuple[str | int, ...]) -> str:
    """``arguments.state.sample[3]``: a path, written out only for an error message."""
    return "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in path).lstrip(".")


def _bounded(value: Any, path: tuple[str | int, ...], depth: int) -> None:
    """Depth, text lengths and list/object sizes of a parsed value. Walked on every call (a
    state of 40 KB holds thousands of numbers), so plain leaves are skipped without a call and
    the path is formatted only when something is refused."""
    if depth > MAX_DEPTH:
        raise ValueError(f"{_where(path)} nests too deeply (at most {MAX_DEPTH} levels)")
    if isinstance(value, str):
        if len(value) > MAX_STR:
            raise ValueError(
                f"{_where(path)} is a text of {len(value):,} characters; at most {MAX_STR:,}"
            )
        return
    if isinstance(value, list):
        if len(value) > MAX_LIST:
            raise ValueError(f"{_where(path)} has {len(value):,} items; at most {MAX_LIST:,}")
        items: Any = enumerate(value)
    elif isinstance(value, dict):
        if len(value) > MAX_LIST:
            raise ValueError(f"{_where(path)} has {len(value):,} keys; at most {MAX_LIST:,}")
        items = value.items()
    else:
        return
    leaf_ok = depth + 1 <= MAX_DEPTH
    for key, item in items:
        if leaf_ok and type(item) in _PLAIN:
            continue
        _bounded(item, (*path, key), depth + 1)


def _kind(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a text"
    if isinstance(value, list):
        return "a list"
    return "an object"


def _describe(hint: Any) -> str:
    """What a type hint allows, in words: 'a whole number from -100 to 100'."""
    origin = typing.get_origin(hint)
    if origin is typing.Annotated:
        base, *extra = typing.get_args(hint)
        for mark in extra:
            if isinstance(mark, Range):
                whole = base is int
                return (
                    f"{'a whole number' if whole else 'a number'} from {mark.lo:g} to {mark.hi:g}"
                )
        return _describe(base)
    if origin in (Union, types.UnionType):
        return " or ".join(_describe(a) for a in typing.get_args(hint))
    if origin is Literal:
        return "one of " + ", ".join(repr(a) for a in typing.get_args(hint))
    if origin is list:
        return f"a list of {_describe(typing.get_args(hint)[0]).removeprefix('a ')}s"
    if origin is dict or hint is dict or typing.is_typeddict(hint):
        return "an object"
    return {
        int: "a whole number",
        float: "a number",
        bool: "true or false",
        str: "a text",
        type(None): "null",
        Any: "any JSON value",
    }.get(hint, "an array" if getattr(hint, "__name__", "") == "ndarray" else str(hint))


_SIMPLE: dict[Any, Any] = {
    int: lambda v: isinstance(v, int) and not isinstance(v, bool),
    float: lambda v: isinstance(v, (int, float)) and not isinstance(v, bool),
    bool: lambda v: isinstance(v, bool),
    str: lambda v: isinstance(v, str),
    type(None): lambda v: v is None,
}
"""The plain JSON types and their tests (made once: check_value runs for every state part)."""


@functools.cache
def _hints(obj: Any) -> dict[str, Any]:
    """Type hints of an action or a State TypedDict, evaluated once (not on every call)."""
    return typing.get_type_hints(obj, include_extras=True)


@functools.cache
def _signature(fn: Any) -> inspect.Signature:
    return inspect.signature(fn)


def check_value(value: Any, hint: Any, where: str) -> None:
    """Raise ``ValueError`` naming ``where`` and what is allowed unless ``value`` fits ``hint``."""
    if hint is Any:
        return
    origin = typing.get_origin(hint)
    if origin in (Required, NotRequired):
        return check_value(value, typing.get_args(hint)[0], where)
    if origin is typing.Annotated:
        base, *extra = typing.get_args(hint)
        check_value(value, base, where)
        for mark in extra:
            if isinstance(mark, Range) and not mark.lo <= value <= mark.hi:
                raise ValueError(f"{where} must be {_describe(hint)}, not {value!r}")
        return
    if origin in (Union, types.UnionType):
        for option in typing.get_args(hint):
            try:
                return check_value(value, option, where)
            except ValueError:
                continue
        raise ValueError(f"{where} must be {_describe(hint)}, not {_kind(value)}")
    if origin is Literal:
        if value not in typing.get_args(hint):
            raise ValueError(f"{where} must be {_describe(hint)}, not {value!r}"[:300])
        return
    ok = _SIMPLE.get(hint)
    if ok is not None:
        if not ok(value):
            raise ValueError(f"{where} must be {_describe(hint)}, not {_kind(value)}")
        return
    if getattr(hint, "__name__", "") == "ndarray":  # an array travels as nested lists
        if not isinstance(value, list) or not _numeric(value):
            raise ValueError(f"{where} must be an array: nested lists of numbers")
        return
    if origin is list or hint is list:
        if not isinstance(value, list):
            raise ValueError(f"{where} must be {_describe(hint)}, not {_kind(value)}")
        (item,) = typing.get_args(hint) or (Any,)
        test = _SIMPLE.get(item)
        if test is not None:  # a list of numbers or texts: one loop, no call per item
            for i, v in enumerate(value):
                if not test(v):
                    raise ValueError(f"{where}[{i}] must be {_describe(item)}, not {_kind(v)}")
            return
        for i, v in enumerate(value):
            check_value(v, item, f"{where}[{i}]")
        return
    if typing.is_typeddict(hint):
        if not isinstance(value, dict):
            raise ValueError(f"{where} must be an object, not {_kind(value)}")
        hints = _hints(hint)
        missing = sorted(hint.__required_keys__ - value.keys())
        if missing:
            raise ValueError(f"{where} lacks {', '.join(missing)}: it is not this sim's state")
        for key, sub in hints.items():
            if key in value:
                check_value(value[key], sub, f"{where}.{key}")
        return
    if origin is dict or hint is dict:
        if not isinstance(value, dict):
            raise ValueError(f"{where} must be an object, not {_kind(value)}")
        _, item = typing.get_args(hint) or (str, Any)
        for key, v in value.items():
            check_value(v, item, f"{where}.{key}")
        return
    raise TypeError(f"{where}: the type hint {hint!r} cannot be checked (sims/_args.py)")


def _numeric(value: Any) -> bool:
    if isinstance(value, list):
        return all(_numeric(v) for v in value)
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def check(fn: Any, args: dict[str, Any], *, state_type: Any = None, name: str = "") -> None:
    """Refuse ``args`` unless they bind to ``fn``'s parameters and fit their type hints.

    ``state`` is checked against ``state_type`` (the module's ``State`` TypedDict) if given."""
    name = name or fn.__name__
    params = _signature(fn).parameters
    hints = _hints(fn)
    takes = ", ".join(params) or "no arguments"
    unknown = sorted(set(args) - set(params))
    if unknown:
        raise ValueError(
            f"{name} takes {takes}; {', '.join(map(repr, unknown))} is not one of them"
        )
    missing = [
        p for p, spec in params.items() if spec.default is inspect.Parameter.empty and p not in args
    ]
    if missing:
        raise ValueError(f"{name} needs {', '.join(missing)} (it takes {takes})")
    for arg, value in args.items():
        hint = state_type if arg == "state" and state_type is not None else hints.get(arg, Any)
        check_value(value, hint, f"{name}: {arg}")

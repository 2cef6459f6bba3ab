"""The sim contract: what every ``sims/<module>.py`` declares, and the JSON the page reads.

A sim module defines, in plain Python (no Jinja: the module also runs inside Pyodide):

- ``META``: a :class:`SimMeta`;
- ``CONTROLS``: a list of :class:`Control` (feeds the page's DOM controls, ``metadata.json``
  and the URL parameters);
- ``initial_state(params) -> dict``: the first state, computed by the engine (at build time
  in CPython, embedded in the page; again in Pyodide when URL parameters change a default);
- ``ACTIONS``: ``{name: fn}``, the functions the page calls as
  ``microsim.call("<module>.<name>", {...})``; each takes keyword arguments (usually
  ``state`` plus the changed value) and returns a JSON-able dict;
- optionally ``CONSTANTS``: ``{name: value}``, fixed numbers the drawing needs (plot limits,
  step counts), sent in the page config as ``microsim.constants`` so no sketch retypes them;
- optionally ``VIEWS``: ``{name: fn}``, read-only calls that turn a state into something other
  than a state, e.g. ``numpy_code(state) -> str``: the plain-NumPy script that recomputes what
  the sim shows ("Show NumPy"). Called like actions; they never change the state.

Settings have one set of rules, here: each :class:`Control` checks and converts its own value
(:meth:`Control.coerce`), :class:`Settings` checks a whole ``params`` dict, and
:func:`setting_action` is the one ``set_param`` every sim offers. A control declares what a
change does (``change``): ``"update"`` recomputes from the state (``set_param``),
``"reinit"`` starts over from ``initial_state(params)`` (new data). The page routes every
control from that declaration (``static/microsim.js``), so no sketch routes controls, and the
URL parameters are checked there by the same rules (``parseParam``; a test compares them).

The JSON shapes below (:class:`PageConfig`, :class:`ControlJSON`) are mirrored by the JSDoc
typedefs at the top of ``static/microsim.js``; change both together.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Literal, TypedDict, TypeVar

ControlKind = Literal["slider", "select", "checkbox", "button", "text"]
Change = Literal["update", "reinit"]

# A number as a URL or a text box may spell it: the same pattern as NUMBER in microsim.js.
NUMBER = re.compile(r"^\s*[+-]?(\d+\.?\d*|\.\d+)([eE][+-]?\d+)?\s*$")
TRUE_WORDS = ("1", "true", "on", "yes")  # checkbox spellings, as in microsim.js
FALSE_WORDS = ("0", "false", "off", "no")


def js_number(x: float) -> str:
    """A number as JavaScript's ``String(x)`` writes it (for messages shared with the page)."""
    if float(x).is_integer():
        return str(int(x))
    return repr(float(x))


def decimals(step: float) -> int:
    """Decimal places of a slider step, as ``decimals()`` in microsim.js."""
    text = js_number(step)
    return len(text.split(".")[1]) if "." in text else 0


@dataclass(frozen=True)
class Control:
    """One user control. ``name`` is its ``data-control`` attribute and its URL parameter.

    ``options`` (select) is a list of ``[value, label]`` pairs. ``url`` is False for controls
    that are actions rather than settings (buttons always are).
    """

    name: str
    kind: ControlKind
    label: str
    default: Any = None
    min: float | None = None
    max: float | None = None
    step: float | None = None
    options: list[list[str]] = field(default_factory=list)
    maxlength: int = 40
    help: str = ""
    url: bool = True
    change: Change = "update"
    # text only: parses the text (raising ValueError with a message for the reader) to check
    # it; the setting keeps the text itself. Python-side only: not in the page's JSON.
    check: Callable[[str], Any] | None = field(default=None, compare=False, repr=False)

    def __post_init__(self) -> None:
        if self.kind == "slider" and None in (self.min, self.max, self.step, self.default):
            raise ValueError(f"slider {self.name!r} needs min, max, step and default")
        if self.kind == "select" and self.default not in [v for v, _ in self.options]:
            raise ValueError(f"select {self.name!r}: default {self.default!r} is not an option")
        if self.change not in ("update", "reinit"):
            raise ValueError(f"control {self.name!r}: change is 'update' or 'reinit'")
        if self.has_value:  # (a text's ``check`` may not be defined yet: it runs on use)
            ok, why = self.validate(self.default, run_check=False)
            if not ok:
                raise ValueError(f"control {self.name!r}: its default {self.default!r}: {why}")

    @property
    def has_value(self) -> bool:
        """Buttons trigger actions; every other control holds a value."""
        return self.kind != "button"

    @property
    def values(self) -> list[str]:
        """A select's option values."""
        return [v for v, _ in self.options]

    @property
    def slider_range(self) -> tuple[float, float, float]:
        """A slider's ``(min, max, step)`` as floats (``__post_init__`` makes a slider have
        all three); ValueError for any other control."""
        if self.min is None or self.max is None or self.step is None:
            raise ValueError(f"control {self.name!r} is a {self.kind}, not a slider")
        return float(self.min), float(self.max), float(self.step)

    @property
    def integral(self) -> bool:
        """A slider whose every value is a whole number (held as ``int``)."""
        if self.kind != "slider":
            return False
        lo, _, step = self.slider_range
        return all(float(x).is_integer() for x in (lo, step, self.default))

    def validate(self, value: Any, *, run_check: bool = True) -> tuple[bool, Any]:
        """``(True, the value as this control holds it)`` or ``(False, why it is refused)``.

        The rules (and the ``why`` texts) are those of ``parseParam`` in ``static/microsim.js``,
        which checks URL parameters before the engine is up; values may come as the URL and the
        DOM give them (text) or as JSON values.
        """
        if not self.has_value:
            return False, f"“{self.name}” is a button, not a setting"
        if self.kind == "slider":
            if isinstance(value, bool) or not isinstance(value, (int, float, str)):
                return False, "not a number"
            if isinstance(value, str):
                if not NUMBER.match(value):
                    return False, "not a number"
                value = float(value)
            v = float(value)
            if not math.isfinite(v):
                return False, "not a number"
            lo, hi, step = self.slider_range
            if v < lo or v > hi:
                return False, f"outside the range {js_number(lo)} to {js_number(hi)}"
            snapped = round(lo + math.floor((v - lo) / step + 0.5) * step, decimals(step))
            return True, int(snapped) if self.integral else snapped
        if self.kind == "select":
            text = (
                value if isinstance(value, str) else str(value) if isinstance(value, int) else None
            )
            if isinstance(value, bool) or text not in self.values:
                return False, f"choose one of {', '.join(self.values)}"
            return True, text
        if self.kind == "checkbox":
            if isinstance(value, bool):
                return True, value
            word = value.lower() if isinstance(value, str) else None
            if word in TRUE_WORDS:
                return True, True
            if word in FALSE_WORDS:
                return True, False
            return False, "use true or false"
        if not isinstance(value, str):
            return False, "not text"
        if len(value) > self.maxlength:
            return False, f"longer than {self.maxlength} characters"
        if self.check is not None and run_check:
            try:
                self.check(value)
            except ValueError as exc:
                return False, str(exc)
        return True, value

    def coerce(self, value: Any) -> Any:
        """The value as this control holds it; ValueError naming the control and what it takes."""
        ok, out = self.validate(value)
        if not ok:
            raise ValueError(f"{self.label} ({self.name}): {out}; got {value!r}")
        return out


class Settings:
    """The settings of one sim: its value controls, plus ``extra`` state-held parameters that
    no control shows (with their defaults; the sim checks those itself), and ``fixed`` ones:
    numbers the sim keeps in ``params`` for the reader to see but no caller may change (a
    different value is refused, so no link or bridge call can ask for 3,000,000 points)."""

    def __init__(
        self,
        controls: list[Control],
        extra: dict[str, Any] | None = None,
        fixed: dict[str, Any] | None = None,
    ) -> None:
        self.controls = {c.name: c for c in controls if c.has_value}
        self.fixed = dict(fixed or {})
        self.extra = {**(extra or {}), **self.fixed}

    def control(self, name: str) -> Control:
        """The value control ``name``, or ValueError listing the sim's settings."""
        if name not in self.controls:
            raise ValueError(
                f"there is no setting {name!r}; the settings are {', '.join(self.controls)}"
            )
        return self.controls[name]

    def defaults(self) -> dict[str, Any]:
        return {**defaults(list(self.controls.values())), **self.extra}

    def clean(self, params: dict[str, Any]) -> dict[str, Any]:
        """Every setting checked and converted, defaults for the missing ones."""
        if not isinstance(params, dict):
            raise ValueError(f"params must be an object of settings, not {type(params).__name__}")
        unknown = sorted(set(params) - set(self.controls) - set(self.extra))
        if unknown:
            raise ValueError(
                f"there is no setting {unknown[0]!r}; the settings are {', '.join(self.controls)}"
            )
        for name, value in self.fixed.items():
            if name in params and params[name] != value:
                raise ValueError(f"{name} is fixed at {value} in this sim; got {params[name]!r}")
        p = {**self.defaults(), **params}
        out = {name: c.coerce(p[name]) for name, c in self.controls.items()}
        out.update({name: p[name] for name in self.extra})
        return out


StateT = TypeVar("StateT")
"""A sim's state type (its module's ``State`` TypedDict), as the sim's functions return it.
A state the page sends back arrives as plain JSON: ``dict[str, Any]``."""


def setting_action(
    settings: Settings,
    update: Callable[[dict[str, Any], dict[str, Any], str], StateT],
    reinit: Callable[[dict[str, Any]], StateT],
) -> Callable[[dict[str, Any], str, Any], StateT]:
    """The sim's ``set_param(state, name, value)``: checks the value by the control's rules,
    then ``update(state, params, name)`` for a ``"update"`` control, or ``reinit(params)`` (the
    sim's ``initial_state``) for a ``"reinit"`` one: a change never goes ignored."""

    def set_param(state: dict[str, Any], name: str, value: Any) -> StateT:
        """One control changed: checked by its control, then recomputed by the engine."""
        control = settings.control(name)
        params = settings.clean({**state["params"], name: value})
        if control.change == "reinit":
            return reinit(params)
        return update(state, params, name)

    return set_param


@dataclass(frozen=True)
class SimMeta:
    """Metadata of one sim: page, gallery card, ``index.md`` and ``metadata.json``."""

    slug: str
    title: str
    description: str
    bloom: str
    objectives: list[str]
    draw_height: int
    control_height: int
    subjects: list[str]
    lesson_notes: list[str]
    renderer: Literal["p5", "html"] = "p5"
    order: int = 99  # position in the gallery (the chapter's order)
    sim_type: str = "microsim"
    describe: str = ""

    @property
    def canvas_height(self) -> int:
        """Fixed page height: drawing region plus control region."""
        return self.draw_height + self.control_height


class ControlJSON(TypedDict, total=False):
    """A :class:`Control` as JSON (``asdict``); read by ``static/microsim.js``."""

    name: str
    kind: str
    label: str
    default: Any
    min: float
    max: float
    step: float
    options: list[list[str]]
    maxlength: int
    help: str
    url: bool
    change: str


class FileCheck(TypedDict):
    """What a runtime file must be: its size in bytes and its SHA-256 (hex)."""

    size: int
    sha256: str


class PyodideConfig(TypedDict):
    """How ``static/microsim.js`` boots Pyodide (built by ``pyodide_config`` in build.py; the
    URLs are relative to a sim page)."""

    mode: Literal["self", "cdn"]  # "self": the site's copy of Pyodide; "cdn": jsDelivr's
    indexURL: str
    lockFileURL: str | None  # None: Pyodide's default, the lock file beside indexURL
    packages: list[str]  # the Pyodide packages the page loads
    engineWheel: str
    engineName: str
    files: dict[str, FileCheck]  # file name -> size and hash: the engine checks every download


class PageConfig(TypedDict):
    """The ``<script id="microsim-config">`` JSON of a sim page (see ``static/microsim.js``)."""

    slug: str
    module: str
    title: str
    renderer: str
    drawHeight: int
    controlHeight: int
    describe: str
    controls: list[ControlJSON]
    constants: dict[str, Any]  # the sim module's CONSTANTS: numbers the drawing needs
    root: str
    build: str  # content hash of the build: names the shared engine and the offline cache
    serviceWorker: str | None  # the site's service worker, relative to ``root``
    views: list[str]  # the module's VIEWS the page offers ("numpy_code": Show NumPy)
    pyodide: PyodideConfig


# --------------------------------------------------------------------------- screen text
# Twins of fmt and sub in static/sketch-kit.js: same rules, compared by a browser test.

_SUBSCRIPTS = str.maketrans("0123456789", "₀₁₂₃₄₅₆₇₈₉")


def fmt(v: float, digits: int = 3, min_digits: int = 0) -> str:
    """A number for the screen: at most ``digits`` decimals, trailing zeros dropped down to
    ``min_digits``, "−" as the minus sign, never "−0". fmt(2.5) == "2.5", fmt(2.5, 3, 2) ==
    "2.50", fmt(-0.0001, 2) == "0". An exact half rounds away from zero, as JavaScript's
    toFixed does (fmt(2.5, 0) == "3", fmt(0.125, 2) == "0.13"), on the float's exact value."""
    exact = Decimal(float(v)).quantize(Decimal(1).scaleb(-digits), rounding=ROUND_HALF_UP)
    text = f"{exact:.{digits}f}"
    if "." in text:
        whole, frac = text.split(".")
        frac = frac.rstrip("0").ljust(min_digits, "0")
        text = f"{whole}.{frac}" if frac else whole
    if float(text) == 0:
        text = text.lstrip("-")
    return text.replace("-", "−")


def sub(*indices: int) -> str:
    """Indices as subscript digits, exactly as given: sub(2, 1) == "₂₁" (add 1 yourself to
    show a 0-based index 1-based)."""
    return "".join(str(i) for i in indices).translate(_SUBSCRIPTS)


def control_json(control: Control) -> ControlJSON:
    """The JSON form of a control, without empty fields."""
    data = {k: v for k, v in asdict(control).items() if v not in (None, [], "") and k != "check"}
    # a TypedDict cannot be built from ** of a plain dict (asdict gives dict[str, Any])
    return ControlJSON(**data)  # type: ignore[typeddict-item]


def defaults(controls: list[Control]) -> dict[str, Any]:
    """``{name: default}`` for every control that holds a value."""
    return {c.name: c.default for c in controls if c.has_value}


def to_jsonable(obj: Any) -> Any:
    """Plain JSON data from engine results: NumPy arrays and scalars become lists and numbers.

    Non-finite floats are refused (``JSON.parse`` cannot read ``NaN``), with the path named.
    """
    return _convert(obj, "state")


def _convert(obj: Any, path: str) -> Any:
    if isinstance(obj, dict):
        return {str(k): _convert(v, f"{path}.{k}") for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_convert(v, f"{path}[{i}]") for i, v in enumerate(obj)]
    if hasattr(obj, "tolist"):  # NumPy array or scalar, without importing NumPy here
        return _convert(obj.tolist(), path)
    if isinstance(obj, float):
        if not math.isfinite(obj):
            raise ValueError(f"{path} is {obj}, which cannot be shown; the engine must not emit it")
        return obj
    if obj is None or isinstance(obj, (bool, int, str)):
        return obj
    raise TypeError(f"{path} has type {type(obj).__name__}, which is not JSON data")


def dumps(obj: Any) -> str:
    """Compact JSON of :func:`to_jsonable` data.

    Every state crosses the bridge through here, so the common case is one ``json.dumps`` with
    arrays converted as they are met; only a state that fails (a NaN, a foreign type) takes the
    slow walk of :func:`to_jsonable`, whose error names the path of the bad value.
    """
    try:
        return json.dumps(obj, separators=(",", ":"), allow_nan=False, default=_plain)
    except (TypeError, ValueError):
        return json.dumps(to_jsonable(obj), separators=(",", ":"), allow_nan=False)


def _plain(obj: Any) -> Any:
    """``json.dumps`` hook: NumPy arrays and scalars become lists and numbers."""
    if hasattr(obj, "tolist"):
        return obj.tolist()
    raise TypeError(f"{type(obj).__name__} is not JSON data")

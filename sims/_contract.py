"""The sim contract: what every ``sims/<module>.py`` declares, and the JSON the page reads.

A sim module defines, in plain Python (no Jinja: the module also runs inside Pyodide):

- ``META``: a :class:`SimMeta`;
- ``CONTROLS``: a list of :class:`Control` (feeds the page's DOM controls, ``metadata.json``
  and the URL parameters);
- ``initial_state(params) -> dict``: the first state, computed by the engine (at build time
  in CPython, embedded in the page; again in Pyodide when URL parameters change a default);
- ``ACTIONS``: ``{name: fn}``, the functions the page calls as
  ``microsim.call("<module>.<name>", {...})``; each takes keyword arguments (usually
  ``state`` plus the changed value) and returns a JSON-able dict.

The JSON shapes below (:class:`PageConfig`, :class:`ControlJSON`) are mirrored by the JSDoc
typedefs at the top of ``static/microsim.js``; change both together.
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, field
from typing import Any, Literal, TypedDict

ControlKind = Literal["slider", "select", "checkbox", "button", "text"]


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

    def __post_init__(self) -> None:
        if self.kind == "slider" and None in (self.min, self.max, self.step, self.default):
            raise ValueError(f"slider {self.name!r} needs min, max, step and default")
        if self.kind == "select" and self.default not in [v for v, _ in self.options]:
            raise ValueError(f"select {self.name!r}: default {self.default!r} is not an option")

    @property
    def has_value(self) -> bool:
        """Buttons trigger actions; every other control holds a value."""
        return self.kind != "button"


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
    root: str
    build: str  # content hash of the build: names the shared engine and the offline cache
    serviceWorker: str | None  # the site's service worker, relative to ``root``
    pyodide: dict[str, Any]


def control_json(control: Control) -> ControlJSON:
    """The JSON form of a control, without empty fields."""
    data = {k: v for k, v in asdict(control).items() if v not in (None, [], "")}
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

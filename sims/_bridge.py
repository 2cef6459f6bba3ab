"""The Python half of the browser bridge (the JavaScript half is ``static/microsim.js``).

The page holds one proxy to :func:`call` and passes JSON strings both ways, so no PyProxy is
created per call and none can leak.
"""

from __future__ import annotations

import importlib
import json
import traceback

from sims import _args
from sims._contract import dumps


def _sim_module(module_name: str):  # noqa: ANN202 - a module
    if not module_name.isidentifier() or module_name.startswith("_"):
        raise LookupError(f"there is no sim module {module_name!r}")
    return importlib.import_module(f"sims.{module_name}")


def prepare(module_name: str) -> None:
    """Import sim module ``module_name`` ahead of its first call (the engine does this when a
    page attaches, so the first slider move does not pay for the import). Errors are left for
    that first call to report."""
    try:
        _sim_module(module_name)
    except Exception:  # noqa: BLE001, S110 - call() reports the same error to the page
        pass


def call(path: str, args_json: str) -> str:
    """Run ``ACTIONS[name]`` (or ``initial_state``) of sim module ``module`` for ``"module.name"``.

    Returns ``{"ok": result}`` or ``{"error": message, "type": kind}`` (with ``"detail"``, the
    traceback, for an internal error) as a JSON string; a Python exception never escapes into
    JavaScript. The arguments are parsed and checked against the action's signature and the
    module's ``State`` first (``sims._args``): a wrong one is refused (``ValueError``) with a
    sentence naming it. ``kind`` is ``ValueError`` or ``LookupError`` for a refusal and
    ``InternalError`` for anything else, which the fuzz tests (tests/sims/test_fuzz.py) treat
    as a bug.
    """
    try:
        module_name, _, fn_name = path.partition(".")
        module = _sim_module(module_name)
        views = getattr(module, "VIEWS", {})
        if fn_name == "initial_state":
            fn = module.initial_state
        elif fn_name in module.ACTIONS:
            fn = module.ACTIONS[fn_name]
        elif fn_name in views:  # read-only: a text made from the state (e.g. its NumPy code)
            fn = views[fn_name]
        else:
            known = ", ".join(sorted([*module.ACTIONS, *views]))
            raise LookupError(f"sim {module_name!r} has no action {fn_name!r} (it has: {known})")
        args = _args.parse(args_json)
        _args.check(fn, args, state_type=getattr(module, "State", None), name=fn_name)
        if isinstance(args.get("state"), dict) and hasattr(module, "SETTINGS"):
            # the settings a state carries pass the same checks as a control's (defaults for
            # the missing ones): an action never reads a setting no control would allow
            args["state"] = {
                **args["state"],
                "params": module.SETTINGS.clean(args["state"]["params"]),
            }
        if fn_name in views and fn_name not in module.ACTIONS:
            try:
                return dumps({"ok": fn(**args)})
            except (KeyError, IndexError, TypeError, AttributeError) as exc:
                # a view only reads the state, and works for every state the sim makes
                # (tests/sims/test_numpy_code*.py): what it cannot read is a damaged state
                raise ValueError(
                    f"this state is damaged: {fn_name} cannot read it "
                    f"({type(exc).__name__}: {exc}); reload the sim to start again"
                ) from exc
        return dumps({"ok": fn(**args)})
    except Exception as exc:  # noqa: BLE001 - every failure becomes a message for the status line
        if _is_refusal(exc):  # a refusal: its message is for the reader, no traceback needed
            return _error(str(exc) or type(exc).__name__, type(exc).__name__, trace=False)
        # a bug, or a state the checks let through: say so, never a bare Python internal
        return _error(
            f"{path} could not finish with these arguments ({type(exc).__name__}: {exc}); "
            "reload the sim to start again",
            "InternalError",
        )


def _is_refusal(exc: Exception) -> bool:
    """A ``ValueError`` (the engine's errors are ValueErrors) or a bare ``LookupError`` (no such
    sim or action) is a refusal written for the reader; KeyError, IndexError, TypeError… are
    Python internals."""
    if isinstance(exc, UnicodeError):
        return False
    return isinstance(exc, ValueError) or type(exc) is LookupError


def _error(message: str, kind: str, *, trace: bool = True) -> str:
    """The answer for a failed call: the message, its kind and, for an internal error (a bug
    to report), the traceback under "details"; a refusal's sentence is all a reader needs."""
    answer = {"error": message[:600], "type": kind}
    if trace:
        answer["detail"] = traceback.format_exc(limit=4)
    return json.dumps(answer)

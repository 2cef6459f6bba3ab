"""The Python half of the browser bridge (the JavaScript half is ``static/microsim.js``).

The page holds one proxy to :func:`call` and passes JSON strings both ways, so no PyProxy is
created per call and none can leak.
"""

from __future__ import annotations

import importlib
import json
import traceback

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

    Returns ``{"ok": result}`` or ``{"error": message, "type": exception class, "detail": tb}``
    as a JSON string; a Python exception never escapes into JavaScript.
    """
    try:
        module_name, _, fn_name = path.partition(".")
        module = _sim_module(module_name)
        if fn_name == "initial_state":
            fn = module.initial_state
        elif fn_name in module.ACTIONS:
            fn = module.ACTIONS[fn_name]
        else:
            known = ", ".join(sorted(module.ACTIONS))
            raise LookupError(f"sim {module_name!r} has no action {fn_name!r} (it has: {known})")
        args = json.loads(args_json) if args_json else {}
        return dumps({"ok": fn(**args)})
    except Exception as exc:  # every failure becomes a message for the status line
        return json.dumps(
            {
                "error": str(exc) or type(exc).__name__,
                "type": type(exc).__name__,
                "detail": traceback.format_exc(limit=4),
            }
        )

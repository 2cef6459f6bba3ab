"""One module per simulation. Each follows the contract in :mod:`sims._contract`.

Modules whose names start with ``_`` are shared machinery, not sims.
"""

from __future__ import annotations

import importlib
import pkgutil
from types import ModuleType

REQUIRED = ("META", "CONTROLS", "initial_state", "ACTIONS")


def is_sim_module(name: str) -> bool:
    """A sim module is any public module of this package."""
    return not name.startswith("_")


def discover(only: list[str] | None = None) -> dict[str, ModuleType]:
    """``{module_name: module}`` for every sim in this package, sorted by module name.

    ``only`` restricts discovery (and importing) to the named modules.

    Raises ``TypeError`` naming the module and what it lacks when a module breaks the contract.
    """
    found: dict[str, ModuleType] = {}
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda i: i.name):
        if not is_sim_module(info.name) or (only and info.name not in only):
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        missing = [attr for attr in REQUIRED if not hasattr(module, attr)]
        if missing:
            raise TypeError(f"sims/{info.name}.py does not define {', '.join(missing)}")
        found[info.name] = module
    unknown = sorted(set(only or []) - set(found))
    if unknown:
        raise LookupError(f"no sim module named {', '.join(unknown)} in sims/")
    return found

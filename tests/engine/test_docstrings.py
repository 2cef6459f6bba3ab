"""Every public function and class of engine/ has a docstring (with shapes, by convention)."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import engine


def test_every_public_engine_function_has_a_docstring():
    missing = []
    for info in pkgutil.iter_modules(engine.__path__):
        module = importlib.import_module(f"engine.{info.name}")
        for name, obj in vars(module).items():
            if name.startswith("_") or getattr(obj, "__module__", None) != module.__name__:
                continue
            if (inspect.isfunction(obj) or inspect.isclass(obj)) and not inspect.getdoc(obj):
                missing.append(f"{module.__name__}.{name}")
    assert missing == [], f"no docstring: {missing}"

"""engine/ imports nothing but NumPy and the standard library (it also runs in Pyodide)."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

ENGINE = Path(__file__).resolve().parents[2] / "engine"
ALLOWED = {"numpy", "engine"} | set(sys.stdlib_module_names)


def imported_roots(path: Path) -> set[str]:
    roots = set()
    for node in ast.walk(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            roots |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            roots.add(node.module.split(".")[0])
    return roots


def test_engine_imports_only_numpy_and_the_standard_library():
    offending = {
        str(path.relative_to(ENGINE.parent)): sorted(imported_roots(path) - ALLOWED)
        for path in sorted(ENGINE.glob("*.py"))
    }
    offending = {k: v for k, v in offending.items() if v}
    assert offending == {}, f"engine modules importing other packages: {offending}"


def test_the_import_check_sees_a_forbidden_import(tmp_path):
    bad = tmp_path / "bad.py"
    bad.write_text("import scipy.linalg\nfrom jinja2 import Template\nimport numpy as np\n")
    assert imported_roots(bad) - ALLOWED == {"scipy", "jinja2"}

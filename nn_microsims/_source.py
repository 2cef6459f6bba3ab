"""build.py and the files it reads (templates/, static/, package.json, ...), for the command.

In a clone they lie beside this package. An installed wheel carries a copy of them in
``nn_microsims/_data/`` (setup.py's build step puts it there), so build.py's ``ROOT`` (the
folder it lies in) finds them there the same way. Either folder goes first on ``sys.path``, so
``import build`` is this project's build.py (and not PyPA's ``build`` package).
"""

from __future__ import annotations

import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
SHIPPED = HERE / "_data"
SOURCE_ROOT = SHIPPED if (SHIPPED / "build.py").is_file() else HERE.parent

if str(SOURCE_ROOT) not in sys.path:
    sys.path.insert(0, str(SOURCE_ROOT))

import build  # noqa: E402 (after the path that finds it)

if Path(build.__file__).resolve().parent != SOURCE_ROOT:
    raise ImportError(f"`import build` found {build.__file__}, not {SOURCE_ROOT / 'build.py'}")

__all__ = ["build", "SOURCE_ROOT"]

"""setuptools' build step for the author command (the project's metadata is in pyproject.toml).

``nn-microsims export`` runs build.py, which reads templates/, static/, package.json and the
rest beside it. They are not Python packages, so a wheel would leave them out: this build step
copies them, with build.py, into the wheel's ``nn_microsims/_data/`` (where
``nn_microsims._source`` finds them). An editable install reads them from the clone instead.
The browser's engine wheel is build.py's own (engine/ and sims/ only), not this one.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
SHIPPED = [
    "build.py",
    "package.json",
    "package-lock.json",
    "templates",
    "static",
    "docs/screenshots",
]


class BuildPyWithSources(build_py):
    """build_py, then build.py and what it reads into ``nn_microsims/_data/``."""

    def run(self) -> None:
        super().run()
        if self.editable_mode:
            return
        data = Path(self.build_lib) / "nn_microsims" / "_data"
        for name in SHIPPED:
            source, target = ROOT / name, data / name
            if source.is_dir():
                shutil.copytree(source, target, dirs_exist_ok=True)
            else:
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(source, target)


setup(cmdclass={"build_py": BuildPyWithSources})

"""A fresh MkDocs Material book with three sims exported into it the way the README tells an
author to (tests/build/test_export.py checks the files and the strict build,
tests/browser/test_book.py the built book in Chromium)."""

from __future__ import annotations

import contextlib
import io
import os
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import yaml

from nn_microsims import cli

SLUGS = ["perceptron-decision-boundary", "activation-functions", "tensor-operations"]
PAGE = "chapters/nn/index.md"  # a chapter page two folders deep
BOOK_YML = """\
site_name: A test book
theme:
  name: material
  font: false  # no Google Fonts: then nothing of the book leaves its origin
nav:
  - Home: index.md
  - Neural networks: chapters/nn/index.md
"""


@dataclass(frozen=True)
class Book:
    root: Path  # mkdocs.yml, docs/, site/
    output: str  # what `nn-microsims export` printed
    mkdocs: subprocess.CompletedProcess[str]  # `mkdocs build --strict`

    @property
    def docs(self) -> Path:
        return self.root / "docs"

    @property
    def site(self) -> Path:
        return self.root / "site"


def run_export(argv: list[str]) -> tuple[int, str, str]:
    """``nn-microsims`` with ``argv`` in this process: (exit status, stdout, stderr)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        status = cli.main(argv)
    return status, out.getvalue(), err.getvalue()


def sections(output: str) -> dict[str, str]:
    """The printed blocks by their ``== heading ==`` line (the first words of the heading)."""
    found: dict[str, list[str]] = {}
    current: list[str] | None = None
    for line in output.splitlines():
        if line.startswith("== ") and line.endswith(" =="):
            current = found.setdefault(line[3:].split(" ", 1)[0].rstrip(":"), [])
        elif current is not None:
            current.append(line)
    return {name: "\n".join(lines).strip() for name, lines in found.items()}


def add_to_mkdocs_yml(config: Path, lines: str) -> None:
    """The README's rule: add the printed lines; a key the file already has gets the entries
    added to its list."""
    book = yaml.safe_load(config.read_text())
    for key, entries in yaml.safe_load(lines).items():
        book[key] = [*book.get(key, []), *entries]
    config.write_text(yaml.safe_dump(book, sort_keys=False, allow_unicode=True))


def make_book(root: Path) -> Book:
    """A book in ``root``: export SLUGS, paste what the command printed, mkdocs build --strict."""
    docs = root / "docs"
    (docs / "chapters" / "nn").mkdir(parents=True)
    (root / "mkdocs.yml").write_text(BOOK_YML)
    (docs / "index.md").write_text("# A test book\n\nThe chapters use the MicroSims.\n")
    chapter = docs / PAGE
    chapter.write_text("# Neural networks\n\nThe sims of this chapter:\n")
    status, output, errors = run_export(["export", str(docs), "--sims", *SLUGS, "--page", PAGE])
    if status != 0:
        raise AssertionError(f"nn-microsims export failed ({status}): {errors}")
    printed = sections(output)
    add_to_mkdocs_yml(root / "mkdocs.yml", printed["mkdocs.yml"])
    chapter.write_text(chapter.read_text() + "\n" + printed[PAGE] + "\n")
    built = subprocess.run(
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-f", str(root / "mkdocs.yml")],
        cwd=root,
        capture_output=True,
        text=True,
        env={**os.environ, "NO_MKDOCS_2_WARNING": "1"},
    )
    return Book(root, output, built)

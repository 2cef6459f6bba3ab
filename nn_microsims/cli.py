"""The command line: ``nn-microsims export DOCS_DIR [--sims SLUG ...] [--prefix P] [--page PAGE]``.

Writes the sims into the book (:mod:`nn_microsims.export`), then prints what the author pastes:
the mkdocs.yml lines and the iframe snippets for a chapter page. A problem is one line on
stderr and exit status 1.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from nn_microsims import export as ex
from nn_microsims._source import build

USAGE = """\
Copy the sims and their runtime into a MkDocs book's docs/ folder (under docs/<prefix>/, so
nothing of the book is overwritten), then print the mkdocs.yml lines and the iframe snippet for
a chapter page. Run it again to update: it replaces only files it wrote itself and that are
unchanged since (its manifest: docs/<prefix>/.nn-microsims-export.json)."""


def parser() -> argparse.ArgumentParser:
    main = argparse.ArgumentParser(prog="nn-microsims", description=USAGE.split("\n\n")[0])
    commands = main.add_subparsers(dest="command", required=True)
    export = commands.add_parser(
        "export",
        help="copy sims into a MkDocs book",
        description=USAGE,
        epilog="sims: " + ", ".join(ex.slugs_to_modules()),
    )
    export.add_argument("docs", type=Path, metavar="DOCS_DIR", help="the book's docs/ folder")
    export.add_argument(
        "--sims", nargs="+", metavar="SLUG", help="the sims to export (default: all eight)"
    )
    export.add_argument(
        "--prefix",
        default=ex.PREFIX,
        help=f"the folder inside DOCS_DIR that receives everything (default: {ex.PREFIX})",
    )
    export.add_argument(
        "--page",
        default="index.md",
        metavar="PAGE",
        help="the page (inside DOCS_DIR, e.g. chapters/ch10/index.md) the printed iframe "
        "snippets are for: their src is relative to its URL (default: index.md)",
    )
    export.add_argument(
        "--force",
        action="store_true",
        help="replace files in DOCS_DIR/<prefix>/ the export did not write or that were edited",
    )
    return main


def page_inside(page: str, docs: Path) -> str:
    """``page`` as a path inside ``docs``: as given, or made relative when it names a file
    under ``docs`` from here (``docs/ch1/index.md`` typed in the book's folder)."""
    here = Path(page)
    try:
        return here.resolve().relative_to(docs.resolve()).as_posix()
    except ValueError:
        return page


def report(result: ex.Exported, page: str, *, directory_urls: bool) -> str:
    """What was written, then the two things to paste, each under a ``== ... ==`` heading."""
    folder = ex.page_url_folder(page, directory_urls=directory_urls)
    url = f"{folder}/" if folder not in ("", ".") else "the book's root"
    names = ", ".join(sim.meta.slug for sim in result.sims)
    count = f"{len(result.sims)} sim" + ("s" if len(result.sims) != 1 else "")
    return "\n".join(
        [
            f"Wrote {result.target}/: {count} ({names}) and their runtime, "
            f"{len(result.files)} files, {result.size() / 1e6:.1f} MB ({result.changed} new or "
            f"changed, {result.removed} removed; manifest {ex.MANIFEST})",
            "",
            "== mkdocs.yml: add these lines (for a key it already has, add the entries to "
            "that key's list) ==",
            ex.mkdocs_lines(result),
            "",
            f"== {page} (served at {url}"
            + ("" if directory_urls else ", use_directory_urls: false")
            + "): paste each sim where it goes; src climbs one ../ per folder of the page's "
            f"URL, then goes down to {result.prefix}/sims/<slug>/main.html ==",
            ex.snippets(result, folder),
        ]
    )


def main(argv: list[str] | None = None) -> int:
    args = parser().parse_args(argv)
    try:
        page = page_inside(args.page, args.docs)
        ex.page_url_folder(page)  # a bad --page stops before anything is written
        result = ex.export(args.docs, slugs=args.sims, prefix=args.prefix, force=args.force)
        print(report(result, page, directory_urls=ex.uses_directory_urls(args.docs)))
    except build.BuildError as error:
        print(f"nn-microsims: error: {error}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

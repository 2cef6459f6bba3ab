"""``nn-microsims export`` (issue 12): the files it writes into a MkDocs book, its manifest and
refusals, the printed mkdocs.yml lines and snippets (a strict MkDocs build with them), the npm
registry fetch (a local server), and the installed wheel that carries what the export needs."""

from __future__ import annotations

import base64
import hashlib
import http.server
import io
import json
import os
import re
import shutil
import subprocess
import sys
import tarfile
import threading
import zipfile
from collections.abc import Iterator
from contextlib import contextmanager
from html.parser import HTMLParser
from pathlib import Path

import pytest
import yaml

import build
from nn_microsims import export as ex
from nn_microsims import npm
from tests.book import PAGE, SLUGS, Book, make_book, run_export, sections
from tests.browser.harness import SITE

ROOT = Path(build.__file__).resolve().parent
ONE = "tensor-operations"


@pytest.fixture(scope="module")
def book(tmp_path_factory) -> Book:
    made = make_book(tmp_path_factory.mktemp("book"))
    assert made.mkdocs.returncode == 0, f"mkdocs build --strict failed:\n{made.mkdocs.stderr}"
    return made


def exported(docs: Path, *extra: str) -> tuple[int, str, str]:
    return run_export(["export", str(docs), *extra])


def one_line_error(status: int, out: str, err: str) -> str:
    """The refusal: exit 1, one line on stderr, no traceback."""
    assert status == 1, f"exit status {status}, stderr {err!r}"
    assert "Traceback" not in err + out, err
    lines = err.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("nn-microsims: error: "), lines
    return lines[0]


# --------------------------------------------------------------------------- the book


def test_the_export_writes_only_its_folder_with_the_chosen_sims_and_no_index_html(book):
    assert sorted(p.name for p in book.docs.iterdir()) == ["chapters", "index.md", "nn-microsims"]
    target = book.docs / "nn-microsims"
    assert sorted(p.name for p in (target / "sims").iterdir()) == sorted(SLUGS)
    html_pages = [p.relative_to(target).as_posix() for p in target.rglob("index.html")]
    assert html_pages == [], f"an index.html would clash with the book's pages: {html_pages}"
    expected = [
        "sw.js",
        ex.RESIZE_SCRIPT,
        "static/microsim.js",
        "vendor/p5/p5.min.js",
        "vendor/pyodide/pyodide.asm.wasm",
        "vendor/pyodide/pyodide-lock.json",
        f"vendor/pyodide/{build.NUMPY_WHEEL}",
        *(f"sims/{s}/{f}" for s in SLUGS for f in ("main.html", "index.md", "metadata.json")),
    ]
    missing = [name for name in expected if not (target / name).is_file()]
    assert missing == [], f"missing from {target}: {missing}"
    assert len(list((target / "engine").glob("nn_microsims-*-py3-none-any.whl"))) == 1


def test_the_manifest_lists_every_file_written_with_its_sha256(book):
    target = book.docs / "nn-microsims"
    manifest = json.loads((target / ex.MANIFEST).read_text())["files"]
    on_disk = {
        p.relative_to(target).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in target.rglob("*")
        if p.is_file() and p.name != ex.MANIFEST
    }
    assert sorted(manifest) == sorted(on_disk), set(manifest) ^ set(on_disk)
    wrong = [name for name in manifest if manifest[name] != on_disk[name]]
    assert wrong == [], f"sha256 in the manifest differs from the file: {wrong}"


def test_the_service_worker_precaches_only_files_the_export_wrote(book):
    """A precache entry that 404s (the gallery's index.html) makes the worker's install fail."""
    target = book.docs / "nn-microsims"
    text = (target / "sw.js").read_text()
    precache = json.loads(re.search(r"const PRECACHE = (\[.*?\]);", text, re.S).group(1))
    assert "index.html" not in precache
    missing = [name for name in precache if not (target / name).is_file()]
    assert missing == [], f"sw.js precaches files the export did not write: {missing}"
    assert f"sims/{SLUGS[0]}/main.html" in precache, precache


@pytest.mark.parametrize("slug", SLUGS)
def test_every_exported_index_md_has_yaml_front_matter_with_the_title(book, slug):
    text = (book.docs / "nn-microsims" / "sims" / slug / "index.md").read_text()
    assert text.startswith("---\n"), text[:60]
    block, _, body = text[4:].partition("\n---\n")
    fields = yaml.safe_load(block)
    meta = next(s.meta for s in build.collect_sims() if s.meta.slug == slug)
    assert fields["title"] == meta.title and fields["description"] == meta.description, fields
    assert body.lstrip().startswith(f"# {meta.title}"), body[:60]


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.iframes: list[str] = []
        self.scripts: list[str] = []

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        if tag == "iframe":
            self.iframes.append(values.get("src") or "")
        if tag == "script" and values.get("src"):
            self.scripts.append(values["src"] or "")


def test_the_printed_lines_give_a_strict_mkdocs_build_whose_chapter_iframes_resolve(book):
    """mkdocs build --strict passed (the fixture); on the built chapter page every iframe's src
    and the resize script resolve to files of the built book."""
    printed = yaml.safe_load(sections(book.output)["mkdocs.yml"])
    assert printed["markdown_extensions"] == ["attr_list", "md_in_html"], printed
    assert printed["extra_javascript"] == [f"nn-microsims/{ex.RESIZE_SCRIPT}"], printed
    nav = [next(iter(entry.values())) for entry in printed["nav"][0]["MicroSims"]]
    assert nav == [f"nn-microsims/sims/{slug}/index.md" for slug in SLUGS], nav
    page_dir = book.site / Path(PAGE).parent  # served at chapters/nn/
    tags = _Tags()
    tags.feed((page_dir / "index.html").read_text())
    assert [Path(src).parent.name for src in tags.iframes] == SLUGS, tags.iframes
    unresolved = [src for src in tags.iframes if not (page_dir / src).resolve().is_file()]
    assert unresolved == [], f"iframe src that is not a file of the built book: {unresolved}"
    resize = [s for s in tags.scripts if s.endswith("microsim-resize.js")]
    assert resize and (page_dir / resize[0]).resolve().is_file(), tags.scripts
    for slug in SLUGS:
        lesson = book.site / "nn-microsims" / "sims" / slug / "index.html"
        assert lesson.is_file() and (lesson.parent / "main.html").is_file(), lesson


def test_the_mkdocs_build_warned_about_nothing_of_the_export(book):
    noise = [line for line in book.mkdocs.stderr.splitlines() if "WARNING" in line]
    assert noise == [], noise


# --------------------------------------------------------------------------- re-export, refusals


def empty_docs(tmp_path: Path) -> Path:
    docs = tmp_path / "docs"
    docs.mkdir()
    (docs / "index.md").write_text("# Book\n")
    return docs


def test_a_re_export_updates_its_own_files_and_removes_a_sim_left_out(tmp_path):
    docs = empty_docs(tmp_path)
    assert exported(docs, "--sims", ONE, SLUGS[0])[0] == 0
    own = docs / "nn-microsims" / "notes.md"
    own.write_text("the author's own notes\n")  # neither in the manifest nor written: left alone
    status, out, err = exported(docs, "--sims", ONE)
    assert status == 0, err
    assert not (docs / "nn-microsims" / "sims" / SLUGS[0]).exists(), "the sim left out remains"
    assert (docs / "nn-microsims" / "sims" / ONE / "main.html").is_file()
    assert own.read_text() == "the author's own notes\n"
    files = json.loads((docs / "nn-microsims" / ex.MANIFEST).read_text())["files"]
    assert not any(name.startswith(f"sims/{SLUGS[0]}/") for name in files), sorted(files)
    assert re.search(r"\b[1-9]\d* removed\b", out), out.splitlines()[-12:]
    status, out, err = exported(docs, "--sims", ONE)
    assert status == 0 and "(0 new or changed, 0 removed" in out, (err, out)


def test_a_file_the_export_did_not_write_is_refused_naming_it_and_force_replaces_it(tmp_path):
    docs = empty_docs(tmp_path)
    theirs = docs / "nn-microsims" / "static" / "microsim.js"
    theirs.parent.mkdir(parents=True)
    theirs.write_text("// the book's own file\n")
    line = one_line_error(*exported(docs, "--sims", ONE))
    assert str(theirs) in line and "not written by nn-microsims export" in line, line
    assert "--force" in line, line
    assert theirs.read_text() == "// the book's own file\n", "the refused file was changed"
    assert not (docs / "nn-microsims" / ex.MANIFEST).exists(), "a refused export wrote files"
    assert not (docs / "nn-microsims" / "sims").exists(), "a refused export wrote files"
    assert exported(docs, "--sims", ONE, "--force")[0] == 0
    assert theirs.read_bytes() == (ROOT / "static" / "microsim.js").read_bytes()


def test_a_file_edited_since_the_export_is_refused_naming_it(tmp_path):
    docs = empty_docs(tmp_path)
    assert exported(docs, "--sims", ONE, SLUGS[0])[0] == 0
    lesson = docs / "nn-microsims" / "sims" / ONE / "index.md"
    lesson.write_text(lesson.read_text() + "\nMy own paragraph.\n")
    line = one_line_error(*exported(docs, "--sims", ONE, SLUGS[0]))
    assert str(lesson) in line and "edited since the last export" in line, line
    assert lesson.read_text().endswith("My own paragraph.\n")
    edited = docs / "nn-microsims" / "sims" / SLUGS[0] / "metadata.json"  # would be removed
    lesson.unlink()
    edited.write_text("{}")
    line = one_line_error(*exported(docs, "--sims", ONE))
    assert str(edited) in line and "edited" in line, line
    assert edited.read_text() == "{}"


@pytest.mark.parametrize(
    ("args", "says"),
    [
        (["--sims", "no-such-sim"], "no sim 'no-such-sim': choose from perceptron-decision"),
        (["--prefix", "../outside"], "--prefix '../outside' is not a folder name"),
        (["--page", "../x.md"], "--page '../x.md' must be a .md file inside DOCS_DIR"),
        (["--page", "chapter.html"], "must be a .md file"),
    ],
)
def test_bad_input_is_one_line_naming_it(tmp_path, args, says):
    docs = empty_docs(tmp_path)
    line = one_line_error(*exported(docs, *args))
    assert says in line, line
    assert sorted(p.name for p in docs.iterdir()) == ["index.md"], "bad input wrote files"


def test_a_missing_docs_folder_and_a_damaged_manifest_are_one_line(tmp_path):
    line = one_line_error(*exported(tmp_path / "nowhere"))
    assert "is not a folder: give your MkDocs book's docs folder" in line, line
    docs = empty_docs(tmp_path)
    (docs / "nn-microsims").mkdir()
    (docs / "nn-microsims" / ex.MANIFEST).write_text("{not json")
    line = one_line_error(*exported(docs, "--sims", ONE))
    assert ex.MANIFEST in line and "--force" in line, line


# --------------------------------------------------------------------------- the snippet's src


@pytest.mark.parametrize(
    ("page", "directory_urls", "src"),
    [
        ("index.md", True, "nn-microsims/sims/s/main.html"),
        ("chapters/nn/index.md", True, "../../nn-microsims/sims/s/main.html"),
        ("chapters/nn.md", True, "../../nn-microsims/sims/s/main.html"),  # served at chapters/nn/
        ("chapters/nn.md", False, "../nn-microsims/sims/s/main.html"),  # chapters/nn.html
        ("about.md", True, "../nn-microsims/sims/s/main.html"),
        ("a/b/c/README.md", True, "../../../nn-microsims/sims/s/main.html"),
    ],
)
def test_the_iframe_src_climbs_one_level_per_folder_of_the_pages_url(page, directory_urls, src):
    folder = ex.page_url_folder(page, directory_urls=directory_urls)
    assert ex.iframe_src("nn-microsims", "s", folder) == src, (page, directory_urls, folder)


def test_use_directory_urls_false_in_mkdocs_yml_changes_the_printed_src(tmp_path):
    docs = empty_docs(tmp_path)
    (tmp_path / "mkdocs.yml").write_text("site_name: B\nuse_directory_urls: false\n")
    status, out, err = exported(docs, "--sims", ONE, "--page", "chapters/nn.md")
    assert status == 0, err
    snippet = next(v for k, v in sections(out).items() if k.startswith("chapters/nn.md"))
    assert snippet.startswith(f'<iframe src="../nn-microsims/sims/{ONE}/main.html"'), snippet


# --------------------------------------------------------------------------- the npm registry


def tarball(files: dict[str, bytes]) -> bytes:
    """An npm-style .tgz: every file under package/."""
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        for name, data in files.items():
            info = tarfile.TarInfo(f"package/{name}")
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return buffer.getvalue()


def sri(data: bytes) -> str:
    return "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode()


@contextmanager
def registry(files: dict[str, bytes]) -> Iterator[tuple[str, list[str]]]:
    """A registry on 127.0.0.1 answering ``/<path>`` from ``files``; yields (URL, paths asked)."""
    asked: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802
            asked.append(self.path)
            body = files.get(self.path)
            self.send_response(200 if body is not None else 404)
            self.send_header("Content-Length", str(len(body or b"")))
            self.end_headers()
            self.wfile.write(body or b"")

        def log_message(self, *args) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}/", asked
    finally:
        server.shutdown()
        server.server_close()


def test_a_tarball_with_the_locks_hash_is_fetched_once_cached_and_unpacked(tmp_path):
    data = tarball({"package.json": b'{"version": "1.0.0"}', "lib/x.js": b"x();", "extra": b"!"})
    pin = npm.Pin("demo", "1.0.0", sri(data))
    logged: list[str] = []
    with registry({"/demo/-/demo-1.0.0.tgz": data}) as (url, asked):
        path = npm.cached_tarball(pin, tmp_path / "cache", log=logged.append, base=url)
        again = npm.cached_tarball(pin, tmp_path / "cache", log=logged.append, base=url)
    assert asked == ["/demo/-/demo-1.0.0.tgz"], f"fetched {asked} (the second use is the cache)"
    assert path == again == tmp_path / "cache" / "npm" / "demo-1.0.0.tgz" and path.is_file()
    assert logged == [f"  fetching {url}demo/-/demo-1.0.0.tgz (0.0 MB)"], logged
    out = npm.unpack(path, ["lib/x.js"], tmp_path / "out")
    assert (out / "lib" / "x.js").read_bytes() == b"x();"
    assert [p.name for p in out.rglob("*") if p.is_file()] == ["x.js"], "unpacked more than asked"


def test_a_tarball_with_another_hash_is_refused_and_not_kept(tmp_path):
    good = tarball({"package.json": b"{}"})
    bad = tarball({"package.json": b'{"evil": true}'})
    pin = npm.Pin("demo", "1.0.0", sri(good))
    with registry({"/demo/-/demo-1.0.0.tgz": bad}) as (url, _):
        with pytest.raises(npm.FetchError) as refused:
            npm.cached_tarball(pin, tmp_path, log=lambda _: None, base=url)
    message = str(refused.value)
    assert "demo-1.0.0.tgz does not match package-lock.json" in message, message
    assert "refusing it, nothing was kept" in message and "\n" not in message, message
    assert list(tmp_path.rglob("*.tgz*")) == [], "a refused download was kept"


def test_a_damaged_cached_tarball_is_fetched_again(tmp_path):
    good = tarball({"package.json": b"{}"})
    pin = npm.Pin("demo", "1.0.0", sri(good))
    cached = tmp_path / "npm" / "demo-1.0.0.tgz"
    cached.parent.mkdir()
    cached.write_bytes(good[:-10])
    logged: list[str] = []
    with registry({"/demo/-/demo-1.0.0.tgz": good}) as (url, asked):
        npm.cached_tarball(pin, tmp_path, log=logged.append, base=url)
    assert asked == ["/demo/-/demo-1.0.0.tgz"] and cached.read_bytes() == good, asked
    assert "does not match package-lock.json's integrity: fetching it again" in logged[0], logged


def test_an_unreachable_registry_is_one_line_naming_the_url(tmp_path):
    pin = npm.Pin("demo", "1.0.0", sri(b""))
    with registry({}) as (url, _):  # answers 404
        with pytest.raises(npm.FetchError) as failed:
            npm.cached_tarball(pin, tmp_path, log=lambda _: None, base=url)
    message = str(failed.value)
    assert message.startswith(f"could not fetch {url}demo/-/demo-1.0.0.tgz"), message
    assert "npm_config_registry" in message and "\n" not in message, message


def test_the_registry_is_npm_config_registry_when_set_and_the_lock_pins_its_hashes(monkeypatch):
    monkeypatch.delenv("npm_config_registry", raising=False)
    monkeypatch.delenv("NPM_CONFIG_REGISTRY", raising=False)
    assert npm.registry() == "https://registry.npmjs.org/"
    pyodide, p5 = npm.pins(ROOT / "package-lock.json", ["pyodide", "p5"])
    assert npm.tarball_url(pyodide, npm.registry()) == (
        f"https://registry.npmjs.org/pyodide/-/pyodide-{build.PYODIDE_VERSION}.tgz"
    )
    assert (pyodide.version, p5.version) == (build.PYODIDE_VERSION, build.P5_VERSION)
    assert pyodide.integrity.startswith("sha512-") and p5.integrity.startswith("sha512-")
    monkeypatch.setenv("npm_config_registry", "http://mirror.example/npm/")
    assert npm.tarball_url(p5, npm.registry()) == (
        f"http://mirror.example/npm/p5/-/p5-{build.P5_VERSION}.tgz"
    )


# --------------------------------------------------------------------------- the installed wheel


@pytest.fixture(scope="module")
def project_wheel(tmp_path_factory) -> Path:
    """The project's wheel, as `pip install .` builds it (from a copy: no build/ in the clone)."""
    work = tmp_path_factory.mktemp("wheel")
    skip = shutil.ignore_patterns(
        ".git", ".venv", "node_modules", "site", "tests", "bench", "__pycache__", "*.egg-info"
    )
    shutil.copytree(ROOT, work / "src", ignore=skip)
    result = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "-q"]
        + [str(work / "src"), "-w", str(work / "dist")],
        capture_output=True,
        text=True,
    )
    wheels = list((work / "dist").glob("nn_microsims-*.whl"))
    assert result.returncode == 0 and wheels, result.stderr[-2000:]
    return wheels[0]


def test_the_wheel_carries_build_py_and_what_it_reads_and_the_command(project_wheel):
    with zipfile.ZipFile(project_wheel) as wheel:
        names = set(wheel.namelist())
        entry_points = next(wheel.read(n) for n in names if n.endswith("entry_points.txt"))
    data = "nn_microsims/_data/"
    needed = [
        "nn_microsims/cli.py",
        "nn_microsims/export.py",
        "nn_microsims/npm.py",
        f"{data}build.py",
        f"{data}package.json",
        f"{data}package-lock.json",
        f"{data}templates/main.html",
        f"{data}templates/index.md",
        f"{data}templates/sw.js",
        f"{data}static/microsim.js",
        f"{data}static/microsim-resize.js",
        f"{data}static/sketches/{ONE}.js",
        f"{data}docs/screenshots/{ONE}.png",
        "engine/dense.py",
        "sims/_bridge.py",
    ]
    missing = [name for name in needed if name not in names]
    assert missing == [], f"{project_wheel.name} lacks {missing}"
    assert b"nn-microsims = nn_microsims.cli:main" in entry_points, entry_points


def test_the_installed_wheel_exports_without_node_modules_from_the_npm_tarballs(
    project_wheel, tmp_path
):
    """The wheel unpacked as site-packages would hold it, run from elsewhere: no clone, no
    node_modules. Pyodide and p5 come as npm tarballs from a local registry (packed from this
    clone's node_modules, their hashes written into the unpacked copy's lock); the NumPy wheel
    from a cache seeded from the built site."""
    installed = tmp_path / "site-packages"
    with zipfile.ZipFile(project_wheel) as wheel:
        wheel.extractall(installed)
    lock_file = installed / "nn_microsims" / "_data" / "package-lock.json"
    lock = json.loads(lock_file.read_text())
    served = {}
    for name, members in (("pyodide", ex.PYODIDE_FILES), ("p5", ex.P5_FILES)):
        version = lock["packages"][f"node_modules/{name}"]["version"]
        data = tarball({m: (ROOT / "node_modules" / name / m).read_bytes() for m in members})
        lock["packages"][f"node_modules/{name}"]["integrity"] = sri(data)
        served[f"/{name}/-/{name}-{version}.tgz"] = data
    lock_file.write_text(json.dumps(lock))
    cache = tmp_path / "cache"
    cache.mkdir()
    shutil.copy2(SITE / "vendor" / "pyodide" / build.NUMPY_WHEEL, cache / build.NUMPY_WHEEL)
    docs = empty_docs(tmp_path)
    with registry(served) as (url, asked):
        result = subprocess.run(
            [sys.executable, "-m", "nn_microsims", "export", str(docs), "--sims", ONE],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            env={
                **os.environ,
                "PYTHONPATH": str(installed),
                "MICROSIM_CACHE_DIR": str(cache),
                "npm_config_registry": url,
            },
        )
    assert result.returncode == 0, result.stderr[-3000:]
    assert sorted(asked) == sorted(served), asked
    for name in served:
        assert f"fetching {url}{name.lstrip('/')} (" in result.stdout, result.stdout
    target = docs / "nn-microsims"
    for name in ("vendor/pyodide/pyodide.asm.wasm", "vendor/p5/p5.min.js", f"sims/{ONE}/main.html"):
        assert (target / name).is_file(), f"{name} missing from the installed export"
    wheel = next((target / "engine").glob("*.whl"))
    members = zipfile.ZipFile(wheel).namelist()
    assert "sims/tensor_ops.py" in members and not any("nn_microsims/" in m for m in members)

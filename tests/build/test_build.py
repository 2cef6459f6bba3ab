"""The built site (site/, as `make test` builds it) and the runtime supply chain of build.py."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import re
import subprocess
import sys
import types
import zipfile
from html.parser import HTMLParser
from pathlib import Path

import pytest

import build
import sims
from sims._contract import defaults, to_jsonable
from tests.browser.harness import SITE

ROOT = Path(build.__file__).resolve().parent
SLUGS = sorted(m.META.slug for m in sims.discover().values())
DUBLIN_CORE = [
    "title",
    "description",
    "creator",
    "date",
    "subject",
    "type",
    "format",
    "language",
    "rights",
]
EDUCATIONAL = ["bloomsTaxonomy", "learningObjectives", "canvasDimensions", "controls"]


@pytest.fixture(scope="module")
def site() -> Path:
    if not (SITE / "index.html").is_file():
        pytest.fail(f"{SITE} is not built: run `python build.py` (make test does)")
    return SITE


def built_slugs(site: Path) -> list[str]:
    return sorted(p.name for p in (site / "sims").iterdir())


def test_site_has_the_layout_of_design_md(site):
    expected = [
        "index.html",
        "vendor/p5/p5.min.js",
        "vendor/pyodide/pyodide.js",
        "vendor/pyodide/pyodide.asm.wasm",
        "vendor/pyodide/pyodide.asm.js",
        "vendor/pyodide/python_stdlib.zip",
        "vendor/pyodide/pyodide-lock.json",
        f"vendor/pyodide/{build.NUMPY_WHEEL}",
        "static/microsim.js",
        "static/microsim.css",
    ]
    missing = [p for p in expected if not (site / p).is_file()]
    assert missing == [], f"missing from {site}: {missing}"
    wheels = [p.name for p in (site / "engine").glob("*.whl")]
    assert len(wheels) == 1 and wheels[0].endswith("-py3-none-any.whl"), wheels


def test_every_discovered_sim_has_its_three_files_and_sketch(site):
    assert built_slugs(site) == SLUGS
    for slug in SLUGS:
        for name in ("main.html", "index.md", "metadata.json"):
            assert (site / "sims" / slug / name).is_file(), f"{slug}/{name} missing"
        assert (site / "static" / "sketches" / f"{slug}.js").is_file(), f"sketch of {slug}"


@pytest.mark.parametrize("slug", SLUGS)
def test_metadata_json_has_dublin_core_and_educational_fields(site, slug):
    meta = json.loads((site / "sims" / slug / "metadata.json").read_text())
    missing = [k for k in DUBLIN_CORE + EDUCATIONAL if meta.get(k) in (None, "", [])]
    assert missing == [], f"{slug}/metadata.json lacks {missing}"
    dims = meta["canvasDimensions"]
    assert dims["canvasHeight"] == dims["drawHeight"] + dims["controlHeight"], dims
    module = next(m for m in sims.discover().values() if m.META.slug == slug)
    assert [c["name"] for c in meta["controls"]] == [c.name for c in module.CONTROLS]


@pytest.mark.parametrize("slug", SLUGS)
def test_index_md_iframe_height_is_canvas_height_plus_2(site, slug):
    meta = json.loads((site / "sims" / slug / "metadata.json").read_text())
    text = (site / "sims" / slug / "index.md").read_text()
    heights = re.findall(r'<iframe src="main.html" height="(\d+)px"', text)
    assert heights, f"{slug}/index.md has no iframe snippet"
    assert {int(h) for h in heights} == {meta["canvasDimensions"]["canvasHeight"] + 2}
    assert "](main.html)" in text and "Fullscreen" in text, "no Run Fullscreen link"
    assert "## Lesson notes" in text


@pytest.mark.parametrize("slug", SLUGS)
def test_every_embed_snippet_loads_lazily_and_has_a_title(site, slug):
    meta = json.loads((site / "sims" / slug / "metadata.json").read_text())
    text = (site / "sims" / slug / "index.md").read_text()
    snippets = re.findall(r"<iframe [^>]*>", text) + [meta["embed"]]
    assert len(snippets) == 3, snippets
    for snippet in snippets:
        assert 'loading="lazy"' in snippet, f"{slug}: no loading=lazy in {snippet}"
        assert f'title="{meta["title"]}"' in snippet, f"{slug}: no title in {snippet}"


class _Urls(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.urls += [v for k, v in attrs if k in ("src", "href", "action") and v]


def _is_absolute(url: str) -> bool:
    return (
        url.startswith(("/", "http:", "https:", "//")) or re.match(r"^[a-z]+://", url) is not None
    )


def test_no_absolute_urls_in_built_pages(site):
    found = {}
    for page in [site / "index.html", *sorted(site.glob("sims/*/main.html"))]:
        parser = _Urls()
        parser.feed(page.read_text())
        absolute = [u for u in parser.urls if _is_absolute(u) and not u.startswith("data:")]
        config = (
            json.loads(
                re.search(
                    r'<script id="microsim-config" type="application/json">(.*?)</script>',
                    page.read_text(),
                    re.S,
                ).group(1)
            )
            if page.name == "main.html"
            else {}
        )
        absolute += [
            v
            for k, v in config.get("pyodide", {}).items()
            if isinstance(v, str) and _is_absolute(v)
        ]
        if absolute:
            found[str(page.relative_to(site))] = absolute
    for md in site.glob("sims/*/index.md"):
        absolute = [
            u for u in re.findall(r'(?:src="|\]\()([^")]+)', md.read_text()) if _is_absolute(u)
        ]
        if absolute:
            found[str(md.relative_to(site))] = absolute
    assert found == {}, f"absolute URLs: {found}"


def test_absolute_url_check_catches_one():
    parser = _Urls()
    parser.feed('<script src="/static/x.js"></script><a href="https://example.org/">x</a>')
    assert [u for u in parser.urls if _is_absolute(u)] == ["/static/x.js", "https://example.org/"]


def test_pruned_lock_lists_only_numpy_and_the_engine_with_true_hashes(site):
    lock = json.loads((site / "vendor/pyodide/pyodide-lock.json").read_text())
    assert sorted(lock["packages"]) == ["nn-microsims", "numpy"]
    assert lock["info"]["version"] == build.PYODIDE_VERSION
    for entry in lock["packages"].values():
        path = (site / "vendor/pyodide" / entry["file_name"]).resolve()
        actual = hashlib.sha256(path.read_bytes()).hexdigest()
        assert actual == entry["sha256"], f"{entry['name']}: lock {entry['sha256']} != {actual}"
    assert lock["packages"]["numpy"]["sha256"].startswith("ebb61241")


def test_the_embedded_initial_state_is_initial_state_of_the_defaults(site):
    for name, module in sims.discover().items():
        page = (site / "sims" / module.META.slug / "main.html").read_text()
        embedded = json.loads(
            re.search(
                r'<script id="microsim-state" type="application/json">(.*?)</script>', page, re.S
            ).group(1)
        )
        expected = json.loads(sims._contract.dumps(module.initial_state(defaults(module.CONTROLS))))
        assert embedded == expected, f"{name}: embedded state differs from initial_state()"


# ----------------------------------------------------------------- the supply chain


def test_verify_refuses_a_wrong_hash_naming_file_expected_and_actual():
    with pytest.raises(build.HashMismatch) as info:
        build.verify(b"not numpy", "ebb61241" + "0" * 56, name="numpy.whl")
    message = str(info.value)
    assert "numpy.whl" in message and "ebb61241" in message
    assert hashlib.sha256(b"not numpy").hexdigest() in message


def _official_sha() -> str:
    lock = json.loads((ROOT / "node_modules/pyodide/pyodide-lock.json").read_text())
    return lock["packages"]["numpy"]["sha256"]


def test_a_tampered_numpy_wheel_stops_the_build(tmp_path):
    """build.py --pyodide-dir with a tampered wheel exits 1 and names file and both hashes."""
    dist = tmp_path / "pyodide"
    dist.mkdir()
    for name in [*build.PYODIDE_CORE, "pyodide-lock.json"]:
        (dist / name).symlink_to(ROOT / "node_modules/pyodide" / name)
    tampered = bytearray(build.default_cache_dir().joinpath(build.NUMPY_WHEEL).read_bytes())
    tampered[1000] ^= 0xFF
    (dist / build.NUMPY_WHEEL).write_bytes(tampered)
    result = subprocess.run(
        [
            sys.executable,
            str(ROOT / "build.py"),
            "--pyodide-dir",
            str(dist),
            "--out",
            str(tmp_path / "site"),
        ],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env={**__import__("os").environ, "MICROSIM_CACHE_DIR": str(tmp_path / "cache")},
    )
    assert result.returncode == 1, result.stdout + result.stderr
    assert build.NUMPY_WHEEL in result.stderr
    assert _official_sha() in result.stderr
    assert hashlib.sha256(bytes(tampered)).hexdigest() in result.stderr
    assert not (tmp_path / "site").exists(), "a site was written from a tampered wheel"
    assert not (tmp_path / "cache" / build.NUMPY_WHEEL).exists(), "tampered file was cached"


def test_a_corrupted_cache_entry_is_fetched_again(tmp_path, capsys):
    good = build.default_cache_dir().joinpath(build.NUMPY_WHEEL).read_bytes()
    cache = tmp_path / "cache"
    cache.mkdir()
    (cache / build.NUMPY_WHEEL).write_bytes(good[:-10])  # truncated download
    calls = []

    def fake_source():
        calls.append(1)
        return good

    fake_source.__doc__ = "a test source"
    path = build.obtain_numpy_wheel(
        expected_sha256=_official_sha(),
        cache_dir=cache,
        local=build.from_local_dir(None),
        sources_after_cache=[fake_source],
    )
    assert calls == [1], "the corrupted entry was used instead of fetching again"
    assert hashlib.sha256(path.read_bytes()).hexdigest() == _official_sha()
    assert "corrupted" in capsys.readouterr().out


def test_a_verified_cache_entry_is_used_without_fetching(tmp_path):
    cache = tmp_path / "cache"
    cache.mkdir()
    (cache / build.NUMPY_WHEEL).write_bytes(
        build.default_cache_dir().joinpath(build.NUMPY_WHEEL).read_bytes()
    )

    def must_not_run():
        raise AssertionError("fetched although the cache was valid")

    path = build.obtain_numpy_wheel(
        expected_sha256=_official_sha(),
        cache_dir=cache,
        local=build.from_local_dir(None),
        sources_after_cache=[must_not_run],
    )
    assert path == cache / build.NUMPY_WHEEL


def test_no_source_at_all_says_how_to_supply_the_wheel(tmp_path):
    with pytest.raises(build.BuildError, match="--pyodide-dir"):
        build.obtain_numpy_wheel(
            expected_sha256=_official_sha(),
            cache_dir=tmp_path,
            local=build.from_local_dir(None),
            sources_after_cache=[lambda: None],
        )


def test_missing_npm_says_what_is_missing_and_how_to_supply_it(tmp_path, monkeypatch):
    monkeypatch.setattr(build, "ROOT", tmp_path)  # no node_modules here
    monkeypatch.setattr(build.shutil, "which", lambda name: None)
    with pytest.raises(build.BuildError) as info:
        build.find_runtime(pyodide_dir=None)
    assert "npm" in str(info.value) and "--pyodide-dir" in str(info.value)


def test_server_sends_wasm_and_mjs_with_the_right_types(site):
    import urllib.request

    from tests.browser.harness import serve_site

    with serve_site(site) as url:
        for path, expected in [
            ("vendor/pyodide/pyodide.asm.wasm", "application/wasm"),
            ("vendor/pyodide/pyodide.mjs", "text/javascript"),
        ]:
            with urllib.request.urlopen(url + path) as response:
                assert response.headers["Content-Type"] == expected, path


def test_server_sends_the_cache_headers_of_a_static_host(site):
    import urllib.request

    from tests.browser.harness import serve_site

    expected = {
        "vendor/pyodide/pyodide.asm.wasm": "public, max-age=86400",
        f"vendor/pyodide/{build.NUMPY_WHEEL}": "public, max-age=86400",
        "vendor/p5/p5.min.js": "public, max-age=86400",
        "vendor/pyodide/pyodide-lock.json": "no-cache",  # changes with every engine build
        "sims/perceptron-decision-boundary/main.html": "no-cache",
        "static/microsim.js": "no-cache",
        "sw.js": "no-cache",
    }
    with serve_site(site) as url:
        got = {}
        for path in expected:
            with urllib.request.urlopen(url + path) as response:
                got[path] = response.headers["Cache-Control"]
    assert got == expected


def test_service_worker_is_versioned_by_content_and_precaches_the_runtime(site):
    sw = (site / "sw.js").read_text()
    version = json.loads(re.search(r"const VERSION = (\S+);", sw).group(1))
    assert version == build.content_version(site), "sw.js version is not the content hash"
    precache = json.loads(re.search(r"const PRECACHE = (\[.*?\]);", sw).group(1))
    engine_wheel = next((site / "engine").glob("*.whl")).relative_to(site).as_posix()
    for path in [
        "vendor/pyodide/pyodide.asm.wasm",
        "vendor/pyodide/python_stdlib.zip",
        f"vendor/pyodide/{build.NUMPY_WHEEL}",
        engine_wheel,
        "static/engine-worker.js",
        *[f"sims/{slug}/main.html" for slug in SLUGS],
    ]:
        assert path in precache, f"sw.js does not precache {path}"
    assert all((site / p).is_file() for p in precache), "sw.js precaches a missing file"
    for slug in SLUGS:
        page = (site / "sims" / slug / "main.html").read_text()
        assert f'"build": "{version}"' in page, f"{slug}: config.build is not the sw version"


def test_content_version_changes_when_a_runtime_file_changes(tmp_path):
    for top in build.CACHED_DIRS:
        (tmp_path / top).mkdir()
        (tmp_path / top / "a.txt").write_text("one")
    before = build.content_version(tmp_path)
    (tmp_path / "engine" / "a.txt").write_text("two")
    assert build.content_version(tmp_path) != before


def test_cdn_mode_references_the_pyodide_cdn_and_copies_no_runtime(tmp_path):
    """--pyodide cdn: pyodide.js and NumPy come from the CDN; p5 and the engine stay local."""
    out = tmp_path / "site"
    build.build(out=out, mode="cdn", only=["perceptron"])
    page = (out / "sims/perceptron-decision-boundary/main.html").read_text()
    # the page never loads pyodide.js itself: the engine worker loads it from indexURL
    assert "pyodide.js" not in page.replace(build.CDN_BASE, "")
    assert f'"indexURL": "{build.CDN_BASE}"' in page
    assert '"mode": "cdn"' in page or '"mode":"cdn"' in page
    assert not (out / "vendor/pyodide/pyodide.asm.wasm").exists()
    assert (out / "vendor/p5/p5.min.js").is_file()
    assert len(list((out / "engine").glob("*.whl"))) == 1


def test_the_engine_wheel_holds_engine_and_sims_only_and_leaves_nothing_beside_build_py(
    tmp_path,
):
    """The browser's wheel: engine/ and sims/ (not the author command nn_microsims/, nor
    templates or static files) and its dist-info; no build/ or *.egg-info appears beside
    build.py; the same sources give the same bytes (so the service-worker version too)."""
    before = {p.name for p in ROOT.iterdir()}
    wheel = build.build_engine_wheel(tmp_path / "wheels")
    new = sorted({p.name for p in ROOT.iterdir()} - before)
    assert new == [], f"building the wheel left {new} beside build.py"
    names = zipfile.ZipFile(wheel).namelist()
    for module in ("engine/dense.py", "sims/_contract.py", "sims/perceptron.py"):
        assert module in names, f"{module} missing from {wheel.name}: {names[:10]}"
    dist_info = wheel.name.split("-py3")[0] + ".dist-info/"
    other = [n for n in names if not n.startswith(("engine/", "sims/", dist_info))]
    assert other == [], f"{wheel.name} holds more than engine and sims: {other}"
    assert zipfile.ZipFile(wheel).testzip() is None
    again = build.build_engine_wheel(tmp_path / "again")
    assert again.read_bytes() == wheel.read_bytes(), "two builds of one source differ"


def test_the_engine_wheel_record_lists_every_member_with_its_hash(tmp_path):
    """RECORD (the wheel format's list of files) is what an installer checks: one line per
    member with its sha256 and size."""
    import base64

    archive = zipfile.ZipFile(build.build_engine_wheel(tmp_path))
    record_name = next(n for n in archive.namelist() if n.endswith(".dist-info/RECORD"))
    rows = [line.split(",") for line in archive.read(record_name).decode().splitlines()]
    assert sorted(r[0] for r in rows) == sorted(archive.namelist()), "RECORD != members"
    for name, digest, size in rows:
        if name == record_name:
            assert digest == size == "", (name, digest, size)
            continue
        data = archive.read(name)
        expected = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=").decode()
        assert (digest, size) == (f"sha256={expected}", str(len(data))), name


def test_runtime_versions_have_one_source_package_json():
    """build.py reads the pinned Pyodide and p5 versions from package.json; the lock agrees."""
    pinned = json.loads((ROOT / "package.json").read_text())["dependencies"]
    assert (build.PYODIDE_VERSION, build.P5_VERSION) == (pinned["pyodide"], pinned["p5"])
    lock = json.loads((ROOT / "package-lock.json").read_text())["packages"]
    locked = (lock["node_modules/pyodide"]["version"], lock["node_modules/p5"]["version"])
    assert locked == (pinned["pyodide"], pinned["p5"]), f"package-lock.json pins {locked}"
    source = (ROOT / "build.py").read_text()
    for version in pinned.values():
        assert f'"{version}"' not in source, f"build.py retypes the version {version}"


@pytest.mark.parametrize("slug", SLUGS)
def test_index_md_front_matter_is_valid_yaml_with_the_sims_title_and_description(site, slug):
    """MkDocs reads the block between the first two '---' lines as YAML; a description with
    ': ' written by hand made it invalid for four sims (MkDocs then prints it as text)."""
    import yaml

    meta = next(m.META for m in sims.discover().values() if m.META.slug == slug)
    text = (site / "sims" / slug / "index.md").read_text()
    assert text.startswith("---\n"), text[:80]
    block, _, body = text[4:].partition("\n---\n")
    fields = yaml.safe_load(block)
    assert isinstance(fields, dict), block
    assert fields["title"] == meta.title and fields["description"] == meta.description, fields
    if (site / "sims" / slug / "screenshot.png").is_file():
        assert fields["image"] == fields["og:image"] == "screenshot.png", fields
    assert body.lstrip().startswith(f"# {meta.title}"), body[:80]


def test_front_matter_survives_colons_quotes_and_hashes():
    """The YAML library quotes what needs quoting: the text comes back unchanged."""
    import yaml

    sim = next(iter(sims.discover().values()))
    tricky = "Say \"hi\": then # not a comment: - and 'quotes' – ünïcode"
    meta = dataclasses.replace(sim.META, title="A: B", description=tricky)
    block = build.front_matter(types.SimpleNamespace(meta=meta), "shot.png")  # only .meta is read
    fields = yaml.safe_load(block.strip("-\n"))
    assert fields == {
        "title": "A: B",
        "description": tricky,
        "image": "shot.png",
        "og:image": "shot.png",
    }


@pytest.mark.parametrize("slug", SLUGS)
def test_index_md_shows_the_initial_states_numpy_script_under_try_it_in_python(site, slug):
    """issue 13: the lesson page carries the plain-NumPy script of the sim's first state."""
    module = next(m for m in sims.discover().values() if m.META.slug == slug)
    view = getattr(module, "VIEWS", {}).get("numpy_code")
    text = (site / "sims" / slug / "index.md").read_text()
    if view is None:
        assert "Try it in Python" not in text
        pytest.skip(f"{slug} has no numpy_code view yet")
    code = view(to_jsonable(module.initial_state(defaults(module.CONTROLS))))
    assert "\n\n## Try it in Python\n" in text, "no 'Try it in Python' section"
    assert f"```python\n{code}\n```" in text, "the section's script is not numpy_code(initial)"

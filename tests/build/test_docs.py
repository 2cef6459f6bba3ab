"""The README and docs stay true: commands, the embed snippet, spec coverage for every sim."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import types
from pathlib import Path

import numpy as np
import pytest

import sims
from sims._contract import dumps

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text()


def test_readme_gives_the_two_commands_and_the_cdn_build():
    for command in ("make serve", "make test", "--pyodide cdn"):
        assert command in README, f"README lacks {command!r}"


def test_readme_embed_snippet_has_the_sims_iframe_height():
    snippets = re.findall(
        r'<iframe src="((?:\.\./)*nn-microsims/)?sims/([a-z-]+)/main.html"\s+height="(\d+)px"',
        README,
    )
    kinds = {bool(prefix) for prefix, _, _ in snippets}
    assert kinds == {True, False}, (
        f"README needs the book's and the plain site's snippet: {snippets}"
    )
    snippets = [(slug, height) for _, slug, height in snippets]
    heights = {m.META.slug: m.META.canvas_height + 2 for m in sims.discover().values()}
    for slug, height in snippets:
        assert int(height) == heights[slug], f"README: {slug} iframe {height} != {heights[slug]}"
    for snippet in re.findall(r"<iframe [^>]*>", README):
        assert 'loading="lazy"' in snippet and "title=" in snippet, f"README snippet: {snippet}"


def test_every_sim_has_a_section_in_spec_coverage():
    text = (ROOT / "docs" / "spec-coverage.md").read_text()
    missing = [m.META.slug for m in sims.discover().values() if f"(`{m.META.slug}`)" not in text]
    assert missing == [], f"docs/spec-coverage.md has no section for {missing}"


def test_readme_lists_every_sim():
    missing = [m.META.slug for m in sims.discover().values() if f"`{m.META.slug}`" not in README]
    assert missing == [], f"README does not list {missing}"


def _example_blocks() -> tuple[str, str]:
    text = (ROOT / "docs" / "adding-a-sim.md").read_text()
    section = text.split("## The smallest complete sim", 1)[1].split("\n## ", 1)[0]
    python = re.findall(r"```python\n(.*?)```", section, re.S)
    js = re.findall(r"```js\n(.*?)```", section, re.S)
    assert len(python) == 1 and len(js) == 1, "the example section needs one python, one js block"
    return python[0], js[0]


def test_the_smallest_example_sim_in_the_docs_keeps_the_contract():
    """The docs' example module runs: its state is JSON, set_param moves the engine's numbers,
    and a bad value is refused by the settings layer."""
    source, _ = _example_blocks()
    module = types.ModuleType("sims.one_neuron")
    exec(compile(source, "docs/adding-a-sim.md (sims/one_neuron.py)", "exec"), module.__dict__)
    missing = [attr for attr in sims.REQUIRED if not hasattr(module, attr)]
    assert missing == [], f"the example lacks {missing}"
    state = json.loads(dumps(module.initial_state({})))
    assert state["a"] == pytest.approx(1 / (1 + np.exp(-1.5))), state  # σ(1·1.5 + 0)
    moved = json.loads(dumps(module.ACTIONS["set_param"](state=state, name="w", value=-2.0)))
    assert moved["z"] == pytest.approx(-3.0) and moved["params"]["w"] == -2.0, moved
    with pytest.raises(ValueError, match="Weight w"):
        module.ACTIONS["set_param"](state=state, name="w", value=9)


def test_the_smallest_example_sketch_in_the_docs_is_valid_javascript(tmp_path):
    node = shutil.which("node") or shutil.which("nodejs")
    if node is None:
        pytest.skip("node is not installed (npm brings it; make setup needs it)")
    _, js = _example_blocks()
    sketch = tmp_path / "one-neuron.js"
    sketch.write_text(js)
    result = subprocess.run([node, "--check", str(sketch)], capture_output=True, text=True)
    assert result.returncode == 0, f"the docs' sketch does not parse:\n{result.stderr}"

"""The README and docs stay true: commands, the embed snippet, spec coverage for every sim."""

from __future__ import annotations

import re
from pathlib import Path

import sims

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text()


def test_readme_gives_the_two_commands_and_the_cdn_build():
    for command in ("make serve", "make test", "--pyodide cdn"):
        assert command in README, f"README lacks {command!r}"


def test_readme_embed_snippet_has_the_sims_iframe_height():
    snippets = re.findall(r'<iframe src="sims/([a-z-]+)/main.html"\s+height="(\d+)px"', README)
    assert snippets, "README has no iframe snippet"
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

"""Golden files: the pages build.py writes for one fixed sim, compared line by line.

The sim is made up here (not one of ``sims/``), so the files change only when the templates or
the page-writing code do; its texts carry characters that must be escaped (``<``, ``&``,
quotes) and a state with a string that looks like HTML. On a mismatch the test prints a unified
diff. After an intended change, rewrite the files and review the diff in git:

    MICROSIM_UPDATE_GOLDEN=1 .venv/bin/python -m pytest tests/build/test_golden.py
"""

from __future__ import annotations

import difflib
import os
from pathlib import Path

import pytest

import build
from sims._contract import Control, SimMeta, defaults, to_jsonable

GOLDEN = Path(__file__).parent / "golden"
FILES = [
    "sims/golden-sim/main.html",
    "sims/golden-sim/index.md",
    "sims/golden-sim/metadata.json",
    "index.html",
]

CONTROLS = [
    Control("w", "slider", "Weight w", default=1.0, min=-3, max=3, step=0.1, help="The weight"),
    Control(
        "act",
        "select",
        "Activation",
        default="relu",
        options=[["relu", "ReLU"], ["tanh", "tanh <x>"]],
    ),
    Control("show", "checkbox", "Show & tell", default=False),
    Control("shape", "text", "Shape", default="(2, 3)", maxlength=12),
    Control("seed", "slider", "Seed", default=3, min=0, max=9, step=1, change="reinit"),
    Control("go", "button", "Go", url=False),
]
SIM = build.Sim(
    module="golden_sim",
    meta=SimMeta(
        slug="golden-sim",
        order=1,
        title='Golden <Sim> & "Friends"',
        description="A made-up sim for the golden-file test: <b>not bold</b> & 'quoted'.",
        bloom="Understand",
        objectives=["Read a page", "See that <script> stays text"],
        draw_height=300,
        control_height=120,
        subjects=["Testing"],
        lesson_notes=["Nothing to teach"],
        describe="A bar and a <label>.",
    ),
    controls=CONTROLS,
    state=to_jsonable(
        {"params": defaults(CONTROLS), "note": "</script><img src=x onerror=alert(1)>"}
    ),
    constants={"limit": 3.0},
)


def render(tmp_path: Path) -> dict[str, str]:
    build.render_site(
        tmp_path,
        [SIM],
        mode="self",
        engine_wheel=Path("nn_microsims-0.1.0-py3-none-any.whl"),
        build_id="golden",
        date="2026-01-01",
    )
    return {name: (tmp_path / name).read_text() for name in FILES}


@pytest.mark.parametrize("name", FILES)
def test_a_built_page_matches_its_golden_file(tmp_path, name):
    got = render(tmp_path)[name]
    golden = GOLDEN / name.replace("/", "__")
    if os.environ.get("MICROSIM_UPDATE_GOLDEN"):
        golden.write_text(got)
    want = golden.read_text() if golden.is_file() else ""
    if got != want:
        diff = "".join(
            difflib.unified_diff(
                want.splitlines(keepends=True),
                got.splitlines(keepends=True),
                fromfile=f"golden/{golden.name}",
                tofile=f"built {name}",
            )
        )
        pytest.fail(
            f"{name} differs from its golden file (MICROSIM_UPDATE_GOLDEN=1 rewrites it):\n{diff}"
        )


def test_the_golden_page_keeps_user_visible_text_escaped(tmp_path):
    """What the golden file must hold whatever it is rewritten to: no raw tag from the texts."""
    page = render(tmp_path)["sims/golden-sim/main.html"]
    for raw in ("<b>not bold</b>", "<Sim>", "</script><img", "<script> stays", "tanh <x>"):
        assert raw not in page, f"{raw!r} reached main.html unescaped"

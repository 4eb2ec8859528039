"""Translated notebooks keep the cell metadata that hides exercise code from learners."""

from __future__ import annotations

from pathlib import Path

import nbformat

from learnpacks.i18n import build
from learnpacks.packs.roles import source_hidden

PACK = "welcome-to-wikimedia"


def test_translated_notebooks_hide_the_same_cells_as_the_source(project: Path, tmp_path: Path):
    """Does `i18n build` (what Binder, the hub branch and the site publish) keep
    `jupyter.source_hidden` on exactly the cells the author hid?"""
    out = tmp_path / "out"
    build(root=project, out_dir=out, languages=["fr", "ar"], pack_ids=[PACK])
    checked = 0
    for path in sorted((project / "packs" / PACK).glob("*.ipynb")):
        source = nbformat.read(path, as_version=4)
        hidden = [c.id for c in source.cells if source_hidden(c)]
        assert hidden
        for lang in ("fr", "ar"):
            built = nbformat.read(out / lang / PACK / path.name, as_version=4)
            assert [c.id for c in built.cells if source_hidden(c)] == hidden
            checked += 1
    assert checked == 8

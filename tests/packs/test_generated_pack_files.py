"""Files that packs ship with the script that made them: does the script still make exactly them?

A pack that says "this data is synthetic, made by this script with this seed" (or "this diagram
was drawn by this script") must be telling the truth, so a reader can re-run it and check.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from support import REPO

GENERATED = [
    ("sustaining-communities", "make_community_data.py", "community-activity.csv"),
    ("free-licenses-and-attribution", "make_license_spectrum.py", "license-spectrum.png"),
    ("wikidata-for-beginners", "data/make_data.py", "data/*.json"),
    ("mediawiki-api-basics", "responses/make_responses.py", "responses/*.json"),
]


@pytest.mark.parametrize(("pack", "script", "output"), GENERATED)
def test_shipped_file_is_what_its_script_makes(tmp_path: Path, pack: str, script: str, output: str):
    """Does running the pack's script, in a fresh folder, write the very files the pack ships?"""
    (tmp_path / script).parent.mkdir(parents=True, exist_ok=True)
    shutil.copy(REPO / "packs" / pack / script, tmp_path / script)
    subprocess.run(
        [sys.executable, Path(script).name], cwd=(tmp_path / script).parent, check=True, timeout=120
    )
    shipped = sorted((REPO / "packs" / pack).glob(output))  # one file, or a pattern for several
    assert shipped
    for path in shipped:
        rel = path.relative_to(REPO / "packs" / pack)
        assert (tmp_path / rel).read_bytes() == path.read_bytes(), rel

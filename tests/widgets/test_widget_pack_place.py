"""Where am I: a notebook's place in its pack, its neighbours and the pack's progress, read from
``pack.yml`` and the answers file beside the notebooks."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

from learnpacks.widgets import Progress, configure
from learnpacks.widgets.progress import pack_for_view, pack_place

PACK = Path(__file__).parents[2] / "packs" / "welcome-to-wikimedia"


def test_a_notebook_knows_its_place_neighbours_and_the_pack_progress(tmp_path: Path) -> None:
    """Is notebook 2 "2 of 4" with notebook 1 before and 3 after (by their titles), does the
    pack's count come from the answers file of all its notebooks (done = right or recorded), and
    do the first and last notebooks have no previous and no next?"""
    for path in [PACK / "pack.yml", *PACK.glob("*.ipynb")]:
        shutil.copy(path, tmp_path / path.name)
    entry = {"kind": "multiple-choice", "mode": "practice", "answer": ["x"], "attempts": 1}
    (tmp_path / ".learnpacks-answers.json").write_text(
        json.dumps(
            {
                "version": 1,
                "notebooks": {
                    "01-the-movement.ipynb": {
                        "movement-who-writes": {**entry, "status": "correct"},
                        "movement-vision-quote": {**entry, "status": "incorrect"},
                    },
                    "04-where-next.ipynb": {"next-meta-wiki": {**entry, "status": "recorded"}},
                },
            }
        )
    )
    place = pack_place("02-projects-and-affiliates.ipynb", tmp_path)
    assert place == {
        "position": 2,
        "total": 4,
        "previous": {"href": "01-the-movement.ipynb", "title": "Welcome to the Wikimedia movement"},
        "next": {"href": "03-movement-strategy.ipynb", "title": "The Movement Strategy"},
        "done": 2,
        "exercises": 21,
    }
    assert pack_place("01-the-movement.ipynb", tmp_path)["previous"] is None
    assert pack_place("04-where-next.ipynb", tmp_path)["next"] is None
    assert pack_place("elsewhere.ipynb", tmp_path) is None
    configure(notebook="03-movement-strategy.ipynb", directory=tmp_path)
    assert Progress().content["pack"]["position"] == 3
    assert json.loads(repr(pack_for_view("03-movement-strategy.ipynb")))["done"] == 2


def test_a_notebook_outside_a_pack_shows_no_place(tmp_path: Path) -> None:
    """Without a pack.yml beside it (a cohort's release folder, a lone notebook), is there no
    pack part in the panel?"""
    configure(notebook="lone.ipynb", directory=tmp_path)
    assert Progress().content["pack"] is None

"""The hand-in button of a released notebook: nothing written until the learner asks, the zip
made on request, the cohort's language, and the notice of what is graded and what is sent."""

from __future__ import annotations

import base64
import json
import zipfile
from pathlib import Path
from types import SimpleNamespace

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from learnpacks.grading.release import NOTICE_MARK, _notice_cell
from learnpacks.widgets import HandIn
from learnpacks.widgets.handin import hand_in_for_view


def payload(**data: object) -> str:
    return base64.b64encode(json.dumps(data).encode()).decode()


def test_running_the_hand_in_cell_writes_nothing_and_speaks_the_cohort_language(
    tmp_path: Path,
) -> None:
    """Does showing the hand-in button write no file, in the cohort's language (Arabic, right
    to left), whatever the notebook's own language?"""
    (tmp_path / "01-intro.ipynb").write_text("{}")
    button = HandIn(assignment="welcome", notebooks=["01-intro.ipynb"], language="ar")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["01-intro.ipynb"]
    assert button.lang == "ar" and button.dir == "rtl"
    assert button.strings["Make my hand-in file"] == "أنشئ ملف التسليم"
    assert button.strings["Download {name}"] == "نزّل {name}"
    assert HandIn(assignment="welcome").lang == "en"


def test_the_button_makes_the_zip_of_what_is_on_disk(tmp_path: Path) -> None:
    """When the learner presses the button, is one zip made with the notebooks as saved, the
    answers file and the manifest; and is a name that cannot be a file name refused, with no
    file written?"""
    (tmp_path / "01-intro.ipynb").write_text('{"saved": true}')
    (tmp_path / ".learnpacks-answers.json").write_text('{"version": 1, "notebooks": {}}')
    refused = json.loads(repr(hand_in_for_view(payload(learner=" ", assignment="welcome"))))
    assert refused == {"error": "name"} and not list(tmp_path.glob("*.zip"))
    reply = json.loads(
        repr(
            hand_in_for_view(
                payload(
                    learner="ada lovelace", assignment="welcome", notebooks=["../01-intro.ipynb"]
                )
            )
        )
    )
    assert reply["name"] == "ada-lovelace--welcome.zip"
    with zipfile.ZipFile(tmp_path / reply["name"]) as zf:
        assert sorted(zf.namelist()) == [
            ".learnpacks-answers.json",
            "01-intro.ipynb",
            "learnpacks-handin.json",
        ]
        assert zf.read("01-intro.ipynb") == b'{"saved": true}'
    assert reply["size"] == (tmp_path / reply["name"]).stat().st_size


def test_released_notebooks_say_what_is_graded_and_what_is_sent() -> None:
    """Does a released notebook say, in the cohort's language, how many points it is graded on
    (or that nothing is graded), that nothing is sent by itself, and that this overrides the
    self-study text?"""
    graded = new_notebook(
        cells=[
            new_markdown_cell("# Intro"),
            new_code_cell("x = 1", metadata={"nbgrader": {"grade": True, "points": 2}}),
            new_markdown_cell("Write", metadata={"nbgrader": {"grade": True, "points": 1.5}}),
        ]
    )
    cell = _notice_cell(graded, SimpleNamespace(language="fr"))
    assert cell.metadata["learnpacks"]["role"] == NOTICE_MARK
    assert "Ce qui est noté et ce qui est envoyé" in cell.source
    assert "3.5 points" in cell.source and "Rien n’est envoyé tout seul" in cell.source
    practice = nbformat.v4.new_notebook(cells=[new_markdown_cell("# Intro")])
    text = _notice_cell(practice, SimpleNamespace(language="en")).source
    assert "nothing in this notebook is graded" in text and "Nothing is sent by itself" in text

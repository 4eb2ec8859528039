"""The practice-key probe on widgets built in this process: sound keys pass, broken ones are named."""

from __future__ import annotations

from pathlib import Path

import pytest

from learnpacks.checks.keyprobe import prove
from learnpacks.widgets import (
    CodeExercise,
    FillInTheBlanks,
    Matching,
    MultipleChoice,
    Option,
    Ordering,
    Reflection,
    ShortAnswer,
    configure,
)


@pytest.fixture(autouse=True)
def _answers_in_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    configure(notebook="01-intro.ipynb")


def sound_widgets() -> list:
    return [
        MultipleChoice(
            id="mc",
            prompt="p",
            options=[
                Option("Wikidata", value="wd", correct=True),
                Option("Wikisource", value="ws"),
            ],
        ),
        ShortAnswer(id="sa", prompt="p", accepted=["Commons", 2001], feedback={"Flickr": "no"}),
        ShortAnswer(id="re", prompt="p", regex=[r"(wikimedia )?commons"]),
        Ordering(id="or", prompt="p", items=["Edit", "Summary", "Publish"]),
        Matching(id="ma", prompt="p", pairs=[("Wikipedia", "Articles"), ("Commons", "Media")]),
        FillInTheBlanks(
            id="fb", prompt="p", text="A free [[encyclopedia]] anyone can [[edit|improve]]."
        ),
        CodeExercise(
            id="ce",
            prompt="p",
            tests=[((30, 10), 3.0), ((7, 2), 3.5)],
            solution="def per_day(edits, days):\n    return edits / days",
        ),
        Reflection(id="rf", prompt="p", mode="practice"),
    ]


def test_sound_keys_give_no_finding():
    """Does every exercise type with a sound key pass its own proof (no false alarm)?"""
    for widget in sound_widgets():
        assert prove(widget) == [], widget.KIND


def test_a_key_its_checker_rejects_is_named():
    """Is a code exercise whose solution fails its public tests reported as a rejected key?"""
    widget = CodeExercise(
        id="ce", prompt="p", tests=[((7, 2), 3.5)], solution="def f(a, b):\n    return a // b"
    )
    assert [f["problem"] for f in prove(widget)] == ["key-rejected"]


def test_a_checker_that_accepts_anything_is_named():
    """Is a short answer whose regular expression accepts any text reported?"""
    widget = ShortAnswer(id="sa", prompt="p", accepted=["Commons"], regex=[".*"])
    assert [f["problem"] for f in prove(widget)] == ["accepts-wrong"]


def test_graded_exercises_are_left_to_their_hidden_tests():
    """Is a graded exercise (no key in the notebook) left out of the practice proof?"""
    widget = MultipleChoice(
        id="mc", prompt="p", mode="graded", options=[Option("A", value="a"), Option("B", value="b")]
    )
    assert prove(widget) == []

"""``Exercise.record(answer)``: an author's answer saved exactly as a learner's Check saves it."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from learnpacks.widgets import (
    AnswerStore,
    CodeExercise,
    FillInTheBlanks,
    Matching,
    MultipleChoice,
    Option,
    Ordering,
    Reflection,
    ShortAnswer,
    assert_answer,
    configure,
)

OPTIONS = [Option("Wikidata", value="wikidata"), Option("Wikisource", value="wikisource")]

#: kind -> (make the graded widget, the answer a learner's front-end sends, assert_answer's key)
CASES: dict[str, tuple[Callable[[], Any], Any, dict[str, Any] | None]] = {
    "multiple-choice": (
        lambda: MultipleChoice(id="q", mode="graded", prompt="P", options=OPTIONS),
        ["wikidata"],
        {"correct": ["wikidata"]},
    ),
    "short-answer": (
        lambda: ShortAnswer(id="q", mode="graded", prompt="Year?"),
        "2001",
        {"accepted": ["2001"]},
    ),
    "ordering": (
        lambda: Ordering(id="q", mode="graded", prompt="P", items=["a", "b", "c"]),
        ["0", "1", "2"],
        {"order": ["0", "1", "2"]},
    ),
    "matching": (
        lambda: Matching(id="q", mode="graded", prompt="P", left=["x", "y"], right=["1", "2"]),
        {"0": "1", "1": "0"},
        {"pairs": {"0": "1", "1": "0"}},
    ),
    "fill-in-the-blanks": (
        lambda: FillInTheBlanks(id="q", mode="graded", text="A [[ ]] is [[ ]]."),
        ["wiki", "fast"],
        {"blanks": [["wiki"], ["fast"]]},
    ),
    "reflection": (lambda: Reflection(id="q", prompt="Why?", mode="graded"), "Because.", None),
}


def _entry(folder: Path) -> dict[str, Any]:
    entry = AnswerStore(folder).get("graded.ipynb", "q")
    assert entry is not None
    entry.pop("updated")
    return entry


@pytest.mark.parametrize("kind", sorted(CASES))
def test_record_saves_what_a_check_saves(
    kind: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Does record(answer) leave the same answers-file entry and widget state as the learner
    choosing that answer and pressing Check (the front-end's message)?"""
    make, answer, key = CASES[kind]
    configure(notebook="graded.ipynb")
    recorded_dir, checked_dir = tmp_path / "recorded", tmp_path / "checked"
    recorded_dir.mkdir()
    checked_dir.mkdir()

    monkeypatch.chdir(recorded_dir)
    widget = make()
    result = widget.record(answer)
    monkeypatch.chdir(checked_dir)
    other = make()
    other.handle_message({"type": "answer", "answer": answer})

    assert _entry(recorded_dir) == _entry(checked_dir)
    assert _entry(recorded_dir)["kind"] == kind
    assert result == widget.result and widget.answer == other.answer
    assert result["status"] == "recorded" and result["saved"] is True
    if key is not None:  # the hidden test passes on the recorded answer
        assert_answer("q", directory=recorded_dir, **key)


@pytest.mark.parametrize(
    ("kind", "answer", "why"),
    [
        ("multiple-choice", ["wikidta"], "no option has the value 'wikidta'"),
        ("multiple-choice", ["wikidata", "wikisource"], "one option only"),
        ("multiple-choice", [], "empty"),
        ("short-answer", "  ", "empty"),
        ("short-answer", None, "the text the learner would type"),
        ("ordering", ["0", "1"], "every item value once"),
        ("matching", {"0": "7"}, "no right item has the value '7'"),
        ("matching", {"9": "0"}, "no left item has the value '9'"),
        ("fill-in-the-blanks", ["only one"], "a list of 2 texts"),
        ("fill-in-the-blanks", ["", " "], "every blank is empty"),
        ("reflection", "", "the text the learner would write"),
    ],
)
def test_record_refuses_what_the_widget_could_never_send(kind: str, answer: Any, why: str) -> None:
    """Does a typo in the author's answer fail loudly instead of recording something else?"""
    configure(notebook="graded.ipynb")
    widget = CASES[kind][0]()
    with pytest.raises(ValueError, match=why):
        widget.record(answer)
    assert AnswerStore().get("graded.ipynb", "q") is None


def test_record_single_value_is_a_choice() -> None:
    """Does record("wikidata") on a one-answer question record the list the front-end sends?"""
    configure(notebook="graded.ipynb")
    quiz = CASES["multiple-choice"][0]()
    quiz.record("wikidata")
    assert AnswerStore().get("graded.ipynb", "q")["answer"] == ["wikidata"]


def test_code_exercise_record_runs_the_public_tests(capsys: pytest.CaptureFixture[str]) -> None:
    """Does a code exercise's record(function) run its tests and save the outcome, as check() does,
    without printing?"""
    configure(notebook="graded.ipynb")
    exercise = CodeExercise(id="q", mode="graded", prompt="Double it", tests=[((2,), 4)])
    assert exercise.record(lambda x: x + x)["status"] == "correct"
    assert exercise.record(lambda x: x * 3)["status"] == "incorrect"
    assert capsys.readouterr().out == ""
    entry = AnswerStore().get("graded.ipynb", "q")
    assert entry["status"] == "incorrect" and entry["attempts"] == 2
    exercise.check(lambda x: 2 * x)
    assert "All tests passed." in capsys.readouterr().out

"""The exercise widgets in a kernel: state sent to the browser, answers, modes, restore."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from learnpacks.widgets import (
    CHECKERS,
    EXERCISE_TYPES,
    CodeExercise,
    FillInTheBlanks,
    Matching,
    MultipleChoice,
    Option,
    Ordering,
    Progress,
    Reflection,
    ShortAnswer,
    _,
    assert_answer,
    configure,
    recorded_answer,
)


def from_browser(widget: Any, answer: Any) -> None:
    """Deliver an answer the way the front-end does (a custom comm message)."""
    widget._on_frontend_msg(widget, {"type": "answer", "answer": answer}, [])


def mc(mode: str = "practice", **kw: Any) -> MultipleChoice:
    correct = mode == "practice"
    return MultipleChoice(
        id="projects",
        prompt="Which project stores structured data?",
        mode=mode,
        options=[
            Option("Wikidata", value="wikidata", correct=correct, feedback="Yes."),
            Option("Wikisource", value="wikisource", feedback="Source texts."),
        ],
        **kw,
    )


GRADED = {
    "multiple-choice": lambda: mc("graded"),
    "short-answer": lambda: ShortAnswer(id="founded", prompt="Year?", mode="graded"),
    "ordering": lambda: Ordering(
        id="steps", prompt="Order", items=["Edit", "Publish"], mode="graded"
    ),
    "matching": lambda: Matching(
        id="pairs", prompt="Match", left=["A"], right=["1", "2"], mode="graded"
    ),
    "fill-in-the-blanks": lambda: FillInTheBlanks(id="blanks", text="A free [[ ]].", mode="graded"),
    "code": lambda: CodeExercise(id="code", prompt="f", mode="graded"),
    "reflection": lambda: Reflection(id="why", prompt="Why?", mode="graded"),
}


def test_marker_is_identity() -> None:
    """Does _() return its argument unchanged at run time?"""
    assert _("Check your answer") == "Check your answer"


def test_registry_lists_every_type_with_a_checker() -> None:
    """Is every exercise type registered, and does each checked type have a checker?"""
    assert set(EXERCISE_TYPES) == set(GRADED)
    assert set(EXERCISE_TYPES) - {"code"} == set(CHECKERS)


@pytest.mark.parametrize("bad", [None, "", "Projects", "q 1", "q_1", "-q", "q--1", 7])
def test_ids_are_required_and_well_formed(bad: Any) -> None:
    """Is an exercise without a lowercase-dash id refused?"""
    with pytest.raises(ValueError, match="exercise id"):
        ShortAnswer(id=bad, prompt="x", accepted=["x"])


@pytest.mark.parametrize("kind", sorted(GRADED))
def test_graded_state_holds_no_key(kind: str) -> None:
    """Does a graded exercise send no answer key to the browser (nor keep one in the kernel)?"""
    widget = GRADED[kind]()
    state = widget.get_state()
    assert state["mode"] == "graded" and state["key"] == {}
    assert "correct" not in json.dumps(state["content"])


def test_graded_with_a_key_is_refused() -> None:
    """Is a key given to a graded exercise refused, so it cannot reach the learner's notebook?"""
    with pytest.raises(ValueError, match="hidden nbgrader test"):
        MultipleChoice(id="q", prompt="x", mode="graded", options=[Option("a", correct=True)])
    with pytest.raises(ValueError, match="hidden nbgrader test"):
        ShortAnswer(id="q", prompt="x", accepted=["a"], mode="graded")
    with pytest.raises(ValueError, match="hidden nbgrader test"):
        FillInTheBlanks(id="q", text="a [[b]]", mode="graded")
    with pytest.raises(ValueError, match="solution out"):
        CodeExercise(id="q", prompt="x", solution="1", mode="graded")


def test_practice_answer_from_the_browser_is_checked_and_recorded(tmp_path: Path) -> None:
    """Does an answer sent by the front-end get a verdict, feedback and a saved record?"""
    configure(notebook="01-intro.ipynb")
    widget = mc()
    assert widget.get_state()["key"]["correct"] == ["wikidata"]
    from_browser(widget, ["wikisource"])
    assert widget.result["status"] == "incorrect" and widget.result["feedback"] == ["Source texts."]
    from_browser(widget, ["wikidata"])
    assert widget.result["status"] == "correct" and widget.result["attempts"] == 2
    entry = recorded_answer("projects")
    assert entry["answer"] == ["wikidata"] and entry["status"] == "correct"
    assert (tmp_path / ".learnpacks-answers.json").exists()


def test_answers_are_restored_by_a_new_run() -> None:
    """Does re-running the cell (a new widget, as in a fresh kernel) bring the answer back?"""
    configure(notebook="01-intro.ipynb")
    from_browser(ShortAnswer(id="founded", prompt="Year?", accepted=[2001]), "2001")
    again = ShortAnswer(id="founded", prompt="Year?", accepted=[2001])
    assert again.answer == "2001"
    assert again.result["status"] == "correct" and again.result["restored"]


def test_answers_of_another_notebook_are_not_restored() -> None:
    """Is an answer kept per notebook, so the same id elsewhere starts empty?"""
    configure(notebook="01-intro.ipynb")
    from_browser(ShortAnswer(id="founded", prompt="Year?", accepted=[2001]), "2001")
    configure(notebook="02-other.ipynb")
    assert ShortAnswer(id="founded", prompt="Year?", accepted=[2001]).answer is None


def test_corrupt_answers_file_does_not_stop_the_widget(tmp_path: Path) -> None:
    """Does a corrupt answers file still let the exercise display and record?"""
    (tmp_path / ".learnpacks-answers.json").write_text("{oops")
    with pytest.warns(UserWarning):
        widget = mc()
    from_browser(widget, ["wikidata"])
    assert widget.result["status"] == "correct"


def test_graded_answer_is_recorded_and_checked_only_by_the_hidden_test() -> None:
    """Does a graded answer say 'recorded', and does assert_answer then check it?"""
    configure(notebook="quiz.ipynb")
    widget = GRADED["short-answer"]()
    from_browser(widget, " 2001 ")
    assert widget.result["status"] == "recorded" and "correct" not in widget.result
    assert_answer("founded", accepted=[2001])
    with pytest.raises(AssertionError, match="not correct"):
        assert_answer("founded", accepted=[1999])
    with pytest.raises(AssertionError, match="no answer recorded"):
        assert_answer("never-answered", accepted=[1])


def test_graded_ordering_matching_blanks_round_trip() -> None:
    """Do the other graded types record answers that assert_answer grades with their key?"""
    configure(notebook="quiz.ipynb")
    from_browser(GRADED["ordering"](), ["0", "1"])
    from_browser(GRADED["matching"](), {"0": "1"})
    from_browser(GRADED["fill-in-the-blanks"](), ["Encyclopedia"])
    assert_answer("steps", order=["0", "1"])
    assert_answer("pairs", pairs={"0": "1"})
    assert_answer("blanks", blanks=[["encyclopedia"]])
    with pytest.raises(AssertionError):
        assert_answer("steps", order=["1", "0"])


def test_hello_gets_a_live_reply(monkeypatch: pytest.MonkeyPatch) -> None:
    """Does the kernel answer the front-end's hello, so the view knows it is live?"""
    widget = mc()
    sent: list[Any] = []
    monkeypatch.setattr(widget, "send", sent.append)
    widget._on_frontend_msg(widget, {"type": "hello"}, [])
    assert sent == [{"type": "live"}]


def test_malformed_messages_are_harmless() -> None:
    """Do odd front-end messages leave the exercise unanswered instead of raising?"""
    widget = mc()
    for junk in (
        None,
        "x",
        {"type": "answer"},
        {"type": "answer", "answer": {"a": 1}},
        {"type": "?"},
    ):
        widget._on_frontend_msg(widget, junk, [])
    assert widget.result.get("status") in ("", "incorrect")


def test_ordering_is_shown_shuffled_and_stable() -> None:
    """Are ordering items shown out of order, the same way on every run?"""
    items = ["Click Edit", "Change the text", "Write a summary", "Publish"]
    first = Ordering(id="steps", prompt="x", items=items).content["items"]
    second = Ordering(id="steps", prompt="x", items=items).content["items"]
    assert first == second and [i["text"] for i in first] != items


def test_matching_shows_distractors() -> None:
    """Does a matching list its distractors among the right-hand items, matching nothing?"""
    widget = Matching(id="m", prompt="x", pairs=[("A", "1")], distractors=["2"])
    assert sorted(r["text"] for r in widget.content["right"]) == ["1", "2"]
    assert widget.key == {"pairs": {"0": "0"}}


def test_matching_feedback_while_a_pair_is_wrong() -> None:
    """Does a left item's feedback show while it is paired wrongly, and go when it is right?"""
    widget = Matching(
        id="m",
        prompt="x",
        pairs=[
            (Option("Wikidata", feedback="Wikidata holds facts as statements."), "facts"),
            ("Wikisource", "source texts"),
        ],
    )
    assert widget.key["feedback"] == {"0": "Wikidata holds facts as statements."}
    widget.submit({"0": "1", "1": "1"})
    assert widget.result["status"] == "incorrect"
    assert widget.result["feedback"] == ["Wikidata holds facts as statements."]
    widget.submit({"0": "0", "1": "0"})
    assert widget.result["feedback"] == []


def test_blank_parsing() -> None:
    """Are [[a|b]] blanks split into text segments and alternatives?"""
    widget = FillInTheBlanks(
        id="f", text="Wikipedia is a free [[encyclopedia]] anyone can [[edit|improve]]."
    )
    assert widget.key == {"blanks": [["encyclopedia"], ["edit", "improve"]]}
    assert [s.get("blank") for s in widget.content["segments"]] == [None, 0, None, 1, None]


def test_code_exercise_check_hint_solution(capsys: pytest.CaptureFixture[str]) -> None:
    """Does check() give translated feedback, hint() go one by one, and solution() wait?"""
    ex = CodeExercise(
        id="edits-per-day",
        prompt="edits_per_day",
        tests=[((30, 10), 3.0), ((7, 2), 3.5)],
        hints=["Divide.", "Use /."],
        solution="def f(e, d):\n    return e / d",
        attempts_before_solution=2,
    )

    def floor_div(e: int, d: int) -> int:
        return e // d

    ex.check(floor_div)
    assert ex.passed is False
    assert "floor_div(7, 2) returned 3, expected 3.5." in capsys.readouterr().out
    ex.solution()
    assert capsys.readouterr().out.startswith("Attempts needed before the solution: 2.")
    assert ex.revealed_solution == ""
    ex.hint()
    ex.hint()
    assert capsys.readouterr().out.splitlines() == ["Hint 1 of 2: Divide.", "Hint 2 of 2: Use /."]
    ex.hint()
    assert capsys.readouterr().out == "No more hints.\n" and ex.hints_shown == 2
    ex.check(lambda e, d: e / d)
    assert ex.passed is True
    assert ex.result["status"] == "correct" and ex.result["attempts"] == 2
    capsys.readouterr()
    ex.solution()
    assert capsys.readouterr().out.startswith("def f") and ex.revealed_solution.startswith("def f")


def test_code_exercise_survives_learner_errors_and_tricks() -> None:
    """Do a raising function, a non-function and an always-equal object fail cleanly?"""
    ex = CodeExercise(id="c", prompt="x", tests=[((1,), 2)])
    ex.check(lambda x: 1 / 0)
    assert ex.passed is False
    assert "ZeroDivisionError" in ex.result["feedback"][0]
    ex.check(42)
    assert ex.passed is False

    class AlwaysEqual:
        def __eq__(self, other: object) -> bool:
            return True

    ex.check(lambda x: AlwaysEqual())
    assert ex.passed is False
    value = CodeExercise(id="v", prompt="x", expected=3)
    value.check(True)
    assert value.passed is False
    value.check(41)
    # the learner's value is shown, the expected one is not: that would give the answer away
    (message,) = value.result["feedback"]
    assert "41" in message and "3" not in message
    value.check(3)
    assert value.passed is True


def test_code_exercise_in_french() -> None:
    """Is check() feedback given in the notebook's language?"""
    from learnpacks.widgets import set_language

    set_language("fr")
    ex = CodeExercise(id="c", prompt="x", tests=[((1,), 2)])
    ex.check(lambda x: x)
    assert ex.result["feedback"] == ["<lambda>(1) a renvoyé 1\u00a0; valeur attendue\u00a0: 2."]


def test_progress_follows_the_exercises() -> None:
    """Does the progress panel count exercises done as they are answered?"""
    first = mc()
    second = ShortAnswer(id="founded", prompt="Year?", accepted=[2001])
    panel = Progress()
    assert [i["id"] for i in panel.items] == ["projects", "founded"] and panel.done_count == 0
    from_browser(first, ["wikidata"])
    assert panel.done_count == 1
    from_browser(second, "1999")
    assert panel.done_count == 1
    only = Progress(ids=["founded"])
    assert [i["id"] for i in only.items] == ["founded"]


def test_answers_file_regraded_outside_the_kernel(tmp_path: Path) -> None:
    """Can a facilitator's process grade the answers file itself, so a learner who patched
    assert_answer in their kernel gains nothing, and a missing answer is told apart?"""
    from learnpacks.widgets import grade_answers_file

    configure(notebook="quiz.ipynb")
    from_browser(GRADED["multiple-choice"](), ["wikisource"])
    from_browser(GRADED["short-answer"](), "2001")
    keys = {
        "projects": {"correct": ["wikidata"]},
        "founded": {"accepted": [2001]},
        "steps": {"order": ["0", "1"]},
    }
    answers_file = tmp_path / ".learnpacks-answers.json"
    before = answers_file.read_bytes()
    verdicts = grade_answers_file(answers_file, "quiz.ipynb", keys)
    assert verdicts == {"projects": False, "founded": True, "steps": None}
    assert answers_file.read_bytes() == before
    assert grade_answers_file(tmp_path / "missing.json", "quiz.ipynb", keys) == dict.fromkeys(keys)


def test_a_reflection_is_practice_unless_marked_graded(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Is the starter notebook's reflection (no mode=) practice, as the docs say every exercise
    is by default, so the book does not call it graded, while mode="graded" still makes one
    for a facilitator?"""
    from learnpacks.packs.scaffold import REFLECTION

    monkeypatch.chdir(tmp_path)
    starter = eval(REFLECTION, {"Reflection": Reflection, "_": _})
    assert starter.mode == "practice"
    graded = Reflection(id="for-the-facilitator", prompt="Why?", mode="graded")
    assert graded.mode == "graded"
    assert graded.record("Because.")["status"] == "recorded"

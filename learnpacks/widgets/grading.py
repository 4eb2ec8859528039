"""What hidden nbgrader tests call: the recorded answer of an exercise, checked against a key.

In a graded notebook the key lives only in an autograder test cell::

    ### BEGIN HIDDEN TESTS
    from learnpacks.widgets import assert_answer
    assert_answer("projects", correct=["wikidata"])
    ### END HIDDEN TESTS

nbgrader strips that region from the learner's copy. At autograde the notebook runs again in a
fresh kernel in the ``autograded/`` folder, where nbgrader has copied the learner's answers file.

Known limit (THREATS.md 25/26): this runs in the learner's kernel, so a learner who patches
``assert_answer`` in their notebook could pass it. The recorded answers file is plain JSON:
:func:`grade_answers_file` re-checks it in the facilitator's own process, where no learner code
runs, so grading tools can compare both verdicts and flag a difference for review.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from . import answers
from .checkers import check


def recorded_answer(
    exercise_id: str, *, notebook: str | None = None, directory: str | Path | None = None
) -> dict[str, Any] | None:
    """The recorded entry (``kind``, ``answer``, ``status``, ``attempts`` ...) or None."""
    store = answers.AnswerStore(directory)
    return store.get(notebook or answers.notebook_name(), exercise_id)


def assert_answer(
    exercise_id: str,
    *,
    notebook: str | None = None,
    directory: str | Path | None = None,
    **key: Any,
) -> None:
    """Fail (AssertionError) unless the learner's recorded answer to ``exercise_id`` is right.

    ``key`` is the checker's key: ``correct=[values]`` (multiple choice), ``accepted=``/
    ``regex=``/``tolerance=`` (short answer), ``order=`` (ordering), ``pairs=`` (matching),
    ``blanks=`` (fill in the blanks). Public rules recorded with the answer (case, whitespace)
    apply unless ``key`` overrides them.
    """
    entry = recorded_answer(exercise_id, notebook=notebook, directory=directory)
    if entry is None or "answer" not in entry:
        raise AssertionError(f"no answer recorded for exercise {exercise_id!r}")
    found = entry.get("rules")
    rules: dict[str, Any] = found if isinstance(found, dict) else {}
    result = check(str(entry.get("kind")), entry["answer"], {**rules, **key})
    if not result.correct:
        raise AssertionError(f"the recorded answer to exercise {exercise_id!r} is not correct")


def grade_answers_file(
    path: str | Path, notebook: str, keys: Mapping[str, Mapping[str, Any]]
) -> dict[str, bool | None]:
    """Check a learner's answers file outside their kernel.

    ``keys`` maps exercise ids to ``assert_answer`` keys. Returns, per id, True (right), False
    (wrong) or None (no answer recorded). A missing or unreadable file gives None for every id;
    the file is only read, never moved or changed (it is the learner's submission).
    """
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        recorded = answers._validated(data).get(notebook, {})
    except (OSError, ValueError, TypeError):
        recorded = {}
    verdicts: dict[str, bool | None] = {}
    for exercise_id, key in keys.items():
        entry = recorded.get(exercise_id)
        if not isinstance(entry, dict) or "answer" not in entry:
            verdicts[exercise_id] = None
            continue
        found = entry.get("rules")
        rules: dict[str, Any] = found if isinstance(found, dict) else {}
        try:
            verdicts[exercise_id] = check(
                str(entry.get("kind")), entry["answer"], {**rules, **key}
            ).correct
        except (TypeError, ValueError):
            verdicts[exercise_id] = False
    return verdicts

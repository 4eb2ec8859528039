"""Code exercises, after Kaggle Learn's model: the learner writes a function or a value,
``exercise.check(answer)`` runs the public tests with translated feedback, ``exercise.hint()``
gives the hints one by one, ``exercise.solution()`` shows the solution after enough attempts.

Public tests run in the learner's kernel, so they are feedback, not grading: graded code
exercises are checked by hidden nbgrader tests that call the learner's function directly.
"""

from __future__ import annotations

import math
import reprlib
from collections.abc import Callable, Sequence
from typing import Any

import traitlets

from learnpacks.errors import WidgetError

from .base import ExerciseWidget

_MISSING = object()
_repr = reprlib.Repr()
_repr.maxstring = 60
_repr.maxother = 60


def _same(got: Any, expected: Any) -> bool:
    """Equal, compared on the expected value's terms (floats with a small tolerance).

    A learner's object with an ``__eq__`` that always says True does not pass: the comparison
    is ``expected == got`` and the types must agree (bool is not an int here).
    """
    if type(expected) is float and isinstance(got, (int, float)) and not isinstance(got, bool):
        return math.isclose(float(got), expected, rel_tol=1e-9, abs_tol=1e-12)
    if type(got) is not type(expected):
        return False
    return bool(expected == got)


class CodeExercise(ExerciseWidget):
    """A function or value to write, checked by public ``tests``.

    ``tests`` for a function: ``[((args...), expected), ...]``; for a value: ``expected=...``.
    ``hints`` are shown one at a time; ``solution`` (code text) unlocks after
    ``attempts_before_solution`` checks. Graded mode takes no ``solution``.
    """

    KIND = "code"

    hints_shown = traitlets.Int(0).tag(sync=True)
    revealed_solution = traitlets.Unicode("").tag(sync=True)

    def __init__(
        self,
        *,
        id: str,
        prompt: str,
        tests: Sequence[tuple[Sequence[Any], Any]] = (),
        expected: Any = _MISSING,
        hints: Sequence[str] = (),
        solution: str = "",
        attempts_before_solution: int = 2,
        mode: str = "practice",
    ) -> None:
        if mode == "graded" and solution:
            raise WidgetError(
                f"exercise {id!r} is graded: keep its solution out of the learner's notebook",
                code="exercise.graded-key",
            )
        if not tests and expected is _MISSING and mode == "practice":
            raise WidgetError(
                f"exercise {id!r}: give tests=[((args), expected), ...] or expected=",
                code="exercise.no-correct-answer",
            )
        self._tests = [(tuple(args), want) for args, want in tests]
        self._expected = expected
        self._solution = solution
        self._hints = [str(h) for h in hints]
        self._key = {}
        super().__init__(
            id=id,
            prompt=prompt,
            mode=mode,
            content={
                "hints": self._hints,
                "solution_after": int(attempts_before_solution),
                "has_solution": bool(solution),
                # A practice key, like a multiple-choice one: a static page (no kernel, nothing
                # can be checked) shows it once the reader has seen every hint.
                "solution": solution,
            },
        )

    def verdict(self, answer: Any) -> None:
        # The recorded "answer" of a code exercise is only its outcome; nothing to re-check.
        return None

    def _result_for(self, answer: Any, attempts: int) -> dict[str, Any]:
        if isinstance(answer, dict) and "passed" in answer:
            passed = bool(answer["passed"])
            return {
                "status": "correct" if passed else "incorrect",
                "attempts": attempts,
                "feedback": [str(m) for m in answer.get("messages", [])],
                "wrong": [],
            }
        return {"status": "", "attempts": attempts}

    def normalize_answer(self, answer: Any) -> Any:
        return answer if isinstance(answer, dict) else {}

    # the learner's API -----------------------------------------------------------------------
    def check(self, answer: Any) -> None:
        """Run the public tests on ``answer`` (a function, or a value) and show the verdict.

        Returns nothing, so the cell shows only the feedback; :attr:`passed` holds the verdict.
        """
        for message in self.record(answer)["feedback"]:
            print(message)

    def record(self, answer: Any) -> dict[str, Any]:
        """Run the public tests on ``answer`` (the learner's function or value) and record the
        outcome, as :meth:`check` does, without printing. Returns the result."""
        messages = self._run_tests(answer)
        passed = not messages
        if passed:
            messages = [self.t("All tests passed.")]
        result = self.submit({"passed": passed, "messages": messages})
        self._unlock_solution()
        return result

    @property
    def passed(self) -> bool:
        """Did the last check pass?"""
        return self.result.get("status") == "correct"

    def hint(self) -> None:
        """Print the next hint (and show it in the widget)."""
        print(self._next_hint())

    def _next_hint(self) -> str:
        if not self._hints or self.hints_shown >= len(self._hints):
            return self.t("No more hints.")
        self.hints_shown += 1
        label = self.t("Hint {n} of {total}", n=self.hints_shown, total=len(self._hints))
        return f"{label}: {self._hints[self.hints_shown - 1]}"

    def solution(self) -> None:
        """Print the solution, once the learner made ``attempts_before_solution`` attempts."""
        if self._unlock_solution():
            print(self._solution)
            return
        needed = int(self.content["solution_after"])
        print(self.t("Attempts needed before the solution: {n}.", n=needed))

    # internals -------------------------------------------------------------------------------
    def _unlock_solution(self) -> bool:
        ready = bool(self._solution) and (
            int(self.result.get("attempts", 0)) >= int(self.content["solution_after"])
        )
        if ready:
            self.revealed_solution = self._solution
        return ready

    def _run_tests(self, answer: Any) -> list[str]:
        if self._tests:
            if not callable(answer):
                return [self.t("Expected a function, got {got}.", got=_repr.repr(answer))]
            return self._call_tests(answer)
        if self._expected is not _MISSING and not _same(answer, self._expected):
            return [
                self.t(
                    "Your value is {got}: not the one asked for yet. Check your code, or ask for a hint.",
                    got=_repr.repr(answer),
                )
            ]
        return []

    def _call_tests(self, function: Callable[..., Any]) -> list[str]:
        name = getattr(function, "__name__", "f")
        for args, want in self._tests:
            call = f"{name}({', '.join(_repr.repr(a) for a in args)})"
            try:
                got = function(*args)
            except Exception as exc:  # the learner's code: report, never crash the check
                return [
                    self.t(
                        "{call} raised {error}.", call=call, error=f"{type(exc).__name__}: {exc}"
                    )
                ]
            if not _same(got, want):
                return [
                    self.t(
                        "{call} returned {got}, expected {expected}.",
                        call=call,
                        got=_repr.repr(got),
                        expected=_repr.repr(want),
                    )
                ]
        return []

    def handle_message(self, content: dict[str, Any]) -> None:
        if content.get("type") == "hint":
            self._next_hint()
        elif content.get("type") == "solution":
            self._unlock_solution()

"""Code exercises, after Kaggle Learn's model: the learner writes a function or a value,
``exercise.check(answer)`` runs the public tests with translated feedback, ``exercise.hint()``
gives the hints one by one, ``exercise.solution()`` shows the solution after enough attempts.

Public tests run in the learner's kernel, so they are feedback, not grading: graded code
exercises are checked by hidden nbgrader tests that call the learner's function directly.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import traitlets

from learnpacks.errors import WidgetError

from . import codecheck
from .base import ExerciseWidget

_MISSING = object()


class CodeExercise(ExerciseWidget):
    """A function or value to write, checked by public ``tests``.

    ``tests`` for a function: ``[((args...), expected), ...]``; for a value: ``expected=...``.
    ``hints`` are shown one at a time; ``solution`` (code text) unlocks after
    ``attempts_before_solution`` checks. Graded mode takes no ``solution``.
    """

    KIND = "code"

    hints_shown = traitlets.Int(0).tag(sync=True)
    revealed_solution = traitlets.Unicode("").tag(sync=True)
    #: What a static page needs to run the exercise in the browser (:mod:`.codecheck`), practice
    #: mode only: its tests as literal text, and the cell the build's ``check()`` ran (the
    #: learner's starting code) with the name it checked and the packages it imports.
    inpage = traitlets.Dict().tag(sync=True)

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
        if mode == "practice":
            self.inpage = self._inpage_tests()

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
        self._remember_starter(answer)
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
        return codecheck.run_tests(
            answer,
            tests=self._tests,
            expected=None if self._expected is _MISSING else self._expected,
            has_expected=self._expected is not _MISSING,
            t=self.t,
        )

    def _inpage_tests(self) -> dict[str, Any]:
        """The tests as literal text for a page, or ``{"unavailable": "tests", "needs": [...]}``
        when a test value has no literal (a DataFrame: ``needs == ["pandas"]``; an object)."""
        found: dict[str, Any] = {}
        if self._tests:
            found["tests"] = codecheck.as_literal([[list(a), w] for a, w in self._tests])
        if self._expected is not _MISSING:
            found["expected"] = codecheck.as_literal(self._expected)
        if None in found.values():
            values = [self._tests, None if self._expected is _MISSING else self._expected]
            return {"unavailable": "tests", "needs": codecheck.foreign_modules(values)}
        return found

    def _remember_starter(self, answer: Any) -> None:
        """Keep the cell that called ``check()`` first (at the site's build: the learner's
        starting code) for a page's editor, with what it imports beyond the standard library."""
        if self.mode != "practice" or "code" in self.inpage or "unavailable" in self.inpage:
            return
        try:
            from IPython import get_ipython

            shell = get_ipython()
            history = shell.user_ns.get("_ih") if shell is not None else None
            code = str(history[-1]) if history else ""
        except (ImportError, AttributeError, IndexError, TypeError):
            code = ""
        if not code.strip():
            return
        name = getattr(answer, "__name__", "") if callable(answer) else ""
        needs = codecheck.stdlib_only(codecheck.imported_modules(code))
        self.inpage = {**self.inpage, "code": code, "name": name, "needs": needs}

    def handle_message(self, content: dict[str, Any]) -> None:
        if content.get("type") == "hint":
            self._next_hint()
        elif content.get("type") == "solution":
            self._unlock_solution()

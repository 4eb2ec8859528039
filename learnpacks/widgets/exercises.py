"""The answer-checked exercise types: multiple choice, short answer, ordering, matching,
fill in the blanks, and reflection (recorded for a facilitator)."""

from __future__ import annotations

import random
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from learnpacks.errors import WidgetError

from .base import ExerciseWidget
from .checkers import normalize_text


@dataclass(frozen=True)
class Option:
    """A choice, list item or matching item.

    ``value`` is the stable identifier (not translated) that answers and hidden tests use;
    it defaults to the item's position (``"0"``, ``"1"`` ...). ``correct`` only means something
    in a multiple-choice question; ``feedback`` is shown when the option is chosen (multiple
    choice) or when a left-hand matching item is paired wrongly.
    """

    text: str
    value: str | None = None
    correct: bool = False
    feedback: str = ""


def _options(items: Sequence[Any], what: str) -> list[Option]:
    found = []
    for i, item in enumerate(items):
        if isinstance(item, str):
            item = Option(item)
        if not isinstance(item, Option):
            raise WidgetError(
                f"{what} must be strings or Option(...), not {item!r}",
                code="exercise.invalid-option",
            )
        found.append(Option(item.text, item.value or str(i), item.correct, item.feedback))
    values = [o.value for o in found]
    if len(set(values)) != len(values):
        raise WidgetError(
            f"{what}: values must be unique, got {values}", code="exercise.duplicate-option"
        )
    if not found:
        raise WidgetError(f"{what}: give at least one", code="exercise.invalid-option")
    return found


def _shuffled(values: list[Any], seed: str) -> list[Any]:
    """A stable shuffle (same order on every run and in the book) that moves something."""
    order = list(values)
    random.Random(seed).shuffle(order)
    if len(order) > 1 and order == values:
        order = order[1:] + order[:1]
    return order


class MultipleChoice(ExerciseWidget):
    """One or several answers among options, with feedback per option.

    Practice: mark the right option(s) ``Option(..., correct=True)``. Graded: mark none, and check
    the option values in a hidden test: ``assert_answer(id, correct=["wikidata"])``.
    """

    KIND = "multiple-choice"

    def __init__(
        self,
        *,
        id: str,
        prompt: str,
        options: Sequence[str | Option],
        multiple: bool = False,
        mode: str = "practice",
    ) -> None:
        opts = _options(options, "options")
        correct = [o.value for o in opts if o.correct]
        if mode == "practice" and not correct:
            raise WidgetError(
                f"exercise {id!r}: mark at least one Option(..., correct=True)",
                code="exercise.no-correct-answer",
            )
        if mode == "practice" and not multiple and len(correct) > 1:
            raise WidgetError(
                f"exercise {id!r}: several correct options need multiple=True",
                code="exercise.invalid-argument",
            )
        self._key = {
            "correct": correct,
            "feedback": {o.value: o.feedback for o in opts if o.feedback},
        }
        self._given = bool(correct)
        super().__init__(
            id=id,
            prompt=prompt,
            mode=mode,
            content={
                "multiple": multiple,
                "options": [{"value": o.value, "text": o.text} for o in opts],
            },
        )

    def _key_given(self) -> bool:
        return self._given

    def normalize_answer(self, answer: Any) -> Any:
        chosen = answer if isinstance(answer, list) else [answer]
        values = {o["value"] for o in self.content["options"]}
        return [v for v in chosen if isinstance(v, str) and v in values]

    def validate_answer(self, answer: Any) -> Any:
        chosen = list(answer) if isinstance(answer, (list, tuple)) else [answer]
        values = [o["value"] for o in self.content["options"]]
        unknown = [v for v in chosen if v not in values]
        if unknown:
            raise self._bad_answer(answer, f"no option has the value {unknown[0]!r} ({values})")
        if len(set(chosen)) > 1 and not self.content["multiple"]:
            raise self._bad_answer(answer, "one option only (multiple=False)")
        return super().validate_answer(list(dict.fromkeys(chosen)))


class ShortAnswer(ExerciseWidget):
    """A typed answer: accepted texts or numbers (with ``tolerance``), or regular expressions.

    ``case_sensitive`` and ``whitespace`` (``"collapse"``, ``"ignore"``, ``"strict"``) are public
    rules and are recorded with the answer. ``feedback`` maps known wrong answers to a message.
    """

    KIND = "short-answer"

    def __init__(
        self,
        *,
        id: str,
        prompt: str,
        accepted: Sequence[str | int | float] = (),
        regex: Sequence[str] = (),
        tolerance: float = 0.0,
        case_sensitive: bool = False,
        whitespace: str = "collapse",
        feedback: Mapping[str, str] | None = None,
        mode: str = "practice",
        placeholder: str = "",
    ) -> None:
        normalize_text("", whitespace=whitespace)  # validates the rule name
        for pattern in regex:
            re.compile(pattern)
        if mode == "practice" and not accepted and not regex:
            raise WidgetError(
                f"exercise {id!r}: give accepted answers or a regex",
                code="exercise.no-correct-answer",
            )
        self.rules = {"case_sensitive": case_sensitive, "whitespace": whitespace}
        self._key = {
            "accepted": list(accepted),
            "regex": list(regex),
            "tolerance": float(tolerance),
            "feedback": dict(feedback or {}),
        }
        self._given = bool(accepted or regex)
        super().__init__(
            id=id,
            prompt=prompt,
            mode=mode,
            content={"rules": self.rules, "placeholder": placeholder},
        )

    def _key_given(self) -> bool:
        return self._given

    def normalize_answer(self, answer: Any) -> Any:
        return answer if isinstance(answer, str) else ("" if answer is None else str(answer))

    def validate_answer(self, answer: Any) -> Any:
        if isinstance(answer, bool) or not isinstance(answer, (str, int, float)):
            raise self._bad_answer(answer, "give the text the learner would type")
        if not str(answer).strip():
            raise self._bad_answer(answer, "it is empty")
        return str(answer)


class Ordering(ExerciseWidget):
    """Put steps in order. Practice: list ``items`` in the right order (they are shown
    shuffled). Graded: list them in any order; the hidden test gives ``order=[values]``."""

    KIND = "ordering"

    def __init__(
        self,
        *,
        id: str,
        prompt: str,
        items: Sequence[str | Option],
        mode: str = "practice",
    ) -> None:
        opts = _options(items, "items")
        if len(opts) < 2:
            raise WidgetError(
                f"exercise {id!r}: an ordering needs at least two items",
                code="exercise.invalid-option",
            )
        self._key = {"order": [o.value for o in opts]}
        self._given = mode == "practice"
        shown = _shuffled(opts, id)
        super().__init__(
            id=id,
            prompt=prompt,
            mode=mode,
            content={"items": [{"value": o.value, "text": o.text} for o in shown]},
        )
        if mode == "graded":
            self._key = {}

    def _key_given(self) -> bool:
        return False

    def normalize_answer(self, answer: Any) -> Any:
        return [str(v) for v in answer] if isinstance(answer, list) else []

    def validate_answer(self, answer: Any) -> Any:
        values = [i["value"] for i in self.content["items"]]
        if not isinstance(answer, (list, tuple)) or sorted(map(str, answer)) != sorted(values):
            raise self._bad_answer(answer, f"give every item value once, in order ({values})")
        return [str(v) for v in answer]


class Matching(ExerciseWidget):
    """Pair items. Practice: ``pairs=[(left, right), ...]``; ``distractors`` adds right-hand
    items that match nothing; a left item given as ``Option(text, feedback=...)`` shows its
    feedback while it is paired wrongly. Graded: ``left=[...]`` and ``right=[...]``; the hidden test gives
    ``pairs={left_value: right_value}``."""

    KIND = "matching"

    def __init__(
        self,
        *,
        id: str,
        prompt: str,
        pairs: Sequence[tuple[str | Option, str | Option]] = (),
        left: Sequence[str | Option] = (),
        right: Sequence[str | Option] = (),
        distractors: Sequence[str] = (),
        mode: str = "practice",
    ) -> None:
        if pairs and (left or right):
            raise WidgetError(
                f"exercise {id!r}: give pairs= (practice) or left= and right=",
                code="exercise.invalid-argument",
            )
        if mode == "practice" and not pairs:
            raise WidgetError(
                f"exercise {id!r}: a practice matching needs pairs=",
                code="exercise.no-correct-answer",
            )
        if pairs:
            lefts = _options([p[0] for p in pairs], "left items")
            rights = _options([p[1] for p in pairs] + list(distractors), "right items")
            key = {lo.value: ro.value for lo, ro in zip(lefts, rights, strict=False)}
        else:
            lefts, rights, key = _options(left, "left"), _options(right, "right"), {}
        self._key: dict[str, Any] = {"pairs": key}
        notes = {o.value: o.feedback for o in lefts if o.feedback}
        if notes:
            self._key["feedback"] = notes
        self._given = bool(key)
        super().__init__(
            id=id,
            prompt=prompt,
            mode=mode,
            content={
                "left": [{"value": o.value, "text": o.text} for o in lefts],
                "right": [{"value": o.value, "text": o.text} for o in _shuffled(rights, id)],
            },
        )

    def _key_given(self) -> bool:
        return self._given

    def normalize_answer(self, answer: Any) -> Any:
        if not isinstance(answer, dict):
            return {}
        return {str(k): str(v) for k, v in answer.items() if v not in (None, "")}

    def validate_answer(self, answer: Any) -> Any:
        if not isinstance(answer, dict):
            raise self._bad_answer(answer, "give {left_value: right_value, ...}")
        lefts = [o["value"] for o in self.content["left"]]
        rights = [o["value"] for o in self.content["right"]]
        for left, right in answer.items():
            if left not in lefts:
                raise self._bad_answer(answer, f"no left item has the value {left!r} ({lefts})")
            if right not in rights:
                raise self._bad_answer(answer, f"no right item has the value {right!r} ({rights})")
        return super().validate_answer(answer)


_BLANK = re.compile(r"\[\[(.*?)\]\]")


def parse_blanks(text: str) -> tuple[list[dict[str, Any]], list[list[str]]]:
    """Split ``"A [[b|c]] d"`` into segments (text and blank numbers) and accepted answers."""
    segments: list[dict[str, Any]] = []
    blanks: list[list[str]] = []
    pos = 0
    for match in _BLANK.finditer(text):
        if match.start() > pos:
            segments.append({"text": text[pos : match.start()]})
        segments.append({"blank": len(blanks)})
        blanks.append([a.strip() for a in match.group(1).split("|") if a.strip()])
        pos = match.end()
    if pos < len(text):
        segments.append({"text": text[pos:]})
    return segments, blanks


class FillInTheBlanks(ExerciseWidget):
    """A text with blanks: ``_("Wikipedia is a free [[encyclopedia]] anyone can [[edit|improve]].")``.

    Alternatives are separated by ``|``. Graded: write empty blanks ``[[ ]]``; the hidden test
    gives ``blanks=[["encyclopedia"], ["edit", "improve"]]``.
    """

    KIND = "fill-in-the-blanks"

    def __init__(
        self,
        *,
        id: str,
        text: str,
        prompt: str = "",
        case_sensitive: bool = False,
        whitespace: str = "collapse",
        mode: str = "practice",
    ) -> None:
        normalize_text("", whitespace=whitespace)
        segments, blanks = parse_blanks(text)
        if not blanks:
            raise WidgetError(
                f"exercise {id!r}: mark blanks in the text with [[answer]]",
                code="exercise.invalid-argument",
            )
        if mode == "practice" and not all(blanks):
            raise WidgetError(
                f"exercise {id!r}: every blank needs an accepted answer",
                code="exercise.no-correct-answer",
            )
        self.rules = {"case_sensitive": case_sensitive, "whitespace": whitespace}
        self._key = {"blanks": blanks}
        self._given = any(blanks)
        super().__init__(
            id=id,
            prompt=prompt,
            mode=mode,
            content={"segments": segments, "count": len(blanks), "rules": self.rules},
        )

    def _key_given(self) -> bool:
        return self._given

    def normalize_answer(self, answer: Any) -> Any:
        count = int(self.content["count"])
        typed = answer if isinstance(answer, list) else []
        typed = [t if isinstance(t, str) else "" for t in typed][:count]
        return typed + [""] * (count - len(typed))

    def validate_answer(self, answer: Any) -> Any:
        count = int(self.content["count"])
        if (
            not isinstance(answer, (list, tuple))
            or len(answer) != count
            or not all(isinstance(t, str) for t in answer)
        ):
            raise self._bad_answer(answer, f"give a list of {count} texts, one per blank")
        if not any(t.strip() for t in answer):
            raise self._bad_answer(answer, "every blank is empty")
        return list(answer)


class Reflection(ExerciseWidget):
    """Free text, never auto-checked. Practice (the default, like every exercise): the learner's
    own note, saved and never graded. ``mode="graded"``: recorded for a facilitator to read and
    grade by hand (with a "manually graded" nbgrader cell if it counts for points)."""

    KIND = "reflection"

    def __init__(self, *, id: str, prompt: str, rows: int = 5, mode: str = "practice") -> None:
        self._key = {}
        super().__init__(id=id, prompt=prompt, mode=mode, content={"rows": int(rows)})

    def verdict(self, answer: Any) -> None:
        return None

    def normalize_answer(self, answer: Any) -> Any:
        return answer if isinstance(answer, str) else ""

    def validate_answer(self, answer: Any) -> Any:
        if not isinstance(answer, str) or not answer.strip():
            raise self._bad_answer(answer, "give the text the learner would write")
        return answer

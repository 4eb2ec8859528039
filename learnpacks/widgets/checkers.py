"""Answer-matching rules, pure Python (no widget import).

Every rule here has a twin in ``static/exercise.js`` (the ``checkers`` export) so that practice
exercises give the same verdict in the browser, with no kernel, as in Python. Keep both small and
change them together: ``tests/widgets/test_checkers_parity.py`` runs the same cases through both.

A checker takes the learner's answer and the key (plain JSON data) and returns a :class:`Result`.
Checkers never raise on a malformed answer: a wrong shape is simply not correct.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from learnpacks.errors import WidgetError

#: The whitespace characters every rule knows, written out so Python and JavaScript agree
#: (their ``\s`` classes differ).
WHITESPACE = (
    " \t\n\r\f\v\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009"
    "\u200a\u2028\u2029\u202f\u205f\u3000\ufeff"
)
_WS_RUN = re.compile("[" + re.escape(WHITESPACE) + "]+")
_WHITESPACE_RULES = ("collapse", "strict", "ignore")
# Eastern Arabic-Indic and Persian digits, and the Arabic decimal/thousands separators.
_DIGITS = {ord(c): str(i) for i, c in enumerate("٠١٢٣٤٥٦٧٨٩")}
_DIGITS.update({ord(c): str(i) for i, c in enumerate("۰۱۲۳۴۵۶۷۸۹")})
_DIGITS[ord("٫")] = "."
_DIGITS[ord("٬")] = ""
_NUMBER = re.compile(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")


@dataclass(frozen=True)
class Result:
    """A checker's verdict.

    ``feedback`` holds the author's messages that apply (per chosen option, per known wrong
    answer); ``wrong`` holds the positions that are wrong (blanks, ordering slots, matching rows)
    so the front-end can mark them in text, not only in colour.
    """

    correct: bool
    feedback: tuple[str, ...] = ()
    wrong: tuple[Any, ...] = field(default_factory=tuple)

    def as_dict(self) -> dict[str, Any]:
        return {"correct": self.correct, "feedback": list(self.feedback), "wrong": list(self.wrong)}


def normalize_text(text: str, *, case_sensitive: bool = False, whitespace: str = "collapse") -> str:
    """Normalize a typed answer: Unicode NFC, whitespace rule, then case rule.

    ``whitespace``: ``"collapse"`` trims and turns every run into one space, ``"ignore"`` drops
    all whitespace, ``"strict"`` keeps it as typed.
    """
    if whitespace not in _WHITESPACE_RULES:
        raise WidgetError(
            f"whitespace must be one of {_WHITESPACE_RULES}, not {whitespace!r}",
            code="exercise.invalid-argument",
        )
    text = unicodedata.normalize("NFC", text)
    if whitespace == "collapse":
        text = _WS_RUN.sub(" ", text).strip(" ")
    elif whitespace == "ignore":
        text = _WS_RUN.sub("", text)
    return text if case_sensitive else text.lower()


def parse_number(text: str) -> float | None:
    """Read a number as a learner types it, or None.

    Accepts ``3.14``, ``3,14`` (decimal comma, when there is no dot), ``-2e3``, surrounding
    whitespace, and Eastern Arabic-Indic digits (``٣٫١٤``). Rejects everything else, including
    ``nan`` and ``inf``.
    """
    text = _WS_RUN.sub("", text.translate(_DIGITS))
    if "," in text and "." not in text and text.count(",") == 1:
        text = text.replace(",", ".")
    if not _NUMBER.fullmatch(text):
        return None
    value = float(text)
    return value if math.isfinite(value) else None


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    if isinstance(value, (list, tuple)):
        return list(value)
    return [value]


def check_text(
    answer: Any,
    *,
    accepted: Sequence[Any] = (),
    regex: Sequence[str] = (),
    case_sensitive: bool = False,
    whitespace: str = "collapse",
    tolerance: float = 0.0,
    feedback: Mapping[str, str] | None = None,
) -> Result:
    """Short answer: is ``answer`` one of ``accepted`` (text or number) or a full ``regex`` match?

    Text is compared after :func:`normalize_text`. A number in ``accepted`` matches any typed
    number within ``tolerance`` (absolute). A regular expression must match the whole normalized
    answer (case-insensitively unless ``case_sensitive``); write it in the subset that Python and
    JavaScript read alike. ``feedback`` maps known wrong answers (compared the same way; a
    number also matches the same number typed otherwise, e.g. ``"٢"`` for ``"2"``) to a message.
    """
    if not isinstance(answer, str):
        return Result(False)
    typed = normalize_text(answer, case_sensitive=case_sensitive, whitespace=whitespace)
    number = parse_number(answer)
    for item in _as_list(accepted):
        if isinstance(item, bool):
            continue
        if isinstance(item, (int, float)):
            if number is not None and abs(number - float(item)) <= float(tolerance) + 1e-12:
                return Result(True)
        elif isinstance(item, str) and typed == normalize_text(
            item, case_sensitive=case_sensitive, whitespace=whitespace
        ):
            return Result(True)
    flags = 0 if case_sensitive else re.IGNORECASE
    for pattern in _as_list(regex):
        try:
            if re.fullmatch(pattern, typed, flags):
                return Result(True)
        except re.error:
            continue

    def known(wrong: str) -> bool:
        if typed == normalize_text(wrong, case_sensitive=case_sensitive, whitespace=whitespace):
            return True
        # a number is the same answer whichever digits or decimal mark it is typed with ("٢", "2,0")
        wrong_number = parse_number(wrong)
        return number is not None and wrong_number is not None and number == wrong_number

    notes = tuple(message for wrong, message in (feedback or {}).items() if known(wrong))
    return Result(False, notes)


def check_choice(
    answer: Any,
    *,
    correct: Sequence[str],
    feedback: Mapping[str, str] | None = None,
) -> Result:
    """Multiple choice: is the set of chosen option values exactly the set of ``correct`` ones?

    ``answer`` is a list of option values (one item for a single-answer question). ``feedback``
    maps option values to the message shown when that option is chosen.
    """
    chosen = _as_list(answer)
    if not all(isinstance(v, str) for v in chosen) or len(set(chosen)) != len(chosen):
        return Result(False)
    notes = tuple((feedback or {})[v] for v in chosen if (feedback or {}).get(v))
    ok = bool(chosen) and set(chosen) == set(_as_list(correct))
    wrong = tuple(sorted(set(chosen) - set(_as_list(correct))))
    return Result(ok, notes, () if ok else wrong)


def check_order(answer: Any, *, order: Sequence[str]) -> Result:
    """Ordering: is ``answer`` (a list of item values) exactly ``order``? ``wrong`` = bad slots."""
    expected = list(order)
    if not isinstance(answer, list) or sorted(map(str, answer)) != sorted(expected):
        return Result(False, (), tuple(range(len(expected))))
    wrong = tuple(i for i, (a, b) in enumerate(zip(answer, expected, strict=True)) if a != b)
    return Result(not wrong, (), wrong)


def check_pairs(
    answer: Any, *, pairs: Mapping[str, str], feedback: Mapping[str, str] | None = None
) -> Result:
    """Matching: does every left value map to its right value? ``wrong`` = left values not right;
    ``feedback`` maps a left value to the message shown while it is matched wrongly."""
    if not isinstance(answer, dict):
        return Result(False, (), tuple(sorted(pairs)))
    wrong = tuple(sorted(k for k, v in pairs.items() if answer.get(k) != v))
    notes = tuple((feedback or {})[k] for k in wrong if (feedback or {}).get(k))
    return Result(not wrong, notes, wrong)


def check_blanks(
    answer: Any,
    *,
    blanks: Sequence[Sequence[str]],
    case_sensitive: bool = False,
    whitespace: str = "collapse",
) -> Result:
    """Fill in the blanks: is each typed text one of the accepted answers of its blank?

    ``blanks`` holds, per blank, its accepted answers; ``wrong`` lists the blank positions whose
    answer is not accepted.
    """
    if not isinstance(answer, list) or len(answer) != len(blanks):
        return Result(False, (), tuple(range(len(blanks))))
    wrong = tuple(
        i
        for i, (typed, accepted) in enumerate(zip(answer, blanks, strict=True))
        if not check_text(
            typed, accepted=list(accepted), case_sensitive=case_sensitive, whitespace=whitespace
        ).correct
    )
    return Result(not wrong, (), wrong)


def check_recorded(answer: Any) -> Result:
    """Reflection: any non-empty text is recorded; a facilitator grades it by hand."""
    return Result(isinstance(answer, str) and bool(answer.strip()))


Checker = Callable[..., Result]

#: Checker registry: exercise kind -> rule. ``assert_answer`` and the widgets look rules up here.
CHECKERS: dict[str, Checker] = {
    "multiple-choice": check_choice,
    "short-answer": check_text,
    "ordering": check_order,
    "matching": check_pairs,
    "fill-in-the-blanks": check_blanks,
    "reflection": check_recorded,
}


def check(kind: str, answer: Any, key: Mapping[str, Any]) -> Result:
    """Run the checker registered for ``kind`` with ``key`` as keyword arguments."""
    try:
        checker = CHECKERS[kind]
    except KeyError:
        raise WidgetError(
            f"no checker for exercise kind {kind!r}; known: {sorted(CHECKERS)}",
            code="exercise.unknown-kind",
        ) from None
    return checker(answer, **dict(key))

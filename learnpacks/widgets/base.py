"""The widget base class every exercise shares: id, mode, state synced with the front-end,
answers recorded and restored through :mod:`learnpacks.widgets.answers`.

Front-end protocol (custom messages, never ``save_changes``, which fails with no kernel):

- ``{"type": "hello"}`` from the view; the kernel replies ``{"type": "live"}`` so a view knows a
  kernel is listening (in the static book nobody replies).
- ``{"type": "answer", "answer": ..., "request": ...}``: the learner checked; the kernel records it,
  updates ``answer`` and ``result``, and replies ``{"type": "saved", "request": ..., "saved": bool}``.
  A view that gets no reply (kernel restarted and not run again, busy, stopped) writes the same
  entry into the answers file itself, through Jupyter Server's contents API.
- ``{"type": "hint"}``: the learner asked for the next hint (code exercises).

Practice mode puts the key in the synced ``key`` trait so the browser can check with no kernel;
graded mode never does.
"""

from __future__ import annotations

import re
import weakref
from collections.abc import Callable
from pathlib import Path
from typing import Any, ClassVar

import anywidget
import traitlets

from learnpacks.errors import WidgetError

from . import answers, i18n
from .checkers import Result, check

STATIC = Path(__file__).parent / "static"
ID_PATTERN = re.compile(r"[a-z0-9]+(?:-[a-z0-9]+)*")
MODES = ("practice", "graded")
RELOAD_MESSAGE = (
    "This exercise cannot be shown: this page has not loaded Jupyter's widgets. If learnpacks "
    "was just installed, reload the page (F5), then run the notebook's cells again."
)

#: The live exercises of this kernel by id (the latest object wins), for :class:`Progress`.
#: Several notebooks' exercises may share a kernel in tests; Progress filters by notebook.
LIVE_EXERCISES: dict[str, weakref.ReferenceType[ExerciseWidget]] = {}
_LISTENERS: list[Callable[[], None]] = []


def validate_id(value: object) -> str:
    """Exercise ids are required strings of lowercase letters, digits and single dashes."""
    if not isinstance(value, str) or not ID_PATTERN.fullmatch(value):
        raise WidgetError(
            f"exercise id must be a string of lowercase letters, digits and dashes "
            f"(like 'edit-count-2'), not {value!r}",
            code="exercise.invalid-id",
        )
    return value


class LearnpacksWidget(anywidget.AnyWidget):
    """Shared front-end module, kind, language and UI strings."""

    _esm = STATIC / "exercise.js"
    _css = STATIC / "exercise.css"

    kind = traitlets.Unicode("").tag(sync=True)
    lang = traitlets.Unicode("en").tag(sync=True)
    dir = traitlets.Unicode("ltr").tag(sync=True)
    strings = traitlets.Dict().tag(sync=True)
    content = traitlets.Dict().tag(sync=True)

    KIND: ClassVar[str] = ""

    def __init__(self, **kwargs: Any) -> None:
        language = i18n.current_language()
        super().__init__(
            kind=self.KIND,
            lang=language,
            dir=i18n.text_direction(language),
            strings=i18n.ui_strings(language),
            **kwargs,
        )
        self.on_msg(self._on_frontend_msg)

    def _on_frontend_msg(self, _widget: object, content: Any, _buffers: object) -> None:
        if isinstance(content, dict) and content.get("type") == "hello":
            self.send({"type": "live"})
        elif isinstance(content, dict):
            self.handle_message(content)

    def handle_message(self, content: dict[str, Any]) -> None:
        """Subclasses act on front-end messages other than ``hello``."""

    def _repr_mimebundle_(self, **kwargs: Any) -> Any:
        # The text a page shows when it cannot show widgets at all: most often the first cell has
        # just installed learnpacks (and anywidget), and the page must be reloaded to load them.
        bundle = super()._repr_mimebundle_(**kwargs)
        data, metadata = bundle if isinstance(bundle, tuple) else (bundle, {})
        if isinstance(data, dict) and "text/plain" in data:
            data = {**data, "text/plain": self.t(RELOAD_MESSAGE)}
        return data, metadata

    def t(self, message: str, **values: Any) -> str:
        """A UI string in this widget's language, with ``{placeholders}`` filled."""
        text = i18n.gettext(message, self.lang)
        return text.format(**values) if values else text


class ExerciseWidget(LearnpacksWidget):
    """An exercise: an id, a mode, a prompt, the learner's answer and the verdict.

    Subclasses set ``KIND`` (the checker registered in :data:`checkers.CHECKERS`) and fill
    ``content`` (what the learner sees) and ``_key`` (the answer key, practice mode only).
    """

    exercise_id = traitlets.Unicode("").tag(sync=True)
    mode = traitlets.Unicode("practice").tag(sync=True)
    prompt = traitlets.Unicode("").tag(sync=True)
    key = traitlets.Dict().tag(sync=True)
    answer = traitlets.Any(None).tag(sync=True)
    result = traitlets.Dict().tag(sync=True)

    #: Rules that are not secret (case, whitespace): recorded with the answer for hidden tests.
    rules: dict[str, Any]

    def __init__(self, *, id: str, prompt: str = "", mode: str = "practice", **kwargs: Any) -> None:
        validate_id(id)
        if mode not in MODES:
            raise WidgetError(
                f"mode must be one of {MODES}, not {mode!r}", code="exercise.invalid-argument"
            )
        if not hasattr(self, "_key"):
            self._key: dict[str, Any] = {}
        if not hasattr(self, "rules"):
            self.rules = {}
        if mode == "graded" and self._key_given():
            raise WidgetError(
                f"exercise {id!r} is graded: its answer key belongs in a hidden nbgrader test "
                "(assert_answer), not in the learner's notebook",
                code="exercise.graded-key",
            )
        super().__init__(
            exercise_id=id,
            prompt=str(prompt),
            mode=mode,
            key=dict(self._key) if mode == "practice" else {},
            result={"status": "", "attempts": 0},
            **kwargs,
        )
        self.notebook = answers.notebook_name()
        self._restore()
        LIVE_EXERCISES[id] = weakref.ref(self)
        self.observe(lambda _change: _notify(), names=["result"])
        _notify()

    # subclasses ------------------------------------------------------------------------------
    def _key_given(self) -> bool:
        return any(bool(v) for v in self._key.values())

    def normalize_answer(self, answer: Any) -> Any:
        """Bring a front-end answer to its JSON shape (subclasses validate more)."""
        return answer

    def validate_answer(self, answer: Any) -> Any:
        """``answer`` in its JSON shape, or ValueError if the widget could never send it.

        The front-end only sends answers its controls can make (known option values, one per
        blank ...); :meth:`record` holds an author's answer to the same rule, so a typo fails
        loudly instead of being recorded as something else.
        """
        normalized = self.normalize_answer(answer)
        if normalized in (None, "", [], {}):
            raise self._bad_answer(answer, "it is empty")
        return normalized

    def _bad_answer(self, answer: Any, why: str) -> WidgetError:
        return WidgetError(
            f"exercise {self.exercise_id!r} ({self.KIND}) cannot record {answer!r}: {why}",
            code="exercise.bad-answer",
        )

    # checking --------------------------------------------------------------------------------
    def verdict(self, answer: Any) -> Result | None:
        """The checker's result in practice mode; None in graded mode (no key here)."""
        if self.mode == "graded":
            return None
        return check(self.KIND, answer, {**self.rules, **self._key})

    def submit(self, answer: Any) -> dict[str, Any]:
        """Take the learner's answer as if typed in the widget: check, record, return ``result``."""
        answer = self.normalize_answer(answer)
        attempts = int(self.result.get("attempts", 0)) + 1
        result = self._result_for(answer, attempts)
        store = answers.AnswerStore()
        saved = store.record(
            self.notebook,
            self.exercise_id,
            {
                "kind": self.KIND,
                "mode": self.mode,
                "answer": answer,
                "status": result["status"],
                "attempts": attempts,
                "rules": self.rules,
            },
        )
        result["saved"] = saved
        self.answer = answer
        self.result = result
        return result

    def record(self, answer: Any) -> dict[str, Any]:
        """Save ``answer`` exactly as if the learner had chosen it and pressed Check.

        The answer takes the shape the widget's front-end sends: option values (a list, or one
        value) for a multiple choice, the typed text for a short answer, item values in order for
        an ordering, ``{left_value: right_value}`` for a matching, one text per blank, the text of
        a reflection; a code exercise takes the learner's function or value and runs its public
        tests. It is recorded in the answers file beside the notebook (as a Check would), the
        widget shows it, and the result is returned. Raises ValueError for an answer the widget
        could never send (an unknown option value, a wrong number of blanks, an empty answer).

        In a graded notebook the author calls it inside ``### BEGIN SOLUTION`` …
        ``### END SOLUTION``, so the author's copy checks its own hidden test and learners'
        copies (where nbgrader replaces the region) start unanswered.
        """
        return self.submit(self.validate_answer(answer))

    def _result_for(self, answer: Any, attempts: int) -> dict[str, Any]:
        found = self.verdict(answer)
        if found is None:
            return {"status": "recorded", "attempts": attempts}
        return {
            "status": "correct" if found.correct else "incorrect",
            "attempts": attempts,
            **found.as_dict(),
        }

    def handle_message(self, content: dict[str, Any]) -> None:
        if content.get("type") == "answer":
            result = self.submit(content.get("answer"))
            # The view waits for this reply; without it, it writes the answers file itself.
            self.send(
                {"type": "saved", "request": content.get("request"), "saved": result["saved"]}
            )

    def _restore(self) -> None:
        entry = answers.AnswerStore().get(self.notebook, self.exercise_id)
        if not entry or entry.get("kind") != self.KIND or "answer" not in entry:
            return
        try:
            answer = self.normalize_answer(entry["answer"])
            attempts = int(entry.get("attempts", 1))
        except (ValueError, TypeError):
            return
        if answer in (None, "", [], {}):
            return
        self.answer = answer
        self.result = {**self._result_for(answer, attempts), "restored": True}

    @property
    def done(self) -> bool:
        """Answered right (practice) or answered at all (graded, reflection)."""
        return self.result.get("status") in ("correct", "recorded")


def _notify() -> None:
    for listener in list(_LISTENERS):
        listener()


def add_listener(listener: Callable[[], None]) -> None:
    _LISTENERS.append(listener)


def live_exercises() -> list[ExerciseWidget]:
    """Live exercises of this kernel, in creation order."""
    found = []
    for ref in list(LIVE_EXERCISES.values()):
        widget = ref()
        if widget is not None:
            found.append(widget)
    return found

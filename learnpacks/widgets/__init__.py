"""Exercise widgets for learning packs (part of the light core).

In a pack notebook::

    from learnpacks.widgets import _, configure, MultipleChoice, Option
    configure(notebook="01-intro.ipynb")
    MultipleChoice(id="projects", prompt=_("Which project stores structured data?"),
                   options=[Option(_("Wikidata"), value="wikidata", correct=True),
                            Option(_("Wikisource"), value="wikisource")])

``_`` only marks a string for the translation pipeline; at run time it returns its argument
(IPython does not overwrite a ``_`` the user imported). See ``docs/authors/exercises.md``.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .answers import ANSWERS_FILE, AnswerStore, configure, notebook_name
    from .base import ExerciseWidget, LearnpacksWidget
    from .checkers import CHECKERS, Result
    from .code import CodeExercise
    from .exercises import (
        FillInTheBlanks,
        Matching,
        MultipleChoice,
        Option,
        Ordering,
        Reflection,
        ShortAnswer,
    )
    from .grading import assert_answer, grade_answers_file, recorded_answer
    from .handin import HandIn
    from .i18n import current_language, set_language
    from .media import Captions, Image, Video
    from .progress import Progress

    EXERCISE_TYPES: dict[str, type[ExerciseWidget]]

#: The module of each name this package gives, imported on the name's first use: what only
#: reads answers files (the grader, the site build, the checks) does not import ipywidgets and
#: anywidget, which the widgets themselves need (about 0.2 CPU-seconds).
_HOMES = {
    "answers": ("ANSWERS_FILE", "AnswerStore", "configure", "notebook_name"),
    "base": ("ExerciseWidget", "LearnpacksWidget"),
    "checkers": ("CHECKERS", "Result"),
    "code": ("CodeExercise",),
    "exercises": (
        "FillInTheBlanks",
        "Matching",
        "MultipleChoice",
        "Option",
        "Ordering",
        "Reflection",
        "ShortAnswer",
    ),
    "grading": ("assert_answer", "grade_answers_file", "recorded_answer"),
    "handin": ("HandIn",),
    "i18n": ("current_language", "set_language"),
    "media": ("Captions", "Image", "Video"),
    "progress": ("Progress",),
}
_HOME = {name: module for module, names in _HOMES.items() for name in names}


def _(text: str) -> str:
    """Mark ``text`` for translation. Returns it unchanged."""
    return text


def _exercise_types() -> dict[str, Any]:
    """Exercise types by kind (the extension point: add a class here, to
    ``learnpacks.packs.roles.EXERCISE_CLASSES``, and its checker to ``checkers.CHECKERS`` and to
    the ``checkers`` export of ``static/exercise.js``)."""
    from learnpacks.packs.roles import EXERCISE_CLASSES

    return {cls.KIND: cls for cls in map(__getattr__, sorted(EXERCISE_CLASSES))}


def __getattr__(name: str) -> Any:
    if name == "EXERCISE_TYPES":
        value: Any = _exercise_types()
    elif name in _HOME:
        value = getattr(importlib.import_module(f".{_HOME[name]}", __name__), name)
    else:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))


def import_all() -> None:
    """Import every module of the package now (a process that forks kernels does, so that
    each kernel finds the widgets loaded)."""
    for module in _HOMES:
        importlib.import_module(f".{module}", __name__)


__all__ = [
    "ANSWERS_FILE",
    "CHECKERS",
    "EXERCISE_TYPES",
    "AnswerStore",
    "Captions",
    "CodeExercise",
    "ExerciseWidget",
    "FillInTheBlanks",
    "HandIn",
    "Image",
    "LearnpacksWidget",
    "Matching",
    "MultipleChoice",
    "Option",
    "Ordering",
    "Progress",
    "Reflection",
    "Result",
    "ShortAnswer",
    "Video",
    "_",
    "assert_answer",
    "configure",
    "current_language",
    "grade_answers_file",
    "notebook_name",
    "recorded_answer",
    "set_language",
]

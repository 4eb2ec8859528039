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


def _(text: str) -> str:
    """Mark ``text`` for translation. Returns it unchanged."""
    return text


#: Exercise types by kind (the extension point: add a class here, and its checker to
#: ``checkers.CHECKERS`` and to the ``checkers`` export of ``static/exercise.js``).
EXERCISE_TYPES: dict[str, type[ExerciseWidget]] = {
    cls.KIND: cls
    for cls in (
        MultipleChoice,
        ShortAnswer,
        Ordering,
        Matching,
        FillInTheBlanks,
        CodeExercise,
        Reflection,
    )
}

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

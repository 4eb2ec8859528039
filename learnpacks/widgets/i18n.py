"""The widgets' own UI strings ("Check", "Show a hint", ...), from gettext catalogs read with polib.

Catalogs: ``locale/<lang>/LC_MESSAGES/learnpacks.po`` beside this file; English is the source
language. No compiled ``.mo`` is shipped: the ``.po`` is parsed once per language per kernel.

Which language? In order: :func:`set_language`, the notebook's metadata
``learnpacks.translation.language`` (when the kernel can find the notebook file), the
``LEARNPACKS_LANG`` environment variable, then English. A language without a catalog falls back
to English string by string.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from functools import cache
from pathlib import Path

import polib

from . import answers

LOCALE_DIR = Path(__file__).parent / "locale"
DOMAIN = "learnpacks"
#: A folder searched before the package's own catalogs, laid out like the package
#: (``widgets/<lang>/LC_MESSAGES/learnpacks.po``, ``book/<lang>/site.po``, ``book/<lang>/theme.po``):
#: where ``learnpacks i18n init`` starts a language's UI catalogs when it is set.
UI_LOCALE_ENV = "LEARNPACKS_UI_LOCALE_DIR"
SOURCE_LANGUAGE = "en"
RTL_LANGUAGES = frozenset(
    {"ar", "arc", "ckb", "dv", "fa", "he", "ks", "ku", "ps", "sd", "ug", "ur", "yi"}
)

#: Every UI string the front-end uses. ``tests/widgets/test_i18n.py`` checks that the JS asks for
#: no other, and that every catalog translates each of them.
UI_STRINGS: tuple[str, ...] = (
    "Check",
    "Try again",
    "Correct!",
    "Not quite. Try again.",
    "Not quite.",
    "Show a hint",
    "No more hints.",
    "Hint {n} of {total}",
    "Show the solution",
    "Attempts needed before the solution: {n}.",
    "Solution",
    "Attempts: {n}",
    "Your answer is recorded. It will be graded later.",
    "Your answer could not be saved: run this notebook in Jupyter to take part.",
    "This is a graded exercise. To take part, open this notebook in Jupyter "
    "(Binder or your course hub) and answer there.",
    "Choose one answer.",
    "Choose all answers that apply.",
    "Your answer",
    "Blank {n}",
    "Move up",
    "Move down",
    "Moved {item} to position {n}.",
    "Choose a match",
    "Please answer first.",
    "Save",
    "Saved. A facilitator will read your reflection.",
    "Saved. This reflection is for you: nobody grades it.",
    "Saved in this browser only.",
    "Run the code cell with your function, then call check() in the next cell.",
    "All tests passed.",
    "Expected a function, got {got}.",
    "Your value is {got}: not the one asked for yet. Check your code, or ask for a hint.",
    "{call} raised {error}.",
    "{call} returned {got}, expected {expected}.",
    "{done} of {total} done",
    "Done",
    "Not done yet",
    "Progress",
    "Transcript",
    "Your browser cannot play this video.",
    "Wrong",
    "Right",
    "On this page, the solution opens after the last hint.",
    "To check your code, open this notebook in Jupyter (Binder or your course hub).",
    "The kernel is busy: your answer is saved as soon as the running cell finishes.",
    "Not saved: the notebook's kernel is not running. Restart it (Kernel menu), then press the button again.",
    "Saved in the answers file. The kernel was restarted: run the notebook again before you run code.",
    "Saved in the answers file.",
    "This exercise cannot be shown: this page has not loaded Jupyter's widgets. If learnpacks was just installed, reload the page (F5), then run the notebook's cells again.",
    "Notebook {n} of {total}",
    "Previous: {title}",
    "Next: {title}",
    "In this pack: {done} of {total} exercises done",
    "Your code",
    "Run",
    "Stop",
    "Output",
    "Write your code below: Run shows what it does, Check runs the exercise's tests.",
    "Tab indents. To leave the editor, press Escape, then Tab. Ctrl+Enter runs the code.",
    "Loading Python in this page (the first time takes a while)…",
    "Running…",
    "Stopped. Python starts again at the next run.",
    "More output was dropped: {n} characters.",
    "Python could not start in this page.",
    "Python cannot start in a page opened as a file: serve the folder (python3 -m http.server) and open it at http://localhost:8000/.",
    "This exercise needs {packages}, which this page cannot run: open the notebook in Jupyter (Binder or your course hub) to do it.",
    "This exercise cannot run in this page: open the notebook in Jupyter (Binder or your course hub) to do it.",
)

#: Strings of cohort grading (``learnpacks.grading``): the hand-in cell a release adds and the
#: feedback pages. They share the widgets' catalogs, so one translation covers what a learner sees.
GRADING_STRINGS: tuple[str, ...] = (
    "Hand in your work",
    "Run the cell below, write your name or learner id in Latin letters and press the button. It saves this notebook and makes one zip file with your notebooks and answers: download it and hand it in to your facilitator.",
    "Download {name}",
    "Hand this file in to your facilitator.",
    "Your name or learner id, in Latin letters",
    "Make my hand-in file",
    "Write your name or learner id first.",
    "Write your name or learner id with Latin letters, digits or dashes.",
    "Saving your notebook and making your hand-in file…",
    "No file made: the notebook's kernel is not running. Restart it (Kernel menu), then press the button again.",
    "No file made: {detail}",
    "What is graded and what is sent",
    "In this cohort, this notebook is graded: {points} points, from its graded exercises and the answers you write for a facilitator to read. Practice exercises give you feedback and are not graded.",
    "In this cohort, nothing in this notebook is graded: its exercises are practice, for you.",
    "Nothing is sent by itself. At the end of the notebook, a button makes one zip file with your notebooks as you saved them, your answers and the name you give. You download it and hand it in to your facilitator yourself.",
    "Where this notebook says that nothing is graded or sent, this notice is what applies.",
    "Feedback",
    "Score",
    "Total",
    "Some hidden tests did not pass.",
    "A facilitator will grade this.",
    "A facilitator will review this notebook.",
    "The cell ran over {seconds} s and was interrupted.",
    "The cell ran too long and ignored the interrupt: its kernel was stopped.",
    "The kernel stopped while running this cell.",
    "This cell did not run: the kernel had stopped in an earlier cell.",
    "Output dropped: {n} bytes.",
    "Traceback lines omitted: {n}.",
)

_language: str | None = None


def set_language(code: str | None) -> None:
    """Use ``code`` (``"fr"``, ``"ar"`` ...) for the UI strings of widgets created from now on.

    ``None`` goes back to the automatic choice described in the module docstring.
    """
    global _language
    _language = code.strip().replace("_", "-") if code else None


def current_language() -> str:
    """The language widgets use now (see the module docstring for the order of sources)."""
    if _language:
        return _language
    meta = _notebook_language()
    if meta:
        return meta
    env = os.environ.get("LEARNPACKS_LANG", "").strip()
    return env.replace("_", "-") if env else SOURCE_LANGUAGE


def _notebook_language() -> str | None:
    path = answers.notebook_path()
    if path is None:
        return None
    try:
        if path.stat().st_size > 50 * 1024 * 1024:
            return None
        meta = json.loads(path.read_text(encoding="utf-8")).get("metadata", {})
        lang = meta.get("learnpacks", {}).get("translation", {}).get("language")
    except (OSError, ValueError, AttributeError):
        return None
    return lang.strip() if isinstance(lang, str) and lang.strip() else None


def text_direction(language: str) -> str:
    """``"rtl"`` for right-to-left languages, else ``"ltr"``."""
    return "rtl" if language.split("-")[0].lower() in RTL_LANGUAGES else "ltr"


def overlay_dir(package_dir: Path) -> Path | None:
    """The overlay folder for the catalogs of *package_dir* (``.../widgets/locale`` → ``<overlay>/widgets``)."""
    extra = os.environ.get(UI_LOCALE_ENV, "").strip()
    return Path(extra) / package_dir.parent.name if extra else None


def locale_file(package_dir: Path, relative: str) -> Path:
    """The catalog *relative* to a package's locale folder: the overlay's when it has one."""
    overlay = overlay_dir(package_dir)
    if overlay is not None and (overlay / relative).is_file():
        return overlay / relative
    return package_dir / relative


def available_languages() -> list[str]:
    """Languages that have a catalog, source language included."""
    folders = [LOCALE_DIR, *filter(None, [overlay_dir(LOCALE_DIR)])]
    return sorted(
        {
            p.parent.parent.name
            for folder in folders
            for p in folder.glob(f"*/LC_MESSAGES/{DOMAIN}.po")
        }
    )


@cache
def _po_messages(path: Path, _stamp: tuple[int, int]) -> dict[str, str]:
    po = polib.pofile(str(path))
    return {e.msgid: e.msgstr for e in po if e.msgstr and not e.obsolete and "fuzzy" not in e.flags}


def po_messages(path: Path) -> dict[str, str]:
    """The translated, current (not fuzzy, not obsolete) entries of the PO file at *path*
    (read again when the file changes)."""
    stat = path.stat()
    return _po_messages(path, (stat.st_mtime_ns, stat.st_size))


def catalog_for(language: str, path_of: Callable[[str], Path]) -> dict[str, str]:
    """Messages for *language* from the PO file ``path_of(code)``, trying ``pt-BR`` then ``pt``."""
    for candidate in (language, language.split("-")[0]):
        path = path_of(candidate)
        if path.is_file():
            return po_messages(path)
    return {}


def _catalog(language: str) -> dict[str, str]:
    return catalog_for(
        language, lambda code: locale_file(LOCALE_DIR, f"{code}/LC_MESSAGES/{DOMAIN}.po")
    )


def gettext(message: str, language: str | None = None) -> str:
    """``message`` in ``language`` (default: :func:`current_language`), or as is."""
    return _catalog(language or current_language()).get(message, message)


def ui_strings(language: str | None = None) -> dict[str, str]:
    """All front-end strings, translated, to pass in the widget state."""
    catalog = _catalog(language or current_language())
    return {message: catalog.get(message, message) for message in UI_STRINGS}


def warm() -> None:
    """Read every catalog now (a process that forks kernels: each then finds them parsed)."""
    for language in available_languages():
        _catalog(language)

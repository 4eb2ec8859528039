"""The HTML of a learner's progress on the static site: "3 of 12 exercises done" on a pack's
catalog card and overview, and the overview's buttons to save it to a file, load it and reset it.

The counts are filled in the browser by ``book/static/lp-progress.js`` from what the learner did in
this browser (``localStorage``, one entry per pack, in the format of the answers file exercises
keep beside a notebook in Jupyter); the page carries the pack's exercise ids, by notebook file, so
the same ids count in every language.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

import nbformat

from learnpacks.book.html import Markup, el
from learnpacks.book.strings import Strings
from learnpacks.packs.catalog import Pack

#: The notebooks' own answers file (:mod:`learnpacks.widgets.answers`).
ANSWERS_FILE = ".learnpacks-answers.json"
#: The name a saved progress file gets: browsers drop a download's leading dot.
SAVED_FILE = "learnpacks-answers.json"


@cache
def _notebook_ids(path: Path, mtime_ns: int) -> tuple[str, ...]:
    from learnpacks.checks.cells import exercise_refs

    try:
        nb = nbformat.read(path, as_version=4)
    except (OSError, ValueError):
        return ()
    refs, _problems = exercise_refs(nb.cells, path.name)
    return tuple(dict.fromkeys(ref.id for ref in refs))


def exercise_ids(pack: Pack) -> dict[str, list[str]]:
    """The pack's exercise ids by notebook file name, in order (ids are not translated)."""
    found: dict[str, list[str]] = {}
    for path in pack.notebook_paths():
        mtime = path.stat().st_mtime_ns if path.is_file() else 0
        ids = _notebook_ids(path, mtime)
        if ids:
            found[path.name] = list(ids)
    return found


def progress_line(pack: Pack, s: Strings, *, tag: str = "p", cls: str = "lp-meta") -> Markup | None:
    """``<p data-lp-progress=...>``, filled in the browser; None for a pack with no exercise."""
    ids = exercise_ids(pack)
    if not ids:
        return None
    return el(
        tag,
        {
            "class": f"{cls} lp-progress-count",
            "data-lp-progress": pack.id,
            "data-lp-exercises": json.dumps(ids, separators=(",", ":")),
            "data-template": s("{done} of {total} exercises done", done="{done}", total="{total}"),
            "aria-live": "polite",
            "hidden": True,
        },
    )


def progress_section(pack: Pack, s: Strings) -> Markup | None:
    """The overview's progress: the count, and buttons to save it to a file, load one, reset it."""
    line = progress_line(pack, s, cls="lp-progress-line")
    if line is None:
        return None
    file_id = f"lp-progress-file-{pack.id}"
    return el(
        "section",
        {"class": "lp-progress-section", "data-pagefind-ignore": "all"},
        el("h2", None, s("Your progress")),
        line,
        el(
            "p",
            None,
            s(
                "Your answers are kept in this browser only: nothing is sent anywhere. Every "
                "language of this pack shares them."
            ),
        ),
        el(
            "div",
            {
                "class": "lp-progress-tools",
                "data-pack": pack.id,
                "data-confirm": s("Erase your answers to this pack from this browser?"),
                "data-loaded": s("Answers loaded: {n}.", n="{n}"),
                "data-not-answers": s("This file is not a learnpacks answers file."),
                "data-reset": s("Your answers to this pack were erased from this browser."),
            },
            el(
                "button",
                {"type": "button", "class": "lp-progress-save"},
                s("Save my answers to a file"),
            ),
            el("label", {"for": file_id}, s("Load answers from a file")),
            el(
                "input",
                {
                    "type": "file",
                    "id": file_id,
                    "class": "lp-progress-file",
                    "accept": ".json,application/json",
                },
            ),
            el(
                "button",
                {"type": "button", "class": "lp-progress-reset"},
                s("Erase my answers"),
            ),
            el("p", {"class": "lp-progress-status", "role": "status", "aria-live": "polite"}),
        ),
        el(
            "p",
            {"class": "lp-help"},
            s(
                "The saved file, {saved}, is the answers file of the pack's notebooks: renamed "
                "{name} and put beside them in Jupyter, it carries your answers there. Load "
                "theirs here to carry them back.",
                saved=SAVED_FILE,
                name=ANSWERS_FILE,
            ),
        ),
    )

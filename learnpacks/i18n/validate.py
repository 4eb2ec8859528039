"""``check``: reject translations that change markup, are empty, unsafe, or would break a notebook.

Translations are untrusted input (THREATS.md cases 54-55). Each rejection is a
:class:`~learnpacks.errors.Problem` naming the catalog, the entry (its ``msgctxt`` and line)
and the reason. ``build`` uses the same verdicts to fall back to the source.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Sequence
from pathlib import Path

import polib

from learnpacks.errors import Problem
from learnpacks.i18n.blanks import blank_problems
from learnpacks.i18n.catalogs import catalog_languages, catalog_path, open_catalog
from learnpacks.i18n.graded import Withheld, entry_grading_problems, marker_problem
from learnpacks.i18n.markup import markup_of
from learnpacks.i18n.mdunits import markdown_units
from learnpacks.i18n.po import read_catalog
from learnpacks.i18n.pyunits import would_run_as_code
from learnpacks.i18n.spans import Found, splice
from learnpacks.i18n.units import MARKDOWN_KINDS, Unit, pack_units
from learnpacks.safety import unsafe_html, unsafe_links

_MARKUP_CODES = {
    "links": ("i18n.link-changed", "link target"),
    "code": ("i18n.code-mismatch", "inline code"),
    "math": ("i18n.math-mismatch", "math"),
    "placeholders": ("i18n.placeholder-mismatch", "placeholder"),
    "tags": ("i18n.markup-mismatch", "HTML tag"),
}


def normalized(text: str, *, multiline: bool) -> str:
    """*text* as it will stand in the notebook: lines stripped, blank lines dropped (or one line)."""
    if not multiline:
        return " ".join(text.split())
    return "\n".join(line.strip() for line in text.splitlines() if line.strip())


def _diff(label: str, source: Counter[str], translation: Counter[str]) -> list[str]:
    if source == translation:
        return []
    reasons = []
    for item in sorted((translation - source).keys()):
        reasons.append(f"{label} {item!r} is not in the source")
    for item in sorted((source - translation).keys()):
        reasons.append(f"{label} {item!r} of the source is missing")
    return reasons


def structure_failures(
    cell_source: str, before: Sequence[Found], replacements: dict[int, str]
) -> dict[int, str]:
    """Which replacements (by index into *before*, the cell's markdown units) would change how
    the cell reads, and why. One parse when all is well; one per replacement otherwise."""
    if not replacements:
        return {}

    def reads_as(subset: dict[int, str]) -> list[Found]:
        return markdown_units(
            splice(cell_source, [(before[i], text) for i, text in subset.items()])
        )

    def expected(i: int, subset: dict[int, str]) -> str:
        return (
            normalized(subset[i], multiline=before[i].multiline) if i in subset else before[i].text
        )

    def fine(subset: dict[int, str], after: list[Found]) -> bool:
        return [f.kind for f in after] == [f.kind for f in before] and all(
            after[i].text == expected(i, subset) for i in range(len(before))
        )

    if fine(replacements, reads_as(replacements)):
        return {}
    failures = {}
    for i, text in replacements.items():
        after = reads_as({i: text})
        if [f.kind for f in after] != [f.kind for f in before]:
            failures[i] = (
                "the translation changes the cell's structure (it starts or splits a heading, list, quote, table or code block)"
            )
        elif not fine({i: text}, after):
            failures[i] = f"the translation would read as {after[i].text!r} in the notebook"
    return failures


def _structure(unit: Unit, msgstr: str, cell_source: str) -> str | None:
    """Why substituting *msgstr* for *unit* would change how its cell reads, or None."""
    found = unit.found
    if found is None:
        return None
    if not found.multiline and any(ch in msgstr for ch in "\r\n"):
        return f"a {found.note} must stay on one line"
    if unit.kind not in MARKDOWN_KINDS:
        return None
    before = markdown_units(cell_source)
    index = next(i for i, f in enumerate(before) if f.segments == found.segments)
    return structure_failures(cell_source, before, {index: msgstr}).get(index)


def entry_problems(
    entry: polib.POEntry, unit: Unit | None, *, display: str, cell_source: str | None = None
) -> list[Problem]:
    """Problems of one translated entry. *unit* (with *cell_source*) adds the structure check."""
    where = f"msgctxt {entry.msgctxt!r}, line {entry.linenum}"
    source, translation = entry.msgid, entry.msgstr
    if not translation.strip():
        return [
            Problem(
                display,
                "i18n.empty",
                "the translation is blank",
                where,
                hint="translate it or leave msgstr empty",
            )
        ]
    marker = marker_problem("msgstr", translation, display=display, where=where)
    if marker is not None:
        return [marker]
    kind = unit.kind if unit is not None and unit.text == source else _kind_from_comment(entry)
    markdown = kind in MARKDOWN_KINDS
    before = markup_of(source, markdown=markdown, code_string=kind == "code-string")
    after = markup_of(translation, markdown=markdown, code_string=kind == "code-string")
    problems = []
    added_unsafe = sorted(set(unsafe_html(translation)) - set(unsafe_html(source)))
    if added_unsafe:
        problems.append(
            Problem(
                display,
                "i18n.unsafe-html",
                "the translation adds " + ", ".join(added_unsafe),
                where,
                hint="translations may not add HTML",
            )
        )
    schemes = sorted(unsafe_links(translation) - unsafe_links(source))
    if schemes:
        problems.append(
            Problem(
                display,
                "i18n.unsafe-link",
                "the translation brings in a " + ", ".join(schemes) + " URL",
                where,
                hint="links keep the source's targets",
            )
        )
    literal = unit.found.literal if unit is not None and unit.found is not None else ""
    if kind == "code-string" and would_run_as_code(translation, literal):
        problems.append(
            Problem(
                display,
                "i18n.code-injection",
                "pasted into the code, the translation would close its string and run as code",
                where,
                hint="translate the words only",
            )
        )
    if kind == "code-string":
        problems += blank_problems(source, translation, display=display, where=where)
    for name, (code, label) in _MARKUP_CODES.items():
        for reason in _diff(label, getattr(before, name), getattr(after, name)):
            problems.append(
                Problem(
                    display,
                    code,
                    reason,
                    where,
                    hint=f"keep every {label} exactly as in the source",
                )
            )
    if unit is not None and unit.text == source and cell_source is not None:
        broken = _structure(unit, translation, cell_source)
        if broken:
            problems.append(Problem(display, "i18n.breaks-structure", broken, where))
    elif (
        unit is not None
        and unit.found is not None
        and not unit.found.multiline
        and any(ch in translation for ch in "\r\n")
    ):
        problems.append(
            Problem(display, "i18n.breaks-structure", f"a {unit.note} must stay on one line", where)
        )
    return problems


def _kind_from_comment(entry: polib.POEntry) -> str:
    """Best guess of a stale entry's kind from its ``#.`` comment (markdown unless it says code)."""
    comment = entry.comment or ""
    if "code comment" in comment:
        return "code-comment"
    if comment.startswith(("string in code", "exercise")):
        return "code-string"
    if comment.startswith(("pack ", "learning objective")):
        return "title"
    return "paragraph"


def check_catalog_file(
    path: Path,
    *,
    display: str,
    lang: str,
    units: Sequence[Unit],
    sources: dict[str, str],
    withheld: dict[str, Withheld] | None = None,
) -> list[Problem]:
    """Problems of one ``translations/<lang>/<pack>.po`` against the pack's current units.

    Every entry, translated or not, is refused if it carries an nbgrader marker or names what
    *withheld* says translators never get."""
    po, problems = read_catalog(path, display=display)
    if po is None:
        return problems
    header_lang = po.metadata.get("Language", "")
    if header_lang and header_lang != lang:
        problems.append(
            Problem(
                display,
                "i18n.header-language",
                f"the header says Language: {header_lang}, the folder says {lang}",
                "header",
                "warning",
            )
        )
    by_id = {u.id: u for u in units}
    seen: set[tuple[str | None, str]] = set()
    for entry in po:
        if entry.obsolete:
            continue
        key = (entry.msgctxt, entry.msgid)
        if key in seen:
            problems.append(
                Problem(
                    display,
                    "i18n.duplicate-entry",
                    "the entry appears twice",
                    f"msgctxt {entry.msgctxt!r}, line {entry.linenum}",
                )
            )
        seen.add(key)
        problems += entry_grading_problems(entry, withheld or {}, set(by_id), display=display)
        if not entry.msgstr or entry.fuzzy:
            continue
        unit = by_id.get(entry.msgctxt or "")
        problems += entry_problems(
            entry, unit, display=display, cell_source=sources.get(entry.msgctxt or "")
        )
    return problems


def check_catalogs(
    *,
    root: Path | None = None,
    pack_ids: Sequence[str] | None = None,
    languages: Sequence[str] | None = None,
) -> list[Problem]:
    """Check every translated entry of the catalogs of *pack_ids* (default: all) in *languages*
    (default: every folder under ``translations/``), and without *pack_ids* the UI catalogs
    (:func:`learnpacks.i18n.ui.check_ui`). Fuzzy and untranslated entries are not used by
    ``build`` and are not checked."""
    catalog, packs = open_catalog(root, pack_ids)
    langs = list(languages) if languages else catalog_languages(catalog.root)
    problems: list[Problem] = []
    for pack in packs:
        units = pack_units(catalog, pack)
        problems += units.problems
        sources = units.cell_sources
        for lang in langs:
            path = catalog_path(catalog.root, lang, pack.id)
            if path.is_file():
                problems += check_catalog_file(
                    path,
                    display=catalog.rel(path),
                    lang=lang,
                    units=units.units,
                    sources=sources,
                    withheld=units.withheld,
                )
    if not pack_ids:
        from learnpacks.i18n.site import SITE_CATALOG, site_units
        from learnpacks.i18n.ui import check_ui

        for lang in langs:
            path = catalog_path(catalog.root, lang, SITE_CATALOG)
            if path.is_file():
                problems += check_catalog_file(
                    path,
                    display=catalog.rel(path),
                    lang=lang,
                    units=site_units(catalog),
                    sources={},
                )

        problems += check_ui(languages)
    return sorted(problems)

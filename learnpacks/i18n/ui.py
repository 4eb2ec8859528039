"""The UI catalogs: the exercises' own words, the site's, and the page theme's gaps.

They live in the package (``learnpacks/widgets/locale/``, ``learnpacks/book/locale/``), so a
learner's kernel has the widgets' words wherever the package is installed. Each has a template
(``.pot``) with a ``#.`` comment and a stable ``msgctxt`` on every message; ``init``, ``update``,
``status`` and ``check`` of :mod:`learnpacks.i18n` treat them like the packs' catalogs.

When :data:`~learnpacks.widgets.i18n.UI_LOCALE_ENV` names a folder, catalogs are read there first
and a new language's UI catalogs are started there (a project that installs learnpacks, a test).
"""

from __future__ import annotations

import string
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import polib

from learnpacks.errors import Problem
from learnpacks.i18n.languages import plural_forms
from learnpacks.i18n.po import merge, new_catalog, read_catalog, write_if_changed
from learnpacks.safety import unsafe_html, unsafe_links
from learnpacks.widgets import i18n as widgets_i18n

_BOOK_LOCALE = Path(widgets_i18n.__file__).parent.parent / "book" / "locale"


@dataclass(frozen=True)
class UiCatalog:
    """One kind of UI catalog: its template and where each language's catalog is."""

    #: ``widgets``, ``site`` or ``theme`` (the name ``status`` shows, as ``ui:<name>``)
    name: str
    #: the package's locale folder
    folder: Path
    #: the template's file name in *folder*
    template_name: str
    #: a language's catalog, relative to *folder* (``{lang}`` filled in)
    layout: str
    #: messages carry ``msgctxt`` (the theme's cannot: Sphinx looks its messages up without one)
    contexts: bool = True

    @property
    def template(self) -> Path:
        return self.folder / self.template_name

    def relative(self, lang: str) -> str:
        return self.layout.format(lang=lang)

    def path(self, lang: str) -> Path:
        """The catalog of *lang* that is read (the overlay's, else the package's)."""
        return widgets_i18n.locale_file(self.folder, self.relative(lang))

    def write_path(self, lang: str) -> Path:
        """Where a new catalog of *lang* is started: the overlay when set, else the package."""
        overlay = widgets_i18n.overlay_dir(self.folder)
        return (overlay or self.folder) / self.relative(lang)

    def display(self, path: Path) -> str:
        overlay = widgets_i18n.overlay_dir(self.folder)
        for base in (self.folder.parent.parent.parent, overlay.parent if overlay else None):
            if base is not None and path.is_relative_to(base):
                return path.relative_to(base).as_posix()
        return path.as_posix()


UI_CATALOGS: tuple[UiCatalog, ...] = (
    UiCatalog(
        "widgets",
        widgets_i18n.LOCALE_DIR,
        "learnpacks.pot",
        "{lang}/LC_MESSAGES/learnpacks.po",
    ),
    UiCatalog("site", _BOOK_LOCALE, "site.pot", "{lang}/site.po"),
    UiCatalog("theme", _BOOK_LOCALE, "theme.pot", "{lang}/theme.po", contexts=False),
)


def ui_template(kind: UiCatalog) -> polib.POFile:
    return polib.pofile(str(kind.template), wrapwidth=0)


def _theme_gaps(pot: polib.POFile, lang: str) -> polib.POFile:
    """The theme template without the messages Sphinx and the themes already translate in *lang*."""
    try:
        from learnpacks.book.theme_i18n import shipped_messages
    except ImportError:  # the book extra is not installed: offer every message
        return pot
    return _subset(pot, {e.msgid for e in pot} - shipped_messages(lang))


def init_ui(lang: str) -> list[tuple[Path, bool, int]]:
    """Start *lang*'s UI catalogs that do not exist yet: (path, written, entries) for each."""
    started = []
    for kind in UI_CATALOGS:
        if kind.path(lang).is_file():
            started.append((kind.path(lang), False, 0))
            continue
        pot = ui_template(kind)
        if kind.name == "theme":
            pot = _theme_gaps(pot, lang)
            if not len(pot):
                continue  # Sphinx and the themes say it all in this language
        po = new_catalog(pot, lang)
        po.header = f"learnpacks {kind.name} UI strings in {lang}; see docs/translators.md."
        path = kind.write_path(lang)
        started.append((path, write_if_changed(po, path), len(po)))
    return started


def ui_languages(kind: UiCatalog) -> list[str]:
    """Languages with a catalog of *kind* (package and overlay)."""
    folders = [kind.folder, *filter(None, [widgets_i18n.overlay_dir(kind.folder)])]
    pattern = kind.layout.format(lang="*")
    found = set()
    for folder in folders:
        for path in folder.glob(pattern):
            found.add(path.relative_to(folder).parts[0])
    return sorted(found)


def update_ui(languages: Sequence[str] | None = None) -> list[tuple[Path, bool]]:
    """Merge each UI template into every started language's catalog (msgmerge semantics)."""
    written = []
    for kind in UI_CATALOGS:
        pot = ui_template(kind)
        for lang in languages or ui_languages(kind):
            path = kind.path(lang)
            if not path.is_file():
                continue
            po, problems = read_catalog(path, display=kind.display(path))
            if po is None:
                continue
            wanted = pot
            if kind.name == "theme":
                # only the gaps: the template's messages this catalog already fills, or misses
                ours = {e.msgid for e in po if not e.obsolete}
                wanted = _subset(pot, ours | {e.msgid for e in _theme_gaps(pot, lang)})
            merge(po, wanted)
            po.metadata["Language"] = lang
            po.metadata["Plural-Forms"] = plural_forms(lang)
            written.append((path, write_if_changed(po, path)))
    return written


def _subset(pot: polib.POFile, msgids: set[str]) -> polib.POFile:
    out = polib.POFile(wrapwidth=0)
    out.header, out.metadata = pot.header, dict(pot.metadata)
    out.extend(e for e in pot if e.msgid in msgids)
    return out


@dataclass(frozen=True)
class UiCount:
    name: str
    language: str
    total: int
    translated: int
    fuzzy: int
    started: bool


def count_ui(languages: Sequence[str]) -> list[UiCount]:
    """Translated, fuzzy and total messages of each UI catalog in each of *languages*."""
    rows = []
    for kind in UI_CATALOGS:
        pot = ui_template(kind)
        for lang in languages:
            if lang == widgets_i18n.SOURCE_LANGUAGE:
                continue
            path = kind.path(lang)
            wanted = pot if kind.name != "theme" else _theme_gaps(pot, lang)
            entries = {}
            if path.is_file():
                po, _problems = read_catalog(path, display=kind.display(path))
                entries = {e.msgid: e for e in po or [] if not e.obsolete}
            translated = sum(
                1 for e in wanted if (m := entries.get(e.msgid)) and m.msgstr and not m.fuzzy
            )
            fuzzy = sum(1 for e in wanted if (m := entries.get(e.msgid)) and m.msgstr and m.fuzzy)
            if len(wanted):
                rows.append(
                    UiCount(kind.name, lang, len(wanted), translated, fuzzy, path.is_file())
                )
    return rows


def fields(text: str) -> list[str] | None:
    """The ``{name}`` fields of a ``str.format`` text, or None when ``format`` would fail on it."""
    try:
        return [f for _lit, f, _spec, _conv in string.Formatter().parse(text) if f is not None]
    except ValueError:
        return None


def ui_entry_problems(entry: polib.POEntry, *, display: str) -> list[Problem]:
    """Why the program could not use one translated UI message: placeholders that ``format``
    would not fill (a typo is a ``KeyError`` in a learner's widget), markup, a blank."""
    where = f"msgctxt {entry.msgctxt!r}, msgid {entry.msgid!r}, line {entry.linenum}"
    if not entry.msgstr.strip():
        return [Problem(display, "i18n.empty", "the translation is blank", where)]
    problems = []
    source, translation = fields(entry.msgid) or [], fields(entry.msgstr)
    if translation is None:
        problems.append(
            Problem(
                display,
                "i18n.format-error",
                "the program cannot fill in this translation (an unpaired { or })",
                where,
                hint="write {{ and }} for a literal brace",
            )
        )
    else:
        for name in sorted(set(translation) - set(source)):
            problems.append(
                Problem(
                    display,
                    "i18n.placeholder-mismatch",
                    f"placeholder {{{name}}} is not in the source ({', '.join('{' + s + '}' for s in source) or 'none'})",
                    where,
                    hint="keep every placeholder exactly as in the source; translate the words around it",
                )
            )
        for name in sorted(set(source) - set(translation)):
            problems.append(
                Problem(
                    display,
                    "i18n.placeholder-mismatch",
                    f"placeholder {{{name}}} of the source is missing",
                    where,
                    hint="keep every placeholder exactly as in the source",
                )
            )
    marked = unsafe_html(entry.msgstr) or unsafe_links(entry.msgstr) or "<" in entry.msgstr
    if marked and "<" not in entry.msgid:
        problems.append(
            Problem(
                display,
                "i18n.unsafe-html",
                "a UI string carries no markup",
                where,
                hint="write text only",
            )
        )
    return problems


def check_ui(languages: Sequence[str] | None = None) -> list[Problem]:
    """Problems of every UI catalog in *languages* (default: every started one)."""
    problems: list[Problem] = []
    for kind in UI_CATALOGS:
        pot = ui_template(kind)
        known = {e.msgid for e in pot}
        for lang in languages or ui_languages(kind):
            path = kind.path(lang)
            if not path.is_file():
                continue
            display = kind.display(path)
            po, read_problems = read_catalog(path, display=display)
            problems += read_problems
            if po is None:
                continue
            for entry in po:
                if entry.obsolete or not entry.msgstr or entry.fuzzy:
                    continue
                if entry.msgid not in known:
                    continue  # not used by the program; update makes it obsolete
                problems += ui_entry_problems(entry, display=display)
    return problems

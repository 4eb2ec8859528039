"""Every catalog a reader's language needs: started by one command, counted, checked, and in a
form translation platforms take as it is (a ``#.`` comment on every message, GNU msgfmt clean,
CLDR plural forms)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

import polib
import pytest

from learnpacks.cli import main
from learnpacks.i18n import build, check_catalogs, init, status
from learnpacks.i18n.languages import plural_forms
from learnpacks.i18n.ui import UI_CATALOGS, update_ui
from learnpacks.widgets import FillInTheBlanks
from learnpacks.widgets import i18n as widgets_i18n
from learnpacks.widgets.exercises import parse_blanks
from learnpacks.widgets.i18n import UI_LOCALE_ENV

REPO = Path(__file__).resolve().parents[2]
FIXTURES = Path(__file__).parent / "fixtures"
BLANKS_PROJECT = FIXTURES / "blanks-project"
SHIPPED = sorted(
    [
        *(REPO / "translations").rglob("*.po"),
        *(REPO / "translations").rglob("*.pot"),
        *(REPO / "learnpacks").rglob("locale/**/*.po"),
        *(REPO / "learnpacks").rglob("locale/*.pot"),
    ]
)


@pytest.fixture
def blanks_project(tmp_path: Path) -> Path:
    """A copy of the blanks project (a practice and a graded fill-in-the-blanks text)."""
    dest = tmp_path / "project"
    shutil.copytree(BLANKS_PROJECT, dest)
    return dest


@pytest.fixture
def ui_overlay(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A UI locale folder read before the package's own, where new languages start."""
    folder = tmp_path / "ui-locale"
    folder.mkdir()
    monkeypatch.setenv(UI_LOCALE_ENV, str(folder))
    return folder


@pytest.mark.parametrize("path", SHIPPED, ids=lambda p: p.relative_to(REPO).as_posix())
def test_shipped_catalog_passes_msgfmt_and_documents_every_message(path: Path) -> None:
    """Does GNU msgfmt --check accept the catalog, does every message carry a #. comment for
    translators, and a PO the CLDR plural rule of its language?"""
    result = subprocess.run(
        ["msgfmt", "--check", "-o", "/dev/null", str(path)], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    po = polib.pofile(str(path))
    undocumented = [e.msgid for e in po if not e.obsolete and not e.comment.strip()]
    assert undocumented == []
    if path.suffix == ".po" and po.metadata.get("Language") not in (None, "", "en"):
        assert po.metadata["Plural-Forms"] == plural_forms(po.metadata["Language"])


def test_ui_messages_have_stable_contexts() -> None:
    """Does every message of the widgets' and the site's templates have a msgctxt, and the
    theme's none (Sphinx looks its messages up without one)?"""
    for kind in UI_CATALOGS:
        pot = polib.pofile(str(kind.template))
        assert len(pot) > 0
        assert all(bool(e.msgctxt) == kind.contexts for e in pot), kind.name


def test_plural_forms_come_from_cldr() -> None:
    """Are Plural-Forms CLDR's rules, in a form GNU gettext evaluates (Arabic's six forms,
    French's 'many' for a million)?"""
    assert plural_forms("ar").startswith("nplurals=6;")
    assert plural_forms("fr").startswith("nplurals=3;") and "1000000" in plural_forms("fr")
    assert plural_forms("de").startswith("nplurals=2;")
    assert plural_forms("ja").startswith("nplurals=1;")
    assert "e" not in plural_forms("fr").split("plural=")[1]


def test_hostile_widget_catalog_is_refused_with_codes_and_places(
    blanks_project: Path, ui_overlay: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Is a widget catalog with a placeholder typo ({gesamt} for {total}) and an unpaired brace
    refused by `i18n check`, each with its code, file and entry, before a widget can crash?"""
    target = ui_overlay / "widgets" / "de" / "LC_MESSAGES" / "learnpacks.po"
    target.parent.mkdir(parents=True)
    shutil.copy(FIXTURES / "ui-catalogs" / "widgets-placeholder-typo.po", target)
    typo = polib.pofile(str(target))[0].msgstr
    with pytest.raises(KeyError):
        typo.format(n=1, total=3)  # what the widget would have done
    problems = check_catalogs(root=blanks_project, languages=["de"])
    found = {(p.code, p.location.split(",")[0]) for p in problems if p.severity == "error"}
    assert ("i18n.placeholder-mismatch", "msgctxt 'exercise-hints'") in found
    assert ("i18n.format-error", "msgctxt 'exercise-status'") in found
    assert all(p.path == "widgets/de/LC_MESSAGES/learnpacks.po" for p in problems)
    assert main(["--root", str(blanks_project), "i18n", "check", "--lang", "de"]) == 1
    out = capsys.readouterr().out
    assert "{gesamt}" in out and "Hint {n} of {total}" in out and "Traceback" not in out


@pytest.mark.parametrize(
    ("fixture", "code", "context"),
    [
        ("translation-drops-a-blank.po", "i18n.blank-count", "01-blanks.ipynb#practice#1"),
        ("translation-fills-a-graded-blank.po", "i18n.blank-answer", "01-blanks.ipynb#graded#1"),
    ],
)
def test_fill_in_the_blanks_translation_that_would_crash_is_refused(
    blanks_project: Path, tmp_path: Path, fixture: str, code: str, context: str
) -> None:
    """Is a translation that drops a blank, or writes the answer into a graded blank, refused
    with its code and entry, and does the build show the source instead of a notebook that
    raises?"""
    catalog = blanks_project / "translations" / "de" / "blanks-pack.po"
    catalog.parent.mkdir(parents=True)
    shutil.copy(FIXTURES / "blanks-catalogs" / fixture, catalog)
    problems = [p for p in check_catalogs(root=blanks_project, languages=["de"]) if p.code == code]
    assert len(problems) == 1
    assert problems[0].path == "translations/de/blanks-pack.po"
    assert problems[0].location.startswith(f"msgctxt {context!r}, line ")
    translated = polib.pofile(str(catalog))[0].msgstr
    if "graded" in context:
        with pytest.raises(ValueError):  # the crash the check prevents
            FillInTheBlanks(id="x", mode="graded", text=translated)
    else:  # answers recorded for, and hidden tests written for, two blanks no longer fit
        assert len(parse_blanks(translated)[1]) == 1
    out = tmp_path / "out"
    build(root=blanks_project, out_dir=out, languages=["de"], include_unpublished=True)
    text = (out / "de" / "blanks-pack" / "01-blanks.ipynb").read_text(encoding="utf-8")
    assert translated not in text and "Freiwilligen" not in text


def test_init_starts_every_catalog_and_status_counts_them(
    blanks_project: Path, ui_overlay: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Does one `i18n init de` start the pack catalogs and the widgets', site's and theme's UI
    catalogs (only the theme messages Sphinx and the themes lack in German), with CLDR plural
    forms, and does `i18n status` count them all?"""
    result = init("de", root=blanks_project)
    widgets = ui_overlay / "widgets" / "de" / "LC_MESSAGES" / "learnpacks.po"
    site = ui_overlay / "book" / "de" / "site.po"
    pack = blanks_project / "translations" / "de" / "blanks-pack.po"
    assert {widgets, site, pack} <= set(result.written)
    for path in (widgets, site, pack):
        po = polib.pofile(str(path))
        assert po.metadata["Language"] == "de"
        assert po.metadata["Plural-Forms"] == plural_forms("de")
        assert len(po) and all(e.comment and not e.msgstr for e in po)
    theme = ui_overlay / "book" / "de" / "theme.po"
    if theme.is_file():
        from learnpacks.book.theme_i18n import shipped_messages

        assert not {e.msgid for e in polib.pofile(str(theme))} & shipped_messages("de")
    rows = {r.pack: r for r in status(root=blanks_project, languages=["de"]).rows}
    assert {"blanks-pack", "ui:widgets", "ui:site"} <= set(rows)
    assert rows["ui:widgets"].total == len(polib.pofile(str(widgets)))
    assert rows["ui:widgets"].translated == 0 and rows["ui:widgets"].started
    # a second init changes nothing
    again = init("de", root=blanks_project)
    assert again.written == []
    assert main(["--root", str(blanks_project), "i18n", "status", "--lang", "de"]) == 0
    table = capsys.readouterr().out
    assert "ui:widgets" in table and "ui:site" in table


def test_update_keeps_each_languages_own_theme_gaps(ui_overlay: Path) -> None:
    """Does `i18n update` merge into each language's theme catalog the gaps of that language,
    whatever language came before it (French lacks 6 of the theme's messages, Hebrew most)?"""
    for kind in UI_CATALOGS:
        for lang in ("fr", "he"):
            overlay = widgets_i18n.overlay_dir(kind.folder)
            assert overlay is not None
            dest = overlay / kind.relative(lang)
            dest.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy(kind.folder / kind.relative(lang), dest)
    theme = ui_overlay / "book" / "he" / "theme.po"
    before = {e.msgid for e in polib.pofile(str(theme)) if e.translated()}
    update_ui(["fr", "he"])
    after = polib.pofile(str(theme))
    assert [e.msgid for e in after if e.obsolete] == []
    assert {e.msgid for e in after if e.translated()} == before

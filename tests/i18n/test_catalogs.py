"""extract, init and update: templates and catalogs with gettext's semantics."""

from __future__ import annotations

import difflib
from pathlib import Path

import polib
import pytest
from i18n_helpers import PACK, edit_cell

from learnpacks.errors import UsageError
from learnpacks.i18n import extract, init, update


def pot_path(project: Path) -> Path:
    return project / "translations" / "templates" / f"{PACK}.pot"


def po_path(project: Path, lang: str) -> Path:
    return project / "translations" / lang / f"{PACK}.po"


def test_extract_writes_one_template_per_pack_and_only_when_it_changes(i18n_project: Path) -> None:
    """Is the committed template what extract writes, and does a second extract write nothing?"""
    before = pot_path(i18n_project).read_text(encoding="utf-8")
    result = extract(root=i18n_project)
    site = i18n_project / "translations" / "templates" / "_site.pot"  # the title and description
    assert result.paths == [site, pot_path(i18n_project)]
    assert result.written == [] and pot_path(i18n_project).read_text(encoding="utf-8") == before


def test_template_entries_tell_where_and_what(i18n_project: Path) -> None:
    """Does every entry carry its unit id, notebook, cell id and kind, with no empty msgid but the header?"""
    pot = polib.pofile(str(pot_path(i18n_project)))
    assert pot.metadata["Content-Type"] == "text/plain; charset=UTF-8"
    assert all(e.msgid for e in pot), "an empty msgid besides the header loses the charset"
    text = pot_path(i18n_project).read_text(encoding="utf-8")
    assert text.count('msgid ""\nmsgstr ""') == 1
    entry = next(e for e in pot if e.msgctxt == "02-exercises.ipynb#mc#2")
    assert entry.msgid == "Wikidata"
    assert f"#: packs/{PACK}/02-exercises.ipynb:mc\n#, fuzzy" not in text
    assert f'#: packs/{PACK}/02-exercises.ipynb:mc\nmsgctxt "02-exercises.ipynb#mc#2"' in text
    assert entry.comment.startswith("exercise option (MultipleChoice 'projects'")
    # the same text in two places stays two entries
    assert sum(e.msgid == "Wikidata" for e in pot) == 2
    assert sum(e.msgid == "Try it yourself." for e in pot) == 2
    assert [e.msgctxt for e in pot][:2] == ["pack.yml#title", "pack.yml#summary"]


def test_one_word_change_is_one_entry_change(i18n_project: Path) -> None:
    """Does changing one word in a notebook change exactly one entry of the template?"""
    before = pot_path(i18n_project).read_text(encoding="utf-8").splitlines()
    edit_cell(
        i18n_project,
        "01-basics.ipynb",
        "media",
        "Look at the table above.",
        "Look at the table below.",
    )
    extract(root=i18n_project)
    after = pot_path(i18n_project).read_text(encoding="utf-8").splitlines()
    changed = [
        line
        for line in difflib.unified_diff(before, after, lineterm="", n=0)
        if line[:1] in "+-" and line[:3] not in ("+++", "---")
    ]
    assert changed == ['-msgid "Look at the table above."', '+msgid "Look at the table below."']


def test_update_marks_a_changed_unit_fuzzy_in_every_language(i18n_project: Path) -> None:
    """Does changing one sentence make exactly that unit fuzzy, keeping the old translation and text?"""
    edit_cell(
        i18n_project,
        "01-basics.ipynb",
        "media",
        "Look at the table above.",
        "Look at the table above, then answer.",
    )
    result = update(root=i18n_project)
    for lang in ("fr", "pt", "pt-BR", "ar"):
        po = polib.pofile(str(po_path(i18n_project, lang)))
        fuzzy = [e.msgctxt for e in po.fuzzy_entries()]
        entry = po.find("Look at the table above, then answer.", msgctxt="01-basics.ipynb#media#5")
        assert entry is not None
        if lang in ("fr", "pt"):
            assert fuzzy == ["01-basics.ipynb#media#5"], lang
            assert entry.previous_msgid == "Look at the table above."
            assert entry.msgstr.endswith("Regardez le tableau ci-dessus.")
        else:  # untranslated there: it stays untranslated
            assert fuzzy == [] and entry.msgstr == ""
    assert result.stats[f"translations/fr/{PACK}.po"]["fuzzy"] == 1


def test_update_new_removed_and_moved_units(i18n_project: Path) -> None:
    """Is a new unit untranslated, a removed one obsolete, and a moved one still translated?"""
    edit_cell(
        i18n_project,
        "01-basics.ipynb",
        "media",
        "Look at the table above.",
        "A new first paragraph.\n\nLook at the table above.",
    )
    edit_cell(
        i18n_project,
        "01-basics.ipynb",
        "lists",
        "> Quotes are translated too.\n> Even on two lines.",
        "",
    )
    update(root=i18n_project, languages=["fr"])
    po = polib.pofile(str(po_path(i18n_project, "fr")))
    new = po.find("A new first paragraph.", msgctxt="01-basics.ipynb#media#5")
    assert new is not None and new.msgstr == "" and not new.fuzzy
    moved = po.find("Look at the table above.", msgctxt="01-basics.ipynb#media#6")
    assert (
        moved is not None and moved.msgstr == "Regardez le tableau ci-dessus." and not moved.fuzzy
    )
    obsolete = [e for e in po.obsolete_entries()]
    assert [e.msgid for e in obsolete] == ["Quotes are translated too.\nEven on two lines."]
    assert obsolete[0].msgstr.startswith("Les citations")


def test_update_is_idempotent_and_revives_obsolete_entries(i18n_project: Path) -> None:
    """Does a second update change nothing, and does a unit that comes back get its translation back?"""
    path = po_path(i18n_project, "fr")
    edit_cell(
        i18n_project,
        "01-basics.ipynb",
        "repeat-2",
        "Try it yourself.",
        "Something else entirely, with nothing in common.",
    )
    update(root=i18n_project)
    once = path.read_text(encoding="utf-8")
    assert update(root=i18n_project).written == []
    assert path.read_text(encoding="utf-8") == once
    edit_cell(
        i18n_project,
        "01-basics.ipynb",
        "repeat-2",
        "Something else entirely, with nothing in common.",
        "Try it yourself.",
    )
    update(root=i18n_project)
    entry = polib.pofile(str(path)).find("Try it yourself.", msgctxt="01-basics.ipynb#repeat-2#1")
    assert (
        entry is not None
        and entry.msgstr == "À vous de jouer."
        and not entry.fuzzy
        and not entry.obsolete
    )


def test_init_starts_a_language_and_leaves_existing_catalogs(i18n_project: Path) -> None:
    """Does init create an empty catalog with the language's header, and leave a started one alone?"""
    result = init("es", root=i18n_project)
    po = polib.pofile(str(po_path(i18n_project, "es")))
    site = i18n_project / "translations" / "es" / "_site.po"  # the title and description
    assert result.written == [po_path(i18n_project, "es"), site]
    assert po.metadata["Language"] == "es" and po.percent_translated() == 0
    assert len(po) == len(polib.pofile(str(pot_path(i18n_project))))
    assert [p.code for p in result.problems] == ["i18n.language-not-published"]
    fr_before = po_path(i18n_project, "fr").read_text(encoding="utf-8")
    assert init("fr", root=i18n_project).written == [i18n_project / "translations/fr/_site.po"]
    assert init("fr", root=i18n_project).written == []
    assert po_path(i18n_project, "fr").read_text(encoding="utf-8") == fr_before


@pytest.mark.parametrize("lang", ["french", "en", "FR", "../x"])
def test_init_refuses_bad_or_source_languages(i18n_project: Path, lang: str) -> None:
    """Is a malformed code, or the pack's own language, a usage error?"""
    with pytest.raises(UsageError):
        init(lang, root=i18n_project)


def test_unknown_pack_is_a_usage_error(i18n_project: Path) -> None:
    with pytest.raises(UsageError, match="known packs: sample-pack"):
        extract(root=i18n_project, pack_ids=["nope"])


def test_unreadable_notebook_keeps_the_old_template(i18n_project: Path) -> None:
    """Does a broken notebook stop its pack's template from being rewritten (losing its units)?"""
    before = pot_path(i18n_project).read_text(encoding="utf-8")
    (i18n_project / "packs" / PACK / "02-exercises.ipynb").write_text("{not json", encoding="utf-8")
    result = extract(root=i18n_project)
    assert [p.code for p in result.problems] == ["nb.not-json"]
    assert pot_path(i18n_project).read_text(encoding="utf-8") == before

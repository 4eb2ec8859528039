"""The widgets' UI strings: catalogs complete, placeholders kept, language and direction."""

from __future__ import annotations

import json
import re
import string
import subprocess
from pathlib import Path

import polib
import pytest

from learnpacks.widgets import MultipleChoice, Option, configure, i18n, set_language

JS = Path(i18n.__file__).parent / "static" / "exercise.js"
TRANSLATED = ["fr", "es", "ar"]


def placeholders(text: str) -> set[str]:
    return {name for _, name, _, _ in string.Formatter().parse(text) if name}


def test_catalogs_exist_for_the_required_languages() -> None:
    """Are there catalogs for English, French, Spanish and Arabic at least?"""
    assert set(i18n.available_languages()) >= {"en", "fr", "es", "ar"}


@pytest.mark.parametrize("lang", TRANSLATED)
def test_every_ui_string_is_translated_with_its_placeholders(lang: str) -> None:
    """Does each catalog translate every UI string, not fuzzy, keeping every {placeholder}?"""
    po = polib.pofile(str(i18n.LOCALE_DIR / lang / "LC_MESSAGES" / "learnpacks.po"))
    entries = {e.msgid: e for e in po if not e.obsolete}
    assert set(entries) == set(i18n.UI_STRINGS + i18n.GRADING_STRINGS)
    for msgid, entry in entries.items():
        assert entry.msgstr.strip() and "fuzzy" not in entry.flags, msgid
        assert placeholders(entry.msgstr) == placeholders(msgid), msgid
        assert "<" not in entry.msgstr, msgid  # UI strings carry no markup
    assert po.metadata["Language"] == lang


def test_template_matches_the_string_list() -> None:
    """Does the .pot template list exactly the UI and grading strings (for translation platforms)?"""
    pot = polib.pofile(str(i18n.LOCALE_DIR / "learnpacks.pot"))
    assert [e.msgid for e in pot] == list(i18n.UI_STRINGS + i18n.GRADING_STRINGS)


def test_front_end_asks_only_for_known_strings() -> None:
    """Is every string the JavaScript passes to t() in the catalogs (so it gets translated)?"""
    source = JS.read_text(encoding="utf-8")
    used = set(re.findall(r'\bt\(\s*"((?:[^"\\]|\\.)*)"', source))
    unknown = {u for u in used if u not in i18n.UI_STRINGS}
    assert used and not unknown


def test_language_sources_in_order(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Is the language set_language(), else the notebook metadata, else LEARNPACKS_LANG, else en?"""
    assert i18n.current_language() == "en"
    monkeypatch.setenv("LEARNPACKS_LANG", "es")
    assert i18n.current_language() == "es"
    nb = {
        "cells": [],
        "metadata": {"learnpacks": {"translation": {"language": "fr"}}},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    (tmp_path / "01-intro.fr.ipynb").write_text(json.dumps(nb))
    configure(notebook="01-intro.fr.ipynb")
    assert i18n.current_language() == "fr"
    set_language("ar")
    assert i18n.current_language() == "ar"


def test_arabic_widget_is_right_to_left_and_translated() -> None:
    """Does an Arabic widget carry dir=rtl and Arabic UI strings in its state?"""
    set_language("ar")
    state = MultipleChoice(id="q", prompt="?", options=[Option("a", correct=True)]).get_state()
    assert state["lang"] == "ar" and state["dir"] == "rtl"
    assert state["strings"]["Check"] == "تحقّق"
    assert i18n.text_direction("fr") == "ltr" and i18n.text_direction("fa-IR") == "rtl"


def test_unknown_language_falls_back_to_english() -> None:
    """Does a language without a catalog show English strings, not blanks?"""
    assert i18n.gettext("Check", "xx") == "Check"
    assert i18n.gettext("Check", "fr-CA") == "Vérifier"  # regional variant uses the base catalog


WRONG_LINES = """
const { wrongLines } = await import(process.argv[1]);
const cases = JSON.parse(process.argv[2]);
console.log(JSON.stringify(cases.map(([strings, messages]) => wrongLines((s) => strings[s] || s, messages))));
"""


@pytest.mark.parametrize("lang", ["en", "fr"])
def test_a_wrong_answer_says_not_quite_once(node: str, lang: str) -> None:
    """When the author's feedback already opens with "Not quite", does the message say it once
    (in each language), and is the verdict still given when the feedback does not say it?"""
    strings = i18n.ui_strings(lang)
    verdict = strings["Not quite."]
    said = f"{verdict} Commons accepts only free licences."
    cases = [[strings, [said]], [strings, ["Media files belong on Commons."]], [strings, []]]
    done = subprocess.run(
        [node, "--input-type=module", "-e", WRONG_LINES, JS.as_uri(), json.dumps(cases)],
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    once, added, bare = json.loads(done.stdout)
    assert once == [f"✗ {said}"]
    assert added == [f"✗ {verdict}", "Media files belong on Commons."]
    assert bare == [f"✗ {strings['Not quite. Try again.']}"]
    for lines in (once, added, bare):
        assert " ".join(lines).count(verdict.rstrip(".")) == 1

"""A new language from nothing: one command starts every catalog, a few units of each kind are
translated, and the site in that language shows no English except declared fallbacks."""

from __future__ import annotations

import re
import shutil
from html.parser import HTMLParser
from pathlib import Path

import polib
import pytest

from learnpacks.cli import main
from learnpacks.packs.scaffold import new_pack
from learnpacks.widgets.i18n import UI_LOCALE_ENV

REPO = Path(__file__).resolve().parents[2]
#: elements whose text is not prose a reader reads as the page's language
_NOT_PROSE = {"script", "style", "code", "pre", "svg", "math", "kbd", "samp", "template"}
_VOID = {
    "area",
    "base",
    "br",
    "col",
    "embed",
    "hr",
    "img",
    "input",
    "link",
    "meta",
    "source",
    "wbr",
}
#: a few units of each catalog kind, in German
GERMAN = {
    "Demo pack": "Demo-Lernpaket",
    "beginners": "Einsteiger",
    "Check": "Prüfen",
    "Learning packs": "Lernpakete",
    "Search the packs": "Die Lernpakete durchsuchen",
    "learnpacks contributors": "die Mitwirkenden von learnpacks",
    "Wikimedia learning packs": "Wikimedia-Lernpakete",
    "Toggle secondary sidebar": "Seitenleiste für diese Seite ein- oder ausblenden",
}


class _Prose(HTMLParser):
    """Text and human-readable attributes of a page, each with the language it is declared in."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[tuple[str, str, bool]] = []
        self.found: list[tuple[str, str]] = []

    def _lang(self) -> str:
        return next((lang for _tag, lang, _skip in reversed(self.stack) if lang), "")

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        skip = tag in _NOT_PROSE or "hidden" in a or any(s for *_x, s in self.stack)
        lang = a.get("lang", "")
        if not skip:
            for name in ("title", "aria-label", "alt", "placeholder"):
                if a.get(name):
                    self.found.append((lang or self._lang(), a[name]))
        if tag not in _VOID:
            self.stack.append((tag, lang, skip))

    def handle_endtag(self, tag: str) -> None:
        for i in range(len(self.stack) - 1, -1, -1):
            if self.stack[i][0] == tag:
                del self.stack[i:]
                return

    def handle_data(self, data: str) -> None:
        if data.strip() and not any(s for *_x, s in self.stack):
            self.found.append((self._lang(), data.strip()))


def english_on_page(page: Path, english: set[str], lang: str = "de") -> list[str]:
    """Texts of *page* that are an English source string and not declared as another language."""
    parser = _Prose()
    parser.feed(page.read_text(encoding="utf-8"))
    words = sorted(english, key=len, reverse=True)
    return [
        text
        for declared, text in parser.found
        if declared in ("", lang) and any(re.search(rf"\b{re.escape(w)}\b", text) for w in words)
    ]


def _stand_in(msgid: str) -> str:
    """A German stand-in for *msgid*: its words replaced, its placeholders kept."""
    parts = re.split(r"(%\(\w+\)s|%s|\{\w+\})", msgid)
    return "".join(
        part if i % 2 else re.sub(r"[A-Za-z]+", "übersetzt", part) for i, part in enumerate(parts)
    )


def _translate(path: Path, words: dict[str, str], *, everything: bool = False) -> int:
    po = polib.pofile(str(path), wrapwidth=0)
    done = 0
    for entry in po:
        if entry.msgid in words or everything:
            entry.msgstr = words.get(entry.msgid) or _stand_in(entry.msgid)
            done += 1
    po.save()
    return done


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["de", "sw"])
def test_a_new_language_starts_with_one_command_and_its_pages_show_no_undeclared_english(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, lang: str
) -> None:
    """Does `i18n init LANG` start every catalog kind at once, and does the site built after
    translating a few units of each show English only where it is marked lang="en"? German has
    Sphinx's and the theme's own catalogs; Swahili has neither, so every theme string is ours
    to translate or to declare English. (The stand-in translations are German words for both.)"""
    ui = tmp_path / "ui-locale"
    monkeypatch.setenv(UI_LOCALE_ENV, str(ui))
    project = tmp_path / "project"
    (project / "packs").mkdir(parents=True)
    config = (REPO / "packs" / "_config.yml").read_text(encoding="utf-8")
    config = config.replace("languages: [en, fr, es, ar]", f"languages: [en, fr, es, ar, {lang}]")
    config = re.sub(r"publish_translation: [0-9.]+", "publish_translation: 0.01", config)
    (project / "packs" / "_config.yml").write_text(config, encoding="utf-8")
    shutil.copytree(REPO / "book", project / "book", ignore=shutil.ignore_patterns("_build"))
    pack = new_pack("demo-pack", root=project, title="Demo pack")
    meta = pack / "pack.yml"
    meta.write_text(meta.read_text().replace("status: draft", "status: published"))

    assert main(["--root", str(project), "i18n", "init", lang]) == 0
    catalogs = {
        "pack": project / "translations" / lang / "demo-pack.po",
        "site title": project / "translations" / lang / "_site.po",
        "widgets": ui / "widgets" / lang / "LC_MESSAGES" / "learnpacks.po",
        "site": ui / "book" / lang / "site.po",
        "theme": ui / "book" / lang / "theme.po",
    }
    assert all(path.is_file() for path in catalogs.values())
    english = {
        e.msgid
        for path in catalogs.values()
        for e in polib.pofile(str(path))
        if len(e.msgid) > 3 and not re.fullmatch(r"[\W\d_{}%()s]*", e.msgid)
    }
    # a few units of every kind (the site's description stays English, as do most theme strings)
    assert _translate(catalogs["site title"], GERMAN) == 1
    assert _translate(catalogs["theme"], GERMAN) == 1
    assert _translate(catalogs["pack"], GERMAN) >= 1
    assert _translate(catalogs["widgets"], GERMAN) >= 1
    assert _translate(catalogs["site"], GERMAN) >= 3
    assert main(["--root", str(project), "i18n", "check", "--lang", lang]) == 0

    assert (
        main(["--root", str(project), "book", "build", "--lang", lang, "--pack", "demo-pack"]) == 0
    )
    site = project / "book" / "_build" / "site" / lang
    pages = [site / "index.html", *sorted((site / "packs" / "demo-pack").glob("*.html"))]
    assert len(pages) >= 3
    home = (site / "index.html").read_text(encoding="utf-8")
    assert "Die Lernpakete durchsuchen" in home and "die Mitwirkenden von learnpacks" in home
    assert '<span lang="en" dir="ltr">Each pack builds on' in home  # a declared fallback
    assert "<title>Wikimedia-Lernpakete" in home
    # the description, not translated yet, is declared English; so are the theme's strings
    assert '<p class="lp-fallback" lang="en">Hands-on learning material' in home
    assert 'placeholder="Search this book..."' in home
    assert re.search(r'<input[^>]*placeholder="Search this book\.\.\."[^>]*lang="en"', home)
    # an untranslated name of a control comes from a hidden element that says it is English
    assert (
        '<form class="lp-filters" aria-labelledby="lp-filters-label" data-pagefind-ignore="all">'
        '<span id="lp-filters-label" hidden><span lang="en" dir="ltr">Filter packs</span></span>'
    ) in home
    leaks = {page.name: english_on_page(page, english, lang) for page in pages}
    assert {name: texts for name, texts in leaks.items() if texts} == {}

"""The theme's UI strings (Sphinx, pydata-sphinx-theme, sphinx-book-theme) in every site language."""

from __future__ import annotations

import gettext
import json
import re
import shutil
import subprocess
from html.parser import HTMLParser
from pathlib import Path

import polib
import pydata_sphinx_theme
import pytest
import sphinx
import sphinx_book_theme
import sphinx_copybutton
from jinja2.sandbox import SandboxedEnvironment

from learnpacks.book.build import SiteBuild
from learnpacks.book.theme_i18n import (
    _LITERALS,
    LOCALE_DIR,
    GettextLiterals,
    compile_catalog,
    copybutton_languages,
)

CATALOGS = sorted(LOCALE_DIR.glob("*/theme.po"))
PAGES = (
    "index.html",
    "packs/demo-pack/index.html",
    "packs/demo-pack/01-start.html",
    "search.html",
)
# The theme's UI in English, as the source-language site shows it.
ENGLISH_UI = (
    "Color mode",
    "Dark",
    "Light",
    "System Settings",
    "Toggle primary sidebar",
    "Toggle secondary sidebar",
    "Search this book...",
    "Site navigation",
    "On this page",
    "previous page",
    "next page",
    "Main",
    "Page",
    "Version warning",
    "Skip to main content",
    "Back to top",
    "Wikimedia learning packs - Home",
    "Search",
    "next",
    "previous",
    "Contents",
    "Fullscreen mode",
)
# Words that are the same in the language (French "Page").
SAME_IN = {"fr": {"Page"}}
UI_ATTRIBUTES = ("aria-label", "title", "placeholder", "alt", "data-bs-title")
COPYBUTTON_JS = Path(sphinx_copybutton.__file__).parent / "_static" / "copybutton.js_t"


class _UI(HTMLParser):
    """The text and the UI attributes of a page outside its content (``data-pagefind-body``)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.strings: set[str] = set()
        self.elements: list[dict[str, str]] = []
        self.headerlinks: list[str] = []
        self._stack: list[tuple[str, bool]] = []

    def _outside(self) -> bool:
        return not any(skip for _, skip in self._stack)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v or "" for k, v in attrs}
        if "headerlink" in values.get("class", "").split():
            self.headerlinks.append(values.get("title", ""))
        skip = "data-pagefind-body" in values or tag in ("script", "style")
        if self._outside() and not skip:
            self.elements.append({"tag": tag, **values})
            self.strings.update(values[a] for a in UI_ATTRIBUTES if values.get(a))
        if tag not in ("meta", "link", "img", "input", "br", "hr"):
            self._stack.append((tag, skip))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if self._stack and self._stack[-1][0] == tag:
            self._stack.pop()

    def handle_endtag(self, tag: str) -> None:
        for i in range(len(self._stack) - 1, -1, -1):
            if self._stack[i][0] == tag:
                del self._stack[i:]
                break

    def handle_data(self, data: str) -> None:
        text = " ".join(data.split())
        if text and self._outside():
            self.strings.add(text)

    def attribute(self, name: str, *, cls: str = "") -> str:
        """Attribute *name* of the first element that has it and every class word in *cls*."""
        for element in self.elements:
            classes = element.get("class", "").split()
            if name in element and all(word in classes for word in cls.split()):
                return element[name]
        raise AssertionError(f"no element with class {cls!r} and {name}")


def ui(site: Path, lang: str, page: str) -> _UI:
    parser = _UI()
    parser.feed((site / lang / page).read_text(encoding="utf-8"))
    return parser


def shipped_translator(lang: str) -> gettext.NullTranslations:
    """The ``sphinx`` domain as Sphinx and pydata-sphinx-theme ship it, without ours."""
    translator = gettext.translation(
        "sphinx", str(Path(sphinx.__file__).parent / "locale"), [lang], fallback=True
    )
    theme = Path(pydata_sphinx_theme.__file__).parent / "locale"
    translator.add_fallback(gettext.translation("sphinx", str(theme), [lang], fallback=True))
    return translator


_BOOK = Path(sphinx_book_theme.__file__).parent
_BOOK_LOCALES = _BOOK / "theme" / "sphinx_book_theme" / "static" / "locales"
#: what sphinx-book-theme asks its own catalog ("booktheme") for, read from its source: its
#: translate()/translation() calls, and the sidebar's title from its theme.conf
BOOK_MESSAGES = {
    m.group(2)
    for path in [*_BOOK.rglob("*.py"), *_BOOK.rglob("*.html")]
    for m in re.finditer(r"""\btranslat(e|ion)\(["']([^"']+)["']\)""", path.read_text("utf-8"))
} | set(
    re.findall(r"^toc_title = (.+)$", (_BOOK_LOCALES.parents[1] / "theme.conf").read_text(), re.M)
)


def _book_translator(lang: str) -> gettext.NullTranslations:
    return gettext.translation("booktheme", str(_BOOK_LOCALES), [lang], fallback=True)


@pytest.mark.parametrize("po", CATALOGS, ids=lambda p: p.parent.name)
def test_theme_catalog_passes_msgfmt_check(po: Path) -> None:
    """Does GNU msgfmt accept the catalog (header, placeholders, escapes)?"""
    msgfmt = shutil.which("msgfmt")
    if msgfmt is None:
        pytest.skip("GNU gettext's msgfmt is not installed")
    result = subprocess.run(
        [msgfmt, "--check", "-o", "/dev/null", str(po)], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("po", CATALOGS, ids=lambda p: p.parent.name)
def test_theme_catalog_only_fills_gaps(po: Path) -> None:
    """Is every entry translated, and one that Sphinx and pydata-sphinx-theme leave untranslated?"""
    lang = po.parent.name
    shipped, book = shipped_translator(lang), _book_translator(lang)
    entries = [e for e in polib.pofile(str(po)) if not e.obsolete]
    assert entries and all(e.translated() for e in entries)
    # sphinx-book-theme asks its own catalog for its words, whatever Sphinx's says
    already = [
        e.msgid
        for e in entries
        if (book if e.msgid in BOOK_MESSAGES else shipped).gettext(e.msgid) != e.msgid
    ]
    assert already == [], "translated upstream already; drop them from theme.po"


def test_theme_literals_are_still_in_the_templates() -> None:
    """Does each template text we pass through gettext still occur in the installed themes?

    A theme upgrade that rewords one would leave it in English without this.
    """
    templates = "".join(
        path.read_text(encoding="utf-8")
        for package in (pydata_sphinx_theme, sphinx_book_theme)
        for path in (Path(package.__file__).parent / "theme").rglob("*.html")
    )
    missing = [literal for literal, _ in _LITERALS if literal not in templates]
    assert missing == []


def test_literals_outside_the_themes_are_left_alone() -> None:
    """Is a project's own template with the same text left as it is?"""
    source = '<button title="Toggle primary sidebar">'
    ext = GettextLiterals.__new__(GettextLiterals)
    assert ext.preprocess(source, "layout.html", "/project/_templates/layout.html") == source
    themed = ext.preprocess(source, "x.html", "/site-packages/sphinx_book_theme/x.html")
    assert themed == "<button title=\"{{ _('Toggle primary sidebar')|e }}\">"


def _copybutton_js(lang: str, locale: Path) -> str:
    """sphinx-copybutton's script as a *lang* build renders it, with our catalogs in *locale*."""
    environment = SandboxedEnvironment(extensions=["jinja2.ext.i18n", GettextLiterals])
    translations = gettext.translation("sphinx", str(locale), [lang], fallback=True)
    environment.install_gettext_translations(translations)  # type: ignore[attr-defined]
    source = COPYBUTTON_JS.read_text(encoding="utf-8")
    return environment.from_string(source).render(language=lang)


def test_copy_button_table_gets_the_sites_language(tmp_path: Path) -> None:
    """Does sphinx-copybutton's message table start with an entry in the site's language from
    theme.po (Hebrew: it has none of its own), ahead of its own entries, so that its own French
    still wins? Do theme.po catalogs leave to it the languages it has?"""
    assert {"fr", "es"} <= copybutton_languages() and not {"ar", "he"} & copybutton_languages()
    compile_catalog("he", tmp_path)
    hebrew = _copybutton_js("he", tmp_path)
    table = hebrew[hebrew.index("const messages = {") :]
    entry = table.splitlines()[1]
    assert entry.startswith('  "he": {')
    for key, text in {"copy": "העתקה", "copy_to_clipboard": "העתקה ללוח"}.items():
        assert f"'{key}': {json.dumps(text)}" in entry
    assert table.index('"he"') < table.index("'en'")
    french = _copybutton_js("fr", tmp_path)
    assert french.index('"fr": {') < french.index("'fr' : {")  # its own, later, wins
    for po in CATALOGS:
        if po.parent.name in copybutton_languages():
            assert "Copy to clipboard" not in {e.msgid for e in polib.pofile(str(po))}


@pytest.fixture(scope="module")
def site(multilingual_site: SiteBuild) -> Path:
    """The small multilingual project's site (``demo-pack`` in English, Arabic, French and
    Hebrew among the rest), shared with the other site tests."""
    assert {"en", "ar", "fr", "he"} <= set(multilingual_site.published)
    assert all(
        "demo-pack" in multilingual_site.published[lang] for lang in ("en", "ar", "fr", "he")
    )
    return multilingual_site.site


def _strings(site: Path, lang: str) -> set[str]:
    return set().union(*(ui(site, lang, page).strings for page in PAGES))


@pytest.mark.slow
def test_english_pages_keep_the_theme_strings(site: Path) -> None:
    """Does the source-language site still show the theme's own English UI?"""
    assert set(ENGLISH_UI) <= _strings(site, "en")
    assert set(ui(site, "en", "packs/demo-pack/01-start.html").headerlinks) == {
        "Link to this heading"
    }


@pytest.mark.slow
@pytest.mark.parametrize("lang", ["ar", "fr", "he"])
def test_no_theme_string_is_left_in_english(site: Path, lang: str) -> None:
    """Does an Arabic, French or Hebrew page show none of the theme's UI strings in English?"""
    left = (set(ENGLISH_UI) - SAME_IN.get(lang, set())) & _strings(site, lang)
    assert left == set()
    headerlinks = ui(site, lang, "packs/demo-pack/01-start.html").headerlinks
    assert headerlinks and "Link to this heading" not in headerlinks


@pytest.mark.slow
@pytest.mark.parametrize(
    ("lang", "expected"),
    [
        (
            "ar",
            {
                "theme switch": "وضع الألوان",
                "primary toggle": "إظهار الشريط الجانبي الرئيسي أو إخفاؤه",
                "secondary toggle": "إظهار الشريط الجانبي الثانوي أو إخفاؤه",
                "sidebar button": "التنقل في الموقع",
                "page toc button": "في هذه الصفحة",
                "search placeholder": "ابحث في هذا الكتاب...",
                "previous": "الصفحة السابقة",
                "next": "الصفحة التالية",
                "heading link": "رابط إلى هذا العنوان",
            },
        ),
        (
            "he",
            {
                "theme switch": "ערכת צבעים",
                "primary toggle": "הצגה או הסתרה של סרגל הצד הראשי",
                "secondary toggle": "הצגה או הסתרה של סרגל הצד המשני",
                "sidebar button": "ניווט באתר",
                "page toc button": "בדף הזה",
                "search placeholder": "חיפוש בספר הזה...",
                "previous": "הדף הקודם",
                "next": "הדף הבא",
                "heading link": "קישור לכותרת הזו",
            },
        ),
        (
            "fr",
            {
                "theme switch": "Thème",
                "primary toggle": "Afficher ou masquer la barre latérale principale",
                "secondary toggle": "Afficher ou masquer la barre latérale secondaire",
                "sidebar button": "Navigation dans le site",
                "page toc button": "Sur cette page",
                "search placeholder": "Rechercher dans ce livre...",
                "previous": "page précédente",
                "next": "page suivante",
                "heading link": "Lien vers cette rubrique",
            },
        ),
    ],
)
def test_theme_controls_are_named_in_the_language(
    site: Path, lang: str, expected: dict[str, str]
) -> None:
    """Do the theme switch, the sidebar toggles, the search box and prev/next speak the language?"""
    overview = ui(site, lang, "packs/demo-pack/index.html")
    unit = ui(site, lang, "packs/demo-pack/01-start.html")
    found = {
        "theme switch": overview.attribute("aria-label", cls="theme-switch-button"),
        "primary toggle": overview.attribute("title", cls="sidebar-toggle primary-toggle btn"),
        "secondary toggle": unit.attribute("title", cls="sidebar-toggle secondary-toggle btn"),
        "sidebar button": overview.attribute("aria-label", cls="pst-navbar-icon primary-toggle"),
        "page toc button": unit.attribute("aria-label", cls="pst-navbar-icon secondary-toggle"),
        "search placeholder": overview.attribute("placeholder"),
        "previous": overview.attribute("title", cls="left-prev"),
        "next": overview.attribute("title", cls="right-next"),
        "heading link": unit.headerlinks[0],
    }
    assert found == expected


@pytest.mark.slow
def test_search_page_messages_are_translated(site: Path) -> None:
    """Does the Arabic search page's script catalog carry our messages where Sphinx's are empty?"""
    text = (site / "ar" / "_static" / "translations.js").read_text(encoding="utf-8")
    body = text[text.index("(") + 1 : text.rindex(")")]
    messages = json.loads(body)["messages"]
    assert messages["Searching"] == "جارٍ البحث"
    assert messages["Search Results"] == "نتائج البحث"  # Sphinx's own, kept
    assert "Toggle primary sidebar" not in messages


@pytest.mark.slow
def test_copy_button_script_speaks_the_language(site: Path) -> None:
    """Does the Arabic site's copy-button script carry the Arabic words of the button?"""
    text = (site / "ar" / "_static" / "copybutton.js").read_text(encoding="utf-8")
    entry = text[text.index("const messages = {") :].splitlines()[1]
    assert entry.startswith('  "ar": {') and json.dumps("نسخ إلى الحافظة") in entry

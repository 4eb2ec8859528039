"""Translations of the theme's UI strings that Sphinx and the themes do not ship.

pydata-sphinx-theme has no Arabic catalog, Sphinx's Arabic catalog translates about one string in
eight, and the French and Spanish ones miss a few newer strings. ``learnpacks/book/locale/<lang>/
theme.po`` fills those gaps; it never overrides a translation Sphinx or a theme already has:

- the PO is compiled at build time into ``<doctreedir>/learnpacks-locale/<lang>/LC_MESSAGES/
  sphinx.mo`` and added to the ``sphinx`` domain after Sphinx's and the themes' catalogs. Gettext
  consults a later catalog only for a msgid the earlier ones lack, so it serves templates (Jinja
  ``_()``), Python code (``sphinx.locale._``) and the theme's search-box text;
- strings the themes write into their templates without ``_()`` (the sidebar toggles' titles,
  the navigation landmarks' names, the logo's alt text) are passed through ``_()`` as the templates
  load
  (:class:`GettextLiterals`), so the theme's files are used as they are, not copied;
- the search page's messages come from ``_static/translations.js``, copied from Sphinx's own
  catalog; its empty entries are filled from the PO after the build;
- sphinx-copybutton's button on code blocks takes its words from a table of its own in
  ``_static/copybutton.js`` (a Sphinx template), keyed by the page's ``lang``. An entry for the
  site's language is put at the table's start when the template loads, its texts through
  ``_()``: where the table has its own entry for the language, that later one wins.

What is still untranslated in a language (a new language's ``theme.po`` before a translator has
reached it) shows in English, and is marked so (:func:`mark_untranslated`, from the pages' one
pass): an element named or described only by such a string and showing no text of its own (the
search box, an icon button, a heading's ``#`` link) gets ``lang="en"``; a landmark whose contents
are in the page's language is named through ``aria-labelledby`` a hidden element with
``lang="en"``, as the site's own untranslated control names are; an English tooltip (``title``)
over a link or button that shows words of its own is dropped; English words shown as text
("Back to top", "By" before the authors) are wrapped in ``<span lang="en">``; the logo's
"<title> - Home" becomes the title alone.
"""

from __future__ import annotations

import gettext
import hashlib
import html
import json
import re
from functools import cache
from pathlib import Path
from typing import Any

import polib
from jinja2.ext import Extension
from sphinx import locale as sphinx_locale
from sphinx.application import Sphinx
from sphinx.locale import get_translation

from learnpacks.widgets.i18n import locale_file

__all__ = [
    "LOCALE_DIR",
    "catalog_path",
    "compile_catalog",
    "copybutton_languages",
    "mark_untranslated",
    "setup",
    "shipped_messages",
    "shipped_translator",
    "untranslated_messages",
]

LOCALE_DIR = Path(__file__).parent / "locale"
DOMAIN = "sphinx"
#: sphinx-book-theme's own catalog ("By", "Contents", "Fullscreen mode"): the same PO serves it
BOOK_DOMAIN = "booktheme"
#: the template's messages that sphinx-book-theme looks up in its own domain
BOOK_MESSAGES = frozenset({"By", "Contents", "Fullscreen mode"})


def _attribute(name: str, msgid: str) -> tuple[str, str]:
    return f'{name}="{msgid}"', f"{name}=\"{{{{ _('{msgid}')|e }}}}\""


# Text the themes' templates print without `_()`: (source text, the same through gettext).
_LITERALS = (
    _attribute("title", "Toggle primary sidebar"),
    _attribute("title", "Toggle secondary sidebar"),
    _attribute("aria-label", "Main"),
    _attribute("aria-label", "Page"),
    _attribute("aria-label", "Announcement"),
    # the logo's alt text (pydata-sphinx-theme components/navbar-logo.html)
    ('"%s - Home" % docstitle', '_("%s - Home") % docstitle'),
)
_THEMES = ("sphinx_book_theme", "pydata_sphinx_theme")
# sphinx-copybutton's message table (copybutton.js_t): where it starts, its keys and English texts.
_COPYBUTTON_TABLE = "const messages = {\n"
COPYBUTTON_MESSAGES = {
    "copy": "Copy",
    "copy_to_clipboard": "Copy to clipboard",
    "copy_success": "Copied!",
    "copy_failure": "Failed to copy",
}
_COPYBUTTON_ENTRY = (
    "{% if language %}  {{ language|tojson }}: {"
    + ", ".join(
        f"{key!r}: {{{{ _({text!r})|tojson }}}}" for key, text in COPYBUTTON_MESSAGES.items()
    )
    + "},\n{% endif %}"
)
_TRANSLATIONS_JS = re.compile(r"\A\s*Documentation\.addTranslations\((.*)\);?\s*\Z", re.DOTALL)


def catalog_path(lang: str) -> Path:
    """Where the theme strings of *lang* are: ``learnpacks/book/locale/<lang>/theme.po`` (or the
    UI locale overlay's, :data:`learnpacks.widgets.i18n.UI_LOCALE_ENV`)."""
    return locale_file(LOCALE_DIR, f"{lang}/theme.po")


def shipped_translator(lang: str) -> gettext.NullTranslations:
    """The ``sphinx`` domain in *lang* as Sphinx and pydata-sphinx-theme ship it, without ours."""
    import pydata_sphinx_theme
    import sphinx

    translator = gettext.translation(
        DOMAIN, str(Path(sphinx.__file__).parent / "locale"), [lang], fallback=True
    )
    theme = Path(pydata_sphinx_theme.__file__).parent / "locale"
    translator.add_fallback(gettext.translation(DOMAIN, str(theme), [lang], fallback=True))
    return translator


def _book_translator(lang: str) -> gettext.NullTranslations:
    import sphinx_book_theme

    book = Path(sphinx_book_theme.__file__).parent / "theme" / "sphinx_book_theme" / "static"
    return gettext.translation(BOOK_DOMAIN, str(book / "locales"), [lang], fallback=True)


@cache
def copybutton_languages() -> frozenset[str]:
    """The languages sphinx-copybutton's own message table has (``'fr' : {`` …)."""
    try:
        import sphinx_copybutton
    except ImportError:
        return frozenset()
    source = Path(sphinx_copybutton.__file__).parent / "_static" / "copybutton.js_t"
    table = source.read_text(encoding="utf-8").partition(_COPYBUTTON_TABLE)[2].partition("\n}")[0]
    return frozenset(re.findall(r"^\s*'([A-Za-z-]+)'\s*:\s*\{", table, re.MULTILINE))


def shipped_messages(lang: str) -> set[str]:
    """The msgids Sphinx and pydata-sphinx-theme translate in *lang* (a translation may equal
    its msgid: French "Index"), sphinx-book-theme's own (:data:`BOOK_MESSAGES`) where its
    catalog translates them, and sphinx-copybutton's where its table has *lang*."""
    found: set[str] = set()
    if lang in copybutton_languages():
        found |= set(COPYBUTTON_MESSAGES.values())
    translator: gettext.NullTranslations | None = shipped_translator(lang)
    while translator is not None:
        catalog = getattr(translator, "_catalog", {})
        found |= {k for k, v in catalog.items() if isinstance(k, str) and k and v}
        translator = getattr(translator, "_fallback", None)
    # sphinx-book-theme asks its own domain for these: Sphinx's translation does not reach them
    book = getattr(_book_translator(lang), "_catalog", {})
    return (found - BOOK_MESSAGES) | {m for m in BOOK_MESSAGES if book.get(m)}


def untranslated_messages(lang: str) -> frozenset[str]:
    """The theme template's msgids that nothing translates in *lang*: not Sphinx, the themes nor
    *lang*'s ``theme.po``; none in English."""
    if lang.split("-")[0].lower() == "en":
        return frozenset()
    template = polib.pofile(str(LOCALE_DIR / "theme.pot"))
    known = shipped_messages(lang) | set(_entries(lang))
    return frozenset(e.msgid for e in template if e.msgid not in known)


_RAW_TEXT = re.compile(r"(<(?:script|style)\b.*?</(?:script|style)\s*>)", re.IGNORECASE | re.DOTALL)
_TAG_OR_TEXT = re.compile(
    r"<(?P<tag>[a-zA-Z][a-zA-Z0-9]*)(?P<attrs>\s[^<>]*?)?(?P<slash>/?)>|(?<=>)(?P<text>[^<>]+)(?=<)"
)
_ATTRIBUTE = re.compile(r'\s(title|aria-label|alt|placeholder)="([^"]*)"')
#: elements marked with ``lang`` only when they show no text of their own
_SHOWS_TEXT = {"a", "button"}
_MARKABLE = {"input", "img", *_SHOWS_TEXT}
_HOME = " - Home"


def mark_untranslated(text: str, untranslated: frozenset[str], *, rtl: bool = False) -> str:
    """*text* (a page) with the English of *untranslated* theme strings declared as English
    (see the module's doc); scripts and styles are left as they are."""
    if not untranslated:
        return text
    parts = _RAW_TEXT.split(text)
    state = {"count": 0}
    for i in range(0, len(parts), 2):  # odd parts are <script> and <style> elements
        parts[i] = _mark_markup(parts[i], untranslated, rtl, state)
    return "".join(parts)


def _mark_markup(text: str, untranslated: frozenset[str], rtl: bool, state: dict[str, int]) -> str:
    direction = ' dir="ltr"' if rtl else ""
    out: list[str] = []
    end = 0
    for match in _TAG_OR_TEXT.finditer(text):
        if match.group("text") is not None:
            raw = match.group("text")
            words = html.unescape(raw).strip()
            shown = words if words in untranslated else _english_prefix(words, untranslated)
            if shown:
                lead = raw[: len(raw) - len(raw.lstrip())]
                rest = raw.lstrip()[len(html.escape(shown, quote=False)) :]
                out += [
                    text[end : match.start()],
                    f'{lead}<span lang="en"{direction}>{html.escape(shown, quote=False)}</span>{rest}',
                ]
                end = match.end()
            continue
        tag, attrs, slash = (
            match.group("tag").lower(),
            match.group("attrs") or "",
            match.group("slash"),
        )
        english = [
            (m, html.unescape(m.group(2)))
            for m in _ATTRIBUTE.finditer(attrs)
            if html.unescape(m.group(2)) in untranslated
            or (m.group(1) == "alt" and "%s - Home" in untranslated and m.group(2).endswith(_HOME))
        ]
        if not english or " lang=" in attrs:
            continue
        new_attrs, after = attrs, ""
        for m, value in english:
            if m.group(1) == "alt" and value not in untranslated:
                # the logo: "<site title> - Home" with an English " - Home": the title says it
                new_attrs = new_attrs.replace(
                    m.group(0), m.group(0).removesuffix(_HOME + '"') + '"'
                )
        english = [(m, v) for m, v in english if v in untranslated]
        if english and tag in _MARKABLE:
            shows_text = False
            if tag in _SHOWS_TEXT:
                close = text.find(f"</{tag}>", match.end())
                inner = re.sub(r"<[^>]*>", "", text[match.end() : close if close >= 0 else None])
                shows_text = bool(re.search(r"[^\W\d_]", html.unescape(inner)))
                if shows_text:
                    for m, _value in english:
                        if m.group(1) == "title":
                            # an English tooltip over words of their own ("previous page" over
                            # "previous <title>"): an attribute cannot say it is English, and
                            # the words say what the link or button does
                            new_attrs = new_attrs.replace(m.group(0), "")
            if not shows_text:
                # a text field keeps the page's direction for what is typed into it
                new_attrs += ' lang="en"' + ("" if tag == "input" else direction)
                english = []
        for m, value in english:
            if m.group(1) != "aria-label":
                continue  # a tooltip (title) on an element with text in the page's language
            state["count"] += 1
            label_id = f"lp-theme-name-{state['count']}"
            new_attrs = new_attrs.replace(m.group(0), f' aria-labelledby="{label_id}"')
            after += (
                f'<span id="{label_id}" hidden><span lang="en"{direction}>'
                f"{html.escape(value, quote=False)}</span></span>"
            )
        if new_attrs == attrs and not after:
            continue
        out += [text[end : match.start()], f"<{match.group('tag')}{new_attrs}{slash}>", after]
        end = match.end()
    out.append(text[end:])
    return "".join(out)


#: theme strings printed at the start of a text of their own: "By" in "By <authors>"
_PREFIXES = ("By",)


def _english_prefix(words: str, untranslated: frozenset[str]) -> str:
    return next((p for p in _PREFIXES if p in untranslated and words.startswith(p + " ")), "")


def _entries(lang: str) -> dict[str, str]:
    path = catalog_path(lang)
    if not path.is_file():
        return {}
    return {
        e.msgid: e.msgstr
        for e in polib.pofile(str(path))
        if e.translated() and not e.obsolete and not e.msgctxt
    }


def compile_catalog(lang: str, dest: Path) -> Path | None:
    """Compile *lang*'s ``theme.po`` into ``dest/<lang>/LC_MESSAGES/sphinx.mo`` and
    ``booktheme.mo``.

    Returns *dest* (a gettext locale folder) or ``None`` when the language has no theme catalog.
    """
    source = catalog_path(lang)
    if not source.is_file():
        return None
    catalog = polib.pofile(str(source))
    for domain in (DOMAIN, BOOK_DOMAIN):  # a domain only asks for its own msgids
        target = dest / lang / "LC_MESSAGES" / f"{domain}.mo"
        target.parent.mkdir(parents=True, exist_ok=True)
        catalog.save_as_mofile(str(target))
    return dest


class GettextLiterals(Extension):
    """Pass the themes' literal UI text through ``_()`` when one of their templates loads, and
    give sphinx-copybutton's message table an entry in the site's language."""

    def preprocess(self, source: str, name: str | None, filename: str | None = None) -> str:
        if _COPYBUTTON_TABLE in source and "'copy_to_clipboard'" in source:
            # a static template (copybutton.js_t), rendered from a string: no file name
            return source.replace(_COPYBUTTON_TABLE, _COPYBUTTON_TABLE + _COPYBUTTON_ENTRY, 1)
        if not any(theme in (filename or "") for theme in _THEMES):
            return source
        for literal, translated in _LITERALS:
            source = source.replace(literal, translated)
        return source


def register_catalog(app: Sphinx, config: Any) -> None:
    lang = config.language or "en"
    source = catalog_path(lang)
    # An "html" config value: when the catalog changes, Sphinx writes every page again, not only
    # the pages whose sources changed.
    config.learnpacks_theme_catalog = (
        hashlib.sha256(source.read_bytes()).hexdigest() if source.is_file() else ""
    )
    folder = compile_catalog(lang, Path(app.doctreedir) / "learnpacks-locale")
    if folder is not None:
        # Added after Sphinx's and the themes' catalogs: a fallback for the msgids they lack.
        app.add_message_catalog(DOMAIN, str(folder))
        app.add_message_catalog(BOOK_DOMAIN, str(folder))
        # In a language Sphinx has no catalog for (Swahili), Sphinx kept an empty translator,
        # which the templates' _() would go on using: ours replaced it, so they use ours.
        if type(app.translator) is gettext.NullTranslations:
            app.translator = sphinx_locale.translators[("general", DOMAIN)]


def translate_literals(app: Sphinx) -> None:
    templates = getattr(app.builder, "templates", None)
    environment = getattr(templates, "environment", None)
    if environment is not None:
        environment.add_extension(GettextLiterals)


def translate_search_bar(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> None:
    # Jupyter Book sets `search_bar_text: "Search this book..."` as text, not as a msgid.
    text = context.get("theme_search_bar_text")
    if isinstance(text, str) and text:
        context["theme_search_bar_text"] = str(get_translation(DOMAIN)(text))


def fill_translations_js(app: Sphinx, exception: Exception | None) -> None:
    """Fill the empty messages of ``_static/translations.js`` (the search page's) from the PO."""
    if exception is not None or app.builder.format != "html":
        return
    path = Path(app.outdir) / "_static" / "translations.js"
    ours = _entries(app.config.language or "en")
    if not ours or not path.is_file():
        return
    match = _TRANSLATIONS_JS.match(path.read_text(encoding="utf-8"))
    if match is None:
        return
    data = json.loads(match.group(1))
    messages = data.setdefault("messages", {})
    # only the entries Sphinx's JavaScript catalog lists (empty): the others are not the page's
    missing = {k: v for k, v in ours.items() if k in messages and not messages[k]}
    if missing:
        messages.update(missing)
        text = json.dumps(data, ensure_ascii=False, indent=4, sort_keys=True)
        path.write_text(f"Documentation.addTranslations({text});\n", encoding="utf-8")


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_config_value("learnpacks_theme_catalog", "", "html")
    app.connect("config-inited", register_catalog)
    app.connect("builder-inited", translate_literals)
    # after sphinx-book-theme's handler, which sets the default search text
    app.connect("html-page-context", translate_search_bar, priority=900)
    app.connect("build-finished", fill_translations_js)
    return {"parallel_read_safe": True, "parallel_write_safe": True}

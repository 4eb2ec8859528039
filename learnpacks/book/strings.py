"""The site's own UI strings, from gettext catalogs in ``learnpacks/book/locale/<lang>/site.po``.

Translators edit those PO files with ordinary tools; ``site.pot`` is the template. Language names
come from Babel (CLDR), in their own language ("français", "العربية").
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from babel import Locale, UnknownLocaleError
from babel.lists import format_list

from learnpacks.book.html import Markup, Untranslated, render
from learnpacks.i18n.languages import is_rtl
from learnpacks.widgets.i18n import catalog_for, locale_file

__all__ = ["Strings", "is_rtl", "join", "language_name"]

LOCALE_DIR = Path(__file__).parent / "locale"
SOURCE = "en"


def _catalog(lang: str) -> dict[str, str]:
    return catalog_for(lang, lambda code: locale_file(LOCALE_DIR, f"{code}/site.po"))


class Strings:
    """``strings("Open on {target}", target="Binder")`` in one language; English when untranslated."""

    def __init__(self, lang: str) -> None:
        self.lang = lang
        self._messages = _catalog(lang)

    def __call__(self, msgid: str, **values: object) -> str:
        """The message in this language; an :class:`~learnpacks.book.html.Untranslated` string
        (the page marks it ``lang="en"``) when the language has no translation of it."""
        text = self._messages.get(msgid)
        if text is None:
            english = msgid.format(**values) if values else msgid
            return english if self.lang == SOURCE else Untranslated(english)
        return text.format(**values) if values else text


def _locale(lang: str) -> Locale | None:
    try:
        return Locale.parse(lang.replace("-", "_"))
    except (ValueError, UnknownLocaleError):
        return None


def language_name(lang: str, *, in_lang: str | None = None) -> str:
    """The name of *lang* in *in_lang* (default: in itself), e.g. ``language_name("fr") == "français"``."""
    locale = _locale(lang)
    if locale is None:
        return lang
    display = _locale(in_lang or lang) or locale
    return locale.get_display_name(display) or lang


def join(items: list[str], lang: str, *, style: Literal["standard", "or"] = "standard") -> str:
    """*items* as a list in *lang* ("a, b and c", "a، b و c"); ``style="or"``: "a, b or c".
    Items not yet translated (:class:`~learnpacks.book.html.Untranslated`) come back marked, and
    the result is then :class:`~learnpacks.book.html.Markup`."""
    if not items:
        return ""
    if any(isinstance(item, Untranslated) for item in items):
        # each untranslated item marked on its own, the list read the page's way
        marks = [f"\x00{i}\x00" for i in range(len(items))]
        listed = join(marks, lang, style=style)
        return Markup(
            "".join(
                render(items[int(piece)]) if piece.isdigit() else render(piece)
                for piece in listed.split("\x00")
            )
        )
    try:
        return format_list(items, style=style, locale=lang.replace("-", "_"))
    except (KeyError, ValueError, UnknownLocaleError):
        return ", ".join(items)

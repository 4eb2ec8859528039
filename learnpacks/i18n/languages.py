"""Facts about languages the pipeline needs: direction, plural rule, fallback chain."""

from __future__ import annotations

import re
from collections.abc import Iterable

#: Languages written right to left (ISO 639 codes; a script subtag overrides, see :func:`is_rtl`).
RTL_LANGUAGES = frozenset(
    {
        "ar",
        "arc",
        "arz",
        "azb",
        "bcc",
        "bqi",
        "ckb",
        "dv",
        "fa",
        "glk",
        "he",
        "ks",
        "ku-Arab",
        "lrc",
        "mzn",
        "nqo",
        "pnb",
        "ps",
        "sd",
        "skr",
        "ug",
        "ur",
        "yi",
    }
)
_RTL_SCRIPTS = frozenset({"Arab", "Hebr", "Syrc", "Thaa", "Nkoo", "Adlm", "Rohg"})
_LTR_SCRIPTS = frozenset({"Latn", "Cyrl"})

#: gettext ``Plural-Forms`` when Babel is not installed; others get the two-form rule.
PLURAL_FORMS = {
    "ar": "nplurals=6; plural=(n==0 ? 0 : n==1 ? 1 : n==2 ? 2 : n%100>=3 && n%100<=10 ? 3 : n%100>=11 ? 4 : 5);",
    "fr": "nplurals=2; plural=(n > 1);",
    "pt-BR": "nplurals=2; plural=(n > 1);",
    "fa": "nplurals=2; plural=(n > 1);",
    "ja": "nplurals=1; plural=0;",
    "zh": "nplurals=1; plural=0;",
    "ko": "nplurals=1; plural=0;",
    "id": "nplurals=1; plural=0;",
    "ru": "nplurals=3; plural=(n%10==1 && n%100!=11 ? 0 : n%10>=2 && n%10<=4 && (n%100<10 || n%100>=20) ? 1 : 2);",
    "uk": "nplurals=3; plural=(n%10==1 && n%100!=11 ? 0 : n%10>=2 && n%10<=4 && (n%100<10 || n%100>=20) ? 1 : 2);",
    "pl": "nplurals=3; plural=(n==1 ? 0 : n%10>=2 && n%10<=4 && (n%100<10 || n%100>=20) ? 1 : 2);",
    "he": "nplurals=2; plural=(n != 1);",
}
DEFAULT_PLURAL_FORMS = "nplurals=2; plural=(n != 1);"


def is_rtl(lang: str) -> bool:
    """Is *lang* (a BCP 47 code) written right to left?"""
    parts = lang.split("-")
    script = next((p for p in parts[1:] if len(p) == 4), None)
    if script in _RTL_SCRIPTS:
        return True
    if script in _LTR_SCRIPTS:
        return False
    return lang in RTL_LANGUAGES or parts[0] in RTL_LANGUAGES


def plural_forms(lang: str) -> str:
    """gettext's ``Plural-Forms`` for *lang* from CLDR's plural rules (through Babel), for whole
    numbers: CLDR's operands other than ``n`` are those of an integer (``e`` is 0). Without Babel
    (learnpacks' core install), a small table."""
    try:
        from babel import Locale, UnknownLocaleError
        from babel.plural import to_gettext
    except ImportError:
        return (
            PLURAL_FORMS.get(lang) or PLURAL_FORMS.get(lang.split("-")[0]) or DEFAULT_PLURAL_FORMS
        )
    try:
        rule = Locale.parse(lang.replace("-", "_")).plural_form
    except (ValueError, UnknownLocaleError):
        return DEFAULT_PLURAL_FORMS
    return re.sub(r"\be\b", "0", to_gettext(rule))


def fallback_chain(lang: str, source_language: str, available: Iterable[str] = ()) -> list[str]:
    """Languages to try after *lang*, ending with the source: ``pt-BR`` → ``pt`` → ``en``.

    Only broader languages that have a catalog (*available*) are tried.
    """
    have = set(available)
    chain = []
    parts = lang.split("-")
    while len(parts) > 1:
        parts = parts[:-1]
        broader = "-".join(parts)
        if broader in have and broader != source_language:
            chain.append(broader)
    chain.append(source_language)
    return chain

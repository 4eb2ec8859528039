"""The markup a translation must keep: HTML tags, link targets, inline code, math, placeholders.

Each is compared as a multiset between a unit's source text and its translation, so a
translator may reorder a sentence but not add, drop or change any of them. Also here: how a
forced build makes a rejected translation inert. What makes a translation unsafe (new tags,
script-like attributes, ``javascript:`` or ``data:`` links) is :mod:`learnpacks.safety`'s rule,
the same ``check`` and the site apply.
"""

from __future__ import annotations

import functools
import html
import re
from collections import Counter
from dataclasses import dataclass

from learnpacks.safety import URL_ATTRIBUTES, Tag, html_tags, inline_tokens

#: MyST dollar math: ``$$...$$`` and ``$x$`` (no space inside the dollars, no digit after the closing one).
MATH = re.compile(r"\$\$.+?\$\$|(?<![\\$])\$(?![\s$])[^$\n]+?(?<![\s\\])\$(?!\d)", re.DOTALL)
URL = re.compile(r"\b(?:https?|ftp|mailto):[^\s<>()\[\]]+|\bwww\.[^\s<>()\[\]]+", re.IGNORECASE)
_WORD = re.compile(r"[^\W\d_]")
#: Attributes whose value is prose: a translation may change them.
TRANSLATABLE_ATTRS = frozenset({"alt", "title", "aria-label", "placeholder", "summary"})
#: Python placeholders: ``{name}``, ``{0}``, ``{name!r:>10}``, ``%(name)s``, ``%s``, ``%d``.
BRACE = re.compile(
    r"(?<!\{)\{(?:[A-Za-z_][A-Za-z0-9_]*|\d+)?(?:[.\[][^{}]*)?(?:![rsa])?(?::[^{}]*)?\}(?!\})"
)
PERCENT = re.compile(
    r"%(?:\([A-Za-z_][A-Za-z0-9_]*\))?[-#0 +]*(?:\d+|\*)?(?:\.(?:\d+|\*))?[diouxXeEfFgGcrsa%]"
)
_NAMED_PERCENT = re.compile(r"%\([A-Za-z_][A-Za-z0-9_]*\)")


def has_words(text: str) -> bool:
    """Does *text* contain a letter of any script?"""
    return bool(_WORD.search(text))


def strip_math_and_urls(text: str) -> str:
    return URL.sub(" ", MATH.sub(" ", text))


def tag_signature(tag: Tag) -> str:
    """A tag as compared: its name and its attributes in order, translatable attribute values blanked."""
    if not tag.name:
        return "<!---->"
    attrs = [
        a.name if a.raw is None else f"{a.name}={'…' if a.name in TRANSLATABLE_ATTRS else a.raw}"
        for a in tag.attributes
    ]
    return ("</" if tag.closing else "<") + tag.name + "".join(" " + a for a in attrs) + ">"


def _without_code_spans(text: str) -> str:
    return re.sub(r"(`+)(?!`).*?(?<!`)\1(?!`)", " ", text, flags=re.DOTALL)


@dataclass(frozen=True)
class Markup:
    """What in a text is markup rather than prose, as multisets."""

    tags: Counter[str]
    links: Counter[str]
    code: Counter[str]
    math: Counter[str]
    placeholders: Counter[str]


def links_and_code(text: str) -> tuple[list[str], list[str]]:
    """Targets of markdown links and images, and code spans, as markdown-it-py reads them
    (every link kept, also the ones it would not render: :mod:`learnpacks.safety`)."""
    targets, spans = [], []
    for token in inline_tokens(text):
        if token.type == "link_open":
            targets.append(str(token.attrGet("href") or ""))
        elif token.type == "image":
            targets.append(str(token.attrGet("src") or ""))
        elif token.type == "code_inline":
            spans.append(token.content)
    return targets, spans


@functools.lru_cache(maxsize=65536)
def markup_of(text: str, *, markdown: bool, code_string: bool = False) -> Markup:
    """The markup of a unit's text. *markdown* units get links and code spans; code strings get ``%s``."""
    prose = _without_code_spans(text) if markdown else text
    found = list(html_tags(prose))
    tags = Counter(tag_signature(t) for t in found)
    targets, spans = links_and_code(text) if markdown else ([], [])
    links: Counter[str] = Counter(targets)
    for tag in found:
        links.update(a.raw or "" for a in tag.attributes if a.name in URL_ATTRIBUTES)
    placeholders = Counter(BRACE.findall(prose))
    percent = PERCENT.findall(prose) if code_string else _NAMED_PERCENT.findall(prose)
    placeholders.update(p for p in percent if p != "%%")
    return Markup(
        tags=tags,
        links=links,
        code=Counter(spans),
        math=Counter(MATH.findall(prose)),
        placeholders=placeholders,
    )


def inert_markdown(text: str) -> str:
    """*text* with every HTML and link construct escaped, so it renders as the characters it contains."""
    text = (
        text.replace("\\", "\\\\").replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    )
    for ch in "[]()`|!*_$":
        text = text.replace(ch, "\\" + ch)
    # a line must not start a heading, list, quote or fence
    text = re.sub(r"(?m)^(\s*)(\d+)([.)])", r"\1\2\\\3", text)
    return re.sub(r"(?m)^(\s*)([#>+\-=~])", r"\1\\\2", text)


def inert_text(text: str) -> str:
    """*text* with HTML special characters escaped (for strings a widget or the site may show as HTML)."""
    return html.escape(text, quote=True)

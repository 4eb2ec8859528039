"""The markup a translation must keep: HTML tags, link targets, inline code, math, placeholders.

Each is compared as a multiset between a unit's source text and its translation, so a
translator may reorder a sentence but not add, drop or change any of them. Also here:
what makes a translation unsafe (new tags, script-like attributes, ``javascript:`` or
``data:`` links) and how a forced build makes a rejected translation inert.
"""

from __future__ import annotations

import functools
import html
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass
from urllib.parse import unquote

from markdown_it import MarkdownIt

_INLINE = MarkdownIt("commonmark")

#: MyST dollar math: ``$$...$$`` and ``$x$`` (no space inside the dollars, no digit after the closing one).
MATH = re.compile(r"\$\$.+?\$\$|(?<![\\$])\$(?![\s$])[^$\n]+?(?<![\s\\])\$(?!\d)", re.DOTALL)
URL = re.compile(r"\b(?:https?|ftp|mailto):[^\s<>()\[\]]+|\bwww\.[^\s<>()\[\]]+", re.IGNORECASE)
_WORD = re.compile(r"[^\W\d_]")
#: HTML tags and comments, as written.
TAG = re.compile(r"<!--.*?-->|</?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]*)?/?>", re.DOTALL)
_TAG_NAME = re.compile(r"</?([A-Za-z][A-Za-z0-9-]*)")
_ATTR = re.compile(r"""([^\s"'<>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?""")
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
#: Schemes a translation may never bring in (they run code or smuggle content).
UNSAFE_SCHEMES = ("javascript:", "vbscript:", "data:", "file:")
UNSAFE_TAGS = frozenset(
    {"script", "style", "iframe", "object", "embed", "form", "base", "meta", "link", "svg", "math"}
)


def has_words(text: str) -> bool:
    """Does *text* contain a letter of any script?"""
    return bool(_WORD.search(text))


def strip_math_and_urls(text: str) -> str:
    return URL.sub(" ", MATH.sub(" ", text))


def tag_signature(tag: str) -> str:
    """A tag as compared: its name and its attributes in order, translatable attribute values blanked."""
    if tag.startswith("<!--"):
        return "<!---->"
    match = _TAG_NAME.match(tag)
    if not match:
        return tag
    closing = tag.startswith("</")
    attrs = []
    for attr in _ATTR.finditer(tag[match.end() :].rstrip("/>")):
        name = attr.group(1).lower()
        value = next((g for g in attr.groups()[1:] if g is not None), None)
        attrs.append(
            name if value is None else f"{name}={'…' if name in TRANSLATABLE_ATTRS else value}"
        )
    return (
        ("</" if closing else "<") + match.group(1).lower() + "".join(" " + a for a in attrs) + ">"
    )


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
    """Targets of markdown links and images, and code spans, as markdown-it-py reads them."""
    targets, spans = [], []
    stack = _INLINE.parseInline(text)
    while stack:
        token = stack.pop()
        if token.type == "link_open":
            targets.append(str(token.attrGet("href") or ""))
        elif token.type == "image":
            targets.append(str(token.attrGet("src") or ""))
        elif token.type == "code_inline":
            spans.append(token.content)
        stack.extend(token.children or [])
    return targets, spans


@functools.lru_cache(maxsize=65536)
def markup_of(text: str, *, markdown: bool, code_string: bool = False) -> Markup:
    """The markup of a unit's text. *markdown* units get links and code spans; code strings get ``%s``."""
    prose = _without_code_spans(text) if markdown else text
    tags = Counter(tag_signature(t) for t in TAG.findall(prose))
    targets, spans = links_and_code(text) if markdown else ([], [])
    links: Counter[str] = Counter(targets)
    for raw in TAG.findall(prose):
        for attr in _ATTR.finditer(raw):
            if attr.group(1).lower() in ("href", "src", "action", "formaction", "xlink:href"):
                links[next((g for g in attr.groups()[1:] if g is not None), "")] += 1
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


def _decoded(text: str) -> str:
    """*text* as a browser might read a URL in it: entities and percent-escapes decoded, controls and spaces dropped."""
    once = html.unescape(unquote(html.unescape(text)))
    return re.sub(r"[\x00-\x20\x7f]+", "", unicodedata.normalize("NFKC", once)).lower()


def unsafe_schemes(text: str) -> set[str]:
    """Script-running or smuggling URL schemes in *text*, however encoded."""
    decoded = _decoded(text)
    return {s for s in UNSAFE_SCHEMES if s in decoded}


def unsafe_html(text: str) -> list[str]:
    """Tags and attributes in *text* that run script or load content: ``<script>``, ``on*=``, ``srcdoc`` ..."""
    found = []
    for raw in TAG.findall(html.unescape(text)):
        match = _TAG_NAME.match(raw)
        if not match:
            continue
        if match.group(1).lower() in UNSAFE_TAGS:
            found.append(f"<{match.group(1).lower()}>")
        for attr in _ATTR.finditer(raw[match.end() :]):
            name = attr.group(1).lower()
            if name.startswith("on") or name in ("srcdoc", "style", "formaction"):
                found.append(f"{name}=")
    return found


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

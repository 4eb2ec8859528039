"""What may be linked, and which HTML may pass: one rule for ``check``, ``i18n`` and the site.

Every place that judges a URL or reads a tag out of contributed text goes through this module,
so ``learnpacks check``, ``learnpacks i18n check`` and the site build cannot disagree:

- :func:`link_scheme` reads a URL as a browser would (HTML entities and percent-escapes decoded,
  control characters and spaces dropped, compatibility forms folded, lower case) and gives its
  scheme; :func:`unsafe_scheme` says whether a link with that scheme may be followed
  (:data:`LINKABLE_SCHEMES`); ``&#106;avascript:``, ``java\\tscript:`` and ``%6Aavascript:``
  are all ``javascript:``.
- :func:`html_tags` reads the tags of a text (names, attributes, where each value stands);
  :func:`unsafe_html` names the ones that run script or load content; :func:`link_targets` gives
  every URL a text links to (markdown links and images, autolinks, URL attributes of tags) and
  :func:`unsafe_links` the unsafe schemes among them.
- :func:`clean_html` cleans HTML that must be shown (feedback pages) with ``nh3``, the Rust
  ``ammonia`` sanitizer, keeping :data:`ALLOWED_TAGS` and links whose scheme passes.

It imports nothing of learnpacks, so every layer (packs, i18n, book, checks, grading) may use it.
"""

from __future__ import annotations

import functools
import html
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import unquote

if TYPE_CHECKING:
    from markdown_it import MarkdownIt
    from markdown_it.token import Token

#: Schemes a reader may follow: the web, e-mail, and a notebook cell's own attachments.
#: Everything else (``javascript:``, ``vbscript:``, ``data:``, ``file:`` ...) is never linked.
LINKABLE_SCHEMES = frozenset({"http", "https", "mailto", "attachment"})
#: Attributes whose value a browser follows or loads as a URL.
URL_ATTRIBUTES = frozenset(
    {
        "href",
        "src",
        "action",
        "formaction",
        "xlink:href",
        "poster",
        "data",
        "cite",
        "background",
        "longdesc",
        "srcset",
        "ping",
        "manifest",
    }
)
#: Elements that run script, load other documents or change how the page is read.
UNSAFE_TAGS = frozenset(
    {"script", "style", "iframe", "object", "embed", "form", "base", "meta", "link", "svg", "math"}
)
#: Attributes (besides every ``on*`` handler) that run script or inject content.
UNSAFE_ATTRIBUTES = frozenset({"srcdoc", "style", "formaction"})

#: HTML tags and comments, as written.
TAG = re.compile(r"<!--.*?-->|</?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]*)?/?>", re.DOTALL)
_TAG_NAME = re.compile(r"</?([A-Za-z][A-Za-z0-9-]*)")
_ATTR = re.compile(r"""([^\s"'<>/=]+)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+)))?""")
_SCHEME = re.compile(r"([a-z][a-z0-9+.-]*):")
_INVISIBLE = re.compile(r"[\x00-\x20\x7f\u00ad\u200b-\u200f\u2028-\u202e\u2060-\u2064\ufeff]+")


@functools.cache
def _markdown() -> MarkdownIt:
    """Markdown as the notebook front-ends and MyST read it, keeping every link as a token, even
    the ones markdown-it would refuse to render, so that they can be judged here."""
    from markdown_it import MarkdownIt

    parser = MarkdownIt("commonmark").enable("table")
    parser.validateLink = lambda url: True  # type: ignore[method-assign]
    return parser


@dataclass(frozen=True)
class Attribute:
    """One attribute of a tag: lower-case name, value as written (None when bare), and where
    the value stands in the text the tag was read from (``start == end == -1`` when bare)."""

    name: str
    raw: str | None
    start: int
    end: int

    @property
    def value(self) -> str | None:
        """The value as a browser reads it (entities decoded)."""
        return None if self.raw is None else html.unescape(self.raw)


@dataclass(frozen=True)
class Tag:
    """A tag or comment found in a text."""

    raw: str
    name: str  # lower case; "" for a comment
    closing: bool
    attributes: tuple[Attribute, ...]
    start: int

    def get(self, name: str) -> str | None:
        """The decoded value of attribute *name* (the first one, as browsers do), or None."""
        return next((a.value for a in self.attributes if a.name == name), None)

    def attribute(self, name: str) -> Attribute | None:
        return next((a for a in self.attributes if a.name == name), None)


def html_tags(text: str) -> Iterator[Tag]:
    """The tags and comments in *text*, in order."""
    for match in TAG.finditer(text):
        raw = match.group(0)
        if raw.startswith("<!--"):
            yield Tag(raw, "", False, (), match.start())
            continue
        name = _TAG_NAME.match(raw)
        assert name is not None  # TAG only matches named tags besides comments
        body_start = match.start() + name.end()
        body = raw[name.end() :]
        body = body[:-2] if body.endswith("/>") else body[:-1]
        attributes = []
        for attr in _ATTR.finditer(body):
            group = next((g for g in (2, 3, 4) if attr.group(g) is not None), None)
            if group is None:
                attributes.append(Attribute(attr.group(1).lower(), None, -1, -1))
            else:
                attributes.append(
                    Attribute(
                        attr.group(1).lower(),
                        attr.group(group),
                        body_start + attr.start(group),
                        body_start + attr.end(group),
                    )
                )
        yield Tag(
            raw, name.group(1).lower(), raw.startswith("</"), tuple(attributes), match.start()
        )


def strip_tags(text: str, replacement: str = " ") -> str:
    """*text* with every tag and comment replaced by *replacement*."""
    return TAG.sub(replacement, text)


@functools.lru_cache(maxsize=65536)
def browser_form(url: str) -> str:
    """*url* as a browser may end up reading it: entities and percent-escapes decoded (twice, as
    text that passes through HTML and then a URL parser is), compatibility characters folded,
    control characters, spaces and invisible format characters dropped, lower case."""
    once = html.unescape(unquote(html.unescape(url)))
    return _INVISIBLE.sub("", unicodedata.normalize("NFKC", once)).lower()


def link_scheme(url: str) -> str:
    """The scheme of *url* as a browser reads it (:func:`browser_form`), or ``""`` when it is a
    relative address, an anchor or a scheme-relative ``//host`` URL."""
    match = _SCHEME.match(browser_form(url))
    return match.group(1) if match else ""


def unsafe_scheme(url: str) -> str | None:
    """The scheme of *url* if a reader must not follow it (not in :data:`LINKABLE_SCHEMES`)."""
    scheme = link_scheme(url)
    return scheme if scheme and scheme not in LINKABLE_SCHEMES else None


def is_linkable(url: str) -> bool:
    """May *url* be linked or loaded? Relative addresses and :data:`LINKABLE_SCHEMES` only."""
    return unsafe_scheme(url) is None


@dataclass(frozen=True)
class Target:
    """A URL a text links to or loads, and how it is written there."""

    kind: str  # "link" or "image"
    url: str
    alt: str | None
    line: int  # 1-based line of the markdown block (0 when unknown)


def markdown_tokens(source: str) -> Iterator[tuple[Token, int]]:
    """Every token of markdown *source* (block and inline), with its 1-based line."""
    stack: list[tuple[list[Token], int]] = [(_markdown().parse(source), 0)]
    while stack:
        tokens, line = stack.pop()
        for index, token in enumerate(tokens):
            here = token.map[0] + 1 if token.map else line
            yield token, here
            if token.children:
                stack.append((tokens[index + 1 :], line))
                stack.append((token.children, here))
                break


def inline_tokens(text: str) -> Iterator[Token]:
    """Every inline token of *text* read as one paragraph's inline markdown."""
    for token in _markdown().parseInline(text):
        yield token
        yield from token.children or ()


def targets_of_html(text: str, line: int = 0) -> Iterator[Target]:
    """Every URL attribute of the tags in *text*: images (``<img src>``) with their alt text,
    everything else as a link."""
    for tag in html_tags(text):
        for attr in tag.attributes:
            if attr.name not in URL_ATTRIBUTES or attr.value is None:
                continue
            if tag.name == "img" and attr.name == "src":
                yield Target("image", attr.value, tag.get("alt"), line)
            else:
                yield Target("link", attr.value, None, line)


def targets_of_token(token: Token, line: int) -> Iterator[Target]:
    """The link and image targets one markdown token holds (see :func:`link_targets`)."""
    if token.type == "image":
        yield Target("image", str(token.attrGet("src") or ""), token.content, line)
    elif token.type == "link_open":
        yield Target("link", str(token.attrGet("href") or ""), None, line)
    elif token.type in ("html_inline", "html_block"):
        yield from targets_of_html(token.content, line)


def link_targets(source: str) -> Iterator[Target]:
    """Every link and image target of markdown *source*: markdown links, images and autolinks,
    and the URL attributes of raw HTML (see :func:`targets_of_html`)."""
    yield from headings_and_targets(source)[1]


def headings_and_targets(source: str) -> tuple[list[tuple[int, int]], list[Target]]:
    """Headings as ``(level, line)`` and the link and image targets (:func:`link_targets`) of
    markdown *source*, in order; lines are 1-based."""
    plain = _plain_outline(source)
    return plain if plain is not None else markdown_it_outline(source)


def markdown_it_outline(source: str) -> tuple[list[tuple[int, int]], list[Target]]:
    """:func:`headings_and_targets` as markdown-it reads them, whatever the cell holds."""
    headings: list[tuple[int, int]] = []
    targets: list[Target] = []
    for token, line in markdown_tokens(source):
        if token.type == "heading_open":
            headings.append((int(token.tag[1]), line))
        else:
            targets.extend(targets_of_token(token, line))
    return headings, targets


# Most markdown cells are paragraphs and ATX headings with plain links and images
# (``[text](page.ipynb)``, ``![alt](figure.svg)``). For those, a scan of the lines and one regular
# expression give what markdown-it gives, at a twentieth of its cost; anything else (lists,
# quotes, code, HTML, tables, escapes, entities, setext headings, indented lines, titles,
# reference links, brackets that are not such a link) goes to markdown-it.
# ``tests/test_safety_outline.py`` holds the two readings to the same result.
#: Characters that may start HTML, code, a quote, a fence, a table, an escape or an entity, or
#: that markdown-it reads differently from the scan below (tabs, carriage returns, NUL).
_NOT_PLAIN = re.compile(r"[<>`\\&~|\t\r\x00]")
#: Line starts (after at most three spaces) of lists, thematic breaks and setext underlines.
_BLOCK_START = re.compile(r"[-+*_=]|[0-9]{1,9}[.)](?: |$)")
_ATX_HEADING = re.compile(r"(#{1,6})(?: |$)")
#: An inline link or image whose destination markdown-it keeps as written: its normalizeLink
#: changes nothing in these characters and valid percent-escapes, with a colon only after a
#: scheme (it rewrites ports and user names: ``//h::`` and ``x:@`` come out changed).
_PLAIN_LINK = re.compile(
    r"(!?)\[([^\[\]\n]*)\]\("
    r"((?:[A-Za-z][A-Za-z0-9+.\-]*:)?(?:[A-Za-z0-9\-._~/?#!$'*+,;=]|%[0-9A-Fa-f]{2})+)\)"
)


def _plain_outline(source: str) -> tuple[list[tuple[int, int]], list[Target]] | None:
    """:func:`headings_and_targets` of plain markdown (see above), or None for any other."""
    if _NOT_PLAIN.search(source):
        return None
    headings: list[tuple[int, int]] = []
    block_line: list[int] = []  # per line, the first line of its paragraph or heading
    start = 0
    for number, line in enumerate(source.split("\n"), 1):
        text = line.lstrip(" ")
        if not text:
            start = 0
            block_line.append(0)
            continue
        if len(line) - len(text) > 3 or _BLOCK_START.match(text):
            return None
        heading = _ATX_HEADING.match(text)
        if heading:
            headings.append((len(heading.group(1)), number))
            start = 0
            block_line.append(number)
            continue
        start = start or number
        block_line.append(start)
    targets: list[Target] = []
    for match in _PLAIN_LINK.finditer(source):
        first = block_line[source.count("\n", 0, match.start())]
        if match.group(1):
            targets.append(Target("image", match.group(3), match.group(2), first))
        else:
            targets.append(Target("link", match.group(3), None, first))
    if source.count("[") != len(targets):
        return None  # a bracket that is not a plain link: a reference, a nested label ...
    return headings, targets


def unsafe_links(text: str) -> set[str]:
    """The unsafe schemes (``javascript:`` ...) of every URL *text* links to, however encoded."""
    return {f"{scheme}:" for target in link_targets(text) if (scheme := unsafe_scheme(target.url))}


def unsafe_html(text: str) -> list[str]:
    """Tags and attributes in *text* that run script or load content: ``<script>``, ``on*=``,
    ``srcdoc`` ... (also when written with entities)."""
    found = []
    for tag in html_tags(html.unescape(text)):
        if tag.name in UNSAFE_TAGS:
            found.append(f"<{tag.name}>")
        for attr in tag.attributes:
            if attr.name.startswith("on") or attr.name in UNSAFE_ATTRIBUTES:
                found.append(f"{attr.name}=")
    return found


#: Tags :func:`clean_html` keeps; anything else (scripts, styles, frames, forms, SVG) goes.
ALLOWED_TAGS = frozenset(
    {
        *("a", "abbr", "b", "blockquote", "br", "caption", "code", "col", "colgroup", "dd"),
        *("del", "details", "div", "dl", "dt", "em", "figcaption", "figure", "h1", "h2", "h3"),
        *("h4", "h5", "h6", "hr", "i", "img", "kbd", "li", "mark", "ol", "p", "pre", "s"),
        *("samp", "small", "span", "strong", "sub", "summary", "sup", "table", "tbody", "td"),
        *("tfoot", "th", "thead", "tr", "u", "ul"),
    }
)
#: Attributes :func:`clean_html` keeps, by tag (``*``: on every tag); no handler, no style.
ALLOWED_ATTRIBUTES = {
    "*": {"class", "id", "title", "lang", "dir"},
    "a": {"href"},
    "img": {"src", "alt", "width", "height"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan", "scope"},
    "ol": {"start"},
}


def _attribute_filter(tag: str, name: str, value: str) -> str | None:
    return None if name in URL_ATTRIBUTES and not is_linkable(value) else value


def clean_html(
    markup: str,
    *,
    extra_tags: frozenset[str] = frozenset(),
    extra_attributes: dict[str, frozenset[str]] | None = None,
) -> str:
    """*markup* with only :data:`ALLOWED_TAGS` and :data:`ALLOWED_ATTRIBUTES` left, links whose
    scheme :func:`is_linkable` refuses removed, the text of scripts and styles dropped (nh3).
    *extra_tags* and *extra_attributes* (by tag) are kept too (feedback pages keep MathML)."""
    import nh3  # the grading extra's dependency; imported here so the light core stays light

    markup = markup.decode() if isinstance(markup, bytes) else str(markup)
    attributes = {k: set(v) for k, v in ALLOWED_ATTRIBUTES.items()}
    for tag, names in (extra_attributes or {}).items():
        attributes.setdefault(tag, set()).update(names)
    return str(
        nh3.clean(
            markup,
            tags=set(ALLOWED_TAGS) | extra_tags,
            attributes=attributes,
            url_schemes={"http", "https", "mailto"},
            attribute_filter=_attribute_filter,
        )
    )

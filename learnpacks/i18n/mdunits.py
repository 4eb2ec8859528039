"""Translatable units of a markdown cell, found with markdown-it-py's token line maps.

Units: headings, paragraphs, list items, quotes, table cells, the alt text of a paragraph
made only of images, the text of a paragraph made of one link, HTML blocks with visible
text, and ``alt`` attributes of HTML images. Code blocks, math, URLs and inline code are
never units of their own; inside a sentence they stay in the text, where ``check`` makes
sure a translation keeps them unchanged.
"""

from __future__ import annotations

import re
from dataclasses import replace

from markdown_it import MarkdownIt
from markdown_it.helpers import parseLinkLabel
from markdown_it.rules_inline import StateInline
from markdown_it.token import Token

from learnpacks.i18n.markup import has_words, strip_math_and_urls
from learnpacks.i18n.spans import Found, Segment, split_lines
from learnpacks.safety import html_tags, strip_tags

MD = MarkdownIt("commonmark").enable("table")

#: Characters that may stand before a unit's text on its line: indentation, quote and list markers, heading hashes.
_PREFIX = re.compile(r"[ \t>#*+\-0-9.)]*")
_UNESCAPED_PIPE = re.compile(r"(?<!\\)\|")
#: HTML blocks whose content is code or markup, never prose.
_RAW_HTML = re.compile(r"\s*<(?:script|style|pre|textarea|!|\?)", re.IGNORECASE)


def _find_after_prefix(line: str, text: str, prefix: re.Pattern[str] = _PREFIX) -> int:
    start = line.find(text)
    while start >= 0:
        if prefix.fullmatch(line, 0, start):
            return start
        start = line.find(text, start + 1)
    return -1


def _locate(lines: list[str], first: int, content: str) -> tuple[Segment, ...] | None:
    """Segments of *content* (an inline token's text) starting on line *first*."""
    segs = []
    for offset, piece in enumerate(content.split("\n")):
        text = piece.strip()
        row = first + offset
        if row >= len(lines):
            return None
        col = _find_after_prefix(lines[row], text) if text else -1
        if col < 0:
            return None
        segs.append(Segment(row, col, col + len(text)))
    return tuple(segs)


def _visible_text(children: list[Token]) -> str:
    """Prose of an inline token: its text tokens (not code, HTML or image alt), math and URLs removed."""
    return strip_math_and_urls("".join(c.content for c in children if c.type == "text"))


def _is_only(children: list[Token], kinds: set[str]) -> bool:
    return all(c.type in kinds or (c.type == "text" and not c.content.strip()) for c in children)


def _image_alts(token: Token, lines: list[str]) -> list[Found]:
    """Alt text of each image in a paragraph made only of images (a badge row, a figure)."""
    found: list[Found] = []
    row, col = token.map[0] if token.map else 0, 0
    for child in token.children or []:
        if child.type != "image" or not has_words(child.content) or "\n" in child.content:
            continue
        needle = "![" + child.content + "]"
        while row < len(lines) and lines[row].find(needle, col) < 0:
            row, col = row + 1, 0
        if row >= len(lines):
            return found
        start = lines[row].find(needle, col) + 2
        found.append(
            Found(
                child.content,
                "image-alt",
                f"alt text of image {child.attrGet('src')}",
                (Segment(row, start, start + len(child.content)),),
                multiline=False,
            )
        )
        col = start + len(child.content)
    return found


def _link_text(token: Token, lines: list[str]) -> Found | None:
    """The text of a paragraph made of exactly one link, without its target."""
    children = token.children or []
    if not (children and children[0].type == "link_open" and children[-1].type == "link_close"):
        return None
    if sum(c.type == "link_open" for c in children) != 1 or not token.content.startswith("["):
        return None
    end = parseLinkLabel(StateInline(token.content, MD, {}, []), 0, True)
    if end < 0:
        return None
    label = token.content[1:end]
    if "\n" in label or not has_words(strip_math_and_urls(label)) or token.map is None:
        return None
    row = token.map[0]
    col = _find_after_prefix(lines[row], "[" + label + "]")
    if col < 0:
        return None
    href = children[0].attrGet("href")
    return Found(
        label,
        "link-text",
        f"text of a link to {href}",
        (Segment(row, col + 1, col + 1 + len(label)),),
        multiline=False,
    )


def _table_cells(line: str) -> list[tuple[int, int]]:
    """Column ranges of the cells of one table row, stripped of spaces."""
    bounds = [-1, *(m.start() for m in _UNESCAPED_PIPE.finditer(line)), len(line)]
    cells = []
    for a, b in zip(bounds, bounds[1:], strict=False):
        start, end = a + 1, b
        while start < end and line[start] in " \t":
            start += 1
        while end > start and line[end - 1] in " \t":
            end -= 1
        cells.append((start, end))
    if line.strip().startswith("|"):
        cells = cells[1:]
    if line.strip().endswith("|") and not line.rstrip().endswith("\\|"):
        cells = cells[:-1]
    return cells


def _html_block(token: Token, lines: list[str]) -> list[Found]:
    if token.map is None or _RAW_HTML.match(token.content):
        return []
    rows = [r for r in range(token.map[0], token.map[1]) if r < len(lines) and lines[r].strip()]
    if has_words(strip_math_and_urls(strip_tags(token.content))):
        segs = []
        for row in rows:
            text = lines[row].strip()
            col = lines[row].find(text)
            segs.append(Segment(row, col, col + len(text)))
        text = "\n".join(lines[s.line][s.start : s.end] for s in segs)
        return [Found(text, "html", "HTML block (keep its tags as they are)", tuple(segs))]
    found = []
    for row in rows:
        for tag in html_tags(lines[row]):
            alt = tag.attribute("alt") if tag.name == "img" else None
            if alt is not None and alt.raw is not None and has_words(alt.raw):
                found.append(
                    Found(
                        alt.raw,
                        "html-alt",
                        "alt text of an HTML image",
                        (Segment(row, alt.start, alt.end),),
                        multiline=False,
                    )
                )
    return found


#: MyST directives whose body is markdown (```{note} fences): their text is translated.
MARKDOWN_DIRECTIVES = frozenset(
    {"note", "tip", "hint", "important", "warning", "caution", "attention", "danger", "error", "seealso",
     "admonition", "dropdown", "margin", "sidebar", "topic", "epigraph", "exercise", "solution", "figure"}
)  # fmt: skip
#: Directives whose argument is a title (others take a path or nothing).
_TITLED = frozenset({"admonition", "dropdown", "sidebar", "topic", "margin", "exercise"})
_DIRECTIVE_INFO = re.compile(r"^\{([\w:-]+)\}\s*(.*)$")
_OPTION = re.compile(r"^\s*:[\w-]+:")
_COLON_FENCE = re.compile(r"^\s*:{3,}")


def _directive(token: Token, lines: list[str]) -> list[Found]:
    """Units inside a MyST directive fence with a markdown body (```{note}), and its title."""
    match = _DIRECTIVE_INFO.match(token.info.strip())
    if token.map is None or not match or match.group(1) not in MARKDOWN_DIRECTIVES:
        return []
    name, title = match.group(1), match.group(2).strip()
    opener = token.map[0]
    found: list[Found] = []
    if title and name in _TITLED and has_words(title):
        col = lines[opener].rfind(title)
        if col >= 0:
            found.append(
                Found(
                    title,
                    "heading",
                    f"title of a {{{name}}} box",
                    (Segment(opener, col, col + len(title)),),
                    multiline=False,
                )
            )
    body = token.content.split("\n")[:-1]
    offsets = []
    for i, text in enumerate(body):
        row = opener + 1 + i
        if row >= len(lines) or not lines[row].endswith(text):
            return found
        offsets.append(len(lines[row]) - len(text))
    # leading options (":class: tip") or a YAML block are settings, not text
    n = 0
    if body[:1] == ["---"]:
        n = next((k + 1 for k in range(1, len(body)) if body[k] == "---"), 0)
    while n < len(body) and _OPTION.match(body[n]):
        n += 1
    inner = markdown_units("\n".join([""] * n + body[n:]))
    for item in inner:
        segs = tuple(
            Segment(opener + 1 + g.line, g.start + offsets[g.line], g.end + offsets[g.line])
            for g in item.segments
        )
        found.append(replace(item, segments=segs, note=f"{item.note} (in a {{{name}}} box)"))
    return found


def _trim_colon_fence(segs: tuple[Segment, ...], lines: list[str]) -> tuple[Segment, ...]:
    """A paragraph's segments without MyST colon-fence lines (``:::{note}``, its options, ``:::``)."""
    rest = list(segs)

    def text(seg: Segment) -> str:
        return lines[seg.line][seg.start : seg.end]

    while rest and _COLON_FENCE.match(text(rest[0])):
        rest.pop(0)
        while rest and _OPTION.match(text(rest[0])):
            rest.pop(0)
    while rest and _COLON_FENCE.match(text(rest[-1])):
        rest.pop()
    return tuple(rest)


def markdown_units(source: str) -> list[Found]:
    """The translatable units of one markdown cell, in reading order."""
    lines, _ends = split_lines(source)
    tokens = MD.parse(source)
    found: list[Found] = []
    containers: list[str] = []
    row_cells: dict[int, list[tuple[int, int]]] = {}
    cell_index = 0
    for i, token in enumerate(tokens):
        kind = token.type
        if kind in ("blockquote_open", "list_item_open"):
            containers.append(kind)
        elif kind in ("blockquote_close", "list_item_close"):
            containers.pop()
        elif kind == "tr_open":
            cell_index = 0
        elif kind == "html_block":
            found += _html_block(token, lines)
        elif kind == "fence":
            found += _directive(token, lines)
        elif kind == "inline" and token.map is not None:
            parent = tokens[i - 1]
            children = token.children or []
            if parent.type in ("th_open", "td_open"):
                row = token.map[0]
                cells = row_cells.setdefault(row, _table_cells(lines[row]))
                index, cell_index = cell_index, cell_index + 1
                if index >= len(cells) or not has_words(_visible_text(children)):
                    continue
                start, end = cells[index]
                what = "table header cell" if parent.type == "th_open" else "table cell"
                found.append(
                    Found(
                        lines[row][start:end],
                        "table-cell",
                        what,
                        (Segment(row, start, end),),
                        multiline=False,
                    )
                )
                continue
            fenced = parent.type == "paragraph_open" and any(
                _COLON_FENCE.match(line) for line in token.content.split("\n")
            )
            if fenced:
                located = _locate(lines, token.map[0], token.content)
                kept = _trim_colon_fence(located, lines) if located else ()
                text = "\n".join(lines[g.line][g.start : g.end] for g in kept)
                if kept and has_words(strip_math_and_urls(text)):
                    found.append(Found(text, "paragraph", "paragraph", kept))
                continue
            if not has_words(_visible_text(children)):
                if _is_only(children, {"image", "softbreak", "link_open", "link_close"}):
                    found += _image_alts(token, lines)
                continue
            if parent.type == "paragraph_open":
                link = _link_text(token, lines)
                if link is not None:
                    found.append(link)
                    continue
            segs = _locate(lines, token.map[0], token.content)
            if segs is None:
                continue
            text = "\n".join(lines[s.line][s.start : s.end] for s in segs)
            if parent.type == "heading_open":
                found.append(
                    Found(
                        text,
                        "heading",
                        f"heading (level {parent.tag[1:]})",
                        segs,
                        multiline=parent.markup == "=" or parent.markup == "-",
                    )
                )
            elif containers and containers[-1] == "list_item_open":
                found.append(Found(text, "list-item", "list item", segs))
            elif containers:
                found.append(Found(text, "quote", "paragraph in a quote", segs))
            else:
                found.append(Found(text, "paragraph", "paragraph", segs))
    return found

"""Where a translatable unit sits in a cell's source, and how a translation replaces it.

A unit found in a cell keeps its *segments*: for each source line it covers, the column range
of its text. Everything outside those ranges (container markers such as ``> `` or ``- ``,
heading hashes, indentation, table pipes, the rest of a code line) is kept byte for byte, so
substituting every unit's own text gives back the cell exactly. Markdown is never re-rendered.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

_LINE_END = re.compile(r"\r\n|\r|\n")
_LIST_MARKER = re.compile(r"[-+*](?=[ \t]|$)|\d{1,9}[.)](?=[ \t]|$)")


@dataclass(frozen=True)
class Segment:
    """Columns ``start:end`` of the 0-based *line* of a cell's source."""

    line: int
    start: int
    end: int


@dataclass(frozen=True)
class Found:
    """A unit found in one cell: its text, what it is, and where it sits.

    ``flat`` units (code strings and comments) are replaced as one range and their
    replacement is computed by the caller; the others are replaced line by line.
    """

    text: str
    kind: str
    note: str
    segments: tuple[Segment, ...]
    multiline: bool = True
    flat: bool = False
    #: for code strings: the literal as written, kept when the translation equals the source
    literal: str = ""


def split_lines(source: str) -> tuple[list[str], list[str]]:
    """Lines of *source* without their endings, and the endings (the last may be ``""``)."""
    lines: list[str] = []
    ends: list[str] = []
    pos = 0
    for match in _LINE_END.finditer(source):
        lines.append(source[pos : match.start()])
        ends.append(match.group())
        pos = match.end()
    lines.append(source[pos:])
    ends.append("")
    return lines, ends


def continuation_prefix(prefix: str) -> str:
    """The prefix for a new line under a first line that had *prefix* (list markers become spaces)."""
    return _LIST_MARKER.sub(lambda m: " " * len(m.group()), prefix).replace("#", " ")


def _offsets(lines: list[str], ends: list[str]) -> list[int]:
    starts = []
    pos = 0
    for line, end in zip(lines, ends, strict=True):
        starts.append(pos)
        pos += len(line) + len(end)
    return starts


def line_replacement(found: Found, text: str, lines: list[str], ends: list[str]) -> str:
    """What replaces *found*'s range (first segment's start to last segment's end) to show *text*.

    With as many lines as the source, each line keeps its own prefix and suffix. Otherwise
    new lines take the prefix of the unit's second line (or one derived from its first), so a
    list item or a quote stays one.
    """
    segs = found.segments
    prefixes = [lines[s.line][: s.start] for s in segs]
    suffixes = [lines[s.line][s.end :] for s in segs]
    if found.multiline:
        new_lines = [t.strip() for t in _LINE_END.split(text)]
        new_lines = [t for t in new_lines if t] or [""]
    else:
        new_lines = [" ".join(text.split())]
    if len(new_lines) == len(segs):
        parts = [new_lines[0]]
        for i in range(1, len(segs)):
            parts.append(suffixes[i - 1] + ends[segs[i - 1].line] + prefixes[i] + new_lines[i])
        return "".join(parts)
    cont = prefixes[1] if len(segs) > 1 else continuation_prefix(prefixes[0])
    sep = ends[segs[0].line] or "\n"
    return (sep + cont).join(new_lines)


def splice(source: str, replacements: Iterable[tuple[Found, str]]) -> str:
    """*source* with each found unit replaced: flat ones by the given code, others line by line."""
    lines, ends = split_lines(source)
    starts = _offsets(lines, ends)
    edits: list[tuple[int, int, str]] = []
    for found, text in replacements:
        first, last = found.segments[0], found.segments[-1]
        new = text if found.flat else line_replacement(found, text, lines, ends)
        edits.append((starts[first.line] + first.start, starts[last.line] + last.end, new))
    edits.sort(key=lambda e: (e[0], e[1]))
    out = []
    pos = 0
    for start, end, new in edits:
        if start < pos:
            raise ValueError("overlapping units in one cell")
        out.append(source[pos:start])
        out.append(new)
        pos = end
    out.append(source[pos:])
    return "".join(out)

"""Checks on markdown cells: heading levels, image alt text, links and media targets."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

from markdown_it import MarkdownIt
from markdown_it.token import Token

from learnpacks.checks.notebook_file import cell_location
from learnpacks.errors import Problem

_MD = MarkdownIt("commonmark").enable("table")
# Keep every link as a token, even the ones markdown-it would refuse to render, so they can be reported.
_MD.validateLink = lambda url: True  # type: ignore[method-assign]
_IMG_TAG = re.compile(r"<img\b([^>]*)>", re.IGNORECASE | re.DOTALL)
_ATTR = re.compile(r"""\b([a-zA-Z-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s>]+))""")
_A_TAG = re.compile(r"<a\b([^>]*)>", re.IGNORECASE | re.DOTALL)
#: Schemes a reader may follow. Everything else (javascript:, vbscript:, file:, data: ...) is refused.
SAFE_SCHEMES = {"http", "https", "mailto"}


@dataclass
class Target:
    """A link or image target found in markdown."""

    kind: str  # "link" or "image"
    url: str
    alt: str | None
    line: int


def _attrs(text: str) -> dict[str, str]:
    return {
        m.group(1).lower(): next(g for g in m.groups()[1:] if g is not None)
        for m in _ATTR.finditer(text)
    }


def _walk(tokens: list[Token], line: int = 0) -> Iterator[tuple[Token, int]]:
    for token in tokens:
        here = token.map[0] + 1 if token.map else line
        yield token, here
        if token.children:
            yield from _walk(token.children, here)


def headings_and_targets(source: str) -> tuple[list[tuple[int, int]], list[Target]]:
    """Headings as ``(level, line)`` and link/image targets of one markdown cell."""
    headings: list[tuple[int, int]] = []
    targets: list[Target] = []
    for token, line in _walk(_MD.parse(source)):
        if token.type == "heading_open":
            headings.append((int(token.tag[1]), line))
        elif token.type == "image":
            targets.append(Target("image", str(token.attrGet("src") or ""), token.content, line))
        elif token.type == "link_open":
            targets.append(Target("link", str(token.attrGet("href") or ""), None, line))
        elif token.type in ("html_inline", "html_block"):
            for match in _IMG_TAG.finditer(token.content):
                attrs = _attrs(match.group(1))
                targets.append(Target("image", attrs.get("src", ""), attrs.get("alt"), line))
            for match in _A_TAG.finditer(token.content):
                attrs = _attrs(match.group(1))
                if "href" in attrs:
                    targets.append(Target("link", attrs["href"], None, line))
    return headings, targets


def _scheme(url: str) -> str:
    # Browsers ignore control characters and whitespace inside a scheme: "java\tscript:" is javascript:.
    cleaned = re.sub(r"[\x00-\x20]", "", unquote(url)).lower()
    match = re.match(r"^([a-z][a-z0-9+.-]*):", cleaned)
    return match.group(1) if match else ""


def check_target(
    target: Target,
    *,
    notebook: Path,
    repo_root: Path,
    attachments: set[str],
    display: str,
    where: str,
) -> list[Problem]:
    """Is the link or image *target* safe, and does a local one point at a file inside the repository?"""
    url = target.url.strip()
    problems: list[Problem] = []
    if target.kind == "image" and not (target.alt or "").strip():
        problems.append(
            Problem(
                display,
                "nb.image-alt-missing",
                f"image {url!r} has no alt text",
                where,
                hint="describe the image: ![what it shows](path)",
            )
        )
    if not url or url.startswith("#"):
        return problems
    scheme = _scheme(url)
    if scheme == "attachment":
        name = url.split(":", 1)[1]
        if name not in attachments:
            problems.append(
                Problem(
                    display, "nb.link-broken", f"attachment {name!r} is not in this cell", where
                )
            )
        return problems
    if scheme:
        if scheme not in SAFE_SCHEMES:
            problems.append(
                Problem(
                    display,
                    "nb.link-unsafe",
                    f"{target.kind} uses the {scheme}: scheme",
                    where,
                    hint="use http(s) links or files in the pack",
                )
            )
        return problems
    if url.startswith("//"):
        return problems
    path_part = unquote(urlsplit(url).path)
    if not path_part:
        return problems
    resolved = (
        (repo_root / path_part.lstrip("/"))
        if path_part.startswith("/")
        else (notebook.parent / path_part)
    )
    resolved = resolved.resolve()
    try:
        resolved.relative_to(repo_root.resolve())
    except ValueError:
        problems.append(
            Problem(
                display,
                "nb.link-outside-repo",
                f"{target.kind} {url!r} points outside the repository",
                where,
            )
        )
        return problems
    if not resolved.exists():
        problems.append(
            Problem(
                display,
                "nb.link-broken",
                f"{target.kind} {url!r} points to a file that does not exist",
                where,
            )
        )
    return problems


def check_markdown_cells(
    cells: list, *, notebook: Path, repo_root: Path, display: str
) -> list[Problem]:
    """Heading order across the notebook, and every image and link in its markdown cells."""
    problems: list[Problem] = []
    previous = 0
    for index, cell in enumerate(cells):
        if cell.get("cell_type") != "markdown":
            continue
        source = cell.get("source", "")
        headings, targets = headings_and_targets(source)
        for level, line in headings:
            where = cell_location(index, cell, line)
            if previous == 0 and level != 1:
                problems.append(
                    Problem(
                        display,
                        "nb.heading-skip",
                        f"the notebook's first heading is level {level}; start with a level-1 title",
                        where,
                    )
                )
            elif previous and level > previous + 1:
                problems.append(
                    Problem(
                        display,
                        "nb.heading-skip",
                        f"heading level {level} follows level {previous}",
                        where,
                        hint=f"use level {previous + 1}",
                    )
                )
            previous = level
        attachments = set((cell.get("attachments") or {}).keys())
        for target in targets:
            problems += check_target(
                target,
                notebook=notebook,
                repo_root=repo_root,
                attachments=attachments,
                display=display,
                where=cell_location(index, cell, target.line),
            )
    return problems

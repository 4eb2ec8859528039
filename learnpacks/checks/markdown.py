"""Checks on markdown cells: heading levels, image alt text, links and media targets."""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import unquote, urlsplit

from learnpacks.checks.notebook_file import cell_location
from learnpacks.errors import Problem
from learnpacks.packs.realpaths import realpath
from learnpacks.safety import LINKABLE_SCHEMES, Target, headings_and_targets, link_scheme

__all__ = ["Target", "check_markdown_cells", "check_target", "headings_and_targets"]


class _Files:
    """Where a notebook's local links lead: inside the repository (links followed), and whether
    the file exists; kept for one notebook, which often links the same files."""

    def __init__(self, folder: Path, root: Path) -> None:
        self.folder, self.root = str(folder), str(root)
        self.real_root = realpath(self.root)
        self._found: dict[str, tuple[bool, bool]] = {}

    def find(self, path: str) -> tuple[bool, bool]:
        if path not in self._found:
            self._found[path] = _local_file(self.folder, self.root, self.real_root, path)
        return self._found[path]


def _local_file(folder: str, root: str, real_root: str, path: str) -> tuple[bool, bool]:
    """Is *path* (relative to *folder*, or to *root* when it starts with ``/``) inside the
    repository once links are followed, and does it exist?"""
    base = root if path.startswith("/") else folder
    resolved = realpath(os.path.join(base, path.lstrip("/")))
    inside = resolved == real_root or resolved.startswith(real_root.rstrip(os.sep) + os.sep)
    return inside, inside and os.path.exists(resolved)


def check_target(
    target: Target,
    *,
    notebook: Path,
    repo_root: Path,
    attachments: set[str],
    display: str,
    where: str,
    files: _Files | None = None,
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
    scheme = link_scheme(url)
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
        if scheme not in LINKABLE_SCHEMES:
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
    inside, exists = (files or _Files(notebook.parent, repo_root)).find(path_part)
    if not inside:
        problems.append(
            Problem(
                display,
                "nb.link-outside-repo",
                f"{target.kind} {url!r} points outside the repository",
                where,
            )
        )
        return problems
    if not exists:
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
    files = _Files(notebook.parent, repo_root)
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
                files=files,
            )
    return problems

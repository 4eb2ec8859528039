"""Pack-level checks: notebooks listed and present, media files, prerequisites."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING

from learnpacks.checks.widgets import MediaLimits
from learnpacks.errors import Problem
from learnpacks.packs.realpaths import resolve

if TYPE_CHECKING:  # the catalog's models import pydantic, which a check imports late (fanout)
    from learnpacks.packs.catalog import Catalog, Pack


def _local(source: str) -> bool:
    return "://" not in source and not source.startswith(("//", "mailto:"))


def _inside(path: Path, folder: Path) -> bool:
    try:
        resolve(path).relative_to(resolve(folder))
    except ValueError:
        return False
    return True


def check_pack_files(
    catalog: Catalog, pack: Pack, *, limits: MediaLimits | None = None
) -> Iterator[Problem]:
    """Notebooks listed and present; ``media`` files inside the pack, present, not too large."""
    limits = limits or MediaLimits()
    display = catalog.rel(pack.folder / "pack.yml")
    for index, name in enumerate(pack.meta.notebooks):
        if not (pack.folder / name).is_file():
            yield Problem(
                display,
                "pack.missing-notebook",
                f"notebook {name!r} is listed but not in the pack folder",
                f"notebooks[{index}]",
            )
    listed = set(pack.meta.notebooks)
    for path in sorted(pack.folder.glob("*.ipynb")):
        if path.name not in listed:
            yield Problem(
                catalog.rel(path),
                "pack.unlisted-notebook",
                "notebook is not listed in pack.yml 'notebooks', so it is not published",
                severity="warning",
            )
    for index, media in enumerate(pack.meta.media):
        files = [("source", media.source)] if _local(media.source) else []
        files += [(f"captions[{i}].file", c.file) for i, c in enumerate(media.captions)]
        if media.transcript:
            files.append(("transcript", media.transcript))
        for key, rel in files:
            target = pack.folder / rel
            where = f"media[{index}].{key}"
            if not _inside(target, pack.folder):
                yield Problem(
                    display, "pack.media-outside", f"{rel!r} is outside the pack folder", where
                )
            elif not target.is_file():
                yield Problem(
                    display,
                    "pack.media-missing",
                    f"{rel!r} does not exist in the pack folder",
                    where,
                )
            elif key == "source" and target.stat().st_size > limits.max_media_bytes:
                yield Problem(
                    display,
                    "media.too-large",
                    f"{rel!r} is {target.stat().st_size / 1048576:.1f} MB; the limit is "
                    f"{limits.max_media_bytes / 1048576:.1f} MB",
                    where,
                    hint="thresholds.max_media_mb in packs/_config.yml, or host it on "
                    "Wikimedia Commons",
                )


def check_prerequisites(catalog: Catalog, pack_ids: list[str]) -> Iterator[Problem]:
    """Unknown prerequisites, and cycles (reported once, on the pack where the cycle closes)."""
    graph = {pid: list(p.meta.prerequisites) for pid, p in catalog.packs.items()}
    known = set(graph) | set(catalog.broken)
    for pid in pack_ids:
        pack = catalog.packs[pid]
        for index, prereq in enumerate(pack.meta.prerequisites):
            if prereq not in known:
                yield Problem(
                    catalog.rel(pack.folder / "pack.yml"),
                    "pack.unknown-prerequisite",
                    f"prerequisite {prereq!r} is not a pack in this catalog",
                    f"prerequisites[{index}]",
                    hint="known packs: " + ", ".join(sorted(graph)),
                )
    reported: set[frozenset[str]] = set()
    for start in pack_ids:
        for cycle in _cycles_from(start, graph):
            key = frozenset(cycle)
            if key in reported:
                continue
            reported.add(key)
            pack = catalog.packs[start]
            yield Problem(
                catalog.rel(pack.folder / "pack.yml"),
                "pack.prerequisite-cycle",
                "prerequisites form a cycle: " + " → ".join([*cycle, cycle[0]]),
                "prerequisites",
            )


def _cycles_from(start: str, graph: dict[str, list[str]]) -> Iterator[list[str]]:
    """Cycles through *start*, by depth-first search over prerequisites."""
    # Each pack is reached once (``seen``, which holds every pack on a path but *start*), so
    # the path to it is its predecessor's and itself: kept as links back, not as copies, which
    # made a long chain of prerequisites cost the cube of its length.
    before: dict[str, str] = {}
    stack = [start]
    seen: set[str] = set()
    while stack:
        node = stack.pop()
        for nxt in graph.get(node, []):
            if nxt == start:
                yield _path_to(node, before)
            elif nxt not in seen and nxt in graph:
                seen.add(nxt)
                before[nxt] = node
                stack.append(nxt)


def _path_to(node: str, before: dict[str, str]) -> list[str]:
    """The path from the search's start to *node*, read back along *before*."""
    path = [node]
    while path[-1] in before:
        path.append(before[path[-1]])
    return path[::-1]

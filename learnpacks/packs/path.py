"""The learning path: the order in which the packs' prerequisites lead a learner through them.

The *main line* is the longest chain of prerequisites (on the shipped catalog: welcome → policies →
licenses → Wikidata → API). Every other pack *branches* from the last step of the main line it
builds on (``partnering-with-wikimedia`` needs welcome and licenses: it branches from licenses).
Packs that build on no main-line pack are listed apart. The site draws the path on the landing page
and orders the catalog's cards along it (:func:`learning_path`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class Step:
    """One pack of the main line, with the packs that branch from it (in path order)."""

    pack_id: str
    branches: tuple[str, ...] = ()


@dataclass(frozen=True)
class LearningPath:
    steps: tuple[Step, ...]
    #: packs that build on no pack of the main line (an independent start, or a second
    #: prerequisite of a main-line pack that needs nothing itself)
    others: tuple[str, ...] = ()

    @property
    def order(self) -> list[str]:
        """Every pack once: the main line, then each step's branches, then the others."""
        return [
            *(s.pack_id for s in self.steps),
            *(b for s in self.steps for b in s.branches),
            *self.others,
        ]

    def position(self, pack_id: str) -> tuple[int, str | None]:
        """(step number from 1, None) for a main-line pack; (0, the step's pack) for a branch;
        (0, None) for the others."""
        for number, step in enumerate(self.steps, start=1):
            if step.pack_id == pack_id:
                return number, None
            if pack_id in step.branches:
                return 0, step.pack_id
        return 0, None


def learning_path(
    prerequisites: Mapping[str, Sequence[str]],
    *,
    key: Callable[[str], object] = str,
) -> LearningPath:
    """The path through the packs *prerequisites* names (pack id → its prerequisites' ids).

    Prerequisites that are not in the mapping are ignored, and so is the edge that closes a cycle
    (``learnpacks check`` reports both). *key* breaks ties (equally long chains, branches from
    the same step): e.g. the level, then the title.
    """
    graph = {pid: [q for q in prerequisites[pid] if q in prerequisites] for pid in prerequisites}
    depth: dict[str, int] = {}

    def depth_of(pid: str, visiting: frozenset[str] = frozenset()) -> int:
        if pid not in depth:
            below = [depth_of(q, visiting | {pid}) for q in graph[pid] if q not in visiting]
            depth[pid] = 1 + max(below, default=-1)
        return depth[pid]

    ids = sorted(prerequisites, key=lambda pid: (key(pid), pid))
    if not ids:
        return LearningPath(())
    for pid in ids:
        depth_of(pid)
    # The main line ends at the deepest pack, and walks back through its deepest prerequisite.
    line = [max(ids, key=lambda pid: (depth[pid], -ids.index(pid)))]
    while depth[line[-1]] > 0:
        prior = [q for q in graph[line[-1]] if depth[q] == depth[line[-1]] - 1]
        line.append(min(prior, key=ids.index))
    line.reverse()
    index = {pid: n for n, pid in enumerate(line)}

    ancestors: dict[str, set[str]] = {}

    def ancestors_of(pid: str, visiting: frozenset[str] = frozenset()) -> set[str]:
        if pid not in ancestors:
            found: set[str] = set()
            for q in graph[pid]:
                if q not in visiting:
                    found |= {q} | ancestors_of(q, visiting | {pid})
            ancestors[pid] = found
        return ancestors[pid]

    branches: dict[str, list[str]] = {pid: [] for pid in line}
    others = []
    for pid in sorted(ids, key=lambda p: (depth[p], ids.index(p))):
        if pid in index:
            continue
        on_line = [index[a] for a in ancestors_of(pid) if a in index]
        if on_line:
            branches[line[max(on_line)]].append(pid)
        else:
            others.append(pid)
    return LearningPath(tuple(Step(pid, tuple(branches[pid])) for pid in line), tuple(others))

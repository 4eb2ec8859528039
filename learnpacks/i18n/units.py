"""A pack's translatable units: what ``extract`` offers and what ``build`` substitutes.

Every unit has a stable id, used as the PO ``msgctxt``: ``<notebook>#<cell-id>#<n>`` for the
*n*-th unit of a cell, ``pack.yml#title``, ``pack.yml#summary``, ``pack.yml#objectives#<n>``,
``pack.yml#topics#<n>`` and ``pack.yml#audience#<n>`` for the pack's metadata. Identical strings in different places stay separate entries, and a
changed unit keeps its id, which is what lets ``update`` mark it fuzzy.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from pathlib import Path

import nbformat

from learnpacks.checks.notebook_file import read_notebook
from learnpacks.errors import Problem
from learnpacks.i18n.graded import Withheld, split_offered
from learnpacks.i18n.mdunits import markdown_units
from learnpacks.i18n.pyunits import code_units
from learnpacks.i18n.spans import Found
from learnpacks.packs.catalog import Catalog, Pack

PACK_FILE_UNIT = "pack.yml"
#: Unit kinds that are markdown (their translations are checked as markdown).
MARKDOWN_KINDS = frozenset(
    {
        "heading",
        "paragraph",
        "list-item",
        "quote",
        "table-cell",
        "image-alt",
        "link-text",
        "html",
        "html-alt",
    }
)


@dataclass(frozen=True)
class Unit:
    """One translatable piece of text and where it comes from."""

    id: str
    text: str
    kind: str
    note: str
    #: the file, relative to the project root (for ``#:`` references)
    file: str
    #: the cell id, or the metadata field
    where: str
    found: Found | None = field(default=None, compare=False, repr=False)
    cell_index: int | None = field(default=None, compare=False)

    @property
    def group(self) -> str:
        """The cell (or metadata field) the unit belongs to: its id without the last part."""
        return self.id.rsplit("#", 1)[0]


@dataclass
class NotebookUnits:
    path: Path
    name: str
    notebook: nbformat.NotebookNode
    units: list[Unit]


@dataclass
class PackUnits:
    """Everything translatable in a pack, in a stable order: metadata, then notebooks in reading order."""

    pack: Pack
    meta: list[Unit]
    notebooks: list[NotebookUnits]
    problems: list[Problem] = field(default_factory=list)
    #: what extraction kept from translators, by cell (``<notebook>#<cell-id>``)
    withheld: dict[str, Withheld] = field(default_factory=dict)

    @property
    def units(self) -> list[Unit]:
        return [*self.meta, *(u for nb in self.notebooks for u in nb.units)]

    @functools.cached_property
    def cell_sources(self) -> dict[str, str]:
        """The source of the cell each notebook unit is in, by unit id."""
        return {
            u.id: nb.notebook.cells[u.cell_index].get("source", "")
            for nb in self.notebooks
            for u in nb.units
            if u.cell_index is not None
        }


def meta_units(catalog: Catalog, pack: Pack) -> list[Unit]:
    file = catalog.rel(pack.folder / PACK_FILE_UNIT)
    units = [
        Unit(
            f"{PACK_FILE_UNIT}#title",
            pack.meta.title,
            "title",
            "pack title, shown in the catalog",
            file,
            "title",
        ),
        Unit(
            f"{PACK_FILE_UNIT}#summary",
            pack.meta.summary,
            "summary",
            "pack summary, one or two sentences for the catalog card",
            file,
            "summary",
        ),
    ]
    for n, objective in enumerate(pack.meta.objectives, 1):
        units.append(
            Unit(
                f"{PACK_FILE_UNIT}#objectives#{n}",
                objective,
                "objective",
                f"learning objective {n} (what a learner can do afterwards)",
                file,
                f"objectives[{n}]",
            )
        )
    for field_name, note in (
        (
            "topics",
            "pack topic {n}: a catalog filter, a search facet and a word on the pack's card. A short "
            "noun phrase, lower case unless a name; translate a topic that several packs share the same "
            "way in each (the Topic filter shows one name for it)",
        ),
        (
            "audience",
            "pack audience {n}: who the pack is for, shown after 'For' on the pack's overview. A short "
            "plural noun phrase",
        ),
    ):
        for n, text in enumerate(getattr(pack.meta, field_name), 1):
            units.append(
                Unit(
                    f"{PACK_FILE_UNIT}#{field_name}#{n}",
                    text,
                    "title",
                    note.format(n=n),
                    file,
                    f"{field_name}[{n}]",
                )
            )
    return units


def cell_units(
    nb: nbformat.NotebookNode,
    *,
    name: str,
    file: str,
    withheld: dict[str, Withheld] | None = None,
) -> tuple[list[Unit], list[Problem]]:
    """Units of every cell of notebook *name*, and problems that affect their ids.

    Graded code and keys are never units (:mod:`learnpacks.i18n.graded`); what was left out is
    added to *withheld*, by cell, when given.
    """
    units: list[Unit] = []
    problems: list[Problem] = []
    seen: set[str] = set()
    for index, cell in enumerate(nb.cells):
        cell_id = str(cell.get("id") or f"cell-{index + 1}")
        if cell_id in seen:
            problems.append(
                Problem(
                    file,
                    "i18n.duplicate-cell-id",
                    f"cell id {cell_id!r} is used twice; its units get the id {cell_id}~{index + 1}",
                    f"cell {index + 1}",
                    "warning",
                )
            )
            cell_id = f"{cell_id}~{index + 1}"
        seen.add(cell_id)
        source = cell.get("source", "")
        if cell.get("cell_type") == "markdown":
            found = markdown_units(source)
        elif cell.get("cell_type") == "code":
            found = code_units(source)
        else:
            continue
        found, kept_back = split_offered(cell, found)
        if kept_back is not None and withheld is not None:
            withheld[f"{name}#{cell_id}"] = kept_back
        for n, item in enumerate(found, 1):
            units.append(
                Unit(
                    f"{name}#{cell_id}#{n}",
                    item.text,
                    item.kind,
                    item.note,
                    file,
                    cell_id,
                    item,
                    index,
                )
            )
    return units, problems


def pack_units(catalog: Catalog, pack: Pack) -> PackUnits:
    """Read the pack's notebooks and find their units. Unreadable notebooks are reported, not raised."""
    result = PackUnits(pack, meta_units(catalog, pack), [])
    for path in pack.notebook_paths():
        display = catalog.rel(path)
        nb, problems = read_notebook(path, display)
        result.problems += problems
        if nb is None:
            continue
        units, problems = cell_units(nb, name=path.name, file=display, withheld=result.withheld)
        result.problems += problems
        result.notebooks.append(NotebookUnits(path, path.name, nb, units))
    return result

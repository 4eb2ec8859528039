"""Turning a learner's notebook into the notebook that is run: the authority decides.

Rules (THREATS.md 5, 8, 9, 12-15, 20-23):

* cells are matched to the authority by ``grade_id``, never by position;
* a locked or test cell runs the authoritative source, type and metadata, whatever was
  submitted; a changed, deleted or re-typed one is restored and *flagged for review*;
* an answer cell keeps the learner's source, under the authority's type and metadata;
* a second cell claiming an id already seen, or an id the authority does not know, becomes an
  ordinary learner cell (it runs, it is never graded);
* learner cells keep no metadata at all (no tags, no executor hints); notebook metadata is
  replaced by the release's kernelspec and language info;
* every output and execution count is cleared.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass, field
from typing import Any

import nbformat
from nbformat import NotebookNode
from nbformat.v4 import new_notebook
from nbformat.v4.nbbase import random_cell_id

from learnpacks.grading.authority import AuthCell, Authority

#: notebook metadata keys that steer an executor or a grader: a submission must not carry them
EXECUTION_KEYS = ("mystnb", "execution", "nbgrader", "papermill", "nbclient", "nbval", "otter")


@dataclass(frozen=True)
class Finding:
    """Something noticed about one submission; ``review`` ones withhold the cell's score."""

    code: str
    message: str
    grade_id: str = ""
    review: bool = True

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "message": self.message,
            "grade_id": self.grade_id,
            "review": self.review,
        }


@dataclass
class Prepared:
    """The notebook to run and what was found while building it."""

    notebook: NotebookNode
    findings: list[Finding] = field(default_factory=list)

    def flagged_ids(self) -> set[str]:
        return {f.grade_id for f in self.findings if f.review and f.grade_id}


def _new_cell(cell_type: str, source: str) -> NotebookNode:
    """A fresh cell as nbformat's ``new_code_cell`` (``new_markdown_cell``, ``new_raw_cell``)
    makes it, without checking each against the schema: :func:`prepare` validates the whole
    notebook at its end, and a check per cell was a sixth of a notebook's preparation."""
    cell = NotebookNode(
        id=random_cell_id(), cell_type=cell_type, metadata=NotebookNode(), source=source
    )
    if cell_type == "code":
        cell.update(execution_count=None, outputs=[])
    return cell


def _authority_cell(auth: AuthCell, source: str) -> NotebookNode:
    cell = _new_cell(auth.cell_type, source)
    cell.metadata = NotebookNode({"nbgrader": auth.nbgrader_metadata()})
    if auth.locked:
        cell.metadata["editable"] = False
        cell.metadata["deletable"] = False
    return cell


def _claimed_id(cell: Any) -> str | None:
    meta = cell.get("metadata") if isinstance(cell, dict) else None
    nbg = meta.get("nbgrader") if isinstance(meta, dict) else None
    grade_id = nbg.get("grade_id") if isinstance(nbg, dict) else None
    return grade_id if isinstance(grade_id, str) else None


def _source(cell: Any) -> str:
    src = cell.get("source", "")
    return "".join(src) if isinstance(src, list) else str(src)


def _effectively_locked(nbg: dict[str, Any]) -> bool:
    """Whether nbgrader treats a cell as locked (``nbgrader.utils.is_locked``): an answer never
    is, a test cell always is, whatever its ``locked`` flag says (older nbgrader notebooks and
    nbgrader's own examples mark test cells ``"locked": false``)."""
    if nbg.get("solution"):
        return False
    if nbg.get("grade"):
        return True
    return bool(nbg.get("locked", False))


def _metadata_changed(submitted: Any, auth: AuthCell) -> list[str]:
    """Which authoritative facts the submitted cell contradicts (tags count: they steer runners)."""
    changed = []
    meta = submitted.get("metadata", {}) or {}
    nbg = meta.get("nbgrader", {}) or {}
    for key, want in (("solution", auth.solution), ("grade", auth.grade)):
        if bool(nbg.get(key, False)) != want:
            changed.append(key)
    if _effectively_locked(nbg) != auth.locked:
        changed.append("locked")
    if auth.grade and nbg.get("points") is not None:
        try:
            if float(nbg["points"]) != float(auth.points or 0):
                changed.append("points")
        except (TypeError, ValueError):
            changed.append("points")
    if submitted.get("cell_type") != auth.cell_type:
        changed.append("cell_type")
    if meta.get("tags"):
        changed.append("tags")
    extra = set(meta) - {
        "nbgrader",
        "tags",
        "editable",
        "deletable",
        "trusted",
        "collapsed",
        "scrolled",
        "jupyter",
        "execution",
    }
    if extra:
        changed.append("metadata:" + ",".join(sorted(extra)))
    return changed


def prepare(submitted: NotebookNode, authority: Authority) -> Prepared:
    """The notebook to run for *submitted* under *authority*, plus findings.

    *submitted* must already be valid nbformat 4; it is not modified.
    """
    auth_by_id = authority.by_id()
    order = [c.grade_id for c in authority.cells]
    findings: list[Finding] = []
    out_cells: list[NotebookNode] = []
    placed: dict[str, int] = {}

    for raw in submitted.cells:
        grade_id = _claimed_id(raw)
        auth = auth_by_id.get(grade_id) if grade_id else None
        if auth is not None and grade_id in placed:
            findings.append(
                Finding(
                    "grading.duplicate-id",
                    f"a second cell claims id {grade_id!r}; it is "
                    "run as an ordinary cell and not graded",
                    grade_id,
                    review=False,
                )
            )
            auth = None
        if auth is None:
            kind = raw.get("cell_type")
            if kind not in ("code", "markdown", "raw"):
                kind = "raw"
            out_cells.append(_new_cell(kind, _source(raw)))
            continue
        assert grade_id is not None
        changed = _metadata_changed(raw, auth)
        if auth.locked:
            if _source(raw) != auth.source and not (
                auth.has_hidden and _visible_matches(raw, auth)
            ):
                findings.append(
                    Finding(
                        "grading.cell-changed",
                        f"locked cell {grade_id!r} was edited; the "
                        "authoritative source was run instead",
                        grade_id,
                    )
                )
            source = auth.source
        else:
            source = _source(raw)
        if changed:
            findings.append(
                Finding(
                    "grading.metadata-changed",
                    f"cell {grade_id!r}: submitted "
                    f"{', '.join(changed)} differ from the release and were ignored",
                    grade_id,
                )
            )
        placed[grade_id] = len(out_cells)
        out_cells.append(_authority_cell(auth, source))

    for index, grade_id in enumerate(order):
        if grade_id in placed:
            continue
        auth = auth_by_id[grade_id]
        if not (auth.grade or auth.locked or auth.task):
            continue
        before = [placed[g] for g in order[:index] if g in placed]
        at = max(before) + 1 if before else 0
        for gid, pos in placed.items():
            if pos >= at:
                placed[gid] = pos + 1
        out_cells.insert(at, _authority_cell(auth, auth.source))
        placed[grade_id] = at
        findings.append(
            Finding(
                "grading.cell-missing",
                f"cell {grade_id!r} was missing from the "
                "submission; the authoritative cell was restored and run",
                grade_id,
            )
        )

    nb = new_notebook(cells=out_cells, metadata=copy.deepcopy(authority.metadata))
    meta = submitted.get("metadata", {}) or {}
    steering = sorted(k for k in meta if k in EXECUTION_KEYS)
    if steering:
        findings.append(
            Finding(
                "grading.notebook-metadata",
                f"notebook metadata that steers execution was ignored: {', '.join(steering)}",
            )
        )
    submitted_kernel = (meta.get("kernelspec") or {}).get("name")
    wanted_kernel = (authority.metadata.get("kernelspec") or {}).get("name")
    if submitted_kernel and wanted_kernel and submitted_kernel != wanted_kernel:
        findings.append(
            Finding(
                "grading.kernelspec-changed",
                f"kernelspec {submitted_kernel!r} replaced by {wanted_kernel!r}",
                review=False,
            )
        )
    nbformat.validate(nb)
    return Prepared(nb, findings)


def _visible_matches(raw: Any, auth: AuthCell) -> bool:
    """A released test cell shows only the visible part: that is not an edit."""
    from learnpacks.grading.authority import visible_part

    return _source(raw).strip() == visible_part(auth.source).strip()

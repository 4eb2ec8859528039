"""Reading a notebook defensively: size, encoding, JSON, nbformat schema, cell ids."""

from __future__ import annotations

import functools
import importlib.util
import json
import os
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from learnpacks.errors import Problem

if TYPE_CHECKING:
    import nbformat

#: Authors' notebooks are text; a pack notebook over this size has outputs or data baked in.
MAX_NOTEBOOK_BYTES = 5_000_000
#: The minor version of nbformat 4 that notebooks are saved in today.
CURRENT_MINOR = 5


def _excerpt(text: str, pos: int, width: int = 40) -> str:
    start = max(0, pos - width // 2)
    return text[start : start + width].replace("\n", "⏎")


def read_notebook(path: Path, display: str) -> tuple[nbformat.NotebookNode | None, list[Problem]]:
    """Read *path* as an nbformat 4 notebook, or explain why it cannot be read.

    Never raises for bad content; returns ``(None, problems)`` instead.
    """
    data, problems = read_notebook_data(path, display)
    if data is None:
        return None, problems
    import nbformat
    from nbformat.v4.rwbase import rejoin_lines

    return rejoin_lines(nbformat.from_dict(data)), []


def read_notebook_data(path: Path, display: str) -> tuple[dict[str, Any] | None, list[Problem]]:
    """:func:`read_notebook` as plain JSON data, each cell's source one string (what the static
    checks read: nbformat's own objects cost them a third of their reading time)."""
    try:
        size = path.stat().st_size
    except OSError as exc:
        return None, [Problem(display, "nb.unreadable", f"cannot read notebook: {exc.strerror}")]
    if size > MAX_NOTEBOOK_BYTES:
        return None, [
            Problem(
                display,
                "nb.too-large",
                f"notebook is {size} bytes; the limit is {MAX_NOTEBOOK_BYTES}",
                hint="clear outputs and move data to files",
            )
        ]
    raw = path.read_bytes()
    if not raw.strip():
        return None, [Problem(display, "nb.not-json", "file is empty")]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return None, [Problem(display, "nb.encoding", f"not valid UTF-8 at byte {exc.start}")]
    try:
        data: Any = json.loads(text)
    except json.JSONDecodeError as exc:
        return None, [
            Problem(
                display,
                "nb.not-json",
                f"not JSON: {exc.msg} near {_excerpt(text, exc.pos)!r}",
                f"line {exc.lineno}, column {exc.colno}",
            )
        ]
    if (
        not isinstance(data, dict)
        or "cells" not in data
        or not isinstance(data.get("nbformat"), int)
    ):
        return None, [
            Problem(
                display, "nb.invalid-format", "JSON is not a notebook (no 'cells' or 'nbformat')"
            )
        ]
    if data["nbformat"] != 4:
        return None, [
            Problem(
                display,
                "nb.invalid-format",
                f"nbformat {data['nbformat']} is not supported; save the notebook with Jupyter 4+",
            )
        ]
    for index, cell in enumerate(data["cells"]):
        if not isinstance(cell, dict) or cell.get("cell_type") not in ("markdown", "code", "raw"):
            found = cell.get("cell_type") if isinstance(cell, dict) else type(cell).__name__
            return None, [
                Problem(
                    display,
                    "nb.invalid-format",
                    f"cell_type is {found!r}; expected 'markdown', 'code' or 'raw'",
                    cell_location(index, cell if isinstance(cell, dict) else {}),
                )
            ]
    if not _schema_valid(data):
        # nbformat's validator repairs some problems in place (duplicate ids); validate a copy so
        # the checks still see the notebook as the author wrote it (parsing the text again makes
        # one in a sixth of the time a deep copy takes).
        problem = _schema_problem(json.loads(text), data, display)
        if problem is not None:
            return None, [problem]
    for cell in data["cells"]:
        if isinstance(cell.get("source"), list):
            cell["source"] = "".join(cell["source"])
    return data, []


def _schema_valid(data: dict[str, Any]) -> bool:
    """Does nbformat's schema validation pass *data*? Only says yes when it is sure.

    ``nbformat.validate(nb, version=4)`` gives ids to cells of a 4.5 notebook that have none,
    then validates with fastjsonschema against the schema of the notebook's minor version, and
    only when that fails asks jsonschema for the error. Here the same schema and the same
    validator say yes without importing nbformat and jsonschema (a fifth of a second); a
    notebook they refuse, or any other case (another minor version, a non-string id, another
    validator chosen with ``NBFORMAT_VALIDATOR``), goes to nbformat itself."""
    minor = data.get("nbformat_minor", 0)
    if type(minor) is not int or os.environ.get("NBFORMAT_VALIDATOR", "fastjsonschema") != (
        "fastjsonschema"
    ):
        return False
    validators = _fast_validators(minor)
    cells = data["cells"]
    if validators is None or not isinstance(cells, list):
        return False
    import fastjsonschema

    try:
        validators[""]({**data, "cells": []})
        for cell in cells:
            if minor >= 5 and "id" not in cell:
                cell = {**cell, "id": "id"}  # nbformat gives it a valid one; which, no matter
            elif minor >= 5 and not isinstance(cell["id"], str):
                return False  # nbformat's duplicate check decides what happens
            validators[cell["cell_type"]](cell)
    except fastjsonschema.JsonSchemaException:
        return False
    return True


def prepare_validation() -> None:
    """Compile the current format's validator now: a process about to fork workers does it
    once for all of them."""
    _fast_validators(CURRENT_MINOR)


@functools.cache
def _fast_validators(minor: int) -> dict[str, Callable[[Any], Any]] | None:
    """nbformat 4.*minor*'s schema compiled with fastjsonschema as nbformat does, split:
    the notebook without its cells (``""``), and one validator per cell type.

    The schema's ``cell`` is ``oneOf`` the three cell definitions, each of which requires its
    own ``cell_type``; a cell whose type is known (:func:`read_notebook_data` has made sure) is
    therefore valid exactly when its own definition passes it, and fastjsonschema need not try
    the other two (most of the time nbformat's validation took). None when the schema is not
    shaped so."""
    if not 0 <= minor <= CURRENT_MINOR:
        return None
    spec = importlib.util.find_spec("nbformat")
    folders = (spec.submodule_search_locations or []) if spec else []
    name = f"nbformat.v4.{minor}.schema.json"
    path = next((Path(f, "v4", name) for f in folders if Path(f, "v4", name).is_file()), None)
    if path is None:
        return None
    schema = json.loads(path.read_text(encoding="utf-8"))
    definitions = schema.get("definitions", {})
    kinds = ("raw", "markdown", "code")
    if schema.get("properties", {}).get("cells", {}).get("items") != {
        "$ref": "#/definitions/cell"
    } or definitions.get("cell", {}).get("oneOf") != [
        {"$ref": f"#/definitions/{kind}_cell"} for kind in kinds
    ]:
        return None
    for kind in kinds:
        own = definitions[f"{kind}_cell"]
        if "cell_type" not in own.get("required", ()) or own["properties"]["cell_type"].get(
            "enum"
        ) != [kind]:
            return None
    import fastjsonschema

    # One schema whose properties are the notebook and the three cell definitions, compiled once
    # (each definition's code is generated once); a value is validated as ``{property: value}``.
    notebook = {k: v for k, v in schema.items() if k not in ("$schema", "definitions")}
    combined = {
        **({"$schema": schema["$schema"]} if "$schema" in schema else {}),
        "definitions": definitions,
        "type": "object",
        "properties": {
            "": notebook,
            **{kind: {"$ref": f"#/definitions/{kind}_cell"} for kind in kinds},
        },
    }
    # yes or no is all this asks (nbformat gives the message): without the rule and the value
    # in each exception, the validator compiles in a third of the time
    validate = fastjsonschema.compile(combined, detailed_exceptions=False)

    def validator(kind: str) -> Callable[[Any], Any]:
        return lambda value: validate({kind: value})

    validators = {kind: validator(kind) for kind in ("", *kinds)}
    return validators


def _schema_problem(copy: dict[str, Any], data: dict[str, Any], display: str) -> Problem | None:
    """``nb.invalid-format`` with nbformat's own message, or None when nbformat passes *copy*."""
    import nbformat

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            nbformat.validate(copy, version=4)
    except nbformat.ValidationError as exc:
        json_path = list(getattr(exc, "absolute_path", []) or [])
        loc = _cell_location_from_path(nb=data, path=json_path) or "/".join(map(str, json_path))
        message = str(exc.message)
        if len(message) > 200:
            message = message[:200] + "…"
        return Problem(
            display, "nb.invalid-format", f"not a valid nbformat 4 notebook: {message}", loc
        )
    return None


def _cell_location_from_path(nb: dict[str, Any], path: list[Any]) -> str:
    if len(path) >= 2 and path[0] == "cells" and isinstance(path[1], int):
        cells = nb.get("cells") or []
        cell = cells[path[1]] if path[1] < len(cells) else {}
        return cell_location(path[1], cell if isinstance(cell, dict) else {})
    return ""


def cell_location(index: int, cell: Any, line: int | None = None) -> str:
    """``cell 3 [id=intro-1]``, plus ``line N`` inside the cell when given (both 1-based)."""
    cell_id = cell.get("id") if hasattr(cell, "get") else None
    text = f"cell {index + 1}" + (f" [id={cell_id}]" if cell_id else "")
    if line is not None:
        text += f", line {line}"
    return text

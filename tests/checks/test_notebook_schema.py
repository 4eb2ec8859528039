"""The static check's fast schema validation (fastjsonschema, a cell by its own type) says yes
only to notebooks nbformat's own validation passes; anything else goes to nbformat."""

from __future__ import annotations

import copy
import json
import warnings
from typing import Any

import nbformat
import pytest
from support import REPO

from learnpacks.checks.notebook_file import _schema_valid

#: Ways to break a notebook's cells or top level, each its own schema rule.
MUTATIONS = {
    "unknown cell key": lambda nb: nb["cells"][0].update(bogus=1),
    "source not text": lambda nb: nb["cells"][0].update(source=5),
    "metadata not a mapping": lambda nb: nb["cells"][0].update(metadata=[]),
    "hidden flag not boolean": lambda nb: nb["cells"][0]["metadata"].update(
        jupyter={"source_hidden": "yes"}
    ),
    "outputs on markdown": lambda nb: nb["cells"][0].update(outputs=[]),
    "unknown top-level key": lambda nb: nb.update(bogus=1),
    "minor version 4": lambda nb: nb.update(nbformat_minor=4),
    "no id": lambda nb: nb["cells"][0].pop("id", None),
    "attachment not a bundle": lambda nb: nb["cells"][0].update(attachments={"a.png": 1}),
}


def _nbformat_passes(nb: dict[str, Any]) -> bool:
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            nbformat.validate(copy.deepcopy(nb), version=4)
    except nbformat.ValidationError:
        return False
    return True


def _notebooks() -> list[dict[str, Any]]:
    return [json.loads(p.read_text(encoding="utf-8")) for p in sorted(REPO.glob("packs/*/*.ipynb"))]


@pytest.mark.parametrize("mutation", [None, *MUTATIONS])
def test_fast_validation_says_yes_only_where_nbformat_does(mutation: str | None) -> None:
    """Does the fast validation pass a shipped notebook, broken in one way or not, only when
    nbformat passes it too (and pass every one nbformat passes as written)?"""
    for nb in _notebooks():
        if mutation is not None:
            MUTATIONS[mutation](nb)
        fast = _schema_valid(copy.deepcopy(nb))
        if fast:
            assert _nbformat_passes(nb), mutation
        elif mutation is None:
            assert not _nbformat_passes(nb)

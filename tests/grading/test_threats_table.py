"""The THREATS table beside these tests stays complete and points at tests that exist."""

from __future__ import annotations

import re
from pathlib import Path

TABLE = Path(__file__).with_name("THREATS.md")
REPO = Path(__file__).resolve().parents[2]
CASES = 64


def _rows() -> dict[int, str]:
    rows = {}
    for line in TABLE.read_text().splitlines():
        match = re.match(r"\|\s*(\d+)\s*\|", line)
        if match:
            rows[int(match.group(1))] = line
    return rows


def test_every_threats_case_has_a_row():
    """Does the table have exactly one row for each of the THREATS.md cases 1-64?"""
    assert sorted(_rows()) == list(range(1, CASES + 1))


def test_every_named_test_exists():
    """Does each `path::test` the table names exist, so a row cannot point at nothing?"""
    missing = []
    for case, line in _rows().items():
        refs = re.findall(r"`(tests/[\w/]+\.py)::(\w+)`", line)
        assert refs or "not covered" in line, f"case {case} names no test and no gap"
        for path, name in refs:
            source = (REPO / path).read_text() if (REPO / path).is_file() else ""
            if not re.search(rf"^(async )?def {name}\(", source, re.M):
                missing.append(f"{case}: {path}::{name}")
    assert not missing

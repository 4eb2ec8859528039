"""Fixtures of the translation pipeline's tests: a scratch copy of a small project, and its notebooks."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from i18n_helpers import PROJECT


@pytest.fixture
def i18n_project(tmp_path: Path) -> Path:
    """A copy of tests/i18n/fixtures/project (one pack, catalogs in fr, pt, pt-BR and ar), safe to change."""
    dest = tmp_path / "project"
    shutil.copytree(PROJECT, dest)
    return dest


@pytest.fixture(autouse=True)
def _fixture_project_untouched() -> Iterator[None]:
    """No test writes into the fixture project itself (build output, catalogs)."""
    before = sorted(
        (p.relative_to(PROJECT).as_posix(), p.stat().st_mtime_ns) for p in PROJECT.rglob("*")
    )
    yield
    after = sorted(
        (p.relative_to(PROJECT).as_posix(), p.stat().st_mtime_ns) for p in PROJECT.rglob("*")
    )
    assert after == before, "a test changed tests/i18n/fixtures/project"

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


@pytest.fixture(autouse=True)
def _package_catalogs_untouched(
    tmp_path_factory: pytest.TempPathFactory, monkeypatch: pytest.MonkeyPatch
) -> Iterator[None]:
    """No test starts or changes a language in the package's own UI catalogs: new ones go to a
    scratch overlay (a test that wants to look at it sets its own)."""
    from learnpacks.widgets.i18n import UI_LOCALE_ENV

    monkeypatch.setenv(UI_LOCALE_ENV, str(tmp_path_factory.mktemp("ui-locale")))
    package = Path(__file__).resolve().parents[2] / "learnpacks"

    def catalogs() -> dict[str, bytes]:
        return {p.as_posix(): p.read_bytes() for p in package.rglob("locale/**/*.po")}

    before = catalogs()
    yield
    after = catalogs()
    changed = sorted(k for k in before.keys() | after.keys() if before.get(k) != after.get(k))
    assert changed == [], "a test wrote the package's own UI catalogs"

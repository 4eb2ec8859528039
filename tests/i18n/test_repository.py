"""The repository's own catalogs: they pass check, and they are what `learnpacks i18n update` writes."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from learnpacks.i18n import check_catalogs, update

REPO = Path(__file__).resolve().parents[2]


def test_repository_catalogs_pass_check() -> None:
    """Does every shipped translation pass `learnpacks i18n check`?"""
    problems = [p for p in check_catalogs(root=REPO) if p.severity == "error"]
    assert problems == [], "\n".join(p.format() for p in problems)


def test_repository_catalogs_are_up_to_date(tmp_path: Path) -> None:
    """Would `learnpacks i18n update` change nothing (templates match the notebooks, catalogs are merged)?"""
    if not (REPO / "translations").is_dir():
        pytest.skip("the repository has no translations yet")
    shutil.copytree(REPO / "packs", tmp_path / "packs")
    shutil.copytree(REPO / "translations", tmp_path / "translations")
    result = update(root=tmp_path)
    stale = [p.relative_to(tmp_path).as_posix() for p in result.written]
    assert stale == [], f"run `learnpacks i18n update` and commit: {stale}"

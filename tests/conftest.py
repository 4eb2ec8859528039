"""Fixtures and invariants shared by the whole suite."""

from __future__ import annotations

import os
import shutil
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
FIXTURE_CATALOG = REPO / "tests" / "checks" / "fixtures" / "catalog"

# Fixture notebooks are broken on purpose; nbval (`--nbval-lax`) must not collect them.
collect_ignore_glob = ["*/fixtures/*", "*/_build/*"]

CHROMIUM = os.environ.get("LEARNPACKS_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


@pytest.fixture(autouse=True)
def _venv_bin_on_path(monkeypatch: pytest.MonkeyPatch) -> None:
    """nbgrader shells out to `alembic` and the CLI tests call `learnpacks`: the venv's bin/ comes first."""
    bindir = str(Path(sys.executable).parent)
    monkeypatch.setenv("PATH", bindir + os.pathsep + os.environ.get("PATH", ""))


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A scratch copy of the repository's project files (packs/, book/), safe to modify."""
    dest = tmp_path / "project"
    shutil.copytree(REPO / "packs", dest / "packs")
    shutil.copytree(REPO / "book", dest / "book", ignore=shutil.ignore_patterns("_build"))
    return dest


@pytest.fixture
def fixture_catalog() -> Path:
    return FIXTURE_CATALOG


@pytest.fixture(scope="session")
def chromium() -> Iterator[object]:
    """A Playwright Chromium browser (Debian's /usr/bin/chromium), headless, with a fresh profile."""
    if not Path(CHROMIUM).exists():
        if os.environ.get("CI"):
            raise RuntimeError(f"{CHROMIUM} is missing: .ci/run installs Debian's chromium")
        pytest.skip(f"Debian's chromium is not installed at {CHROMIUM} (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    # Playwright's launch() gives every browser a fresh temporary profile of its own.
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        try:
            yield browser
        finally:
            browser.close()

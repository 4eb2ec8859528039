"""Fixtures and invariants shared by the whole suite."""

from __future__ import annotations

import functools
import http.server
import os
import shutil
import subprocess
import sys
import threading
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from support import REPO, copy_project

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
    """A scratch copy of the repository's project files (packs/, book/, translations/), safe to modify."""
    return copy_project(tmp_path / "project")


@pytest.fixture
def fixture_catalog() -> Path:
    return FIXTURE_CATALOG


@pytest.fixture
def big_video_project(tmp_path: Path) -> Path:
    """A project of one pack, ``big-video`` (the fixture ``misspelt-media`` with its names
    spelt right): a local video of 300 kB, listed in pack.yml and shown by a notebook. Its
    ``_config.yml`` ends without ``thresholds``, for a test to add its own."""
    root = tmp_path / "project"
    shutil.copytree(FIXTURE_CATALOG / "packs" / "misspelt-media", root / "packs" / "big-video")
    pack = root / "packs" / "big-video"
    (pack / "pack.yml").write_text(
        (pack / "pack.yml").read_text().replace("id: misspelt-media", "id: big-video")
        + "media:\n- id: intro\n  kind: video\n  title: Intro\n  source: media/intro.webm\n"
        "  license: CC-BY-SA-4.0\n  attribution: Fixture\n  captions:\n"
        "  - lang: en\n    file: media/intro.en.vtt\n"
    )
    (pack / "media" / "intro.webm").write_bytes(b"\0" * 300_000)
    notebook = (pack / "01-intro.ipynb").read_text()
    (pack / "01-intro.ipynb").write_text(
        notebook.replace("intro.wbm", "intro.webm").replace("intro.en.vt\\", "intro.en.vtt\\")
    )
    shutil.copy(FIXTURE_CATALOG / "packs" / "_config.yml", root / "packs" / "_config.yml")
    return root


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


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass


@pytest.fixture(scope="module")
def serve_static() -> Iterator[Callable[[Path], str]]:
    """``serve(folder) -> base URL``: static file servers on 127.0.0.1, stopped after the module."""
    servers: list[http.server.ThreadingHTTPServer] = []

    def serve(folder: Path) -> str:
        handler = functools.partial(_QuietHandler, directory=str(folder))
        server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers.append(server)
        return f"http://127.0.0.1:{server.server_address[1]}/"

    yield serve
    for server in servers:
        server.shutdown()
        server.server_close()


AXE_CORE_VERSION = "4.11.0"  # pinned; the widget tests use the same


@pytest.fixture(scope="session")
def axe_js(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """axe-core's ``axe.min.js`` from the npm registry (pinned), fetched once per session."""
    cache = Path(os.environ.get("LEARNPACKS_NPM_CACHE") or tmp_path_factory.mktemp("npm"))
    target = cache / "axe" / "node_modules" / "axe-core" / "axe.min.js"
    if not target.exists():
        (cache / "axe").mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [
                "npm",
                "install",
                "--no-audit",
                "--no-fund",
                "--ignore-scripts",
                "--prefix",
                str(cache / "axe"),
                f"axe-core@{AXE_CORE_VERSION}",
            ],
            check=True,
            capture_output=True,
            timeout=300,
        )
    return target

"""A multiple choice and a code exercise answered in a live JupyterLab, started by the test on
127.0.0.1: feedback in the page, answers recorded by the kernel beside the notebook."""

from __future__ import annotations

import json
import os
import secrets
import shutil
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from widget_support import FIXTURES, block_non_local, free_port

pytestmark = [pytest.mark.browser, pytest.mark.slow]
NOTEBOOK = "live-multiple-choice-and-code.ipynb"


@pytest.fixture
def lab(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """JupyterLab on 127.0.0.1 with a fresh config, serving a copy of the fixture notebook."""
    root = tmp_path / "root"
    root.mkdir()
    shutil.copy(FIXTURES / NOTEBOOK, root / NOTEBOOK)
    port, token = free_port(), secrets.token_hex(16)
    env = {
        **os.environ,
        "JUPYTER_CONFIG_DIR": str(tmp_path / "config"),
        "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime"),
        "PYTHONPATH": str(Path(__file__).parents[2]),
    }
    env.pop("LEARNPACKS_LANG", None)
    log = (tmp_path / "lab.log").open("w")
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "jupyterlab",
            "--no-browser",
            f"--port={port}",
            "--ip=127.0.0.1",
            f"--ServerApp.token={token}",
            f"--ServerApp.root_dir={root}",
            "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
            "--LabApp.news_url=",
            f"--LabApp.workspaces_dir={tmp_path / 'workspaces'}",
            *(["--allow-root"] if hasattr(os, "geteuid") and os.geteuid() == 0 else []),
        ],
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        cwd=root,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"{base}/api/status?token={token}", timeout=2)
                break
            except OSError:
                if time.monotonic() > deadline or server.poll() is not None:
                    raise RuntimeError((tmp_path / "lab.log").read_text()[-2000:]) from None
                time.sleep(0.5)
        yield f"{base}/lab/tree/{NOTEBOOK}?token={token}", root
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()


def recorded(root: Path) -> dict[str, Any]:
    path = root / ".learnpacks-answers.json"
    return json.loads(path.read_text())["notebooks"].get(NOTEBOOK, {}) if path.exists() else {}


def wait_for(predicate: Any, timeout: float = 20) -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(0.2)


@pytest.fixture
def lab_page(chromium: Any, tmp_path: Path) -> Iterator[Any]:
    """A browser page; on failure its screenshot is kept as failure.png in the test folder."""
    context = chromium.new_context(viewport={"width": 1200, "height": 1600})
    page = context.new_page()
    page.on("console", lambda m: print("console:", m.type, m.text[:300]))
    yield page
    page.screenshot(path=str(tmp_path / "last.png"), full_page=True)
    print("screenshot:", tmp_path / "last.png")
    context.close()


def test_multiple_choice_and_code_exercise_live(lab: tuple[str, Path], lab_page: Any) -> None:
    """In JupyterLab, are wrong then right answers reported, and recorded by the kernel?"""
    url, root = lab
    page = lab_page
    blocked: list[str] = []
    block_non_local(page, blocked)
    page.goto(url)
    page.locator(".jp-Notebook").wait_for(timeout=60_000)
    # Lab may start and replace a kernel while it opens the notebook: wait until it settles.
    page.get_by_text("Python 3 (ipykernel) | Idle").wait_for(timeout=60_000)
    page.wait_for_timeout(3_000)
    page.get_by_text("Python 3 (ipykernel) | Idle").wait_for(timeout=60_000)
    page.get_by_role("menuitem", name="Run", exact=True).click()
    page.get_by_text("Run All Cells", exact=True).click()
    page.locator(".lp-progress").wait_for(timeout=60_000)

    mc = page.locator(".lp", has_text="Which Wikimedia project stores structured data?").first
    mc.get_by_label("Wiktionary").check()
    mc.get_by_role("button", name="Check").click()
    assert "Not quite" in mc.locator(".lp-feedback").inner_text()
    wait_for(lambda: recorded(root).get("projects", {}).get("status") == "incorrect")
    mc.get_by_label("Wikidata").check()
    mc.get_by_role("button", name="Check").click()
    wait_for(lambda: recorded(root).get("projects", {}).get("status") == "correct")
    assert "Correct!" in mc.locator(".lp-feedback").inner_text()

    code = page.locator(".lp-code").first
    code.locator(".lp-feedback", has_text="Not quite").wait_for(timeout=30_000)
    assert "my_edits_per_day(7, 2) returned 3, expected 3.5." in code.inner_text()
    code.get_by_role("button", name="Show a hint").click()
    code.get_by_text("Hint 1 of 2", exact=False).wait_for(timeout=10_000)

    # The learner writes a right answer in a new cell and runs it.
    page.locator(".jp-Cell").last.click()
    page.keyboard.press("Escape")
    page.keyboard.press("b")
    page.keyboard.press("Enter")
    page.keyboard.insert_text("edits_per_day.check(lambda edits, days: edits / days)")
    page.keyboard.press("Shift+Enter")
    code.locator(".lp-feedback", has_text="Correct!").wait_for(timeout=30_000)
    assert "All tests passed." in code.inner_text() and "Attempts: 2" in code.inner_text()
    assert recorded(root)["edits-per-day"]["status"] == "correct"
    code.get_by_role("button", name="Show the solution").click()
    code.locator("pre", has_text="return edits / days").wait_for(timeout=10_000)
    page.locator(".lp-progress", has_text="2 of 3 done").wait_for(timeout=10_000)

    # Graded: no verdict in the page, the kernel records the answer and the widget says so.
    graded = page.locator(".lp", has_text="Which project is a free dictionary?").first
    graded.get_by_label("Wikivoyage").check()
    graded.get_by_role("button", name="Check").click()
    graded.locator(".lp-feedback", has_text="Your answer is recorded").wait_for(timeout=10_000)
    assert "Correct" not in graded.inner_text() and "Not quite" not in graded.inner_text()
    assert recorded(root)["graded-quiz"] | {"updated": None} == {
        "kind": "multiple-choice",
        "mode": "graded",
        "answer": ["wikivoyage"],
        "status": "recorded",
        "attempts": 1,
        "rules": {},
        "updated": None,
    }
    page.locator(".lp-progress", has_text="3 of 3 done").wait_for(timeout=10_000)
    assert blocked == []

"""A multiple choice and a code exercise answered in a live JupyterLab, started by the test on
127.0.0.1: feedback in the page, answers recorded by the kernel beside the notebook."""

from __future__ import annotations

import json
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from widget_support import FIXTURES, block_non_local, free_port

pytestmark = [pytest.mark.browser, pytest.mark.slow]
NOTEBOOK = "live-multiple-choice-and-code.ipynb"


@dataclass
class Lab:
    """One JupyterLab server for the module; each test works in its own folder under ``root``."""

    base: str
    token: str
    root: Path
    runtime: Path

    def open_copy(self, notebook: str, folder: str) -> tuple[str, Path]:
        """Copy a fixture notebook into ``root/folder``; its Lab URL (fresh workspace), folder."""
        (self.root / folder).mkdir()
        shutil.copy(FIXTURES / notebook, self.root / folder / notebook)
        return (
            f"{self.base}/lab/tree/{folder}/{notebook}?reset&token={self.token}",
            self.root / folder,
        )

    def api(self, method: str, path: str) -> Any:
        request = urllib.request.Request(
            f"{self.base}/api/{path}",
            method=method,
            headers={"Authorization": f"token {self.token}"},
            data=b"{}" if method == "POST" else None,
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            body = response.read()
        return json.loads(body) if body else None

    def kernel_id(self, folder: str) -> str:
        sessions = self.api("GET", "sessions")
        return next(s["kernel"]["id"] for s in sessions if s["path"].startswith(f"{folder}/"))

    def kernel_pid(self, kernel_id: str) -> int:
        """The kernel process started for ``kernel_id`` (found by its connection file)."""
        for proc in Path("/proc").iterdir():
            if proc.name.isdigit():
                try:
                    cmdline = (proc / "cmdline").read_bytes()
                except OSError:
                    continue
                if f"kernel-{kernel_id}.json".encode() in cmdline:
                    return int(proc.name)
        raise AssertionError(f"no process for kernel {kernel_id}")


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Lab]:
    """JupyterLab on 127.0.0.1 with a fresh config, shared by this module's tests."""
    tmp_path = tmp_path_factory.mktemp("lab")
    root = tmp_path / "root"
    root.mkdir()
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
        yield Lab(base, token, root, tmp_path / "runtime")
    finally:
        server.terminate()
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
        log.close()


def recorded(root: Path, notebook: str = NOTEBOOK) -> dict[str, Any]:
    path = root / ".learnpacks-answers.json"
    return json.loads(path.read_text())["notebooks"].get(notebook, {}) if path.exists() else {}


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


def wait_idle(page: Any) -> None:
    # Lab may start and replace a kernel while it opens the notebook: wait until it settles.
    page.get_by_text("Python 3 (ipykernel) | Idle").wait_for(timeout=60_000)
    page.wait_for_timeout(3_000)
    page.get_by_text("Python 3 (ipykernel) | Idle").wait_for(timeout=60_000)


def open_and_run_all(page: Any, url: str) -> None:
    page.goto(url)
    page.locator(".jp-Notebook").wait_for(timeout=60_000)
    wait_idle(page)
    run_all(page)


def restart_kernel(page: Any) -> None:
    """Kernel > Restart Kernel..., confirmed, as a learner restarts (the page follows it; a
    restart asked of the server's REST API left the page at "Starting" under load)."""
    page.get_by_role("menuitem", name="Kernel", exact=True).click()
    page.get_by_text("Restart Kernel…", exact=True).click()
    page.locator(".jp-Dialog .jp-Dialog-button.jp-mod-accept").click()
    wait_idle(page)


def restart_and_run_all(page: Any, lab: Lab, folder: str) -> None:
    restart_kernel(page)
    run_all(page)


def run_all(page: Any) -> None:
    page.get_by_role("menuitem", name="Run", exact=True).click()
    page.get_by_text("Run All Cells", exact=True).click()
    page.locator(".lp-progress").wait_for(timeout=60_000)


def test_multiple_choice_and_code_exercise_live(lab: Lab, lab_page: Any) -> None:
    """In JupyterLab, are wrong then right answers reported, and recorded by the kernel?"""
    url, root = lab.open_copy(NOTEBOOK, "live")
    page = lab_page
    blocked: list[str] = []
    block_non_local(page, blocked)
    open_and_run_all(page, url)

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


EVERY = "every-exercise-type.ipynb"


def answer_every_exercise(page: Any) -> None:
    """Answer each exercise of every-exercise-type.ipynb with the mouse, as a learner would."""
    projects = page.locator(".lp-multiple-choice", has_text="stores structured data").first
    projects.get_by_label("Wikidata").check()
    projects.get_by_role("button", name="Check").click()
    licences = page.locator(".lp-multiple-choice", has_text="Which licences").first
    licences.get_by_label("CC0").check()
    licences.get_by_label("CC BY-SA 4.0").check()
    licences.get_by_role("button", name="Check").click()
    founded = page.locator(".lp-short-answer").first
    founded.get_by_role("textbox").fill("2001")
    founded.get_by_role("button", name="Check").click()
    page.locator(".lp-ordering").first.get_by_role("button", name="Check").click()
    matching = page.locator(".lp-matching").first
    for left, right in [
        ("Wikipedia", "Encyclopedia articles"),
        ("Wikidata", "Structured data"),
        ("Wikimedia Commons", "Media files"),
    ]:
        matching.get_by_label(left, exact=True).select_option(label=right)
    matching.get_by_role("button", name="Check").click()
    blanks = page.locator(".lp-fill-in-the-blanks").first
    blanks.get_by_label("Blank 1").fill("encyclopedia")
    blanks.get_by_label("Blank 2").fill("edit")
    blanks.get_by_role("button", name="Check").click()
    reflection = page.locator(".lp-reflection").first
    reflection.get_by_role("textbox").fill("To share what I know about my town.")
    reflection.get_by_role("button", name="Save").click()
    graded = page.locator(".lp-multiple-choice", has_text="free dictionary").first
    graded.get_by_label("Wiktionary").check()
    graded.get_by_role("button", name="Check").click()


EVERY_ANSWER = {
    "projects": ("correct", ["wikidata"]),
    "free-licences": ("correct", ["cc-by-sa", "cc0"]),
    "founded": ("correct", "2001"),
    "project-purpose": ("correct", None),
    "pillars": ("correct", ["encyclopedia", "edit"]),
    "why-edit": ("recorded", "To share what I know about my town."),
    "graded-quiz": ("recorded", ["wiktionary"]),
}


def test_answers_after_a_kernel_restart_reach_the_file(lab: Lab, lab_page: Any) -> None:
    """After Restart Kernel without running again, does every exercise type still write the
    answers file, say where the answer went, and does the progress panel count from the file?"""
    url, folder = lab.open_copy(EVERY, "restarted")
    page = lab_page
    open_and_run_all(page, url)
    assert recorded(folder, EVERY) == {}
    restart_kernel(page)

    answer_every_exercise(page)
    wait_for(lambda: set(EVERY_ANSWER) | {"edit-steps"} <= set(recorded(folder, EVERY)), 30)
    saved = recorded(folder, EVERY)
    for exercise_id, (status, answer) in EVERY_ANSWER.items():
        assert saved[exercise_id]["status"] == status, exercise_id
        if answer is not None:
            assert saved[exercise_id]["answer"] == answer, exercise_id
    assert saved["project-purpose"]["answer"] == {"0": "0", "1": "1", "2": "2"}
    assert saved["graded-quiz"]["mode"] == "graded" and "key" not in json.dumps(saved)
    # The learner is told the kernel did not take the answer, and nothing claims more than the file.
    reflection = page.locator(".lp-reflection").first
    assert "Saved in the answers file" in reflection.locator(".lp-save").inner_text()
    done = sum(1 for e in saved.values() if e["status"] in ("correct", "recorded"))
    page.locator(".lp-progress", has_text=f"{done} of 9 done").wait_for(timeout=10_000)


def test_what_is_shown_is_what_the_file_holds(lab: Lab, lab_page: Any) -> None:
    """With the answers file removed, or changed behind the page's back and localStorage
    cleared, does Restart and Run All show exactly what the file holds, never what the browser
    remembers?"""
    url, folder = lab.open_copy(EVERY, "truth")
    page = lab_page
    open_and_run_all(page, url)
    projects = page.locator(".lp-multiple-choice", has_text="stores structured data").first
    projects.get_by_label("Wikidata").check()
    projects.get_by_role("button", name="Check").click()
    wait_for(lambda: recorded(folder, EVERY).get("projects", {}).get("status") == "correct")
    page.locator(".lp-progress", has_text="1 of 9 done").wait_for(timeout=20_000)

    (folder / ".learnpacks-answers.json").unlink()
    restart_and_run_all(page, lab, "truth")
    page.locator(".lp-progress", has_text="0 of 9 done").wait_for(timeout=20_000)
    projects = page.locator(".lp-multiple-choice", has_text="stores structured data").first
    assert not projects.get_by_label("Wikidata").is_checked()
    assert "Correct" not in projects.inner_text()

    entry = {"kind": "multiple-choice", "mode": "practice", "answer": ["wikisource"]}
    entry |= {"status": "incorrect", "attempts": 1, "rules": {}}
    (folder / ".learnpacks-answers.json").write_text(
        json.dumps({"version": 1, "notebooks": {EVERY: {"projects": entry}}})
    )
    page.evaluate("localStorage.clear()")
    restart_and_run_all(page, lab, "truth")
    projects = page.locator(".lp-multiple-choice", has_text="stores structured data").first
    projects.locator(".lp-feedback", has_text="Not quite").wait_for(timeout=60_000)
    assert projects.get_by_label("Wikisource").is_checked()
    assert not projects.get_by_label("Wikidata").is_checked()


def test_a_killed_kernel_mid_answer(lab: Lab, lab_page: Any) -> None:
    """When the kernel is killed while the learner answers, is the answer still saved in the
    file and the learner told why to run again; and with the kernel shut down, does the widget
    say plainly that it was not saved and what to do?"""
    url, folder = lab.open_copy(EVERY, "killed")
    page = lab_page
    open_and_run_all(page, url)
    projects = page.locator(".lp-multiple-choice", has_text="stores structured data").first
    projects.get_by_label("Wikidata").check()
    os.kill(lab.kernel_pid(lab.kernel_id("killed")), signal.SIGKILL)
    page.get_by_role("dialog").get_by_role("button").first.click(timeout=30_000)
    wait_idle(page)
    projects.get_by_role("button", name="Check").click()
    wait_for(lambda: recorded(folder, EVERY).get("projects", {}).get("answer") == ["wikidata"])
    projects.locator(".lp-save", has_text="The kernel was restarted").wait_for(timeout=10_000)

    lab.api("DELETE", f"kernels/{lab.kernel_id('killed')}")
    reflection = page.locator(".lp-reflection").first
    reflection.get_by_role("textbox").fill("Because knowledge should be free.")
    reflection.get_by_role("button", name="Save").click()
    reflection.locator(".lp-save", has_text="Not saved").wait_for(timeout=20_000)
    assert "why-edit" not in recorded(folder, EVERY)


def active_cell_holds(page: Any, widget: Any) -> bool:
    """Is the notebook's active cell the one whose output holds ``widget``?"""
    return bool(
        widget.evaluate(
            "el => el.closest('.jp-Cell') === document.querySelector('.jp-Notebook .jp-Cell.jp-mod-active')"
        )
    )


def press_until(page: Any, key: str, done: Any, limit: int = 8) -> None:
    for _ in range(limit):
        if done():
            return
        page.keyboard.press(key)
    assert done(), f"{key} never reached the wanted state"


def test_every_exercise_by_keyboard_alone(lab: Lab, lab_page: Any) -> None:
    """With the keyboard only (arrows, Space, Enter, Tab), is the right answer of each exercise
    type reachable and checkable in JupyterLab, while the notebook's active cell stays the one
    holding the widget (JupyterLab takes no arrow key from it)?"""
    url, folder = lab.open_copy(EVERY, "keyboard")
    page = lab_page
    open_and_run_all(page, url)

    projects = page.locator(".lp-multiple-choice", has_text="stores structured data").first
    radios = projects.get_by_role("radio")
    radios.first.focus()
    page.keyboard.press("Space")
    assert radios.first.is_checked()
    page.keyboard.press("ArrowDown")  # JupyterLab's own binding would select the next cell
    assert radios.nth(1).is_checked() and active_cell_holds(page, projects)
    press_until(page, "ArrowDown", lambda: projects.get_by_label("Wikidata").is_checked())
    assert active_cell_holds(page, projects)
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    projects.locator(".lp-feedback", has_text="Correct!").wait_for(timeout=10_000)
    assert active_cell_holds(page, projects)

    licences = page.locator(".lp-multiple-choice", has_text="Which licences").first
    licences.get_by_label("CC BY-SA 4.0").focus()
    page.keyboard.press("Space")
    licences.get_by_label("CC0").focus()
    page.keyboard.press("Space")
    licences.get_by_role("button", name="Check").focus()
    page.keyboard.press("Space")
    licences.locator(".lp-feedback", has_text="Correct!").wait_for(timeout=10_000)

    founded = page.locator(".lp-short-answer").first
    founded.get_by_role("textbox").focus()
    page.keyboard.type("2001")
    page.keyboard.press("Enter")
    founded.locator(".lp-feedback", has_text="Correct!").wait_for(timeout=10_000)
    assert active_cell_holds(page, founded)

    matching = page.locator(".lp-matching").first
    for left, right in [
        ("Wikipedia", "Encyclopedia articles"),
        ("Wikidata", "Structured data"),
        ("Wikimedia Commons", "Media files"),
    ]:
        select = matching.get_by_label(left, exact=True)
        select.focus()
        press_until(
            page,
            "ArrowDown",
            lambda select=select, right=right: (
                select.evaluate("s => s.options[s.selectedIndex].text") == right
            ),
        )
        assert active_cell_holds(page, matching)
    matching.get_by_role("button", name="Check").focus()
    page.keyboard.press("Enter")
    matching.locator(".lp-feedback", has_text="Correct!").wait_for(timeout=10_000)

    blanks = page.locator(".lp-fill-in-the-blanks").first
    blanks.get_by_label("Blank 1").focus()
    page.keyboard.type("encyclopedia")
    page.keyboard.press("Tab")
    page.keyboard.type("edit")
    page.keyboard.press("Enter")
    blanks.locator(".lp-feedback", has_text="Correct!").wait_for(timeout=10_000)

    ordering = page.locator(".lp-ordering").first
    wanted = ["Click Edit", "Change the text", "Write an edit summary", "Publish changes"]
    for position, text in enumerate(wanted):
        while True:
            shown = ordering.locator(".lp-item").all_inner_texts()
            at = shown.index(text)
            if at == position:
                break
            ordering.get_by_role("button", name=f"Move up: {text}").focus()
            page.keyboard.press("Enter")
    ordering.get_by_role("button", name="Check").focus()
    page.keyboard.press("Enter")
    ordering.locator(".lp-feedback", has_text="Correct!").wait_for(timeout=10_000)
    assert active_cell_holds(page, ordering)

    reflection = page.locator(".lp-reflection").first
    reflection.get_by_role("textbox").focus()
    page.keyboard.type("First line")
    page.keyboard.press("Enter")
    page.keyboard.type("second line")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    reflection.locator(".lp-feedback", has_text="Saved").wait_for(timeout=10_000)

    graded = page.locator(".lp-multiple-choice", has_text="free dictionary").first
    graded.get_by_role("radio").first.focus()
    page.keyboard.press("Space")
    press_until(page, "ArrowDown", lambda: graded.get_by_label("Wiktionary").is_checked())
    graded.get_by_role("button", name="Check").focus()
    page.keyboard.press("Enter")
    graded.locator(".lp-feedback", has_text="Your answer is recorded").wait_for(timeout=10_000)
    assert active_cell_holds(page, graded)

    saved = recorded(folder, EVERY)
    assert {k: saved[k]["status"] for k in saved} == {
        "projects": "correct",
        "free-licences": "correct",
        "founded": "correct",
        "project-purpose": "correct",
        "pillars": "correct",
        "edit-steps": "correct",
        "why-edit": "recorded",
        "graded-quiz": "recorded",
    }
    assert saved["why-edit"]["answer"] == "First line\nsecond line"


def save_notebook(page: Any) -> None:
    page.locator(".jp-Notebook").first.click(position={"x": 5, "y": 5})
    page.keyboard.press("Escape")
    page.keyboard.press("Control+s")
    page.locator(".jp-mod-dirty").first.wait_for(state="detached", timeout=20_000)


def test_a_reopened_notebook_shows_its_exercises(lab: Lab, lab_page: Any) -> None:
    """Saved, then reopened with a fresh kernel and not run: does every exercise render (widget
    state saved in the notebook, as installing learnpacks sets JupyterLab to do) with the answer
    the file holds, and does a new answer still reach the file? And does this learners' lab show
    no nbgrader menu (make install turns nbgrader's extensions off)?"""
    url, folder = lab.open_copy(EVERY, "reopened")
    page = lab_page
    open_and_run_all(page, url)
    assert page.get_by_role("menuitem", name="Nbgrader", exact=True).count() == 0
    config = json.loads(page.locator("#jupyter-config-data").text_content())
    assert "@jupyter/nbgrader" in config["disabledExtensions"]
    projects = page.locator(".lp-multiple-choice", has_text="stores structured data").first
    projects.get_by_label("Wikidata").check()
    projects.get_by_role("button", name="Check").click()
    wait_for(lambda: recorded(folder, EVERY).get("projects", {}).get("status") == "correct")
    save_notebook(page)
    saved = json.loads((folder / EVERY).read_text())
    assert "application/vnd.jupyter.widget-state+json" in saved["metadata"]["widgets"]

    lab.api("DELETE", f"kernels/{lab.kernel_id('reopened')}")
    page.goto(url)  # the learner comes back: a new kernel, nothing run
    page.locator(".jp-Notebook").wait_for(timeout=60_000)
    wait_idle(page)
    projects = page.locator(".lp-multiple-choice", has_text="stores structured data").first
    projects.locator(".lp-feedback", has_text="Correct!").wait_for(timeout=30_000)
    assert projects.get_by_label("Wikidata").is_checked()
    assert page.locator(".lp").count() >= 9
    assert page.get_by_text("model not found").count() == 0
    founded = page.locator(".lp-short-answer").first
    founded.get_by_role("textbox").fill("2001")
    founded.get_by_role("button", name="Check").click()
    wait_for(lambda: recorded(folder, EVERY).get("founded", {}).get("status") == "correct", 30)


def test_facilitators_turn_nbgrader_back_on(lab: Lab, tmp_path: Path) -> None:
    """Is formgrader absent from the learners' server, and served with the facilitators'
    configuration folder the docs give (JUPYTER_CONFIG_PATH=jupyter-config/facilitator)?"""

    def formgrader(base: str, token: str) -> int:
        try:
            with urllib.request.urlopen(f"{base}/formgrader?token={token}", timeout=30) as r:
                return int(r.status)
        except urllib.error.HTTPError as error:
            return int(error.code)
        except OSError:  # not listening yet
            return 0

    assert formgrader(lab.base, lab.token) == 404
    port, token = free_port(), secrets.token_hex(16)
    env = {
        **os.environ,
        "JUPYTER_CONFIG_DIR": str(tmp_path / "config"),
        "JUPYTER_RUNTIME_DIR": str(tmp_path / "runtime"),
        "JUPYTER_CONFIG_PATH": str(Path(__file__).parents[2] / "jupyter-config" / "facilitator"),
    }
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "jupyterlab",
            "--no-browser",
            f"--port={port}",
            "--ip=127.0.0.1",
            f"--ServerApp.token={token}",
            f"--ServerApp.root_dir={tmp_path}",
            "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate",
            *(["--allow-root"] if hasattr(os, "geteuid") and os.geteuid() == 0 else []),
        ],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        cwd=tmp_path,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_for(lambda: formgrader(base, token) in (200, 302), 60)
        with urllib.request.urlopen(f"{base}/lab?token={token}", timeout=30) as r:
            page = r.read().decode()
        assert "@jupyter/nbgrader" not in page.split("disabledExtensions", 1)[1].split("]", 1)[0]
    finally:
        server.terminate()
        server.wait(timeout=30)


#: Where an element's text sits in its box: gaps on the left and right, height, direction.
LINE_GEOMETRY = """e => {
    const box = e.getBoundingClientRect();
    const range = document.createRange();
    range.selectNodeContents(e);
    const text = range.getBoundingClientRect();
    return {left: text.left - box.left, right: box.right - text.right, height: text.height,
            dir: getComputedStyle(e).direction};
}"""


@pytest.fixture(scope="module")
def arabic_pack(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """welcome-to-wikimedia built in Arabic by the translation pipeline."""
    from learnpacks.i18n.build import build

    out = tmp_path_factory.mktemp("arabic")
    build(
        root=Path(__file__).parents[2],
        out_dir=out,
        languages=["ar"],
        pack_ids=["welcome-to-wikimedia"],
        include_unpublished=True,
    )
    return out / "ar" / "welcome-to-wikimedia"


def test_an_arabic_notebook_reads_right_to_left_and_knows_its_place(
    lab: Lab, lab_page: Any, arabic_pack: Path, tmp_path: Path
) -> None:
    """In JupyterLab, do an Arabic notebook's text cells read right to left (right-aligned, as
    the screenshot shows) while its code stays left to right; does its progress panel say
    "notebook 2 of 4" in Arabic with the previous and next notebooks; and does the hand-in
    button, in Arabic, write nothing until pressed, then the zip its link downloads?"""
    import nbformat
    from nbformat.v4 import new_code_cell

    folder = lab.root / "arabic"
    shutil.copytree(arabic_pack, folder)
    name = "02-projects-and-affiliates.ipynb"
    nb = nbformat.read(folder / name, as_version=4)
    nb.cells.append(
        new_code_cell(
            "from learnpacks.widgets import HandIn\n"
            f"HandIn(assignment='welcome', notebooks={[name]!r}, language='ar')"
        )
    )
    nbformat.write(nb, folder / name)
    page = lab_page
    open_and_run_all(page, f"{lab.base}/lab/tree/arabic/{name}?reset&token={lab.token}")
    page.screenshot(path=str(tmp_path / "arabic-notebook.png"))
    print("screenshot:", tmp_path / "arabic-notebook.png")

    # a one-line paragraph of a text cell: right to left, flush right
    paragraphs = page.locator(".jp-MarkdownCell .jp-RenderedMarkdown p")
    measured = []
    for n in range(min(paragraphs.count(), 12)):
        paragraphs.nth(n).scroll_into_view_if_needed()
        page.wait_for_timeout(300)
        measured.append(paragraphs.nth(n).evaluate(LINE_GEOMETRY))
    one_line = [m for m in measured if 0 < m["height"] < 30]
    assert one_line and all(m["dir"] == "rtl" for m in measured)
    assert all(m["right"] < 5 for m in one_line) and any(m["left"] > 40 for m in one_line), one_line
    code = page.locator(".jp-CodeCell .cm-line", has_text="import csv").first
    code.scroll_into_view_if_needed()
    page.wait_for_timeout(300)
    line = code.evaluate(LINE_GEOMETRY)
    assert line["dir"] == "ltr" and line["left"] < 30 < line["right"]
    page.screenshot(path=str(tmp_path / "arabic-code.png"))

    progress = page.locator(".lp-progress").first
    progress.scroll_into_view_if_needed()
    page.wait_for_timeout(500)
    assert "الدفتر 2 من 4" in (progress.text_content() or "")
    assert progress.get_by_role("link", name="السابق", exact=False).count() == 1
    assert progress.get_by_role("link", name="التالي", exact=False).count() == 1
    progress.locator(".lp-count", has_text=re.compile(r"\d+ من 21")).wait_for(timeout=20_000)
    page.screenshot(path=str(tmp_path / "arabic-progress.png"))

    handin = page.locator(".lp-handin").first
    handin.scroll_into_view_if_needed()
    assert not list(folder.glob("*.zip"))
    handin.get_by_role("textbox").fill("ada-lovelace")
    handin.get_by_role("button", name="أنشئ ملف التسليم").click()
    link = handin.get_by_role("link", name="نزّل ada-lovelace--welcome.zip")
    link.wait_for(timeout=30_000)
    zip_path = folder / "ada-lovelace--welcome.zip"
    downloaded = page.request.get(lab.base + link.get_attribute("href"))
    assert downloaded.ok and downloaded.body() == zip_path.read_bytes()
    page.screenshot(path=str(tmp_path / "arabic-handin.png"))

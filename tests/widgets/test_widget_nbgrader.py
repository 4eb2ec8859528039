"""nbgrader round trip: a graded multiple choice and a graded short answer are released,
answered through the widgets (the comm messages a browser sends), submitted and autograded."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from widget_support import FIXTURES

pytestmark = pytest.mark.slow
nbgrader_api = pytest.importorskip("nbgrader.api", reason="nbgrader (the grading extra) is missing")

BIN = Path(sys.executable).parent


def nbgrader(course: Path, *args: str, force: bool = True) -> None:
    env = {
        **os.environ,
        "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
        "PYTHONPATH": str(Path(__file__).parents[2]),
    }
    done = subprocess.run(
        [str(BIN / "nbgrader"), *args, *(["--force"] if force else [])],
        cwd=course,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]


def answer_through_widgets(notebook: Path, answers: dict[str, Any]) -> None:
    """Run the learner's copy in a kernel in its folder, then send each widget the comm message
    its front-end sends when the learner presses Check; save the notebook as submitted."""
    import nbclient
    import nbformat
    from jupyter_core.utils import run_sync

    nb = nbformat.read(notebook, as_version=4)
    client = nbclient.NotebookClient(
        nb,
        timeout=60,
        kernel_name="python3",
        resources={"metadata": {"path": str(notebook.parent)}},
    )
    with client.setup_kernel():
        models = {}
        for index, cell in enumerate(nb.cells):
            client.execute_cell(cell, index)
            for output in cell.get("outputs", []):
                view = output.get("data", {}).get("application/vnd.jupyter.widget-view+json")
                state = (view or {}).get("model_id")
                if state:
                    models[index] = state
        assert len(models) == 2, "both graded widgets should display"
        for model_id, (exercise_id, answer) in zip(models.values(), answers.items(), strict=True):
            msg = client.kc.session.msg(
                "comm_msg",
                {
                    "comm_id": model_id,
                    "data": {"method": "custom", "content": {"type": "answer", "answer": answer}},
                },
            )
            client.kc.shell_channel.send(msg)
            # Wait until the kernel has recorded it (comm messages are handled asynchronously).
            reply = run_sync(client.kc.execute_interactive)(
                "import time\nfrom learnpacks.widgets import recorded_answer\n"
                f"for _i in range(100):\n    if recorded_answer({exercise_id!r}): break\n"
                "    time.sleep(0.1)\n"
                f"assert recorded_answer({exercise_id!r})",
                timeout=30,
            )
            assert reply["content"]["status"] == "ok", f"{exercise_id} was not recorded"
    nbformat.write(nb, notebook)


@pytest.fixture
def course(tmp_path: Path) -> Path:
    course = tmp_path / "course"
    shutil.copytree(FIXTURES / "nbgrader-course", course)
    (course / "nbgrader_config.py").write_text(
        "c = get_config()\n"
        f"c.CourseDirectory.root = {str(course)!r}\n"
        f"c.CourseDirectory.db_url = 'sqlite:///{course / 'gradebook.db'}'\n"
        "c.CourseDirectory.db_assignments = [dict(name='ps1')]\n"
    )
    return course


def test_right_answers_score_and_wrong_ones_do_not(course: Path) -> None:
    """After release, answering in the widgets, submission and autograde: does the learner
    who answered right get full marks, the one who answered wrong none, the key stay hidden?"""
    nbgrader(course, "generate_assignment", "ps1")
    released = (course / "release" / "ps1" / "quiz.ipynb").read_text(encoding="utf-8")
    assert 'assert_answer("projects"' not in released and "2001" not in released

    learners = {
        "alice": {"projects": ["wikidata"], "founded": " 2001 "},
        "bob": {"projects": ["wiktionary"], "founded": "2000"},
    }
    for learner, answers in learners.items():
        folder = course / "submitted" / learner / "ps1"
        shutil.copytree(course / "release" / "ps1", folder)
        answer_through_widgets(folder / "quiz.ipynb", answers)
        recorded = json.loads((folder / ".learnpacks-answers.json").read_text())["notebooks"]
        assert recorded["quiz.ipynb"]["projects"]["status"] == "recorded"
        assert "correct" not in json.dumps(recorded)  # graded: the learner's side never knows

    nbgrader(course, "db", "student", "add", "alice", force=False)
    nbgrader(course, "db", "student", "add", "bob", force=False)
    nbgrader(course, "autograde", "ps1")

    assert (course / "autograded" / "alice" / "ps1" / ".learnpacks-answers.json").exists()
    with nbgrader_api.Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        scores = {
            name: {
                g.name: g.score
                for g in gradebook.find_submission_notebook("quiz", "ps1", name).grades
            }
            for name in learners
        }
    assert scores["alice"] == {"projects-test": 1.0, "founded-test": 1.0}
    assert scores["bob"] == {"projects-test": 0.0, "founded-test": 0.0}


def test_missing_answers_file_scores_zero_without_crashing(course: Path) -> None:
    """Does a submission with no answers file grade as zero (not an error, not full marks)?"""
    nbgrader(course, "generate_assignment", "ps1")
    shutil.copytree(course / "release" / "ps1", course / "submitted" / "carol" / "ps1")
    nbgrader(course, "db", "student", "add", "carol", force=False)
    nbgrader(course, "autograde", "ps1")
    with nbgrader_api.Gradebook(f"sqlite:///{course / 'gradebook.db'}") as gradebook:
        notebook = gradebook.find_submission_notebook("quiz", "ps1", "carol")
        assert {g.name: g.score for g in notebook.grades} == {
            "projects-test": 0.0,
            "founded-test": 0.0,
        }

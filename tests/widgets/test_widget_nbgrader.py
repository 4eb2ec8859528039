"""nbgrader round trip: a graded multiple choice and a graded short answer are released,
answered through the widgets (the comm messages a browser sends), submitted and autograded."""

from __future__ import annotations

import json
import shutil
import sys
from pathlib import Path
from typing import Any

import pytest
from support import stock_nbgrader
from widget_support import FIXTURES

pytestmark = pytest.mark.slow
nbgrader_api = pytest.importorskip("nbgrader.api", reason="nbgrader (the grading extra) is missing")

BIN = Path(sys.executable).parent


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


LEARNERS = {
    "alice": {"projects": ["wikidata"], "founded": " 2001 "},
    "bob": {"projects": ["wiktionary"], "founded": "2000"},
}


@pytest.fixture(scope="module")
def graded(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:
    """One stock nbgrader round for the module: generate_assignment; alice (right) and bob
    (wrong) answer through the widgets, carol hands in without answering; autograde."""
    course = tmp_path_factory.mktemp("widgets") / "course"
    shutil.copytree(FIXTURES / "nbgrader-course", course)
    config = {"CourseDirectory": {"db_assignments": [{"name": "ps1"}]}}
    stock_nbgrader(course, "ps1", config, steps=("generate_assignment",), strict=True)
    released = (course / "release" / "ps1" / "quiz.ipynb").read_text(encoding="utf-8")
    recorded = {}
    for learner, answers in LEARNERS.items():
        folder = course / "submitted" / learner / "ps1"
        shutil.copytree(course / "release" / "ps1", folder)
        answer_through_widgets(folder / "quiz.ipynb", answers)
        recorded[learner] = json.loads((folder / ".learnpacks-answers.json").read_text())
    shutil.copytree(course / "release" / "ps1", course / "submitted" / "carol" / "ps1")
    db = stock_nbgrader(course, "ps1", config, steps=("autograde",), strict=True)
    with nbgrader_api.Gradebook(db) as gradebook:
        scores = {
            name: {
                g.name: g.score
                for g in gradebook.find_submission_notebook("quiz", "ps1", name).grades
            }
            for name in [*LEARNERS, "carol"]
        }
    return {"course": course, "released": released, "recorded": recorded, "scores": scores}


def test_right_answers_score_and_wrong_ones_do_not(graded: dict[str, Any]) -> None:
    """After release, answering in the widgets, submission and autograde: does the learner
    who answered right get full marks, the one who answered wrong none, the key stay hidden?"""
    released = graded["released"]
    assert 'assert_answer("projects"' not in released and "2001" not in released
    for learner in LEARNERS:
        recorded = graded["recorded"][learner]["notebooks"]
        assert recorded["quiz.ipynb"]["projects"]["status"] == "recorded"
        assert "correct" not in json.dumps(recorded)  # graded: the learner's side never knows
    autograded = graded["course"] / "autograded" / "alice" / "ps1"
    assert (autograded / ".learnpacks-answers.json").exists()
    assert graded["scores"]["alice"] == {"projects-test": 1.0, "founded-test": 1.0}
    assert graded["scores"]["bob"] == {"projects-test": 0.0, "founded-test": 0.0}


def test_missing_answers_file_scores_zero_without_crashing(graded: dict[str, Any]) -> None:
    """Does a submission with no answers file grade as zero (not an error, not full marks)?"""
    assert graded["scores"]["carol"] == {"projects-test": 0.0, "founded-test": 0.0}

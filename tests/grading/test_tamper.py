"""THREATS 24-26 and 57: learner code that changes how later cells run earns no points.

Each hand-in under ``fixtures/tamper/submissions/`` is the wrong answers of the ``tamper-demo``
fixture pack plus one attack (``fixtures/make_tamper.py``): input and AST transformers, cell
hooks, a replaced execute reply, a replaced traceback display, shadowed builtins, a patched
``math.isclose``, an ``__eq__`` that always says yes. Stock ``nbgrader autograde`` grades the same
hand-ins in the same test run: the control that shows each attack is real.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest
from grading_helpers import FAST
from support import stock_nbgrader

from learnpacks.grading import tamper
from learnpacks.grading.authority import from_gradebook
from learnpacks.grading.run import Task, grade_task

HERE = Path(__file__).parent / "fixtures" / "tamper"
SUBMISSIONS = HERE / "submissions"
PACK = "tamper-demo"
FULL = {
    "mean-abs-tests": 1.0,
    "mean-type-tests": 1.0,
    "mean-isclose-tests": 1.0,
    "mean-eq-tests": 1.0,
    "top-tests": 2.0,
}
#: attack -> (the tests stock nbgrader wrongly passes, static code, runtime codes)
ATTACKS = {
    "input-transformer-drops-asserts": (set(FULL), tamper.IPYTHON, {tamper.STATE}),
    "input-transformer-replaces-test-cells": (
        set(FULL),
        tamper.IPYTHON,
        {tamper.STATE, tamper.UNPROVEN},
    ),
    "ast-transformer-removes-asserts": (set(FULL), tamper.IPYTHON, {tamper.STATE}),
    "pre-run-cell-hook-prints-a-result": (set(FULL), tamper.IPYTHON, {tamper.STATE}),
    "post-run-cell-hook-replaces-errors": (set(FULL), tamper.IPYTHON, {tamper.STATE}),
    "replaced-execute-reply": (set(FULL), tamper.IPYTHON, {tamper.STATE, tamper.UNPROVEN}),
    "traceback-shown-as-a-result": (set(FULL), tamper.IPYTHON, {tamper.STATE}),
    # nbgrader 0.9 already records these from the reply status (its #1324 fix): no control
    "excepthook-and-showtraceback-replaced": (set(), tamper.IPYTHON, {tamper.STATE}),
    "shadowed-builtins": ({"mean-abs-tests", "mean-type-tests"}, tamper.BUILTINS, {tamper.STATE}),
    "patched-math-isclose": ({"mean-isclose-tests"}, tamper.PATCH, {tamper.STATE}),
    # an object is not machinery: only the scan sees it
    "eq-always-true": ({"mean-eq-tests", "mean-type-tests"}, tamper.COMPARISON, set()),
}


@pytest.fixture(scope="module")
def cohort(tmp_path_factory):
    from learnpacks.grading.cohort import init_cohort
    from learnpacks.grading.release import release_cohort

    os.environ["PATH"] = str(Path(sys.executable).parent) + os.pathsep + os.environ["PATH"]
    made = init_cohort(tmp_path_factory.mktemp("tamper") / "demo", pack=PACK, root=HERE / "project")
    release_cohort(made)
    return made


def _grade(cohort, paths):
    """Our result for each hand-in of *paths*, graded with the default pre-forked kernels."""
    from learnpacks.grading.forkserver import ForkServerLauncher

    authority = from_gradebook(
        cohort.db_url,
        assignment=cohort.assignment,
        notebook="01-stats",
        release_notebook=cohort.path("release") / "01-stats.ipynb",
    )
    launcher = ForkServerLauncher()
    try:
        return {
            path.stem: grade_task(
                Task(
                    path.stem, authority, path.read_bytes(), limits=FAST, hide=(str(cohort.root),)
                ),
                launcher=launcher,
            )
            for path in paths
        }
    finally:
        launcher.close()


@pytest.fixture(scope="module")
def ours(cohort):
    """Our result for every hand-in."""
    return _grade(cohort, sorted(SUBMISSIONS.glob("*.ipynb")))


@pytest.fixture(scope="module")
def stock(cohort, tmp_path_factory):
    """Stock ``nbgrader autograde`` on the same hand-ins, in a copy of the course."""
    from nbgrader.api import Gradebook

    dest = tmp_path_factory.mktemp("stock")
    shutil.copytree(cohort.root / "source", dest / "source")
    for path in SUBMISSIONS.glob("*.ipynb"):
        folder = dest / "submitted" / path.stem / PACK
        folder.mkdir(parents=True)
        shutil.copy(path, folder / "01-stats.ipynb")
    db = stock_nbgrader(dest, PACK, {"CourseDirectory": {"course_id": PACK}})
    with Gradebook(db) as gb:
        scores = {
            sub.student.id: {g.name: g.auto_score for nb in sub.notebooks for g in nb.grades}
            for sub in gb.assignment_submissions(PACK)
        }
    scores["_autograded"] = dest / "autograded"
    return scores


def _scores(result):
    return {gid: g["auto_score"] for gid, g in result["grades"].items()}


pytestmark = pytest.mark.slow


def test_honest_hand_ins_are_not_flagged(ours, stock):
    """Do right and wrong answers score as stock nbgrader scores them, with nothing flagged
    (no probe, proof or scan finding on honest work)?"""
    assert _scores(ours["right"]) == FULL == stock["right"]
    assert _scores(ours["wrong"]) == dict.fromkeys(FULL, 0) == stock["wrong"]
    for name in ("right", "wrong"):
        assert not ours[name]["flagged"], ours[name]["findings"]
        assert ours[name]["findings"] == []


@pytest.mark.parametrize("attack", sorted(ATTACKS))
def test_attack_scores_nothing_and_is_flagged(ours, stock, attack):
    """Does the attack earn no point for any test it could fake, with the learner flagged by a
    coded reason naming the cell, while stock nbgrader (same hand-in, same run) is fooled?"""
    fooled, static_code, runtime_codes = ATTACKS[attack]
    result = ours[attack]
    assert result["status"] == "graded" and result["flagged"]
    for gid in FULL:
        assert result["grades"][gid]["auto_score"] == 0, gid
        assert result["grades"][gid]["needs_manual_grade"], gid
    found = {(f["code"], f["grade_id"]) for f in result["findings"]}
    assert {(static_code, gid) for gid in FULL} <= found
    assert any(f["code"] == static_code and "cell 3" in f["message"] for f in result["findings"]), (
        "the finding names the learner's cell"
    )
    assert {(code, gid) for code in runtime_codes for gid in FULL} <= found, (
        "the runtime layers catch it without the scan"
    )
    # the control: stock nbgrader gives the wrong answers points through this attack
    assert {gid for gid, score in stock[attack].items() if score and score > 0} == fooled


def test_grading_mode_is_told_as_nbgrader_tells_it(ours, stock):
    """THREATS 29: can a notebook tell it is being graded? Only as under stock nbgrader
    (``NBGRADER_EXECUTION=autograde``, documented), and the right answers still score."""
    import nbformat

    name = "detects-grading-mode"
    printed = "".join(
        o.get("text", "") for c in ours[name]["autograded"]["cells"] for o in c.get("outputs", [])
    )
    stock_nb = nbformat.read(str(stock["_autograded"] / name / PACK / "01-stats.ipynb"), 4)
    stock_printed = "".join(o.get("text", "") for c in stock_nb.cells for o in c.get("outputs", []))
    assert "mode=autograde" in printed and "mode=autograde" in stock_printed
    assert _scores(ours[name]) == FULL == stock[name]
    assert not ours[name]["flagged"]


def test_failed_test_cell_never_scores_from_an_earlier_result(ours):
    """A hook that shows a result before a test's error: is the error the first output, so
    nbgrader's determine_grade (which reads the first output) gives 0 even without a flag?"""
    from nbformat import from_dict
    from nbgrader.utils import determine_grade

    nb = from_dict(ours["pre-run-cell-hook-prints-a-result"]["autograded"])
    for cell in nb.cells:
        if cell.metadata.get("nbgrader", {}).get("grade_id") in FULL:
            assert cell.outputs[0].output_type == "error"
            assert determine_grade(cell)[0] == 0


SCANNED = {
    "get_ipython().events.register('pre_run_cell', print)": tamper.IPYTHON,
    "from IPython import get_ipython": tamper.IPYTHON,
    "%run other.py": tamper.IPYTHON,
    "!python -c 'print(1)'": tamper.IPYTHON,
    "import builtins\nbuiltins.len = lambda x: 3": tamper.BUILTINS,
    "__builtins__['len'] = lambda x: 3": tamper.BUILTINS,
    "globals()['len'] = lambda x: 3": tamper.INTROSPECTION,
    "import sys\nsys.modules['math'] = None": tamper.INTROSPECTION,
    "import sys as s\ns.settrace(None)": tamper.INTROSPECTION,
    "import gc": tamper.INTROSPECTION,
    "import ctypes": tamper.INTROSPECTION,
    "from inspect import currentframe": tamper.INTROSPECTION,
    "f = (lambda: 0).__globals__": tamper.INTROSPECTION,
    "x = getattr(obj, name)": tamper.INTROSPECTION,
    "open('/proc/self/mem', 'wb')": tamper.INTROSPECTION,
    "exec(bytes.fromhex('7072696e74').decode())": tamper.DYNAMIC,
    "m = __import__('math')": tamper.DYNAMIC,
    "import importlib": tamper.DYNAMIC,
    "import pickle": tamper.DYNAMIC,
    "import threading": tamper.BACKGROUND,
    "import signal": tamper.BACKGROUND,
    "import numpy as np\nnp.isclose = lambda *a, **k: True": tamper.PATCH,
    "import numpy\nn = numpy\nn.testing.assert_allclose = print": tamper.PATCH,
    "from learnpacks import widgets\nsetattr(widgets, 'assert_answer', print)": tamper.PATCH,
    "class Yes:\n    def __eq__(self, other):\n        return True": tamper.COMPARISON,
    "class Meta(type):\n    def __instancecheck__(cls, obj):\n        return True": (
        tamper.COMPARISON
    ),
    "len = lambda x: 2": tamper.BUILTINS,
    "def abs(x):\n    return 0": tamper.BUILTINS,
    "from os import path as sorted": tamper.BUILTINS,
}
HONEST = [
    "%matplotlib inline\nimport math\nx = math.sqrt(4)",
    "import sys\nprint(sys.version)",
    "sum = 0\nfor v in [1, 2]:\n    sum += v",
    "import pandas as pd\npd.options.display.max_rows = 5",
    "class Point:\n    def __init__(self, x):\n        self.x = x\n    def __repr__(self):\n"
    "        return f'Point({self.x})'",
    "if __name__ == '__main__':\n    print(getattr(math, 'pi'))",
    "def mean(values):\n    len = 3  # a local name\n    return sum(values) / 3",
    "this is not python (",
]


@pytest.mark.parametrize("source", sorted(SCANNED))
def test_scan_names_each_tampering_api(source):
    """Is each API a learner needs to change how tests run found in their source, with its code
    and line? (abs, len and sorted are builtins the tests use here; sum is not.)"""
    hits = tamper.scan_source(source, protected=frozenset({"abs", "len", "sorted"}), imported=set())
    assert SCANNED[source] in {h.code for h in hits}, hits
    assert all(h.line >= 1 for h in hits)


@pytest.mark.parametrize("source", HONEST)
def test_scan_leaves_honest_code_alone(source):
    """Is ordinary answer code (imports, options, a class with __init__/__repr__, a builtin
    name the tests do not use, a local name) left unflagged?"""
    assert tamper.scan_source(source, protected=frozenset({"len"}), imported=set()) == []


def test_proof_keeps_a_final_expression_last():
    """Is the proof of execution placed after the asserts but before a final expression, so
    nbgrader's partial credit (the cell's displayed value) still works?"""
    proved = tamper.with_proof("assert f(1) == 1\nscore = 0.5\nscore", "_p", "v")
    assert proved == "assert f(1) == 1\nscore = 0.5\n_p = 'v'\nscore\n"
    assert tamper.with_proof("assert f(1) == 1", "_p", "v") == "assert f(1) == 1\n_p = 'v'\n"


def test_the_probe_rides_on_the_cell_before_each_check(cohort, monkeypatch):
    """The probe before a test (and around the hidden tests) is evaluated after the code cell
    just before it, in that cell's request; only the first probe, and a probe after a cell that
    failed (whose expressions the kernel does not evaluate), go as requests of their own."""
    from learnpacks.grading import execute

    requests: list[tuple[bool, str]] = []
    real_run = execute.Runner.run

    def counted(self, code, *, silent=False, user_expressions=None):
        run = real_run(self, code, silent=silent, user_expressions=user_expressions)
        requests.append((silent, run.status))
        return run

    monkeypatch.setattr(execute.Runner, "run", counted)
    lone: dict[str, int] = {}
    seen: dict[str, list[tuple[bool, str]]] = {}
    for name in ("right", "wrong"):
        requests.clear()
        result = _grade(cohort, [SUBMISSIONS / f"{name}.ipynb"])[name]
        assert not result["flagged"], result["findings"]
        lone[name] = sum(silent for silent, _ in requests)
        seen[name] = list(requests)
        if name == "wrong":
            assert any(status != "ok" for _, status in requests), "its tests fail"
    assert lone["right"] == 1, seen  # before the first cell, where nothing ran yet
    assert lone["wrong"] > 1, seen  # after each failed test cell that a check follows

"""The whole cohort workflow on 20 generated hand-ins, checked against stock nbgrader.

collect -> grade -> feedback -> report for the fixture pack (code exercises in
``01-functions``, a code and a widget exercise in ``02-lists``); the same submissions are then
autograded by stock ``nbgrader autograde`` in a copy of the course.
"""

from __future__ import annotations

import hashlib
import zipfile
from pathlib import Path

import nbformat
import pytest
from cohort_factory import lms_bulk_download, make_handins
from grading_helpers import gradebook_scores, make_cohort, stock_autograde

from learnpacks.grading.collect import collect
from learnpacks.grading.feedback import generate_feedback
from learnpacks.grading.grade import grade_cohort
from learnpacks.grading.report import build_report

pytestmark = pytest.mark.slow

#: The honest learners stock nbgrader grades: one of each distinct hand-in (cohort_factory).
STOCK_HONEST = ("right-00", "wrong-00", *(f"partly-{i:02d}" for i in range(6)))

HIDDEN_MARKERS = (
    "HIDDEN TESTS",
    "square(-4)",
    'count_words("")',
    "total_edits(rows) == 42",
    "assert_answer(",
    "correct=[",
)


def _digest(folder: Path) -> dict[str, str]:
    return {
        str(p): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    """The whole workflow, once: what every test below inspects."""
    base = tmp_path_factory.mktemp("e2e")
    cohort = make_cohort(base / "cohort")
    # two of each kind of honest hand-in at least (the partly right cycle through six mixes),
    # four malicious and four malformed: each a twin of a learner stock nbgrader grades, or a
    # scenario of its own
    learners = make_handins(cohort.path("release"), base / "handins", right=2, partly=8, wrong=2)
    zips = [learner.zip_path for learner in learners]
    # ten arrive in an LMS bulk download, one as a plain folder, the rest as zips
    bulk = lms_bulk_download(zips[:10], base / "lms-bulk.zip")
    folder = base / "folders" / learners[10].name
    folder.mkdir(parents=True)
    with zipfile.ZipFile(zips[10]) as zf:
        for name in zf.namelist():
            (folder / name).write_bytes(zf.read(name))
    sources = [bulk, folder.parent, *zips[11:]]
    before = (
        _digest(base / "handins") | _digest(base / "folders") | {"bulk": _digest(base)[str(bulk)]}
    )
    collected = collect(cohort, sources)
    after = (
        _digest(base / "handins") | _digest(base / "folders") | {"bulk": _digest(base)[str(bulk)]}
    )
    summary = grade_cohort(cohort, workers=2)
    feedback = generate_feedback(cohort)
    report = build_report(cohort)
    # Stock nbgrader grades one learner of each distinct hand-in: the right learners all hand
    # in the same files, as do the wrong ones; the partly right cycle through six mixes.
    cheater = next(h.name for h in learners if "skip-tags" in h.name)
    stock_db = stock_autograde(cohort, base / "stock", students=[*STOCK_HONEST, cheater])
    return {
        "cohort": cohort,
        "learners": learners,
        "collected": collected,
        "summary": summary,
        "feedback": feedback,
        "report": report,
        "stock": gradebook_scores(stock_db, "grading-demo"),
        "ours": gradebook_scores(cohort.db_url, "grading-demo"),
        "unchanged": before == after,
    }


def test_collect_files_valid_handins_and_reports_rejections(run):
    """Are the 16 well-formed hand-ins filed, the 4 malformed ones rejected with reasons, and
    the original zips, folders and bulk download left byte-for-byte unchanged?"""
    kinds = {h.name: h.kind for h in run["learners"]}
    assert set(run["collected"].accepted) == {n for n, k in kinds.items() if k != "malformed"}
    rejected = {r.learner: r.code for r in run["collected"].rejected}
    assert set(rejected) == {n for n, k in kinds.items() if k == "malformed"}
    assert {
        "collect.unsafe-path",
        "collect.link",
        "grading.not-json",
        "grading.invalid-nbformat",
    } <= set(rejected.values())
    assert run["unchanged"]
    assert not list(run["cohort"].root.rglob("escape.ipynb"))


def test_scores_equal_stock_nbgrader_for_honest_learners(run):
    """Do right, partly right and wrong learners get exactly stock nbgrader's per-cell scores
    (stock grades one learner of each distinct hand-in; the others must score as their twin)?"""
    honest = {h.name for h in run["learners"] if h.kind in ("right", "partly", "wrong")}
    ours = {k: v for k, v in run["ours"].items() if k[0] in STOCK_HONEST}
    stock = {k: v for k, v in run["stock"].items() if k[0] in honest}
    assert len(ours) == len(STOCK_HONEST) * 5
    assert ours == stock
    # every other honest learner handed in what one of those did, and got the same scores
    for name in honest - set(STOCK_HONEST):
        kind, i = name.rsplit("-", 1)
        twin = f"{kind}-{int(i) % 6:02d}" if kind == "partly" else f"{kind}-00"
        mine = {k[1:]: v for k, v in run["ours"].items() if k[0] == name}
        assert mine and mine == {k[1:]: v for k, v in ours.items() if k[0] == twin}, name


def test_malicious_and_malformed_are_flagged_and_never_full_marks(run):
    """Is every malicious or malformed learner flagged for review and below full marks, while
    stock nbgrader gives the tag-skipping cheater full marks?"""
    bad = {h.name for h in run["learners"] if h.kind in ("malicious", "malformed")}
    assert bad <= set(run["report"].flagged)
    for row in run["report"].rows:
        if row["student"] in bad:
            assert row["score"] < row["max_score"], row
    cheater = next(n for n in bad if "skip-tags" in n)
    stock_cheater = {k: v for k, v in run["stock"].items() if k[0] == cheater}
    assert all(v for k, v in stock_cheater.items() if k[2] != "explain")


def test_every_autograded_notebook_is_valid(run):
    """Is every autograded notebook written for formgrader, malicious and malformed learners'
    included, a valid notebook of its own nbformat version?"""
    written = sorted((run["cohort"].root / "autograded").rglob("*.ipynb"))
    assert len(written) >= 2 * len(run["collected"].accepted)
    for path in written:
        nb = nbformat.read(path, as_version=nbformat.NO_CONVERT)
        nbformat.validate(nb)


def test_right_learners_get_full_autograded_marks(run):
    """Does every right learner get full marks on every autograded cell, widget included?"""
    for (student, _, cell), score in run["ours"].items():
        if student.startswith("right-") and cell != "explain":
            assert score and score > 0, (student, cell)
    assert run["ours"][("right-00", "02-lists", "wiki-projects-tests")] == 1.0


def test_feedback_never_shows_hidden_tests(run):
    """THREATS 28: does any learner's feedback page contain hidden-test source or its values?"""
    pages = [p for paths in run["feedback"].values() for p in paths]
    assert len(pages) == 2 * 16
    for page in pages:
        text = page.read_text()
        for marker in HIDDEN_MARKERS:
            assert marker not in text, (page, marker)
    partly = run["cohort"].path("feedback", "partly-00") / "01-functions.html"
    assert "Some hidden tests did not pass." in partly.read_text()


def test_report_lists_scores_manual_items_and_missing(run):
    """Does the report hold every learner, the manual-grading queue and who did not hand in?"""
    report = run["report"]
    assert len(report.rows) == 20
    assert {m["cell"] for m in report.manual} >= {"explain"}
    assert set(report.missing) == {h.name for h in run["learners"] if h.kind == "malformed"}
    page = report.html_path.read_text()
    for heading in (
        "Score distribution",
        "Success rate per exercise",
        "Waiting for manual grading",
        "Not handed in",
    ):
        assert heading in page
    assert report.csv_path.read_text().count("\n") == 1 + 20  # a heading, a row per learner

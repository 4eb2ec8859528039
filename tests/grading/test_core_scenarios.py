"""The safe execution core: one submitted notebook graded against the authoritative release.

Each test names the THREATS.md case it covers and uses the scenario-named fixture under
``fixtures/submissions/``. Full marks for ``01-functions`` are square-tests=2, count-words-tests=3
(``explain`` is graded by a human).
"""

from __future__ import annotations

import pytest
from grading_helpers import codes, outputs_text, scores, stream_text

pytestmark = pytest.mark.slow

FULL = {"square-tests": 2.0, "count-words-tests": 3.0}


def autoscores(result):
    return {k: v for k, v in scores(result).items() if k in FULL}


def test_right_answers_get_full_marks(grade):
    """Does a correct submission get every autograded point, with nothing flagged?"""
    result = grade("right")
    assert result["status"] == "graded"
    assert autoscores(result) == FULL
    assert result["grades"]["explain"]["needs_manual_grade"] is True
    assert not result["flagged"]


def test_wrong_answers_get_zero(grade):
    """Does a wrong submission fail the tests and get no autograded points?"""
    assert autoscores(grade("wrong")) == {"square-tests": 0, "count-words-tests": 0}


@pytest.mark.parametrize(
    ("scenario", "code"),
    [
        ("truncated-json", "grading.not-json"),  # 1
        ("empty-file", "grading.empty"),  # 2
        ("zip-renamed-as-notebook", "grading.not-utf8"),  # 2
        ("no-cells-key", "grading.invalid-nbformat"),  # 3
        ("cell-without-type", "grading.invalid-nbformat"),  # 3
        ("nbformat-major-5", "grading.invalid-nbformat"),  # 3
        ("oversized-base64-output", "grading.too-large"),  # 18
        ("invalid-utf8", "grading.not-utf8"),  # 19
        ("lone-surrogate", "grading.invalid-text"),  # 19
        ("nul-in-source", "grading.invalid-text"),  # 19
    ],
)
def test_malformed_submission_is_rejected_to_a_human(grade, scenario, code):
    """THREATS 1-3, 18, 19: is a malformed file rejected before anything runs, every item at 0
    and flagged, with a coded reason?"""
    result = grade(scenario)
    assert result["status"] == "rejected"
    assert code in codes(result)
    assert result["flagged"]
    assert result["autograded"] is None
    assert all(g["auto_score"] == 0 and g["needs_manual_grade"] for g in result["grades"].values())


def test_deleted_test_cell_is_restored_and_flagged(grade):
    """THREATS 8: does deleting a test cell restore it from the authority, never full credit?"""
    result = grade("test-cell-deleted")
    assert "grading.cell-missing" in codes(result)
    assert result["grades"]["square-tests"] == {
        "auto_score": 0.0,
        "max_score": 2.0,
        "needs_manual_grade": True,
    }
    restored = [
        c
        for c in result["autograded"]["cells"]
        if c["metadata"].get("nbgrader", {}).get("grade_id") == "square-tests"
    ]
    assert len(restored) == 1 and restored[0]["execution_count"] is not None


def test_stripped_test_cell_replaced_by_pass_is_flagged(grade):
    """THREATS 9: is a test cell whose metadata was stripped and source replaced by `pass`
    restored and flagged for a human, not read as passed?"""
    result = grade("test-cell-metadata-stripped-pass")
    assert "grading.cell-missing" in codes(result)
    assert result["grades"]["square-tests"]["auto_score"] == 0
    assert result["grades"]["square-tests"]["needs_manual_grade"]


def test_prefilled_success_outputs_are_cleared(grade):
    """THREATS 15: do outputs claiming success in a wrong submission count for nothing?"""
    result = grade("prefilled-success-outputs")
    assert autoscores(result) == {"square-tests": 0, "count-words-tests": 0}
    assert "All tests passed!" not in stream_text(result)


def test_edited_locked_test_cells_run_the_authoritative_source(grade):
    """THREATS 20: does `assert True` in place of the tests still fail a wrong answer, flagged?"""
    result = grade("locked-test-edited")
    assert "grading.cell-changed" in codes(result)
    assert autoscores(result) == {"square-tests": 0, "count-words-tests": 0}
    assert result["grades"]["square-tests"]["needs_manual_grade"]


def test_edited_points_and_locked_flags_are_ignored(grade):
    """THREATS 21: does raising a test cell's points to 100 change its maximum? (It must not.)"""
    result = grade("points-and-locked-edited")
    assert result["grades"]["square-tests"]["max_score"] == 2.0
    assert "grading.metadata-changed" in codes(result)


def test_learner_tags_do_not_skip_test_cells(grade):
    """THREATS 22: does a learner-added `skip-execution`/`raises-exception` tag stop a test cell
    from running or from failing? (It must not.)"""
    result = grade("skip-tags-on-test-cells")
    assert autoscores(result) == {"square-tests": 0, "count-words-tests": 0}
    for cell in result["autograded"]["cells"]:
        assert "tags" not in cell["metadata"]
    assert "AssertionError" in outputs_text(result)


def test_notebook_execution_overrides_are_ignored(grade):
    """THREATS 23 (and 14): do executor overrides and a changed kernelspec in the notebook
    metadata change how it runs? (They must not.)"""
    result = grade("notebook-execution-override")
    assert {"grading.notebook-metadata", "grading.kernelspec-changed"} <= codes(result)
    assert result["autograded"]["metadata"]["kernelspec"]["name"] == "python3"
    assert "mystnb" not in result["autograded"]["metadata"]
    assert autoscores(result) == {"square-tests": 0, "count-words-tests": 0}


def test_disabled_tracebacks_still_fail(grade):
    """THREATS 24: with showtraceback and sys.excepthook silenced, do failing tests still fail?"""
    result = grade("showtraceback-disabled")
    assert autoscores(result) == {"square-tests": 0, "count-words-tests": 0}


def test_learner_code_cannot_read_hidden_tests(grade):
    """THREATS 27: can learner code find the hidden tests on disk while it runs (the cohort's
    source/, the gradebook, the pack)? The fixture searches the filesystem for them."""
    result = grade("reads-hidden-tests")
    text = stream_text(result)
    assert "nothing found" in text and "LEAKED" not in text
    assert result["confinement"]["namespaces"], "this machine cannot hide paths (no mount ns)"


def test_hidden_tests_run_after_every_learner_cell(grade, authority):
    """THREATS 27: is hidden-test source sent to the kernel only after the last learner cell?
    (Phase 1 runs test cells without it; a wrong answer that passes the visible test fails.)"""
    result = grade("right")
    assert autoscores(result) == FULL
    cells = result["autograded"]["cells"]
    counts = [c["execution_count"] for c in cells if c["cell_type"] == "code"]
    hidden_counts = [
        c["execution_count"]
        for c in cells
        if c["metadata"].get("nbgrader", {}).get("grade_id") in FULL
    ]
    assert min(hidden_counts) > max(n for n in counts if n not in hidden_counts)


def test_infinite_loop_times_out_and_later_cells_run(grade):
    """THREATS 33: does an endless loop cost only its cell, later cells still run and score?"""
    result = grade("infinite-loop")
    assert "grading.cell-timeout" in codes(result)
    assert autoscores(result) == FULL  # square was defined before the loop


def test_output_flood_is_capped(grade):
    """THREATS 34: does an endless print loop leave a capped notebook and a note?"""
    result = grade("infinite-loop-with-output")
    square = next(
        c
        for c in result["autograded"]["cells"]
        if c["metadata"].get("nbgrader", {}).get("grade_id") == "square"
    )
    assert sum(len(o.get("text", "")) for o in square["outputs"]) < 2 * 256 * 1024
    assert "bytes of output were dropped" in outputs_text(result)


def test_kernel_ignoring_interrupt_is_killed_and_flagged(grade):
    """THREATS 35: is a kernel that ignores SIGINT killed, named, and the learner flagged?"""
    result = grade("ignores-interrupt")
    assert "grading.kernel-died" in codes(result)
    assert autoscores(result) == {"square-tests": 0, "count-words-tests": 0}
    assert all(result["grades"][g]["needs_manual_grade"] for g in FULL)


def test_kernel_death_fails_that_learner_only(grade):
    """THREATS 36: after os._exit, are later tests 0 and flagged, never passed?"""
    result = grade("kernel-death-os-exit")
    assert "grading.kernel-died" in codes(result)
    assert result["grades"]["count-words-tests"]["auto_score"] == 0
    assert result["flagged"]


def test_sys_exit_is_an_error_and_later_cells_run(grade):
    """THREATS 37: is sys.exit() in an answer an error of that cell, not the end of grading?"""
    result = grade("sys-exit-in-answer")
    assert "SystemExit" in outputs_text(result)
    assert autoscores(result) == FULL


def test_stdin_read_fails_fast(grade):
    """THREATS 38: does input() fail at once instead of waiting for a reply that never comes?"""
    result = grade("stdin-input")
    assert "StdinNotImplementedError" in outputs_text(result)
    assert "grading.cell-timeout" not in codes(result)
    assert result["grades"]["count-words-tests"]["auto_score"] == 3.0


def test_memory_bomb_hits_the_address_space_limit(grade):
    """THREATS 39: does a huge allocation fail with MemoryError inside the limit?"""
    result = grade("memory-bomb")
    assert "MemoryError" in outputs_text(result)
    assert autoscores(result) == FULL


def test_fork_bomb_is_contained(grade):
    """THREATS 40: is a fork loop stopped by the process limit and killed with its kernel?"""
    from learnpacks.grading.sandbox import capabilities

    caps = capabilities()
    if caps.get("root") and not caps.get("cgroup"):
        pytest.skip("running as root without a writable cgroup: RLIMIT_NPROC does not bind")
    result = grade("fork-bomb")
    assert result["status"] == "graded" and result["flagged"]
    assert autoscores(result) == {"square-tests": 0, "count-words-tests": 0}


def test_disk_fill_hits_the_file_size_limit(grade):
    """THREATS 41: does writing an endless file fail with EFBIG, the grader unharmed?"""
    result = grade("disk-fill")
    assert "File too large" in outputs_text(result)
    assert autoscores(result) == FULL


def test_network_is_unreachable_from_learner_code(grade):
    """THREATS 42: can learner code connect to a server on the grader's loopback?"""
    result = grade("network-access")
    assert "CONNECTED" not in stream_text(result)
    assert "Network is unreachable" in outputs_text(result)
    assert result["confinement"]["network"] == "none"


def test_network_control_connects_when_allowed(grade):
    """Control for 42: with network allowed, the same fixture connects (the test can fail)."""
    from learnpacks.grading.limits import Limits

    result = grade("network-access", limits=Limits(cell_timeout=4, network=True))
    assert "CONNECTED" in stream_text(result)


def test_recursion_traceback_is_truncated(grade):
    """THREATS 44: is an endless recursion's traceback cut to the first and last lines?"""
    result = grade("infinite-recursion")
    for cell in result["autograded"]["cells"]:
        for out in cell.get("outputs", []):
            if out.get("output_type") == "error":
                assert len(out["traceback"]) <= 41
    assert result["grades"]["square-tests"]["auto_score"] == 0


def test_test_cell_after_kernel_death_is_not_passed(grade):
    """THREATS 47: a test cell that produced no output because it never ran: is it 0?"""
    result = grade("kernel-dies-before-tests")
    assert autoscores(result) == {"square-tests": 0, "count-words-tests": 0}
    assert "grading.not-run" in codes(result)


def test_duplicate_answer_cell_is_not_graded_twice(grade):
    """THREATS 5: a copy-pasted answer cell claiming the same id: first one counts, warning."""
    result = grade("duplicate-answer-cell")
    assert "grading.duplicate-id" in codes(result)
    assert set(result["grades"]) == {"square-tests", "count-words-tests", "explain"}


def test_stderr_warning_in_answer_keeps_the_score(grade):
    """THREATS 45 (the rule): a warning on stderr in an *answer* cell does not zero the tests;
    stderr in a *test* cell fails it, as in nbgrader (documented)."""
    assert autoscores(grade("stderr-warning-in-answer")) == FULL


def test_result_is_json_only(grade):
    """THREATS 31: is the result a JSON document (the only thing a worker hands back)?"""
    import json

    from learnpacks.grading.run import RESULT_SCHEMA

    result = grade("right")
    assert json.loads(json.dumps(result))["schema"] == RESULT_SCHEMA


def test_missing_notebook_scores_zero_as_nbgrader(authority):
    """THREATS 10: a notebook of the pack that was not handed in: 0 for its items, reported,
    and (as in nbgrader) not queued for manual grading."""
    from learnpacks.grading.run import Task, grade_task

    result = grade_task(Task("absent", authority, None))
    assert result["status"] == "rejected"
    assert codes(result) == {"grading.missing-notebook"}
    assert all(
        g["auto_score"] == 0 and not g["needs_manual_grade"] for g in result["grades"].values()
    )

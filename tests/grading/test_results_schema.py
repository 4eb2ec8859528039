"""THREATS 31: a worker's result is JSON checked against a schema and the authority."""

from __future__ import annotations

import copy

import pytest

from learnpacks.grading.authority import AuthCell, Authority
from learnpacks.grading.gradebook import ResultInvalid, validate_result

AUTH = Authority(
    "demo",
    "01-functions",
    (
        AuthCell("square", "code", "", False, None, grade=False, solution=True),
        AuthCell(
            "square-tests", "code", "assert 1", True, "x", grade=True, solution=False, points=2.0
        ),
    ),
)
GOOD = {
    "schema": 1,
    "student": "ada",
    "notebook": "01-functions",
    "status": "graded",
    "flagged": False,
    "grades": {"square-tests": {"auto_score": 2.0, "max_score": 2.0, "needs_manual_grade": False}},
    "comments": {},
    "findings": [],
}


def test_well_formed_result_is_accepted():
    """Is a result that matches the schema and the authority accepted unchanged?"""
    assert validate_result(copy.deepcopy(GOOD), AUTH, "ada") == GOOD


@pytest.mark.parametrize(
    "forge",
    [
        lambda r: r["grades"]["square-tests"].update(auto_score=100.0),  # more than the maximum
        lambda r: r["grades"]["square-tests"].update(auto_score=-1),
        lambda r: r["grades"].update(
            bonus={"auto_score": 1, "max_score": 1, "needs_manual_grade": False}
        ),  # unknown cell
        lambda r: r["grades"].update(
            square={"auto_score": 1, "max_score": 1, "needs_manual_grade": False}
        ),  # not a grade cell
        lambda r: r.update(student="mallory"),  # someone else's result
        lambda r: r.update(grades=[]),
        lambda r: r["grades"]["square-tests"].update(needs_manual_grade="no"),
    ],
)
def test_forged_results_are_refused(forge):
    """Does a result claiming impossible scores, unknown cells or another learner get refused?"""
    forged = copy.deepcopy(GOOD)
    forge(forged)
    with pytest.raises(ResultInvalid):
        validate_result(forged, AUTH, "ada")

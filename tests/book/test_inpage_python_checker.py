"""The checker a page runs in Pyodide (``learnpacks/widgets/codecheck.py``), run here in CPython:
what a code exercise puts in its widget state for a page, and what one learner cell gives."""

from __future__ import annotations

import math
from typing import Any

import pytest

from learnpacks.widgets import CodeExercise, configure, set_language
from learnpacks.widgets.answers import reset_configuration
from learnpacks.widgets.codecheck import as_literal, run_cell, stdlib_only


@pytest.fixture(autouse=True)
def _answers_in_tmp(tmp_path):
    configure(directory=tmp_path)
    yield
    reset_configuration()


@pytest.mark.parametrize(
    "value",
    [
        [((1, 2), 3)],
        {"a": [1, 2.5, None, True], "b": {"c": (b"x",)}},
        {1, 2},
        -0.0,
        "être humain",
    ],
)
def test_literal_values_travel_with_their_types(value: Any) -> None:
    """Does a literal value come back from its text equal and with the same types?"""
    import ast

    text = as_literal(value)
    assert text is not None
    back = ast.literal_eval(text)
    assert back == value and repr(back) == repr(value)


class Row(dict):
    pass


@pytest.mark.parametrize("value", [math.nan, math.inf, Row(a=1), object(), [1, {2: print}]])
def test_values_without_a_literal_have_none(value: Any) -> None:
    """Is a value that has no faithful literal (nan, a dict subclass, an object) refused?"""
    assert as_literal(value) is None


def test_a_graded_code_exercise_gives_a_page_nothing() -> None:
    """Does a graded code exercise keep its tests out of the widget state (issue 10's rule)?"""
    graded = CodeExercise(id="g", prompt="?", tests=[((1,), 2)], mode="graded")
    assert graded.get_state()["inpage"] == {}
    practice = CodeExercise(id="p", prompt="?", tests=[((1,), 2)])
    assert practice.get_state()["inpage"] == {"tests": "[[[1], 2]]"}


def test_tests_without_a_literal_make_the_exercise_unavailable_in_a_page() -> None:
    """Is an exercise whose tests hold a non-literal value (an object) marked unavailable?"""
    exercise = CodeExercise(id="p", prompt="?", tests=[((object(),), 2)])
    assert exercise.get_state()["inpage"] == {"unavailable": "tests", "needs": []}


def test_tests_on_a_dataframe_name_pandas() -> None:
    """Does an exercise whose tests pass a DataFrame say that it needs pandas?"""
    import pandas as pd

    frame = pd.DataFrame({"month": ["2024-01"], "new_editors": [5]})
    exercise = CodeExercise(id="p", prompt="?", tests=[((frame,), "2024-01")])
    assert exercise.get_state()["inpage"] == {"unavailable": "tests", "needs": ["pandas"]}


def test_packages_beyond_the_standard_library_are_named() -> None:
    """Are pandas and requests named as missing, and json, os.path and __future__ not?"""
    assert stdlib_only(["json", "os.path", "pandas", "requests.adapters", "__future__"]) == [
        "pandas",
        "requests",
    ]


def test_a_cell_calling_check_gets_the_kernels_messages() -> None:
    """Does a cell that calls ``exercise.check(f)`` get the verdict and the messages the kernel
    gives the same function, in the same language?"""
    set_language("fr")
    try:
        exercise = CodeExercise(id="double", prompt="?", tests=[((2,), 4), ((3,), 6)])
    finally:
        set_language(None)
    code = "def double(x):\n    return x + 2\n\nex.check(double)\n"
    found = run_cell(
        code,
        tests=exercise.inpage["tests"],
        strings=exercise.strings,
        name="double",
    )
    namespace: dict[str, Any] = {}
    exec(code.replace("ex.check(double)", ""), namespace)
    kernel = exercise.record(namespace["double"])
    assert found["verdict"] == {"passed": False, "messages": kernel["feedback"]}
    assert found["output"] == kernel["feedback"][0] + "\n"
    assert found["error"] is None
    assert "renvoyé" in kernel["feedback"][0]


def test_check_without_a_call_checks_the_named_function() -> None:
    """With Check pressed and no ``.check()`` in the code, is the function the exercise names
    checked after the run?"""
    found = run_cell("def f(x):\n    return 2 * x\n", tests="[[[2], 4]]", name="f", check=True)
    assert found["verdict"] == {"passed": True, "messages": ["All tests passed."]}
    missing = run_cell("x = 1\n", tests="[[[2], 4]]", name="f", check=True)
    assert missing["verdict"] is None
    assert missing["error"] == "NameError: name 'f' is not defined\n"


def test_errors_show_the_learners_lines_only() -> None:
    """Does an error's traceback quote the learner's own line, and no frame of the checker's?"""
    found = run_cell("print('before')\nx = 1 / 0\n")
    assert found["output"] == "before\n"
    assert found["error"].splitlines() == [
        "Traceback (most recent call last):",
        '  File "<your code>", line 2, in <module>',
        "    x = 1 / 0",
        "        ~~^~~",
        "ZeroDivisionError: division by zero",
    ]
    assert "lp_codecheck" not in found["error"] and "codecheck" not in found["error"]
    syntax = run_cell("def f(:\n")
    assert syntax["error"].startswith('  File "<your code>", line 1')
    assert run_cell("raise SystemExit(3)\n")["error"].endswith("SystemExit: 3\n")

"""`learnpacks check --execute` on scenario-named packs that pass the static checks but break when
they run: each caught with its own code, notebook, cell and language."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from learnpacks.checks.execute import execute_packs
from learnpacks.errors import Problem

pytestmark = pytest.mark.slow

FIXTURES = Path(__file__).parent / "fixtures" / "execute"

# scenario pack -> every error `check --execute` must report for it: (code, location)
EXPECTED = {
    "solution-fails-its-test": [
        ("exec.solution-fails", "cell 9 [id=count-projects-test], language en"),
    ],
    "test-passes-on-blank": [
        ("exec.test-passes-blank", "cell 9 [id=count-projects-test], language en"),
    ],
    "practice-key-fails-its-checker": [
        ("exec.practice-key-rejected", "cell 4 [id=per-day], line 1, language en"),
    ],
    "practice-accepts-any-answer": [
        ("exec.practice-accepts-wrong", "cell 4 [id=media], line 1, language en"),
    ],
    "translation-breaks-code-cell": [
        ("exec.translation-breaks-cell", "cell 5 [id=years], language fr"),
    ],
    "strict-output-differs": [
        ("exec.output-mismatch", "cell 3 [id=sum], language en"),
    ],
}


@pytest.fixture(scope="module")
def executed() -> tuple[list[Problem], list]:
    return execute_packs(root=FIXTURES)


@pytest.mark.parametrize("pack", sorted(EXPECTED))
def test_each_scenario_is_caught_with_its_code_and_place(executed, pack):
    """Does `check --execute` report exactly the scenario's problem, at its notebook, cell and language?"""
    problems, _plans = executed
    found = [(p.code, p.location) for p in problems if p.path == f"packs/{pack}/01-start.ipynb"]
    assert sorted(found) == sorted(EXPECTED[pack])


def test_problems_quote_the_error_and_name_the_catalog(executed):
    """Does a failing cell's problem quote the error's last lines, and a translation's name its catalog?"""
    problems, _plans = executed
    (broken,) = [p for p in problems if p.code == "exec.translation-breaks-cell"]
    assert "KeyError: 'Wikipédia'" in broken.message
    assert "translations/fr/translation-breaks-code-cell.po" in broken.hint
    assert "launched[project]" in broken.hint
    (fails,) = [p for p in problems if p.code == "exec.solution-fails"]
    assert "AssertionError" in fails.message


def test_every_published_language_is_run_once(executed):
    """Is each notebook run in its source language and in each published translation, once?"""
    _problems, plans = executed
    runs = sorted((p.pack, p.language) for p in plans)
    assert runs == sorted(
        [(pack, "en") for pack in EXPECTED] + [("translation-breaks-code-cell", "fr")]
    )


def test_the_static_check_sees_none_of_them():
    """Do the scenario packs pass `learnpacks check` without --execute (only running finds them)?"""
    from learnpacks.checks import check_catalog

    report = check_catalog(root=FIXTURES)
    assert report.problems == [], "\n".join(p.format() for p in report.problems)


def test_cli_execute_exits_1_with_located_json():
    """Does `learnpacks check --execute PACK --json` exit 1 with the located problem and no traceback?"""
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "learnpacks",
            "--root",
            str(FIXTURES),
            "check",
            "--execute",
            "--json",
            "translation-breaks-code-cell",
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 1, result.stderr[-2000:]
    data = json.loads(result.stdout)
    assert data["runs"] == [
        ["packs/translation-breaks-code-cell/01-start.ipynb", "en"],
        ["packs/translation-breaks-code-cell/01-start.ipynb", "fr"],
    ]
    assert [(p["code"], p["location"]) for p in data["problems"]] == EXPECTED[
        "translation-breaks-code-cell"
    ]
    assert "Traceback" not in result.stderr


def test_pytest_collects_each_language_as_an_item(tmp_path):
    """Does `pytest --learnpacks-execute` collect a notebook per language, pass the source and fail
    the broken translation with the same located problem?"""
    ini = tmp_path / "pytest.ini"  # the project's own settings, not the repository's test suite's
    ini.write_text("[pytest]\naddopts = -p learnpacks.checks.pytest_plugin\n")
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-c",
            str(ini),
            "-p",
            "no:cacheprovider",
            "-q",
            "-rA",
            "--basetemp",
            str(tmp_path / "base"),
            "--rootdir",
            str(FIXTURES),
            "--confcutdir",
            str(FIXTURES),
            "--learnpacks-execute",
            "packs/translation-breaks-code-cell",
        ],
        cwd=FIXTURES,
        capture_output=True,
        text=True,
        check=False,
    )
    out = result.stdout
    assert result.returncode == 1, out[-3000:]
    assert "1 failed, 1 passed" in out
    assert "PASSED packs/translation-breaks-code-cell/01-start.ipynb::en" in out
    assert "FAILED packs/translation-breaks-code-cell/01-start.ipynb::fr" in out
    assert "cell 5 [id=years], language fr: error[exec.translation-breaks-cell]" in out

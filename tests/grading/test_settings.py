"""``cohort.json`` is configuration: validated by typed models, never silently half-read.

Each scenario file under ``fixtures/settings/`` is merged into a real cohort's settings.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from grading_helpers import FIXTURES, PROJECT, clone_cohort

from learnpacks.errors import ConfigError
from learnpacks.grading.cohort import COHORT_FILE, init_cohort, load_cohort

SETTINGS = FIXTURES / "settings"


def _merge(base: dict, patch: dict) -> dict:
    out = dict(base)
    for key, value in patch.items():
        out[key] = _merge(base[key], value) if isinstance(value, dict) and key in base else value
    return out


@pytest.fixture
def edited(released, tmp_path):
    """``edited("scenario")``: a copy of the released cohort with that scenario's settings."""

    def make(scenario: str) -> Path:
        cohort = clone_cohort(released, tmp_path / scenario)
        path = cohort.root / COHORT_FILE
        patch = json.loads((SETTINGS / f"{scenario}.json").read_text())
        path.write_text(json.dumps(_merge(json.loads(path.read_text()), patch)))
        return cohort.root

    return make


@pytest.mark.parametrize(
    ("scenario", "code", "place", "said"),
    [
        ("misspelt-limit", "cohort.unknown-field", "limits.cell_timout", "cell_timeout"),
        ("network-yes", "cohort.invalid-value", "limits.network", "true or false"),
        ("unknown-top-level-key", "cohort.unknown-field", "graders", "notebooks"),
        ("confinement-partial", "cohort.invalid-value", "limits.confinement", "'full' or 'weak'"),
        ("negative-memory", "cohort.invalid-value", "limits.memory_bytes", "greater than or equal"),
    ],
)
def test_bad_settings_are_refused_with_file_key_and_choices(edited, scenario, code, place, said):
    """Is a misspelt limit, a string for a boolean, an unknown key or an unknown confinement
    refused with a code, the file, the key path and what would be valid?"""
    root = edited(scenario)
    with pytest.raises(ConfigError) as info:
        load_cohort(root)
    [problem] = info.value.problems
    assert (problem.code, problem.location) == (code, place)
    assert problem.path == str(root / COHORT_FILE)
    assert said in problem.message + problem.hint


def test_valid_edited_limits_apply(edited):
    """Does a facilitator's valid edit of the limits reach the limits grading uses?"""
    cohort = load_cohort(edited("valid-edited-limits"))
    assert cohort.limits.cell_timeout == 5.0
    cohort.save()
    saved = json.loads((cohort.root / COHORT_FILE).read_text())
    assert saved["limits"]["cell_timeout"] == 5.0
    assert load_cohort(cohort.root).limits == cohort.limits


def test_cli_prints_the_problem_without_a_traceback(edited):
    """Does `cohort release` on a cohort with an unknown key exit 2 with `code: message
    (file, place)` instead of a TypeError traceback?"""
    root = edited("unknown-top-level-key")
    env = {**os.environ, "PATH": str(Path(sys.executable).parent) + os.pathsep + os.environ["PATH"]}
    run = subprocess.run(
        [sys.executable, "-m", "learnpacks", "cohort", "release", "-C", str(root)],
        env=env,
        capture_output=True,
        text=True,
    )
    assert run.returncode == 2
    assert "cohort.unknown-field" in run.stderr and "graders" in run.stderr
    assert str(root / COHORT_FILE) in run.stderr
    assert "Traceback" not in run.stderr


def test_failed_init_leaves_no_half_made_cohort(tmp_path):
    """When the gradebook cannot be opened, does `init` leave no folder behind, and leave a
    folder that existed before exactly as it was?"""
    bad = "postgresql+psycopg2://nobody:x@127.0.0.1:1/none"
    fresh = tmp_path / "fresh"
    with pytest.raises(Exception, match="cannot open the gradebook"):
        init_cohort(fresh, pack="grading-demo", root=PROJECT, db_url=bad)
    assert not fresh.exists()
    kept = tmp_path / "kept"
    kept.mkdir()
    (kept / "notes.txt").write_text("mine")
    with pytest.raises(Exception, match="cannot open the gradebook"):
        init_cohort(kept, pack="grading-demo", root=PROJECT, db_url=bad)
    assert [p.name for p in kept.iterdir()] == ["notes.txt"]

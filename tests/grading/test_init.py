"""``cohort init`` is all or nothing: a failure partway leaves no half-made cohort, and
``--force`` that fails leaves the existing cohort exactly as it was."""

from __future__ import annotations

import hashlib
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from grading_helpers import PROJECT, clone_cohort

from learnpacks.grading import cohort as cohort_module
from learnpacks.grading.cohort import COHORT_FILE, init_cohort, load_cohort
from learnpacks.grading.limits import Limits


def _tree(folder: Path) -> dict[str, str]:
    """Every file under *folder* and its content's digest (folders as '/')."""
    return {
        str(p.relative_to(folder)): "/"
        if p.is_dir()
        else hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
    }


def _fail_on_call(n: int, real: Callable[..., Any]) -> Callable[..., Any]:
    """*real*, except that its *n*-th call raises OSError (an injected failure)."""
    calls = 0

    def wrapper(*args: Any, **kwargs: Any) -> Any:
        nonlocal calls
        calls += 1
        if calls == n:
            raise OSError(28, "No space left on device (injected)")
        return real(*args, **kwargs)

    return wrapper


@pytest.fixture
def cohort_with_handins(released, tmp_path):
    """An existing cohort with a hand-in, a result and a note of the facilitator's."""
    cohort = clone_cohort(released, tmp_path / "spring")
    handin = cohort.path("submitted", "ada")
    handin.mkdir(parents=True)
    (handin / "01-functions.ipynb").write_text("{}")
    cohort.state.mkdir(exist_ok=True)
    (cohort.state / "marker.json").write_text("{}")
    (cohort.root / "notes.txt").write_text("mine")
    return cohort


@pytest.mark.parametrize("where", ["copying a notebook", "renaming into place"])
def test_failed_force_init_leaves_the_cohort_as_it_was(cohort_with_handins, monkeypatch, where):
    """Does `init --force` that fails while copying the pack, or while renaming the new files
    into place, leave every file of the existing cohort as it was (and no staging folder)?"""
    root = cohort_with_handins.root
    before = _tree(root)
    if where == "copying a notebook":
        monkeypatch.setattr(shutil, "copy2", _fail_on_call(2, shutil.copy2))
    else:
        monkeypatch.setattr(cohort_module, "_rename", _fail_on_call(3, cohort_module._rename))
    with pytest.raises(OSError, match="injected"):
        init_cohort(
            root, pack="grading-demo", root=PROJECT, limits=Limits(cell_timeout=5), force=True
        )
    assert _tree(root) == before
    assert [p.name for p in root.parent.iterdir()] == [root.name]


def test_force_init_replaces_settings_and_keeps_handins(cohort_with_handins):
    """Does a successful `init --force` write the new settings and keep hand-ins, grading state
    and the facilitator's own files?"""
    root = cohort_with_handins.root
    init_cohort(root, pack="grading-demo", root=PROJECT, limits=Limits(cell_timeout=5), force=True)
    assert load_cohort(root).limits.cell_timeout == 5
    assert (cohort_with_handins.path("submitted", "ada") / "01-functions.ipynb").read_text() == "{}"
    assert (cohort_with_handins.state / "marker.json").is_file()
    assert (root / "notes.txt").read_text() == "mine"
    assert [p.name for p in root.parent.iterdir()] == [root.name]


def test_failed_init_of_a_new_folder_leaves_nothing(tmp_path, monkeypatch):
    """Does `init` that fails partway into a folder that did not exist (or whose parent did
    not) leave no folder and no staging folder behind?"""
    copy2 = shutil.copy2
    for folder in (tmp_path / "new" / "cohort", tmp_path / "fresh"):
        monkeypatch.setattr(shutil, "copy2", _fail_on_call(2, copy2))
        with pytest.raises(OSError, match="injected"):
            init_cohort(folder, pack="grading-demo", root=PROJECT)
    assert list(tmp_path.iterdir()) == []
    assert not (tmp_path / "fresh" / COHORT_FILE).exists()


_KILLED_INIT = """
import os, signal, sys
from pathlib import Path
from learnpacks.grading import cohort as cohort_module
from learnpacks.grading.limits import Limits

real, calls = cohort_module._rename, []
def rename(src, dst):
    calls.append(dst)
    if len(calls) == int(sys.argv[2]):
        os.kill(os.getpid(), signal.SIGKILL)  # as a power cut or the OOM killer would
    real(src, dst)
cohort_module._rename = rename
cohort_module.init_cohort(
    Path(sys.argv[1]), pack="grading-demo", root=Path(sys.argv[3]),
    limits=Limits(cell_timeout=5), force=True,
)
"""


@pytest.mark.parametrize("kill_at", [1, 3])
def test_force_init_killed_while_renaming_is_undone_by_the_next_command(
    cohort_with_handins, kill_at
):
    """When `init --force` is killed (SIGKILL) halfway through renaming the new files into the
    cohort folder, does the next command that opens the cohort put every file back as it was,
    and remove the staging folder, before going on?"""
    import subprocess
    import sys

    root = cohort_with_handins.root
    before = _tree(root)
    killed = subprocess.run(
        [sys.executable, "-c", _KILLED_INIT, str(root), str(kill_at), str(PROJECT)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert killed.returncode == -9, killed.stderr
    staging = [p for p in root.parent.iterdir() if p.name != root.name]
    assert len(staging) == 1 and (staging[0] / ".journal.json").is_file()
    assert _tree(root) != before  # the kill left the cohort half renamed
    load_cohort(root)
    assert _tree(root) == before
    assert [p.name for p in root.parent.iterdir()] == [root.name]


def test_a_running_init_is_not_undone(cohort_with_handins):
    """Is the staging folder of an `init` that is still running (its lock held) left alone, and
    the command that found it told so?"""
    from learnpacks.errors import UsageError

    root = cohort_with_handins.root
    staging, lock = cohort_module._staging_folder(root)
    try:
        with pytest.raises(UsageError, match="is running"):
            load_cohort(root)
        assert staging.is_dir()
    finally:
        lock.close()
    load_cohort(root)  # its process gone (the lock released): what it left is removed
    assert not staging.exists()

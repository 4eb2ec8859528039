"""pytest collects ``learnpacks check --execute``: ``pytest --learnpacks-execute packs``.

Each notebook of a pack is a collector and each language it is published in an item
(``packs/<pack>/<notebook>.ipynb::fr``), so ``pytest-xdist --dist loadscope`` keeps a notebook's
languages on one worker and spreads the notebooks. The translations are built once per test
session, by the first worker that needs them (the others wait on a lock and reuse them). An
item fails with the same located ``exec.*`` problems the command prints.

The plugin is loaded by the project's pytest configuration (``-p learnpacks.checks.pytest_plugin``).
"""

from __future__ import annotations

import fcntl
import json
import tempfile
from collections.abc import Iterator
from dataclasses import asdict
from pathlib import Path
from typing import Any

import pytest

from learnpacks.errors import Problem

CONFIG_FILE = Path("packs") / "_config.yml"
_CACHE = pytest.StashKey[dict]()


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("learnpacks")
    group.addoption(
        "--learnpacks-execute",
        action="store_true",
        help="run every pack notebook given (or under the folders given) in the source language "
        "and every published translation, and prove its exercises (learnpacks check --execute)",
    )


def _project_root(path: Path) -> Path | None:
    for folder in path.parents:
        if (folder / CONFIG_FILE).is_file():
            return folder
    return None


def _shared_dir(config: pytest.Config) -> Path:
    """A folder every xdist worker of this session shares (the session's base temp folder)."""
    factory = getattr(config, "_tmp_path_factory", None)
    if factory is None:  # pragma: no cover - the tmpdir plugin is always there
        return Path(tempfile.mkdtemp(prefix="learnpacks-execute-"))
    base = factory.getbasetemp()
    return base.parent if hasattr(config, "workerinput") else base


def _plans(config: pytest.Config, root: Path) -> tuple[list[Any], list[Problem]]:
    """The session's plans for the project at *root*: built once, shared by the workers."""
    from learnpacks.checks.execute import build_plans
    from learnpacks.checks.plans import Plan

    cache: dict[Path, tuple[list[Any], list[Problem]]] = config.stash.setdefault(_CACHE, {})
    if root in cache:
        return cache[root]
    shared = _shared_dir(config) / "learnpacks-execute"
    shared.mkdir(parents=True, exist_ok=True)
    index = shared / "plans.json"
    with open(shared / "lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if index.is_file():
            data = json.loads(index.read_text(encoding="utf-8"))
            plans = [Plan(**{**p, "folder": Path(p["folder"])}) for p in data["plans"]]
            errors = [Problem(**p) for p in data["errors"]]
        else:
            plans, errors = build_plans(root=root, out_dir=shared / "notebooks")
            data = {
                "plans": [{**asdict(p), "folder": str(p.folder)} for p in plans],
                "errors": [p.to_dict() for p in errors],
            }
            index.write_text(json.dumps(data), encoding="utf-8")
    cache[root] = (plans, errors)
    return cache[root]


def pytest_collect_file(file_path: Path, parent: pytest.Collector) -> pytest.Collector | None:
    if not parent.config.getoption("learnpacks_execute") or file_path.suffix != ".ipynb":
        return None
    root = _project_root(file_path)
    if root is None:
        return None
    display = file_path.resolve().relative_to(root.resolve()).as_posix()
    plans, errors = _plans(parent.config, root)
    mine = [p for p in plans if p.display == display]
    pack_errors = [e for e in errors if e.path.startswith(display.rsplit("/", 1)[0] + "/")]
    if not mine and not pack_errors:
        return None
    return NotebookFile.from_parent(parent, path=file_path, plans=mine, errors=pack_errors)


class ExecutionFailed(Exception):
    """The located problems of one notebook in one language."""

    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("\n".join(p.format() for p in problems))
        self.problems = problems


class NotebookFile(pytest.File):
    """One pack notebook: an item per published language."""

    def __init__(self, *, plans: list[Any], errors: list[Problem], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.plans = plans
        self.errors = errors

    def collect(self) -> Iterator[pytest.Item]:
        if self.errors:
            yield BuildItem.from_parent(self, name="build", errors=self.errors)
        for plan in self.plans:
            yield LanguageItem.from_parent(self, name=plan.language, plan=plan)


class BuildItem(pytest.Item):
    """The pack's translations could not be built."""

    def __init__(self, *, errors: list[Problem], **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.errors = errors

    def runtest(self) -> None:
        raise ExecutionFailed(self.errors)

    def repr_failure(self, excinfo: Any, style: Any = None) -> str:
        return _repr(excinfo)


class LanguageItem(pytest.Item):
    """One notebook in one language: run, compared, its exercises proved."""

    def __init__(self, *, plan: Any, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        self.plan = plan

    def runtest(self) -> None:
        from learnpacks.checks.execute import run_plan

        problems = [p for p in run_plan(self.plan) if p.severity == "error"]
        if problems:
            raise ExecutionFailed(problems)

    def repr_failure(self, excinfo: Any, style: Any = None) -> str:
        return _repr(excinfo)

    def reportinfo(self) -> tuple[Path, int, str]:
        return self.path, 0, self.plan.label


def _repr(excinfo: Any) -> str:
    if isinstance(excinfo.value, ExecutionFailed):
        return str(excinfo.value)
    return f"learnpacks execution plugin error: {excinfo.value!r}"

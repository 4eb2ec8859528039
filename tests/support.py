"""Helpers shared by the test modules (import them with ``from support import ...``; a
``from conftest import`` would pick whichever of the suite's conftest modules was loaded last)."""

from __future__ import annotations

import fcntl
import json
import os
import pickle
import shutil
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

T = TypeVar("T")

REPO = Path(__file__).resolve().parents[1]


def copy_project(dest: Path) -> Path:
    """Copy the repository's project files (packs/, book/, translations/) to *dest*; returns it."""
    shutil.copytree(REPO / "packs", dest / "packs")
    shutil.copytree(REPO / "book", dest / "book", ignore=shutil.ignore_patterns("_build"))
    if (REPO / "translations").is_dir():
        shutil.copytree(REPO / "translations", dest / "translations")
    return dest


def built_once(shared_root: Path, name: str, build: Callable[[Path], T]) -> T:
    """``build(folder)`` once per test session however many xdist workers ask: the first one
    builds in ``shared_root/name`` while the others wait on a lock, then they read its result
    (pickled). *shared_root* is :func:`session_root`. A build that failed is tried again by the
    next worker that asks, in a clean folder. Only for what the tests read, never change."""
    folder, result = shared_root / name, shared_root / f"{name}.pickle"
    with open(shared_root / f"{name}.lock", "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if result.exists():
            value: T = pickle.loads(result.read_bytes())
            return value
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir(parents=True)
        value = build(folder)
        result.write_bytes(pickle.dumps(value))
        return value


def session_root(tmp_path_factory: Any) -> Path:
    """The temporary folder every xdist worker of this run shares (each worker's own base
    folder is one level below it), or the session's own when xdist does not run."""
    base = Path(tmp_path_factory.getbasetemp())
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


def repository_cells(cell_type: str) -> Iterator[tuple[Path, str]]:
    """Every cell of *cell_type* in the shipped packs' notebooks and the tests' fixtures, as
    ``(notebook, source)`` (files that are not notebooks, as some fixtures are, are passed by)."""
    for path in sorted([*REPO.glob("packs/*/*.ipynb"), *REPO.glob("tests/**/*.ipynb")]):
        try:
            cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        except (ValueError, KeyError, TypeError, UnicodeDecodeError):
            continue
        for cell in cells:
            if isinstance(cell, dict) and cell.get("cell_type") == cell_type:
                source = cell.get("source", "")
                yield path, "".join(source) if isinstance(source, list) else str(source)


def block_non_local(page: Any, seen: list[str]) -> None:
    """Abort every request not to 127.0.0.1 / localhost (data: and blob: pass); record what was blocked."""

    def route(route: Any) -> None:
        url = route.request.url
        host = url.split("/")[2].split(":")[0] if "://" in url else ""
        if url.startswith(("data:", "blob:")) or host in ("127.0.0.1", "localhost"):
            route.continue_()
        else:
            seen.append(url)
            route.abort()

    page.route("**/*", route)


def axe_violations(
    page: Any, axe_path: Path, *, also: tuple[str, ...] = ()
) -> list[dict[str, Any]]:
    """Serious and critical axe-core violations on the page as loaded, and those of the rules
    named in *also* whatever their impact."""
    page.add_script_tag(path=str(axe_path))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [
        v
        for v in result["violations"]
        if v.get("impact") in ("serious", "critical") or v.get("id") in also
    ]


def local_page(context: Any) -> Any:
    """A new page of *context* that reaches only this machine; ``page.blocked`` lists the rest."""
    page = context.new_page()
    page.blocked = []
    block_non_local(page, page.blocked)
    return page


def answer_starter_choice(page: Any) -> None:
    """Answer the scaffolded pack's multiple-choice exercise wrongly, then rightly, and check the
    feedback each time (``learnpacks new`` writes it; see learnpacks/packs/scaffold.py)."""
    widget = page.locator(".lp", has_text="Which Wikimedia project stores structured data?").first
    widget.wait_for(timeout=30_000)
    widget.get_by_label("Wikisource").check()
    widget.get_by_role("button", name="Check").click()
    assert "Wikisource hosts source texts." in widget.locator(".lp-feedback").inner_text()
    widget.get_by_label("Wikidata").check()
    widget.get_by_role("button", name="Check").click()
    assert "Wikidata stores facts" in widget.locator(".lp-feedback").inner_text()
    assert "lp-correct" in widget.locator(".lp-feedback").get_attribute("class")


def install_core_dependencies(python: Path, *extra: str) -> None:
    """Install into the environment of *python* what learnpacks' light core needs (exported from
    the lock, so nothing new is fetched), plus *extra* requirements, but not learnpacks itself."""
    uv = Path(sys.executable).with_name("uv")
    core = subprocess.run(
        [uv, "export", "--frozen", "--no-hashes", "--no-emit-project", "--no-dev", "-q"],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    requirements = python.parent.parent / "core-requirements.txt"
    requirements.write_text(core, encoding="utf-8")
    subprocess.run(
        [uv, "pip", "install", "-q", "--python", python, "-r", requirements, *extra], check=True
    )


def stock_nbgrader(
    course: Path,
    assignment: str,
    config: dict[str, Any],
    *,
    steps: tuple[str, ...] = ("generate_assignment", "autograde"),
    strict: bool = False,
) -> str:
    """Stock nbgrader — its own API, no learnpacks code — in the course folder *course*:
    ``generate_assignment`` of ``source/<assignment>``, then ``autograde`` of every learner under
    ``submitted/``, as ``nbgrader ... --force`` does, with *config* (nbgrader's settings; the
    course root and a SQLite gradebook in *course* are set here, and written to
    ``nbgrader_config.json`` so nbgrader's own commands read the same). Every test that compares
    with stock nbgrader runs it through here, once per module: in this process, so nbgrader
    starts once and no interpreter is started per step. Returns the gradebook's URL. *strict*:
    a step that fails (for any learner) fails the test, with nbgrader's log."""
    import json
    import os

    from nbgrader.apps import NbGraderAPI
    from nbgrader.coursedir import CourseDirectory
    from traitlets.config import Config

    db = f"sqlite:///{course / 'gradebook.db'}"
    settings = json.loads(json.dumps(config))
    settings.setdefault("CourseDirectory", {}).update(root=str(course), db_url=db)
    (course / "nbgrader_config.json").write_text(json.dumps(settings))
    bindir = str(Path(sys.executable).parent)  # nbgrader runs `alembic` to make a gradebook
    if bindir not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = bindir + os.pathsep + os.environ.get("PATH", "")
    api = NbGraderAPI(CourseDirectory(config=Config(settings)), config=Config(settings))
    results = []
    if "generate_assignment" in steps:
        results.append(api.generate_assignment(assignment, force=True, create=True))
    if "autograde" in steps:
        submitted = course / "submitted"
        for student in sorted(p.name for p in submitted.iterdir() if p.is_dir()):
            results.append(api.autograde(assignment, student, force=True, create=True))
    for result in results:
        assert result["success"] or not strict, str(result.get("log", ""))[-3000:]
    return db

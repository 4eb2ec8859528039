"""Helpers shared by the test modules (import them with ``from support import ...``; a
``from conftest import`` would pick whichever of the suite's conftest modules was loaded last)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]


def copy_project(dest: Path) -> Path:
    """Copy the repository's project files (packs/, book/, translations/) to *dest*; returns it."""
    shutil.copytree(REPO / "packs", dest / "packs")
    shutil.copytree(REPO / "book", dest / "book", ignore=shutil.ignore_patterns("_build"))
    if (REPO / "translations").is_dir():
        shutil.copytree(REPO / "translations", dest / "translations")
    return dest


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


def axe_violations(page: Any, axe_path: Path) -> list[dict[str, Any]]:
    """Serious and critical axe-core violations on the page as loaded."""
    page.add_script_tag(path=str(axe_path))
    result = page.evaluate("async () => await axe.run(document, {resultTypes: ['violations']})")
    return [v for v in result["violations"] if v.get("impact") in ("serious", "critical")]


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

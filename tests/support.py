"""Helpers shared by the test modules (import them with ``from support import ...``; a
``from conftest import`` would pick whichever of the suite's conftest modules was loaded last)."""

from __future__ import annotations

import shutil
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

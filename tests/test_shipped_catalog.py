"""The repository's own catalog passes its own checks, and binder/ matches the lock."""

from __future__ import annotations

from pathlib import Path

from learnpacks.checks import check_catalog
from learnpacks.launch.binder import stale_files
from learnpacks.packs.catalog import load_catalog

REPO = Path(__file__).resolve().parents[1]


def test_shipped_packs_check_clean():
    """Does `learnpacks check` pass on every shipped pack?"""
    report = check_catalog(root=REPO)
    assert report.problems == [], "\n".join(p.format() for p in report.problems)
    assert report.packs_checked, "the repository ships no pack"


def test_binder_matches_lock():
    """Is binder/ exactly what `make binder` generates from uv.lock?"""
    assert stale_files(REPO) == []


def test_binder_pins_what_the_lock_pins():
    """Does every line of binder/requirements.txt pin the version uv.lock resolved?"""
    import tomllib

    lock = tomllib.loads((REPO / "uv.lock").read_text())
    pinned: dict[str, set[str]] = {}
    for package in lock["package"]:
        if "version" in package:  # a universal lock may hold one version per Python range
            pinned.setdefault(package["name"], set()).add(package["version"])
    lines = [
        line
        for line in (REPO / "binder" / "requirements.txt").read_text().splitlines()
        if line and not line.startswith("#")
    ]
    assert any(line.startswith("jupyterlab==") for line in lines)
    for line in lines:
        name, rest = line.split("==", 1)
        assert rest.split(" ", 1)[0].strip() in pinned[name], line
    assert not any(line.startswith(("sphinx==", "nbgrader==")) for line in lines), (
        "Binder must stay light"
    )


def test_every_shipped_pack_is_published_or_listed():
    """Does the catalog hold at least one published pack for readers?"""
    catalog = load_catalog(REPO)
    assert any(p.meta.status == "published" for p in catalog.packs.values())


def test_every_notebook_installs_the_package_first():
    """On a JupyterHub such as PAWS, learnpacks is missing: does each shipped notebook that imports
    it start with the scaffold's install cell (tested on a fresh environment in test_hub_branch.py)?"""
    import nbformat

    from learnpacks.packs.scaffold import INSTALL

    catalog = load_catalog(REPO)
    checked = 0
    for pack in catalog.packs.values():
        for path in pack.notebook_paths():
            nb = nbformat.read(path, as_version=4)
            code = [c.source for c in nb.cells if c.cell_type == "code"]
            if not any("learnpacks" in source for source in code):
                continue
            assert code[0] == INSTALL, (
                f"{pack.id}/{path.name}: the first code cell is not the install cell"
            )
            checked += 1
    assert checked, "no shipped notebook uses the exercises"

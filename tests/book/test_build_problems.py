"""`book build` as an author runs it where things go wrong but the site can still be built: an npm
registry that cannot be reached, a Sphinx warning, a translation the pipeline rejects. Each is
reported as a located, coded problem, never as a traceback, and the site is built."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import polib
import pytest

from learnpacks.book.diagnostics import sphinx_problems
from learnpacks.i18n import extract, init
from learnpacks.packs.scaffold import new_pack


def test_sphinx_warnings_become_located_problems():
    """Is a Sphinx warning on a notebook of the generated tree reported on the pack's own notebook,
    at its cell and line, with a code, and ours with our code?"""
    log = (
        "/b/src/en/packs/demo/01-start.ipynb:30004: WARNING: 'myst' cross-reference target not "
        "found: 'nowhere' [myst.xref_missing]\n"
        "Traceback (most recent call last):\n"
        "WARNING: learnpacks.icon-missing: packs/demo/index uses fa-nothing, which the theme's "
        "Font Awesome does not define; the icon is not shown [learnpacks.icon-missing]\n"
        '/b/src/en/index.md:7: ERROR: Unknown directive type "nope". [myst.directive_unknown]\n'
    )
    located = {"/b/src/en/packs/demo/01-start.ipynb": "packs/demo/01-start.ipynb"}
    problems = sphinx_problems(log, locate=lambda name: located.get(name, name))
    by_code = {(p.code, p.path): p for p in problems}
    assert len(problems) == 3
    xref = by_code["book.sphinx-warning", "packs/demo/01-start.ipynb"]
    assert xref.location == "cell 3, line 4" and xref.severity == "warning"
    assert "[myst.xref_missing]" in xref.message
    icon = by_code["learnpacks.icon-missing", "book"]
    assert icon.message.startswith("packs/demo/index uses fa-nothing")
    assert by_code["book.sphinx-warning", "/b/src/en/index.md"].severity == "error"


@pytest.fixture
def pack_with_problems(project):
    """A pack whose notebook links to an anchor that does not exist, and whose French catalog
    has one translation that adds markup (the pipeline rejects it and shows the source)."""
    folder = new_pack("demo-pack", root=project, title="Demo pack")
    nb_path = folder / "01-start.ipynb"
    nb = json.loads(nb_path.read_text(encoding="utf-8"))
    nb["cells"].insert(
        1,
        {
            "cell_type": "markdown",
            "id": "broken-anchor",
            "metadata": {},
            "source": "See [the missing part](#no-such-anchor-anywhere).",
        },
    )
    nb_path.write_text(json.dumps(nb, indent=1), encoding="utf-8")
    extract(root=project, pack_ids=["demo-pack"])
    init("fr", root=project, pack_ids=["demo-pack"])
    po_path = project / "translations" / "fr" / "demo-pack.po"
    po = polib.pofile(str(po_path))
    spoiled = None
    for entry in po:
        entry.msgstr = entry.msgid
        if (
            spoiled is None
            and (entry.msgctxt or "").startswith("01-start.ipynb#")
            and ("<" not in entry.msgid)
        ):
            entry.msgstr = entry.msgid + " <b>gras</b>"
            spoiled = entry
    po.save()
    assert spoiled is not None
    return project


@pytest.mark.slow
def test_unreachable_registry_falls_back_and_problems_are_reported(pack_with_problems, tmp_path):
    """With npm present but its registry unreachable, does a plain `book build` fall back to CDNs
    as its --help promises (a warning, no traceback), and report the translation build's rejected
    unit and Sphinx's warning as located problems on the author's files?"""
    assert shutil.which("npm"), "npm (Node.js) is part of the machine: .ci/run installs it"
    env = dict(
        os.environ,
        npm_config_registry="http://127.0.0.1:9/",
        npm_config_fetch_retries="0",
        npm_config_cache=str(tmp_path / "npm-own-cache"),
        LEARNPACKS_NPM_CACHE=str(tmp_path / "empty-npm-cache"),
    )
    result = subprocess.run(
        [sys.executable, "-m", "learnpacks", "--root", str(pack_with_problems), "book", "build"]
        + ["--pack", "demo-pack", "--lang", "en", "--lang", "fr"],
        capture_output=True,
        text=True,
        env=env,
        check=False,
        timeout=900,
    )
    assert "Traceback" not in result.stderr
    assert result.returncode == 0, result.stderr
    lines = result.stderr.splitlines()
    vendor = [line for line in lines if "[book.vendor-unavailable]" in line]
    assert vendor and vendor[0].startswith("book: warning[book.vendor-unavailable]")
    xref = [line for line in lines if "no-such-anchor-anywhere" in line]
    assert xref, result.stderr
    assert xref[0].startswith("packs/demo-pack/01-start.ipynb: cell 2, line ")
    assert "[book.sphinx-warning]" in xref[0]
    rejected = [line for line in lines if "translations/fr/demo-pack.po" in line]
    assert any("[i18n.markup-mismatch]" in line for line in rejected), result.stderr
    page = pack_with_problems / "book" / "_build" / "site" / "en" / "packs" / "demo-pack"
    html = (page / "01-start.html").read_text(encoding="utf-8")
    assert "_vendor/" not in html  # the CDN scripts, as promised

"""The source-language site build (Jupyter Book 1.x) that `make book` runs."""

from __future__ import annotations

import json
from pathlib import Path

import nbformat
import pytest
from scaffold_sites import HOSTILE_PROMPT

from learnpacks.book.build import build_site
from learnpacks.errors import LearnpacksError
from learnpacks.packs.scaffold import new_pack

pytestmark = pytest.mark.slow


def test_build_executes_notebooks_and_writes_html(project):
    """Does a build produce an executed HTML page per notebook, an overview per pack, and a root page?"""
    new_pack("demo-pack", root=project)
    result = build_site(root=project, pack_ids=["demo-pack"], languages=["en"], search=False)
    site = result.site / "en"
    page = site / "packs" / "demo-pack" / "01-start.html"
    assert page.is_file()
    html = page.read_text(encoding="utf-8")
    # the exercise cells ran and their widgets' state is embedded in the page
    assert "application/vnd.jupyter.widget-state+json" in html
    assert "Which Wikimedia project stores structured data?" in html
    assert 'lang="en"' in html
    # Thebe is never used: no script of it (declared twice, it threw on every page), no config
    assert "thebe" not in html.lower()
    assert '<link rel="icon" href="../../_static/logo.svg"/>' in html  # no request for /favicon.ico
    overview = (site / "packs" / "demo-pack" / "index.html").read_text(encoding="utf-8")
    assert "What you will learn" in overview
    assert "mybinder.org/v2/gh/" in overview
    assert (result.site / "index.html").read_text().count("en/index.html") >= 1
    # nothing the author made was changed by the build
    source = nbformat.read(project / "packs" / "demo-pack" / "01-start.ipynb", as_version=4)
    assert all(not c.get("outputs") for c in source.cells if c.cell_type == "code")
    # an edit to the pack's metadata alone changes no page source: does the next build show it?
    meta = project / "packs" / "demo-pack" / "pack.yml"
    meta.write_text(meta.read_text().replace("One or two sentences", "Two or three sentences"))
    build_site(root=project, pack_ids=["demo-pack"], languages=["en"], search=False)
    overview = (site / "packs" / "demo-pack" / "index.html").read_text(encoding="utf-8")
    assert "Two or three sentences" in overview
    landing = (site / "index.html").read_text(encoding="utf-8")
    assert "Two or three sentences" in landing


def test_failing_notebook_fails_the_build(project):
    """Does a notebook that raises make the build fail, naming the notebook?"""
    folder = new_pack("broken-demo", root=project)
    nb_path = folder / "01-start.ipynb"
    nb = json.loads(nb_path.read_text())
    cell = next(c for c in nb["cells"] if c["id"] == "try-code")
    cell["source"] = "raise RuntimeError('boom in the starter notebook')"
    nb_path.write_text(json.dumps(nb))
    with pytest.raises(LearnpacksError) as info:
        build_site(root=project, pack_ids=["broken-demo"], languages=["en"], search=False)
    assert "01-start" in str(info.value)
    assert "boom in the starter notebook" in str(info.value)


@pytest.fixture(scope="module")
def hostile_site(authored_site) -> Path:
    """The English site of packs whose authors' text holds markup (``scaffold_sites``)."""
    return authored_site.site / "en"


def test_notebooks_run_in_kernels_on_unix_sockets(hostile_site):
    """Do the kernels that run the notebooks for the site listen on Unix sockets, not on TCP
    ports another process could take between jupyter_client choosing one and the kernel
    binding it (the book build names learnpacks' kernel provisioner)?"""
    page = (hostile_site / "packs" / "demo-pack" / "01-start.html").read_text(encoding="utf-8")
    assert "kernel transport: ipc" in page


def test_metadata_markup_is_escaped(hostile_site):
    """Is HTML in a pack's title shown as text on its overview page, never as markup?"""
    overview = (hostile_site / "packs" / "xss-demo" / "index.html").read_text(encoding="utf-8")
    assert "<img src=x onerror" not in overview
    assert "&lt;img" in overview


def test_heading_markup_is_not_live_html(hostile_site):
    """Does a notebook heading such as `# <img src=x onerror=...>` stay text in every part of the page?"""
    page = (hostile_site / "packs" / "heading-xss" / "01-start.html").read_text(encoding="utf-8")
    assert "<img src=x" not in page and '<img src="x"' not in page
    assert "&lt;img src=x" in page


def test_exercise_text_cannot_end_the_widget_state_script(hostile_site):
    """Does exercise text holding `</SCRIPT>` or `<!--` stay inside the page's widget-state
    script (MyST-NB escapes only a lowercase `</script>`), so that it is data, never HTML?"""
    import re

    page = (hostile_site / "packs" / "state-xss" / "01-start.html").read_text(encoding="utf-8")
    opening = '<script type="application/vnd.jupyter.widget-state+json">'
    body = page[page.index(opening) + len(opening) :]
    # the HTML parser ends a script at the first `</script` in any case
    script = body[: re.search(r"</script", body, re.IGNORECASE).start()]
    prompts = [m["state"].get("prompt") for m in json.loads(script)["state"].values()]
    assert HOSTILE_PROMPT in prompts
    assert page.count("<img src=x") == script.count("<img src=x")  # nowhere else


def test_retitled_notebook_is_renamed_in_its_packs_menu(project):
    """Each page's menu names its pack's notebooks: when one notebook's title changes, do the
    other pages of the pack show the new title after an incremental build?"""
    folder = new_pack("demo-pack", root=project)
    nb = nbformat.read(folder / "01-start.ipynb", as_version=4)
    nb.cells[0].source = "# Second part"
    nbformat.write(nb, folder / "02-more.ipynb")
    meta = folder / "pack.yml"
    meta.write_text(
        meta.read_text().replace("- 01-start.ipynb", "- 01-start.ipynb\n- 02-more.ipynb")
    )
    options = {"root": project, "pack_ids": ["demo-pack"], "languages": ["en"], "search": False}
    site = build_site(**options).site / "en" / "packs" / "demo-pack"
    assert "Second part" in (site / "01-start.html").read_text(encoding="utf-8")
    nb.cells[0].source = "# Renamed part"
    nbformat.write(nb, folder / "02-more.ipynb")
    build_site(**options)
    first = (site / "01-start.html").read_text(encoding="utf-8")
    assert "Renamed part" in first and "Second part" not in first

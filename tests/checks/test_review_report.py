"""The reviewer's report (`learnpacks check --report`) as a reviewer reads it, in Debian's
Chromium: each pack's findings, its translations and the links to look at, with nothing a pack
holds able to run in the page."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from support import copy_project

from learnpacks.cli import main
from learnpacks.packs.scaffold import new_pack

pytestmark = pytest.mark.browser

HOSTILE_TITLE = '<script>window.pwned = 1</script><img src=x onerror="window.pwned = 2"> Review me'


@pytest.fixture
def pack_under_review(tmp_path: Path) -> Path:
    """A copy of the shipped catalog plus a pack in review whose title carries markup and whose
    notebook has a `javascript:` link, a link to a file that does not exist and an external link."""
    root = copy_project(tmp_path / "project")
    folder = new_pack("review-me", root=root, title=HOSTILE_TITLE)
    meta = folder / "pack.yml"
    meta.write_text(meta.read_text(encoding="utf-8").replace("status: draft", "status: review"))
    nb_path = folder / "01-start.ipynb"
    nb = json.loads(nb_path.read_text(encoding="utf-8"))
    nb["cells"].insert(
        1,
        {
            "cell_type": "markdown",
            "id": "seeded-links",
            "metadata": {},
            "source": "Read [this](javascript:window.pwned=3), [the notes](notes-missing.md) "
            "and [the policy](https://meta.wikimedia.org/wiki/Terms_of_use?a=1&b=<2>).",
        },
    )
    nb_path.write_text(json.dumps(nb, indent=1), encoding="utf-8")
    return root


def test_report_shows_the_seeded_problems_and_runs_nothing(pack_under_review, tmp_path, chromium):
    """Does the report show the pack in review with its seeded problems (code, file, place), its
    translation coverage and the external link, while the markup in its title stays text and no
    script of the pack runs?"""
    report = tmp_path / "review" / "report.html"
    code = main(["--root", str(pack_under_review), "check", "--publish", "--report", str(report)])
    assert code == 1  # the seeded links are check errors
    context = chromium.new_context()
    page = context.new_page()
    page.goto(report.as_uri())
    section = page.locator("#pack-review-me")
    assert section.locator("h2").inner_text().startswith(HOSTILE_TITLE)
    assert page.evaluate("window.pwned") is None
    assert page.locator("script").count() == 0
    rows = section.locator("tr.finding").all_inner_texts()
    unsafe = [row for row in rows if row.startswith("error\tnb.link-unsafe")]
    assert unsafe and "packs/review-me/01-start.ipynb" in unsafe[0]
    assert "cell 2 [id=seeded-links]" in unsafe[0]
    assert any("nb.link-broken" in row and "notes-missing.md" in row for row in rows)
    assert any("publish.held" in row and "review" in row for row in rows)
    verdict = section.locator(".verdict").inner_text()
    assert "status: review" in verdict
    languages = section.locator("table").filter(has_text="on the site").inner_text()
    assert "fr" in languages and "0%" in languages
    links = section.locator("ul.links li").all_inner_texts()
    seeded = [text for text in links if text.startswith("https://meta.wikimedia.org/wiki/Terms")]
    assert seeded == [
        "https://meta.wikimedia.org/wiki/Terms_of_use?a=1&b=%3C2%3E — "
        "packs/review-me/01-start.ipynb, cell 2 [id=seeded-links], line 1"
    ]
    hrefs = section.locator("ul.links a").evaluate_all("links => links.map(a => a.href)")
    assert "https://meta.wikimedia.org/wiki/Terms_of_use?a=1&b=%3C2%3E" in hrefs
    assert page.locator('a[href^="javascript"]').count() == 0
    # a shipped pack's section is there too, with nothing to fix
    assert "the publishing rules hold" in page.locator("#pack-welcome-to-wikimedia").inner_text()
    context.close()

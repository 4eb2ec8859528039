"""One learner's progress across a pack on the static site: kept in the browser per pack (every
language edition shares it), counted on the pack's overview and the catalog card, saved to a file
in the notebooks' answers-file format, loaded back, reset; and the same file works in a kernel."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path
from typing import Any

import nbformat
import pytest
from nbclient import NotebookClient
from playwright.sync_api import expect
from support import REPO, block_non_local, local_page

from learnpacks.book.build import SiteBuild
from learnpacks.book.progress import SAVED_FILE
from learnpacks.widgets import answers
from learnpacks.widgets.answers import ANSWERS_FILE

PACK = "welcome-to-wikimedia"  # the pack tests/book/conftest.py builds
NOTEBOOK = "02-projects-and-affiliates"
CODE = "projects-url-dict"
PAGE = f"packs/{PACK}/{NOTEBOOK}.html"
OVERVIEW = f"packs/{PACK}/index.html"
BOOT_MS = 240_000
SOLUTION = (
    "def make_project_urls(rows):\n"
    "    return {row['name']: row['url'] for row in rows}\n\n"
    "url_dict_exercise.check(make_project_urls)\n"
)


@pytest.fixture
def page(chromium):
    context = chromium.new_context(accept_downloads=True)
    page = local_page(context)
    block_non_local(context, page.blocked)  # the worker's requests too
    page.on("dialog", lambda dialog: dialog.accept())
    page.add_init_script(
        "window.addEventListener('learnpacks:python-done', () => "
        "{ window.__lpRuns = (window.__lpRuns || 0) + 1; });"
    )
    yield page
    context.close()


def _exercise_total(site: SiteBuild) -> int:
    text = (site.site / "en" / OVERVIEW).read_text(encoding="utf-8")
    found = re.search(r'data-lp-exercises="([^"]*)"', text)
    assert found, "no progress line on the overview"
    ids = json.loads(found.group(1).replace("&quot;", '"'))
    assert CODE in ids[f"{NOTEBOOK}.ipynb"]
    return sum(len(v) for v in ids.values())


def solve_code_exercise(page: Any) -> None:
    widget = page.locator(".lp.lp-code").first
    widget.locator("textarea.lp-editor").fill(SOLUTION)
    widget.locator("button.lp-run").click()
    page.wait_for_function("() => (window.__lpRuns || 0) > 0", timeout=BOOT_MS)
    assert "lp-correct" in widget.locator(".lp-feedback").first.get_attribute("class")


def counts(page: Any) -> list[str]:
    page.locator(".lp-progress-count").first.wait_for(state="visible")
    return [n.inner_text() for n in page.locator(".lp-progress-count").all()]


def stored(page: Any) -> dict[str, Any]:
    return json.loads(page.evaluate(f"() => localStorage.getItem('learnpacks:answers:{PACK}')"))


@pytest.mark.slow
@pytest.mark.browser
def test_progress_made_in_french_shows_in_english_on_the_overview_and_the_card(
    page, inpage_site, serve_static
) -> None:
    """After a learner solves the code exercise on the French page, does the English page of
    the same notebook show their code and its verdict, and do the English overview and catalog
    card count it ("1 of N exercises done"), with nothing sent anywhere?"""
    base = serve_static(inpage_site.site)
    total = _exercise_total(inpage_site)
    page.goto(f"{base}fr/{PAGE}")
    page.locator("textarea.lp-editor").first.wait_for(timeout=60_000)
    solve_code_exercise(page)
    entry = stored(page)["notebooks"][f"{NOTEBOOK}.ipynb"][CODE]
    assert entry["kind"] == "code" and entry["status"] == "correct" and entry["attempts"] == 1
    assert entry["answer"]["code"] == SOLUTION

    page.goto(f"{base}en/{PAGE}")
    widget = page.locator(".lp.lp-code").first
    widget.locator("textarea.lp-editor").wait_for(timeout=60_000)
    assert widget.locator("textarea.lp-editor").input_value() == SOLUTION
    assert "lp-correct" in widget.locator(".lp-feedback").first.get_attribute("class")

    page.goto(f"{base}en/{OVERVIEW}")
    assert counts(page) == [f"1 of {total} exercises done"]
    page.goto(f"{base}en/index.html")
    assert f"1 of {total} exercises done" in counts(page)
    page.goto(f"{base}ar/{OVERVIEW}")
    assert page.locator(".lp-progress-count").first.inner_text().startswith("أُنجز 1 من")
    assert page.blocked == []


@pytest.mark.slow
@pytest.mark.browser
def test_save_erase_load_restores_progress(page, inpage_site, serve_static, tmp_path) -> None:
    """Does saving the answers to a file, erasing them and loading the file give the same
    progress and the same answers back, in the notebooks' answers-file format?"""
    base = serve_static(inpage_site.site)
    total = _exercise_total(inpage_site)
    page.goto(f"{base}en/{PAGE}")
    choice = page.locator(".lp.lp-multiple-choice").first
    choice.wait_for(timeout=60_000)
    page.locator("textarea.lp-editor").first.wait_for(timeout=60_000)
    solve_code_exercise(page)
    page.goto(f"{base}en/{OVERVIEW}")
    assert counts(page) == [f"1 of {total} exercises done"]
    with page.expect_download() as download:
        page.get_by_role("button", name="Save my answers to a file").click()
    assert download.value.suggested_filename == SAVED_FILE == answers.SAVED_FILE
    saved = tmp_path / ANSWERS_FILE
    download.value.save_as(saved)
    data = json.loads(saved.read_text(encoding="utf-8"))
    assert data["version"] == 1 and CODE in data["notebooks"][f"{NOTEBOOK}.ipynb"]

    page.get_by_role("button", name="Erase my answers").click()
    assert counts(page) == [f"0 of {total} exercises done"]
    page.get_by_label("Load answers from a file").set_input_files(str(saved))
    expect(page.locator(".lp-progress-status")).to_have_text("Answers loaded: 1.")
    assert counts(page) == [f"1 of {total} exercises done"]
    assert stored(page)["notebooks"] == data["notebooks"]

    broken = tmp_path / "not-answers.json"
    broken.write_text('{"version": 2}', encoding="utf-8")
    page.get_by_label("Load answers from a file").set_input_files(str(broken))
    expect(page.locator(".lp-progress-status")).to_have_text(
        "This file is not a learnpacks answers file."
    )
    assert counts(page) == [f"1 of {total} exercises done"]


def _run_to_exercise(folder: Path, extra: str) -> dict[str, Any]:
    """Run the notebook in a real kernel in *folder* up to its code exercise, then *extra*;
    returns what the last cell printed as JSON."""
    nb = nbformat.read(folder / f"{NOTEBOOK}.ipynb", as_version=4)
    at = next(i for i, c in enumerate(nb.cells) if f'id="{CODE}"' in c.source)
    code_cells = [c for c in nb.cells[: at + 1] if c.cell_type == "code"]
    nb.cells = code_cells + [nbformat.v4.new_code_cell(extra)]
    NotebookClient(nb, timeout=120, resources={"metadata": {"path": str(folder)}}).execute()
    text = "".join(o.get("text", "") for o in nb.cells[-1].outputs if o.output_type == "stream")
    return json.loads(text.strip().splitlines()[-1])


@pytest.mark.slow
@pytest.mark.browser
def test_answers_travel_between_the_site_and_a_kernel(
    page, inpage_site, serve_static, tmp_path
) -> None:
    """Does a file saved on the site restore the exercise as solved in a kernel running the
    notebook beside it, and does the answers file the kernel then writes load back on the site?"""
    base = serve_static(inpage_site.site)
    page.goto(f"{base}en/{PAGE}")
    page.locator("textarea.lp-editor").first.wait_for(timeout=60_000)
    solve_code_exercise(page)
    page.goto(f"{base}en/{OVERVIEW}")
    with page.expect_download() as download:
        page.get_by_role("button", name="Save my answers to a file").click()
    folder = tmp_path / PACK
    shutil.copytree(REPO / "packs" / PACK, folder)
    assert download.value.suggested_filename == SAVED_FILE == answers.SAVED_FILE
    download.value.save_as(folder / SAVED_FILE)  # uploaded beside the notebooks, not renamed

    restored = _run_to_exercise(folder, "import json\nprint(json.dumps(url_dict_exercise.result))")
    assert restored["status"] == "correct" and restored.get("restored") is True

    # the kernel answers wrongly, as the notebook's own cell does with the starting code
    _run_to_exercise(
        folder,
        "import json\nurl_dict_exercise.record(lambda rows: {})\n"
        "print(json.dumps(url_dict_exercise.result))",
    )
    page.evaluate("() => localStorage.clear()")
    page.goto(f"{base}fr/{OVERVIEW}")
    page.locator(".lp-progress-file").set_input_files(str(folder / ANSWERS_FILE))
    expect(page.locator(".lp-progress-status")).not_to_be_empty()
    assert page.locator(".lp-progress-count").first.inner_text().startswith("0 ")
    page.goto(f"{base}fr/{PAGE}")
    widget = page.locator(".lp.lp-code").first
    widget.locator("textarea.lp-editor").wait_for(timeout=60_000)
    assert "lp-incorrect" in widget.locator(".lp-feedback").first.get_attribute("class")

"""Practice exercises in a static page (no kernel): answered wrongly then rightly in Chromium,
with every non-local request blocked."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from widget_support import block_non_local

pytestmark = [pytest.mark.browser, pytest.mark.slow]

EDIT_STEPS = ["Click Edit", "Change the text", "Write an edit summary", "Publish changes"]


@pytest.fixture(scope="module")
def site(static_site: Any) -> Path:
    """The every-exercise-type notebook, executed and rendered as a static page."""
    return static_site("en")


@pytest.fixture
def page(chromium: Any, site: Path, serve_static: Any) -> Iterator[Any]:
    base = serve_static(site)
    context = chromium.new_context()
    page = context.new_page()
    page.blocked = []  # type: ignore[attr-defined]
    page.requested = []  # type: ignore[attr-defined]
    page.errors = []  # type: ignore[attr-defined]
    block_non_local(page, page.blocked)  # type: ignore[attr-defined]
    page.on("request", lambda r: page.requested.append(r.url))  # type: ignore[attr-defined]
    page.on("pageerror", lambda e: page.errors.append(str(e)))  # type: ignore[attr-defined]
    page.goto(base + "index.html")
    page.locator(".lp-progress").wait_for(timeout=30_000)
    yield page
    context.close()


def exercise(page: Any, text: str) -> Any:
    return page.locator(".lp", has_text=text).first


def feedback(widget: Any) -> str:
    return widget.locator(".lp-feedback").inner_text()


def test_every_practice_type_wrong_then_right(page: Any) -> None:
    """In the static page, does each practice exercise say wrong, then right, in words?"""
    mc = exercise(page, "Which Wikimedia project stores structured data?")
    mc.get_by_label("Wikisource").check()
    mc.get_by_role("button", name="Check").click()
    assert "✗ Not quite" in feedback(mc) and "Wikisource hosts source texts." in feedback(mc)
    assert mc.get_by_role("button", name="Try again").is_visible()
    mc.get_by_label("Wikidata").check()
    mc.get_by_role("button", name="Check").click()
    assert "✓ Correct!" in feedback(mc) and "Wikidata stores facts" in feedback(mc)

    many = exercise(page, "Which licences does Wikimedia Commons accept")
    many.get_by_label("CC0").check()
    many.get_by_role("button", name="Check").click()
    assert "Not quite" in feedback(many)
    assert many.get_by_role("button", name="Try again").is_visible()
    many.get_by_label("CC BY-SA 4.0").check()  # changing the answer turns it back into "Check"
    many.get_by_role("button", name="Check").click()
    assert "Correct!" in feedback(many)

    # Short answer, by keyboard only: type, Tab to the button, press Enter.
    short = exercise(page, "In which year was Wikipedia launched?")
    short.get_by_label("In which year was Wikipedia launched?").fill("2000")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    assert "Not quite" in feedback(short) and "Nupedia" in feedback(short)
    box = short.get_by_label("In which year was Wikipedia launched?")
    assert box.get_attribute("aria-invalid") == "true"
    box.fill(" 2001 ")
    page.keyboard.press("Tab")
    page.keyboard.press("Space")
    assert "Correct!" in feedback(short)

    order = exercise(page, "Put the steps of an edit in order.")
    order.get_by_role("button", name="Check").click()
    assert "Not quite" in feedback(order) and "✗ Wrong" in order.inner_text()
    for target, text in enumerate(EDIT_STEPS):
        items = order.locator("li .lp-item").all_inner_texts()
        for _ in range(items.index(text) - target):
            order.get_by_role("button", name=f"Move up: {text}").focus()
            page.keyboard.press("Enter")  # keyboard operation of the move buttons
    assert order.locator("li .lp-item").all_inner_texts() == EDIT_STEPS
    assert "Moved" in order.locator(".lp-sr-only").inner_text()
    order.get_by_role("button", name="Check").click()
    assert "Correct!" in feedback(order)

    match = exercise(page, "Match each project with what it holds.")
    match.get_by_label("Wikipedia", exact=True).select_option(label="Media files")
    match.get_by_label("Wikidata", exact=True).select_option(label="Structured data")
    match.get_by_label("Wikimedia Commons", exact=True).select_option(label="Encyclopedia articles")
    match.get_by_role("button", name="Check").click()
    assert "Not quite" in feedback(match) and match.inner_text().count("✗ Wrong") == 2
    match.get_by_label("Wikipedia", exact=True).select_option(label="Encyclopedia articles")
    match.get_by_label("Wikimedia Commons", exact=True).select_option(label="Media files")
    match.get_by_role("button", name="Check").click()
    assert "Correct!" in feedback(match)

    blanks = exercise(page, "Complete the sentence.")
    blanks.get_by_label("Blank 1").fill("encyclopaedia")
    blanks.get_by_label("Blank 2").fill("improve")
    blanks.get_by_role("button", name="Check").click()
    assert "Not quite" in feedback(blanks)
    assert blanks.get_by_label("Blank 1").get_attribute("aria-invalid") == "true"
    assert "✗ Wrong" in blanks.inner_text() and "✓ Right" in blanks.inner_text()
    blanks.get_by_label("Blank 1").fill("Encyclopedia")
    blanks.get_by_role("button", name="Check").click()
    assert "Correct!" in feedback(blanks)

    progress = page.locator(".lp-progress")
    assert "6 of 9 done" in progress.inner_text()
    assert progress.inner_text().count("✓ Done") == 6

    assert page.blocked == [] and page.errors == []  # type: ignore[attr-defined]
    assert any("/_vendor/cdn/anywidget@" in url for url in page.requested)  # type: ignore[attr-defined]


def test_progress_and_answers_survive_a_reload(page: Any) -> None:
    """Are answers and progress kept in the browser's local storage across a reload?"""
    short = exercise(page, "In which year was Wikipedia launched?")
    short.get_by_label("In which year was Wikipedia launched?").fill("2001")
    short.get_by_role("button", name="Check").click()
    page.reload()
    page.locator(".lp-progress").wait_for(timeout=30_000)
    short = exercise(page, "In which year was Wikipedia launched?")
    assert short.get_by_label("In which year was Wikipedia launched?").input_value() == "2001"
    assert "Correct!" in feedback(short)
    assert "1 of 9 done" in page.locator(".lp-progress").inner_text()


def test_graded_exercise_says_how_to_take_part(page: Any) -> None:
    """Does a graded exercise in the book explain how to take part, with no key to check?"""
    graded = exercise(page, "Which project is a free dictionary?")
    notice = graded.locator(".lp-notice")
    notice.wait_for(state="visible", timeout=5_000)
    assert "open this notebook in Jupyter" in notice.inner_text()
    assert graded.get_by_role("button", name="Check").is_disabled()


def test_a_reflection_without_mode_is_a_note_kept_in_the_browser(page: Any) -> None:
    """Does a reflection written without mode= (as the starter notebook writes it) take a note
    in the book, saved in the browser, instead of saying it is a graded exercise?"""
    reflection = exercise(page, "Why would you like to contribute to Wikimedia projects?")
    assert reflection.locator(".lp-notice").count() == 0  # a graded one has it, shown after 1.5 s
    reflection.get_by_role("textbox").fill("To share what I know.")
    reflection.get_by_role("button", name="Save").click()
    assert "Saved in this browser only." in feedback(reflection)


def test_code_exercise_hints_work_without_a_kernel(page: Any) -> None:
    """Can a reader reveal a code exercise's hints one by one in the static page?"""
    code = exercise(page, "Write edits_per_day")
    code.get_by_role("button", name="Show a hint").click()
    assert "Hint 1 of 2: Divide one number by the other." in code.inner_text()
    code.get_by_role("button", name="Show a hint").click()
    assert "Hint 2 of 2" in code.inner_text()
    assert code.get_by_role("button", name="No more hints.").is_disabled()


def test_injected_markup_stays_text(
    chromium: Any, vendored_scripts: Path, serve_static: Any, tmp_path: Path
) -> None:
    """Do HTML, a </script> and a javascript: link in exercise texts render as plain text?"""
    import shutil

    from widget_support import FIXTURES, build_static_page, execute_notebook

    (tmp_path / "work").mkdir()
    nb = execute_notebook(FIXTURES / "injected-markup.ipynb", tmp_path / "work")
    site = tmp_path / "site"
    shutil.copytree(vendored_scripts, site / "_vendor")
    build_static_page(nb, site, vendor_url="_vendor")
    context = chromium.new_context()
    page = context.new_page()
    blocked: list[str] = []
    block_non_local(page, blocked)
    page.goto(serve_static(site) + "index.html")
    short = page.locator(".lp-short-answer")
    short.wait_for(timeout=30_000)
    assert "<img src=x" in short.inner_text()
    short.get_by_role("textbox").fill("5")
    short.get_by_role("button", name="Check").click()
    assert "</script><script>" in short.locator(".lp-feedback").inner_text()
    option = page.locator(".lp-multiple-choice")
    assert '<a href="javascript:' in option.inner_text()
    option.get_by_role("radio").check()
    option.get_by_role("button", name="Check").click()
    assert page.locator(".lp img, .lp a, .lp script").count() == 0
    assert page.evaluate("window.__pwned") is None
    context.close()

"""Feedback pages as a learner's browser shows them: rendered, sanitized, in the cohort's
language, math laid out offline (THREATS 28, 49, 50). Debian's Chromium through Playwright."""

from __future__ import annotations

import nbformat
import pytest
from grading_helpers import FAST, FIXTURES
from nbformat.v4 import new_code_cell, new_markdown_cell
from support import local_page

from learnpacks.grading.feedback import feedback_notebook, render_html
from learnpacks.grading.run import Task, grade_task

pytestmark = [pytest.mark.slow, pytest.mark.browser]

HOSTILE_MARKDOWN = (
    "## My notes\n\nI tried <b>hard</b>.<script>document.title='pwned'</script>\n\n"
    "<img src=x onerror=\"document.title='pwned'\">\n\n[click me](javascript:alert(1))"
)
HOSTILE_OUTPUT = (
    "from IPython.display import HTML, display\n"
    "display(HTML(\"<p id='mine'>learner <b>html</b></p>"
    "<script>document.title='pwned'</script>\"))"
)
MATH_MARKDOWN = (
    "Mon calcul : $\\pi r^2$, et\n\n$$\\sum_{i=1}^{n} i = \\frac{n(n+1)}{2}$$\n\n"
    "$\\text{<img src=x onerror=\"document.title='pwned'\">}$"
)
MATH_OUTPUT = "from IPython.display import Math, display\ndisplay(Math(r'\\frac{a}{b}'))"


@pytest.fixture(scope="module")
def pages(tmp_path_factory, authority, released):
    """Feedback pages (fr, ar) for a partly right learner who also hid HTML and script in a
    markdown cell and in an output, and wrote math in markdown and in an output."""
    release = nbformat.read(str(FIXTURES / "release-01-functions.ipynb"), as_version=4)
    for cell in release.cells:
        gid = cell.metadata.get("nbgrader", {}).get("grade_id")
        if gid == "count-words":
            cell.source = "def count_words(text):\n    return len(text.split(' '))"
        if gid == "square":
            cell.source = "def square(x):\n    return x * x"
    release.cells[1:1] = [
        new_markdown_cell(HOSTILE_MARKDOWN),
        new_code_cell(HOSTILE_OUTPUT),
        new_markdown_cell(MATH_MARKDOWN),
        new_code_cell(MATH_OUTPUT),
    ]
    data = nbformat.writes(release).encode()
    task = Task("partly-hostile", authority, data, limits=FAST, hide=(str(released.root),))
    result = grade_task(task)
    folder = tmp_path_factory.mktemp("feedback")
    for language in ("fr", "ar"):
        nb = feedback_notebook(result["autograded"], authority, result, language, cell_timeout=4)
        (folder / f"{language}.html").write_text(render_html(nb, language), encoding="utf-8")
    return folder


def test_feedback_renders_sanitized_in_french(pages, chromium, serve_static):
    """Does the French page show real headings and paragraphs (no raw `<h1>` text), the
    learner's harmless HTML, French texts, and run none of the learner's script or links?"""
    base = serve_static(pages)
    context = chromium.new_context()
    page = local_page(context)
    dialogs: list[str] = []
    page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
    page.goto(base + "fr.html")
    page.screenshot(path=str(pages / "fr.png"), full_page=True)
    assert page.evaluate("document.documentElement.lang") == "fr"
    assert "Retour" in page.locator("h1").first.inner_text()
    text = page.locator("body").inner_text()
    rendered = " ".join(page.locator(".jp-RenderedHTMLCommon").all_inner_texts())
    for raw in ("<h1", "<h2", "<p>", "&lt;", "<b>", "<script", "pwned"):
        assert raw not in rendered, raw  # markdown and HTML outputs show as text, not tags
    assert page.locator("h2", has_text="My notes").count() == 1
    assert "Certains tests cachés n’ont pas réussi." in text
    assert "Note" in text and "Total" in text
    assert page.locator("#mine b").inner_text() == "html"
    assert page.locator("a[href^='javascript']").count() == 0
    assert page.locator("img[onerror]").count() == 0
    assert page.title() != "pwned" and not dialogs
    assert not page.blocked  # the page needs nothing from the network
    context.close()


def test_arabic_feedback_reads_right_to_left(pages, chromium, serve_static):
    """Is the Arabic page laid out right to left, with its texts in Arabic?"""
    base = serve_static(pages)
    context = chromium.new_context()
    page = local_page(context)
    page.goto(base + "ar.html")
    assert page.evaluate("getComputedStyle(document.body).direction") == "rtl"
    text = page.locator("body").inner_text()
    assert "لم تنجح بعض الاختبارات المخفية." in text and "الدرجة" in text
    context.close()


def test_math_is_laid_out_offline_as_mathml(pages, chromium, serve_static):
    """Does math in markdown and in a `text/latex` output read as math, laid out by Chromium
    from MathML (a fraction's numerator above its denominator) with no TeX left, no script
    loaded and nothing hidden in `\\text{}` run?"""
    base = serve_static(pages)
    context = chromium.new_context()
    page = local_page(context)
    page.goto(base + "fr.html")
    page.locator("mfrac").first.scroll_into_view_if_needed()
    page.screenshot(path=str(pages / "fr-math.png"), full_page=True)
    assert page.locator("math").count() == 4
    assert page.locator("math[display=block]").count() == 1  # IPython's Math is inline
    assert page.locator('[data-mime-type="text/html"] math mfrac').count() == 1
    assert page.evaluate(
        "[...document.querySelectorAll('math')].every("
        "m => m.namespaceURI === 'http://www.w3.org/1998/Math/MathML')"
    )
    for fraction in page.locator("mfrac").all():
        top, bottom = (
            fraction.evaluate(f"f => f.children[{i}].getBoundingClientRect().{edge}")
            for i, edge in ((0, "bottom"), (1, "top"))
        )
        assert top <= bottom  # stacked: MathML layout, not a line of text
    rendered = " ".join(page.locator(".jp-RenderedHTMLCommon").all_inner_texts())
    assert "\\frac" not in rendered and "\\pi" not in rendered and "$" not in rendered
    assert page.locator("math img, math [onerror]").count() == 0
    assert page.title() != "pwned"
    assert page.evaluate("document.scripts.length") == page.evaluate(
        "[...document.scripts].filter(s => !s.src).length"
    )
    assert not page.blocked
    context.close()

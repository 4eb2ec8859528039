"""Answer keys stay secret on the published site (issue 10), in Debian's Chromium, in en and ar.

One site is built for the module from ``fixtures/answer-keys-project``: a pack with every exercise
type, practice (``01-practice``) and graded (``02-graded``), whose keys are made of words found
nowhere else. Readers must not meet those words: not on a page, not in a search index, not in a
download; every exercise starts unattempted; without JavaScript a notice stands in for each widget.
"""

from __future__ import annotations

import gzip
import io
import json
import re
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import polib
import pytest
import yaml
from support import install_core_dependencies, local_page

from learnpacks.book.build import SiteBuild, build_site
from learnpacks.book.export import export_zip
from learnpacks.i18n import extract, init
from learnpacks.packs.catalog import load_catalog

pytestmark = [pytest.mark.slow, pytest.mark.browser]

REPO = Path(__file__).resolve().parents[2]
FIXTURE = Path(__file__).parent / "fixtures" / "answer-keys-project"
PACK = "answer-keys"
#: Words of the graded keys (solutions, hidden tests) and nbgrader's markers: nowhere in the site.
GRADED_KEYS = ("tapioca", "marzipan", "gingerbread", "butterscotch", "gazpacho", "flamingo")
MARKERS = ("BEGIN SOLUTION", "END SOLUTION", "BEGIN HIDDEN TESTS", "END HIDDEN TESTS")
#: Words of the practice keys (feedback, accepted answers, blanks, a solution) and of the code
#: that builds the widgets: never on a page as text, nor in a search index. (A practice key is in
#: the page's widget state, which the browser checks answers with.)
PRACTICE_KEYS = ("quokka", "kumquat", "narwhal", "obsidian", "xylophone")
WIDGET_CODE = ("correct=True", "MultipleChoice(", "configure(", "pip install", "WHEEL_URL")
ARABIC = {
    "Practice exercises": "تمارين للتدرّب",
    "Which project stores structured data?": "أي مشروع يخزّن البيانات المهيكلة؟",
    "Write double(x): it returns twice x.": "اكتب double(x): تُرجع ضعف x.",
    "Multiply x by a number.": "اضرب x في عدد.",
    "The number is two.": "العدد هو اثنان.",
    "Your progress in this notebook": "تقدّمك في هذا الدفتر",
}
PAGES = ("01-practice", "02-graded")
WELCOME = "welcome-to-wikimedia"
WELCOME_PAGE = "02-projects-and-affiliates"
WIDGET_STATE = re.compile(
    r'<script type="application/vnd\.jupyter\.widget-state\+json">.*?</script>', re.DOTALL
)


def _project(dest: Path) -> Path:
    shutil.copytree(FIXTURE, dest)
    shutil.copytree(REPO / "book", dest / "book", ignore=shutil.ignore_patterns("_build"))
    # the welcome pack's code exercise, as published: only its notebook 02, with its Arabic catalog
    welcome = dest / "packs" / WELCOME
    shutil.copytree(REPO / "packs" / WELCOME, welcome)
    meta = yaml.safe_load((welcome / "pack.yml").read_text(encoding="utf-8"))
    meta["notebooks"] = [f"{WELCOME_PAGE}.ipynb"]
    (welcome / "pack.yml").write_text(yaml.safe_dump(meta, allow_unicode=True), encoding="utf-8")
    for other in set(welcome.glob("*.ipynb")) - {welcome / f"{WELCOME_PAGE}.ipynb"}:
        other.unlink()
    (dest / "translations" / "ar").mkdir(parents=True)
    shutil.copyfile(
        REPO / "translations" / "ar" / f"{WELCOME}.po",
        dest / "translations" / "ar" / f"{WELCOME}.po",
    )
    extract(root=dest)
    init("ar", root=dest)
    po_path = dest / "translations" / "ar" / f"{PACK}.po"
    po = polib.pofile(str(po_path))
    for entry in po:
        entry.msgstr = ARABIC.get(entry.msgid, entry.msgid)
    po.save()
    return dest


class Built:
    def __init__(self, project: Path, base: str) -> None:
        self.project = project
        self.base = base
        self.result: SiteBuild = build_site(root=project, site_url=base)
        self.site = self.result.site


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory, serve_static) -> Built:
    project = _project(tmp_path_factory.mktemp("keys") / "project")
    site = project / "book" / "_build" / "site"
    site.mkdir(parents=True)
    # served before it is built: the site's address goes into its downloads
    return Built(project, serve_static(site))


@pytest.fixture
def page(chromium):
    context = chromium.new_context()
    page = local_page(context)
    yield page
    context.close()


def _texts(path: Path) -> list[tuple[str, str]]:
    """(name, text) of a built file, and of each member of a zip or gzip it is."""
    data = path.read_bytes()
    if path.suffix in (".zip", ".whl"):
        if path.suffix == ".whl":
            return []  # the package itself: its code is what a learner installs
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            return [
                (f"{path}!{name}", zf.read(name).decode("utf-8", "replace"))
                for name in zf.namelist()
                if not name.endswith(".whl")
            ]
    if data[:2] == b"\x1f\x8b":  # Pagefind's fragments and index chunks
        data = gzip.decompress(data)
    return [(str(path), data.decode("utf-8", "replace"))]


def test_no_graded_key_or_marker_anywhere_in_the_site(built):
    """Does no file of the built site (pages, widget state, downloads, pack zips, both search
    indexes) hold a graded solution, a hidden test or an nbgrader marker?"""
    checked = 0
    for path in sorted(p for p in built.site.rglob("*") if p.is_file()):
        for name, text in _texts(path):
            checked += 1
            found = [w for w in (*GRADED_KEYS, *MARKERS) if w in text]
            assert not found, f"{name} holds {found}"
    assert checked > 50
    # the graded page and its download exist, so the search above read them
    for lang in ("en", "ar"):
        assert (built.site / lang / "packs" / PACK / "02-graded.html").is_file()
        assert (built.site / lang / "downloads" / PACK / "02-graded.ipynb").is_file()


def test_no_practice_key_or_widget_code_in_pages_or_search_indexes(built):
    """Outside the widget state the browser checks answers with, does no page, and no search index
    (Sphinx's searchindex.js, Pagefind's fragments), hold a practice key or the code that builds
    an exercise?"""
    indexes = list(built.site.glob("*/searchindex.js")) + list(
        (built.site / "pagefind").rglob("*.pf_fragment")
    )
    pages = list(built.site.glob(f"*/packs/{PACK}/*.html"))
    assert len(indexes) > 2 and len(pages) == 6
    # no copy of a page's source notebook is published, nor a theme button to one
    assert not list(built.site.glob("*/_sources"))
    assert not [p for p in pages if "_sources/" in p.read_text(encoding="utf-8")]
    for path in indexes + pages:
        for name, text in _texts(path):
            text = WIDGET_STATE.sub("", text)
            found = [w for w in (*PRACTICE_KEYS, *WIDGET_CODE) if w in text]
            assert not found, f"{name} holds {found}"


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_search_finds_the_page_but_no_key(page, built, lang):
    """Does Pagefind find the practice page by a word of its text, while no result it gives for a
    key's word holds that word? (Pagefind answers an unknown word with near matches: "but" for
    "butterscotch".)"""
    page.goto(built.base + f"{lang}/index.html")
    search = """async ([bundle, word]) => {
        const pagefind = await import(bundle);
        const found = await pagefind.search(word);
        return Promise.all(found.results.map(async (r) => {
            const data = await r.data();
            return [data.url, data.content];
        }));
    }"""
    bundle = built.base + "pagefind/pagefind.js"
    found = page.evaluate(search, [bundle, "quizzical"])
    assert any("01-practice" in url and "quizzical" in text for url, text in found)
    for word in (*PRACTICE_KEYS, *GRADED_KEYS, "correct=True", "MultipleChoice"):
        for url, text in page.evaluate(search, [bundle, word]):
            assert word.lower() not in text.lower(), (word, url)


@pytest.mark.parametrize("lang", ["en", "ar"])
@pytest.mark.parametrize("name", PAGES)
def test_every_exercise_starts_unattempted(page, built, lang, name):
    """Does each exercise open unanswered, with no verdict or attempt count, and the progress panel
    at zero, although the build ran the notebook (a failed check, the author's graded answers)?"""
    page.goto(built.base + f"{lang}/packs/{PACK}/{name}.html")
    widgets = page.locator(".lp")
    widgets.first.wait_for()
    page.wait_for_timeout(1700)  # past the widgets' wait for a kernel that never answers
    assert widgets.count() >= (6 if name == "01-practice" else 2)
    for feedback in page.locator(".lp-feedback").all():
        assert feedback.inner_text().strip() == ""
    assert page.locator("input:checked").count() == 0
    for box in page.locator(".lp input[type=text], .lp textarea:not(.lp-editor)").all():
        assert box.input_value() == ""
    for editor in page.locator(".lp textarea.lp-editor").all():  # the starter code, no key
        starter = editor.input_value()
        assert "check(" in starter and not any(k in starter for k in PRACTICE_KEYS), starter
    text = page.locator("article").inner_text()
    for word in (*PRACTICE_KEYS, *GRADED_KEYS, *WIDGET_CODE, "Attempts", "✓", "✗"):
        assert word not in text, word
    if name == "01-practice":
        progress = page.locator(".lp-progress")
        assert progress.locator("li.lp-done").count() == 0
        assert progress.locator("li.lp-todo").count() == 7
        assert re.search(r"(^|\s)[0٠] ", progress.locator(".lp-count").inner_text())
    assert page.blocked == []


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_code_exercise_hint_and_solution_unlock_as_documented(page, built, lang):
    """On the static page, do the hints come one by one, and does the solution open only once
    every hint was seen, before any check is run in the page?"""
    page.goto(built.base + f"{lang}/packs/{PACK}/01-practice.html")
    widget = page.locator(".lp-code")
    widget.wait_for()
    page.wait_for_timeout(1700)
    hint, solution = widget.locator("button.lp-hint"), widget.locator("button.lp-show-solution")
    solution.click()
    assert "xylophone" not in widget.inner_text()
    assert widget.locator(".lp-solution").inner_text().strip()  # says when it opens
    hint.click()
    assert widget.locator(".lp-hints li").count() == 1
    solution.click()
    assert "xylophone" not in widget.inner_text()
    hint.click()
    assert widget.locator(".lp-hints li").count() == 2
    assert hint.is_disabled()
    solution.click()
    assert "return x * 2  # xylophone" in widget.locator(".lp-solution pre").inner_text()


@pytest.mark.parametrize("lang", ["en", "ar"])
@pytest.mark.parametrize("name", PAGES)
def test_without_javascript_a_notice_stands_for_each_widget(chromium, built, lang, name):
    """With JavaScript off, does a notice in the page's language stand where each widget would be,
    with no code and no key shown?"""
    context = chromium.new_context(java_script_enabled=False)
    try:
        page = local_page(context)
        page.goto(built.base + f"{lang}/packs/{PACK}/{name}.html")
        views = page.locator('script[type="application/vnd.jupyter.widget-view+json"]').count()
        notices = page.locator(".lp-noscript")
        expected = {
            "en": "This exercise needs JavaScript.",
            "ar": "يحتاج هذا التمرين إلى جافاسكربت.",
        }
        assert notices.count() == views >= 2
        assert all(n.strip() == expected[lang] for n in notices.all_inner_texts())
        text = page.locator("article").inner_text()
        for word in (*PRACTICE_KEYS, *GRADED_KEYS, *WIDGET_CODE, "Option("):
            assert word not in text, word
    finally:
        context.close()


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_the_welcome_packs_code_exercise_opens_unattempted(page, built, lang):
    """Does the welcome pack's code exercise open with no verdict and no attempt (the build's own
    failed check is neither in the widget nor printed below it), the progress at 0 of 5, and do
    its three hints and then its solution open as docs/authors/exercises.md says?"""
    page.goto(built.base + f"{lang}/packs/{WELCOME}/{WELCOME_PAGE}.html")
    widget = page.locator(".lp-code")
    widget.wait_for()
    page.wait_for_timeout(1700)
    assert widget.locator(".lp-feedback").inner_text().strip() == ""
    article = page.locator("article").inner_text()
    for text in ("Attempts", "returned", "expected", "CodeExercise(", "correct=True"):
        assert text not in article, text
    progress = page.locator(".lp-progress")
    assert progress.locator("li.lp-todo").count() == 5
    assert progress.locator("li.lp-done").count() == 0
    hint, solution = widget.locator("button.lp-hint"), widget.locator("button.lp-show-solution")
    for shown in (1, 2, 3):
        solution.click()
        assert "project_urls[row['name']] = row['url']" not in widget.inner_text()
        hint.click()
        assert widget.locator(".lp-hints li").count() == shown
    solution.click()
    assert (
        "project_urls[row['name']] = row['url']" in widget.locator(".lp-solution pre").inner_text()
    )
    assert page.blocked == []


def _run_set_up_cell(notebook: Path, tmp_path: Path) -> str:
    """Run *notebook*'s set-up cell, then its first exercise cell, in a fresh virtual environment
    (``python -m venv``) that has what learnpacks needs but not learnpacks; returns the output."""
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", venv], check=True)
    python = venv / "bin" / "python"
    install_core_dependencies(python)
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    code = ["".join(c["source"]) for c in cells if c["cell_type"] == "code"]
    exercise = next(c for c in code if "MultipleChoice(" in c and "import" not in c)
    script = "\n\n".join([code[0], code[1], exercise, "print(learnpacks.__file__)"])
    ran = subprocess.run(
        [python, "-c", script], cwd=notebook.parent, capture_output=True, text=True, timeout=600
    )
    assert ran.returncode == 0, ran.stdout + ran.stderr
    installed = Path(ran.stdout.strip().splitlines()[-1])
    assert installed.is_relative_to(venv), installed
    return ran.stdout


def test_a_downloaded_notebook_sets_itself_up_from_the_site(page, built, tmp_path):
    """Does a notebook downloaded from the served site, alone in a folder, install learnpacks in a
    fresh virtual environment from the wheel the site publishes, and say so?"""
    page.goto(built.base + f"en/packs/{PACK}/01-practice.html")
    with page.expect_download() as info:
        page.get_by_role("link", name="Download this notebook").click()
    folder = tmp_path / "downloads" / "lone"
    folder.mkdir(parents=True)
    notebook = folder / "01-practice.ipynb"
    shutil.copyfile(info.value.path(), notebook)
    out = _run_set_up_cell(notebook, tmp_path)
    wheel = next((built.site / "en" / "downloads").glob("learnpacks-*.whl")).name
    assert f"Installing learnpacks from {built.base}en/downloads/{wheel}" in out
    assert "learnpacks is installed" in out


def test_a_bundle_notebook_sets_itself_up_from_the_wheel_beside_it(built, tmp_path):
    """Does a notebook of the offline bundle install learnpacks from the wheel the bundle ships
    beside it, in a fresh virtual environment?"""
    bundle = export_zip(
        catalog=load_catalog(built.project), pack_id=PACK, site_dir=built.site, out=tmp_path
    )
    with zipfile.ZipFile(bundle) as zf:
        zf.extractall(tmp_path / "unzipped")
    notebook = tmp_path / "unzipped" / "notebooks" / "02-graded.ipynb"
    out = _run_set_up_cell(notebook, tmp_path)
    assert re.search(r"Installing learnpacks from \S*notebooks/learnpacks-[^ ]+\.whl", out), out
    assert "learnpacks is installed" in out

"""In-page Python on the static site: a practice code exercise runs and checks a learner's code in
Pyodide (a Web Worker), from the site's own ``_vendor/``, served over http, from the zip bundle
and from a ZIM in kiwix-serve, with every other host blocked."""

from __future__ import annotations

import ast
import contextlib
import html
import io
import json
import re
import shutil
import socket
import subprocess
import tempfile
import time
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from support import axe_violations, block_non_local, local_page

from learnpacks.book.build import SiteBuild
from learnpacks.book.export import export_zip
from learnpacks.book.offline import PYODIDE_DIR, python_bytes
from learnpacks.book.zim import export_zim
from learnpacks.packs.catalog import load_catalog
from learnpacks.widgets import CodeExercise, configure, set_language
from learnpacks.widgets.answers import reset_configuration

PACK = "welcome-to-wikimedia"  # the pack tests/book/conftest.py builds
NOTEBOOK = "02-projects-and-affiliates"
EXERCISE = "projects-url-dict"
PAGE = f"packs/{PACK}/{NOTEBOOK}.html"
#: Long enough for Pyodide's first start on a busy machine; not a timing assertion.
BOOT_MS = 240_000

RAISES = "def make_project_urls(rows):\n    return rows[99]\n"
NOT_A_FUNCTION = "make_project_urls = 3\n"
LOOP = "n = 0\nwhile True:\n    n += 1\n"


@pytest.fixture(scope="module")
def site(inpage_site: SiteBuild) -> SiteBuild:
    return inpage_site


def _code_state(page_file: Path) -> dict[str, Any]:
    """The code exercise's saved widget state on a built page."""
    text = page_file.read_text(encoding="utf-8")
    pattern = r'<script type="application/vnd\.jupyter\.widget-state\+json">(.*?)</script>'
    for body in re.findall(pattern, text, re.DOTALL):
        state = json.loads(html.unescape(body).replace("\\u003c", "<"))
        for model in state["state"].values():
            values = model.get("state", {})
            if values.get("exercise_id") == EXERCISE:
                return values
    raise AssertionError(f"no {EXERCISE} on {page_file}")


def kernel_verdict(state: dict[str, Any], code: str) -> tuple[str, list[str]]:
    """What the kernel's CodeExercise says of *code* (a cell defining the answer), in the page's
    language: the status and the feedback the widget shows."""
    set_language(state["lang"])
    scratch = tempfile.TemporaryDirectory(prefix="lp-parity-")
    configure(directory=scratch.name)  # its answers file
    try:
        spec = state["inpage"]
        tests = [(tuple(args), want) for args, want in ast.literal_eval(spec["tests"])]
        exercise = CodeExercise(id="parity", prompt="?", tests=tests)
        # the notebook's cell calls url_dict_exercise.check(...): the same object here
        namespace: dict[str, Any] = {"url_dict_exercise": exercise}
        with contextlib.redirect_stdout(io.StringIO()):
            exec(compile(code, "<cell>", "exec"), namespace)  # the test's own cases
            if not exercise.result.get("attempts"):
                exercise.record(namespace[spec["name"]])
        return exercise.result["status"], exercise.result["feedback"]
    finally:
        set_language(None)
        reset_configuration()
        scratch.cleanup()


def _widget(page: Any) -> Any:
    return page.locator(".lp.lp-code").first


def check_code(page: Any, code: str, *, button: str = "lp-run-check") -> tuple[str, list[str]]:
    """Type *code* in the editor, press Check (or Run), wait for the run to end; returns the
    verdict the widget shows (its status class and feedback lines, less the attempts)."""
    widget = _widget(page)
    area = widget.locator("textarea.lp-editor")
    area.fill(code)
    before = page.evaluate("() => window.__lpRuns || 0")
    widget.locator(f"button.{button}").click()
    page.wait_for_function(f"() => (window.__lpRuns || 0) > {before}", timeout=BOOT_MS)
    feedback = widget.locator(".lp-feedback").first
    status = re.search(r"lp-(correct|incorrect|none)", feedback.get_attribute("class") or "")
    lines = [p.inner_text() for p in feedback.locator("p").all()]
    return (status.group(1) if status else ""), lines[1:-1]


def open_exercise(page: Any, url: str) -> None:
    page.add_init_script(
        "window.addEventListener('learnpacks:python-done', () => "
        "{ window.__lpRuns = (window.__lpRuns || 0) + 1; });"
    )
    page.goto(url)
    _widget(page).locator("textarea.lp-editor").wait_for(timeout=60_000)


@pytest.fixture
def page(chromium):
    context = chromium.new_context()
    page = local_page(context)
    # the worker's requests too, whichever of the page's or the context's routes sees them
    block_non_local(context, page.blocked)
    page.fetched = []
    page.on("request", lambda request: page.fetched.append(request.url))
    yield page
    context.close()


@pytest.mark.slow
@pytest.mark.browser
def test_pyodide_is_vendored_once_and_its_size_stated(site: SiteBuild) -> None:
    """Is Pyodide under the site's _vendor/ only (no language folder holds a copy), and does the
    build state the bytes a page fetches when a learner first presses Run?"""
    vendor = site.site / "_vendor"
    assert (vendor / PYODIDE_DIR / "pyodide.asm.wasm").is_file()
    assert (vendor / "lp_codecheck.py").read_bytes() == (
        Path(__file__).parents[2] / "learnpacks" / "widgets" / "codecheck.py"
    ).read_bytes()
    assert site.python_bytes == python_bytes(vendor) > 5_000_000
    copies = [p for p in site.site.rglob("pyodide.asm.wasm") if "_vendor" not in p.parts]
    assert copies == []


@pytest.mark.slow
@pytest.mark.browser
@pytest.mark.parametrize("lang", ["en", "ar"])
def test_wrong_then_right_code_gets_the_kernels_verdicts(page, site, serve_static, lang) -> None:
    """On the static page, in English and in Arabic, does a learner's wrong code, then the right
    code, get the verdicts and feedback the kernel's checker gives the same code, with nothing of
    Pyodide fetched before the first Run and no other host asked?"""
    base = serve_static(site.site)
    open_exercise(page, f"{base}{lang}/{PAGE}")
    assert not [u for u in page.fetched if "/pyodide/" in u or "lp-python-worker" in u]
    state = _code_state(site.site / lang / PAGE)
    widget = _widget(page)
    area = widget.locator("textarea.lp-editor")
    assert area.get_attribute("dir") == "ltr"
    assert page.evaluate("() => document.documentElement.dir") == ("rtl" if lang == "ar" else "")
    starter = area.input_value()
    assert "url_dict_exercise.check(make_project_urls)" in starter
    solution = state["content"]["solution"]
    for code in (starter, RAISES, NOT_A_FUNCTION, solution):
        shown = check_code(page, code)
        assert shown == kernel_verdict(state, code), code
    assert shown[0] == "correct"
    assert any("/pyodide/pyodide.asm.wasm" in u for u in page.fetched)
    assert page.blocked == []


@pytest.mark.slow
@pytest.mark.browser
def test_any_returned_value_gets_the_kernels_verdict(page, site, serve_static) -> None:
    """Whatever a learner's function returns (any JSON-like value), is the page's verdict and
    feedback the kernel's?"""
    open_exercise(page, serve_static(site.site) + "en/" + PAGE)
    state = _code_state(site.site / "en" / PAGE)
    values = st.recursive(
        st.none()
        | st.booleans()
        | st.integers()
        | st.floats(allow_nan=False)
        | st.text(max_size=8),
        lambda inner: (
            st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3)
        ),
        max_leaves=6,
    )

    @settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck))
    @given(values)
    def same_verdict(value: Any) -> None:
        code = f"def make_project_urls(rows):\n    return {value!r}\n"
        assert check_code(page, code) == kernel_verdict(state, code)

    same_verdict()


@pytest.mark.slow
@pytest.mark.browser
def test_an_endless_loop_is_stopped_and_the_page_stays_usable(page, site, serve_static) -> None:
    """Does Stop end a loop that never ends, leave the page responsive (hints still open) and let
    the next Check run in a fresh Python?"""
    open_exercise(page, serve_static(site.site) + "ar/" + PAGE)
    state = _code_state(site.site / "ar" / PAGE)
    check_code(page, "print('ready')\n", button="lp-run")  # Python has started
    widget = _widget(page)
    widget.locator("textarea.lp-editor").fill(LOOP)
    widget.locator("button.lp-run").click()
    stop = widget.locator("button.lp-stop")
    stop.wait_for(state="visible")
    assert page.evaluate("() => 6 * 7") == 42  # the page answers while the loop runs
    stop.click()
    status = widget.locator(".lp-run-status")
    assert status.inner_text() == state["strings"]["Stopped. Python starts again at the next run."]
    assert stop.is_hidden()
    widget.locator(".lp-actions button", has_text=state["strings"]["Show a hint"]).click()
    assert widget.locator(".lp-hints li").count() == 1
    assert check_code(page, state["content"]["solution"])[0] == "correct"


@pytest.mark.slow
@pytest.mark.browser
def test_editor_keys_indent_and_leave(page, site, serve_static) -> None:
    """In the editor, does Tab indent and Shift+Tab remove the indent, and does Escape then Tab
    move the focus out (to Run)?"""
    open_exercise(page, serve_static(site.site) + "en/" + PAGE)
    area = _widget(page).locator("textarea.lp-editor")
    area.fill("x = 1")
    area.focus()
    page.keyboard.press("Home")
    page.keyboard.press("Tab")
    assert area.input_value() == "    x = 1"
    page.keyboard.press("Shift+Tab")
    assert area.input_value() == "x = 1"
    page.keyboard.press("Escape")
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.className") == "lp-run"


@pytest.mark.slow
@pytest.mark.browser
def test_no_serious_axe_violation_with_the_editor_open(page, site, serve_static, axe_js) -> None:
    """With the editor open and a failed check shown, in Arabic, does axe find nothing serious?"""
    open_exercise(page, serve_static(site.site) + "ar/" + PAGE)
    check_code(page, RAISES)
    violations = axe_violations(page, axe_js)
    assert violations == [], [(v["id"], [n["target"] for n in v["nodes"]]) for v in violations]


@pytest.mark.slow
@pytest.mark.browser
def test_the_zip_bundle_served_locally_checks_code(page, site, serve_static, tmp_path) -> None:
    """Unzipped and served from the learner's machine, does the bundle's page check code?"""
    bundle = export_zip(
        catalog=load_catalog(site.site.parents[2]), pack_id=PACK, site_dir=site.site, out=tmp_path
    )
    with zipfile.ZipFile(bundle) as archive:
        archive.extractall(tmp_path / "bundle")
    base = serve_static(tmp_path / "bundle" / "html")
    open_exercise(page, f"{base}en/{PAGE}")
    state = _code_state(tmp_path / "bundle" / "html" / "en" / PAGE)
    assert check_code(page, RAISES) == kernel_verdict(state, RAISES)
    assert check_code(page, state["content"]["solution"])[0] == "correct"
    assert page.blocked == []


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def kiwix(site: SiteBuild, tmp_path: Path) -> Iterator[str]:
    """The site's ZIM in kiwix-serve on 127.0.0.1; yields the address of its content."""
    server = shutil.which("kiwix-serve")
    assert server, "kiwix-serve missing: .ci/run installs Debian's kiwix-tools"
    zim = export_zim(
        site_dir=site.site,
        title="Wikimedia learning packs",
        language="eng",
        description="In-page Python test",
        out=tmp_path,
    )
    port = _free_port()
    process = subprocess.Popen(
        [server, "--address", "127.0.0.1", "--port", str(port), str(zim)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(200):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        yield f"http://127.0.0.1:{port}/{zim.stem}/"  # kiwix-serve 3.3: /<book name>/<path>
    finally:
        process.terminate()
        process.wait(timeout=10)


@pytest.mark.slow
@pytest.mark.browser
def test_kiwix_serve_with_the_zim_checks_code(page, site, kiwix) -> None:
    """Read in Kiwix (kiwix-serve with the site's ZIM), does the page check code in Arabic?"""
    open_exercise(page, f"{kiwix}ar/{PAGE}")
    state = _code_state(site.site / "ar" / PAGE)
    assert check_code(page, RAISES) == kernel_verdict(state, RAISES)
    assert check_code(page, state["content"]["solution"])[0] == "correct"
    assert page.blocked == []

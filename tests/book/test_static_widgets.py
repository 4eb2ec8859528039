"""Exercise pages load learnpacks' small widget loader instead of RequireJS and the HTML manager."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from support import answer_starter_choice, local_page

from learnpacks.book.build import SiteBuild
from learnpacks.book.offline import STATIC_WIDGETS_JS
from learnpacks.book.sphinx_ext import SHARED_KEY, _only_anywidgets, share_widget_code

LOADER = Path(__file__).parents[2] / "learnpacks" / "widgets" / "static" / STATIC_WIDGETS_JS
EXERCISE_PAGE = "en/packs/exercise-pack/01-start.html"
SLIDER_PAGE = "en/packs/slider-pack/01-start.html"
#: the shipped pack with a video made for it (a .webm and WebVTT captions in packs/.../media/)
VIDEO_PAGE = "en/packs/mediawiki-api-basics/01-requests-and-etiquette.html"
MANAGER_SCRIPTS = ("require.js", "lp-widgets.js", "embed-amd.js")


@pytest.fixture(scope="module")
def site(offline_site: SiteBuild) -> SiteBuild:
    """``exercise-pack``, ``slider-pack`` (a plain slider beside the exercises) and the shipped
    ``mediawiki-api-basics``, built offline."""
    return offline_site


@pytest.fixture
def page(chromium):
    context = chromium.new_context()
    page = local_page(context)
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.errors = errors
    yield page
    context.close()


LAYOUT = {
    "model_module": "@jupyter-widgets/base",
    "model_name": "LayoutModel",
    "state": {"_model_name": "LayoutModel", "width": None},
}


@pytest.mark.parametrize(
    ("models", "light"),
    [
        ([{"model_module": "anywidget", "model_name": "AnyModel", "state": {}}, LAYOUT], True),
        ([{"model_module": "@jupyter-widgets/controls", "model_name": "IntSliderModel"}], False),
        ([{**LAYOUT, "state": {"width": "50%"}}], False),
        ([{"model_module": "anywidget", "model_name": "AnyModel", "buffers": []}], False),
        ([], False),
    ],
    ids=["anywidget", "slider", "styled-layout", "buffers", "empty"],
)
def test_which_pages_get_the_loader(models, light):
    """Does only a state of anywidgets (and their default layouts) go without the HTML manager?"""
    state = {"state": {str(i): m for i, m in enumerate(models)}}
    assert _only_anywidgets([state]) is light


def test_widget_code_is_written_once_per_page():
    """Does a state of three exercises of one script carry that script and its styles once, each
    model naming it, and leave a model's other values alone?"""
    esm, css = "export default {render() {}}" * 100, ".lp { color: red }"
    models = {
        f"m{i}": {
            "model_module": "anywidget",
            "model_name": "AnyModel",
            "state": {"_esm": esm, "_css": css, "exercise_id": f"ex{i}"},
        }
        for i in range(3)
    }
    state = share_widget_code({"state": models})
    assert list(state[SHARED_KEY].values()) == [esm, css]
    values = [m["state"] for m in state["state"].values()]
    assert len({v["_esm"] for v in values}) == 1 and len({v["_css"] for v in values}) == 1
    assert [v["exercise_id"] for v in values] == ["ex0", "ex1", "ex2"]
    assert json.dumps(state).count(esm) == 1


@pytest.mark.slow
@pytest.mark.browser
def test_exercise_page_loads_only_the_loader(site):
    """Does an exercise page load the small loader, and neither RequireJS nor the HTML manager?"""
    text = (site.site / EXERCISE_PAGE).read_text(encoding="utf-8")
    assert f'<script src="../../_static/../../_vendor/{STATIC_WIDGETS_JS}"></script>' in text
    for script in MANAGER_SCRIPTS:
        assert script not in text
    assert (site.site / "_vendor" / STATIC_WIDGETS_JS).read_bytes() == LOADER.read_bytes()
    # the exercises' script once, not once per widget (three on the scaffolded page)
    assert text.count("application/vnd.jupyter.widget-view+json") >= 3
    assert text.count("export default") == 1


@pytest.mark.slow
@pytest.mark.browser
@pytest.mark.parametrize("served", [True, False], ids=["http", "file"])
def test_exercise_works_with_the_loader(page, site, serve_static, served):
    """Does the exercise give feedback on a wrong answer and accept the right one, over http and
    from file://, with no other host reachable and nothing reported on the console?"""
    if served:
        base = serve_static(site.site)
    else:
        base = site.site.as_uri() + "/"
        # the site's own files pass; anything else goes to block_non_local's route (registered first)
        page.route(
            "**/*",
            lambda route: (
                route.continue_() if route.request.url.startswith(base) else route.fallback()
            ),
        )
    page.goto(base + EXERCISE_PAGE)
    answer_starter_choice(page)
    subarea = page.locator(".cell_output > .widget-subarea > .lm-Widget > .lp").first
    assert subarea.count() == 1
    assert page.blocked == []
    assert page.errors == []


@pytest.mark.slow
@pytest.mark.browser
def test_page_with_another_widget_keeps_the_html_manager(page, site, serve_static):
    """Does a page that also shows an ipywidgets slider keep the HTML manager, and show both?"""
    text = (site.site / SLIDER_PAGE).read_text(encoding="utf-8")
    for script in MANAGER_SCRIPTS:
        assert script in text
    assert STATIC_WIDGETS_JS not in text
    page.goto(serve_static(site.site) + SLIDER_PAGE)
    readout = page.locator(".widget-slider .widget-readout").first
    readout.wait_for(timeout=30_000)
    assert readout.inner_text().strip() == "3"
    answer_starter_choice(page)
    assert page.blocked == []


@pytest.mark.slow
@pytest.mark.browser
def test_shipped_video_and_its_captions_load(page, site, serve_static):
    """Does the video mediawiki-api-basics ships beside its notebook reach the site and load there
    (HTTP 200, metadata read, no media error), with a caption track in each of its languages?"""
    base = serve_static(site.site)
    statuses: dict[str, int] = {}
    page.on("response", lambda r: statuses.__setitem__(r.url, r.status))
    page.goto(base + VIDEO_PAGE)
    page.locator("video").first.wait_for(timeout=30_000)
    page.wait_for_function(
        "() => { const v = document.querySelector('video'); return v.readyState > 0 || v.error; }"
    )
    video = page.evaluate(
        """() => { const v = document.querySelector('video');
        return {error: v.error && v.error.code, ready: v.readyState, src: v.currentSrc,
                duration: v.duration,
                tracks: Array.from(v.querySelectorAll('track')).map(t => [t.srclang, t.src])}; }"""
    )
    assert video["error"] is None and video["ready"] > 0
    assert video["src"].endswith("/mediawiki-api-basics/media/how-a-tool-reads-a-wiki.webm")
    assert statuses[video["src"]] == 200
    assert video["duration"] > 60  # the whole 72-second video, not an error page
    assert sorted(lang for lang, _ in video["tracks"]) == ["ar", "en", "es", "fr"]
    for _, src in video["tracks"]:  # embedded, or a file the site serves
        assert src.startswith("data:text/vtt") or page.request.get(src).status == 200
    # every track's cues load (a browser loads a track once it is shown or hidden)
    page.evaluate(
        "() => Array.from(document.querySelector('video').textTracks).forEach(t => t.mode = 'hidden')"
    )
    page.wait_for_function(
        "() => Array.from(document.querySelectorAll('video track')).every(t => t.readyState === 2)"
    )
    cues = page.evaluate(
        "() => Array.from(document.querySelector('video').textTracks).map(t => t.cues.length)"
    )
    assert len(cues) == 4 and min(cues) > 0
    assert page.blocked == []
    assert page.errors == []


ESM = """
window.lpImports = (window.lpImports || 0) + 1;
export default {
  render({ model, el }) {
    el.textContent = model.get("text");
    const seen = () => {};
    model.on("change:text", seen);
    model.off("change:text", seen);
    model.send({ type: "hello" });
  },
};
"""


def _any_model(text: str) -> dict:
    return {
        "model_module": "anywidget",
        "model_name": "AnyModel",
        "model_module_version": "~0.11.*",
        "state": {"_esm": ESM, "_css": ".demo { color: rebeccapurple; }", "text": text},
    }


def _view(model_id: str) -> str:
    view = json.dumps({"version_major": 2, "version_minor": 1, "model_id": model_id})
    return f'<div class="cell_output"><script type="application/vnd.jupyter.widget-view+json">{view}</script></div>'


@pytest.mark.slow
@pytest.mark.browser
def test_loader_reports_a_widget_it_cannot_render(page, tmp_path, serve_static):
    """Is a widget of another kind (or with no model) reported on the console, while the anywidgets
    around it still render, each module imported and each stylesheet added once?"""
    state = {
        "version_major": 2,
        "version_minor": 0,
        "state": {
            "first": _any_model("first widget"),
            "slider": {
                "model_module": "@jupyter-widgets/controls",
                "model_name": "IntSliderModel",
                "model_module_version": "2.0.0",
                "state": {"value": 3},
            },
            "second": _any_model("second widget"),
        },
    }
    body = "\n".join(_view(i) for i in ("first", "slider", "missing", "second"))
    (tmp_path / "index.html").write_text(
        '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Widgets</title>\n'
        f'<script type="application/vnd.jupyter.widget-state+json">{json.dumps(state)}</script>\n'
        f'<script src="{STATIC_WIDGETS_JS}"></script></head>\n<body><main>{body}</main></body></html>',
        encoding="utf-8",
    )
    shutil.copyfile(LOADER, tmp_path / STATIC_WIDGETS_JS)
    page.goto(serve_static(tmp_path) + "index.html")
    rendered = page.locator(".widget-subarea > .lm-Widget")
    page.wait_for_function("() => document.body.textContent.includes('second widget')")
    assert rendered.all_inner_texts() == ["first widget", "second widget"]
    page.wait_for_function("() => window.lpImports !== undefined")
    assert page.evaluate("window.lpImports") == 1
    assert (
        page.evaluate(
            "Array.from(document.querySelectorAll('style')).filter(s => s.textContent.includes('rebeccapurple')).length"
        )
        == 1
    )
    assert len(page.errors) == 2, page.errors
    assert "cannot render widget slider" in page.errors[0]
    assert "IntSliderModel" in page.errors[0]
    assert "cannot render widget missing" in page.errors[1]
    assert page.blocked == []

"""The front-end modules: no network, small, loaded from package data; the offline vendoring."""

from __future__ import annotations

import re
from pathlib import Path

from learnpacks.widgets import MultipleChoice, Option, static_embed
from learnpacks.widgets.base import STATIC

# exercise.js grew past 32 KiB with the pack's place and progress (issue 17); handin.js is its own module
BUDGET_BYTES = {"exercise.js": 36 * 1024, "handin.js": 6 * 1024, "exercise.css": 6 * 1024}


def test_modules_make_no_network_request() -> None:
    """Do the ES module and stylesheet import nothing and fetch nothing (no URL, no fetch)?"""
    for name in BUDGET_BYTES:
        source = (STATIC / name).read_text(encoding="utf-8")
        assert not re.search(r"^\s*import\s", source, re.M), name
        assert not re.search(r"\bimport\s*\(|\bfetch\s*\(|XMLHttpRequest|WebSocket|@import", source)
        assert not re.search(r"https?://", source), name


def test_modules_stay_small() -> None:
    """Do the front-end files stay within their size budget (bytes, uncompressed)?"""
    for name, budget in BUDGET_BYTES.items():
        size = (STATIC / name).stat().st_size
        assert size <= budget, f"{name} is {size} bytes, budget {budget}"


def test_widget_ships_the_module_from_package_data() -> None:
    """Is the widget's _esm/_css the packaged file's text (nothing loaded by URL)?"""
    state = MultipleChoice(id="q", prompt="?", options=[Option("a", correct=True)]).get_state()
    assert state["_esm"] == (STATIC / "exercise.js").read_text(encoding="utf-8")
    assert state["_css"] == (STATIC / "exercise.css").read_text(encoding="utf-8")


def test_script_tags_point_only_at_the_vendor_folder() -> None:
    """Do the page's script tags load everything from the vendored folder, with no CDN?"""
    tags = static_embed.script_tags("../_vendor")
    assert "http" not in tags
    assert 'src="../_vendor/require.js"' in tags
    assert 'data-jupyter-widgets-cdn="../_vendor/cdn/"' in tags
    config = static_embed.myst_nb_ipywidgets_js("/_vendor")
    assert list(config) == ["/_vendor/require.js", "/_vendor/html-manager/embed-amd.js"]


def test_vendored_layout(vendored_scripts: Path) -> None:
    """Does vendoring lay out RequireJS, the HTML manager and anywidget where pages look?"""
    from anywidget._version import _ANYWIDGET_SEMVER_VERSION

    assert (vendored_scripts / "require.js").stat().st_size > 10_000
    assert (vendored_scripts / "html-manager" / "embed-amd.js").stat().st_size > 100_000
    module = (
        vendored_scripts / "cdn" / f"anywidget@{_ANYWIDGET_SEMVER_VERSION}" / "dist" / "index.js"
    )
    assert 'define(["@jupyter-widgets/base"]' in module.read_text(encoding="utf-8")

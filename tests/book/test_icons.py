"""The theme's icons drawn from a small generated stylesheet instead of its 1.4 MB fontawesome.js."""

from __future__ import annotations

import logging
import re
from pathlib import Path
from types import SimpleNamespace

import pytest
from support import axe_violations, block_non_local

from learnpacks.book.build import SiteBuild
from learnpacks.book.icons import (
    STYLESHEET,
    IconFormatError,
    load_icons,
    parse_fontawesome,
    replace_fontawesome,
    theme_script,
)
from learnpacks.book.sphinx_ext import finish_pages

# The shape of one pack in the theme's minified fontawesome.js (Font Awesome 6).
PACK = 'var p={bars:[448,512,["navicon"],"f0c9","M0 96z"],"circle-half-stroke":[512,512,[9680,"adjust"],"f042","M448 256z"]};!function(c){}(function(){d("fas",p),d("fa-solid",p)})'
THEME_PAGE = """<!DOCTYPE html><html><head>
<link href="_static/styles/pydata-sphinx-theme.css?digest=1" rel="stylesheet" />
  <script defer src="_static/scripts/fontawesome.js?digest=1"></script>
</head><body>
<button class="btn" aria-label="Site navigation"><span class="fa-solid fa-bars"></span></button>
<i class="fa-brands fa-square-github fa-lg"></i>
<i class="fa-solid fa-not-an-icon"></i>
</body></html>
"""


@pytest.fixture(scope="module")
def icon_set():
    return load_icons()


def test_reads_the_theme_icons(icon_set):
    """Are the theme's solid, regular and brand icons read with their viewBox and aliases?"""
    bars = icon_set.icons[("solid", "bars")]
    assert (bars.width, bars.height) == (448, 512)
    assert icon_set.icons[("solid", "navicon")] == bars
    assert ("regular", "sun") in icon_set.icons
    assert ("brands", "github") in icon_set.icons
    assert {"fa-lg", "fa-fw", "fa-solid", "fa-spin"} <= icon_set.modifiers
    assert "Font Awesome Free" in icon_set.notice and "*/" not in icon_set.notice


def test_parses_one_pack():
    """Is a pack in Font Awesome 6's minified shape read, aliases included?"""
    found = parse_fontawesome(PACK)
    assert found.icons[("solid", "adjust")].paths == ("M448 256z",)
    assert found.icons[("solid", "bars")].svg().startswith("<svg xmlns=")


@pytest.mark.parametrize(
    "changed",
    [
        "",
        PACK.replace('"f0c9",', '"f0c9",0,'),  # a field added to every entry
        PACK.replace("[448,512,", "{w:448,h:512,"),  # entries become objects
        PACK.replace('d("fas",p)', 'd("fa-solid-v7",p)'),  # packs registered by another name
        theme_script().read_text(encoding="utf-8").replace('"f0c9",', '"f0c9",1,', 1),
    ],
)
def test_unreadable_script_fails_loudly(changed):
    """Does a fontawesome.js laid out differently (a theme upgrade) stop the build, not drop icons?"""
    with pytest.raises(IconFormatError):
        parse_fontawesome(changed)


def test_page_rewritten_and_unknown_icon_reported(tmp_path, icon_set):
    """Does a page lose the script, link the stylesheet, hide its icons from screen readers, and is
    an icon class the theme does not define reported with the page?"""
    (tmp_path / "_static" / "scripts").mkdir(parents=True)
    (tmp_path / "_static" / "scripts" / "fontawesome.js").write_text("//")
    (tmp_path / "page.html").write_text(THEME_PAGE, encoding="utf-8")
    missing = replace_fontawesome(tmp_path, icon_set)
    assert missing == {"page.html": {"fa-not-an-icon"}}
    html = (tmp_path / "page.html").read_text(encoding="utf-8")
    assert "fontawesome.js" not in html
    assert re.search(
        r'<link rel="stylesheet" href="_static/learnpacks-icons\.css\?v=\w{8}" />', html
    )
    assert '<span aria-hidden="true" class="fa-solid fa-bars">' in html
    assert '<i aria-hidden="true" class="fa-brands fa-square-github fa-lg">' in html
    assert not (tmp_path / "_static" / "scripts" / "fontawesome.js").exists()
    css = (tmp_path / "_static" / STYLESHEET).read_text(encoding="utf-8")
    assert ".fa-bars{--lp-icon:url(" in css
    assert ".fa-brands.fa-square-github,.fab.fa-square-github{--lp-icon:" in css
    # a second pass (an incremental build) changes nothing
    replace_fontawesome(tmp_path, icon_set)
    assert (tmp_path / "page.html").read_text(encoding="utf-8") == html


def test_unknown_icon_is_a_coded_warning(tmp_path, caplog):
    """Does the build warn `learnpacks.icon-missing`, naming the page and the class?"""
    (tmp_path / "page.html").write_text(THEME_PAGE, encoding="utf-8")
    app = SimpleNamespace(
        builder=SimpleNamespace(format="html", get_target_uri=lambda name: name + ".html"),
        config=SimpleNamespace(language="en", learnpacks_rtl=False),
        outdir=str(tmp_path),
        doctreedir=str(tmp_path / "doctrees"),
        _learnpacks_written={"page"},
    )
    sphinx_logger = logging.getLogger("sphinx")  # Sphinx may have stopped it propagating
    sphinx_logger.addHandler(caplog.handler)
    try:
        finish_pages(app, None)  # type: ignore[arg-type]
    finally:
        sphinx_logger.removeHandler(caplog.handler)
    assert any(
        "learnpacks.icon-missing" in r.getMessage()
        and "page.html" in r.getMessage()
        and "fa-not-an-icon" in r.getMessage()
        for r in caplog.records
    ), [r.getMessage() for r in caplog.records]


@pytest.fixture(scope="module")
def site(authored_site: SiteBuild) -> SiteBuild:
    """Its ``demo-pack`` links a data file: a download link, which the theme's CSS marks with an
    icon glyph."""
    return authored_site


def _pages(site: SiteBuild) -> dict[Path, str]:
    root = site.site / "en"
    return {
        p: p.read_text(encoding="utf-8")
        for p in root.rglob("*.html")
        if not p.relative_to(root).parts[0].startswith("_")
    }


@pytest.mark.slow
def test_no_page_loads_fontawesome_js(site):
    """Does no built page load the theme's fontawesome.js, and is the script not published?"""
    pages = _pages(site)
    assert len(pages) >= 3
    for page, html in pages.items():
        assert "fontawesome.js" not in html, page
        assert f"_static/{STYLESHEET}?v=" in html, page
    assert not list(site.site.rglob("fontawesome.js"))


@pytest.mark.slow
def test_every_icon_used_has_a_rule(site, icon_set):
    """Does every `fa-` icon class in a built page have a rule in the generated stylesheet?"""
    css = (site.site / "en" / "_static" / STYLESHEET).read_text(encoding="utf-8")
    drawn = set(re.findall(r"\.(fa-[a-z0-9-]+)\{--lp-icon:url\(", css))
    used = set()
    for html in _pages(site).values():
        for classes in re.findall(r'<[a-z]+\b[^<>]*\sclass="([^"]*)"', html):
            used |= {c for c in classes.split() if c.startswith("fa-")} - icon_set.modifiers
    # no header download button: the site publishes no `_sources/` copy (the reader's notebook
    # is offered by learnpacks' own download links, as the learner's version)
    assert {"fa-bars", "fa-magnifying-glass", "fa-sun", "fa-moon"} <= used
    assert used <= drawn, used - drawn


@pytest.mark.slow
@pytest.mark.browser
@pytest.mark.parametrize("width", [1280, 420])
def test_header_icons_render(chromium, serve_static, site, axe_js, width):
    """In Chromium, do the header's icons (menu, search, theme switch) and a data file's download
    mark show as masks of
    non-zero size, with no icon font or script fetched, and no serious axe-core violation?"""
    base = serve_static(site.site)
    context = chromium.new_context(viewport={"width": width, "height": 800})
    page = context.new_page()
    blocked: list[str] = []
    block_non_local(page, blocked)
    fetched: list[str] = []
    page.on("requestfinished", lambda request: fetched.append(request.url))
    page.goto(base + "en/packs/demo-pack/01-start.html")
    page.wait_for_load_state("networkidle")
    icons = page.evaluate(
        """() => Array.from(document.querySelectorAll(
              ':is(.bd-header, .bd-header-article) :is(.fa-bars, .fa-magnifying-glass, .theme-switch,'
              + ' .fa-download)'))
            .filter(el => el.offsetParent !== null)
            .map(el => {
              const s = getComputedStyle(el, '::before');
              const box = el.getBoundingClientRect();
              return {cls: el.className, width: parseFloat(s.width), height: parseFloat(s.height),
                      mask: s.maskImage || s.webkitMaskImage, visible: box.width > 0 && box.height > 0};
            })"""
    )
    shown = {c for icon in icons for c in icon["cls"].split()}
    assert {"fa-bars", "fa-magnifying-glass"} <= shown, icons
    assert any("theme-switch" in icon["cls"] for icon in icons), icons
    for icon in icons:
        assert icon["visible"] and icon["width"] > 8 and icon["height"] > 8, icon
        assert icon["mask"].startswith('url("data:image/svg+xml'), icon
    download = page.locator("a.reference.download").first
    before = download.evaluate(
        "el => { const s = getComputedStyle(el, '::before');"
        " return {mask: s.maskImage || s.webkitMaskImage, width: parseFloat(s.width)}; }"
    )
    assert before["mask"].startswith('url("data:image/svg+xml') and before["width"] > 4, before
    assert not [u for u in fetched if "fontawesome" in u], fetched  # script and icon fonts
    assert axe_violations(page, axe_js) == []
    context.close()

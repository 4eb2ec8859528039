"""The site's chrome as readers meet it in Chromium: mirrored for right-to-left languages (Arabic,
and Hebrew as a second one), one search, and no accessibility violation or console error on any
kind of page, in light and dark mode. Layout is checked by geometry, not pixels."""

from __future__ import annotations

import html
import json
import os
import re
from pathlib import Path
from typing import Any

import pytest
from support import axe_violations, local_page

from learnpacks.book.build import SiteBuild

pytestmark = [pytest.mark.slow, pytest.mark.browser]

RTL = ["ar", "he"]
DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 800}
#: set LEARNPACKS_SHOTS to a folder to keep screenshots of what the tests look at
SHOTS = Path(os.environ["LEARNPACKS_SHOTS"]) if os.environ.get("LEARNPACKS_SHOTS") else None


@pytest.fixture(scope="module")
def base(multilingual_site: SiteBuild, serve_static) -> str:
    return serve_static(multilingual_site.site)


def _open(chromium: Any, base: str, path: str, **options: Any) -> Any:
    """A page of the site in a new context; ``page.errors`` collects console errors and uncaught
    exceptions, ``page.blocked`` requests to other hosts."""
    context = chromium.new_context(**options)
    page = local_page(context)
    page.errors = []
    page.on(
        "console",
        lambda m: (
            page.errors.append(f"{m.text} ({m.location.get('url')})") if m.type == "error" else None
        ),
    )
    page.on("pageerror", lambda e: page.errors.append(str(e)))
    page.on(
        "response", lambda r: page.errors.append(f"{r.status} {r.url}") if r.status >= 400 else None
    )
    page.goto(base + path)
    page.wait_for_load_state("networkidle")
    return page


def _open_on_phone(chromium: Any, base: str, path: str) -> Any:
    """:func:`_open` on a 390 px touch screen."""
    return _open(chromium, base, path, viewport=PHONE, is_mobile=True, has_touch=True)


def _rect(page: Any, selector: str) -> dict[str, float]:
    box = page.locator(selector).first.evaluate(
        "e => { const r = e.getBoundingClientRect(); "
        "return {left: r.left, right: r.right, top: r.top, bottom: r.bottom}; }"
    )
    return box


def _overlap(a: dict[str, float], b: dict[str, float]) -> bool:
    return (
        a["left"] < b["right"] - 0.5
        and b["left"] < a["right"] - 0.5
        and a["top"] < b["bottom"] - 0.5
        and b["top"] < a["bottom"] - 0.5
    )


@pytest.mark.parametrize("lang", RTL)
def test_sidebar_is_mirrored(chromium, base, lang):
    """On a right-to-left page, is the menu on the right of the text, its caption inside the
    sidebar (not cut at the screen's edge), and the current page marked on its right edge?"""
    page = _open(chromium, base, f"{lang}/index.html", viewport=DESKTOP)
    assert page.evaluate("document.documentElement.dir") == "rtl"
    sidebar = _rect(page, ".bd-sidebar-primary")
    article = _rect(page, "article.bd-article")
    assert sidebar["left"] >= article["right"] - 1, (sidebar, article)
    caption = _rect(page, "nav.bd-links p.caption .caption-text")
    assert caption["right"] <= sidebar["right"] - 8, (caption, sidebar)
    page.goto(base + f"{lang}/packs/demo-pack/01-start.html")
    current = page.locator("nav.bd-links a[aria-current=page]")
    shadow = current.evaluate("a => getComputedStyle(a).boxShadow")
    offset = float(re.search(r"\)\s+(-?[\d.]+)px", shadow).group(1))
    assert offset < 0, f"the current page's marker is drawn on its left: {shadow}"
    # the pack's link starts at the sidebar's right edge (inside its padding), its page one step in
    pack = _rect(page, "nav.bd-links li.toctree-l1.current > a")
    padding = page.locator(".bd-sidebar-primary").evaluate(
        "s => parseFloat(getComputedStyle(s).paddingRight)"
    )
    assert pack["right"] >= sidebar["right"] - padding - 1, (pack, sidebar, padding)
    assert current.evaluate("a => a.getBoundingClientRect().right") < pack["right"]
    page.context.close()


@pytest.mark.parametrize("lang", RTL)
def test_previous_and_next_are_mirrored(chromium, base, lang):
    """Does "previous" sit on the right and "next" on the left, each chevron on its outer side
    pointing outward?"""
    page = _open(chromium, base, f"{lang}/packs/demo-pack/index.html", viewport=DESKTOP)
    prev, after = page.locator("a.left-prev"), page.locator("a.right-next")
    prev_box, next_box = _rect(page, "a.left-prev"), _rect(page, "a.right-next")
    assert prev_box["left"] > next_box["right"], (prev_box, next_box)
    for link, outward in ((prev, "right"), (after, "left")):
        icon = link.locator("i").evaluate(
            "i => ({box: i.getBoundingClientRect().toJSON(),"
            " info: i.parentElement.querySelector('.prev-next-info').getBoundingClientRect().toJSON(),"
            " transform: getComputedStyle(i, '::before').transform,"
            " left: i.classList.contains('fa-angle-left')})"
        )
        if outward == "right":
            assert icon["box"]["left"] >= icon["info"]["right"] - 1, icon
        else:
            assert icon["box"]["right"] <= icon["info"]["left"] + 1, icon
        mirrored = icon["transform"].startswith("matrix(-1")
        points_left = icon["left"] != mirrored
        assert points_left == (outward == "left"), icon
    page.context.close()


@pytest.mark.parametrize("lang", RTL)
def test_search_boxes_do_not_overlap_in_right_to_left(chromium, base, lang):
    """In the search dialog (Ctrl+K) is the magnifier at the start, clear of the text and of
    the shortcut; on the search page, are Pagefind's filter chevrons clear of the names?"""
    page = _open(chromium, base, f"{lang}/packs/demo-pack/01-start.html", viewport=DESKTOP)
    page.keyboard.press("Control+k")
    dialog = "#pst-search-dialog[open] form.bd-search"
    page.locator(dialog).wait_for()
    page.keyboard.type("abc")
    icon, field = _rect(page, f"{dialog} .fa-magnifying-glass"), _rect(page, f"{dialog} input")
    keys = _rect(page, f"{dialog} .search-button__kbd-shortcut")
    assert icon["left"] >= field["right"] - 1, (icon, field)
    assert not _overlap(icon, keys) and keys["right"] <= field["left"] + 1, (icon, keys, field)
    page.goto(base + f"{lang}/search.html?q=Demo")
    page.locator(".pagefind-ui__filter-name").first.wait_for()
    overlaps = page.evaluate(
        """() => Array.from(document.querySelectorAll('.pagefind-ui__filter-name')).map(s => {
            const range = document.createRange();
            range.selectNodeContents(s);
            const text = range.getBoundingClientRect();
            const box = s.getBoundingClientRect();
            const after = getComputedStyle(s, '::after');
            const width = parseFloat(after.width);
            const left = after.left !== 'auto'
                ? box.left + parseFloat(after.left)
                : box.right - parseFloat(after.right) - width;
            return left < text.right && text.left < left + width ? s.textContent : null;
        }).filter(Boolean)"""
    )
    assert overlaps == []
    page.context.close()


@pytest.mark.parametrize("lang", RTL)
def test_phone_menu_slides_in_from_the_right(chromium, base, lang):
    """On a phone, is the menu button on the right, and does the menu open against the right
    edge of the screen?"""
    page = _open_on_phone(chromium, base, f"{lang}/packs/demo-pack/01-start.html")
    toggle = page.locator(".primary-toggle:visible").first
    box = toggle.bounding_box()
    assert box["x"] > PHONE["width"] / 2, box
    toggle.click()
    menu = page.locator("dialog#pst-primary-sidebar-modal[open]")
    menu.locator("a").first.wait_for(state="visible")
    page.wait_for_function(
        "w => Math.abs(document.querySelector('dialog#pst-primary-sidebar-modal')"
        ".getBoundingClientRect().right - w) < 1",
        arg=PHONE["width"],
    )
    left = menu.evaluate("d => d.getBoundingClientRect().left")
    assert left > 0, left
    page.context.close()


@pytest.mark.parametrize("lang", RTL)
def test_phone_search_dialog_is_mirrored(chromium, base, lang):
    """On a phone, does the header's search button open the search dialog within the screen,
    the magnifier at the start (right) of a right-to-left field, what is typed clear of it?"""
    page = _open_on_phone(chromium, base, f"{lang}/packs/demo-pack/01-start.html")
    page.locator(".search-button:visible").first.tap()
    dialog = "#pst-search-dialog[open] form.bd-search"
    page.locator(dialog).wait_for()
    field = page.locator(f"{dialog} input")
    assert field.evaluate("e => getComputedStyle(e).direction") == "rtl"
    page.keyboard.type("ויקי" if lang == "he" else "ويكي")
    icon, box = _rect(page, f"{dialog} .fa-magnifying-glass"), _rect(page, f"{dialog} input")
    text_right = field.evaluate(
        "e => e.getBoundingClientRect().right - parseFloat(getComputedStyle(e).paddingRight)"
    )
    assert box["left"] >= 0 and box["right"] <= PHONE["width"], box
    assert icon["left"] >= text_right - 1, (icon, text_right)
    assert icon["right"] <= PHONE["width"], icon
    if SHOTS:
        page.screenshot(path=str(SHOTS / f"phone-search-{lang}.png"))
    assert page.errors == [] and page.blocked == []
    page.context.close()


def test_one_search_engine(multilingual_site):
    """Does the site search with Pagefind only: no Sphinx search index or scripts on any page,
    and every language's search page holds the Pagefind box?"""
    site = multilingual_site.site
    for lang in ("en", "fr", "ar"):
        assert not (site / lang / "searchindex.js").exists()
        assert not (site / lang / "genindex.html").exists()  # an empty "Index" page
        assert 'id="lp-search"' in (site / lang / "search.html").read_text(encoding="utf-8")
        for page in (site / lang).rglob("*.html"):
            text = page.read_text(encoding="utf-8")
            assert "searchtools.js" not in text and "searchindex.js" not in text, page


def test_header_search_finds_a_french_word_on_the_french_site(chromium, base):
    """From a French notebook page, does the header's search box (Ctrl+K) lead to the French
    search page, which finds "benevoles" (written "bénévoles") and offers the other languages?"""
    page = _open(chromium, base, "fr/packs/demo-pack/01-start.html", viewport=DESKTOP)
    page.locator(".bd-header .search-button-field").first.click()
    page.locator("#pst-search-dialog[open] input").fill("benevoles")
    page.keyboard.press("Enter")
    page.wait_for_url(re.compile(r"/fr/search\.html\?q=benevoles$"))
    results = page.locator(".pagefind-ui__result-link")
    results.first.wait_for()
    assert any("bibliothécaires" in t for t in results.all_inner_texts()), results.all_inner_texts()
    switcher = page.locator(".lp-languages a").evaluate_all("a => a.map(l => l.hreflang)")
    assert {"en", "ar"} <= set(switcher), switcher
    page.locator(".lp-languages a[hreflang=en]").click()
    page.wait_for_url(re.compile(r"/en/search\.html$"))
    page.locator("#lp-search input").wait_for()
    assert page.errors == [] and page.blocked == []
    page.context.close()


def test_search_is_reachable_from_every_page(chromium, base):
    """Does every kind of page, the search page included, have the header's search box, with
    an accessible name that contains its visible text (axe-core label-content-name-mismatch)?"""
    for path in ("en/index.html", "en/packs/demo-pack/index.html", "en/search.html"):
        page = _open(chromium, base, path, viewport=DESKTOP)
        button = page.locator(".bd-header .search-button-field").first
        assert button.is_visible(), path
        assert button.get_attribute("aria-label") is None, path
        page.context.close()


PAGE_KINDS = {
    "landing": "index.html",
    "overview": "packs/demo-pack/index.html",
    "exercises": "packs/demo-pack/01-start.html",
    "search": "search.html?q={word}",
}
#: A word the search page finds in each language's pages.
FOUND = {"en": "Demo", "ar": "حزمة"}


@pytest.mark.parametrize("mode", ["light", "dark"])
@pytest.mark.parametrize("lang", ["en", "ar"])
@pytest.mark.parametrize("kind", [*PAGE_KINDS, "partial"])
def test_pages_pass_axe_with_a_clean_console(chromium, base, axe_js, kind, lang, mode):
    """Does every kind of page (landing, pack overview, exercise page, search page, a partly
    translated page with its fallback), in English and Arabic, light and dark, pass axe-core
    (serious, critical) and log no error?"""
    path = f"es/{PAGE_KINDS['exercises']}" if kind == "partial" else f"{lang}/{PAGE_KINDS[kind]}"
    path = path.format(word=FOUND[lang])
    if kind == "partial" and lang == "ar":
        path = "ar/" + PAGE_KINDS["exercises"]  # its untranslated cells shown in English
    page = _open(chromium, base, path, viewport=DESKTOP, color_scheme=mode)
    assert page.evaluate("document.documentElement.dataset.theme") == mode
    if kind == "exercises":
        page.locator(".lp").first.wait_for()
    if kind == "search":
        page.locator(".pagefind-ui__result-link").first.wait_for()
    # before axe runs: axe reads the stylesheets again itself, and resolves the theme's
    # @import "../basic.css" against the page instead of the stylesheet (a 404 of its own)
    errors = list(page.errors)
    violations = axe_violations(page, axe_js, also=("region",))
    assert violations == [], [(v["id"], [n["target"] for n in v["nodes"]][:3]) for v in violations]
    assert errors == [], errors
    page.context.close()


def test_dark_mode_keeps_exercises_and_logo_legible(chromium, base):
    """In dark mode, do the exercises take the page's dark background and light text, and the
    logo its light wordmark?"""
    page = _open(
        chromium, base, "en/packs/demo-pack/01-start.html", viewport=DESKTOP, color_scheme="dark"
    )
    widget = page.locator(".lp").first
    widget.wait_for()
    colours = widget.evaluate(
        "w => [getComputedStyle(w).backgroundColor, getComputedStyle(w).color,"
        " getComputedStyle(document.body).backgroundColor]"
    )
    assert colours[0] == colours[2], colours  # the page's background, not white

    def luminance(css: str) -> float:
        r, g, b = (int(v) for v in re.findall(r"\d+", css)[:3])
        return (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255

    assert luminance(colours[1]) > 0.7 > 0.2 > luminance(colours[0]), colours
    logo = page.locator(".navbar-brand img.only-dark").first
    assert logo.is_visible()
    assert logo.get_attribute("src").endswith("logo-dark.svg")
    page.context.close()


#: sphinx-copybutton's words in each language: its own table's (French, Spanish), or ours
#: (theme.po): the tooltip, the button's name, and what it says when pressed (copied, or not).
COPY_BUTTON = {
    "fr": ("Copier", "Copier dans le presse-papier", {"Copié !", "Échec de la copie"}),
    "es": ("Copiar", "Copiar al portapapeles", {"¡Copiado!", "Error al copiar"}),
    "ar": ("نسخ", "نسخ إلى الحافظة", {"تم النسخ!", "تعذّر النسخ"}),
    "he": ("העתקה", "העתקה ללוח", {"הועתק!", "ההעתקה נכשלה"}),
}


@pytest.mark.parametrize("lang", sorted(COPY_BUTTON))
def test_copy_button_speaks_the_language(chromium, base, lang):
    """Is the copy button of a code block named in the page's language, and does it answer in
    it when pressed?"""
    tooltip, name, pressed = COPY_BUTTON[lang]
    page = _open(chromium, base, f"{lang}/packs/demo-pack/01-start.html", viewport=DESKTOP)
    button = page.locator("button.copybtn").first
    button.wait_for(state="attached")
    assert button.get_attribute("data-tooltip") == tooltip
    assert button.locator("svg title").text_content() == name
    button.hover()
    button.click()
    page.wait_for_function(
        "([b, t]) => b.dataset.tooltip !== t", arg=[button.element_handle(), tooltip]
    )
    assert button.get_attribute("data-tooltip") in pressed
    page.context.close()


def test_search_box_speaks_the_sites_catalog(chromium, base, multilingual_site):
    """Does the search box take its words from the site's catalog (site.po, context
    search-pagefind) where the page's language translates them, placeholders filled in?"""
    page_file = multilingual_site.site / "he" / "search.html"
    attribute = re.search(r'data-translations="([^"]*)"', page_file.read_text("utf-8"))
    assert attribute is not None
    words = json.loads(html.unescape(attribute.group(1)))
    assert words["zero_results"] == "אין תוצאות עבור [SEARCH_TERM]"
    page = _open(chromium, base, "he/search.html?q=zzqxv", viewport=DESKTOP)
    message = page.locator(".pagefind-ui__message")
    message.wait_for()
    page.wait_for_function(
        "() => document.querySelector('.pagefind-ui__message').textContent.includes('zzqxv')"
    )
    assert message.inner_text().strip() == "אין תוצאות עבור zzqxv"
    assert page.errors == [] and page.blocked == []
    page.context.close()

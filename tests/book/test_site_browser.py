"""The multilingual site as readers meet it, in Debian's Chromium, served on localhost."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from support import axe_violations, block_non_local, local_page

from learnpacks.book.build import SiteBuild

pytestmark = [pytest.mark.slow, pytest.mark.browser]


@pytest.fixture(scope="module")
def site(multilingual_site: SiteBuild) -> SiteBuild:
    return multilingual_site


@pytest.fixture(scope="module")
def base(site: SiteBuild, serve_static) -> str:
    return serve_static(site.site)


@pytest.fixture
def page(chromium):
    context = chromium.new_context()
    page = local_page(context)
    yield page
    context.close()


def test_publishing_follows_translation_coverage(site):
    """Is a pack published in a language only when its catalog is translated enough?"""
    assert site.published == {
        "en": ["advanced-pack", "demo-pack"],
        "fr": ["advanced-pack", "demo-pack"],
        "es": ["demo-pack"],
        "ar": ["demo-pack"],
        "he": ["demo-pack"],
    }


@pytest.mark.parametrize(("locale", "expected"), [("fr-FR", "fr"), ("ar", "ar"), ("de-DE", "en")])
def test_root_picks_the_browser_language(chromium, base, locale, expected):
    """Does the root page send a French browser to /fr/, and an unpublished language to the source?"""
    context = chromium.new_context(locale=locale)
    page = context.new_page()
    page.goto(base)
    page.wait_for_url(re.compile(rf"/{expected}/index\.html$"))
    assert page.evaluate("document.documentElement.lang") == expected
    context.close()


def test_search_in_french_finds_and_filters(page, base):
    """Does searching the French site for a French word find the pack, and a filter narrow it?"""
    page.goto(base + "fr/index.html")
    box = page.locator("#lp-search input")
    box.fill("bibliothécaires")
    results = page.locator(".pagefind-ui__result-link")
    results.first.wait_for()
    titles = results.all_inner_texts()
    assert any("Parcours avancé pour bibliothécaires" in t for t in titles), titles
    # Narrow by the level filter: "débutant" removes the advanced pack.
    page.locator(".pagefind-ui__filter-panel summary, .pagefind-ui__filter-name").filter(
        has_text="Niveau"  # the filters are named in the page's language
    ).first.click()
    page.get_by_label(re.compile("^débutant")).check()
    page.wait_for_function(
        "() => !Array.from(document.querySelectorAll('.pagefind-ui__result-link')).some(a => a.textContent.includes('bibliothécaires'))"
    )
    assert page.blocked == []


def test_search_finds_a_word_in_every_pack_that_has_it(page, base):
    """Does one search on the landing page find a word in each pack whose pages hold it (one index
    across the packs, not one per pack)?"""
    page.goto(base + "en/index.html")
    page.locator("#lp-search input").fill("Meta-Wiki")  # in both packs' first notebook
    page.wait_for_function(
        "() => document.querySelectorAll('.pagefind-ui__result-link').length >= 2"
    )
    links = page.locator(".pagefind-ui__result-link").evaluate_all("els => els.map(a => a.href)")
    assert any("/packs/demo-pack/" in href for href in links), links
    assert any("/packs/advanced-pack/" in href for href in links), links
    assert page.blocked == []


def test_catalog_filters_narrow_the_cards(page, base):
    """Do the catalog's level filter and its live count work without search?"""
    page.goto(base + "en/index.html")
    assert page.locator(".lp-card:visible").count() == 2
    page.select_option("#lp-filter-level", "advanced")
    assert page.locator(".lp-card:visible").count() == 1
    assert "1 of 2" in page.locator("#lp-count").inner_text()


def test_landing_title_is_in_the_page_language(page, base):
    """Does the French landing page carry the French site title from translations/fr/_site.po,
    and the Hebrew one, whose _site.po is not translated yet, the English title marked English?"""
    page.goto(base + "fr/index.html")
    assert page.locator("h1").first.inner_text().strip() == "Parcours d’apprentissage Wikimedia"
    assert "Parcours d’apprentissage Wikimedia" in page.title()
    page.goto(base + "en/index.html")
    assert page.locator("h1").first.inner_text().strip() == "Wikimedia learning packs"
    page.goto(base + "he/index.html")
    # the page's heading, and the theme's copy of it for printing
    for heading in (page.locator("main h1").first, page.locator("#jb-print-docs-body h1")):
        assert heading.text_content().strip().startswith("Wikimedia learning packs")
        assert (heading.get_attribute("lang"), heading.get_attribute("dir")) == ("en", "ltr")


def test_switcher_goes_to_the_same_page_in_arabic(page, base):
    """Does the language switcher lead from a notebook page to the same page in Arabic, right to left?"""
    page.goto(base + "en/packs/demo-pack/01-start.html")
    page.locator(".lp-languages").get_by_role("link", name="العربية").click()
    page.wait_for_url(re.compile(r"/ar/packs/demo-pack/01-start\.html$"))
    assert page.evaluate("document.documentElement.dir") == "rtl"
    assert page.evaluate("document.documentElement.lang") == "ar"
    assert "حزمة تجريبية" in page.locator("h1").first.inner_text()


def test_navigation_holds_its_pack_and_the_way_back(page, base):
    """Does a notebook page's menu lead to its own pack's pages and back to the catalog, and to no
    other pack's notebooks (so a page does not grow with the site)?"""
    page.goto(base + "en/packs/demo-pack/01-start.html")
    nav = page.locator("nav.bd-docs-nav")
    hrefs = nav.locator("a").evaluate_all("links => links.map(a => a.getAttribute('href'))")
    assert "../../index.html" in hrefs
    assert "index.html" in hrefs  # the pack's overview
    assert not any("advanced-pack" in h for h in hrefs), hrefs
    current = nav.locator("a[aria-current=page]")
    assert current.count() == 1
    assert current.inner_text() == page.locator("h1").first.inner_text().rstrip("#").strip()
    nav.locator("a", has_text="Demo pack").first.click()
    page.wait_for_url(re.compile(r"/en/packs/demo-pack/index\.html$"))
    page.locator("nav.bd-docs-nav a").first.click()
    page.wait_for_url(re.compile(r"/en/index\.html$"))
    # the catalog's menu lists the packs
    catalog_links = page.locator("nav.bd-docs-nav a").all_inner_texts()
    assert any("Advanced pack" in t for t in catalog_links), catalog_links


def test_partial_translation_shows_banner(page, base, axe_js):
    """Does a partly translated page say so, link to the original, and pass axe-core?"""
    page.goto(base + "es/packs/demo-pack/01-start.html")
    page.wait_for_load_state("networkidle")
    violations = axe_violations(page, axe_js)
    assert violations == [], [(v["id"], [n["target"] for n in v["nodes"]][:3]) for v in violations]
    banner = page.locator(".lp-banner")
    assert "parcialmente" in banner.inner_text() or "en parte" in banner.inner_text()
    original = banner.get_by_role("link")
    assert original.get_attribute("href").endswith("../../../en/packs/demo-pack/01-start.html")
    page.goto(base + "fr/packs/demo-pack/01-start.html")
    assert page.locator(".lp-banner").count() == 0


def test_launch_links_open_the_notebook_in_the_page_language(page, base):
    """Do Binder and PAWS links point at the French notebook from a French page?"""
    page.goto(base + "fr/packs/demo-pack/01-start.html")
    binder = page.get_by_role("link", name="Ouvrir sur Binder").get_attribute("href")
    query = parse_qs(urlsplit(binder).query)
    assert query["urlpath"] == ["lab/tree/build/notebooks/fr/demo-pack/01-start.ipynb"]
    paws = page.get_by_role("link", name="Ouvrir sur PAWS").get_attribute("href")
    paws_query = parse_qs(urlsplit(paws).query)
    assert paws_query["branch"] == ["notebooks"]
    assert paws_query["urlpath"] == ["lab/tree/learnpacks-notebooks/fr/demo-pack/01-start.ipynb"]
    download = page.get_by_role("link", name="Télécharger ce notebook")
    with page.expect_download() as info:
        download.click()
    saved = Path(info.value.path()).read_text(encoding="utf-8")
    assert "Parcours de démonstration" in saved


@pytest.mark.parametrize("lang", ["en", "ar"])
@pytest.mark.parametrize(
    "path", ["index.html", "packs/demo-pack/index.html", "packs/demo-pack/01-start.html"]
)
def test_pages_fit_a_phone_screen(chromium, base, lang, path):
    """On a 360 px wide phone, does every page fit the width (no sideways scrolling), with readable
    text and the menu reachable?"""
    context = chromium.new_context(
        viewport={"width": 360, "height": 740},
        device_scale_factor=2,
        is_mobile=True,
        has_touch=True,
    )
    try:
        page = context.new_page()
        block_non_local(page, [])
        page.goto(base + f"{lang}/{path}")
        page.wait_for_load_state("networkidle")
        width = page.evaluate("document.documentElement.scrollWidth")
        assert width <= 360, f"{lang}/{path} is {width} px wide on a 360 px screen"
        size = page.evaluate(
            "parseFloat(getComputedStyle(document.querySelector('.bd-article p')).fontSize)"
        )
        assert size >= 14, f"body text is {size} px"
        toggle = page.locator(".primary-toggle:visible").first
        assert toggle.is_visible(), "the menu button is not shown on a phone"
        toggle.click()  # did nothing before learnpacks.js passed it on (pydata-sphinx-theme #2451)
        menu = page.locator("dialog#pst-primary-sidebar-modal")
        menu.locator("a").first.wait_for(state="visible")
        assert menu.get_attribute("open") is not None
        page.keyboard.press("Escape")
        assert menu.get_attribute("open") is None
    finally:
        context.close()


@pytest.mark.parametrize(
    ("lang", "titles", "second_href"),
    [
        ("en", ["Demo pack", "Advanced pack"], "packs/advanced-pack/index.html"),
        # not yet in Arabic: the step names the pack in English and leads to the English pages
        ("ar", ["حزمة تجريبية", "Advanced pack"], "../en/packs/advanced-pack/index.html"),
    ],
)
def test_landing_page_draws_the_path_and_orders_cards_along_it(
    page, base, lang, titles, second_href
):
    """Does the landing page list the packs as an ordered path of links (the pack a pack builds on
    first) and order its cards the same way rather than by title, in English and in Arabic, and
    does a step's link lead to its pack?"""
    page.goto(base + f"{lang}/index.html")
    path = page.locator("nav.lp-path")
    assert path.get_attribute("aria-labelledby") == "lp-path-title"
    steps = path.locator("ol.lp-path-steps > li")
    assert steps.count() == 2
    links = [steps.nth(i).get_by_role("link").first for i in range(2)]
    assert [link.inner_text().strip() for link in links] == titles
    assert links[1].get_attribute("href") == second_href
    cards = page.locator(".lp-card h3").all_inner_texts()
    assert [c.strip() for c in cards] == titles  # alphabetically "Advanced pack" would come first
    second = page.locator(".lp-card").nth(1)
    if lang == "ar":
        assert links[1].get_attribute("lang") == "en"
        note = second.locator(".lp-elsewhere").inner_text().strip()
        assert note.endswith(("English", "français")) and not note.endswith("—"), note
    links[1].click()
    page.wait_for_url(re.compile(r"/en/packs/advanced-pack/index\.html$"))
    assert "Advanced pack" in page.locator("h1").first.inner_text()
    assert page.blocked == []

"""The offline build: with every request to another host blocked, exercises, math and search work."""

from __future__ import annotations

import re

import pytest
from scaffold_sites import SEARCH_WORD
from support import answer_starter_choice, local_page

pytestmark = [pytest.mark.slow, pytest.mark.browser]


@pytest.fixture(scope="module")
def site(offline_site):
    return offline_site


@pytest.fixture
def page(chromium, site, serve_static):
    base = serve_static(site.site)
    context = chromium.new_context()
    page = local_page(context)
    missing: list[str] = []
    page.on("response", lambda r: missing.append(r.url) if r.status >= 400 else None)
    page.missing = missing
    page.base = base
    yield page
    context.close()


def test_exercise_and_math_work_offline(page):
    """Does the practice exercise check answers and the math render, with no other host reachable?"""
    page.goto(page.base + "en/packs/offline-pack/01-start.html")
    answer_starter_choice(page)
    page.locator("mjx-container").first.wait_for(timeout=30_000)
    assert page.blocked == []
    assert page.missing == []


def test_search_works_offline(page):
    """Does search find a page by a word in it, with no other host reachable?"""
    page.goto(page.base + "en/index.html")
    page.locator("#lp-search input").fill(SEARCH_WORD)
    result = page.locator(".pagefind-ui__result-link").first
    result.wait_for(timeout=30_000)
    assert "Offline pack" in page.locator(".pagefind-ui__results").inner_text()
    assert page.blocked == []


def test_offline_pages_reference_no_other_host(site):
    """Does no built page load a script, style or image from another host?"""
    for html in (site.site / "en").rglob("*.html"):
        text = html.read_text(encoding="utf-8")
        assert not re.search(r'<(?:script|img|link)\b[^>]*(?:src|href)="(?:https?:)?//', text), html

"""An axe-core scan of a page with every exercise type, in English and in Arabic."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from widget_support import block_non_local

pytestmark = [pytest.mark.browser, pytest.mark.slow]


def scan(page: Any, axe_js: Path) -> list[dict[str, Any]]:
    page.add_script_tag(path=str(axe_js))
    return page.evaluate(
        """async () => {
            const r = await axe.run(document, {resultTypes: ["violations"]});
            return r.violations.map(v => ({id: v.id, impact: v.impact, help: v.help,
                nodes: v.nodes.map(n => n.html.slice(0, 160))}));
        }"""
    )


@pytest.mark.parametrize("lang", ["en", "ar"])
def test_no_serious_or_critical_violations(
    lang: str, chromium: Any, static_site: Any, serve_static: Any, axe_js: Path
) -> None:
    """Does axe-core find no serious or critical violation, before and after answering?"""
    base = serve_static(static_site(lang))
    context = chromium.new_context()
    page = context.new_page()
    blocked: list[str] = []
    block_non_local(page, blocked)
    page.goto(base + "index.html")
    page.locator(".lp-progress").wait_for(timeout=30_000)
    page.locator(".lp-notice:not([hidden])").first.wait_for(state="visible", timeout=5_000)
    root = page.locator(".lp").first
    assert root.get_attribute("lang") == lang
    assert root.get_attribute("dir") == ("rtl" if lang == "ar" else "ltr")
    before = scan(page, axe_js)
    # Answer a few exercises wrongly so feedback, marks and invalid states are scanned too.
    for button in page.locator("button.lp-check:not([disabled])").all()[:6]:
        button.click()
    page.locator(".lp-short-answer input").fill("1999")
    page.locator(".lp-short-answer button.lp-check").click()
    after = scan(page, axe_js)
    # The scan can fail: an unlabelled text box, as a careless widget would render, is caught.
    page.evaluate("document.querySelector('main').append(document.createElement('input'))")
    assert "label" in {v["id"] for v in scan(page, axe_js) if v["impact"] == "critical"}
    context.close()
    print({v["id"]: v["impact"] for v in before + after})
    bad = [v for v in before + after if v["impact"] in ("serious", "critical")]
    assert bad == [], bad
    assert blocked == []

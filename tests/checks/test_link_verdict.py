"""One verdict on a link: `learnpacks check`, `i18n check` and the site's page builder judge a URL
alike (all three go through `learnpacks.safety`), whatever encoding hides its scheme."""

from __future__ import annotations

import html
from pathlib import Path

import polib
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from learnpacks.book.html import el
from learnpacks.checks.markdown import check_markdown_cells
from learnpacks.i18n.validate import entry_problems

SCHEMES = [
    "javascript:",
    "JaVaScRiPt:",
    "vbscript:",
    "data:text/html,",
    "data:image/png;base64,",
    "file:///",
    "http://",
    "https://",
    "mailto:",
    "attachment:",
    "ftp://",
    "//",
    "#",
    "",
]
#: what may stand in a scheme without changing it for a browser, or hide it from a naive reader
NOISE = ["\t", "\n", "\x01", " ", "\u200b", "\u00ad", "&#x09;", "&Tab;", "%09"]


def _entity(ch: str, style: int) -> str:
    return [ch, f"&#{ord(ch)};", f"&#x{ord(ch):x};", f"%{ord(ch):02X}"][style]


@st.composite
def urls(draw: st.DrawFn) -> str:
    """A URL whose scheme may be disguised with entities, percent-escapes, controls and case."""
    scheme = draw(st.sampled_from(SCHEMES))
    disguised = ""
    for ch in scheme:
        disguised += _entity(ch, draw(st.integers(0, 3))) if ch.isalpha() else ch
        if draw(st.integers(0, 9)) == 0:
            disguised += draw(st.sampled_from(NOISE))
    if draw(st.booleans()):
        disguised = draw(st.sampled_from(NOISE)) + disguised
    tail = draw(st.text(alphabet="abcxyz/.:-_?=%()0123456789", max_size=12))
    return disguised + tail


def check_refuses(markdown: str, tmp: Path) -> bool:
    problems = check_markdown_cells(
        [{"cell_type": "markdown", "source": markdown, "id": "c"}],
        notebook=tmp / "packs" / "p" / "01.ipynb",
        repo_root=tmp,
        display="packs/p/01.ipynb",
    )
    return any(p.code == "nb.link-unsafe" for p in problems)


def i18n_refuses(markdown: str) -> bool:
    source = "Read [the guide](https://meta.wikimedia.org/wiki/Help:Contents)."
    entry = polib.POEntry(
        msgctxt="01.ipynb#c#1", msgid=source, msgstr=f"{source} {markdown}", comment="paragraph"
    )
    problems = entry_problems(entry, None, display="fr.po")
    return any(p.code == "i18n.unsafe-link" for p in problems)


def site_refuses(url: str) -> bool:
    page = el("a", {"href": url}, "x")
    return f'href="{html.escape(url, quote=True)}"' not in page


@settings(max_examples=300, deadline=None)
@given(url=urls())
@example(url="&#106;avascript:alert(1)")
@example(url="&#106;ava&#115;cript:alert(1)")
@example(url="java\tscript:alert(1)")
@example(url="%6Aavascript:alert(1)")
@example(url="https://meta.wikimedia.org/")
def test_the_three_former_link_checks_give_one_verdict(url, tmp_path_factory):
    """Given the same URL in an HTML link, do `check`, `i18n check` and the page builder all
    refuse it, or all let it through?"""
    tmp = tmp_path_factory.getbasetemp()
    if '"' in url:
        return
    markup = f'<a href="{url}">x</a>'
    verdicts = {
        "check": check_refuses(markup, tmp),
        "i18n check": i18n_refuses(markup),
        "site": site_refuses(url),
    }
    assert len(set(verdicts.values())) == 1, (url, verdicts)


@settings(max_examples=200, deadline=None)
@given(url=urls().filter(lambda u: not any(c in u for c in "<>\n\\")))
def test_a_markdown_link_gets_one_verdict_from_check_and_i18n(url, tmp_path_factory):
    """Given the same URL as a markdown link target, do `check` and `i18n check` agree?"""
    tmp = tmp_path_factory.getbasetemp()
    markup = f"[x](<{url}>)"
    assert check_refuses(markup, tmp) == i18n_refuses(markup), url


@pytest.mark.parametrize(
    "url",
    ["&#106;avascript:alert(1)", "java\tscript:x", "%6Aavascript:x", "\x01javascript:x"],
)
def test_disguised_javascript_is_refused_everywhere(url, tmp_path):
    """Is a javascript: link hidden by an entity, a tab, a percent-escape or a control character
    refused by all three — not reported as a broken file by `check`?"""
    markup = f'<a href="{url}">x</a>'
    assert check_refuses(markup, tmp_path)
    assert i18n_refuses(markup)
    assert site_refuses(url)

"""Text shown in a fallback language carries its language (and direction) on the site's pages."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

import nbformat
import polib
import pytest
from docutils import nodes
from docutils.core import publish_doctree, publish_from_doctree
from myst_parser.parsers.docutils_ import Parser
from site_project import make_site_project
from support import axe_violations, block_non_local

from learnpacks.book.build import SiteBuild, build_site
from learnpacks.book.fallback import (
    MARK_CLASS,
    Shown,
    fallback_languages,
    mark,
    page_fallbacks,
    plain_text,
    set_directions,
)

NB = "01-start.ipynb"
# MyST as the site configures it (learnpacks.book.source.book_config and Jupyter Book's defaults)
MYST = {
    "myst_enable_extensions": ["dollarmath"],
    "myst_dmath_double_inline": True,
    "myst_disable_syntax": ["html_inline", "html_block"],
    "doctitle_xform": False,
    "report_level": 4,
}


def doctree(markdown: str) -> nodes.document:
    return publish_doctree(markdown, parser=Parser(), settings_overrides=MYST)


def notebook(cells: dict[str, str], translation: dict[str, Any] | None = None) -> Any:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_markdown_cell(src, id=cid) for cid, src in cells.items()]
    if translation is not None:
        nb.metadata["learnpacks"] = {"translation": translation}
    return nb


def translation(language: str = "ar", **lists: Any) -> dict[str, Any]:
    return {"language": language, "source_language": "en", "shown_in": {}, **lists}


# --- which unit is shown in which language ---------------------------------------------------


def test_fallback_languages_follow_the_metadata():
    """Is each unit not shown in the page's language given the language it is shown in?"""
    meta = translation(
        "pt-BR",
        untranslated=["a"],
        outdated=["b", "c"],
        rejected=["d"],
        shown_in={"c": "pt", "e": "pt"},
    )
    assert fallback_languages(meta) == {"a": "en", "b": "en", "c": "pt", "d": "en", "e": "pt"}
    assert fallback_languages(translation("en", untranslated=["a"])) == {}
    assert fallback_languages({"language": "ar"}) == {}


@pytest.mark.parametrize(
    "markdown",
    [
        "Hello **world**, see [the docs](https://example.org) and `code`.",
        "Math works too: $e^{i\\pi} + 1 = 0$, and $$x^2$$ inline.",
        "A <b>tag</b> shows as text &amp; entities decode.",
        "Two lines\nof one paragraph, with an ![image](x.png) inside.",
        "Escaped \\*stars\\* and an autolink <https://example.org>.",
    ],
)
def test_plain_text_reads_as_myst_renders(markdown):
    """Does a unit's plain text equal the text of the paragraph MyST makes of it?"""
    (paragraph,) = doctree(markdown).findall(nodes.paragraph)
    assert plain_text(markdown) == " ".join(paragraph.astext().split())


def test_untranslated_paragraph_is_listed_in_the_source_language():
    """Is an untranslated paragraph listed as English, and the translated heading beside it not?"""
    source = notebook({"intro": "# Welcome\n\nHello *world*."})
    page = notebook(
        {"intro": "# أهلا\n\nHello *world*."}, translation(untranslated=[f"{NB}#intro#2"])
    )
    assert page_fallbacks(source, page, name=NB) == [Shown("paragraph", "Hello world.", "en")]


def test_unit_from_a_broader_catalog_is_listed_in_its_language():
    """On a pt-BR page, is a unit taken from the pt catalog listed as pt, not as the source?"""
    source = notebook({"intro": "- Hello world.\n- Bye."})
    page = notebook(
        {"intro": "- Olá mundo.\n- Tchau."},
        translation("pt-BR", outdated=[f"{NB}#intro#1"], shown_in={f"{NB}#intro#1": "pt"}),
    )
    assert page_fallbacks(source, page, name=NB) == [Shown("list-item", "Olá mundo.", "pt")]


def test_forced_translation_is_not_listed():
    """Is a rejected unit that `i18n build --force` showed anyway (in the page's language) left unmarked?"""
    source = notebook({"intro": "Hello world."})
    page = notebook({"intro": "مرحبا بالعالم."}, translation(rejected=[f"{NB}#intro#1"]))
    assert page_fallbacks(source, page, name=NB) == []


def test_cell_whose_units_no_longer_line_up_is_not_listed():
    """When a cell's translation changed its unit kinds, is nothing of that cell listed?"""
    source = notebook({"intro": "Hello world.\n\n- Bye."})
    page = notebook(
        {"intro": "# Hello world.\n\nBye."}, translation(untranslated=[f"{NB}#intro#2"])
    )
    assert page_fallbacks(source, page, name=NB) == []


def test_text_a_translated_unit_also_shows_is_not_listed():
    """If a translator kept "Python" as the Arabic heading, is the untranslated "Python" heading left unmarked?"""
    source = notebook({"a": "## Python", "b": "## Python", "c": "## Python"})
    page = notebook(
        {"a": "## Python", "b": "## Python", "c": "## بايثون"},
        translation(untranslated=[f"{NB}#a#1"]),
    )
    assert page_fallbacks(source, page, name=NB) == []
    # the same text in a block of another kind does not count
    source = notebook({"a": "## Python", "b": "Python"})
    page = notebook({"a": "## Python", "b": "Python"}, translation(untranslated=[f"{NB}#a#1"]))
    assert page_fallbacks(source, page, name=NB) == [Shown("heading", "Python", "en")]


def test_source_language_page_lists_nothing():
    """Does a page in the source language (no fallback) list nothing?"""
    source = notebook({"intro": "Hello."})
    assert page_fallbacks(source, notebook({"intro": "Hello."}), name=NB) == []
    assert page_fallbacks(source, notebook({"intro": "Hello."}, translation("en")), name=NB) == []


# --- marking the doctree -------------------------------------------------------------------

PAGE = """\
# Hello.

Hello.

- Hello.
- Another item.

> Hello.

| Hello. | Cell |
|--------|------|
| Hello. | two  |

![Hello.](x.png)
"""


def marked(tree: nodes.Node) -> list[tuple[str, str, list[str]]]:
    return [
        (type(n).__name__, " ".join(n.astext().split()) or n.get("alt", ""), n["classes"])
        for n in tree.findall(nodes.Element)
        if MARK_CLASS in n.get("classes", [])
    ]


@pytest.mark.parametrize(
    ("kind", "expected"),
    [
        ("heading", ["title"]),
        ("paragraph", ["paragraph"]),
        ("list-item", ["paragraph"]),
        ("quote", ["paragraph"]),
        ("table-cell", ["entry", "entry"]),
        ("image", ["image"]),
    ],
)
def test_only_blocks_of_the_unit_kind_are_marked(kind, expected):
    """Is "Hello." marked only where a block of the unit's kind shows it, never in other kinds of block?"""
    tree = doctree(PAGE)
    assert mark(tree, [Shown(kind, "Hello.", "en")], language="ar") == len(expected)
    assert [m[0] for m in marked(tree)] == expected
    assert all(m[2] == [MARK_CLASS, "language-en", "lp-fallback-dir-ltr"] for m in marked(tree))


def test_list_item_is_marked_on_its_paragraph():
    """Does a list item carry its language on its paragraph, so its bullet stays on the page's side?"""
    tree = doctree(PAGE)
    mark(tree, [Shown("list-item", "Hello.", "en")], language="ar")
    (paragraph,) = [n for n in tree.findall(nodes.paragraph) if MARK_CLASS in n["classes"]]
    assert isinstance(paragraph.parent, nodes.list_item)
    assert paragraph.parent["classes"] == []


def test_heading_keeps_its_section_id():
    """Does marking a heading leave its section's ids untouched?"""
    tree = doctree("# Page\n\n## What you will learn\n\nText.\n")
    before = [s["ids"][:] for s in tree.findall(nodes.section)]
    mark(tree, [Shown("heading", "What you will learn", "en")], language="ar")
    assert [s["ids"] for s in tree.findall(nodes.section)] == before
    assert [m[0] for m in marked(tree)] == ["title"]


def test_code_cell_output_is_never_marked():
    """Is a paragraph inside a myst-nb code cell (its rendered output) left unmarked?"""
    tree = doctree("Hello.\n")
    cell = nodes.container(nb_element="cell_code")
    output = nodes.container(nb_element="cell_code_output")
    output += nodes.paragraph(text="Hello.")
    cell += output
    tree += cell
    assert mark(tree, [Shown("paragraph", "Hello.", "en")], language="ar") == 1


@pytest.mark.parametrize(
    ("page", "shown", "classes"),
    [
        ("ar", "en", ["language-en", "lp-fallback-dir-ltr"]),
        ("es", "en", ["language-en"]),
        ("fr", "ar", ["language-ar", "lp-fallback-dir-rtl"]),
        ("pt-BR", "pt", ["language-pt"]),
    ],
)
def test_direction_is_set_only_when_it_differs(page, shown, classes):
    """Does a block get a direction only when its language is written the other way from the page's?"""
    tree = doctree("Hello.\n")
    mark(tree, [Shown("paragraph", "Hello.", shown)], language=page)
    assert marked(tree)[0][2] == [MARK_CLASS, *classes]


def test_box_inside_a_list_reads_its_own_paragraphs():
    """Is a paragraph of a note inside a list item a paragraph (as mdunits reads it), not a list item?"""
    tree = doctree("- Item.\n\n  ```{note}\n  Hello.\n  ```\n")
    assert mark(tree, [Shown("list-item", "Hello.", "en")], language="ar") == 0
    assert mark(tree, [Shown("paragraph", "Hello.", "en")], language="ar") == 1


def test_author_language_is_kept():
    """Is a block that already names a language left as the author marked it?"""
    tree = doctree("Hello.\n")
    next(iter(tree.findall(nodes.paragraph)))["classes"].append("language-de")
    assert mark(tree, [Shown("paragraph", "Hello.", "en")], language="ar") == 0


# --- HTML -----------------------------------------------------------------------------------


@dataclass
class Element:
    tag: str
    attrs: dict[str, str]
    parents: list[Element]
    text: str = ""
    children: list[Element] = field(default_factory=list)

    def __repr__(self) -> str:  # not the whole tree in a failure report
        return f"<{self.tag} {self.attrs}>{' '.join(self.text.split())[:60]!r}"


class _Tree(HTMLParser):
    VOID = {"img", "br", "hr", "meta", "link", "input", "source", "wbr", "area", "col"}

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[Element] = []
        self.all: list[Element] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        el = Element(tag, {k: v or "" for k, v in attrs}, list(self.stack))
        if self.stack:
            self.stack[-1].children.append(el)
        self.all.append(el)
        if tag not in self.VOID:
            self.stack.append(el)

    def handle_endtag(self, tag: str) -> None:
        if any(el.tag == tag for el in self.stack):  # a stray end tag closes nothing
            while self.stack.pop().tag != tag:
                pass

    def handle_data(self, data: str) -> None:
        for el in self.stack:
            el.text += data


def elements(html: str) -> list[Element]:
    """Every element of *html* with its attributes, ancestors and text (html.parser)."""
    tree = _Tree()
    tree.feed(html)
    return tree.all


def find(els: list[Element], tag: str, text: str) -> Element:
    (el,) = [e for e in els if e.tag == tag and " ".join(e.text.split()).startswith(text)]
    return el


def test_html_has_lang_and_dir():
    """Does docutils' HTML show the marks as lang and dir attributes, the marker class gone?"""
    tree = doctree("## Intro\n\nHello. Hello world.\n\n- One.\n\n![An image](x.png)\n")
    shown = [
        Shown("paragraph", "Hello. Hello world.", "en"),
        Shown("heading", "Intro", "en"),
        Shown("list-item", "One.", "en"),
        Shown("image", "An image", "en"),
    ]
    mark(tree, shown, language="ar")
    html = set_directions(publish_from_doctree(tree, writer_name="html5").decode())
    els = elements(html)
    for el in [find(els, "p", "Hello."), find(els, "h2", "Intro"), find(els, "p", "One.")]:
        assert (el.attrs["lang"], el.attrs["dir"], el.attrs["class"]) == ("en", "ltr", MARK_CLASS)
    (img,) = [e for e in els if e.tag == "img"]
    assert (img.attrs["lang"], img.attrs["dir"]) == ("en", "ltr")
    assert "lp-fallback-dir" not in html


def test_set_directions_touches_only_marked_start_tags():
    """Is the marker turned into dir only inside a start tag, never in text or other tags?"""
    html = (
        '<p class="lp-fallback lp-fallback-dir-ltr" lang="en">class="lp-fallback-dir-rtl"</p>'
        '<p class="x">&lt;p class="lp-fallback-dir-rtl"&gt;</p>'
    )
    assert set_directions(html) == (
        '<p dir="ltr" class="lp-fallback" lang="en">class="lp-fallback-dir-rtl"</p>'
        '<p class="x">&lt;p class="lp-fallback-dir-rtl"&gt;</p>'
    )


# --- a built site ---------------------------------------------------------------------------

#: Arabic units left untranslated (shown in English) and one given a real Arabic translation.
UNTRANSLATED = {
    "01-start.ipynb#title#2": "One sentence that tells the learner what this notebook is about.",
    "01-start.ipynb#objectives#1": "What you will learn",
    "01-start.ipynb#objectives#3": "The second thing.",
}
ARABIC_PARAGRAPH = "أخبر المتعلم إلى أين يذهب بعد ذلك."


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> SiteBuild:
    """The site project in English and Arabic, with a few Arabic units left untranslated."""
    project = make_site_project(tmp_path_factory.mktemp("fallback") / "project")
    po = polib.pofile(str(project / "translations" / "ar" / "demo-pack.po"))
    for entry in po:
        if entry.msgctxt in UNTRANSLATED:
            entry.msgstr = ""
        elif entry.msgctxt == "01-start.ipynb#next#2":
            entry.msgstr = ARABIC_PARAGRAPH
    po.save()
    return build_site(root=project, pack_ids=["demo-pack"], languages=["en", "ar"])


def _page(site: SiteBuild, lang: str, *, article: bool = True) -> list[Element]:
    """The elements of the notebook page in *lang*: by default only those of its article."""
    html = (site.site / lang / "packs" / "demo-pack" / "01-start.html").read_text("utf-8")
    els = elements(html)
    return [e for e in els if any(p.tag == "article" for p in e.parents)] if article else els


@pytest.mark.slow
def test_arabic_page_marks_english_fallbacks(site):
    """On the Arabic page, do English fallback blocks say lang="en" dir="ltr", and Arabic ones neither?"""
    assert site.published == {"en": ["demo-pack"], "ar": ["demo-pack"]}
    els = _page(site, "ar")
    for tag, text in [
        ("p", UNTRANSLATED["01-start.ipynb#title#2"]),
        ("h2", UNTRANSLATED["01-start.ipynb#objectives#1"]),
        ("p", UNTRANSLATED["01-start.ipynb#objectives#3"]),
    ]:
        el = find(els, tag, text)
        assert (el.attrs.get("lang"), el.attrs.get("dir")) == ("en", "ltr"), (tag, text)
    for tag, text in [("p", ARABIC_PARAGRAPH), ("h2", "اقرأ"), ("h1", "حزمة تجريبية")]:
        el = find(els, tag, text)
        assert "lang" not in el.attrs and "dir" not in el.attrs, (tag, text)
    # the fallback heading keeps its section id, anchor and table-of-contents entry
    heading = find(els, "h2", "What you will learn")
    assert heading.parents[-1].tag == "section"
    assert heading.parents[-1].attrs["id"] == "what-you-will-learn"
    assert [c.attrs["href"] for c in heading.children] == ["#what-you-will-learn"]
    toc = [
        e
        for e in _page(site, "ar", article=False)
        if e.tag == "a" and e.attrs.get("href") == "#what-you-will-learn"
    ]
    assert any("nav-link" in a.attrs.get("class", "") for a in toc)


@pytest.mark.slow
def test_english_page_and_learner_notebook_are_unchanged(site):
    """Does the English page gain no lang attributes, and the learner's Arabic notebook no marks?"""
    marked = [
        (e.tag, e.text[:40])
        for e in _page(site, "en")
        if "lang" in e.attrs
        and not any("lp-languages" in p.attrs.get("class", "") for p in e.parents)
    ]
    assert marked == []
    download = site.site / "ar" / "downloads" / "demo-pack" / NB
    saved = json.loads(download.read_text("utf-8"))
    built = site.site.parents[2] / "build" / "notebooks" / "ar" / "demo-pack" / NB
    assert download.read_bytes() == built.read_bytes()
    assert "lp-fallback" not in download.read_text("utf-8")
    assert set(saved["metadata"]["learnpacks"]["translation"]["untranslated"]) == set(UNTRANSLATED)


@pytest.mark.slow
@pytest.mark.browser
def test_browser_lays_out_fallback_left_to_right(site, serve_static, chromium, axe_js):
    """In Chromium, does the English paragraph run left to right on the Arabic page, and axe stay clean?"""
    page = chromium.new_page()
    blocked: list[str] = []
    block_non_local(page, blocked)
    page.goto(serve_static(site.site) + "ar/packs/demo-pack/01-start.html")
    style = "e => [getComputedStyle(e).direction, getComputedStyle(e).textAlign]"
    english = page.locator("p[lang=en]", has_text="One sentence")
    assert english.evaluate(style) == ["ltr", "left"]
    assert page.locator("p", has_text=ARABIC_PARAGRAPH).evaluate(style) == ["rtl", "right"]
    page.wait_for_load_state("networkidle")
    violations = axe_violations(page, axe_js)
    assert violations == [], [(v["id"], [n["target"] for n in v["nodes"]][:3]) for v in violations]
    assert blocked == []
    page.close()

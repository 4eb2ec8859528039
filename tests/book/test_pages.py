"""The HTML the site generates from pack metadata: escaped, localized, and linking the right pages."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from learnpacks.book.catalog_page import catalog_page, duration_bucket
from learnpacks.book.html import el, safe_url
from learnpacks.book.pages import page_url
from learnpacks.book.plan import Edition, NotebookState, SitePlan
from learnpacks.book.strings import Strings, join, language_name
from learnpacks.packs.catalog import Pack
from learnpacks.packs.model import PackMeta

REPO = Path(__file__).resolve().parents[2]


def pack(pid: str, **kw: object) -> Pack:
    meta = {
        "id": pid,
        "title": f"Title {pid}",
        "summary": "Summary.",
        "language": "en",
        "level": "beginner",
        "duration": 45,
        "topics": ["wikidata"],
        "audience": ["newcomers"],
        "formats": ["text"],
        "objectives": ["o"],
        "authors": [{"name": "A"}],
        "notebooks": ["01.ipynb"],
    }
    meta.update(kw)
    return Pack(Path("/nonexistent") / pid, PackMeta.model_validate(meta))


def test_el_escapes_text_and_attributes():
    """Can metadata with markup ever become markup through the page builder?"""
    out = el("a", {"href": "x.html", "title": '"><script>'}, "<img src=x onerror=alert(1)>")
    assert "<script>" not in out and "<img" not in out
    assert "&lt;img" in out and "&quot;&gt;&lt;script&gt;" in out


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        " JAVASCRIPT:alert(1)",
        "data:text/html,x",
        "vbscript:x",
        "file:///etc/passwd",
    ],
)
def test_unsafe_urls_are_not_linked(url):
    """Is a javascript:, data:, vbscript: or file: URL replaced, whatever its case or spacing?"""
    assert not safe_url(url)
    assert 'href="#"' in el("a", {"href": url}, "x")


def test_catalog_lists_untranslated_pack_with_its_languages():
    """Does the French catalog list a pack not yet in French, in its own language, with links to it?"""
    one, two = (
        pack("one-pack"),
        pack("two-pack", title="<b>Two</b>", level="advanced", duration=200),
    )
    editions = {
        "en": {
            "one-pack": Edition(one, "en", one.folder),
            "two-pack": Edition(two, "en", two.folder),
        },
        "fr": {
            "one-pack": Edition(
                one,
                "fr",
                Path("/x"),
                {"01.ipynb": NotebookState(units=10, translated=9)},
                one.meta.model_copy(update={"title": "Titre un"}),
            )
        },
    }
    plan = SitePlan("en", ["en", "fr"], [one, two], editions)
    html = catalog_page(plan, "fr", Strings("fr"))
    assert "Titre un" in html
    assert "&lt;b&gt;Two&lt;/b&gt;" in html and "<b>Two" not in html
    assert (
        'Pas encore traduit dans cette langue. À lire en : <a href="../en/packs/two-pack/index.html"'
        in html
    )
    assert " —" not in html and "— <" not in html  # no dash left hanging before the links
    assert 'lang="en"' in html  # the untranslated title is marked as English
    assert "traduit à 90" in html
    assert 'data-level="advanced"' in html


def test_cards_and_path_follow_the_prerequisites():
    """Are the cards ordered along the prerequisites (not by title), and is the path an ordered
    list of links, with a branch under the step it leaves from, in Arabic too?"""
    start = pack("zebra-start", title="Zebra start")
    middle = pack("middle", title="Middle", prerequisites=["zebra-start"])
    end = pack("a-end", title="An end", prerequisites=["middle"])
    side = pack("b-side", title="Branch", prerequisites=["zebra-start"])
    packs = [end, side, middle, start]  # by title, as the build sorts them
    editions = {
        lang: {p.id: Edition(p, lang, p.folder) for p in packs if lang == "en" or p is start}
        for lang in ("en", "ar")
    }
    plan = SitePlan("en", ["en", "ar"], packs, editions)
    for lang in ("en", "ar"):
        html = catalog_page(plan, lang, Strings(lang))
        cards = re.findall(r'<li class="lp-card".*?<h3[^>]*><a href="[^"]*">([^<]*)</a>', html)
        assert cards == ["Zebra start", "Middle", "An end", "Branch"], lang
        path = html[html.index('<ol class="lp-path-steps">') :]
        path = path[: path.index("</ol>")]
        steps = re.findall(r'<li class="lp-step"><a href="([^"]*)"[^>]*>([^<]*)</a>', path)
        assert [title for _, title in steps] == ["Zebra start", "Middle", "An end"], lang
        assert steps[0][0] == "packs/zebra-start/index.html"
        # a pack not yet in Arabic is linked in English and its title marked as English
        expected = "packs/middle/index.html" if lang == "en" else "../en/packs/middle/index.html"
        assert steps[1][0] == expected
        first, second = [m.start() for m in re.finditer('<li class="lp-step"', path)][:2]
        assert "Branch</a>" in path[first:second]  # the first step holds the branch
    assert "الخطوة 2 في المسار" in html and 'lang="en" dir="ltr">Middle</a>' in html


def test_overview_reads_in_the_page_language(tmp_path: Path):
    """Does a French pack overview show the French summary and objectives, the pack to take first
    by its French title, its notebooks by their French titles, and mark the still-English topics
    as English?"""
    from learnpacks.book.pages import overview

    first = pack("first", title="First steps")
    second = pack("second", title="Second steps", prerequisites=["first"])
    folder = tmp_path / "fr" / "second"
    folder.mkdir(parents=True)
    notebook = {
        "cells": [
            {"cell_type": "markdown", "metadata": {}, "source": ["# Deuxièmes pas\n", "Texte"]}
        ],
        "metadata": {},
        "nbformat": 4,
        "nbformat_minor": 5,
    }
    (folder / "01.ipynb").write_text(json.dumps(notebook), encoding="utf-8")
    french = {"summary": "Résumé en français.", "objectives": ["Objectif un"]}
    editions = {
        "en": {p.id: Edition(p, "en", p.folder) for p in (first, second)},
        "fr": {
            "first": Edition(
                first,
                "fr",
                Path("/x"),
                meta=first.meta.model_copy(update={"title": "Premiers pas"}),
            ),
            "second": Edition(second, "fr", folder, meta=second.meta.model_copy(update=french)),
        },
    }
    plan = SitePlan("en", ["en", "fr"], [first, second], editions)
    from learnpacks.packs.catalog import load_catalog

    page = overview(
        load_catalog(REPO), plan, editions["fr"]["second"], "packs/second/index", Strings("fr")
    )
    html = str(page)
    assert "Résumé en français." in html and "Objectif un" in html and "Summary." not in html
    assert '<a href="../../packs/first/index.html">Premiers pas</a>' in html
    assert '<a href="01.html">Deuxièmes pas</a>' in html
    assert '<dd><span lang="en" dir="ltr">wikidata</span></dd>' in html


def test_translated_topics_and_audience_read_in_the_page_language():
    """Do an Arabic card, overview and Topic filter show the translated topics and audience,
    joined the Arabic way, with a still-English topic marked as English on its own (never
    "وwikimedia projects"), while the filter values stay the source's topics?"""
    from learnpacks.book.pages import overview, topic_names

    source = pack(
        "welcome",
        topics=["wikimedia movement", "wikimedia projects"],
        audience=["newcomers", "educators"],
    )
    arabic = source.meta.model_copy(
        update={
            "topics": ["حركة ويكيميديا", "wikimedia projects"],
            "audience": ["القادمون الجدد", "المعلّمون"],
        }
    )
    editions = {
        "en": {"welcome": Edition(source, "en", source.folder)},
        "ar": {"welcome": Edition(source, "ar", Path("/x"), meta=arabic)},
    }
    plan = SitePlan("en", ["en", "ar"], [source], editions)
    assert topic_names(plan, "ar") == {"wikimedia movement": "حركة ويكيميديا"}
    html = str(catalog_page(plan, "ar", Strings("ar")))
    assert 'حركة ويكيميديا و<span lang="en" dir="ltr">wikimedia projects</span>' in html
    assert "وwikimedia" not in html
    assert '<option value="wikimedia movement">حركة ويكيميديا</option>' in html
    assert (
        '<option value="wikimedia projects" lang="en" dir="ltr">wikimedia projects</option>' in html
    )
    assert 'data-topics="wikimedia movement|wikimedia projects"' in html
    from learnpacks.packs.catalog import load_catalog

    page = str(
        overview(
            load_catalog(REPO),
            plan,
            editions["ar"]["welcome"],
            "packs/welcome/index",
            Strings("ar"),
        )
    )
    assert "القادمون الجدد والمعلّمون" in page and "newcomers" not in page


def test_page_urls_between_languages():
    """Does a page link to the same page of another language, from any depth?"""
    assert (
        page_url("packs/a/01", from_doc="packs/a/01", language="ar")
        == "../../../ar/packs/a/01.html"
    )
    assert page_url("index", from_doc="index", language="fr") == "../fr/index.html"
    assert page_url("packs/a/index", from_doc="index") == "packs/a/index.html"


def test_duration_buckets():
    """Are durations put in the buckets the duration filter offers?"""
    assert [duration_bucket(m) for m in (10, 30, 31, 120, 500)] == [
        "Up to 30 minutes",
        "Up to 30 minutes",
        "Up to 1 hour",
        "Up to 2 hours",
        "More than 2 hours",
    ]


def test_site_strings_are_localized():
    """Are the site's own strings and language names in the reader's language?"""
    assert Strings("fr")("Open on {target}", target="PAWS") == "Ouvrir sur PAWS"
    assert Strings("ar")("Search") == "بحث"
    assert Strings("xx")("Search") == "Search"
    assert language_name("fr") == "français" and language_name("ar") == "العربية"
    assert join(["a", "b", "c"], "fr") == "a, b et c"


def test_cli_vendors_by_default():
    """Does `learnpacks book build` without --offline leave the choice to build_site (vendor when npm is there)?"""
    from learnpacks.cli import build_parser

    assert build_parser().parse_args(["book", "build"]).offline is None
    assert build_parser().parse_args(["book", "build", "--offline"]).offline is True


def test_banner_names_every_language_the_page_falls_back_to(tmp_path: Path) -> None:
    """A pt-BR page whose missing parts come from the pt catalog or the English source says so."""
    from learnpacks.book.pages import translation_banner

    path = tmp_path / "01.ipynb"
    translation = {
        "language": "pt-BR",
        "source_language": "en",
        "fallback": ["pt", "en"],
        "coverage": 0.5,
        "units": 4,
        "translated": 2,
        "untranslated": ["u3"],
        "outdated": ["u4"],
        "rejected": [],
        "shown_in": {"u2": "pt", "u4": "pt"},
    }

    def write() -> None:
        nb = {"cells": [], "metadata": {"learnpacks": {"translation": translation}}}
        path.write_text(json.dumps({**nb, "nbformat": 4, "nbformat_minor": 5}), encoding="utf-8")

    write()
    state = NotebookState.from_notebook(path)
    assert state.shown_in == ("pt", "en")
    edition = Edition(pack("p"), "pt-BR", tmp_path, {"01.ipynb": state})
    banner = str(translation_banner(edition, "01.ipynb", "packs/p/01", Strings("pt-BR")))
    names = join(
        [language_name("pt", in_lang="pt-BR"), language_name("en", in_lang="pt-BR")],
        "pt-BR",
        style="or",
    )
    assert names in banner and " ou " in names
    # only the source: "shown in English", as before
    translation.update({"shown_in": {}, "outdated": []})
    write()
    only_source = NotebookState.from_notebook(path)
    assert only_source.shown_in == ("en",)


def test_navigation_holds_one_pack_and_the_way_back():
    """Does a notebook page's navigation hold the catalog link and its own pack's notebooks, with
    the current page marked, and escape every title?"""
    from learnpacks.book.pages import navigation

    out = navigation(
        home=("../../index.html", "Learning <packs>", False),
        pack=("index.html", "Demo", False),
        links=[("01.html", "First", True), ("02.html", "Second", False)],
    )
    assert out.count("<a ") == 4
    assert 'href="../../index.html"' in out and "Learning &lt;packs&gt;" in out
    assert '<a class="reference internal" href="01.html" aria-current="page">First</a>' in out
    assert out.count('aria-current="page"') == 1
    # the pack's entry is open (an ancestor of the page), as the theme marks its table of contents
    assert (
        '<li class="toctree-l1 current active"><a class="reference internal" href="index.html">'
        in out
    )


def test_catalog_navigation_lists_the_packs():
    """On the catalog page, does the navigation list the packs under a caption?"""
    from learnpacks.book.pages import navigation

    out = navigation(
        home=("index.html", "Site", True),
        pack=None,
        links=[("packs/a/index.html", "A", False), ("packs/b/index.html", "B", False)],
        caption="Learning packs",
    )
    assert '<span class="caption-text">Learning packs</span>' in out
    assert 'href="packs/a/index.html"' in out and 'href="packs/b/index.html"' in out

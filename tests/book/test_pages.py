"""The HTML the site generates from pack metadata: escaped, localized, and linking the right pages."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from learnpacks.book.html import el, safe_url
from learnpacks.book.pages import catalog_page, duration_bucket, page_url
from learnpacks.book.plan import Edition, NotebookState, SitePlan
from learnpacks.book.strings import Strings, join, language_name
from learnpacks.packs.catalog import Pack
from learnpacks.packs.model import PackMeta


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
    assert "Pas encore dans cette langue" in html
    assert 'href="../en/packs/two-pack/index.html"' in html
    assert 'lang="en"' in html  # the untranslated title is marked as English
    assert "Traduction terminée à 90" in html
    assert 'data-level="advanced"' in html


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

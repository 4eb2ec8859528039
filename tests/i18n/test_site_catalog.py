"""The site's title and description as a catalog (``translations/<lang>/_site.po``), and the
theme's untranslated strings declared English on a page."""

from __future__ import annotations

import subprocess
from pathlib import Path

import polib

from learnpacks.book.theme_i18n import mark_untranslated
from learnpacks.cli import main
from learnpacks.i18n import check_catalogs, init, status, update
from learnpacks.i18n.site import site_text
from learnpacks.packs.catalog import load_catalog

TITLE = "Fixture learning packs"


def _site_po(project: Path, lang: str) -> Path:
    return project / "translations" / lang / "_site.po"


def _set(path: Path, msgstr: dict[str, str], *, fuzzy: bool = False) -> None:
    po = polib.pofile(str(path), wrapwidth=0)
    for entry in po:
        if entry.msgid in msgstr:
            entry.msgstr = msgstr[entry.msgid]
            if fuzzy:
                entry.flags.append("fuzzy")
    po.save()


def test_a_new_language_gets_the_site_title_to_translate_with_a_comment(i18n_project: Path) -> None:
    """Does `i18n init` start `_site.po` (title and description, each with a `#.` comment and a
    context) that `msgfmt --check` accepts, `status` counts and the build then reads?"""
    result = init("de", root=i18n_project)
    path = _site_po(i18n_project, "de")
    assert path in result.written
    assert (i18n_project / "translations" / "templates" / "_site.pot").is_file()
    po = polib.pofile(str(path))
    assert [(e.msgctxt, e.msgid, e.msgstr) for e in po] == [
        ("_config.yml#title", TITLE, ""),
        ("_config.yml#description", "Packs the i18n tests translate.", ""),
    ]
    assert all(e.comment and e.occurrences for e in po)
    subprocess.run(["msgfmt", "--check", "-o", "/dev/null", str(path)], check=True)
    catalog = load_catalog(i18n_project)
    assert site_text(catalog, "de") == ((TITLE, False), ("Packs the i18n tests translate.", False))

    _set(path, {TITLE: "Lernpakete zum Testen"})
    rows = {(r.pack, r.language): r for r in status(root=i18n_project).rows}
    site = rows[("_site", "de")]
    assert (site.translated, site.fuzzy, site.untranslated) == (1, 0, 1)
    assert site_text(catalog, "de")[0] == ("Lernpakete zum Testen", True)


def test_an_older_config_translation_seeds_the_catalog_and_a_fuzzy_entry_is_not_used(
    i18n_project: Path,
) -> None:
    """Is the config's older `translations:` entry carried into a new `_site.po`, and after the
    title changes in `_config.yml`, is the old translation kept fuzzy by `update` and not shown?"""
    config = i18n_project / "packs" / "_config.yml"
    config.write_text(
        config.read_text(encoding="utf-8") + "translations:\n  fr:\n    title: Parcours de test\n",
        encoding="utf-8",
    )
    init("fr", root=i18n_project)
    po = polib.pofile(str(_site_po(i18n_project, "fr")))
    assert po.find(TITLE, msgctxt="_config.yml#title").msgstr == "Parcours de test"
    # the config's entry goes; the catalog is now where the translation lives
    text = config.read_text(encoding="utf-8").replace(
        "translations:\n  fr:\n    title: Parcours de test\n", ""
    )
    config.write_text(text.replace(TITLE, "Fixture packs"), encoding="utf-8")
    update(root=i18n_project)
    entry = polib.pofile(str(_site_po(i18n_project, "fr"))).find(
        "Fixture packs", msgctxt="_config.yml#title"
    )
    assert entry is not None and entry.fuzzy and entry.msgstr == "Parcours de test"
    assert site_text(load_catalog(i18n_project), "fr")[0] == ("Fixture packs", False)


def test_check_refuses_a_site_translation_that_adds_html(i18n_project: Path) -> None:
    """Is `_site.po` checked like a pack's catalog (here: HTML slipped into the description)?"""
    init("de", root=i18n_project)
    _set(
        _site_po(i18n_project, "de"),
        {"Packs the i18n tests translate.": 'Pakete <img src=x onerror="alert(1)">'},
    )
    problems = check_catalogs(root=i18n_project, languages=["de"])
    found = {(p.path, p.code) for p in problems if p.path.endswith("_site.po")}
    assert ("translations/de/_site.po", "i18n.unsafe-html") in found
    assert main(["--root", str(i18n_project), "i18n", "check", "--lang", "de"]) == 1


PAGE = (
    '<html lang="sw"><head><title>Pakiti</title>'
    "<script>var t = '<nav aria-label=\"Main\">';</script></head><body>"
    '<nav class="bd-links" aria-label="Main"><a href="a.html">Mwanzo</a></nav>'
    '<input type="search" placeholder="Search this book..." aria-label="Search this book..."/>'
    '<button class="primary-toggle" title="Toggle primary sidebar"><span class="fa"></span></button>'
    '<h2>Somo<a class="headerlink" href="#somo" title="Link to this heading">#</a></h2>'
    '<a href="b.html" title="Link to this heading">Somo la pili</a>'
    "<button>  Back to top </button><p>Back to top of the page</p>"
    '<p class="component-author">\nBy Wachangiaji\n</p>'
    '<img src="logo.svg" class="logo__image" alt="Pakiti - Home"/>'
    "</body></html>"
)
UNTRANSLATED = frozenset(
    {
        "Main",
        "Search this book...",
        "Toggle primary sidebar",
        "Link to this heading",
        "Back to top",
        "%s - Home",
        "By",
    }
)


def test_untranslated_theme_strings_are_declared_english() -> None:
    """Does every untranslated theme string a reader meets say it is English: on the element when
    it shows no text of its own, through a hidden English name on a landmark, on the words of a
    text; and is the rest of the page (scripts, the page's own words) left alone?"""
    page = mark_untranslated(PAGE, UNTRANSLATED, rtl=True)
    assert "<script>var t = '<nav aria-label=\"Main\">';</script>" in page
    assert (
        '<nav class="bd-links" aria-labelledby="lp-theme-name-1"><span id="lp-theme-name-1" hidden>'
        '<span lang="en" dir="ltr">Main</span></span><a href="a.html">Mwanzo</a></nav>'
    ) in page
    # what is typed into the search box keeps the page's direction
    assert 'aria-label="Search this book..." lang="en"/>' in page
    assert (
        '<button class="primary-toggle" title="Toggle primary sidebar" lang="en" dir="ltr">' in page
    )
    assert 'title="Link to this heading" lang="en" dir="ltr">#</a>' in page
    # a link with words of the page's own keeps its language; its English tooltip goes
    assert '<a href="b.html">Somo la pili</a>' in page
    assert '<button>  <span lang="en" dir="ltr">Back to top</span> </button>' in page
    assert "<p>Back to top of the page</p>" in page  # not the theme's string
    assert '<span lang="en" dir="ltr">By</span> Wachangiaji' in page
    assert 'alt="Pakiti"/>' in page
    assert mark_untranslated(PAGE, frozenset()) == PAGE

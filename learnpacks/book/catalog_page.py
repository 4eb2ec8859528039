"""The site's catalog page (search, filters and a card per pack, with where to read a pack not
in this language) and its Pagefind search: the search box every language root has, the search
page, and the filters each notebook page is indexed under. Built with
:func:`learnpacks.book.html.el`, like the rest of :mod:`learnpacks.book.pages`.
"""

from __future__ import annotations

import json

from learnpacks.book.html import Markup, Untranslated, el
from learnpacks.book.pages import (
    item_words,
    named,
    pack_ref,
    page_url,
    path_nav,
    site_path,
    topic_names,
    with_links,
)
from learnpacks.book.plan import SitePlan
from learnpacks.book.progress import progress_line
from learnpacks.book.strings import Strings, is_rtl, join, language_name
from learnpacks.packs.catalog import Pack

#: (label msgid, upper bound in minutes or None) for the duration filter
DURATION_BUCKETS = (
    ("Up to 30 minutes", 30),
    ("Up to 1 hour", 60),
    ("Up to 2 hours", 120),
    ("More than 2 hours", None),
)
LEVELS = ("beginner", "intermediate", "advanced")
FORMATS = ("text", "video", "audio", "images", "exercises", "code")


def duration_bucket(minutes: int) -> str:
    for label, bound in DURATION_BUCKETS:
        if bound is None or minutes <= bound:
            return label
    return DURATION_BUCKETS[-1][0]


def pagefind_filters(
    pack: Pack, s: Strings, languages: list[str], *, topics: list[str] | None = None
) -> Markup:
    """Hidden elements Pagefind reads as filters (level, topic, format, duration, language), named
    in the page's language: each language has its own index, and the search box shows the names.
    *topics*: the pack's topics in the page's language (default: the source's)."""
    m = pack.meta
    values = [(s("Level"), s(m.level)), (s("Duration"), s(duration_bucket(m.duration)))]
    values += [(s("Topic"), t) for t in (m.topics if topics is None else topics)]
    values += [(s("Format"), s(f)) for f in m.formats]
    values += [(s("Language"), language_name(lang)) for lang in languages]
    return el(
        "div",
        {"hidden": True},
        [el("span", {"data-pagefind-filter": f"{k}:{v}"}) for k, v in values],
    )


def _language_link(pack_id: str, lang: str, *, from_doc: str) -> Markup:
    """A link to *pack_id*'s overview in *lang*, named in that language."""
    return el(
        "a",
        {
            "href": page_url(f"packs/{pack_id}/index", from_doc=from_doc, language=lang),
            "hreflang": lang,
            "lang": lang,
        },
        language_name(lang),
    )


def _availability(plan: SitePlan, language: str, pack_id: str, s: Strings, *, here: bool) -> Markup:
    """Where a catalog card's pack can be read: in this language or not yet (with links to the
    languages that have it), and how far each partial translation is."""
    others = [lang for lang in plan.languages_of(pack_id) if lang != language]
    links = [_language_link(pack_id, lang, from_doc="index") for lang in others]
    lines = []
    if here:
        lines.append(el("p", {"class": "lp-available"}, s("Available in this language")))
        if links:
            template = s("Also available in: {languages}")
            lines.append(
                el(
                    "p",
                    {"class": "lp-meta"},
                    with_links(template, "{languages}", links, language, style="standard"),
                )
            )
    elif links:
        template = s("Not yet translated into this language. Read it in: {languages}")
        lines.append(
            el(
                "p",
                {"class": "lp-available lp-elsewhere"},
                with_links(template, "{languages}", links, language),
            )
        )
    else:
        lines.append(el("p", {"class": "lp-available lp-elsewhere"}, s("Not yet in this language")))
    # A complete translation needs no note; a partial one says how far it is.
    partial = [
        el(
            "li",
            None,
            el(
                "span", {"lang": lang, "dir": "rtl" if is_rtl(lang) else "ltr"}, language_name(lang)
            ),
            ": ",
            s("Translation {percent}% complete", percent=int(edition.coverage * 100)),
        )
        for lang in plan.languages_of(pack_id)
        if not (edition := plan.editions[lang][pack_id]).is_source and edition.coverage < 1.0
    ]
    if partial:
        lines.append(el("ul", {"class": "lp-states"}, partial))
    return Markup("".join(lines))


#: Pagefind UI's words the site's catalog translates (Pagefind's key, our msgid): Pagefind has
#: its own for about 40 languages and English for the others, where the site's catalog can say
#: them instead. Its placeholders ([COUNT], [SEARCH_TERM]) are ours ({count}, {term}) in the
#: catalog, so that `i18n check` checks them like every other placeholder.
PAGEFIND_STRINGS = {
    "clear_search": "Clear",
    "load_more": "Load more results",
    "search_label": "Search this site",
    "filters_label": "Filters",
    "zero_results": "No results for {term}",
    "many_results": "{count} results for {term}",
    "one_result": "{count} result for {term}",
    "searching": "Searching for {term}...",
}


def pagefind_translations(s: Strings) -> dict[str, str]:
    """Pagefind's words the page's language translates (the others stay Pagefind's own)."""
    found = {}
    for key, msgid in PAGEFIND_STRINGS.items():
        text = s(msgid, count="[COUNT]", term="[SEARCH_TERM]")
        if not isinstance(text, Untranslated):
            found[key] = text
    return found


def search_box(s: Strings) -> Markup:
    """The Pagefind search box (filled by ``learnpacks.js``) of a page at its language's root.
    Pagefind's bundle holds one index per language: a page searches its own."""
    translations = pagefind_translations(s) if s.lang != "en" else {}
    return el(
        "div",
        {
            "id": "lp-search",
            "data-bundle": "../pagefind/",
            "data-placeholder": s("Search"),
            **(
                {"data-translations": json.dumps(translations, ensure_ascii=False)}
                if translations
                else {}
            ),
        },
    )


def search_page(s: Strings) -> Markup:
    """The body of the site's search page (``search.html``, where the theme's search box and its
    Ctrl+K shortcut lead): the same Pagefind search as the catalog's, so the site has one."""
    return el(
        "div",
        {"class": "lp-search lp-search-page", "data-pagefind-ignore": "all"},
        el("h1", None, s("Search")),
        search_box(s),
    )


def _select(
    name: str,
    label: str,
    options: list[tuple[str, str]] | list[tuple[str, str, dict[str, str] | None]],
    s: Strings,
) -> Markup:
    return el(
        "div",
        {"class": "lp-filter"},
        el("label", {"for": f"lp-filter-{name}"}, label),
        el(
            "select",
            {"id": f"lp-filter-{name}", "name": name},
            el("option", {"value": ""}, s("Any")),
            [
                el("option", {"value": option[0], **(option[2] or {})}, option[1])
                if len(option) > 2
                else el("option", {"value": option[0]}, option[1])
                for option in options
            ],
        ),
    )


def catalog_page(plan: SitePlan, language: str, s: Strings) -> Markup:
    """Search, filters, and a card per pack (those not in this language say where to read them)."""
    docname = "index"
    names = topic_names(plan, language)
    source_attrs = {
        t: {"lang": p.meta.language, "dir": "rtl" if is_rtl(p.meta.language) else "ltr"}
        for p in plan.packs
        for t in p.meta.topics
        if t not in names and p.meta.language != language
    }
    topics = sorted(
        (t, names.get(t, t), source_attrs.get(t))
        for t in {t for p in plan.packs for t in p.meta.topics}
    )
    topics.sort(key=lambda option: option[1].casefold())
    filters_name, filters_label = named(s("Filter packs"), "lp-filters-label")
    filters = el(
        "form",
        {"class": "lp-filters", **filters_name, "data-pagefind-ignore": "all"},
        filters_label,
        _select("level", s("Level"), [(v, s(v)) for v in LEVELS], s),
        _select("topic", s("Topic"), topics, s),
        _select("format", s("Format"), [(f, s(f)) for f in FORMATS], s),
        _select(
            "duration", s("Duration"), [(str(b or 0), s(label)) for label, b in DURATION_BUCKETS], s
        ),
        _select(
            "language", s("Language"), [(lang, language_name(lang)) for lang in plan.languages], s
        ),
    )
    path = site_path(plan)
    by_id = {p.id: p for p in plan.packs}
    cards = []
    for pack in [by_id[pid] for pid in path.order]:
        m, link, text_lang = pack_ref(plan, language, pack, from_doc=docname)
        langs = plan.languages_of(m.id)
        availability = _availability(plan, language, m.id, s, here=text_lang is None)
        topic_line = item_words(pack, list(m.topics), list(pack.meta.topics), language)
        number, after = path.position(pack.id)
        if number:
            place = s("Step {n} of the path", n=number)
        elif after is not None:
            place = s(
                "After {packs}",
                packs=join(
                    [
                        pack_ref(plan, language, by_id[q], from_doc=docname)[0].title
                        for q in pack.meta.prerequisites
                        if q in by_id
                    ],
                    language,
                ),
            )
        else:
            place = ""
        bucket_max = next(
            b for label, b in DURATION_BUCKETS if label == duration_bucket(m.duration)
        )
        cards.append(
            el(
                "li",
                {
                    "class": "lp-card",
                    "data-level": m.level,
                    "data-topics": "|".join(pack.meta.topics),
                    "data-formats": "|".join(m.formats),
                    "data-duration": m.duration,
                    "data-duration-bucket": bucket_max or 0,
                    "data-languages": "|".join(langs),
                },
                el("p", {"class": "lp-place"}, place) if place else None,
                el("h3", text_lang, el("a", {"href": link}, m.title)),
                el("p", text_lang, m.summary),
                el(
                    "p",
                    {"class": "lp-meta"},
                    s(m.level),
                    " · ",
                    s("{n} min", n=m.duration),
                ),
                el("p", {"class": "lp-meta"}, topic_line),
                el("p", {"class": "lp-meta"}, join([s(f) for f in m.formats], s.lang)),
                progress_line(pack, s),
                availability,
            )
        )
    search = el(
        "div",
        {"class": "lp-search", "data-pagefind-ignore": "all"},
        el("h2", None, s("Search the packs")),
        search_box(s),
        el(
            "noscript",
            None,
            s("Search needs JavaScript; the list of packs below works without it."),
        ),
    )
    status = el(
        "p",
        {
            "id": "lp-count",
            "aria-live": "polite",
            "data-template": s("{shown} of {total} packs shown", shown="{shown}", total="{total}"),
            "data-empty": s("No pack matches these filters."),
        },
    )
    return el(
        "div",
        {"class": "lp-catalog", "data-pagefind-ignore": "all"},
        search,
        path_nav(plan, language, s, path),
        el("h2", None, s("Learning packs")),
        filters,
        status,
        el("ul", {"class": "lp-cards"}, cards),
    )

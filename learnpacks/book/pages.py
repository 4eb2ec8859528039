"""The HTML the site adds to pages: catalog cards and filters, pack overviews, and each notebook
page's language switcher, translation banner and launch buttons. All of it is built with
:func:`learnpacks.book.html.el`, so pack metadata can never inject markup.
"""

from __future__ import annotations

from pathlib import Path

from learnpacks.book.html import Markup, el
from learnpacks.book.plan import Edition, SitePlan
from learnpacks.book.strings import Strings, is_rtl, join, language_name
from learnpacks.launch.links import launch_links
from learnpacks.packs.catalog import Catalog, Pack

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


def up(docname: str) -> str:
    """Relative prefix from a page to its language's root."""
    return "../" * docname.count("/")


def page_url(docname: str, *, from_doc: str, language: str | None = None) -> str:
    prefix = up(from_doc) + (f"../{language}/" if language else "")
    return f"{prefix}{docname}.html"


def _nav(cls: str, label: str, items: list[Markup]) -> Markup:
    """A labelled list of links that search does not index."""
    return el(
        "nav",
        {"class": cls, "aria-label": label, "data-pagefind-ignore": "all"},
        el("ul", None, items),
    )


def pagefind_filters(pack: Pack, s: Strings, languages: list[str]) -> Markup:
    """Hidden elements Pagefind reads as filters (level, topic, format, duration, language)."""
    m = pack.meta
    values = [("level", s(m.level)), ("duration", s(duration_bucket(m.duration)))]
    values += [("topic", t) for t in m.topics]
    values += [("format", s(f)) for f in m.formats]
    values += [("language", language_name(lang)) for lang in languages]
    return el(
        "div",
        {"hidden": True},
        [el("span", {"data-pagefind-filter": f"{k}:{v}"}) for k, v in values],
    )


def language_switcher(
    plan: SitePlan, docname: str, language: str, pack_id: str | None, s: Strings
) -> Markup:
    langs = plan.languages_of(pack_id) if pack_id else plan.languages
    others = [lang for lang in langs if lang != language]
    if not others:
        return Markup("")
    items = [
        el(
            "li",
            None,
            el(
                "a",
                {
                    "href": page_url(docname, from_doc=docname, language=lang),
                    "hreflang": lang,
                    "lang": lang,
                },
                language_name(lang),
            ),
        )
        for lang in others
    ]
    return _nav("lp-languages", s("This page in other languages"), items)


def translation_banner(edition: Edition, notebook: str, docname: str, s: Strings) -> Markup:
    state = edition.notebooks.get(notebook)
    if edition.is_source or state is None or (state.coverage >= 1.0 and not state.outdated):
        return Markup("")
    source = edition.pack.meta.language
    name = language_name(source, in_lang=edition.language)
    shown_in = [language_name(lang, in_lang=edition.language) for lang in state.shown_in] or [name]
    parts = []
    if state.coverage < 1.0:
        parts.append(
            el(
                "p",
                None,
                s(
                    "This page is partly translated ({percent}% done): the parts not yet translated are shown in {language}.",
                    percent=int(state.coverage * 100),
                    language=join(shown_in, edition.language, style="or"),
                ),
            )
        )
    if state.outdated:
        parts.append(
            el(
                "p",
                None,
                s(
                    "Some parts of this translation are out of date: the original has changed since they were translated."
                ),
            )
        )
    original = page_url(docname, from_doc=docname, language=source)
    parts.append(
        el(
            "p",
            None,
            el(
                "a",
                {"href": original, "hreflang": source},
                s("Read the original in {language}", language=name),
            ),
        )
    )
    return el("aside", {"class": "lp-banner", "role": "note", "data-pagefind-ignore": "all"}, parts)


def launch_bar(
    catalog: Catalog, edition: Edition, notebook: str, docname: str, s: Strings
) -> Markup:
    links = launch_links(catalog, edition.pack, language=edition.language)
    items = [
        el(
            "li",
            None,
            el(
                "a",
                {"href": by_nb[notebook], "class": "lp-launch", "rel": "noopener"},
                s("Open on {target}", target=target),
            ),
        )
        for target, by_nb in links.items()
    ]
    downloads = up(docname) + f"downloads/{edition.pack.id}/"
    items.append(
        el(
            "li",
            None,
            el(
                "a",
                {"href": downloads + notebook, "download": notebook},
                s("Download this notebook"),
            ),
        )
    )
    items.append(
        el(
            "li",
            None,
            el(
                "a",
                {"href": downloads + f"{edition.pack.id}.zip", "download": True},
                s("Download the whole pack"),
            ),
        )
    )
    return _nav("lp-launch-bar", s("Run this notebook"), items)


def overview(
    catalog: Catalog, plan: SitePlan, edition: Edition, docname: str, s: Strings
) -> Markup:
    m = edition.pack.meta
    facts = [
        (s("Level"), s(m.level)),
        (s("Duration"), s("about {n} minutes", n=m.duration)),
        (s("Topics"), join(list(m.topics), s.lang)),
        (s("For"), join(list(m.audience), s.lang)),
        (s("Formats"), join([s(f) for f in m.formats], s.lang)),
        (s("Languages"), join([language_name(lang) for lang in plan.languages_of(m.id)], s.lang)),
        (s("Licence"), el("a", {"href": f"https://spdx.org/licenses/{m.license}.html"}, m.license)),
        (s("Authors"), join([a.name for a in m.authors], s.lang)),
    ]
    dl = el("dl", {"class": "lp-facts"}, [[el("dt", None, k), el("dd", None, v)] for k, v in facts])
    prereqs = []
    for pid in m.prerequisites:
        other = next((p for p in plan.packs if p.id == pid), None)
        if other is None:
            prereqs.append(el("li", None, pid))
        elif pid in plan.editions[edition.language]:
            prereqs.append(
                el(
                    "li",
                    None,
                    el(
                        "a",
                        {"href": page_url(f"packs/{pid}/index", from_doc=docname)},
                        other.meta.title,
                    ),
                )
            )
        else:
            prereqs.append(
                el(
                    "li",
                    None,
                    el(
                        "a",
                        {
                            "href": page_url(
                                f"packs/{pid}/index",
                                from_doc=docname,
                                language=plan.source_language,
                            )
                        },
                        other.meta.title,
                    ),
                )
            )
    notebooks = [
        el("li", None, el("a", {"href": Path(nb).stem + ".html"}, Path(nb).stem))
        for nb in m.notebooks
    ]
    first = m.notebooks[0]
    return el(
        "div",
        {"class": "lp-overview"},
        el("p", {"class": "lp-summary"}, m.summary),
        dl,
        el("h2", None, s("What you will learn")),
        el("ul", None, [el("li", None, o) for o in m.objectives]),
        el("h2", None, s("Before you start")),
        el("ul", None, prereqs) if prereqs else el("p", None, s("No other pack is needed.")),
        el("h2", None, s("Notebooks")),
        el("ol", None, notebooks),
        el("h2", None, s("Run it yourself")),
        launch_bar(catalog, edition, first, docname, s),
    )


def _select(name: str, label: str, options: list[tuple[str, str]], s: Strings) -> Markup:
    return el(
        "div",
        {"class": "lp-filter"},
        el("label", {"for": f"lp-filter-{name}"}, label),
        el(
            "select",
            {"id": f"lp-filter-{name}", "name": name},
            el("option", {"value": ""}, s("Any")),
            [el("option", {"value": v}, text) for v, text in options],
        ),
    )


def catalog_page(plan: SitePlan, language: str, s: Strings) -> Markup:
    """Search, filters, and a card per pack (those not in this language say where to read them)."""
    docname = "index"
    topics = sorted({t for p in plan.packs for t in p.meta.topics}, key=str.casefold)
    filters = el(
        "form",
        {"class": "lp-filters", "aria-label": s("Filter packs"), "data-pagefind-ignore": "all"},
        _select("level", s("Level"), [(v, s(v)) for v in LEVELS], s),
        _select("topic", s("Topic"), [(t, t) for t in topics], s),
        _select("format", s("Format"), [(f, s(f)) for f in FORMATS], s),
        _select(
            "duration", s("Duration"), [(str(b or 0), s(label)) for label, b in DURATION_BUCKETS], s
        ),
        _select(
            "language", s("Language"), [(lang, language_name(lang)) for lang in plan.languages], s
        ),
    )
    cards = []
    for pack in plan.packs:
        here = pack.id in plan.editions[language]
        m = plan.editions[language][pack.id].info if here else pack.meta
        langs = plan.languages_of(m.id)
        # Title and summary of a pack not in this language are in the pack's language: say so.
        text_lang = (
            None if here else {"lang": m.language, "dir": "rtl" if is_rtl(m.language) else "ltr"}
        )
        if here:
            link = page_url(f"packs/{m.id}/index", from_doc=docname)
            availability = el("p", {"class": "lp-available"}, s("Available in this language"))
        else:
            link = page_url(
                f"packs/{m.id}/index",
                from_doc=docname,
                language=langs[0] if langs else plan.source_language,
            )
            availability = el(
                "p",
                {"class": "lp-available lp-elsewhere"},
                s("Not yet in this language"),
                " — ",
                [
                    [
                        el(
                            "a",
                            {
                                "href": page_url(
                                    f"packs/{m.id}/index", from_doc=docname, language=lang
                                ),
                                "hreflang": lang,
                                "lang": lang,
                            },
                            language_name(lang),
                        ),
                        " ",
                    ]
                    for lang in langs
                ],
            )
        states = []
        for lang in langs:
            edition = plan.editions[lang][m.id]
            if not edition.is_source:
                states.append(
                    el(
                        "li",
                        None,
                        language_name(lang),
                        ": ",
                        s("Translation {percent}% complete", percent=int(edition.coverage * 100)),
                    )
                )
        bucket_max = next(
            b for label, b in DURATION_BUCKETS if label == duration_bucket(m.duration)
        )
        cards.append(
            el(
                "li",
                {
                    "class": "lp-card",
                    "data-level": m.level,
                    "data-topics": "|".join(m.topics),
                    "data-formats": "|".join(m.formats),
                    "data-duration": m.duration,
                    "data-duration-bucket": bucket_max or 0,
                    "data-languages": "|".join(langs),
                },
                el("h3", text_lang, el("a", {"href": link}, m.title)),
                el("p", text_lang, m.summary),
                el(
                    "p",
                    {"class": "lp-meta"},
                    s(m.level),
                    " · ",
                    s("{n} min", n=m.duration),
                    " · ",
                    join(list(m.topics), s.lang),
                ),
                el("p", {"class": "lp-meta"}, join([s(f) for f in m.formats], s.lang)),
                availability,
                el("ul", {"class": "lp-states"}, states) if states else None,
            )
        )
    search = el(
        "div",
        {"class": "lp-search", "data-pagefind-ignore": "all"},
        el("h2", None, s("Search the packs")),
        el(
            "div",
            {"id": "lp-search", "data-bundle": "../pagefind/", "data-placeholder": s("Search")},
        ),
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
        el("h2", None, s("Learning packs")),
        filters,
        status,
        el("ul", {"class": "lp-cards"}, cards),
    )

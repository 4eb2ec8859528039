"""The HTML the site adds to pages: pack overviews, the learning path, the navigation, and each
notebook page's language switcher, translation banner and launch buttons (the catalog page and
the search: :mod:`learnpacks.book.catalog_page`). All of it is built with
:func:`learnpacks.book.html.el`, so pack metadata can never inject markup.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Literal

from learnpacks.book.html import Markup, Untranslated, el, render
from learnpacks.book.plan import Edition, SitePlan
from learnpacks.book.progress import progress_section
from learnpacks.book.strings import Strings, is_rtl, join, language_name
from learnpacks.launch.links import launch_links
from learnpacks.packs.catalog import Catalog, Pack
from learnpacks.packs.model import PackMeta
from learnpacks.packs.path import LearningPath, learning_path


def up(docname: str) -> str:
    """Relative prefix from a page to its language's root."""
    return "../" * docname.count("/")


def page_url(docname: str, *, from_doc: str, language: str | None = None) -> str:
    prefix = up(from_doc) + (f"../{language}/" if language else "")
    return f"{prefix}{docname}.html"


def named(label: str, label_id: str) -> tuple[dict[str, str], Markup | None]:
    """How an element is named by *label*: ``aria-label`` when the string is in the page's
    language; when it is not yet translated, ``aria-labelledby`` a hidden element that says it
    is English (an attribute cannot carry ``lang``), to be placed inside the element."""
    if isinstance(label, Untranslated):
        return {"aria-labelledby": label_id}, el("span", {"id": label_id, "hidden": True}, label)
    return {"aria-label": label}, None


def _nav(cls: str, label: str, items: list[Markup], *, labelledby: str | None = None) -> Markup:
    """A labelled list of links that search does not index. *labelledby*: the id of a visible
    heading that names it instead of *label*."""
    if labelledby:
        name, hidden = {"aria-labelledby": labelledby}, None
    else:
        name, hidden = named(label, f"{cls}-label")
    return el(
        "nav", {"class": cls, **name, "data-pagefind-ignore": "all"}, hidden, el("ul", None, items)
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


#: The id of the overview's "Run it yourself" heading, which names its launch bar.
RUN_IT_HEADING = "lp-run-it-yourself"


def launch_bar(
    catalog: Catalog,
    edition: Edition,
    notebook: str,
    docname: str,
    s: Strings,
    *,
    overview: bool = False,
) -> Markup:
    """Where to run *notebook* (Binder, a hub) and what to download. On the pack's *overview*
    (which opens its first notebook), the download is the whole pack: a "Download this
    notebook" there meant the first one without saying so."""
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
    if not overview:
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
    if overview:  # named by the overview's heading above it
        return _nav("lp-launch-bar", "", items, labelledby=RUN_IT_HEADING)
    return _nav("lp-launch-bar", s("Run this notebook"), items)


def notebook_title(path: Path) -> str:
    """The first top-level heading of a notebook (its page title), or its file name's stem."""
    try:
        cells = json.loads(path.read_text(encoding="utf-8")).get("cells", [])
    except (OSError, ValueError, AttributeError):
        return path.stem
    for cell in cells if isinstance(cells, list) else []:
        if not isinstance(cell, dict) or cell.get("cell_type") != "markdown":
            continue
        source = cell.get("source", "")
        text = "".join(source) if isinstance(source, list) else str(source)
        for line in text.splitlines():
            if line.startswith("# ") and line[2:].strip():
                return line[2:].strip()
    return path.stem


def item_words(
    pack: Pack, items: list[str], source_items: list[str], language: str
) -> list[object]:
    """*items* (topics, audiences) as a list in *language*. An item still in the source's words
    (not translated yet) is marked as the pack's language, so a screen reader reads it so and a
    right-to-left page keeps it whole."""
    source = pack.meta.language
    if language == source:
        return [join(items, language)]
    attrs = {"lang": source, "dir": "rtl" if is_rtl(source) else "ltr"}
    pieces = [
        el("span", attrs, item) if item == original else Markup(render(item))
        for item, original in zip(items, source_items, strict=True)
    ]
    return with_links("{items}", "{items}", pieces, language, style="standard")


def topic_names(plan: SitePlan, language: str) -> dict[str, str]:
    """Each source topic's name on the *language* site, from the packs translated into it (the
    first pack that translates a topic names it); untranslated topics are absent."""
    names: dict[str, str] = {}
    for pack in plan.packs:
        edition = plan.editions.get(language, {}).get(pack.id)
        if edition is None or edition.is_source:
            continue
        for topic, name in zip(pack.meta.topics, edition.info.topics, strict=False):
            if name != topic:
                names.setdefault(topic, name)
    return names


def overview(
    catalog: Catalog, plan: SitePlan, edition: Edition, docname: str, s: Strings
) -> Markup:
    """A pack's overview page in the edition's language: summary, facts, objectives, the packs
    to take first, its notebooks by title, and how to run it."""
    m = edition.info
    pack = edition.pack
    language = edition.language
    facts = [
        (s("Level"), s(m.level)),
        (s("Duration"), s("about {n} minutes", n=m.duration)),
        (s("Formats"), join([s(f) for f in m.formats], s.lang)),
        (s("Languages"), join([language_name(lang) for lang in plan.languages_of(m.id)], s.lang)),
        (s("Licence"), el("a", {"href": f"https://spdx.org/licenses/{m.license}.html"}, m.license)),
        (s("Authors"), join([a.name for a in m.authors], s.lang)),
    ]
    rows: list[tuple[str, object]] = list(facts)
    rows[2:2] = [
        (s("Topics"), item_words(pack, list(m.topics), list(pack.meta.topics), language)),
        (s("For"), item_words(pack, list(m.audience), list(pack.meta.audience), language)),
    ]
    dl = el(
        "dl",
        {"class": "lp-facts"},
        [[el("dt", None, k), el("dd", None, v)] for k, v in rows],
    )
    by_id = {p.id: p for p in plan.packs}
    prereqs = []
    for pid in m.prerequisites:
        if pid not in by_id:
            prereqs.append(el("li", None, pid))
            continue
        other, link, title_attrs = pack_ref(plan, language, by_id[pid], from_doc=docname)
        prereqs.append(el("li", None, el("a", {"href": link, **(title_attrs or {})}, other.title)))
    notebooks = [
        el(
            "li",
            None,
            el("a", {"href": Path(nb).stem + ".html"}, notebook_title(edition.folder / nb)),
        )
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
        progress_section(pack, s),
        el("h2", {"id": RUN_IT_HEADING}, s("Run it yourself")),
        launch_bar(catalog, edition, first, docname, s, overview=True),
    )


def site_path(plan: SitePlan) -> LearningPath:
    """The learning path through the site's packs; ties keep the plan's order (by title)."""
    order = [p.id for p in plan.packs]
    return learning_path({p.id: p.meta.prerequisites for p in plan.packs}, key=order.index)


def pack_ref(
    plan: SitePlan, language: str, pack: Pack, *, from_doc: str
) -> tuple[PackMeta, str, dict[str, str] | None]:
    """(metadata, link, attributes of its title) of *pack* as the *language* site names it: its
    edition in *language*, else the first language that has it (the title then says its language)."""
    edition = plan.editions[language].get(pack.id)
    if edition is not None:
        return edition.info, page_url(f"packs/{pack.id}/index", from_doc=from_doc), None
    langs = plan.languages_of(pack.id)
    m = pack.meta
    link = page_url(
        f"packs/{pack.id}/index",
        from_doc=from_doc,
        language=langs[0] if langs else plan.source_language,
    )
    return m, link, {"lang": m.language, "dir": "rtl" if is_rtl(m.language) else "ltr"}


def with_links(
    template: str,
    placeholder: str,
    links: list[Markup],
    lang: str,
    *,
    style: Literal["standard", "or"] = "or",
) -> list[object]:
    """*template* (translated text) with *placeholder* replaced by *links* as a list in *lang*
    ("a, b or c", or with *style* "standard" "a, b and c"): the translation decides where the links go, the links stay markup."""
    marks = [f"\x00{i}\x00" for i in range(len(links))]
    listed = join(marks, lang, style=style)
    out: list[object] = []
    before, _, after = template.partition(placeholder)
    out.append(before)
    for piece in listed.split("\x00"):
        out.append(links[int(piece)] if piece.isdigit() else piece)
    out.append(after)
    return out


def path_nav(plan: SitePlan, language: str, s: Strings, path: LearningPath) -> Markup:
    """The learning path as an ordered list of links (the main line), each step with the packs
    that branch from it; drawn as a path by the site's CSS."""
    docname = "index"
    by_id = {p.id: p for p in plan.packs}

    def entry(pid: str) -> list[object]:
        m, link, title_attrs = pack_ref(plan, language, by_id[pid], from_doc=docname)
        facts = [s(m.level), s("{n} min", n=m.duration)]
        if title_attrs is not None:
            facts.append(s("in {language}", language=language_name(m.language, in_lang=language)))
        return [
            el("a", {"href": link, **(title_attrs or {})}, m.title),
            " ",
            el("span", {"class": "lp-meta"}, [[" · ", f] if i else f for i, f in enumerate(facts)]),
        ]

    steps = []
    for step in path.steps:
        branches = None
        if step.branches:
            branches = el(
                "div",
                {"class": "lp-branches"},
                el("span", {"class": "lp-branch-lead"}, s("Or go on to:")),
                el("ul", None, [el("li", None, entry(b)) for b in step.branches]),
            )
        steps.append(el("li", {"class": "lp-step"}, entry(step.pack_id), branches))
    others = (
        [
            el("p", {"class": "lp-branch-lead"}, s("Packs that stand on their own:")),
            el("ul", {"class": "lp-others"}, [el("li", None, entry(o)) for o in path.others]),
        ]
        if path.others
        else None
    )
    return el(
        "nav",
        {"class": "lp-path", "aria-labelledby": "lp-path-title", "data-pagefind-ignore": "all"},
        el("h2", {"id": "lp-path-title"}, s("A path through the packs")),
        el(
            "p",
            None,
            s("Each pack builds on the ones before it: start at the top, or wherever you are."),
        ),
        el("ol", {"class": "lp-path-steps"}, steps),
        others,
    )


#: (href, title, whether it is the page being shown)
NavLink = tuple[str, str, bool]


def _nav_item(
    link: NavLink, level: int, nested: Markup | None = None, *, active: bool = False
) -> Markup:
    href, title, current = link
    return el(
        "li",
        {"class": f"toctree-l{level}" + (" current active" if current or active else "")},
        el(
            "a",
            {
                "class": "reference internal",
                "href": href,
                "aria-current": "page" if current else None,
            },
            title,
        ),
        nested,
    )


def navigation(
    *, home: NavLink, pack: NavLink | None, links: list[NavLink], caption: str | None = None
) -> Markup:
    """A page's primary navigation: the way back to the catalog (*home*), then either one pack
    (*pack*: its overview, with its notebooks as *links* below it) or, on the catalog's own
    pages, the packs (*links*, under *caption*). Its size depends on one pack, not on the site.
    Marked up as the theme marks its table of contents, so its styles and scripts apply."""
    out = [el("ul", {"class": "nav bd-sidenav bd-sidenav__home-link"}, _nav_item(home, 1))]
    if pack is not None:
        inner = el("ul", None, [_nav_item(link, 2) for link in links]) if links else None
        active = any(link[2] for link in links)
        out.append(el("ul", {"class": "nav bd-sidenav"}, _nav_item(pack, 1, inner, active=active)))
    elif links:
        if caption:
            out.append(
                el(
                    "p",
                    {"class": "caption", "role": "heading", "aria-level": "3"},
                    el("span", {"class": "caption-text"}, caption),
                )
            )
        out.append(el("ul", {"class": "nav bd-sidenav"}, [_nav_item(link, 1) for link in links]))
    return Markup("".join(out))

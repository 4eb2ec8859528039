"""Sphinx extension loaded into every learnpacks site build.

- Adds the HTML that :mod:`learnpacks.book.source` prepared for each page (language switcher,
  translation banner, launch buttons, catalog, overview, search filters) around the page body, inside
  a ``data-pagefind-body`` element so that search indexes the content, not the navigation.
- Re-reads a page when that HTML changed since the last build (:func:`outdated_pages`), though its
  source did not: a pack's metadata, a UI translation, the order of the catalog.
- Gives each page a navigation of its own pack (:func:`add_navigation`): the way back to the
  catalog, the pack's overview and notebooks. The theme's sidebar holds the whole site's table of
  contents on every page, which made every page grow with the catalog and the build with its square.
- Marks right-to-left languages with ``dir="rtl"`` on ``<html>`` (Sphinx sets ``lang`` only), and
  names the theme's icon-only navigation toggles (axe-core ``summary-name``). These and the icon
  swap below are made in one pass over the pages this build wrote (:func:`finish_pages`), so an
  incremental build does not read every page of the site again.
- Fills the gaps in the theme's and Sphinx's UI translations from ``learnpacks/book/locale/<lang>/
  theme.po`` (:mod:`learnpacks.book.theme_i18n`, set up from here).
- Marks the blocks a page shows in a fallback language with ``lang`` and ``dir``
  (:mod:`learnpacks.book.fallback`, set up from here).
- Keeps pages light: the theme's icons come from a small generated stylesheet instead of its
  1.4 MB Font Awesome script (:mod:`learnpacks.book.icons`), and only the search page loads
  Sphinx's search scripts and index. A page whose widgets are all anywidgets (every learnpacks
  exercise) loads the site's small ``lp-static-widgets.js`` instead of RequireJS and the 3.6 MB
  ipywidgets HTML manager (:mod:`learnpacks.book.offline`); a page with any other widget keeps them.
- Gives the site one search: Sphinx's own (its ``searchindex.js``, its page, its general index)
  is off, and its ``search.html``, where the theme's header box and Ctrl+K lead, is the
  skeleton's template holding the Pagefind box (:func:`one_search`, :func:`search_page`). Sets
  the theme's colour mode from the start (no "Got invalid theme mode" on the console) and a
  logo for dark mode (:func:`theme_settings`).
- Writes each widget script once per page, not once per widget (:func:`share_widget_code`).
- Publishes no ``_sources/`` copy of a page's notebook and no theme button to it
  (:func:`no_source_copies`): readers download the site's own copies.
- Turns sphinx-thebe off. Jupyter Book loads it into every build, but the site launches notebooks on
  Binder or a hub, never in the page: its config script was added twice (a ``THEBE_JS_URL has
  already been declared`` error on every page), and each page carried a Thebe configuration naming
  an unrelated Binder repository and a CDN URL.
- Escapes widget state fully: MyST-NB's ``sanitize_script_content`` replaces only a lowercase
  ``</script>``, but the HTML parser ends a script at ``</SCRIPT`` in any case, and ``<!--`` can hide
  the real end tag; exercise text (an author's or a translator's) could then end the state's
  ``<script>`` and run as HTML. Every ``<`` before ``/`` or ``!`` becomes ``\u003c``, valid in the
  JSON strings where it can occur (pages never render JavaScript outputs).
- Publishes widgets in the learner's starting state (:func:`publish_widgets`): the build runs each
  notebook, so the saved widget state holds the build's own answers and attempts (a code
  exercise's ``check()``, an author's recorded graded answer). Every exercise is reset to
  unanswered and unattempted, and the progress panel to nothing done. The models' random ids are
  replaced by ids made from the page's name (:func:`stable_model_ids`), so the same sources always
  give the same pages, wherever they are built. After each widget, a
  ``<noscript>`` notice in the page's language says the exercise needs JavaScript (the code that
  builds it is never on the page: :mod:`learnpacks.book.published`).
- Escapes the page titles sphinx-book-theme 1.3 prints unescaped: it sets
  ``context["pagetitle"] = title.astext()`` and its layout prints ``{{ pagetitle }}``, so a notebook
  heading such as ``# <img src=x onerror=alert(1)>`` became live HTML (THREATS.md case 52).
"""

from __future__ import annotations

import hashlib
import html
import json
import re
from pathlib import Path
from typing import Any

from sphinx.application import Sphinx

from learnpacks.book.offline import STATIC_WIDGETS_JS, VENDOR

_TEXT_KEYS = ("pagetitle", "root_title")
#: The logo in dark mode: the skeleton's static files are the site's ``_static/``.
DARK_LOGO = "logo-dark.svg"
_HTML_TAG = re.compile(r"<html(?![^>]*\bdir=)", re.IGNORECASE)
_SEARCH_SCRIPTS = re.compile(
    r'\n\s*<script src="[^"]*(?:_static/searchtools|_static/language_data|searchindex)\.js"></script>'
)
_WIDGET_STATE_TYPE = "application/vnd.jupyter.widget-state+json"
# The scripts offline.sphinx_config() has MyST-NB add to a page with widgets.
_MANAGER = (
    f"/{VENDOR}/require.js",
    f"/{VENDOR}/lp-widgets.js",
    f"/{VENDOR}/html-manager/embed-amd.js",
)
# The theme's navigation toggles are <summary> elements holding only an icon: they get a name.
_NAV_TOGGLE = re.compile(
    r'(<a class="[^"]*reference internal[^"]*" href="[^"]*">)([^<]*)(</a><details[^>]*>)<summary>'
)


def _pages(app: Sphinx) -> dict[str, dict[str, str]]:
    cached = getattr(app, "_learnpacks_pages", None)
    if cached is None:
        name = app.config.learnpacks_pages
        path = Path(app.srcdir) / name if name else None
        cached = json.loads(path.read_text(encoding="utf-8")) if path and path.is_file() else {}
        app._learnpacks_pages = cached  # type: ignore[attr-defined]
    return cached


def outdated_pages(
    app: Sphinx, env: Any, added: set[str], changed: set[str], removed: set[str]
) -> list[str]:
    """Pages whose added HTML changed since the last build: an edit to pack metadata, a catalog of
    the site's strings or the catalog's order changes no page source, so Sphinx would keep the
    old page."""
    digests = {
        name: hashlib.sha256(json.dumps(extra, sort_keys=True).encode("utf-8")).hexdigest()
        for name, extra in _pages(app).items()
    }
    before = getattr(env, "learnpacks_page_digests", {})
    env.learnpacks_page_digests = digests
    return sorted(
        name
        for name, digest in digests.items()
        if before.get(name) != digest and name in env.found_docs and name not in added | changed
    )


def escape_theme_titles(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> None:
    for key in _TEXT_KEYS:
        value = context.get(key)
        if isinstance(value, str) and not getattr(value, "__html__", None):
            context[key] = html.escape(value, quote=True)


def add_page_html(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> None:
    if "body" not in context and templatename != "search.html":
        return
    extra = _pages(app).get(pagename, {})
    if templatename == "search.html":  # no body: the site's own search template prints it
        context["lp_search"] = extra.get("prepend", "") + extra.get("append", "")
        return
    context["body"] = (
        f"<div data-pagefind-body>{extra.get('prepend', '')}{context['body']}{extra.get('append', '')}</div>"
    )


def note_written(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> None:
    """Remember each page this build writes: only those are rewritten at the end."""
    written = getattr(app, "_learnpacks_written", None)
    if written is None:
        written = app._learnpacks_written = set()  # type: ignore[attr-defined]
    written.add(pagename)


def add_navigation(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> None:
    """The primary sidebar's links (``lp_navigation``, printed by the skeleton's
    ``lp-sidebar-nav.html``): the way back to the catalog and this page's own pack, its overview
    and notebooks, read from the pack's toctree; on the catalog's own pages, the packs. The theme's
    sidebar would hold the whole catalog's table of contents on every page, so each page would grow
    with the site and a build with the square of it."""
    from learnpacks.book.pages import navigation
    from learnpacks.book.strings import Strings

    pathto = context.get("pathto")
    if not callable(pathto):
        return
    env = app.env
    root = app.config.root_doc

    def title(doc: str) -> str:
        node = env.titles.get(doc)
        return node.astext() if node is not None else doc

    parts = pagename.split("/")
    pack_index = f"packs/{parts[1]}/index" if len(parts) == 3 and parts[0] == "packs" else None
    if pack_index is not None and pack_index in env.all_docs:
        children = [d for d in env.toctree_includes.get(pack_index, []) if d in env.all_docs]
        pack = (pathto(pack_index), title(pack_index), pagename == pack_index)
        links = [(pathto(d), title(d), d == pagename) for d in children]
        caption = None
    else:
        packs = [d for d in env.toctree_includes.get(root, []) if d in env.all_docs]
        pack = None
        links = [(pathto(d), title(d), False) for d in packs]
        caption = Strings(app.config.language or "en")("Learning packs")
    context["lp_navigation"] = navigation(
        home=(pathto(root), title(root), pagename == root),
        pack=pack,
        links=links,
        caption=caption,
    )


def retitled_packs(app: Sphinx, env: Any) -> list[str]:
    """The pages of every pack one of whose pages was added, removed or retitled: each page's
    navigation names its pack's pages, and Sphinx would write only the changed page and its
    pack's overview. Asked after reading (``env-get-updated``), so they are written, not read."""
    titles = {doc: node.astext() for doc, node in env.titles.items()}
    before = getattr(env, "learnpacks_titles", None)
    env.learnpacks_titles = titles
    if before is None:
        return []
    pages: set[str] = set()
    for doc in set(titles) | set(before):
        parts = doc.split("/")
        if titles.get(doc) != before.get(doc) and len(parts) == 3 and parts[0] == "packs":
            index = f"packs/{parts[1]}/index"
            pages |= {index, *env.toctree_includes.get(index, [])}
    return sorted(doc for doc in pages if doc in env.found_docs)


#: sphinx-book-theme repeats the page's title for printing, before the page's own heading
_PRINT_TITLE = re.compile(r'(<div id="jb-print-docs-body" class="onlyprint">\s*<h1)>')
_FALLBACK_TITLE = re.compile(r'<h1\b[^>]*\bclass="lp-fallback"[^>]*>')
_LANG_DIR = re.compile(r'\s(?:lang|dir)="[^"]*"')


def _print_title_language(page: str) -> str:
    """*page* with the printed title in the language of the page's heading, when that heading is
    shown in a fallback language (:mod:`learnpacks.book.fallback` marks the heading only)."""
    heading = _FALLBACK_TITLE.search(page)
    if heading is None:
        return page
    marks = "".join(_LANG_DIR.findall(heading.group(0)))
    return _PRINT_TITLE.sub(lambda m: m.group(1) + marks + ">", page, count=1)


def finish_pages(app: Sphinx, exception: Exception | None) -> None:
    """One pass over the pages this build wrote: name the theme's navigation toggles, set
    ``dir="rtl"`` for right-to-left languages, declare the theme's untranslated strings English
    (:func:`~learnpacks.book.theme_i18n.mark_untranslated`), load Sphinx's search index only on the search page,
    and draw the theme's icons from a small stylesheet instead of its 1.4 MB ``fontawesome.js``
    (see :mod:`learnpacks.book.icons`).

    Warns ``learnpacks.icon-missing`` for an ``fa-`` class that names no icon of the theme's.
    """
    if exception is not None or app.builder.format != "html":
        return
    from sphinx.util import logging

    from learnpacks.book.icons import replace_fontawesome
    from learnpacks.book.strings import Strings
    from learnpacks.book.theme_i18n import mark_untranslated, untranslated_messages

    s = Strings(app.config.language or "en")
    untranslated = untranslated_messages(app.config.language or "en")

    def name_toggle(match: re.Match[str]) -> str:
        label = html.escape(
            s("Show or hide: {title}", title=html.unescape(match.group(2).strip())), quote=True
        )
        return f'{match.group(1)}{match.group(2)}{match.group(3)}<summary aria-label="{label}">'

    outdir = Path(app.outdir)

    def edit(page: Path, text: str) -> str:
        changed = _NAV_TOGGLE.sub(name_toggle, text)
        if app.config.learnpacks_rtl:
            changed = _HTML_TAG.sub('<html dir="rtl"', changed, count=1)
        changed = mark_untranslated(changed, untranslated, rtl=app.config.learnpacks_rtl)
        changed = _print_title_language(changed)
        # The site searches with Pagefind (one_search): the theme would still load Sphinx's
        # search scripts on every page.
        if "DOCUMENTATION_OPTIONS.search_as_you_type = false;" in changed:
            changed = _SEARCH_SCRIPTS.sub("", changed)
        return changed

    # Sphinx's search index and general index from a build before they were turned off
    # (theme_settings, one_search): Sphinx never deletes what it no longer writes.
    for stale in ("searchindex.js", "genindex.html"):
        (outdir / stale).unlink(missing_ok=True)
    written = sorted(getattr(app, "_learnpacks_written", set()))
    pages = [outdir / app.builder.get_target_uri(name) for name in written]
    missing = replace_fontawesome(
        outdir,
        pages=pages,
        edit=edit,
        remember=Path(app.doctreedir) / "learnpacks-icons.json",
    )
    for name, classes in sorted(missing.items()):
        logging.getLogger(__name__).warning(
            "learnpacks.icon-missing: %s uses %s, which the theme's Font Awesome does not define; "
            "the icon is not shown",
            name,
            ", ".join(sorted(classes)),
            type="learnpacks",
            subtype="icon-missing",
        )


def _only_anywidgets(states: list[Any]) -> bool:
    """Whether every saved model is an anywidget (or the default layout every widget has, which the
    HTML manager would apply as no style at all), with no binary buffers."""
    models = [m for s in states for m in ((s or {}).get("state") or {}).values()]
    if not models:
        return False
    for model in models:
        kind = (model.get("model_module"), model.get("model_name"))
        if "buffers" in model:
            return False
        if kind == ("anywidget", "AnyModel"):
            continue
        if kind == ("@jupyter-widgets/base", "LayoutModel") and all(
            value is None
            for key, value in model.get("state", {}).items()
            if not key.startswith("_")
        ):
            continue
        return False
    return True


#: The model traits every exercise of a kind repeats: its ES module (about 22 KB) and styles.
_SHARED_TRAITS = ("_esm", "_css")
#: Where ``lp-static-widgets.js`` finds a shared trait's text: ``"learnpacks-shared:<key>"``.
SHARED_PREFIX = "learnpacks-shared:"
SHARED_KEY = "learnpacks_shared"


def share_widget_code(state: dict[str, Any]) -> dict[str, Any]:
    """*state* (a widget-state document) with each distinct ``_esm`` and ``_css`` written once,
    under ``learnpacks_shared``, and every model naming it by reference: each widget carried its
    own copy of the exercise script, most of an exercise page's weight. Only the site's loader
    (``lp-static-widgets.js``) reads references; pages with the HTML manager keep full states."""
    shared: dict[str, str] = {}
    keys: dict[str, str] = {}
    for model in (state.get("state") or {}).values():
        values = model.get("state") if isinstance(model, dict) else None
        if not isinstance(values, dict):
            continue
        for trait in _SHARED_TRAITS:
            text = values.get(trait)
            if not isinstance(text, str) or not text:
                continue
            if text not in keys:
                keys[text] = f"{trait.strip('_')}{len(keys)}"
                shared[keys[text]] = text
            values[trait] = SHARED_PREFIX + keys[text]
    if shared:
        state[SHARED_KEY] = shared
    return state


def light_widget_assets(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> None:
    """A page whose widgets are all anywidgets loads ``lp-static-widgets.js`` (about 6 KiB) instead
    of RequireJS, ``lp-widgets.js`` and the HTML manager's ``embed-amd.js`` (3.6 MB), all from the
    site's ``_vendor/``, and carries each widget script once (:func:`share_widget_code`). Pages
    with another widget model, or whose scripts are not vendored, keep them. Runs after MyST-NB
    added the page's widget state and scripts to its script list."""
    assets = context.get("script_files")
    if not isinstance(assets, list):
        return
    bodies = [
        a.attributes.get("body", "")
        for a in assets
        if getattr(a, "attributes", {}).get("type") == _WIDGET_STATE_TYPE
    ]
    manager = [a for a in assets if str(getattr(a, "filename", "") or "").endswith(_MANAGER)]
    if not bodies or len(manager) != len(_MANAGER):
        return
    try:
        if not _only_anywidgets([json.loads(body) for body in bodies]):
            return
    except (ValueError, AttributeError):
        return  # a state the loader could not read either: the HTML manager reports it
    for asset in assets:
        attributes = getattr(asset, "attributes", {})
        if attributes.get("type") == _WIDGET_STATE_TYPE:
            state = share_widget_code(json.loads(attributes["body"]))
            attributes["body"] = sanitize_script_content(json.dumps(state))
    # the builder stores "_static/<path>" and add_js_file() prefixes "_static/" again
    folder = str(manager[0].filename).rsplit("/", 1)[0].removeprefix("_static/")
    assets[:] = [a for a in assets if a not in manager]  # in place: the builder's own list
    app.add_js_file(f"{folder}/{STATIC_WIDGETS_JS}", priority=manager[0].priority)


#: Widget state an exercise starts with (``ExerciseWidget`` and ``CodeExercise`` defaults).
_START_STATE: dict[str, Any] = {
    "answer": None,
    "result": {"status": "", "attempts": 0},
    "hints_shown": 0,
    "revealed_solution": "",
}
_MEDIA_KINDS = ("image", "video")
_WIDGET_VIEW = re.compile(
    r'<script type="application/vnd\.jupyter\.widget-view\+json">(.*?)</script>', re.DOTALL
)


def starting_state(state: dict[str, Any]) -> dict[str, Any]:
    """*state* (a widget-state document) with every learnpacks exercise unanswered and
    unattempted, and every progress panel at nothing done and without its pack place."""
    for model in (state.get("state") or {}).values():
        values = model.get("state") if isinstance(model, dict) else None
        if not isinstance(values, dict):
            continue
        if values.get("exercise_id"):
            for key, start in _START_STATE.items():
                if key in values:
                    values[key] = json.loads(json.dumps(start))
        elif values.get("kind") == "progress":
            if isinstance(values.get("items"), list):
                values["items"] = [
                    {**item, "done": False} if isinstance(item, dict) else item
                    for item in values["items"]
                ]
            if isinstance(values.get("content"), dict):
                # Where the notebook stands in its pack, as the build's kernel saw it: shown in
                # Jupyter only (the site has its own navigation); its sibling titles and count
                # of done exercises date from the notebook's last run, not this build.
                values["content"].pop("pack", None)
    return state


def _model_kinds(states: list[dict[str, Any]]) -> dict[str, str]:
    return {
        model_id: str(((model or {}).get("state") or {}).get("kind", ""))
        for state in states
        for model_id, model in (state.get("state") or {}).items()
    }


_MODEL_ID = re.compile(r"(?<![0-9a-f])[0-9a-f]{32}(?![0-9a-f])")


def stable_model_ids(pagename: str, states: list[dict[str, Any]]) -> dict[str, str]:
    """New ids for the page's widget models, made from the page's name and their order: the
    kernel names each model with a random UUID, so two builds of the same notebook (on two
    machines, or a Dask worker and this one) would write different pages and search indexes."""
    models = [model_id for state in states for model_id in (state.get("state") or {})]
    return {
        old: hashlib.sha256(f"{pagename}\0{index}".encode()).hexdigest()[:32]
        for index, old in enumerate(models)
        if _MODEL_ID.fullmatch(old)
    }


def _renamed(text: str, ids: dict[str, str]) -> str:
    if not ids:
        return text
    return _MODEL_ID.sub(lambda m: ids.get(m.group(0), m.group(0)), text)


def publish_widgets(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> None:
    """Reset the page's widget state to the learner's starting state and put a ``<noscript>``
    notice after each learnpacks widget (see the module docstring)."""
    from learnpacks.book.strings import Strings

    found = []
    for asset in context.get("script_files") or []:
        attributes = getattr(asset, "attributes", None)
        if not isinstance(attributes, dict) or attributes.get("type") != _WIDGET_STATE_TYPE:
            continue
        try:
            state = json.loads(attributes.get("body", ""))
        except ValueError:
            continue  # the widget manager reports a state it cannot read
        found.append((attributes, starting_state(state)))
    states = [state for _, state in found]
    ids = stable_model_ids(pagename, states)
    for attributes, state in found:
        attributes["body"] = sanitize_script_content(_renamed(json.dumps(state), ids))
    body = context.get("body")
    if not states or not isinstance(body, str):
        return
    body = _renamed(body, ids)
    kinds = {ids.get(key, key): kind for key, kind in _model_kinds(states).items()}
    s = Strings(app.config.language or "en")

    def notice(match: re.Match[str]) -> str:
        try:
            kind = kinds.get(json.loads(html.unescape(match.group(1))).get("model_id", ""), "")
        except (ValueError, AttributeError):
            return match.group(0)
        if not kind:
            return match.group(0)  # not a learnpacks widget
        text = (
            s("This media needs JavaScript to play.")
            if kind in _MEDIA_KINDS
            else s("This exercise needs JavaScript.")
        )
        return (
            f'{match.group(0)}<noscript><p class="lp-noscript">{html.escape(text)}</p></noscript>'
        )

    context["body"] = _WIDGET_VIEW.sub(notice, body)


_SCRIPT_BREAKERS = re.compile(r"<(?=[/!])")


def sanitize_script_content(content: str) -> str:
    """Text that can sit inside ``<script>`` whatever it holds (see the module docstring)."""
    return _SCRIPT_BREAKERS.sub(r"\\u003c", content)


def no_source_copies(app: Sphinx, config: Any) -> None:
    """Publish no copy of the page's source notebook (``_sources/``) and no theme button to it: a
    reader's notebook is the site's own download (:mod:`learnpacks.book.published`), whose set-up
    cell knows where the site's learnpacks wheel is; the source copy is the page's build input."""
    config.html_copy_source = False
    config.html_theme_options = {**(config.html_theme_options or {}), "use_download_button": False}


def theme_settings(app: Sphinx, config: Any) -> None:
    """The theme's settings the site needs: a colour mode from the start (the theme's inline
    script read an empty one and logged "Got invalid theme mode" on every page), a logo whose
    wordmark reads in dark mode, and no general index (an empty "Index" page)."""
    config.html_context = {"default_mode": "auto", **(config.html_context or {})}
    options = {**(config.html_theme_options or {})}
    logo = {**(options.get("logo") or {})}
    if config.html_logo and not str(config.html_logo).startswith(("http:", "https:")):
        logo.setdefault("image_light", str(config.html_logo))
        logo.setdefault("image_dark", DARK_LOGO)
    options["logo"] = logo
    config.html_theme_options = options
    config.html_use_index = False


def one_search(app: Sphinx) -> None:
    """Sphinx's own search off: no second index (``searchindex.js``) and no second engine. Its
    page, where the theme's search box and Ctrl+K lead, is the site's Pagefind search
    (:func:`search_page`, the skeleton's ``search.html``)."""
    if app.builder.format == "html":
        app.builder.search = False  # type: ignore[attr-defined]


def search_page(app: Sphinx) -> list[tuple[str, dict[str, Any], str]]:
    if app.builder.format != "html":
        return []
    return [("search", {}, "search.html")]


def disconnect_thebe(app: Sphinx) -> None:
    """Stop sphinx-thebe from adding its scripts and its per-page configuration."""
    for event in ("env-before-read-docs", "doctree-resolved"):
        for listener in list(app.events.listeners.get(event, [])):
            if getattr(listener.handler, "__module__", "") == "sphinx_thebe":
                app.disconnect(listener.id)


def drop_thebe_assets(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> None:
    # In place: the context's lists are the builder's, which handlers after this one append to.
    for key in ("css_files", "script_files"):
        assets = context.get(key)
        if isinstance(assets, list):
            assets[:] = [
                asset
                for asset in assets
                if "sphinx-thebe" not in str(getattr(asset, "filename", asset) or "")
            ]


def setup(app: Sphinx) -> dict[str, Any]:
    from myst_nb.core import render

    render.sanitize_script_content = sanitize_script_content  # looked up at each call
    app.add_config_value("learnpacks_pages", "", "html")
    app.add_config_value("learnpacks_rtl", False, "html")
    app.connect("env-get-outdated", outdated_pages)
    # sphinx-book-theme sets the titles at the default priority (500); run after it.
    app.connect("config-inited", no_source_copies)
    app.connect("config-inited", theme_settings)
    app.connect("builder-inited", one_search)
    app.connect("html-collect-pages", search_page)
    app.connect("builder-inited", disconnect_thebe)
    app.connect("html-page-context", drop_thebe_assets)
    app.connect("html-page-context", escape_theme_titles, priority=900)
    app.connect("html-page-context", add_page_html, priority=900)
    app.connect("html-page-context", publish_widgets, priority=850)
    app.connect("html-page-context", light_widget_assets, priority=900)
    app.connect("html-page-context", add_navigation)
    app.connect("env-get-updated", retitled_packs)
    app.connect("html-page-context", note_written)
    app.connect("build-finished", finish_pages)
    app.setup_extension("learnpacks.book.fallback")
    app.setup_extension("learnpacks.book.theme_i18n")
    return {"parallel_read_safe": True, "parallel_write_safe": True}

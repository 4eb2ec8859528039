"""Marking text shown in a fallback language with ``lang`` (and ``dir``) on the site's pages.

A translated notebook shows each unit it has no usable translation for in a fallback language
(``metadata.learnpacks.translation``: ``untranslated``, ``outdated`` and ``rejected`` units are
shown in the source language unless ``shown_in`` names a broader catalog, ``pt`` for ``pt-BR``).
On the site, the block showing such a unit gets ``lang="<that language>"``, and ``dir`` when its
direction differs from the page's, so that screen readers switch voice and the bidi algorithm
lays out an English sentence on an Arabic page left to right. The learner's notebook is not
changed: this happens in the site build only, in two halves.

**Planning** (:func:`notebook_fallbacks`, called by :mod:`learnpacks.book.source`) lists, for each
notebook page, the blocks shown in another language as ``(kind, text, language)``. *kind* is the
kind of block that shows the unit (:data:`GROUPS`); *text* is the unit's markdown reduced to the
plain text docutils' ``astext()`` gives for it, whitespace-normalised. Only units that are
certainly in that language are listed: the translated notebook's cell must hold the same unit
kinds as the source's (so that unit ids line up), and a unit said to be in the source language
must read exactly as in the source (a translation forced in with ``i18n build --force`` is in
the page's language although the unit is ``rejected``). A text that some other unit of the page
also shows, of the same kind, in the page's language or in another fallback language, is left
out: matching by text could not tell those blocks apart.

**Marking** (a ``doctree-resolved`` handler) walks the page's doctree, skips code cells and
their outputs, and gives each section title, paragraph, table cell and image whose kind and
plain text match a listed block the classes ``lp-fallback`` and ``language-<lang>``, which
docutils' HTML writer turns into ``lang="<lang>"``. Where the direction differs, a marker class
becomes ``dir="ltr"`` (or ``rtl``) in the ``html-page-context`` handler, since docutils writes
no ``dir`` of its own. A list item is marked on its paragraph (``<li><p lang dir>``) so that its
bullet stays on the page's side; a heading on its ``<h2>``, leaving the section's id, anchor and
the table of contents (read before this handler runs) as they were.

Why match by text rather than by position: MyST and myst-nb turn a cell into nodes without
recording which source range each came from, and a position count breaks on the first node
kind the count gets wrong, after which *every* later mark is wrong. A text match can only mark
a block that shows exactly a fallback unit's text, within the unit's kind, on the page that
unit belongs to, and texts shared with a page-language unit are excluded: a wrong mark needs
a block that is not a unit yet reads exactly like a fallback one. A miss only leaves a block
unmarked, as every block was before. Text the reduction renders differently from MyST is
missed: roles (``{term}`x```), footnote references, substitutions, task-list boxes. Strings and
comments in code cells, HTML blocks and the banner's own text are not marked (code is shown
left to right by the theme already).
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import nbformat
from docutils import nodes
from markdown_it import MarkdownIt
from mdit_py_plugins.dollarmath import dollarmath_plugin

from learnpacks.i18n.direction import unwrapped
from learnpacks.i18n.languages import is_rtl
from learnpacks.i18n.units import Unit, cell_units

if TYPE_CHECKING:
    from sphinx.application import Sphinx

FALLBACK_FILE = "_learnpacks_fallback.json"
#: The kind of block that shows each kind of markdown unit. HTML blocks (never rendered: raw
#: HTML is disabled on the site) and code strings and comments are not listed.
GROUPS = {
    "heading": "heading",
    "paragraph": "paragraph",
    "link-text": "paragraph",
    "list-item": "list-item",
    "quote": "quote",
    "table-cell": "table-cell",
    "image-alt": "image",
}
MARK_CLASS = "lp-fallback"
#: Directive boxes whose body ``mdunits`` reads as markdown of its own (``{note}``, ``{sidebar}``).
_BOXES = (nodes.Admonition, nodes.topic, nodes.sidebar)
_DIR_CLASS = "lp-fallback-dir-"
# MyST as Jupyter Book configures it: dollar math, inline $$ math. Raw HTML is disabled on the
# site, so MyST shows an inline tag as its text, which is what an html_inline token holds.
_MD = MarkdownIt("commonmark").use(dollarmath_plugin, double_inline=True)
# docutils reads an image as its alt text, which is what an image token's content holds.
_INLINE_TEXT = {"text", "code_inline", "math_inline", "math_inline_double", "html_inline", "image"}
# A start tag carrying a direction marker class (attribute values hold no quotes or brackets).
_MARKED_TAG = re.compile(r'<[a-zA-Z][^<>]*?\sclass="[^"]*\b' + _DIR_CLASS + r"(ltr|rtl)\b[^<>]*>")


@dataclass(frozen=True, order=True)
class Shown:
    """A block of a page showing text in a language other than the page's."""

    kind: str
    text: str
    lang: str


#: Sphinx's smart quotes turn ' and " into the page language's quotation marks (in German
#: "authors' guide" reads "authors‘ guide"); blocks are compared with every quote folded.
_QUOTES = str.maketrans({q: "'" for q in "‘’‚‛′‹›"} | {q: '"' for q in "“”„‟″«»"})


def normalise(text: str) -> str:
    return " ".join(text.translate(_QUOTES).split())


def plain_text(markdown: str) -> str:
    """The inline *markdown* as docutils' ``astext()`` reads it once MyST renders it, normalised.

    Emphasis and link markup go; code and math keep their content, images their alt text.
    """
    tokens = _MD.parseInline(markdown)
    children = (tokens[0].children or []) if tokens else []
    parts: list[str] = []
    for token in children:
        if token.type in _INLINE_TEXT:
            parts.append(token.content)
        elif token.type in ("softbreak", "hardbreak"):
            parts.append(" ")
    return normalise("".join(parts))


def _key(unit: Unit) -> tuple[str, str] | None:
    group = GROUPS.get(unit.kind)
    return None if group is None else (group, plain_text(unit.text))


def fallback_languages(translation: dict[str, Any]) -> dict[str, str]:
    """Unit id -> the language it is shown in, for the units not shown in the page's language.

    *translation* is a notebook's ``metadata.learnpacks.translation`` as ``i18n build`` writes
    it. A ``rejected`` unit may in fact be in the page's language (forced in with ``--force``):
    :func:`page_fallbacks` checks its text.
    """
    page = translation.get("language")
    source = translation.get("source_language")
    if not isinstance(page, str) or not isinstance(source, str) or page == source:
        return {}
    out: dict[str, str] = {}
    for key in ("untranslated", "outdated", "rejected"):
        ids = translation.get(key)
        for uid in ids if isinstance(ids, list) else []:
            if isinstance(uid, str):
                out[uid] = source
    shown_in = translation.get("shown_in")
    for uid, lang in (shown_in if isinstance(shown_in, dict) else {}).items():
        if isinstance(uid, str) and isinstance(lang, str):
            out[uid] = lang  # a broader catalog (pt for pt-BR), not the source
    return {uid: lang for uid, lang in out.items() if lang != page}


def _by_cell(units: Iterable[Unit]) -> dict[str, list[Unit]]:
    cells: dict[str, list[Unit]] = {}
    for unit in units:
        cells.setdefault(unit.group, []).append(unit)
    return cells


def page_fallbacks(
    source: nbformat.NotebookNode, translated: nbformat.NotebookNode, *, name: str
) -> list[Shown]:
    """The blocks of notebook *name*'s page shown in another language than the page's.

    *source* is the notebook as authored, *translated* the copy ``i18n build`` wrote (with its
    translation metadata). Only units certainly shown in that language, with a text no other
    block of the page shares, are listed (see the module's docstring); the result is sorted.
    """
    translation = translated.get("metadata", {}).get("learnpacks", {}).get("translation")
    languages = fallback_languages(translation) if isinstance(translation, dict) else {}
    if not languages:
        return []
    src_units, _ = cell_units(source, name=name, file=name)
    out_units, _ = cell_units(translated, name=name, file=name)
    src_cells = _by_cell(src_units)
    candidates: dict[tuple[str, str], set[str]] = {}
    blocked: set[tuple[str, str]] = set()
    for cell, units in _by_cell(out_units).items():
        original = src_cells.get(cell, [])
        aligned = [u.kind for u in units] == [u.kind for u in original]
        for n, unit in enumerate(units):
            key = _key(unit)
            if key is None or not key[1]:
                continue
            lang = languages.get(unit.id)
            if lang is None:
                blocked.add(key)  # shown in the page's language
            elif not aligned or (
                lang == translation["source_language"] and unit.text != original[n].text
            ):
                blocked.add(key)  # not certainly in *lang*: keep its text from being marked
            else:
                candidates.setdefault(key, set()).add(lang)
    return sorted(
        Shown(kind, text, next(iter(langs)))
        for (kind, text), langs in candidates.items()
        if len(langs) == 1 and (kind, text) not in blocked
    )


def notebook_fallbacks(source: Path, translated: Path) -> list[dict[str, str]]:
    """:func:`page_fallbacks` of two notebook files, as JSON-ready dicts; ``[]`` if unreadable."""
    try:
        src = nbformat.read(source, as_version=4)
        out = nbformat.read(translated, as_version=4)
    except (OSError, ValueError):
        return []
    for cell in out.cells:
        unwrapped(cell)
    return [asdict(shown) for shown in page_fallbacks(src, out, name=translated.name)]


# --- marking, inside Sphinx -----------------------------------------------------------------


def _in_code_cell(node: nodes.Node) -> bool:
    parent = node.parent
    while parent is not None:
        if isinstance(parent, nodes.Element) and "nb_element" in parent.attributes:
            return True  # a code cell, its source or its outputs (myst-nb containers)
        parent = parent.parent
    return False


def block_key(node: nodes.Element) -> tuple[str, str] | None:
    """The (kind, plain text) under which *node* may show a unit, or None for other nodes."""
    if isinstance(node, nodes.title):
        if not isinstance(node.parent, (nodes.section, *_BOXES)):
            return None
        return "heading", normalise(node.astext())
    if isinstance(node, nodes.entry):
        return "table-cell", normalise(node.astext())
    if isinstance(node, nodes.image):
        return "image", normalise(str(node.get("alt", "")))
    if isinstance(node, nodes.paragraph):
        # the nearest container, as in mdunits; a directive's body was read on its own there
        parent = node.parent
        while parent is not None and not isinstance(
            parent, (nodes.list_item, nodes.block_quote, nodes.entry, *_BOXES)
        ):
            parent = parent.parent
        if isinstance(parent, nodes.entry):
            return None  # the table cell is the block
        if all(isinstance(c, nodes.image) or not c.astext().strip() for c in node.children):
            return None  # a row of images: each image is the block
        kind = {nodes.list_item: "list-item", nodes.block_quote: "quote"}.get(
            type(parent), "paragraph"
        )
        return kind, normalise(node.astext())
    return None


def mark(doctree: nodes.Node, shown: Iterable[Shown], *, language: str) -> int:
    """Give each block of *doctree* that shows one of *shown* its language; returns how many.

    A block that already names a language (``language-*`` class) is left alone.
    """
    wanted = {(s.kind, s.text): s.lang for s in shown}
    if not wanted:
        return 0
    rtl = is_rtl(language)
    count = 0
    for node in doctree.findall(nodes.Element):
        key = block_key(node)
        lang = wanted.get(key) if key else None
        if lang is None or lang == language or _in_code_cell(node):
            continue
        if any(c.startswith("language-") for c in node["classes"]):
            continue
        node["classes"] += [MARK_CLASS, f"language-{lang}"]
        if is_rtl(lang) != rtl:
            node["classes"].append(_DIR_CLASS + ("rtl" if is_rtl(lang) else "ltr"))
        count += 1
    return count


def _fallbacks(app: Sphinx) -> dict[str, list[Shown]]:
    cached = getattr(app, "_learnpacks_fallback", None)
    if cached is None:
        name = app.config.learnpacks_fallback
        path = Path(app.srcdir) / name if name else None
        data = json.loads(path.read_text(encoding="utf-8")) if path and path.is_file() else {}
        cached = {doc: [Shown(**item) for item in items] for doc, items in data.items()}
        app._learnpacks_fallback = cached  # type: ignore[attr-defined]
    return cached


def mark_fallbacks(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    shown = _fallbacks(app).get(docname)
    if shown:
        mark(doctree, shown, language=app.config.language or "en")


def set_directions(html: str) -> str:
    """*html* with each direction marker class replaced by a ``dir`` attribute."""

    def replace(match: re.Match[str]) -> str:
        direction = match.group(1)
        tag = re.sub(r"\s*\b" + _DIR_CLASS + direction + r"\b", "", match.group(0), count=1)
        return re.sub(r"^<[a-zA-Z][a-zA-Z0-9]*", rf'\g<0> dir="{direction}"', tag)

    return _MARKED_TAG.sub(replace, html)


_MARKED_SECTION = re.compile(
    r'<section id="([^"]+)">\s*<h[1-6]\b[^>]*?\blang="([^"]+)"(?:[^>]*?\bdir="([^"]+)")?'
)


def mark_toc(toc: str, body: str) -> str:
    """*toc* (the page's "On this page" links) with the link to each heading shown in a fallback
    language marked as that heading is (``lang``, and ``dir`` when it has one)."""
    marked = {m.group(1): (m.group(2), m.group(3)) for m in _MARKED_SECTION.finditer(body)}
    if not marked:
        return toc

    def replace(match: re.Match[str]) -> str:
        found = marked.get(match.group(2))
        if found is None:
            return match.group(0)
        lang, direction = found
        extra = f' lang="{lang}"' + (f' dir="{direction}"' if direction else "")
        return match.group(1) + extra + match.group(3)

    return re.sub(r'(<a class="reference internal" href="#([^"]+)")(>)', replace, toc)


def add_directions(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> None:
    body = context.get("body")
    if isinstance(body, str) and _DIR_CLASS in body:
        context["body"] = set_directions(body)


def mark_toc_links(
    app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any
) -> None:
    body, toc = context.get("body"), context.get("toc")
    if isinstance(body, str) and isinstance(toc, str) and "lp-fallback" in body:
        context["toc"] = mark_toc(toc, set_directions(body))


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_config_value("learnpacks_fallback", "", "html")
    app.connect("doctree-resolved", mark_fallbacks)
    # before sphinx_ext wraps the body (priority 900)
    app.connect("html-page-context", add_directions, priority=800)
    # before the themes' handlers, which read (and cache) the page's table of contents
    app.connect("html-page-context", mark_toc_links, priority=100)
    return {"parallel_read_safe": True, "parallel_write_safe": True}

"""Sphinx extension loaded into every learnpacks site build.

- Adds the HTML that :mod:`learnpacks.book.source` prepared for each page (language switcher,
  translation banner, launch buttons, catalog, overview, search filters) around the page body, inside
  a ``data-pagefind-body`` element so that search indexes the content, not the navigation.
- Marks right-to-left languages with ``dir="rtl"`` on ``<html>`` (Sphinx sets ``lang`` only), and
  names the theme's icon-only navigation toggles (axe-core ``summary-name``).
- Escapes the page titles sphinx-book-theme 1.3 prints unescaped: it sets
  ``context["pagetitle"] = title.astext()`` and its layout prints ``{{ pagetitle }}``, so a notebook
  heading such as ``# <img src=x onerror=alert(1)>`` became live HTML (THREATS.md case 52).
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path
from typing import Any

from sphinx.application import Sphinx

_TEXT_KEYS = ("pagetitle", "root_title")
_HTML_TAG = re.compile(r"<html(?![^>]*\bdir=)", re.IGNORECASE)
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
    if "body" not in context:
        return
    extra = _pages(app).get(pagename, {})
    context["body"] = (
        f"<div data-pagefind-body>{extra.get('prepend', '')}{context['body']}{extra.get('append', '')}</div>"
    )


def postprocess_pages(app: Sphinx, exception: Exception | None) -> None:
    """Name the theme's navigation toggles, and set ``dir="rtl"`` for right-to-left languages."""
    if exception is not None or app.builder.format != "html":
        return
    from learnpacks.book.strings import Strings

    s = Strings(app.config.language or "en")

    def name_toggle(match: re.Match[str]) -> str:
        label = html.escape(
            s("Show or hide: {title}", title=html.unescape(match.group(2).strip())), quote=True
        )
        return f'{match.group(1)}{match.group(2)}{match.group(3)}<summary aria-label="{label}">'

    for page in Path(app.outdir).rglob("*.html"):
        text = page.read_text(encoding="utf-8")
        changed = _NAV_TOGGLE.sub(name_toggle, text)
        if app.config.learnpacks_rtl:
            changed = _HTML_TAG.sub('<html dir="rtl"', changed, count=1)
        if changed != text:
            page.write_text(changed, encoding="utf-8")


def setup(app: Sphinx) -> dict[str, Any]:
    app.add_config_value("learnpacks_pages", "", "html")
    app.add_config_value("learnpacks_rtl", False, "html")
    # sphinx-book-theme sets the titles at the default priority (500); run after it.
    app.connect("html-page-context", escape_theme_titles, priority=900)
    app.connect("html-page-context", add_page_html, priority=900)
    app.connect("build-finished", postprocess_pages)
    return {"parallel_read_safe": True, "parallel_write_safe": True}

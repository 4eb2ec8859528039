"""Sphinx extension loaded into every learnpacks site build.

sphinx-book-theme 1.3 puts a page's title into the template as plain text
(``context["pagetitle"] = title.astext()``) and its layout prints
``{{ pagetitle }}`` without escaping, so a notebook heading such as
``# <img src=x onerror=alert(1)>`` became live HTML (THREATS.md case 52). The
handler below runs after the theme's and escapes those values.
"""

from __future__ import annotations

import html
from typing import Any

from sphinx.application import Sphinx

_TEXT_KEYS = ("pagetitle", "root_title")


def escape_theme_titles(app: Sphinx, pagename: str, templatename: str, context: dict[str, Any], doctree: Any) -> None:
    for key in _TEXT_KEYS:
        value = context.get(key)
        if isinstance(value, str) and not getattr(value, "__html__", None):
            context[key] = html.escape(value, quote=True)


def setup(app: Sphinx) -> dict[str, Any]:
    # sphinx-book-theme sets the titles at the default priority (500); run after it.
    app.connect("html-page-context", escape_theme_titles, priority=900)
    return {"parallel_read_safe": True, "parallel_write_safe": True}

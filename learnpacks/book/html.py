"""A tiny HTML builder that escapes every text and attribute value.

Pack metadata and translations are untrusted; the pages the site generates from them go through
:func:`el` only, so nothing they contain can become markup.
"""

from __future__ import annotations

from collections.abc import Mapping
from html import escape

from learnpacks.safety import URL_ATTRIBUTES, is_linkable


class Markup(str):
    """HTML that is already safe (built by :func:`el`)."""


class Untranslated(str):
    """A site string shown in the source language because the page's has no translation yet:
    :func:`render` marks it with its language (``lang="en"``) wherever it is an element's text.
    (In an attribute it stays as it is: an attribute cannot say its language.)"""

    lang = "en"


def el(tag: str, attrs: Mapping[str, object] | None = None, *children: object) -> Markup:
    """``<tag attrs>children</tag>``; strings are escaped, :class:`Markup` is kept, ``None`` skipped."""
    parts = [f"<{tag}"]
    for key, value in (attrs or {}).items():
        if value is None or value is False:
            continue
        name = key.rstrip("_").replace("_", "-")
        if value is True:
            parts.append(f" {name}")
        else:
            text = str(value)
            if name in URL_ATTRIBUTES and not safe_url(text):
                text = "#"
            parts.append(f' {name}="{escape(text, quote=True)}"')
    parts.append(">")
    if tag in ("input", "img", "meta", "link", "br"):
        return Markup("".join(parts))
    parts.extend(render(child) for child in children)
    parts.append(f"</{tag}>")
    return Markup("".join(parts))


def render(child: object) -> str:
    if child is None:
        return ""
    if isinstance(child, Markup):
        return child
    if isinstance(child, (list, tuple)):
        return "".join(render(c) for c in child)
    if isinstance(child, Untranslated):
        return f'<span lang="{child.lang}" dir="ltr">{escape(str(child), quote=False)}</span>'
    return escape(str(child), quote=False)


def safe_url(url: str) -> bool:
    """May *url* be linked? :func:`learnpacks.safety.is_linkable`, the rule ``check`` and
    ``i18n check`` apply (http(s), mailto and relative URLs, however encoded)."""
    return is_linkable(url)

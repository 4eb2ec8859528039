"""The theme's Font Awesome icons as one small stylesheet, instead of its 1.4 MB script.

pydata-sphinx-theme 0.17 loads ``_static/scripts/fontawesome.js`` on every page (its
``webpack-macros.html`` hard-codes the tag; no option turns it off). That script holds every Font
Awesome icon and swaps each ``<i class="fa-solid fa-bars">`` for an inline SVG. After a build,
:func:`replace_fontawesome`:

- reads the definitions (viewBox and path data) of the icons the pages use from the theme's own
  installed ``fontawesome.js`` (a dependency: no icon data lives in this repository);
- writes ``_static/learnpacks-icons.css``, which draws each used icon as a CSS mask in the
  element's ``::before`` (where the theme's Font Awesome CSS puts its font glyph), so it takes the
  text colour and the theme's sizes (``fa-lg``, ``fa-fw``);
- links that stylesheet in place of the script on every page, marks the icon elements
  ``aria-hidden`` (they are decorative; their buttons carry the labels) and deletes the script.

Icons a page uses but the theme's script does not define are returned, so the build can warn.
"""

from __future__ import annotations

import json
import re
import zlib
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from urllib.parse import quote

from learnpacks.errors import LearnpacksError

STYLESHEET = "learnpacks-icons.css"
SCRIPT = "scripts/fontawesome.js"  # under _static/, in the theme and in the built site
_PACK_STYLES = {"fas": "solid", "far": "regular", "fab": "brands"}
_STYLE_CLASSES = {
    "fa": "solid",
    "fas": "solid",
    "fa-solid": "solid",
    "far": "regular",
    "fa-regular": "regular",
    "fab": "brands",
    "fa-brands": "brands",
}

# One icon pack in the minified script: `var p={bars:[448,512,["navicon"],"f0c9","M0 96…"],…};`
# then a call registering it, `…d("fas",p),d("fa-solid",p)`.
_PACK = re.compile(r'var (\w+)=\{([^{};]*)\};!function\b.{0,400}?\w\("(fa\w?)",\1\)', re.S)
_ENTRY = re.compile(
    r'(?:"([a-z0-9-]+)"|([a-z0-9]+)):\[(\d+),(\d+),\[([^\]]*)\],"[0-9a-f]*",'
    r'("[^"]*"|\[(?:"[^"]*",?)*\])\]'
)
_CSS_CLASS = re.compile(r"\.(fa-[a-z0-9-]+)")
_TAG = re.compile(r'<([a-zA-Z][a-zA-Z0-9]*)\b([^<>]*?\sclass="([^"]*)"[^<>]*)>')
_ICON_ASSET = re.compile(
    r'<script defer src="([^"]*)_static/scripts/fontawesome\.js(?:\?[^"]*)?"></script>'
    r'|<link rel="stylesheet" href="([^"]*)_static/learnpacks-icons\.css(?:\?[^"]*)?" />'
)
_JS_TOKEN = re.compile(r"\bfa-[a-z0-9-]+")
# The theme's CSS sizes and shows the header icons by their SVG; these rules do the same for <i>.
_THEME_COMPAT = """\
.search-button-field>:is(.fa,.fas,.far,.fab,.fa-solid,.fa-regular,.fa-brands){display:flex}
.bd-header-article .btn :is(.fa,.fas,.far,.fab,.fa-solid,.fa-regular,.fa-brands){font-size:1.3rem}
ul.navbar-icon-links :is(.fa-solid,.fa-regular,.fa-brands){font-size:var(--pst-font-size-icon);vertical-align:middle}
#pst-search-dialog[open] form.bd-search .fa-magnifying-glass{font-size:var(--pst-font-size-icon)}
"""


class IconFormatError(LearnpacksError):
    """The theme's ``fontawesome.js`` is not laid out as this module expects (a theme upgrade?)."""

    default_code = "book.icon-format"


@dataclass(frozen=True)
class Icon:
    width: int
    height: int
    paths: tuple[str, ...]

    def svg(self) -> str:
        body = "".join(f"<path d='{d}'/>" for d in self.paths)
        return f"<svg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 {self.width} {self.height}'>{body}</svg>"


@dataclass(frozen=True)
class IconSet:
    #: (style, name) -> icon; aliases (``navicon`` for ``bars``) included
    icons: dict[tuple[str, str], Icon]
    #: Font Awesome's own classes that are not icons: styles, sizes, ``fa-fw``, animations …
    modifiers: frozenset[str]
    #: the script's licence header, repeated in the stylesheet
    notice: str = ""


def theme_script() -> Path:
    """The installed pydata-sphinx-theme's ``fontawesome.js``."""
    static = resources.files("pydata_sphinx_theme") / "theme" / "pydata_sphinx_theme" / "static"
    return Path(str(static / SCRIPT))


def parse_fontawesome(text: str) -> IconSet:
    """The icons defined in the text of Font Awesome's minified ``fontawesome.js``.

    Raises :class:`IconFormatError` when no icon pack is found, a pack's body has anything but
    icon entries, or the solid style is missing.
    """
    icons: dict[tuple[str, str], Icon] = {}
    for pack in _PACK.finditer(text):
        style = _PACK_STYLES.get(pack.group(3))
        if style is None:
            continue
        body, pos = pack.group(2), 0
        while pos < len(body):
            entry = _ENTRY.match(body, pos)
            if entry is None:
                raise IconFormatError(
                    f"fontawesome.js: cannot read the {style} icon at {body[pos : pos + 60]!r}"
                )
            name = entry.group(1) or entry.group(2)
            raw = entry.group(6)
            paths = tuple(re.findall(r'"([^"]*)"', raw)) if raw.startswith("[") else (raw[1:-1],)
            icon = Icon(int(entry.group(3)), int(entry.group(4)), tuple(p for p in paths if p))
            if not icon.paths or not icon.width or not icon.height:
                raise IconFormatError(f"fontawesome.js: the {style} icon {name!r} has no shape")
            for alias in [name, *re.findall(r'"([a-z0-9-]+)"', entry.group(5))]:
                icons.setdefault((style, alias), icon)
            pos = entry.end() + (1 if body.startswith(",", entry.end()) else 0)
    if not any(style == "solid" for style, _ in icons):
        raise IconFormatError(
            "fontawesome.js: no solid icon pack found (the theme's Font Awesome bundle changed?)"
        )
    return IconSet(icons, frozenset(_CSS_CLASS.findall(text)) | set(_STYLE_CLASSES))


def _comment_text(text: str) -> str:
    """The text of a ``/*! … */`` block, safe to put inside another CSS comment."""
    lines = (re.sub(r"^\s*(?:/\*!?|\*/|\*)?\s?", "", line) for line in text.splitlines())
    return "\n".join(line for line in lines if line.strip()).replace("*/", "* /")


def load_icons(script: Path | None = None) -> IconSet:
    """:func:`parse_fontawesome` of *script* (default: the theme's), with its licence notice."""
    script = script or theme_script()
    found = parse_fontawesome(script.read_text(encoding="utf-8"))
    licence = script.with_name(script.name + ".LICENSE.txt")
    if licence.is_file():
        notice = _comment_text(licence.read_text(encoding="utf-8"))
        found = IconSet(found.icons, found.modifiers, notice)
    return found


def classes_used(classes: str, icon_set: IconSet) -> tuple[set[tuple[str, str]], set[str]]:
    """The (style, name) icons named by one ``class`` attribute, and its unknown ``fa-`` classes."""
    tokens = classes.split()
    styles = [_STYLE_CLASSES[t] for t in tokens if t in _STYLE_CLASSES]
    style = "brands" if "brands" in styles else "regular" if "regular" in styles else "solid"
    found, unknown = set(), set()
    for token in tokens:
        if not token.startswith("fa-") or token in icon_set.modifiers:
            continue
        name = token[3:]
        if (style, name) in icon_set.icons:
            found.add((style, name))
        else:
            unknown.add(token)
    return found, unknown


#: The theme's CSS draws a font glyph before links to downloadable files (MyST makes a link to a
#: data file one): the same icon, drawn as a mask, so the page needs no icon font.
_DOWNLOAD_LINK = (
    'a.reference.download::before{{content:"";font:inherit;display:inline-block;width:.8em;'
    "height:.8em;padding:0;margin-inline:.25em;vertical-align:-.05em;background-color:currentColor;"
    "-webkit-mask:{mask} center/contain no-repeat;mask:{mask} center/contain no-repeat}}"
)


def _mask(icon: Icon) -> str:
    url = quote(icon.svg(), safe=" /:='.,-")
    return f'url("data:image/svg+xml,{url}")'


def stylesheet(
    used: Iterable[tuple[str, str]], icon_set: IconSet, *, download_links: bool = False
) -> str:
    """CSS drawing each (style, name) icon in *used* as a mask over the text colour, and, with
    *download_links*, the icon the theme puts before links to downloadable files."""
    used = sorted(set(used))
    lines = [f"/* Generated by learnpacks from the theme's fontawesome.js.\n{icon_set.notice} */"]
    if used:
        names = ",".join(sorted({f".fa-{name}" for _, name in used}))
        # Not the theme's icon font: a line box in it would download the font (156 KB) unused.
        lines.append(f":is({names}){{font-family:inherit}}")
        lines.append(
            f':is({names})::before{{content:"";display:inline-block;width:var(--lp-icon-w,1em);height:1em;vertical-align:-.125em;background-color:currentColor;-webkit-mask:var(--lp-icon) center/contain no-repeat;mask:var(--lp-icon) center/contain no-repeat}}'
        )
    for style, name in used:
        icon = icon_set.icons[(style, name)]
        selector = {
            "solid": f".fa-{name}",
            "regular": f".fa-regular.fa-{name},.far.fa-{name}",
            "brands": f".fa-brands.fa-{name},.fab.fa-{name}",
        }[style]
        width = f"{icon.width / icon.height:.4g}em"
        lines.append(f"{selector}{{--lp-icon:{_mask(icon)};--lp-icon-w:{width}}}")
    download = icon_set.icons.get(("solid", "download"))
    if download_links and download is not None:
        lines.append(_DOWNLOAD_LINK.format(mask=_mask(download)))
    lines.append(_THEME_COMPAT)
    return "\n".join(lines)


def _html_pages(outdir: Path) -> list[Path]:
    return [
        p
        for p in sorted(outdir.rglob("*.html"))
        if not any(part.startswith("_") for part in p.relative_to(outdir).parts[:-1])
    ]


def replace_fontawesome(
    outdir: Path,
    icon_set: IconSet | None = None,
    *,
    pages: Iterable[Path] | None = None,
    edit: Callable[[Path, str], str] | None = None,
    remember: Path | None = None,
) -> dict[str, set[str]]:
    """Swap the theme's ``fontawesome.js`` for a stylesheet of the icons used in *outdir*'s pages.

    *pages*: the pages to rewrite (default: every page of *outdir*); *edit*: a change of the caller's
    made to each page's text in the same read and write; *remember*: a JSON file keeping the icons
    of the pages not rewritten this time (an incremental build rewrites only the pages it wrote),
    so the stylesheet still draws them.

    Idempotent (pages already rewritten get the fresh stylesheet link). Returns, per page (path
    relative to *outdir*), the ``fa-`` classes that name no icon the theme defines.
    """
    icon_set = icon_set or load_icons()
    used: set[tuple[str, str]] = set()
    download_links = False
    if remember is not None and remember.is_file():
        kept = json.loads(remember.read_text(encoding="utf-8"))
        used |= {(str(style), str(name)) for style, name in kept.get("icons", [])}
        download_links = bool(kept.get("download_links"))
    missing: dict[str, set[str]] = {}
    # Two passes, one page in memory at a time (holding the site's pages, read and edited, made
    # the build's memory grow by twice the site's HTML): the first makes every change but the
    # stylesheet's address, which carries a digest of the icons every page uses; the second
    # only writes that address.
    rewritten: list[Path] = []
    for page in _html_pages(outdir) if pages is None else pages:
        if not page.is_file():
            continue
        original = page.read_text(encoding="utf-8")
        text = edit(page, original) if edit else original
        rel = page.relative_to(outdir).as_posix()

        def hide(match: re.Match[str], rel: str = rel) -> str:
            found, unknown = classes_used(match.group(3), icon_set)
            used.update(found)
            if unknown:
                missing.setdefault(rel, set()).update(unknown)
            attrs = match.group(2)
            if "aria-hidden" in attrs or not found:
                return match.group(0)
            return f'<{match.group(1)} aria-hidden="true"{attrs}>'

        text = _TAG.sub(hide, text)
        download_links = download_links or 'class="reference download' in text
        if text != original:
            page.write_text(text, encoding="utf-8")
        rewritten.append(page)
    # Scripts insert icons too (pydata-sphinx-theme's banner close button: `fa-solid fa-xmark`).
    for script in sorted((outdir / "_static").rglob("*.js")):
        if script.name != "fontawesome.js":
            for token in _JS_TOKEN.findall(script.read_text(encoding="utf-8", errors="replace")):
                if ("solid", token[3:]) in icon_set.icons:
                    used.add(("solid", token[3:]))
    if remember is not None:
        remember.parent.mkdir(parents=True, exist_ok=True)
        remember.write_text(
            json.dumps({"icons": sorted(used), "download_links": download_links}),
            encoding="utf-8",
        )
    css = stylesheet(used, icon_set, download_links=download_links).encode("utf-8")
    (outdir / "_static").mkdir(parents=True, exist_ok=True)
    target = outdir / "_static" / STYLESHEET
    if not target.is_file() or target.read_bytes() != css:
        target.write_bytes(css)
    version = f"{zlib.crc32(css):08x}"

    def link(match: re.Match[str]) -> str:
        prefix = match.group(1) if match.group(1) is not None else match.group(2)
        return f'<link rel="stylesheet" href="{prefix}_static/{STYLESHEET}?v={version}" />'

    for page in rewritten:
        text = page.read_text(encoding="utf-8")
        linked = _ICON_ASSET.sub(link, text)
        if linked != text:
            page.write_text(linked, encoding="utf-8")
    for leftover in (SCRIPT, SCRIPT + ".map"):
        (outdir / "_static" / leftover).unlink(missing_ok=True)
    return missing

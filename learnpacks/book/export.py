"""``learnpacks export zip``: one pack as an offline bundle (notebooks, data, HTML that works from disk).

The bundle is read from a built site (``book/_build/site/``, see :mod:`learnpacks.book.build`) and the
pack's source folder. Layout of ``<pack-id>.zip``::

    README.html                          what is inside, links to the pages, how to run the notebooks
    notebooks/...                        the pack folder: notebooks (as readers download them),
                                         data files, pack.yml, and the learnpacks wheel
    html/<lang>/packs/<pack-id>/...      the pack's pages, per built language
    html/<lang>/_static/... _images/...  every file those pages load

Paths under ``html/`` are the site's own, so the pages' relative links keep working from ``file://``.
Links to pages that are not in the bundle (other packs, the site index) are disabled rather than left
to fail. Assets are followed from ``src``/``href`` attributes and CSS ``url()``; folders of scripts and
styles (``_static``, ``_vendor``, ``pagefind``) are copied whole because scripts load files from them
that no attribute names.
"""

from __future__ import annotations

import html
import os
import posixpath
import re
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from html.parser import HTMLParser
from pathlib import Path, PurePosixPath
from urllib.parse import unquote, urlsplit

from learnpacks.errors import Problem, UsageError
from learnpacks.packs.catalog import Catalog, Pack

EXPORT_DIR = Path("book") / "_build" / "exports"

#: (tag, attribute) pairs whose URL the browser loads to render the page.
_ASSET_ATTRS = {
    ("script", "src"),
    ("img", "src"),
    ("img", "srcset"),
    ("source", "src"),
    ("source", "srcset"),
    ("video", "src"),
    ("video", "poster"),
    ("audio", "src"),
    ("track", "src"),
    ("iframe", "src"),
    ("embed", "src"),
    ("object", "data"),
    ("input", "src"),
    ("image", "href"),
    ("image", "xlink:href"),
    ("use", "href"),
    ("use", "xlink:href"),
}
#: ``<link rel=...>`` values that make the browser fetch the URL.
_LOADING_RELS = {"stylesheet", "preload", "modulepreload", "icon", "shortcut", "apple-touch-icon"}
#: Folders whose files are copied one by one, only when a page references them.
_PER_FILE_FOLDERS = {"_images", "_downloads", "_sources"}
#: Files of a whole asset folder that no page loads: source maps, build-time catalogs, templates.
_SKIPPED_SUFFIXES = {".map", ".po", ".mo", ".html", ".htm"}
#: Parts of a pack folder that are never exported (same rule as the site build).
_PRIVATE_PARTS = {"__pycache__", ".ipynb_checkpoints"}
_CSS_URL = re.compile(r"""url\(\s*(['"]?)([^'")]+)\1\s*\)|@import\s+(['"])([^'"]+)\3""")
_ZIP_TIME = (1980, 1, 1, 0, 0, 0)


@dataclass(frozen=True)
class _Tag:
    start: int  # character offset of the tag's ``<`` in the page
    raw: str
    name: str
    attrs: list[tuple[str, str | None]]
    closed: bool

    def get(self, attr: str) -> str | None:
        return next((v for k, v in self.attrs if k == attr), None)


class _TagScanner(HTMLParser):
    """Collects start tags with their position, and the text of ``<style>`` elements."""

    def __init__(self, text: str) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[_Tag] = []
        self.styles: list[str] = []
        self._in_style = False
        self._line_starts = [0] + [m.end() for m in re.finditer("\n", text)]
        self.feed(text)
        self.close()

    def _record(self, name: str, attrs: list[tuple[str, str | None]], closed: bool) -> None:
        line, col = self.getpos()
        raw = self.get_starttag_text() or ""
        self.tags.append(_Tag(self._line_starts[line - 1] + col, raw, name, attrs, closed))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._record(tag, attrs, closed=False)
        self._in_style = tag == "style"

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._record(tag, attrs, closed=True)

    def handle_endtag(self, tag: str) -> None:
        if tag == "style":
            self._in_style = False

    def handle_data(self, data: str) -> None:
        if self._in_style:
            self.styles.append(data)


@dataclass(frozen=True)
class Reference:
    """One URL a page or stylesheet names: ``asset`` when loaded to render, else a link."""

    url: str
    asset: bool
    tag: str
    attr: str


def _srcset_urls(value: str) -> list[str]:
    return [part.strip().split()[0] for part in value.split(",") if part.strip()]


def _tag_references(tag: _Tag) -> Iterator[tuple[Reference, str]]:
    """(reference, attribute) pairs of one start tag."""
    for attr, value in tag.attrs:
        if value is None:
            continue
        if attr == "style":
            for url in css_urls(value):
                yield Reference(url, True, tag.name, attr), attr
        elif (tag.name, attr) in _ASSET_ATTRS:
            urls = _srcset_urls(value) if attr == "srcset" else [value.strip()]
            for url in urls:
                yield Reference(url, True, tag.name, attr), attr
        elif tag.name == "link" and attr == "href":
            rels = set((tag.get("rel") or "").lower().split())
            yield Reference(value.strip(), bool(rels & _LOADING_RELS), tag.name, attr), attr
        elif (tag.name, attr) in {("a", "href"), ("area", "href")}:
            yield Reference(value.strip(), False, tag.name, attr), attr


def css_urls(css: str) -> list[str]:
    """URLs a stylesheet (or a ``style`` attribute) loads: ``url(...)`` and ``@import``."""
    return [m.group(2) or m.group(4) for m in _CSS_URL.finditer(css)]


def page_references(text: str) -> list[Reference]:
    """Every URL an HTML page names in tags, ``style`` attributes and ``<style>`` elements."""
    scanner = _TagScanner(text)
    refs = [ref for tag in scanner.tags for ref, _ in _tag_references(tag)]
    refs += [Reference(url, True, "style", "") for css in scanner.styles for url in css_urls(css)]
    return refs


def is_external(url: str) -> bool:
    """Does *url* name another host (``https://...``, ``//host/...``)?"""
    parts = urlsplit(url)
    return parts.scheme in ("http", "https") or (not parts.scheme and bool(parts.netloc))


def resolve(base: PurePosixPath, url: str) -> PurePosixPath | None:
    """The site-relative file *url* names from the file *base*, or None.

    None for other hosts, ``data:``/``javascript:``/``mailto:`` URLs, in-page anchors, root-absolute
    paths and paths that climb out of the site.
    """
    parts = urlsplit(url)
    if parts.scheme or parts.netloc or not parts.path or parts.path.startswith("/"):
        return None
    joined = posixpath.normpath(posixpath.join(str(base.parent), unquote(parts.path)))
    if joined in (".", "") or joined == ".." or joined.startswith("../"):
        return None
    return PurePosixPath(joined)


def _walk_files(folder: Path) -> Iterator[Path]:
    """Files under *folder*, following directory links (``site/<lang>`` is one) without looping."""
    seen: set[str] = set()
    for dirpath, dirnames, filenames in os.walk(folder, followlinks=True):
        real = os.path.realpath(dirpath)
        if real in seen:
            dirnames[:] = []
            continue
        seen.add(real)
        dirnames.sort()
        for name in sorted(filenames):
            yield Path(dirpath, name)


def site_files(site_dir: Path) -> list[PurePosixPath]:
    """Every file of the built site, as sorted site-relative paths, without hidden files."""
    files = []
    for path in _walk_files(site_dir):
        rel = PurePosixPath(path.relative_to(site_dir).as_posix())
        if not any(part.startswith(".") for part in rel.parts) and path.is_file():
            files.append(rel)
    return sorted(files)


def built_languages(site_dir: Path) -> list[str]:
    """Languages with a built site: the folders of *site_dir* holding an ``index.html``."""
    if not site_dir.is_dir():
        return []
    return sorted(
        p.name
        for p in site_dir.iterdir()
        if p.is_dir() and not p.name.startswith((".", "_")) and (p / "index.html").is_file()
    )


def _asset_folder(target: PurePosixPath) -> PurePosixPath | None:
    """The script/style folder copied whole when *target* is in it (``en/_static``), or None."""
    for i, part in enumerate(target.parts[:-1]):
        if part in _PER_FILE_FOLDERS:
            return None
        if part.startswith("_") or part == "pagefind":
            return PurePosixPath(*target.parts[: i + 1])
    return None


@dataclass
class BundlePlan:
    """What the zip will hold (member name -> bytes or source file) and what was found on the way."""

    pack_id: str
    members: dict[str, bytes | Path] = field(default_factory=dict)
    languages: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)


class _SiteCopy:
    """Collects a set of pages and, transitively, every local file they load."""

    def __init__(self, site_dir: Path) -> None:
        self.site = site_dir
        self.files: set[PurePosixPath] = set()
        self._folders: set[PurePosixPath] = set()
        self.external: dict[str, tuple[str, int]] = {}  # url -> (first file naming it, count)
        self.missing: dict[str, str] = {}  # target -> first file naming it
        self._queue: list[PurePosixPath] = []

    def _exists(self, rel: PurePosixPath) -> bool:
        return (self.site / rel).is_file()

    def add(self, rel: PurePosixPath) -> None:
        if rel not in self.files and not any(p.startswith(".") for p in rel.parts):
            self.files.add(rel)
            self._queue.append(rel)

    def _add_folder(self, folder: PurePosixPath) -> None:
        for path in _walk_files(self.site / folder):
            rel = folder / path.relative_to(self.site / folder).as_posix()
            # HTML in these folders is theme templates, never a page; a page an iframe loads is
            # added on its own when the reference is followed.
            if path.suffix.lower() in _SKIPPED_SUFFIXES or rel in self.files:
                continue
            self.files.add(rel)
            if rel.suffix.lower() == ".css":  # followed for fonts and images
                self._queue.append(rel)

    def _asset(self, source: PurePosixPath, url: str) -> None:
        if is_external(url):
            first, count = self.external.get(url, (str(source), 0))
            self.external[url] = (first, count + 1)
            return
        target = resolve(source, url)
        if target is None:
            return
        if (self.site / target).is_dir():
            target = target / "index.html"
        if not self._exists(target):
            self.missing.setdefault(str(target), str(source))
            return
        folder = _asset_folder(target)
        if folder is not None and folder not in self._folders:
            self._folders.add(folder)
            self._add_folder(folder)
        self.add(target)

    def close(self) -> None:
        """Follow references until every loaded file is in :attr:`files`."""
        while self._queue:
            rel = self._queue.pop()
            suffix = rel.suffix.lower()
            if suffix in (".html", ".htm"):
                text = (self.site / rel).read_text(encoding="utf-8", errors="replace")
                for ref in page_references(text):
                    if ref.asset:
                        self._asset(rel, ref.url)
                    elif not is_external(ref.url):
                        target = resolve(rel, ref.url)
                        # a download (notebook source, data file) travels with the page; pages do not
                        if (
                            target is not None
                            and target.suffix.lower() not in (".html", ".htm")
                            and self._exists(target)
                        ):
                            self.add(target)
            elif suffix == ".css":
                css = (self.site / rel).read_text(encoding="utf-8", errors="replace")
                for url in css_urls(css):
                    self._asset(rel, url)

    def members(self) -> list[PurePosixPath]:
        return sorted(self.files)


def _relink(text: str, page: PurePosixPath, keep: set[PurePosixPath]) -> str:
    """*text* with its links to local pages outside *keep* changed, else unchanged.

    A link to the site's or the language's front page goes to the bundle's ``README.html``; other
    links to pages that are not in the bundle lose their ``href`` and say so.
    """
    readme = posixpath.relpath("README.html", posixpath.join("html", str(page.parent)))
    front = {PurePosixPath("index.html"), PurePosixPath(page.parts[0]) / "index.html"}
    scanner = _TagScanner(text)
    out: list[str] = []
    pos = 0
    for tag in scanner.tags:
        if tag.name not in ("a", "area", "link") or tag.get("href") is None:
            continue
        if tag.name == "link" and set((tag.get("rel") or "").lower().split()) & _LOADING_RELS:
            continue
        href = tag.get("href") or ""
        target = resolve(page, href)
        if target is None or target in keep:
            continue
        if target.suffix.lower() not in (".html", ".htm", ""):
            continue
        attrs: list[tuple[str, str | None]]
        if target in front and tag.name != "link":
            attrs = [(k, readme if k == "href" else v) for k, v in tag.attrs]
        elif tag.name == "link":
            attrs = [(k, v) for k, v in tag.attrs if k != "href"]
        else:
            attrs = [(k, v) for k, v in tag.attrs if k not in ("href", "title", "aria-disabled")]
            attrs += [("aria-disabled", "true"), ("title", "not in this offline bundle")]
        body = "".join(
            f" {k}" if v is None else f' {k}="{html.escape(v, quote=True)}"' for k, v in attrs
        )
        new = f"<{tag.name}{body}{' /' if tag.closed else ''}>"
        if text[tag.start : tag.start + len(tag.raw)] != tag.raw:  # pragma: no cover - defensive
            continue
        out.append(text[pos : tag.start])
        out.append(new)
        pos = tag.start + len(tag.raw)
    if not out:
        return text
    out.append(text[pos:])
    return "".join(out)


def _pack_files(pack: Pack) -> list[PurePosixPath]:
    """The pack folder's files to export: no hidden files, checkpoints, caches or links."""
    files = []
    for dirpath, dirnames, filenames in os.walk(pack.folder):
        base = Path(dirpath)
        dirnames[:] = sorted(
            d
            for d in dirnames
            if not d.startswith(".") and d not in _PRIVATE_PARTS and not (base / d).is_symlink()
        )
        for name in filenames:
            path = base / name
            if name.startswith(".") or path.is_symlink() or not path.is_file():
                continue
            if path.suffix == ".pyc":
                continue
            files.append(PurePosixPath(path.relative_to(pack.folder).as_posix()))
    return sorted(files)


def html_title(data: bytes) -> str:
    """The text of an HTML page's ``<title>``, or an empty string."""
    match = re.search(rb"<title[^>]*>(.*?)</title>", data, re.S | re.I)
    if not match:
        return ""
    return " ".join(html.unescape(match.group(1).decode("utf-8", errors="replace")).split())


def _language_name(lang: str) -> str:
    """*lang*'s name in itself ("français"), or the code when Babel does not know it."""
    try:
        from babel import Locale, UnknownLocaleError

        name = Locale.parse(lang.replace("-", "_")).get_display_name(lang.replace("-", "_"))
    except (ImportError, ValueError, UnknownLocaleError):
        return lang
    return f"{name} ({lang})" if name else lang


def _readme(catalog: Catalog, pack: Pack, plan: BundlePlan, site_dir: Path) -> str:
    """The bundle's front page: what the pack is, links to its pages, how to run the notebooks."""
    m = pack.meta
    esc = html.escape
    config = catalog.config
    lines = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>{esc(m.title)} — offline</title>",
        "<style>body{font-family:system-ui,sans-serif;max-width:42rem;margin:2rem auto;"
        "padding:0 1rem;line-height:1.6}code{background:#f3f3f3;padding:0 .2em}"
        "a:focus-visible{outline:3px solid #36c}</style>",
        "</head><body>",
        f"<h1>{esc(m.title)}</h1>",
        f"<p>{esc(m.summary)}</p>",
        f"<p>Licence: {esc(m.license)}. Authors: {esc(', '.join(a.name for a in m.authors))}."
        + (f" From {esc(config.title)}." if config else "")
        + "</p>",
        "<h2>Read the pack</h2>",
        "<p>These pages work without a network connection. Open one in your web browser.</p>",
    ]
    for lang in plan.languages:
        folder = PurePosixPath(lang) / "packs" / pack.id
        lines.append(f'<h3 lang="{esc(lang)}" dir="auto">{esc(_language_name(lang))}</h3>')
        lines.append(f'<ul lang="{esc(lang)}" dir="auto">')
        pages = [folder / "index.html"] + [
            folder / (PurePosixPath(nb).stem + ".html") for nb in m.notebooks
        ]
        for page in pages:
            if (site_dir / page).is_file():
                # Sphinx titles read "Page — Site"; the site's name is said once, above.
                title = html_title((site_dir / page).read_bytes()).rsplit(" — ", 1)[0]
                href = "html/" + str(page)
                lines.append(f'<li><a href="{esc(href)}">{esc(title or page.name)}</a></li>')
        lines.append("</ul>")
    notebooks = "".join(f"<li><code>notebooks/{esc(nb)}</code></li>" for nb in m.notebooks)
    wheels = sorted(
        name for name in plan.members if re.fullmatch(r"notebooks/learnpacks-[^/]*\.whl", name)
    )
    install = wheels[-1] if wheels else "learnpacks"
    lines += [
        "<h2>Run the notebooks</h2>",
        "<p>The folder <code>notebooks/</code> holds the pack's Jupyter notebooks and their data "
        "files, in the language the pack is written in. Keep them together: the notebooks read the "
        "data files from the same folder. In another language, use the download buttons of that "
        "language's pages: they give its notebooks and the whole pack.</p>",
        f"<ul>{notebooks}</ul>",
        "<ol>",
        "<li>On your own computer: install Python 3.11 or newer, then, once, while you are online: "
        f"<code>pip install &quot;{esc(install)}[lab]&quot;</code> (learnpacks, JupyterLab and what "
        "the notebooks import). From then on no network is needed: run "
        "<code>jupyter lab notebooks</code> and open the first notebook.</li>",
        "<li>On a JupyterHub (for example PAWS): upload the whole <code>notebooks/</code> folder, "
        "then open the first notebook.</li>",
        "</ol>",
        "<p>Run each notebook's first code cell first: it installs learnpacks, the package the "
        "exercises need, from the <code>learnpacks-….whl</code> file in <code>notebooks/</code> "
        "(keep it there), and says what it is doing. The first time, it also needs a network "
        "connection to fetch the packages learnpacks itself uses; after that, no network is "
        "needed.</p>",
        "<p>Your answers are saved in a small file beside the notebook, so you can stop and come "
        "back later.</p>",
        "</body></html>",
    ]
    return "\n".join(lines) + "\n"


def plan_bundle(
    *, catalog: Catalog, pack_id: str, site_dir: Path, languages: Iterable[str] | None = None
) -> BundlePlan:
    """Decide the members of *pack_id*'s bundle from the built site at *site_dir*.

    Raises :class:`UsageError` when the pack is unknown, or not built in a language asked for (or
    in any language). Pages that load files from other hosts are reported as
    ``export.external-asset`` warnings in :attr:`BundlePlan.problems`, missing local files as
    ``export.missing-asset``.
    """
    pack = catalog.get(pack_id)
    source_lang = catalog.config.source_language if catalog.config else None
    built = sorted(
        (
            lang
            for lang in built_languages(site_dir)
            if (site_dir / lang / "packs" / pack_id / "index.html").is_file()
        ),
        key=lambda lang: lang != source_lang,  # the source language first, then by code
    )
    if languages is None:
        wanted = built
        if not wanted:
            raise UsageError(
                f"pack {pack_id!r} is not in the built site {site_dir}: "
                f"build it first: learnpacks book build --pack {pack_id}",
                code="export.pack-not-built",
            )
    else:
        wanted = list(dict.fromkeys(languages))
        missing = [lang for lang in wanted if lang not in built]
        if missing:
            raise UsageError(
                f"pack {pack_id!r} is not built in {', '.join(missing)} "
                f"(built: {', '.join(built) or 'none'}); build the site first: learnpacks book build",
                code="export.pack-not-built",
            )
    plan = BundlePlan(pack_id=pack_id, languages=wanted)
    # Notebooks as readers download them (the learner's version, exercise code hidden), and the
    # learnpacks wheel beside them, where their set-up cell looks first.
    downloads = site_dir / (source_lang or wanted[0]) / "downloads"
    for rel in _pack_files(pack):
        published = downloads / pack_id / rel
        use = published if rel.suffix == ".ipynb" and published.is_file() else pack.folder / rel
        plan.members[f"notebooks/{rel}"] = use
    for wheel in sorted(downloads.glob("learnpacks-*.whl"))[-1:]:
        plan.members[f"notebooks/{wheel.name}"] = wheel
    copy = _SiteCopy(site_dir)
    pages: set[PurePosixPath] = set()
    for lang in wanted:
        folder = PurePosixPath(lang) / "packs" / pack_id
        for path in _walk_files(site_dir / folder):
            rel = folder / path.relative_to(site_dir / folder).as_posix()
            pages.add(rel)
            copy.add(rel)
    copy.close()
    keep = set(copy.members())
    for rel in sorted(keep):
        source = site_dir / rel
        if rel in pages and rel.suffix.lower() in (".html", ".htm"):
            text = source.read_text(encoding="utf-8", errors="replace")
            new = _without_search(_relink(text, rel, keep))
            plan.members[f"html/{rel}"] = new.encode("utf-8") if new != text else source
        else:
            plan.members[f"html/{rel}"] = source
    plan.members["README.html"] = _readme(catalog, pack, plan, site_dir).encode("utf-8")
    for url, (first, count) in sorted(copy.external.items()):
        plan.problems.append(
            Problem(
                first,
                "export.external-asset",
                f"{count} reference(s) load {url} from another host: it will not load offline",
                severity="warning",
                hint="build the site with its scripts vendored (learnpacks book build --offline)",
            )
        )
    for target, first in sorted(copy.missing.items()):
        plan.problems.append(
            Problem(
                first,
                "export.missing-asset",
                f"loads {target}, which is not in the built site",
                severity="warning",
            )
        )
    return plan


def safe_member(name: str) -> bool:
    """Is *name* a relative zip member path with no ``..``, backslash or empty part?"""
    parts = name.split("/")
    return (
        bool(name)
        and not name.startswith("/")
        and "\\" not in name
        and ":" not in parts[0]
        and all(p not in ("", ".", "..") for p in parts)
    )


_SEARCH_DIALOG = re.compile(r'<dialog id="pst-search-dialog">.*?</dialog>', re.S)
_SEARCH_BUTTON = re.compile(
    r'<button class="[^"]*\bsearch-button__button\b[^"]*"[^>]*>.*?</button>', re.S
)


def _without_search(text: str) -> str:
    """*text* without the theme's search buttons and dialog: the site's search page and its
    index cannot be read from disk (browsers refuse a ``file://`` page's requests for them), so
    the bundle does not offer a search that would end on an error page."""
    return _SEARCH_BUTTON.sub("", _SEARCH_DIALOG.sub("", text))


def write_bundle(plan: BundlePlan, out: Path) -> Path:
    """Write *plan* as a zip at *out*: regular files only, sorted, fixed timestamps and modes.

    The same plan gives the same bytes. The file appears only once complete.
    """
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(out.name + ".partial")
    with zipfile.ZipFile(partial, "w") as zf:
        for name in sorted(plan.members):
            if not safe_member(name):  # pragma: no cover - names are built from relative paths
                raise UsageError(
                    f"refusing unsafe zip member name {name!r}", code="export.unsafe-member"
                )
            content = plan.members[name]
            data = content.read_bytes() if isinstance(content, Path) else content
            info = zipfile.ZipInfo(name, date_time=_ZIP_TIME)
            info.create_system = 3
            info.external_attr = 0o100644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, data, compresslevel=9)
    partial.replace(out)
    return out


def default_zip_path(catalog: Catalog, pack_id: str, out: Path | None) -> Path:
    """*out*, or ``<out>/<pack-id>.zip`` when *out* is a folder, or ``book/_build/exports/<pack-id>.zip``."""
    if out is None:
        return catalog.root / EXPORT_DIR / f"{pack_id}.zip"
    return out / f"{pack_id}.zip" if out.is_dir() else out


def export_zip(
    *,
    catalog: Catalog,
    pack_id: str,
    site_dir: Path,
    out: Path | None = None,
    languages: Iterable[str] | None = None,
) -> Path:
    """Write the offline bundle of *pack_id* (see the module docstring) and return its path.

    *languages* defaults to every language the pack is built in. Raises :class:`UsageError` when
    the pack or a language is not built. Warnings are in :func:`plan_bundle`'s result.
    """
    plan = plan_bundle(catalog=catalog, pack_id=pack_id, site_dir=site_dir, languages=languages)
    return write_bundle(plan, default_zip_path(catalog, pack_id, out))

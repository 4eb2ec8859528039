"""Laying out a Jupyter Book source tree for one language.

The tree is generated under ``book/_build/src/<lang>/`` and never edited by hand: each published
pack's folder is mirrored (data files from ``packs/``, notebooks from the language's edition), and
``index.md`` pages, ``_config.yml``, ``_toc.yml`` and ``_learnpacks_pages.json`` (the HTML the
Sphinx extension adds to each page) are written from the pack metadata, and
``_learnpacks_fallback.json`` from the translated notebooks (the blocks each page shows in a
fallback language, see :mod:`.fallback`). Files are only rewritten
when their content changes, so Sphinx and the execution cache redo only what changed.
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import uuid
import zipfile
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

import yaml

from learnpacks.book import catalog_page, pages
from learnpacks.book.fallback import FALLBACK_FILE, notebook_fallbacks, plain_text
from learnpacks.book.offline import sphinx_config as offline_settings
from learnpacks.book.plan import Edition, SitePlan
from learnpacks.book.published import download_bytes, site_bytes
from learnpacks.book.strings import Strings, is_rtl
from learnpacks.i18n.site import site_text
from learnpacks.packs.catalog import Catalog
from learnpacks.widgets.media import loaded_by_address

SKELETON = "book"  # the site skeleton folder in the repository (CSS, JS, logo)
PAGES_FILE = "_learnpacks_pages.json"
#: The primary sidebar: the theme's links, then learnpacks' navigation with the logo in it. The
#: search box is the header's, on every page: one box, leading to the site's one search (Pagefind).
SIDEBAR = ["icon-links.html", "lp-sidebar-nav.html"]
_SKIP_PARTS = {"__pycache__", ".ipynb_checkpoints"}
#: Outputs that may carry script into a page (THREATS.md case 49) are not rendered: the plain-text
#: (or image) alternative is shown instead. Widgets render through their own view MIME type.
UNSAFE_OUTPUT_MIMES = ("text/html", "image/svg+xml", "application/javascript", "text/javascript")
_FIXED_ZIP_TIME = (2020, 1, 1, 0, 0, 0)


#: The modules whose code decides what a published notebook holds: converted files are kept by a
#: digest of their input and of this code, so a change to either converts again.
_CONVERTERS = (
    "learnpacks.book.published",
    "learnpacks.book.source",
    "learnpacks.packs.learner",
    "learnpacks.packs.roles",
    "learnpacks.packs.install_cell",
    "learnpacks.i18n.direction",
)


class ConvertedFiles:
    """Published notebooks and pack zips kept between builds under *folder*, by a digest of what
    they are made from: an incremental build converts only the notebooks that changed, not every
    notebook of the site (nbformat's parse, the learner's version and the writes cost tens of
    milliseconds a notebook)."""

    def __init__(self, folder: Path, salt: str) -> None:
        import importlib.util

        self.folder = folder
        digest = hashlib.sha256(salt.encode())
        for name in _CONVERTERS:
            spec = importlib.util.find_spec(name)
            if spec is not None and spec.origin:
                digest.update(Path(spec.origin).read_bytes())
        self._salt = digest.digest()

    def get(self, kind: str, data: bytes, make: Callable[[], bytes]) -> bytes:
        key = hashlib.sha256(self._salt + kind.encode() + b"\0" + data).hexdigest()
        path = self.folder / key[:2] / key
        try:
            return path.read_bytes()
        except OSError:
            pass
        out = make()
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f"{key}.{uuid.uuid4().hex}.tmp")
        tmp.write_bytes(out)
        os.replace(tmp, path)  # another language's build may write the same key
        return out


def _files_digest(files: dict[str, bytes]) -> bytes:
    return b"".join(
        rel.encode() + b"\0" + hashlib.sha256(files[rel]).digest() for rel in sorted(files)
    )


def _write_bytes_if_changed(path: Path, data: bytes) -> None:
    if path.is_file() and path.read_bytes() == data:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)


def _write_if_changed(path: Path, text: str) -> None:
    _write_bytes_if_changed(path, text.encode("utf-8"))


def _public_files(folder: Path) -> list[Path]:
    out = []
    for src in sorted(folder.rglob("*")):
        rel = src.relative_to(folder)
        if any(part.startswith(".") or part in _SKIP_PARTS for part in rel.parts):
            continue
        if src.is_file() and not src.is_symlink():
            out.append(rel)
    return out


def edition_files(edition: Edition) -> dict[str, bytes]:
    """The files of a pack in one language: data from ``packs/``, notebooks from the edition."""
    files = {
        rel.as_posix(): (edition.pack.folder / rel).read_bytes()
        for rel in _public_files(edition.pack.folder)
    }
    if (
        not edition.is_source
    ):  # the translated folder overrides: notebooks, pack.yml, localized files
        files.update(
            {
                rel.as_posix(): (edition.folder / rel).read_bytes()
                for rel in _public_files(edition.folder)
            }
        )
    return files


def _mirror(files: dict[str, bytes], dest: Path, keep: set[str]) -> None:
    for rel, data in files.items():
        _write_bytes_if_changed(dest / rel, data)
    if dest.is_dir():
        for old in sorted(dest.rglob("*"), reverse=True):
            rel = old.relative_to(dest).as_posix()
            if old.is_file() and rel not in files and rel not in keep:
                old.unlink()


def pack_zip(pack_id: str, files: dict[str, bytes]) -> bytes:
    """A deterministic zip of a pack's files under ``<pack_id>/``."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as zf:
        for rel in sorted(files):
            info = zipfile.ZipInfo(f"{pack_id}/{rel}", date_time=_FIXED_ZIP_TIME)
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            zf.writestr(info, files[rel])
    return buffer.getvalue()


def book_config(
    catalog: Catalog, *, language: str, title: str, cache_dir: Path, offline: bool = False
) -> dict[str, Any]:
    """Jupyter Book's ``_config.yml`` of *language*'s site, titled *title* (:func:`site_text`)."""
    return {
        "title": title,
        "author": str(Strings(language)("learnpacks contributors")),
        "copyright": "CC BY-SA 4.0",
        "logo": "_skeleton/logo.svg",
        "only_build_toc_files": True,
        "exclude_patterns": ["_build", "**.ipynb_checkpoints", "_extra"],
        "execute": {
            "execute_notebooks": "cache",
            "timeout": 120,
            "allow_errors": False,
            "stderr_output": "show",
        },
        "html": {
            "favicon": "_skeleton/logo.svg",  # else browsers ask the server for /favicon.ico
            "use_repository_button": False,
            "use_issues_button": False,
            "home_page_in_navbar": True,
        },
        "sphinx": {
            "extra_extensions": ["learnpacks.book.sphinx_ext"],
            "config": {
                "language": language,
                "html_static_path": ["_skeleton/static"],
                "templates_path": ["_skeleton/templates"],
                # The theme's sidebar holds the whole catalog's table of contents on every page;
                # ours holds the page's own pack (learnpacks.book.sphinx_ext.add_navigation).
                "html_sidebars": {"**": SIDEBAR},
                "html_css_files": ["learnpacks.css"],
                "html_js_files": ["learnpacks.js", "lp-progress.js"],
                "html_extra_path": ["_extra"],
                "html_show_sourcelink": False,
                "nb_execution_cache_path": str(cache_dir),
                "nb_mime_priority_overrides": [
                    ["html", mime, None] for mime in UNSAFE_OUTPUT_MIMES
                ],
                # Authors' and translators' raw HTML is not rendered: contributed content is untrusted.
                "myst_disable_syntax": ["html_inline", "html_block"],
                "docutils_settings": {"raw_enabled": False, "file_insertion_enabled": False},
                "suppress_warnings": ["myst.header"],
                "learnpacks_pages": PAGES_FILE,
                "learnpacks_fallback": FALLBACK_FILE,
                "learnpacks_rtl": is_rtl(language),
                **(offline_settings() if offline else {}),
            },
        },
    }


def toc(editions: list[Edition]) -> dict[str, Any]:
    parts = []
    for edition in editions:
        pid = edition.pack.id
        chapter = {
            "file": f"packs/{pid}/index",
            "sections": [
                {"file": f"packs/{pid}/{Path(nb).stem}"} for nb in edition.pack.meta.notebooks
            ],
        }
        parts.append({"caption": edition.info.title, "chapters": [chapter]})
    result: dict[str, Any] = {"format": "jb-book", "root": "index"}
    if parts:  # a language with no pack published yet has only its catalog page
        result["parts"] = parts
    return result


def _md_title(text: str) -> str:
    """A markdown heading whose text is literal (markup characters escaped)."""
    escaped = "".join("\\" + ch if ch in "\\`*_{}[]<>()#+-.!|$&" else ch for ch in text)
    return f"# {escaped}\n"


def write_source(
    catalog: Catalog,
    plan: SitePlan,
    *,
    language: str,
    dest: Path,
    cache_dir: Path,
    vendored: bool = False,
    wheel: Path | None = None,
    site_url: str | None = None,
) -> Path:
    """Write the Jupyter Book source tree of *language* into *dest*; returns *dest*.

    *vendored*: pages load their scripts from the site's own ``_vendor/`` (see :mod:`.offline`).
    *wheel*: the learnpacks wheel published in ``downloads/`` and in each pack zip; with
    *site_url* (where the site is served), downloaded notebooks install it from there.
    Notebooks are published as :mod:`.published` says (learner's version, exercise code hidden).
    """
    config = catalog.require_config()
    s = Strings(language)
    dest.mkdir(parents=True, exist_ok=True)
    skeleton = catalog.root / SKELETON
    for src in [
        *sorted((skeleton / "static").rglob("*")),
        *sorted((skeleton / "templates").rglob("*")),
        skeleton / "logo.svg",
    ]:
        if src.is_file():
            _write_bytes_if_changed(
                dest / "_skeleton" / src.relative_to(skeleton), src.read_bytes()
            )
    editions = [
        plan.editions[language][p.id] for p in plan.packs if p.id in plan.editions[language]
    ]
    page_html: dict[str, dict[str, str]] = {}
    fallbacks: dict[str, list[dict[str, str]]] = {}
    downloads: dict[str, bytes] = {}
    wheel_url = None
    if wheel is not None:
        downloads[f"downloads/{wheel.name}"] = wheel.read_bytes()
        if site_url:
            wheel_url = f"{site_url.rstrip('/')}/{language}/downloads/{wheel.name}"
    converted = ConvertedFiles(
        cache_dir.parent / "published", f"{wheel_url}\0{wheel.name if wheel else ''}"
    )
    for edition in editions:
        pid = edition.pack.id
        files = edition_files(edition)
        notebooks = [rel for rel in files if rel.endswith(".ipynb")]
        _mirror(
            {
                **files,
                **{
                    rel: converted.get("site", files[rel], partial(site_bytes, files[rel]))
                    for rel in notebooks
                },
            },
            dest / "packs" / pid,
            keep={"index.md"},
        )
        _write_if_changed(dest / "packs" / pid / "index.md", _md_title(edition.info.title))
        files.update(
            {
                rel: converted.get(
                    "download",
                    files[rel],
                    partial(download_bytes, files[rel], wheel_url=wheel_url),
                )
                for rel in notebooks
            }
        )
        for nb in edition.pack.meta.notebooks:
            downloads[f"downloads/{pid}/{nb}"] = files[nb]
        if wheel is not None:  # beside the notebooks, where their set-up cell looks first
            files[wheel.name] = downloads[f"downloads/{wheel.name}"]
        downloads[f"downloads/{pid}/{pid}.zip"] = converted.get(
            f"zip:{pid}", _files_digest(files), partial(pack_zip, pid, dict(files))
        )
        # Sphinx copies only what markdown links; a Video's file and captions load by address.
        for rel in files:
            if loaded_by_address(rel):
                downloads[f"packs/{pid}/{rel}"] = files[rel]
        doc = f"packs/{pid}/index"
        filters = catalog_page.pagefind_filters(
            edition.pack, s, plan.languages_of(pid), topics=list(edition.info.topics)
        )
        page_html[doc] = {
            "prepend": pages.language_switcher(plan, doc, language, pid, s) + filters,
            "append": pages.overview(catalog, plan, edition, doc, s),
        }
        for nb in edition.pack.meta.notebooks:
            doc = f"packs/{pid}/{Path(nb).stem}"
            page_html[doc] = {
                "prepend": pages.language_switcher(plan, doc, language, pid, s)
                + pages.translation_banner(edition, nb, doc, s)
                + pages.launch_bar(catalog, edition, nb, doc, s)
                + filters,
                "append": "",
            }
            if not edition.is_source:
                shown = notebook_fallbacks(edition.pack.folder / nb, edition.folder / nb)
                if shown:
                    fallbacks[doc] = shown
    (dest / "_extra").mkdir(exist_ok=True)
    _mirror(downloads, dest / "_extra", keep=set())
    keep = {e.pack.id for e in editions}
    if (dest / "packs").is_dir():
        for old in (dest / "packs").iterdir():
            if old.name not in keep:
                shutil.rmtree(old)
    page_html["search"] = {
        "prepend": pages.language_switcher(plan, "search", language, None, s),
        "append": catalog_page.search_page(s),
    }
    page_html["index"] = {
        "prepend": pages.language_switcher(plan, "index", language, None, s),
        "append": catalog_page.catalog_page(plan, language, s),
    }
    (title, title_translated), (description, description_translated) = site_text(catalog, language)
    if language != config.source_language:
        # shown in the source language until _site.po translates it: declared so on the page
        site_texts = [
            ("heading", title, title_translated),
            ("paragraph", description, description_translated),
        ]
        fallbacks["index"] = [
            {"kind": kind, "text": plain_text(text), "lang": config.source_language}
            for kind, text, translated in site_texts
            if text and not translated
        ]
        if not fallbacks["index"]:
            del fallbacks["index"]
    landing = _md_title(title) + (
        "\n" + description.replace("<", "&lt;") + "\n" if description else ""
    )
    _write_if_changed(dest / "index.md", landing)
    _write_if_changed(
        dest / PAGES_FILE, json.dumps(page_html, ensure_ascii=False, indent=1, sort_keys=True)
    )
    _write_if_changed(
        dest / FALLBACK_FILE, json.dumps(fallbacks, ensure_ascii=False, indent=1, sort_keys=True)
    )
    book = book_config(
        catalog, language=language, title=title, cache_dir=cache_dir, offline=vendored
    )
    _write_if_changed(
        dest / "_config.yml", yaml.safe_dump(book, sort_keys=False, allow_unicode=True)
    )
    _write_if_changed(
        dest / "_toc.yml", yaml.safe_dump(toc(editions), sort_keys=False, allow_unicode=True)
    )
    return dest

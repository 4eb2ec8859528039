"""Laying out a Jupyter Book source tree for one language from the catalog.

The tree is generated under ``book/_build/src/<lang>/`` and never edited by
hand: pack folders are copied (notebooks and the files they reference), and
the landing page, pack overview pages, ``_config.yml`` and ``_toc.yml`` are
written from the pack metadata.
"""

from __future__ import annotations

import html
import shutil
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import yaml

from learnpacks.launch.links import launch_links
from learnpacks.packs.catalog import Catalog, Pack

SKELETON = "book"  # the site skeleton folder in the repository (CSS, logo)
#: files of a pack folder that are never published
_PRIVATE = shutil.ignore_patterns(".*", "__pycache__", "*.pyc", ".ipynb_checkpoints")


def _copy_if_changed(src: Path, dst: Path) -> None:
    """Copy *src* to *dst* unless identical, so unchanged pages keep their mtime and Sphinx skips them."""
    if dst.is_file() and dst.read_bytes() == src.read_bytes():
        return
    dst.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(src, dst)


def _write_if_changed(path: Path, text: str) -> None:
    if path.is_file() and path.read_text(encoding="utf-8") == text:
        return
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def copy_pack(pack: Pack, dest: Path) -> None:
    """Mirror the pack folder into *dest*, removing files that no longer exist in the source."""
    wanted: set[Path] = set()
    for src in sorted(pack.folder.rglob("*")):
        rel = src.relative_to(pack.folder)
        if any(
            part.startswith(".") or part in ("__pycache__", ".ipynb_checkpoints")
            for part in rel.parts
        ):
            continue
        if src.is_file() and not src.is_symlink():
            wanted.add(rel)
            _copy_if_changed(src, dest / rel)
    if dest.is_dir():
        for old in sorted(dest.rglob("*"), reverse=True):
            rel = old.relative_to(dest)
            if old.is_file() and rel not in wanted and rel.name != "index.md":
                old.unlink()


def _esc(text: str) -> str:
    """Escape metadata for MyST markdown: no HTML, no markup from pack.yml reaches the page as code."""
    return (
        html.escape(text, quote=True)
        .replace("*", "\\*")
        .replace("_", "\\_")
        .replace("[", "\\[")
        .replace("`", "\\`")
    )


def overview_page(catalog: Catalog, pack: Pack) -> str:
    """The pack's overview: summary, facts, objectives, prerequisites, notebooks, launch links."""
    m = pack.meta
    lines = [f"# {_esc(m.title)}", "", _esc(m.summary), ""]
    lines += [
        f"- **Level:** {m.level}",
        f"- **Duration:** about {m.duration} minutes",
        f"- **Topics:** {', '.join(_esc(t) for t in m.topics)}",
        f"- **For:** {', '.join(_esc(a) for a in m.audience)}",
        f"- **Formats:** {', '.join(m.formats)}",
        f"- **Licence:** [{m.license}](https://spdx.org/licenses/{m.license}.html)",
        f"- **Authors:** {', '.join(_esc(a.name) for a in m.authors)}",
        "",
        "## What you will learn",
        "",
        *[f"- {_esc(o)}" for o in m.objectives],
        "",
        "## Before you start",
        "",
    ]
    if m.prerequisites:
        for pid in m.prerequisites:
            other = catalog.packs.get(pid)
            label = _esc(other.meta.title) if other else pid
            lines.append(f"- [{label}](../{pid}/index.md)" if other else f"- {label}")
    else:
        lines.append("No other pack is needed.")
    lines += ["", "## Notebooks", ""]
    for nb in m.notebooks:
        lines.append(f"- [{Path(nb).stem}]({nb})")
    links = launch_links(catalog, pack)
    if links:
        lines += ["", "## Run it yourself", ""]
        for target, by_nb in links.items():
            first = next(iter(by_nb.values()))
            lines.append(f"- [Open on {_esc(target)}]({first})")
    return "\n".join(lines) + "\n"


def landing_page(catalog: Catalog, packs: Sequence[Pack]) -> str:
    config = catalog.require_config()
    lines = [f"# {_esc(config.title)}", "", _esc(config.description), "", "## Packs", ""]
    for pack in packs:
        m = pack.meta
        lines.append(
            f"- [{_esc(m.title)}](packs/{m.id}/index.md) — {_esc(m.summary)} ({m.level}, {m.duration} min)"
        )
    return "\n".join(lines) + "\n"


def book_config(catalog: Catalog, *, language: str) -> dict[str, Any]:
    config = catalog.require_config()
    return {
        "title": config.title,
        "author": "learnpacks contributors",
        "copyright": "CC BY-SA 4.0",
        "logo": "_skeleton/logo.svg",
        "only_build_toc_files": True,
        "exclude_patterns": ["_build", "**.ipynb_checkpoints"],
        "execute": {
            "execute_notebooks": "cache",
            "timeout": 120,
            "allow_errors": False,
            "stderr_output": "show",
        },
        "html": {
            "use_repository_button": False,
            "use_issues_button": False,
            "home_page_in_navbar": True,
        },
        "sphinx": {
            "extra_extensions": ["learnpacks.book.sphinx_ext"],
            "config": {
                "language": language,
                "html_static_path": ["_skeleton/static"],
                "html_css_files": ["learnpacks.css"],
                "html_show_sourcelink": False,
                # Authors' raw HTML is not rendered as HTML: contributed content is untrusted.
                "myst_disable_syntax": ["html_inline", "html_block"],
                "suppress_warnings": ["myst.header"],
            }
        },
    }


def toc(packs: Sequence[Pack]) -> dict[str, Any]:
    parts = []
    for pack in packs:
        chapter: dict[str, Any] = {"file": f"packs/{pack.id}/index"}
        chapter["sections"] = [
            {"file": f"packs/{pack.id}/{Path(nb).stem}"} for nb in pack.meta.notebooks
        ]
        parts.append({"caption": pack.meta.title, "chapters": [chapter]})
    return {"format": "jb-book", "root": "index", "parts": parts}


def write_source(catalog: Catalog, *, dest: Path, language: str, packs: Sequence[Pack]) -> Path:
    """Write the Jupyter Book source tree for *language* into *dest*; returns *dest*."""
    dest.mkdir(parents=True, exist_ok=True)
    skeleton = catalog.root / SKELETON
    for src in sorted((skeleton / "static").rglob("*")) + [skeleton / "logo.svg"]:
        if src.is_file():
            _copy_if_changed(src, dest / "_skeleton" / src.relative_to(skeleton))
    keep = {pack.id for pack in packs}
    for pack in packs:
        copy_pack(pack, dest / "packs" / pack.id)
        _write_if_changed(dest / "packs" / pack.id / "index.md", overview_page(catalog, pack))
    if (dest / "packs").is_dir():
        for old in (dest / "packs").iterdir():
            if old.name not in keep:
                shutil.rmtree(old)
    _write_if_changed(dest / "index.md", landing_page(catalog, packs))
    _write_if_changed(
        dest / "_config.yml",
        yaml.safe_dump(
            book_config(catalog, language=language), sort_keys=False, allow_unicode=True
        ),
    )
    _write_if_changed(
        dest / "_toc.yml", yaml.safe_dump(toc(packs), sort_keys=False, allow_unicode=True)
    )
    return dest

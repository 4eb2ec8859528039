"""The site build, side by side with a plain Jupyter Book build, in one run.

Usage: .venv/bin/python benchmarks/site_bench.py [--landing]

On a scratch copy of the repository's packs/, translations/ and book/:
1. a plain `jupyter-book build` of the source-language notebooks (cold execution cache);
2. `learnpacks book build --lang <source>` of the same notebooks (cold) -> overhead ratio;
3. after editing one markdown cell, the incremental `learnpacks book build` -> share of the full build;
4. `learnpacks book build` of every language (cold), for reference;
5. the landing page's transfer size (HTML + the CSS, JS and images it loads before any interaction),
   beside the plain build's landing page (the theme as it ships);
6. an exercise page's (the first pack's second notebook), beside the same page had it kept RequireJS
   and the ipywidgets HTML manager (with the anywidget module it loads) instead of
   ``lp-static-widgets.js``.

``--landing``: only steps 1, 2, 5 and 6.
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import yaml

from learnpacks.book.build import build_site
from learnpacks.book.offline import STATIC_WIDGETS_JS, VENDOR
from learnpacks.packs.catalog import load_catalog

REPO = Path(__file__).resolve().parents[1]
# What a browser fetches while loading a page: scripts, images, stylesheets and preloads (not
# <link rel="next">, "index" or "search", which are only links).
_LOADED = re.compile(
    r'<(?:script|img)\b[^>]*?\bsrc="([^"#?]+)'
    r'|<link\b(?=[^>]*\brel="(?:stylesheet|preload|modulepreload|icon)")[^>]*?\bhref="([^"#?]+)'
)


def copy_project(dest: Path) -> Path:
    for name in ("packs", "book", "translations"):
        if (REPO / name).exists():
            shutil.copytree(REPO / name, dest / name, ignore=shutil.ignore_patterns("_build"))
    return dest


def plain_jupyter_book(project: Path, out: Path) -> float:
    catalog = load_catalog(project)
    src = out / "src"
    src.mkdir(parents=True)
    chapters = []
    for pack in catalog.packs.values():
        shutil.copytree(pack.folder, src / pack.id)
        chapters += [{"file": f"{pack.id}/{Path(nb).stem}"} for nb in pack.meta.notebooks]
    (src / "intro.md").write_text("# Packs\n")
    (src / "_toc.yml").write_text(
        yaml.safe_dump({"format": "jb-book", "root": "intro", "chapters": chapters})
    )
    (src / "_config.yml").write_text(
        yaml.safe_dump({"title": "plain", "execute": {"execute_notebooks": "cache"}})
    )
    start = time.perf_counter()
    subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; from jupyter_book.cli.main import main; sys.exit(main())",
            "build",
            str(src),
            "--path-output",
            str(out),
            "-q",
        ],
        check=True,
        capture_output=True,
    )
    return time.perf_counter() - start


def timed_build(project: Path, **kwargs: object) -> float:
    start = time.perf_counter()
    build_site(root=project, **kwargs)  # type: ignore[arg-type]
    return time.perf_counter() - start


def transfer_size(page: Path) -> tuple[int, int, int, list[tuple[int, str]]]:
    """Bytes of *page* plus the stylesheets, scripts and images it loads (raw and gzip -9),
    how many files, and the largest five."""
    text = page.read_text(encoding="utf-8")
    refs = {a or b for a, b in _LOADED.findall(text)}
    raw, packed, files = len(text.encode()), len(gzip.compress(text.encode(), 9)), 1
    sizes = []
    for ref in refs:
        if "://" in ref:
            continue
        target = (page.parent / ref).resolve()
        if target.is_file():
            data = target.read_bytes()
            raw += len(data)
            packed += len(gzip.compress(data, 9))
            files += 1
            sizes.append((len(data), ref))
    return raw, packed, files, sorted(sizes, reverse=True)[:5]


def exercise_page_sizes(
    site: Path, page: Path
) -> tuple[tuple[int, int, int], tuple[int, int, int]]:
    """(raw, gzip, files) of *page* as built, and as it would be with the HTML manager's scripts
    (from the same site's ``_vendor/``) in place of the loader."""
    raw, packed, files, _ = transfer_size(page)
    vendor = site / VENDOR
    loader = (vendor / STATIC_WIDGETS_JS).read_bytes()
    manager = [
        vendor / "require.js",
        vendor / "lp-widgets.js",
        vendor / "html-manager" / "embed-amd.js",
        *sorted(vendor.glob("cdn/anywidget@*/dist/index.js")),
    ]
    datas = [path.read_bytes() for path in manager]
    with_manager = (
        raw - len(loader) + sum(len(d) for d in datas),
        packed - len(gzip.compress(loader, 9)) + sum(len(gzip.compress(d, 9)) for d in datas),
        files - 1 + len(datas),
    )
    return (raw, packed, files), with_manager


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--landing", action="store_true", help="only the landing-page figures")
    landing_only = parser.parse_args().landing
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        plain = plain_jupyter_book(copy_project(root / "plain"), root / "plain-out")
        project = copy_project(root / "ours")
        source = load_catalog(project).require_config().source_language
        ours = timed_build(project, languages=[source])
        site = project / "book" / "_build" / "site"
        landing = transfer_size(site / source / "index.html")
        pack = next(iter(load_catalog(project).packs.values()))
        exercise_rel = f"{source}/packs/{pack.id}/{Path(pack.meta.notebooks[1]).stem}.html"
        exercise, with_manager = exercise_page_sizes(site, site / exercise_rel)
        theme = transfer_size(root / "plain-out" / "_build" / "html" / "intro.html")
        print(f"plain jupyter-book build ({source}, cold):     {plain:6.1f} s")
        print(
            f"learnpacks book build --lang {source} (cold):   {ours:6.1f} s   ratio {ours / plain:.2f}x"
        )
        if not landing_only:
            # one markdown cell edited
            pack = next(iter(load_catalog(project).packs.values()))
            nb_path = pack.folder / pack.meta.notebooks[0]
            nb = json.loads(nb_path.read_text())
            cell = next(c for c in nb["cells"] if c["cell_type"] == "markdown")
            cell["source"] = "".join(cell["source"]) + "\n\nOne more sentence."
            nb_path.write_text(json.dumps(nb, indent=1))
            incremental = timed_build(project, languages=[source])
            all_languages = timed_build(copy_project(root / "all"))
            print(
                f"incremental after a markdown edit:          {incremental:6.1f} s   {100 * incremental / ours:.0f}% of the full build"
            )
            print(f"learnpacks book build, every language (cold): {all_languages:6.1f} s")
        for what, (size, packed, files, largest) in (
            ("landing page", landing),
            ("plain build's landing page", theme),
        ):
            print(
                f"{what} transfer: {size / 1024:,.0f} KiB raw, {packed / 1024:,.0f} KiB gzip, in {files} files (before search loads)"
            )
            print("  largest: " + ", ".join(f"{ref} {n / 1024:.0f} KiB" for n, ref in largest))
        for what, (size, packed, files) in (
            (f"exercise page ({exercise_rel})", exercise),
            ("the same with the HTML manager instead of lp-static-widgets.js", with_manager),
        ):
            print(
                f"{what} transfer: {size / 1024:,.0f} KiB raw, {packed / 1024:,.0f} KiB gzip, in {files} files"
            )


if __name__ == "__main__":
    main()

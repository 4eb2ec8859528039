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

``--scale N [N ...]`` (with ``--languages 1 4``): instead, on generated catalogs of N distinct
notebooks (``benchmarks/distinct_packs.py``: every notebook executes), for each size and number of
languages, in one run: a plain `jupyter-book build` of the same notebooks (one build per language,
two at a time, as ours) cold and after a one-cell edit; `learnpacks book build` cold, warm (nothing
changed) and after the same one-cell edit; the peak memory (largest process) of each; the size of
the site and of its Pagefind index; Pagefind alone on the edited site (its share of the edit's
rebuild); the load average before and after; and a fitted growth of the cold builds over N (with
four sizes or more, whether an N^2 term stands out of the noise). ``--scale-languages N [N ...]``:
other sizes for the language counts above 1 (the full matrix in one run:
``--scale 4 48 96 200 --languages 1 4 --scale-languages 4 48 200``). ``--json FILE`` keeps the
figures.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import re
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import yaml

from learnpacks.book.build import build_site
from learnpacks.book.offline import STATIC_WIDGETS_JS, VENDOR
from learnpacks.book.search import index_site
from learnpacks.launch.links import TRANSLATED_DIR
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
    parser.add_argument(
        "--scale", nargs="+", type=int, metavar="N", help="generated catalogs of N notebooks"
    )
    parser.add_argument(
        "--languages", nargs="+", type=int, default=[1], choices=sorted(LANGUAGE_SETS)
    )
    parser.add_argument(
        "--scale-languages",
        nargs="+",
        type=int,
        metavar="N",
        help="with --scale: the sizes to build with more than one language (default: --scale's)",
    )
    parser.add_argument("--json", type=Path, help="with --scale: write the figures here")
    args = parser.parse_args()
    if args.scale:
        scale_main(args.scale, args.languages, args.json, multi_sizes=args.scale_languages)
        return
    landing_only = args.landing
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


# --- scale: generated catalogs of distinct notebooks -------------------------------------------

LANGUAGE_SETS = {1: ["en"], 2: ["en", "fr"], 4: ["en", "fr", "es", "ar"]}


def measured(cmd: list[str], *, cwd: Path | None = None) -> tuple[float, float, int]:
    """Run *cmd*; its wall time in seconds, the CPU seconds (user + system) of it and every
    process it waited for, and the peak resident memory (KiB) of its largest process
    (``wait4``). On a shared machine the CPU time moves much less with the load than the wall
    time."""
    start = time.perf_counter()
    proc = subprocess.Popen(
        cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=False
    )
    assert proc.stderr is not None
    err = proc.stderr.read()
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed:\n{err.decode(errors='replace')[-4000:]}")
    return elapsed, usage.ru_utime + usage.ru_stime, usage.ru_maxrss


def plain_sources(project: Path, languages: list[str], out: Path) -> dict[str, Path]:
    """One plain Jupyter Book source folder per language, of the notebooks our build publishes
    (the source notebooks, and ``learnpacks i18n build``'s translated ones)."""
    catalog = load_catalog(project)
    sources = {}
    for lang in languages:
        src = out / lang / "src"
        src.mkdir(parents=True)
        chapters = []
        for pack in catalog.packs.values():
            shutil.copytree(pack.folder, src / pack.id)
            if lang != catalog.require_config().source_language:
                shutil.copytree(
                    project / TRANSLATED_DIR / lang / pack.id, src / pack.id, dirs_exist_ok=True
                )
            chapters += [{"file": f"{pack.id}/{Path(nb).stem}"} for nb in pack.meta.notebooks]
        (src / "intro.md").write_text("# Packs\n")
        (src / "_toc.yml").write_text(
            yaml.safe_dump({"format": "jb-book", "root": "intro", "chapters": chapters})
        )
        (src / "_config.yml").write_text(
            yaml.safe_dump(
                {
                    "title": "plain",
                    "execute": {"execute_notebooks": "cache", "timeout": 120},
                    "sphinx": {"config": {"language": lang}},
                }
            )
        )
        sources[lang] = src
    return sources


def plain_builds(sources: dict[str, Path]) -> tuple[float, float, int]:
    """``jupyter-book build`` of every language, two at a time; wall time, CPU time, peak memory."""
    from concurrent.futures import ThreadPoolExecutor

    jb = "import sys; from jupyter_book.cli.main import main; sys.exit(main())"
    start = time.perf_counter()
    with ThreadPoolExecutor(max_workers=2) as pool:
        runs = list(
            pool.map(
                lambda src: measured([sys.executable, "-c", jb, "build", str(src), "-q"]),
                sources.values(),
            )
        )
    return (
        time.perf_counter() - start,
        sum(cpu for _, cpu, _ in runs),
        max(rss for _, _, rss in runs),
    )


def ours(project: Path, languages: list[str]) -> tuple[float, float, int]:
    cmd = [sys.executable, "-m", "learnpacks", "--root", str(project), "book", "build"]
    for lang in languages:
        cmd += ["--lang", lang]
    return measured(cmd)


def edit_one_cell(notebook: Path) -> None:
    """Add a sentence to the notebook's last markdown cell (what an author's small fix is)."""
    nb = json.loads(notebook.read_text(encoding="utf-8"))
    cell = [c for c in nb["cells"] if c["cell_type"] == "markdown"][-1]
    cell["source"] = "".join(cell["source"]) + "\n\nOne more sentence."
    notebook.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


def tree_size(folder: Path) -> int:
    return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())


def scale_case(root: Path, notebooks: int, languages: list[str]) -> dict[str, Any]:
    sys.path.insert(0, str(Path(__file__).parent))
    from distinct_packs import make_catalog

    case = root / f"n{notebooks}-l{len(languages)}"
    project = make_catalog(case / "ours", notebooks=notebooks, languages=languages)
    plain_project = make_catalog(case / "plain", notebooks=notebooks, languages=languages)
    if len(languages) > 1:  # the translated notebooks, not timed (ours makes them in its build)
        subprocess.run(
            [sys.executable, "-m", "learnpacks", "--root", str(plain_project), "i18n", "build"],
            check=True,
            capture_output=True,
        )
    sources = plain_sources(plain_project, languages, case / "plain-out")
    load_before = os.getloadavg()
    plain_cold, plain_cold_cpu, plain_rss = plain_builds(sources)
    cold, cold_cpu, cold_rss = ours(project, languages)
    warm, warm_cpu, _ = ours(project, languages)
    pack = sorted(load_catalog(project).packs.values(), key=lambda p: p.id)[-1]
    notebook = pack.meta.notebooks[0]
    edit_one_cell(pack.folder / notebook)
    edited, edited_cpu, edited_rss = ours(project, languages)
    for src in sources.values():
        edit_one_cell(src / pack.id / notebook)
    plain_edited, plain_edited_cpu, _ = plain_builds(sources)
    site = project / "book" / "_build" / "site"
    plain_html = sum(tree_size(src / "_build" / "html") for src in sources.values())
    # Pagefind alone on the edited site: what it adds to any build that changed a page (it
    # cannot index only the changed pages, so this does not depend on the size of the edit).
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    index_site(site)
    pagefind_s = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    pagefind_cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
    return {
        "notebooks": notebooks,
        "languages": len(languages),
        "plain_cold_s": round(plain_cold, 1),
        "plain_edit_s": round(plain_edited, 1),
        "plain_peak_mib": round(plain_rss / 1024),
        "plain_cold_cpu": round(plain_cold_cpu, 1),
        "plain_edit_cpu": round(plain_edited_cpu, 1),
        "cold_cpu": round(cold_cpu, 1),
        "warm_cpu": round(warm_cpu, 1),
        "edit_cpu": round(edited_cpu, 1),
        "ratio_cold_cpu": round(cold_cpu / plain_cold_cpu, 2),
        "edit_share_cpu": round(edited_cpu / cold_cpu, 3),
        "cold_s": round(cold, 1),
        "warm_s": round(warm, 1),
        "edit_s": round(edited, 1),
        "peak_mib": round(max(cold_rss, edited_rss) / 1024),
        "ratio_cold": round(cold / plain_cold, 2),
        "edit_share": round(edited / cold, 3),
        "pagefind_s": round(pagefind_s, 1),
        "pagefind_cpu": round(pagefind_cpu, 1),
        "pagefind_share_of_edit_cpu": round(pagefind_cpu / edited_cpu, 3),
        "load_before": [round(x, 2) for x in load_before],
        "load_after": [round(x, 2) for x in os.getloadavg()],
        "site_mib": round(tree_size(site) / 2**20, 1),
        "pagefind_mib": round(tree_size(site / "pagefind") / 2**20, 1),
        "plain_html_mib": round(plain_html / 2**20, 1),
        "page_kib": round(
            (site / languages[0] / "packs" / pack.id / (Path(notebook).stem + ".html"))
            .stat()
            .st_size
            / 1024
        ),
    }


def fit(rows: list[dict[str, Any]], key: str) -> str:
    """Least-squares fits of *key* over N: linear, and quadratic when there are four sizes or
    more (three points fit any quadratic exactly, which says nothing about noise)."""
    import numpy as np

    n = np.array([r["notebooks"] for r in rows], dtype=float)
    t = np.array([r[key] for r in rows], dtype=float)
    if len(n) < 2:
        return "one size only: no fit"
    b, a = np.polyfit(n, t, 1)
    resid = t - (a + b * n)
    text = f"{a:.1f} + {b:.3f}*N s (residuals {', '.join(f'{x:+.1f}' for x in resid)} s)"
    if len(n) >= 4:
        c2, c1, c0 = np.polyfit(n, t, 2)
        # Is the square term above noise? Its share at the largest size, beside the scatter of
        # the points around the straight line.
        rms = float(np.sqrt(np.mean(resid**2)))
        text += (
            f"; quadratic {c0:.1f} + {c1:.3f}*N + {c2:.6f}*N^2 (N^2 term at N={int(n.max())}: "
            f"{c2 * n.max() ** 2:+.1f} s; linear fit's residuals RMS {rms:.1f} s)"
        )
    marginal = [(t[i + 1] - t[i]) / (n[i + 1] - n[i]) for i in range(len(n) - 1)]
    text += "; per added notebook " + ", ".join(
        f"{int(n[i])}->{int(n[i + 1])}: {m:.2f} s" for i, m in enumerate(marginal)
    )
    return text


def scale_main(
    sizes: list[int],
    language_counts: list[int],
    json_path: Path | None,
    *,
    multi_sizes: list[int] | None = None,
) -> None:
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        for count in language_counts:
            for n in sizes if count == 1 else multi_sizes or sizes:
                row = scale_case(Path(tmp), n, LANGUAGE_SETS[count])
                rows.append(row)
                print(json.dumps(row), flush=True)
                if json_path:
                    json_path.write_text(json.dumps(rows, indent=1) + "\n", encoding="utf-8")
    for count in language_counts:
        mine = [r for r in rows if r["languages"] == count]
        for key in (
            "cold_s",
            "plain_cold_s",
            "cold_cpu",
            "plain_cold_cpu",
            "edit_cpu",
            "plain_edit_cpu",
            "pagefind_cpu",
        ):
            print(f"{count} language(s), {key}: {fit(mine, key)}")


if __name__ == "__main__":
    main()

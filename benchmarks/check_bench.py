"""How long does `learnpacks check` take over a catalog of N generated packs?

Usage: .venv/bin/python benchmarks/check_bench.py [--packs 200] [--notebooks 3] [--repeat 3]
       [--baseline CHECKOUT]

Generates N packs (each with a few notebooks that have markdown, images, links, a set-up cell
and hidden exercise cells, every pack's text its own) in a temporary folder, then times
`learnpacks check` as a user runs it (a fresh process, imports included; wall and CPU time) and
as a library call; with --baseline, another checkout's `learnpacks check` on the same catalog.
"""

from __future__ import annotations

import argparse
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat
import yaml

from learnpacks.checks import check_catalog

REPO = Path(__file__).resolve().parents[1]


def make_catalog(root: Path, packs: int, notebooks: int) -> None:
    (root / "packs").mkdir(parents=True)
    shutil.copy(REPO / "packs" / "_config.yml", root / "packs" / "_config.yml")
    for i in range(packs):
        pid = f"pack-{i:04d}"
        folder = root / "packs" / pid
        folder.mkdir()
        (folder / "figure.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg"/>')
        names = [f"{n + 1:02d}-part.ipynb" for n in range(notebooks)]
        meta = {
            "id": pid,
            "title": f"Pack {i}",
            "summary": "Generated.",
            "language": "en",
            "level": "beginner",
            "duration": 30,
            "topics": ["t"],
            "audience": ["a"],
            "formats": ["text", "exercises"],
            "objectives": ["o"],
            "authors": [{"name": "Bench"}],
            "status": "published",
            "notebooks": names,
            "prerequisites": [f"pack-{i - 1:04d}"] if i else [],
        }
        (folder / "pack.yml").write_text(yaml.safe_dump(meta))
        for n, name in enumerate(names):
            nb = nbformat.v4.new_notebook()
            hidden = {"jupyter": {"source_hidden": True}}
            cells = [
                nbformat.v4.new_markdown_cell(
                    f"# Part {n} of pack {i}\n\nIntro with a [link](https://meta.wikimedia.org/wiki/{i}).",
                    id="t",
                ),
                nbformat.v4.new_code_cell(
                    "from learnpacks.widgets import _, configure, MultipleChoice, Option\n"
                    f'configure(notebook="{name}")',
                    id="setup",
                    metadata=hidden,
                ),
            ]
            for k in range(10):
                cells.append(
                    nbformat.v4.new_markdown_cell(
                        f"## Section {k} of pack {i}\n\nText ![Figure {i}.{k}](figure.svg) and "
                        f"[next]({name}).",
                        id=f"m{k}",
                    )
                )
                cells.append(
                    nbformat.v4.new_code_cell(
                        f'q{k} = MultipleChoice(\n    id="p{n}-q{k}",\n    prompt=_("Q{i}.{k}?"),\n'
                        '    options=[Option(_("A"), correct=True), Option(_("B"))],\n)\n'
                        f"q{k}",
                        id=f"c{k}",
                        metadata=hidden,
                    )
                )
            nb.cells = cells
            nbformat.write(nb, folder / name)


def fresh_check(root: Path, baseline: Path | None = None) -> tuple[float, float]:
    """Wall and CPU seconds of `learnpacks check` as a user runs it (a fresh process); with
    *baseline* (a checkout of another commit), that commit's learnpacks instead of this one."""
    env = dict(os.environ)
    if baseline is not None:
        env["PYTHONPATH"] = str(baseline)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    result = subprocess.run(
        [sys.executable, "-m", "learnpacks", "--root", str(root), "check"],
        capture_output=True,
        text=True,
        env=env,
        cwd=root,  # not this checkout's folder, whose learnpacks `-m` would find first
    )
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    assert result.returncode == 0, result.stdout + result.stderr
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    return wall, cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--packs", type=int, default=200)
    parser.add_argument("--notebooks", type=int, default=3)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--baseline",
        type=Path,
        metavar="CHECKOUT",
        help="also time the learnpacks of another checkout (e.g. `git worktree add /tmp/base "
        "COMMIT`) on the same catalog, side by side",
    )
    args = parser.parse_args()
    shipped = [fresh_check(REPO)[0] for _ in range(5)]
    print(
        f"`learnpacks check` on the shipped catalog (fresh process): median {statistics.median(shipped):.2f} s"
    )
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        make_catalog(root, args.packs, args.notebooks)
        runs: dict[str, list[tuple[float, float]]] = {"this checkout": []}
        if args.baseline:
            runs["baseline"] = []
        lib = []
        for _ in range(args.repeat):
            runs["this checkout"].append(fresh_check(root))
            if args.baseline:
                runs["baseline"].append(fresh_check(root, args.baseline))
            start = time.perf_counter()
            report = check_catalog(root=root)
            lib.append(time.perf_counter() - start)
            assert not report.problems
        total_nb = args.packs * args.notebooks
        print(f"catalog: {args.packs} packs, {total_nb} notebooks, {total_nb * 22} cells")
        for label, found in runs.items():
            wall = statistics.median(w for w, _ in found)
            cpu = statistics.median(c for _, c in found)
            print(
                f"`learnpacks check` (fresh process), {label}: median {wall:.2f} s, {cpu:.2f} CPU s"
            )
        if args.baseline:
            ratio = statistics.median(c for _, c in runs["this checkout"]) / statistics.median(
                c for _, c in runs["baseline"]
            )
            print(f"CPU ratio, this checkout / baseline: {ratio:.2f}")
        print(
            f"check_catalog() (in process):      median {statistics.median(lib):.2f} s, {1000 * statistics.median(lib) / total_nb:.1f} ms per notebook"
        )


if __name__ == "__main__":
    main()

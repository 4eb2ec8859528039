"""How long does `learnpacks check` take over a catalog of N generated packs?

Usage: .venv/bin/python benchmarks/check_bench.py [--packs 200] [--notebooks 3] [--repeat 3]

Generates N packs (each with a few notebooks that have markdown, images, links,
code and exercise cells) in a temporary folder, then times `learnpacks check`
as a user runs it (a fresh process, imports included) and as a library call.
"""

from __future__ import annotations

import argparse
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
            cells = [
                nbformat.v4.new_markdown_cell(
                    f"# Part {n}\n\nIntro with a [link](https://meta.wikimedia.org/).", id="t"
                )
            ]
            for k in range(10):
                cells.append(
                    nbformat.v4.new_markdown_cell(
                        f"## Section {k}\n\nText ![A figure](figure.svg) and [next]({name}).",
                        id=f"m{k}",
                    )
                )
                cells.append(
                    nbformat.v4.new_code_cell(
                        f'q{k} = MultipleChoice(id="p{n}-q{k}", question=_("Q?"))\nq{k}', id=f"c{k}"
                    )
                )
            nb.cells = cells
            nbformat.write(nb, folder / name)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--packs", type=int, default=200)
    parser.add_argument("--notebooks", type=int, default=3)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    shipped = []
    for _ in range(5):
        start = time.perf_counter()
        result = subprocess.run(
            [sys.executable, "-m", "learnpacks", "--root", str(REPO), "check"],
            capture_output=True,
            text=True,
        )
        shipped.append(time.perf_counter() - start)
        assert result.returncode == 0, result.stdout + result.stderr
    print(
        f"`learnpacks check` on the shipped catalog (fresh process): median {statistics.median(shipped):.2f} s"
    )
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        make_catalog(root, args.packs, args.notebooks)
        cli, lib = [], []
        for _ in range(args.repeat):
            start = time.perf_counter()
            result = subprocess.run(
                [sys.executable, "-m", "learnpacks", "--root", str(root), "check"],
                capture_output=True,
                text=True,
            )
            cli.append(time.perf_counter() - start)
            assert result.returncode == 0, result.stdout + result.stderr
            start = time.perf_counter()
            report = check_catalog(root=root)
            lib.append(time.perf_counter() - start)
            assert not report.problems
        total_nb = args.packs * args.notebooks
        print(f"catalog: {args.packs} packs, {total_nb} notebooks, {total_nb * 21} cells")
        print(f"`learnpacks check` (fresh process): median {statistics.median(cli):.2f} s")
        print(
            f"check_catalog() (in process):      median {statistics.median(lib):.2f} s, {1000 * statistics.median(lib) / total_nb:.1f} ms per notebook"
        )


if __name__ == "__main__":
    main()

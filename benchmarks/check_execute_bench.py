"""``learnpacks check --execute`` on the shipped catalog against plain ``pytest --nbval-lax`` on the
same notebooks, in one run; and what ``make test``'s notebook part costs before and after.

    .venv/bin/python benchmarks/check_execute_bench.py            # all four rows
    .venv/bin/python benchmarks/check_execute_bench.py --quick    # the first two rows only

Rows (each a fresh process, one after the other, single worker):

1. ``pytest --nbval-lax`` on every notebook ``check --execute`` runs: the source notebooks and
   every published translation, built once beforehand by ``learnpacks i18n build`` (nbval runs
   them in place, one kernel each, no exercise proofs);
2. ``learnpacks check --execute`` (static checks, the translation build, every notebook in every
   published language, the blank runs of graded notebooks and the practice-key probes);
3. ``pytest --nbval-lax packs``: what ``make test`` ran before (source notebooks only);
4. ``pytest --learnpacks-execute packs``: what ``make test`` runs now.

CPU time is the process's and its children's (kernels included: the fork server is waited
for, so its kernels' time counts). The overhead ratio is row 2 over row 1.
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent


def measure(argv: list[str], *, cwd: Path = REPO) -> dict[str, float | int]:
    """Wall and CPU seconds (the process and its children) of one command."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(argv, cwd=cwd, capture_output=True, text=True, check=False)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return {"wall": round(wall, 1), "cpu": round(cpu, 1), "exit": done.returncode}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--quick", action="store_true", help="rows 1 and 2 only")
    args = parser.parse_args()
    rows: dict[str, dict[str, float | int]] = {}
    with tempfile.TemporaryDirectory(prefix="check-execute-bench-") as tmp:
        out = Path(tmp) / "notebooks"
        subprocess.run(
            [str(BIN / "learnpacks"), "i18n", "build", "--out", str(out)],
            cwd=REPO,
            check=True,
            capture_output=True,
        )
        manifest = json.loads((out / "manifest.json").read_text())
        folders = sorted(
            str(out / entry["folder"])
            for langs in manifest["packs"].values()
            for entry in langs.values()
            if entry["published"] and entry["folder"]
        )
        notebooks = [str(p) for folder in folders for p in sorted(Path(folder).glob("*.ipynb"))]
        base = ["-p", "no:cacheprovider", "-q", "-p", "no:xdist"]
        rows["pytest --nbval-lax (same notebooks)"] = measure(
            [str(BIN / "pytest"), *base, "--basetemp", f"{tmp}/b1", "--nbval-lax", *notebooks],
            cwd=Path(tmp),
        )
        rows["learnpacks check --execute"] = measure(
            [str(BIN / "learnpacks"), "check", "--execute"]
        )
        if not args.quick:
            rows["make test before: pytest --nbval-lax packs"] = measure(
                [str(BIN / "pytest"), *base, "--basetemp", f"{tmp}/b3", "--nbval-lax", "packs"]
            )
            rows["make test now: pytest --learnpacks-execute packs"] = measure(
                [
                    str(BIN / "pytest"),
                    *base,
                    "--basetemp",
                    f"{tmp}/b4",
                    "--learnpacks-execute",
                    "packs",
                ]
            )
    print(f"{len(notebooks)} notebook runs (source and published translations)")
    print(f"{'what':<52} {'wall s':>8} {'CPU s':>8}  exit")
    for name, row in rows.items():
        print(f"{name:<52} {row['wall']:>8} {row['cpu']:>8}  {row['exit']}")
    first, second = list(rows.values())[:2]
    print(
        f"check --execute / nbval-lax: {float(second['cpu']) / float(first['cpu']):.2f}x CPU, "
        f"{float(second['wall']) / float(first['wall']):.2f}x wall"
    )


if __name__ == "__main__":
    main()

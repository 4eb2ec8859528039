"""Two or more versions of ``learnpacks cohort grade`` on one prepared cohort, alternating.

    git worktree add /tmp/before REV
    .venv/bin/python benchmarks/grading_ab.py --rounds 8 /tmp/before .

Each CHECKOUT is a folder holding a ``learnpacks`` package (a worktree of this repository); its
code is put first on ``PYTHONPATH`` for the grading command and everything it starts. The
cohort (the same generated hand-ins as ``grading_bench.py``, collected once with this
checkout's code) is copied afresh for every run; the checkouts take turns, in reverse order on
odd rounds. Reports each checkout's wall and CPU seconds per run (CPU from a cgroup, as in
``grading_bench.py``) and their medians: on a machine whose speed drifts, alternating runs
compare what one run each cannot.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from grading_bench import collected_cohort, measure, report  # noqa: E402


def main(argv: list[str] | None = None) -> dict[str, object]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("checkouts", nargs="+", type=Path)
    parser.add_argument("--learners", type=int, default=40)
    parser.add_argument("--rounds", type=int, default=6)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    checkouts = [c.resolve() for c in args.checkouts]
    for checkout in checkouts:
        if not (checkout / "learnpacks" / "__init__.py").is_file():
            parser.error(f"{checkout}: no learnpacks package there")
    bindir = str(Path(sys.executable).parent)
    base = Path(tempfile.mkdtemp(prefix="lp-ab-"))
    cohort = collected_cohort(base, args.learners)
    runs: dict[str, list[dict[str, float]]] = {str(c): [] for c in checkouts}
    try:
        for round_ in range(args.rounds):
            for checkout in checkouts if round_ % 2 == 0 else checkouts[::-1]:
                run_dir = base / "run"
                shutil.rmtree(run_dir, ignore_errors=True)
                shutil.copytree(cohort.root, run_dir)
                data = json.loads((run_dir / "cohort.json").read_text())
                data["db_url"] = f"sqlite:///{run_dir / 'gradebook.db'}"
                (run_dir / "cohort.json").write_text(json.dumps(data))
                env = {
                    **os.environ,
                    "PYTHONPATH": str(checkout),
                    "PATH": bindir + os.pathsep + os.environ.get("PATH", ""),
                }
                cmd = [sys.executable, "-m", "learnpacks", "cohort", "grade"]
                m = measure([*cmd, "-C", str(run_dir), "--json"], checkout, env)
                if m["exit"] != 0:
                    raise SystemExit(f"{checkout}: cohort grade exited with {m['exit']}")
                runs[str(checkout)].append({"wall_s": m["wall_s"], "cpu_s": m["cpu_s"]})
                print(round_, checkout, m["wall_s"], m["cpu_s"], flush=True)
    finally:
        shutil.rmtree(base, ignore_errors=True)
    results: dict[str, object] = {
        name: {
            "runs": done,
            "median_wall_s": statistics.median(r["wall_s"] for r in done),
            "median_cpu_s": statistics.median(r["cpu_s"] for r in done),
        }
        for name, done in runs.items()
    }
    report(results, args.json)
    return results


if __name__ == "__main__":
    main()

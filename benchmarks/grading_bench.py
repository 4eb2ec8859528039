"""Stock ``nbgrader autograde`` against ``learnpacks cohort grade`` on the same cohort, in one run.

    .venv/bin/python benchmarks/grading_bench.py --learners 40 [--workers 2] [--json out.json]

The cohort is the test suite's fixture pack (``tests/grading/fixtures/project``, two notebooks,
a widget exercise included) with generated right, partly right and wrong hand-ins
(``tests/grading/cohort_factory.py``). Both graders run as subprocesses on the same submitted
files; for each the benchmark records wall time, CPU seconds of the whole process tree and
peak memory (sum of the tree's RSS, sampled every 0.1 s).

CPU is read from a cgroup the command runs in (cgroup v1 ``cpuacct`` or v2 ``cpu.stat``, as
root): it counts every process, also those that end without being waited for by their parent,
as a confined kernel does when its sandbox is killed. rusage of reaped descendants is kept
beside it (``cpu_s_reaped``); without a cgroup, ``cpu_s`` falls back to it.
It then checks that both gave the same scores, and prints the throughput ratio.

``cohort grade`` runs ``--repeat`` times (default 5; each on a fresh copy of the cohort, about
half before stock's run and half after it), stock once. One run of ours takes about a tenth of
stock's, and on a virtual machine whose cores change speed from minute to minute a single short
run measures the minute it fell in as much as the grader; several spread around stock's long
run cover about the same time. The ratio is stock's wall time over the median of ours; every
run's figures are in the output (``runs``), with the ratio for ours' fastest and slowest run.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests" / "grading"))

from cohort_factory import make_handins  # noqa: E402
from grading_helpers import make_cohort  # noqa: E402

from learnpacks.grading.collect import collect  # noqa: E402
from learnpacks.grading.grade import default_workers  # noqa: E402


def _tree_rss(root: int) -> int:
    """Bytes of RSS of *root* and all its descendants (from /proc)."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    page = os.sysconf("SC_PAGE_SIZE")
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as f:
                fields = f.read().rsplit(")", 1)[1].split()
            with open(f"/proc/{entry}/statm") as f:
                rss[int(entry)] = int(f.read().split()[1]) * page
        except (OSError, IndexError, ValueError):
            continue
        children.setdefault(int(fields[1]), []).append(int(entry))
    total, stack = 0, [root]
    while stack:
        pid = stack.pop()
        total += rss.get(pid, 0)
        stack.extend(children.get(pid, []))
    return total


class CpuCgroup:
    """A cgroup that counts the CPU time of everything started in it (None if not allowed)."""

    def __init__(self, path: Path, usage: str) -> None:
        self.path = path
        self.usage = usage

    @classmethod
    def create(cls) -> CpuCgroup | None:
        name = f"lp-bench-{os.getpid()}-{time.monotonic_ns()}"
        for root, usage in (
            (Path("/sys/fs/cgroup/cpuacct"), "cpuacct.usage"),
            (Path("/sys/fs/cgroup/cpu,cpuacct"), "cpuacct.usage"),
            (Path("/sys/fs/cgroup"), "cpu.stat"),
            (Path("/sys/fs/cgroup/unified"), "cpu.stat"),
        ):
            if not (root / usage).exists() and not (root / "cgroup.controllers").exists():
                continue
            try:
                (root / name).mkdir()
            except OSError:
                continue
            if (root / name / usage).exists():
                return cls(root / name, usage)
            (root / name).rmdir()
        return None

    def join(self) -> None:
        """Move the calling process into the cgroup (a child's ``preexec_fn``)."""
        (self.path / "cgroup.procs").write_text(str(os.getpid()))

    def seconds(self) -> float:
        text = (self.path / self.usage).read_text()
        if self.usage == "cpuacct.usage":
            return int(text) / 1e9
        fields = dict(line.split() for line in text.splitlines())
        return int(fields["usage_usec"]) / 1e6

    def remove(self) -> None:
        for _ in range(100):  # the last processes leave a moment after they exit
            try:
                self.path.rmdir()
                return
            except OSError:
                time.sleep(0.05)


def measure(cmd: list[str], cwd: Path, env: dict[str, str]) -> dict[str, Any]:
    group = CpuCgroup.create()
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    proc = subprocess.Popen(
        cmd,
        cwd=cwd,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        preexec_fn=group.join if group else None,
    )
    peak = 0
    stop = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not stop.is_set():
            peak = max(peak, _tree_rss(proc.pid))
            stop.wait(0.1)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    code = proc.wait()
    wall = time.perf_counter() - start
    stop.set()
    sampler.join()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    reaped = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    cpu = reaped
    if group is not None:
        time.sleep(0.2)  # processes killed at the end finish exiting
        cpu = group.seconds()
        group.remove()
    return {
        "exit": code,
        "wall_s": round(wall, 2),
        "cpu_s": round(cpu, 2),
        "cpu_s_reaped": round(reaped, 2),
        "cpu_from": "cgroup" if group is not None else "rusage",
        "peak_rss_mb": round(peak / 2**20, 1),
    }


def scores(db_url: str) -> dict[str, float | None]:
    from nbgrader.api import Gradebook

    out = {}
    with Gradebook(db_url) as gb:
        for sub in gb.assignment_submissions("grading-demo"):
            for nb in sub.notebooks:
                for g in nb.grades:
                    out[f"{sub.student.id}/{nb.name}/{g.name}"] = g.auto_score
    return out


def collected_cohort(base: Path, learners: int) -> Any:
    """A cohort of the fixture pack in *base*/cohort with *learners* generated hand-ins (a
    third partly right, a third wrong, the rest right), collected."""
    cohort = make_cohort(base / "cohort")
    handins = make_handins(
        cohort.path("release"),
        base / "handins",
        right=learners - 2 * (learners // 3),
        partly=learners // 3,
        wrong=learners // 3,
        malicious=0,
        malformed=0,
    )
    collect(cohort, [learner.zip_path for learner in handins])
    return cohort


def report(results: dict[str, object], path: Path | None) -> None:
    """Print *results* as JSON, and write them to *path* if given."""
    text = json.dumps(results, indent=2)
    print(text)
    if path:
        path.write_text(text + "\n")


def main(argv: list[str] | None = None) -> dict[str, object]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--learners", type=int, default=40)
    parser.add_argument(
        "--workers", type=int, help="cohort grade's workers (default: its own default)"
    )
    parser.add_argument("--launchers", default="prefork,subprocess")
    parser.add_argument(
        "--repeat", type=int, default=5, help="runs of cohort grade per launcher (default 5)"
    )
    parser.add_argument("--json", type=Path)
    parser.add_argument("--keep", action="store_true", help="keep the temporary cohorts")
    args = parser.parse_args(argv)

    bindir = str(Path(sys.executable).parent)
    env = {**os.environ, "PATH": bindir + os.pathsep + os.environ.get("PATH", "")}
    os.environ["PATH"] = env["PATH"]
    base = Path(tempfile.mkdtemp(prefix="lp-bench-"))
    n = args.learners
    cohort = collected_cohort(base, n)
    notebooks = n * len(cohort.notebooks)

    # stock nbgrader, on a copy of the same course
    stock = base / "stock"
    stock.mkdir()
    for part in ("source", "submitted"):
        shutil.copytree(cohort.root / part, stock / part)
    stock_db = f"sqlite:///{stock / 'gradebook.db'}"
    (stock / "nbgrader_config.json").write_text(
        json.dumps(
            {
                "CourseDirectory": {
                    "root": str(stock),
                    "course_id": "grading-demo",
                    "db_url": stock_db,
                }
            }
        )
    )
    subprocess.run(
        [f"{bindir}/nbgrader", "generate_assignment", "grading-demo", "--force"],
        cwd=stock,
        env=env,
        capture_output=True,
        check=True,
    )
    results: dict[str, object] = {
        "learners": n,
        "notebooks": notebooks,
        "workers": args.workers or default_workers(),
        "cpus": os.cpu_count(),
        "load_before": os.getloadavg()[0],
    }
    launchers = args.launchers.split(",")
    runs: dict[str, list[dict[str, Any]]] = {launcher: [] for launcher in launchers}

    def ours(launcher: str) -> None:
        run_dir = base / f"ours-{launcher}-{len(runs[launcher])}"
        shutil.copytree(cohort.root, run_dir)
        data = json.loads((run_dir / "cohort.json").read_text())
        data["db_url"] = f"sqlite:///{run_dir / 'gradebook.db'}"
        (run_dir / "cohort.json").write_text(json.dumps(data))
        m = measure(
            [
                sys.executable,
                "-m",
                "learnpacks",
                "cohort",
                "grade",
                "-C",
                str(run_dir),
                *(["--workers", str(args.workers)] if args.workers else []),
                "--launcher",
                launcher,
                "--json",
            ],
            run_dir,
            env,
        )
        m["scores"] = scores(data["db_url"])
        runs[launcher].append(m)
        if not args.keep:
            shutil.rmtree(run_dir, ignore_errors=True)

    before = args.repeat // 2
    for _ in range(before):
        for launcher in launchers:
            ours(launcher)
    results["stock_nbgrader"] = stock_m = measure(
        [f"{bindir}/nbgrader", "autograde", "grading-demo", "--force"], stock, env
    )
    reference = scores(stock_db)
    for _ in range(args.repeat - before):
        for launcher in launchers:
            ours(launcher)

    stock_wall = stock_m["wall_s"]
    for launcher in launchers:
        done = runs[launcher]
        for m in done:
            m["scores_equal_stock"] = m.pop("scores") == reference
        walls = sorted(m["wall_s"] for m in done)
        results[f"cohort_grade_{launcher}"] = {
            "runs": done,
            "wall_s": round(statistics.median(walls), 2),
            "cpu_s": round(statistics.median(m["cpu_s"] for m in done), 2),
            "peak_rss_mb": max(m["peak_rss_mb"] for m in done),
            "exit": max(m["exit"] for m in done),
            "scores_equal_stock": all(m["scores_equal_stock"] for m in done),
            "throughput_ratio": round(stock_wall / statistics.median(walls), 2),
            "throughput_ratio_slowest_fastest": [
                round(stock_wall / walls[-1], 2),
                round(stock_wall / walls[0], 2),
            ],
            "notebooks_per_s": round(notebooks / statistics.median(walls), 2),
            "cpu_s_per_notebook": round(statistics.median(m["cpu_s"] for m in done) / notebooks, 3),
        }
    stock_m["notebooks_per_s"] = round(notebooks / stock_m["wall_s"], 2)
    stock_m["cpu_s_per_notebook"] = round(stock_m["cpu_s"] / notebooks, 3)
    results["load_after"] = os.getloadavg()[0]
    report(results, args.json)
    if not args.keep:
        shutil.rmtree(base, ignore_errors=True)
    return results


if __name__ == "__main__":
    main()

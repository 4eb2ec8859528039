"""CPU per traceback in a warm grading kernel's process, with and without the computations
``learnpacks.grading.kernel`` remembers for tracebacks, in one run.

    .venv/bin/python benchmarks/traceback_bench.py [--tracebacks 200] [--rounds 3]

Each round starts two fresh processes, one after the other: both import what the fork server
imports (``forkserver.WARM_MODULES``) and format one traceback first, as the server does; one
of them also makes the grading kernel's class (which installs the remembered computations,
``kernel._remember_traceback_colours``). Each then formats ``--tracebacks`` failed assertions of
a cell the way a kernel's shell does (IPython's ``Context`` mode, in colour) and reports its CPU
milliseconds per traceback.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys

CHILD = r"""
import contextlib, importlib, linecache, sys, time
sys.modules["debugpy"] = None
from learnpacks.grading import forkserver, kernel
for name in forkserver.WARM_MODULES:
    with contextlib.suppress(ImportError):
        importlib.import_module(name)
if sys.argv[2] == "remembered":
    kernel.grading_kernel_app_class()
forkserver._warm_tracebacks()
from IPython.core.ultratb import AutoFormattedTB
formatter = AutoFormattedTB(mode="Context", theme_name="linux")

def one(i):
    name = f"<cell-{i}>"
    source = "def check(x):\n    assert x == 2, x\n\nresult = [1, 2, 3]\ncheck(len(result) + %d)\n" % i
    linecache.cache[name] = (len(source), None, source.splitlines(True), name)
    try:
        exec(compile(source, name, "exec"), {})
    except AssertionError as exc:
        return formatter.structured_traceback(type(exc), exc, exc.__traceback__)

count = int(sys.argv[1])
start = time.process_time()
for i in range(count):
    one(i)
print(1000 * (time.process_time() - start) / count)
"""


def main(argv: list[str] | None = None) -> dict[str, object]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tracebacks", type=int, default=200)
    parser.add_argument("--rounds", type=int, default=3)
    args = parser.parse_args(argv)
    ms: dict[str, list[float]] = {"plain": [], "remembered": []}
    for _ in range(args.rounds):
        for kind in ms:
            out = subprocess.run(
                [sys.executable, "-c", CHILD, str(args.tracebacks), kind],
                capture_output=True,
                text=True,
                check=True,
            ).stdout
            ms[kind].append(round(float(out.strip().splitlines()[-1]), 2))
    results: dict[str, object] = {
        "tracebacks_per_process": args.tracebacks,
        "cpu_ms_per_traceback": ms,
        "median_plain": statistics.median(ms["plain"]),
        "median_remembered": statistics.median(ms["remembered"]),
    }
    print(json.dumps(results, indent=2))
    return results


if __name__ == "__main__":
    main()

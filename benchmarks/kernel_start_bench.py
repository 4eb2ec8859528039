"""A grading kernel's start-up CPU, forked from a warm parent, with and without the shell the
fork server makes beforehand (``learnpacks.grading.kernel.prebuild_shell``), in one run.

    .venv/bin/python benchmarks/kernel_start_bench.py [--kernels 40] [--rounds 5] > out.json

The parent imports what the grading fork server imports (``forkserver.WARM_MODULES``) and
formats one traceback, as the server does; then, round by round, it forks ``--kernels``
children from a parent without a pre-built shell and as many from one with it. Each child
initialises the grading kernel application (``GradingKernelApp.initialize`` on a connection file
of its own: sockets, threads, shell, profile) and exits without serving; its CPU time (user and
system, from ``wait4``) is what the benchmark reports, fork and exit included. No sandbox: the
namespaces and cgroup cost the same either way.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import json
import os
import statistics
import sys
import tempfile
from pathlib import Path

sys.modules["debugpy"] = None  # type: ignore[assignment]  # as the fork server does


def _warm() -> None:
    from learnpacks.grading import forkserver, kernel

    for name in forkserver.WARM_MODULES:
        with contextlib.suppress(ImportError):
            importlib.import_module(name)
    forkserver._warm_tracebacks()
    kernel.grading_kernel_app_class()


def _one_kernel(folder: Path) -> float:
    """CPU seconds of a child that forks, initialises a grading kernel and exits."""
    from jupyter_client.connect import write_connection_file

    from learnpacks.grading import kernel

    connection = folder / "kernel.json"
    write_connection_file(str(connection), transport="ipc", ip=str(folder / "k"))
    pid = os.fork()
    if pid == 0:
        code = 0
        try:
            os.environ["IPYTHONDIR"] = str(folder / ".ipython")
            log = os.open(folder / "log", os.O_WRONLY | os.O_CREAT, 0o600)
            os.dup2(log, 1)
            os.dup2(log, 2)
            kernel.grading_kernel_app().initialize(["-f", str(connection)])
        except BaseException:
            import traceback

            traceback.print_exc()
            code = 3
        os._exit(code)
    _, status, usage = os.wait4(pid, 0)
    if os.waitstatus_to_exitcode(status) != 0:
        raise SystemExit(f"a kernel failed to start: {(folder / 'log').read_text()}")
    return usage.ru_utime + usage.ru_stime


def main(argv: list[str] | None = None) -> dict[str, object]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--kernels", type=int, default=40, help="kernels per kind and round")
    parser.add_argument("--rounds", type=int, default=5)
    args = parser.parse_args(argv)
    from learnpacks.grading import kernel

    _warm()
    ms: dict[str, list[float]] = {"fresh shell": [], "pre-built shell": []}
    with tempfile.TemporaryDirectory(prefix="lp-kstart-") as tmp:
        for round_ in range(args.rounds):
            for kind in ms:
                if kind == "pre-built shell":
                    kernel.prebuild_shell()
                else:  # as the subprocess launcher's kernels: each makes its own
                    kernel._PREBUILT.clear()
                    kernel.grading_kernel_app_class().kernel_class.shell_class.clear_instance()
                cpu = 0.0
                for i in range(args.kernels):
                    folder = Path(tmp) / f"{round_}-{kind[:3]}-{i}"
                    folder.mkdir()
                    cpu += _one_kernel(folder)
                ms[kind].append(1000 * cpu / args.kernels)
    fresh = statistics.median(ms["fresh shell"])
    prebuilt = statistics.median(ms["pre-built shell"])
    results: dict[str, object] = {
        "kernels_per_round": args.kernels,
        "rounds": args.rounds,
        "cpu_ms_per_kernel": {k: [round(x, 1) for x in v] for k, v in ms.items()},
        "median_cpu_ms_fresh": round(fresh, 1),
        "median_cpu_ms_prebuilt": round(prebuilt, 1),
        "saved_ms": round(fresh - prebuilt, 1),
    }
    print(json.dumps(results, indent=2))
    return results


if __name__ == "__main__":
    main()

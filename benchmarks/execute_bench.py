"""Driving one kernel cell by cell: learnpacks' ``execute.Runner`` against nbclient's
``NotebookClient.execute_cell``, in one run.

    .venv/bin/python benchmarks/execute_bench.py --cells 300

Each driver gets a fresh ``python3`` kernel (jupyter_client's ``KernelManager``, no confinement:
the drivers are what is compared) and runs the same cells: an assignment, a print, and a test
cell with an assert. Start-up is left out; the figures are the wall time and the driver
process's CPU time per cell, and their ratio. ``grading_bench.py`` measures whole grading runs.
"""

from __future__ import annotations

import argparse
import json
import time
from typing import Any

import nbformat
from jupyter_client.manager import KernelManager
from nbformat.v4 import new_code_cell, new_notebook

from learnpacks.grading.execute import OK, Runner
from learnpacks.grading.kernel import KernelProcess
from learnpacks.grading.limits import Limits

SOURCES = ("x = {i}", "print({i})", "assert x + 0 == {i}")


class _Managed(KernelProcess):
    """A kernel started by jupyter_client, seen as the Runner sees its kernels."""

    def __init__(self, km: KernelManager) -> None:
        super().__init__(km.provisioner.pid if km.provisioner else 0, None)  # type: ignore[attr-defined]
        self.km = km

    def is_alive(self) -> bool:
        return bool(self.km.is_alive())

    def _reap(self) -> None:
        pass


def _cells(count: int) -> list[str]:
    return [SOURCES[n % len(SOURCES)].format(i=n // len(SOURCES)) for n in range(count)]


def runner(count: int) -> dict[str, float]:
    km = KernelManager(kernel_name="python3")
    km.start_kernel()
    client = km.client()
    client.start_channels()
    client.wait_for_ready(timeout=60)
    try:
        run = Runner(client, _Managed(km), Limits())
        sources = _cells(count)
        wall, cpu = time.perf_counter(), time.process_time()
        for source in sources:
            assert run.run(source).status == OK
        return {"wall": time.perf_counter() - wall, "cpu": time.process_time() - cpu}
    finally:
        client.stop_channels()
        km.shutdown_kernel(now=True)


def nbclient(count: int) -> dict[str, float]:
    from nbclient import NotebookClient

    nb = new_notebook(cells=[new_code_cell(s) for s in _cells(count)])
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    client = NotebookClient(nb, kernel_name="python3", timeout=30, allow_errors=True)
    with client.setup_kernel():
        wall, cpu = time.perf_counter(), time.process_time()
        for index, cell in enumerate(nb.cells):
            client.execute_cell(cell, index)
            assert not any(o.output_type == "error" for o in cell.outputs)
        return {"wall": time.perf_counter() - wall, "cpu": time.process_time() - cpu}


def main(argv: list[str] | None = None) -> dict[str, Any]:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cells", type=int, default=300)
    parser.add_argument("--json", help="write the figures here too")
    args = parser.parse_args(argv)
    nbformat.validate(new_notebook())  # import cost paid before timing
    out: dict[str, Any] = {"cells": args.cells}
    for name, driver in (("runner", runner), ("nbclient", nbclient)):
        figures = driver(args.cells)
        out[name] = {
            "ms_per_cell": 1000 * figures["wall"] / args.cells,
            "cpu_ms_per_cell": 1000 * figures["cpu"] / args.cells,
        }
    out["nbclient_over_runner_wall"] = out["nbclient"]["ms_per_cell"] / out["runner"]["ms_per_cell"]
    out["nbclient_over_runner_cpu"] = (
        out["nbclient"]["cpu_ms_per_cell"] / out["runner"]["cpu_ms_per_cell"]
    )
    text = json.dumps(out, indent=2)
    print(text)
    if args.json:
        with open(args.json, "w") as handle:
            handle.write(text)
    return out


if __name__ == "__main__":
    main()

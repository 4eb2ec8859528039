"""``check_catalog`` of a project, shared with forked workers, in a fresh process: run by
``test_fanout.py``, because a check fans out only from a process without other threads, and
earlier tests leave some (jupyter_core's event loop).

Usage: python fanout_check.py ROOT [--failing-workers | --dying-workers] [PACK_ID ...]
Prints ``{"fanned_out": [...], "report": ...}``: whether each check fanned out, and the report.
"""

from __future__ import annotations

import argparse
import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import learnpacks.checks as checks
from learnpacks.checks import fanout


def _raise(*args: object) -> Any:
    raise RuntimeError("a worker's bug")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("root", type=Path)
    parser.add_argument("pack_ids", nargs="*")
    parser.add_argument("--failing-workers", action="store_true")
    parser.add_argument("--dying-workers", action="store_true")
    args = parser.parse_args()
    fanout.PARALLEL_FROM_NOTEBOOKS = 1  # even a catalog of one notebook, on one core
    fanout.usable_cores = lambda: 2
    if args.failing_workers:
        fanout.check_notebooks = _raise  # the workers' name for it only
    if args.dying_workers:
        fanout._work = lambda *args: os._exit(3)
    made: list[bool] = []
    real = checks.fanned_out

    @contextmanager
    def recorded(root: Path, pack_ids: Any = None) -> Iterator[fanout.Fanout | None]:
        with real(root, pack_ids) as made_now:
            made.append(made_now is not None and bool(made_now.workers))
            yield made_now

    checks.fanned_out = recorded
    report = checks.check_catalog(root=args.root, pack_ids=args.pack_ids or None)
    print(json.dumps({"fanned_out": made, "report": report.to_dict()}))


if __name__ == "__main__":
    main()

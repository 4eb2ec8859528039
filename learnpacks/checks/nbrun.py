"""Run one notebook in a fresh kernel with nbval's semantics, and say how each code cell went.

nbclient drives the kernel (one kernel per run); nbval's own markers decide what each cell
means: ``# NBVAL_SKIP`` (or the ``nbval-skip`` tag) is not run, ``# NBVAL_RAISES_EXCEPTION``
(``raises-exception``) may raise, and ``# NBVAL_CHECK_OUTPUT`` (``nbval-check-output``) asks
for the cell's fresh outputs to equal its committed ones, compared by nbval's own comparison
after :data:`SANITIZE` has replaced addresses, ids and timings. Every other cell is lax: it
only has to run without an error. A cell counts as run only when the kernel's reply said so.
"""

from __future__ import annotations

import copy
import os
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from nbformat import NotebookNode

#: Sanitizers in nbval's file format (``--nbval-sanitize-with``): what differs between two
#: honest runs of the same cell.
SANITIZE = r"""
regex: \b0x[0-9a-fA-F]{6,16}\b
replace: 0xADDRESS
regex: \b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b
replace: UUID
regex: \b[0-9a-f]{32}\b
replace: HEXID
regex: (CPU times|Wall time|user|sys|total):\s*[0-9.]+\s*(ns|µs|us|ms|s|min)\b
replace: \1: TIME
regex: [0-9.]+\s*(ns|µs|us|ms|s) ± [0-9.]+\s*(ns|µs|us|ms|s) per loop.*
replace: TIMEIT
regex: \b\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}:\d{2}(\.\d+)?([+-]\d{2}:\d{2}|Z)?
replace: DATETIME
"""

_ANSI = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
#: Lines of a traceback a problem quotes.
TAIL_LINES = 3


@dataclass
class CellRun:
    """How one code cell went: run or not, its error, and a strict comparison's verdict."""

    index: int
    cell_id: str
    ran: bool = False
    ok: bool = False
    skipped: bool = False
    ename: str = ""
    evalue: str = ""
    tail: list[str] = field(default_factory=list)
    mismatch: str = ""
    expected_error: bool = False

    @property
    def failed(self) -> bool:
        return self.ran and not self.ok and not self.expected_error


@dataclass
class NotebookRun:
    """One notebook's run: the cells by index, and why it stopped early, if it did."""

    cells: dict[int, CellRun] = field(default_factory=dict)
    #: ``timeout``, ``kernel-died`` or ``kernel-start`` with the cell index it happened at
    stopped: tuple[str, int, str] | None = None
    #: what the extra code given to :func:`run_notebook` printed
    extra_output: str = ""
    #: the last lines of the extra code's error, if it raised
    extra_error: list[str] = field(default_factory=list)


def options(cell: Any) -> dict[str, bool]:
    """nbval's options for *cell*: ``skip``, ``check_exception``, ``check`` (strict)."""
    import warnings

    from nbval.plugin import find_comment_markers, find_metadata_tags

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        found = dict(find_metadata_tags(cell.get("metadata", {})))
        found.update(find_comment_markers(_source(cell)))
    return {
        "skip": bool(found.get("skip")),
        "check_exception": bool(found.get("check_exception")),
        "check": bool(found.get("check", False)),
    }


def _source(cell: Any) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else str(source)


def error_tail(traceback: list[str], keep: int = TAIL_LINES) -> list[str]:
    """The last *keep* non-blank lines of a traceback, without terminal colours."""
    lines = [
        line.rstrip()
        for entry in traceback
        for line in _ANSI.sub("", str(entry)).splitlines()
        if line.strip()
    ]
    return [line[:200] for line in lines[-keep:]]


class _Comparer:
    """nbval's own output comparison (``IPyNbCell.compare_outputs``), outside pytest."""

    def __init__(self) -> None:
        from nbval.plugin import IPyNbCell, IPyNbFile, get_sanitize_patterns, nocolors

        self.colors = nocolors
        self.comparison_traceback: list[str] = []
        self.parent = type(
            "Parent",
            (),
            {
                "skip_compare": (
                    "metadata",
                    "traceback",
                    "prompt_number",
                    "output_type",
                    "name",
                    "execution_count",
                    "application/vnd.jupyter.widget-view+json",
                    "image/png",
                    "image/jpeg",
                ),
                "sanitize_patterns": dict(get_sanitize_patterns(SANITIZE)),
            },
        )()
        self._compare = IPyNbCell.compare_outputs
        self._sanitize = IPyNbCell.sanitize
        self._format = IPyNbCell.format_output_compare
        self.ihook = type("Hook", (), {"pytest_assertrepr_compare": lambda *a, **k: []})()
        self.config = None
        assert IPyNbFile  # the comparison reads skip_compare as IPyNbFile defines it

    def sanitize(self, s: Any) -> Any:
        return self._sanitize(self, s)

    def format_output_compare(self, key: str, left: Any, right: Any) -> None:
        self._format(self, key, left, right)

    def differ(self, fresh: list[Any], committed: list[Any]) -> str:
        """'' when nbval finds the outputs equal, else its explanation (one line per item)."""
        from nbval.plugin import coalesce_streams

        self.comparison_traceback = []
        if self._compare(self, coalesce_streams(fresh), coalesce_streams(committed)):
            return ""
        text = " ".join(" ".join(str(x).split()) for x in self.comparison_traceback)
        return text[:400]


Hook = Callable[[Any], None]


def run_notebook(
    nb: NotebookNode,
    *,
    cwd: Path,
    timeout: float = 120,
    startup_timeout: float = 60,
    fork: bool = True,
    extra_code: str = "",
    env: dict[str, str] | None = None,
) -> NotebookRun:
    """Run every code cell of *nb* (a copy is run; *nb* is not changed) in a fresh kernel whose
    working folder is *cwd* (forked by :mod:`learnpacks.checks.kernels` unless *fork* is False:
    then a ``python -m ipykernel_launcher`` process, as nbval starts); then, if given,
    *extra_code* in the same kernel (its printed
    output is returned in :attr:`NotebookRun.extra_output`). Never raises for what the notebook
    does: errors, time-outs and a dying kernel are in the result.
    """
    from nbclient import NotebookClient
    from nbclient.exceptions import CellTimeoutError, DeadKernelError

    work = copy.deepcopy(nb)
    result = NotebookRun()
    replies: dict[int, dict[str, Any]] = {}

    def on_executed(cell: Any, cell_index: int, execute_reply: dict[str, Any]) -> None:
        replies[cell_index] = execute_reply.get("content", {})

    km = None
    if fork:
        from learnpacks.checks.kernels import kernel_manager, remove_kernel_log, start_error

        km = kernel_manager()
    client = NotebookClient(
        work,
        km=km,
        shutdown_kernel="immediate",
        timeout=timeout,
        startup_timeout=startup_timeout,
        kernel_name="python3",
        allow_errors=True,
        record_timing=False,
        resources={"metadata": {"path": str(cwd)}},
        on_cell_executed=on_executed,
    )
    comparer: _Comparer | None = None
    index = -1
    kernel_env = {**os.environ, **(env or {})}
    try:
        with client.setup_kernel(env=kernel_env, cleanup_kc=True):
            for index, cell in enumerate(work.cells):
                if cell.get("cell_type") != "code":
                    continue
                run = CellRun(index, str(cell.get("id", "")))
                result.cells[index] = run
                opts = options(cell)
                if opts["skip"]:
                    run.skipped = True
                    continue
                committed = copy.deepcopy(nb.cells[index])
                client.execute_cell(cell, index)
                reply = replies.get(index) or {}
                run.ran = reply is not None
                run.ok = bool(reply) and reply.get("status") == "ok"
                if reply and reply.get("status") == "error":
                    run.ename = str(reply.get("ename", ""))
                    run.evalue = str(reply.get("evalue", ""))
                    run.tail = error_tail(list(reply.get("traceback", [])))
                    run.expected_error = opts["check_exception"]
                if (
                    run.ok
                    and opts["check"]
                    and committed.get("execution_count") is not None  # nbval: unrun, not compared
                ):
                    comparer = comparer or _Comparer()
                    run.mismatch = comparer.differ(cell.outputs, committed.get("outputs", []))
            if extra_code:
                index = len(work.cells)
                probe = NotebookNode(
                    cell_type="code", source=extra_code, metadata={}, outputs=[], id="probe"
                )
                work.cells.append(probe)
                client.execute_cell(probe, index)
                reply = replies.get(index) or {}
                if reply.get("status") == "ok":
                    result.extra_output = "".join(
                        o.get("text", "")
                        for o in probe.outputs
                        if o.get("output_type") == "stream" and o.get("name") == "stdout"
                    )
                else:
                    result.extra_error = error_tail(list(reply.get("traceback", [])))
    except CellTimeoutError as exc:
        result.stopped = ("timeout", index, str(exc).strip().splitlines()[-1][:200])
    except DeadKernelError as exc:
        result.stopped = ("kernel-died", index, str(exc)[:200])
    except RuntimeError as exc:  # the kernel did not start (nbclient raises RuntimeError)
        if index < 0:
            why = start_error(km) if km is not None else ""
            result.stopped = ("kernel-start", 0, (f"{exc}: {why}" if why else str(exc))[:400])
        else:
            raise
    finally:
        if km is not None:
            remove_kernel_log(km)
    return result

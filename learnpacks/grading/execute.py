"""Running code in a confined kernel, one cell at a time, with the reply as the truth.

A cell's status comes from its ``execute_reply`` (``ok`` or ``error``), never from its outputs:
a learner who silences tracebacks (THREATS.md 24) still fails, and a cell that produced no
output passes only if the reply said ``ok`` (47). Outputs are capped per cell (34),
tracebacks shortened (44), stdin refused (38), each cell timed (33); a kernel that ignores the
interrupt is killed (35), and one that dies (36) leaves every later cell ``not-run``.

:func:`execute_notebook` runs one prepared notebook: every code cell in order with test cells
*without* their hidden tests (phase 1), then each test cell with hidden tests in full after the
last learner cell (phase 2, THREATS 27). Around it, :mod:`learnpacks.grading.tamper`'s three
layers (24-26, 57): learner-written cells are scanned before anything runs, the kernel is
probed before the first cell, before each test cell and around phase 2 (the probe rides on the
request of the code cell just before, evaluated after it, or goes alone when that cell failed),
and each test run carries a proof of execution; a test cell passes only if its reply is ``ok``,
it has no error output and its proof came back.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass, field
from typing import Any

import zmq
from jupyter_client.blocking import BlockingKernelClient
from nbformat import NotebookNode
from nbformat.v4 import new_output, output_from_msg

from learnpacks.grading import tamper
from learnpacks.grading.authority import AuthCell, Authority, visible_part
from learnpacks.grading.kernel import KernelProcess
from learnpacks.grading.limits import Limits
from learnpacks.grading.prepare import Finding

OK, ERROR, TIMEOUT, DIED, NOT_RUN = "ok", "error", "timeout", "died", "not-run"


@dataclass
class CellRun:
    """What happened when one piece of code ran."""

    status: str
    outputs: list[NotebookNode] = field(default_factory=list)
    execution_count: int | None = None
    ename: str = ""
    evalue: str = ""
    dropped_bytes: int = 0
    #: the reply's ``user_expressions`` (how probes and proofs come back)
    user_expressions: dict[str, Any] = field(default_factory=dict)

    @property
    def passed(self) -> bool:
        return self.status == OK


def truncate_traceback(lines: list[str], keep: int) -> list[str]:
    if len(lines) <= keep:
        return lines
    head = keep // 2
    tail = keep - head
    return [*lines[:head], f"... {len(lines) - keep} traceback lines omitted ...", *lines[-tail:]]


class Runner:
    """Executes code on one kernel under *limits*; after a death it only answers ``not-run``."""

    def __init__(self, client: BlockingKernelClient, kernel: KernelProcess, limits: Limits):
        self.client = client
        self.kernel = kernel
        self.limits = limits
        self.dead = False
        self.poller = zmq.Poller()
        self.poller.register(client.iopub_channel.socket, zmq.POLLIN)
        self.poller.register(client.shell_channel.socket, zmq.POLLIN)

    def run(
        self, code: str, *, silent: bool = False, user_expressions: dict[str, str] | None = None
    ) -> CellRun:
        """Run *code*; *silent* runs it without history, hooks or display (the probe's way).
        *user_expressions* are evaluated after it and come back in ``CellRun.user_expressions``."""
        if self.dead:
            return CellRun(NOT_RUN, ename="KernelDied", evalue="the kernel died in an earlier cell")
        msg_id = self.client.execute(
            code,
            silent=silent,
            store_history=not silent,
            user_expressions=user_expressions or {},
            allow_stdin=False,
            stop_on_error=False,
        )
        run = CellRun(NOT_RUN)
        size = 0
        reply: dict[str, Any] | None = None
        idle = False
        deadline = time.monotonic() + self.limits.cell_timeout
        interrupted_at: float | None = None
        while reply is None or not idle:
            now = time.monotonic()
            if interrupted_at is None and now > deadline:
                self.kernel.interrupt()
                interrupted_at = now
            if interrupted_at is not None and now > interrupted_at + self.limits.interrupt_grace:
                self.kernel.kill()
                self.dead = True
                run.status, run.ename = DIED, "KernelKilled"
                run.evalue = (
                    f"the cell ran over {self.limits.cell_timeout:g} s and ignored the "
                    "interrupt; the kernel was killed"
                )
                return self._note_dropped(run)
            events = dict(self.poller.poll(200))
            if not events:
                if not self.kernel.is_alive():
                    self.dead = True
                    run.status, run.ename = DIED, "KernelDied"
                    run.evalue = "the kernel died while running this cell"
                    return self._note_dropped(run)
                continue
            if self.client.iopub_channel.socket in events:
                # the channel's own get_msg: the client's get_*_msg wrap an event loop per call
                msg = self.client.iopub_channel.get_msg(timeout=0)
                if msg["parent_header"].get("msg_id") != msg_id:
                    continue
                kind = msg["msg_type"]
                if kind == "status" and msg["content"].get("execution_state") == "idle":
                    idle = True
                elif kind == "clear_output":
                    run.outputs.clear()
                    size = 0
                elif kind in ("stream", "display_data", "execute_result", "error"):
                    size = self._add_output(run, msg, size)
            if self.client.shell_channel.socket in events:
                msg = self.client.shell_channel.get_msg(timeout=0)
                if msg["parent_header"].get("msg_id") == msg_id:
                    reply = msg["content"]
        run.execution_count = None if silent else reply.get("execution_count")
        expressions = reply.get("user_expressions")
        run.user_expressions = expressions if isinstance(expressions, dict) else {}
        if interrupted_at is not None:
            run.status, run.ename = TIMEOUT, "CellTimeoutError"
            run.evalue = f"the cell ran over {self.limits.cell_timeout:g} s and was interrupted"
        elif reply.get("status") == "ok":
            run.status = OK
        else:
            run.status = ERROR
            run.ename = str(reply.get("ename", "Error"))
            run.evalue = str(reply.get("evalue", ""))
        return self._note_dropped(run)

    @staticmethod
    def _note_dropped(run: CellRun) -> CellRun:
        """Say how much output the cap dropped, however the cell ended (a flood can outlast the
        interrupt grace and get its kernel killed)."""
        if run.dropped_bytes:
            run.outputs.append(
                new_output(
                    "stream",
                    name="stdout",
                    text=(f"\n[learnpacks: {run.dropped_bytes} bytes of output were dropped]\n"),
                )
            )
        return run

    def _add_output(self, run: CellRun, msg: dict[str, Any], size: int) -> int:
        content = msg["content"]
        if msg["msg_type"] == "error":
            content["traceback"] = truncate_traceback(
                list(content.get("traceback", [])), self.limits.traceback_lines
            )
        cost = len(json.dumps(content, default=str))
        if size + cost > self.limits.output_bytes:
            run.dropped_bytes += cost
            if msg["msg_type"] == "error":  # an error always counts, even past the cap
                run.outputs.append(output_from_msg(msg))
            return size
        output = output_from_msg(msg)
        last = run.outputs[-1] if run.outputs else None
        if (
            output.output_type == "stream"
            and last is not None
            and last.output_type == "stream"
            and last.name == output.name
        ):
            last.text += output.text
        else:
            run.outputs.append(output)
        return size + cost


# --- one notebook ----------------------------------------------------------------------------


def _error_output(ename: str, evalue: str) -> NotebookNode:
    return new_output("error", ename=ename, evalue=evalue, traceback=[f"{ename}: {evalue}"])


def _record(cell: NotebookNode, run: CellRun) -> None:
    """Add *run*'s outputs to *cell*. A run that was not ``ok`` leaves an error as the cell's
    *first* output: nbgrader's ``determine_grade`` reads outputs in order, and a result shown
    before the error (a hook's ``execute_result``) would otherwise count as full marks."""
    cell.outputs.extend(run.outputs)
    cell.execution_count = run.execution_count
    if run.status != OK:
        errors = [o for o in cell.outputs if o.output_type == "error"]
        first = errors[-1] if errors else _error_output(run.ename or "Error", run.evalue)
        if errors:
            cell.outputs.remove(first)
        cell.outputs.insert(0, first)


class _Guard:
    """The integrity checks of one notebook run (see :mod:`learnpacks.grading.tamper`):
    probes compared with the first one, and proofs that each test cell ran to its end."""

    def __init__(self, nb: NotebookNode, authority: Authority, runner: Runner) -> None:
        self.nb = nb
        self.runner = runner
        self.probe = tamper.Probe(tamper.protected_names(authority))
        self.request = {self.probe.tag: self.probe.expression()}
        self.first: dict[str, Any] | None = None
        self.findings: list[Finding] = []
        self.tainted: tuple[str, str] | None = None  # (code, message) once a probe fails
        self.clean_until = -1  # index of the last cell after which a probe was clean

    def expressions(self) -> dict[str, str]:
        """The probe, to ride on the request of the code cell just before a check: its
        ``user_expressions`` are evaluated after that cell, when nothing else runs before the
        next one (a request fewer per check, about a third of a notebook's)."""
        return {} if self.tainted is not None else self.request

    def check(self, before: int, where: str, carried: CellRun | None = None) -> None:
        """Probe the kernel before cell *before* (or ``len(cells)`` for the end); *carried* is
        the run of the code cell just before, if it took the probe along (a cell that failed
        returns no expressions: then the probe is asked on its own)."""
        if self.tainted is not None or self.runner.dead:
            return
        if (
            carried is not None
            and carried.status == OK
            and self.probe.tag in carried.user_expressions
        ):
            run = carried
        else:
            run = self.runner.run("", silent=True, user_expressions=self.request)
            if self.runner.dead:
                return
        report = tamper.read_probe(run.user_expressions, self.probe.tag)
        span = self._span(before)
        if report is None:
            self.tainted = (
                tamper.PROBE_FAILED,
                f"the grader's integrity probe {where} did not answer "
                f"({run.ename or 'no report'}); {span} may have changed how cells run",
            )
        elif self.first is None:
            self.first = report
            changed = tamper.compare(report, report)
            if changed:
                self.tainted = (tamper.STATE, f"before the first cell: {'; '.join(changed)}")
        else:
            changed = tamper.compare(self.first, report)
            if changed:
                self.tainted = (
                    tamper.STATE,
                    f"the grader's integrity probe {where} found {'; '.join(changed)} "
                    f"changed by {span}",
                )
        if self.tainted is None:
            self.clean_until = before - 1

    def _span(self, before: int) -> str:
        start, end = self.clean_until + 1, min(before, len(self.nb.cells)) - 1
        cells = [i for i in range(start, end + 1) if self.nb.cells[i].cell_type == "code"]
        if not cells:
            return "the test cells themselves"
        if len(cells) == 1:
            return tamper.cell_label(self.nb, cells[0])
        return f"{tamper.cell_label(self.nb, cells[0])} to {tamper.cell_label(self.nb, cells[-1])}"

    def run_test(self, code: str, gid: str, probe: bool = False) -> CellRun:
        """Run a test cell's *code* with a proof of execution (and the probe, if *probe*); a
        run whose proof did not come back is not ``ok``. Tests run after a failed probe are
        flagged."""
        name, value = tamper.new_token()
        expressions = {name: name, **(self.expressions() if probe else {})}
        run = self.runner.run(tamper.with_proof(code, name, value), user_expressions=expressions)
        if run.status == OK and tamper.read_expression(run.user_expressions, name) != value:
            run.status, run.ename = ERROR, "TestNotProven"
            run.evalue = "the test cell did not run to its end (its proof of execution is missing)"
            self.findings.append(
                Finding(tamper.UNPROVEN, f"test {gid!r}: {run.evalue}; something rewrote it", gid)
            )
        if self.tainted is not None:
            code_, message = self.tainted
            self.findings.append(Finding(code_, f"{message}; test {gid!r} withheld", gid))
        return run


def execute_notebook(
    nb: NotebookNode, authority: Authority, runner: Runner
) -> tuple[dict[int, CellRun], list[Finding]]:
    """Run *nb* in place (phase 1, then hidden tests); statuses by cell index, and findings.

    Phase 1 runs every code cell in order, test cells without their hidden tests; phase 2 runs
    each test cell with hidden tests in full, after the last learner cell (THREATS 27). Before
    anything runs, learner-written cells are scanned for tampering APIs; the kernel is probed
    before the first cell, before each test cell and around phase 2, and every test run carries
    a proof of execution (:mod:`learnpacks.grading.tamper`).
    """
    auth = authority.by_id()
    findings = tamper.scan_notebook(nb, authority)
    guard = _Guard(nb, authority, runner)
    runs: dict[int, CellRun] = {}
    hidden: list[tuple[int, AuthCell]] = []
    guard.check(0, "before the first cell")
    code_cells = [i for i, cell in enumerate(nb.cells) if cell.cell_type == "code"]

    def test_of(index: int) -> AuthCell | None:
        gid = nb.cells[index].metadata.get("nbgrader", {}).get("grade_id")
        ac = auth.get(gid) if gid else None
        return ac if ac is not None and ac.is_test else None

    any_hidden = any(a.has_hidden for a in map(test_of, code_cells) if a is not None)
    previous: CellRun | None = None  # the last code cell's run, if it took the probe along
    for position, index in enumerate(code_cells):
        cell = nb.cells[index]
        ac = test_of(index)
        code = cell.source
        # the probe rides on this cell when a check comes next: before a test cell, or before
        # the hidden tests after the last cell
        following = code_cells[position + 1] if position + 1 < len(code_cells) else None
        carry = any_hidden if following is None else test_of(following) is not None
        if ac is not None:
            if ac.has_hidden:
                code = visible_part(ac.source)
                hidden.append((index, ac))
            guard.check(index, f"before {tamper.cell_label(nb, index)}", previous)
            run = guard.run_test(code, ac.grade_id, probe=carry)
        else:
            run = runner.run(code, user_expressions=guard.expressions() if carry else None)
        previous = run if carry else None
        runs[index] = run
        _record(cell, run)
    if hidden:
        guard.check(len(nb.cells), "before the hidden tests", previous)
    previous = None
    for position, (index, ac) in enumerate(hidden):
        if runs[index].status != OK:
            continue
        last = all(runs[i].status != OK for i, _ in hidden[position + 1 :])
        run = guard.run_test(ac.source, ac.grade_id, probe=last)
        previous = run if last else None
        # outputs of the hidden phase are the facilitator's; feedback never shows them
        for output in run.outputs:
            output.setdefault("metadata", {})["learnpacks_hidden"] = True
        _record(nb.cells[index], run)
        runs[index] = run
    if hidden and guard.tainted is None:
        guard.check(len(nb.cells), "after the hidden tests", previous)
        if guard.tainted is not None:
            code_, message = guard.tainted
            for _, ac in hidden:
                guard.findings.append(
                    Finding(code_, f"{message}; test {ac.grade_id!r} withheld", ac.grade_id)
                )
    findings.extend(dict.fromkeys(guard.findings))  # a test run twice is flagged once
    for index, run in sorted(runs.items()):
        gid = nb.cells[index].metadata.get("nbgrader", {}).get("grade_id", "")
        if run.status == TIMEOUT:
            # flagged even in an ungraded cell (the docs promise it): its scores stand
            findings.append(
                Finding("grading.cell-timeout", f"cell {index + 1}: {run.evalue}", gid, review=True)
            )
        elif run.status == DIED:
            findings.append(
                Finding("grading.kernel-died", f"cell {index + 1}: {run.evalue}", gid, review=True)
            )
        elif run.status == NOT_RUN and gid:
            findings.append(
                Finding(
                    "grading.not-run", f"cell {gid!r} did not run: {run.evalue}", gid, review=True
                )
            )
    return runs, findings

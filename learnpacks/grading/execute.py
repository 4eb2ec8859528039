"""Running code in a confined kernel, one cell at a time, with the reply as the truth.

A cell's status comes from its ``execute_reply`` (``ok`` or ``error``), never from its outputs:
a learner who silences tracebacks (THREATS.md 24) still fails, and a cell that produced no
output passes only if the reply said ``ok`` (47). Outputs are capped per cell (34),
tracebacks shortened (44), stdin refused (38), each cell timed (33); a kernel that ignores the
interrupt is killed (35), and one that dies (36) leaves every later cell ``not-run``.
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

from learnpacks.grading.kernel import KernelProcess
from learnpacks.grading.limits import Limits

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

    def run(self, code: str) -> CellRun:
        if self.dead:
            return CellRun(NOT_RUN, ename="KernelDied", evalue="the kernel died in an earlier cell")
        msg_id = self.client.execute(
            code, silent=False, store_history=True, allow_stdin=False, stop_on_error=False
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
                msg = self.client.get_iopub_msg(timeout=0)
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
                msg = self.client.get_shell_msg(timeout=0)
                if msg["parent_header"].get("msg_id") == msg_id:
                    reply = msg["content"]
        run.execution_count = reply.get("execution_count")
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

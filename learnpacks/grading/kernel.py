"""Starting a confined IPython kernel and talking to it.

Two launchers give the same :class:`KernelProcess`:

* :class:`SubprocessLauncher` starts ``python -m ipykernel_launcher`` with :func:`sandbox.confine`
  as ``preexec_fn`` (about 0.4 CPU-seconds per kernel: a fresh interpreter imports IPython);
* :class:`~learnpacks.grading.forkserver.ForkServerLauncher` asks a pre-forked parent that has
  already imported ipykernel, IPython and zmq to fork a child per kernel (a third of the cost).

Kernels listen on ``ipc://`` sockets in their working folder: they live in a network namespace
of their own, where TCP would not reach the grader. Messages are JSON (jupyter_client's default
packer, set explicitly): nothing from the kernel is unpickled.
"""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path

from jupyter_client.blocking import BlockingKernelClient
from jupyter_client.connect import write_connection_file

from learnpacks.grading import sandbox
from learnpacks.grading.limits import Limits

KERNEL_ARGS = ("--HistoryManager.enabled=False", "--IPKernelApp.quiet=True")


class KernelStartError(RuntimeError):
    """The kernel did not start or did not answer in time."""


def kernel_env(workdir: str) -> dict[str, str]:
    """The kernel's whole environment: nothing of the facilitator's (tokens, database URLs)."""
    return {
        "PATH": os.path.dirname(sys.executable) + ":/usr/local/bin:/usr/bin:/bin",
        "HOME": workdir,
        "IPYTHONDIR": os.path.join(workdir, ".ipython"),
        "MPLCONFIGDIR": os.path.join(workdir, ".matplotlib"),
        "MPLBACKEND": "agg",
        "LANG": "C.UTF-8",
        "PYTHONNOUSERSITE": "1",
        "PYTHONDONTWRITEBYTECODE": "1",
        # nbgrader's autograde sets this; packs may read it (THREATS.md 29, documented)
        "NBGRADER_EXECUTION": "autograde",
    }


@dataclass
class Prepared:
    connection_file: str
    plan: sandbox.Plan
    env: dict[str, str]


def prepare_kernel(workdir: str, limits: Limits, *, hide: tuple[str, ...] = ()) -> Prepared:
    """Connection file (ipc transport, fresh key) and confinement plan for a kernel in *workdir*."""
    conn = os.path.join(workdir, ".kernel.json")
    write_connection_file(
        conn,
        transport="ipc",
        ip=os.path.join(workdir, ".k"),
        key=uuid.uuid4().hex.encode(),
    )
    cgroup = sandbox.make_pids_cgroup(f"learnpacks-{uuid.uuid4().hex[:12]}", limits.processes)
    root_dir = os.path.join(workdir + ".root")
    os.makedirs(root_dir, exist_ok=True)
    plan = sandbox.plan_for(workdir, limits, hide=hide, cgroup=cgroup, root_dir=root_dir)
    return Prepared(conn, plan, kernel_env(workdir))


class KernelProcess:
    """A confined kernel process leading its own process group: how it is signalled and ended.
    Subclasses say whether it is alive and how it is reaped."""

    def __init__(self, pid: int, cgroup: str | None) -> None:
        self.pid = pid
        self.cgroup = cgroup

    def is_alive(self) -> bool:
        raise NotImplementedError

    def _reap(self) -> None:
        raise NotImplementedError

    def interrupt(self) -> None:
        if self.is_alive():
            os.kill(self.pid, signal.SIGINT)

    def kill(self) -> None:
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.pid, signal.SIGKILL)
        self._reap()
        sandbox.remove_cgroup(self.cgroup)


class SubprocessKernel(KernelProcess):
    """A kernel started as a confined subprocess."""

    def __init__(self, proc: subprocess.Popen[bytes], cgroup: str | None) -> None:
        super().__init__(proc.pid, cgroup)
        self.proc = proc

    def is_alive(self) -> bool:
        return self.proc.poll() is None

    def _reap(self) -> None:
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.proc.wait(timeout=5)


class SubprocessLauncher:
    """Start each kernel as ``python -m ipykernel_launcher`` under :func:`sandbox.confine`."""

    name = "subprocess"

    def launch(self, prepared: Prepared) -> SubprocessKernel:
        log = open(os.path.join(prepared.plan.workdir, ".kernel.log"), "wb")  # noqa: SIM115
        try:
            proc = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "ipykernel_launcher",
                    "-f",
                    prepared.connection_file,
                    *KERNEL_ARGS,
                ],
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=log,
                env=prepared.env,
                cwd=prepared.plan.workdir,
                preexec_fn=lambda: sandbox.confine(prepared.plan),  # noqa: PLW1509
                close_fds=True,
            )
        finally:
            log.close()
        return SubprocessKernel(proc, prepared.plan.cgroup)

    def close(self) -> None:
        pass


def connect(prepared: Prepared, kernel: KernelProcess, limits: Limits) -> BlockingKernelClient:
    """A client whose kernel has answered ``kernel_info``; KernelStartError if it never does."""
    client = BlockingKernelClient(connection_file=prepared.connection_file)
    client.load_connection_file()
    client.session.packer = "json"
    client.session.unpacker = "json"
    client.start_channels()
    deadline = time.monotonic() + limits.startup_timeout
    next_ask = 0.0
    asked: set[str] = set()
    answered = False
    # Ready means: a kernel_info reply on shell *and* its status on iopub. PUB/SUB drops what
    # is published before the subscription reaches the kernel, so until iopub has delivered
    # one message, the first cell's output and idle status could be lost.
    while time.monotonic() < deadline:
        if not kernel.is_alive():
            client.stop_channels()
            raise KernelStartError(f"the kernel exited while starting ({_log_tail(prepared)})")
        if time.monotonic() >= next_ask:
            asked.add(client.kernel_info())
            next_ask = time.monotonic() + (0.1 if answered else 1.0)
        if client.shell_channel.msg_ready() or _wait(client.shell_channel.socket, 0.02):
            reply = client.get_shell_msg(timeout=0)
            if not answered and reply["parent_header"].get("msg_id") in asked:
                answered = True
                next_ask = time.monotonic() + 0.05
        while client.iopub_channel.msg_ready() or _wait(client.iopub_channel.socket, 0.02):
            msg = client.get_iopub_msg(timeout=0)
            if answered and msg["parent_header"].get("msg_id") in asked:
                _drain(client)
                return client
    client.stop_channels()
    raise KernelStartError(f"the kernel did not answer in {limits.startup_timeout:.0f} s")


def _wait(socket: object, seconds: float) -> bool:
    return bool(socket.poll(int(seconds * 1000)))  # type: ignore[attr-defined]


def _drain(client: BlockingKernelClient) -> None:
    while client.iopub_channel.msg_ready():
        client.get_iopub_msg(timeout=0)


def _log_tail(prepared: Prepared) -> str:
    path = Path(prepared.plan.workdir) / ".kernel.log"
    try:
        text = path.read_text(errors="replace")[-400:].strip()
    except OSError:
        return "no log"
    return text.splitlines()[-1] if text else "no log"

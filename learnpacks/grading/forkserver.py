"""Cheap kernel start-up: a parent that has imported ipykernel once forks a child per kernel.

A fresh ``python -m ipykernel_launcher`` spends about 0.4 CPU-seconds importing IPython,
ipykernel, zmq and tornado before it runs a cell. This server pays that once: it imports them
(creating no thread, no zmq context, no event loop), then for each request forks a child that
points stdio at its log and confines itself (:func:`sandbox.run_confined`: its own PID
namespace, root and cgroup), and only there creates its
own ``IPKernelApp`` on its own connection file: every kernel is still a fresh, isolated
process, sharing nothing but read-only pages with its siblings.

Protocol: one JSON object per line on stdin, one reply per line on stdout:
``{"op": "spawn", "plan": ..., "log": ..., "env": ...}`` -> ``{"pid": N}``;
``{"op": "poll", "pid": N}`` -> ``{"exitcode": null | int}``; ``{"op": "reap", "pid": N}``.
The server exits when its stdin closes and is killed with its parent (PR_SET_PDEATHSIG).

This sits beside jupyter_client's provisioner API rather than inside it: a provisioner is
found through an entry point of the ``jupyter_client.kernel_provisioners`` group, which needs
packaging metadata this module cannot add (see docs/facilitators.md, "Kernel start-up").
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import threading
import traceback
from typing import Any

from learnpacks.grading import cgroups, sandbox
from learnpacks.grading.kernel import KernelProcess, Prepared, start_kernel

#: imported once by the server so each kernel starts warm (the widgets a pack uses included).
#: Only modules that start no thread and open no socket at import time belong here.
WARM_MODULES = (
    "ipykernel.kernelapp",
    "ipykernel.ipkernel",
    "ipykernel.zmqshell",
    "IPython",
    "IPython.core.completer",
    "jedi",
    "zmq",
    "jupyter_client.session",
    "tornado.ioloop",
    "comm",
    "ipywidgets",
    "anywidget",
    "learnpacks.widgets",
)


def _child(plan: sandbox.Plan, log_path: str, env: dict[str, str]) -> None:
    """In the forked child: stdio to the log, the kernel's own environment, then confinement
    and the kernel (:func:`sandbox.run_confined` never returns)."""
    try:
        null = os.open(os.devnull, os.O_RDONLY)
        log = os.open(log_path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        os.dup2(null, 0)
        os.dup2(log, 1)
        os.dup2(log, 2)
        os.closerange(3, 65536)
        for sig in (signal.SIGTERM, signal.SIGCHLD, signal.SIGPIPE):
            signal.signal(sig, signal.SIG_DFL)
        signal.signal(signal.SIGINT, signal.default_int_handler)
        os.environ.clear()
        os.environ.update(env)
    except BaseException:  # the log is the only witness
        traceback.print_exc()
        os._exit(1)
    sandbox.run_confined(plan, lambda: start_kernel(plan))


def serve() -> None:
    """The server loop (``python -m learnpacks.grading.forkserver``)."""
    sandbox._libc.prctl(sandbox.PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the grading parent's to handle
    # No debugger in graded kernels: importing debugpy costs 0.5 s per kernel, and imported
    # once here it patches threading in ways that hang forked kernels.
    sys.modules["debugpy"] = None  # type: ignore[assignment]
    import importlib

    for name in WARM_MODULES:
        with contextlib.suppress(ImportError):
            importlib.import_module(name)
    out = sys.stdout
    for line in sys.stdin:
        request = json.loads(line)
        op = request.get("op")
        reply: dict[str, Any]
        if op == "spawn":
            plan = sandbox.Plan.from_dict(request["plan"])
            out.flush()
            pid = os.fork()
            if pid == 0:
                _child(plan, request["log"], request["env"])
            reply = {"pid": pid}
        elif op in ("poll", "reap"):
            pid = int(request["pid"])
            try:
                done, status = os.waitpid(pid, 0 if op == "reap" else os.WNOHANG)
                code = None if done == 0 else os.waitstatus_to_exitcode(status)
            except ChildProcessError:
                code = -1
            reply = {"exitcode": code}
        else:
            reply = {"error": f"unknown op {op!r}"}
        out.write(json.dumps(reply) + "\n")
        out.flush()


class ForkedKernel(KernelProcess):
    """A kernel forked by the server: signals go straight to it, its status through the server."""

    def __init__(
        self, launcher: ForkServerLauncher, pid: int, cgroup: cgroups.Cgroup | None
    ) -> None:
        super().__init__(pid, cgroup)
        self.launcher = launcher
        self.exitcode: int | None = None

    def is_alive(self) -> bool:
        if self.exitcode is None:
            self.exitcode = self.launcher.ask({"op": "poll", "pid": self.pid})["exitcode"]
        return self.exitcode is None

    def _reap(self) -> None:
        if self.exitcode is None:
            self.exitcode = self.launcher.ask({"op": "reap", "pid": self.pid})["exitcode"]


class ForkServerLauncher:
    """Starts kernels through one fork server (started on first use, restarted if it died)."""

    name = "prefork"

    def __init__(self) -> None:
        self.proc: subprocess.Popen[str] | None = None
        self.lock = threading.Lock()

    def _server(self) -> subprocess.Popen[str]:
        if self.proc is None or self.proc.poll() is not None:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "learnpacks.grading.forkserver"],
                stdin=subprocess.PIPE,
                stdout=subprocess.PIPE,
                text=True,
                bufsize=1,
                close_fds=True,
            )
        return self.proc

    def ask(self, request: dict[str, Any]) -> dict[str, Any]:
        with self.lock:
            proc = self._server()
            assert proc.stdin is not None and proc.stdout is not None
            proc.stdin.write(json.dumps(request) + "\n")
            proc.stdin.flush()
            line = proc.stdout.readline()
        if not line:
            raise RuntimeError("the kernel fork server exited")
        return dict(json.loads(line))

    def launch(self, prepared: Prepared) -> ForkedKernel:
        reply = self.ask(
            {
                "op": "spawn",
                "plan": prepared.plan.to_dict(),
                "log": prepared.log,
                "env": prepared.env,
            }
        )
        return ForkedKernel(self, int(reply["pid"]), prepared.cgroup)

    def close(self) -> None:
        if self.proc is not None:
            if self.proc.stdin:
                self.proc.stdin.close()
            try:
                self.proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
            self.proc = None


if __name__ == "__main__":
    serve()

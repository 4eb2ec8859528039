"""Cheap kernels for ``check --execute``: a warm parent forks one fresh kernel per notebook run.

A fresh ``python -m ipykernel_launcher`` spends most of a short notebook's CPU time importing
IPython, ipykernel, zmq, the widgets and pandas. :func:`serve` (``python -m
learnpacks.checks.kernels``) imports them once and then, for each request, forks a child that
takes the run's working folder and environment and starts its own ``IPKernelApp`` on the
connection file jupyter_client wrote: every kernel is still a new process with a fresh
interpreter state (nothing ran in the parent but imports), it only skips re-reading the same
modules. matplotlib is not pre-imported: ipykernel chooses its backend when the kernel starts.

:class:`ForkProvisioner` is the jupyter_client kernel provisioner that asks the server (the
documented place for a custom start-up); :func:`kernel_manager` gives nbclient a kernel
manager that uses it. Unlike :mod:`learnpacks.grading.forkserver`, kernels here are not
confined: they run authors' notebooks, as nbval and ``book build`` do.

Kernels listen on ``ipc://`` sockets in a private folder of the checking process, not on TCP
ports: jupyter_client picks a TCP port by binding and releasing it before the kernel binds it, so
another process (a second pytest worker, a browser) could take it in between and the kernel died
before replying to kernel_info. What a kernel prints to its standard error before it can report
anything (its start-up traceback) is kept beside its connection file (:func:`kernel_log`) and
shown when it did not start.

Protocol: one JSON object per line on stdin, one reply per line on stdout:
``{"connection_file": ..., "cwd": ..., "env": {...}, "log": ...}`` -> ``{"pid": N}``. The
server reaps its children itself and exits when its stdin closes.
"""

from __future__ import annotations

import atexit
import contextlib
import functools
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import uuid
from typing import Any

from jupyter_client.provisioning import LocalProvisioner

from learnpacks.procs import end_by_eof

#: imported once by the server. Only modules that start no thread, open no socket and read no
#: per-kernel setting at import time belong here.
WARM_MODULES = (
    "ipykernel.kernelapp",
    "ipykernel.ipkernel",
    "ipykernel.zmqshell",
    "IPython",
    "zmq",
    "jupyter_client.session",
    "tornado.ioloop",
    "comm",
    "ipywidgets",
    "anywidget",
    "pandas",
)


def _child(request: dict[str, Any]) -> None:
    """In the forked child: the run's folder, environment and stdio, then the kernel."""
    try:
        signal.signal(
            signal.SIGCHLD, signal.SIG_DFL
        )  # the kernel's own subprocesses are waited for
        signal.signal(signal.SIGINT, signal.default_int_handler)
        os.setpgid(0, 0)
        null = os.open(os.devnull, os.O_RDWR)
        log = os.open(request["log"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        for fd, to in ((0, null), (1, null), (2, log)):
            os.dup2(to, fd)
        os.closerange(3, 65536)
        os.chdir(request["cwd"])
        os.environ.clear()
        os.environ.update(request["env"])
        sys.argv = ["ipykernel_launcher", "-f", request["connection_file"]]
        from ipykernel.kernelapp import IPKernelApp

        app = IPKernelApp.instance()
        app.initialize(sys.argv[1:])
        app.start()
    finally:
        os._exit(0)


def _reap(_signum: int, _frame: Any) -> None:
    """Wait for every child that ended, so its CPU time counts in this process's children's
    (and, once the server ends, in the checking process's)."""
    with contextlib.suppress(ChildProcessError):
        while os.waitpid(-1, os.WNOHANG)[0]:
            pass


def serve() -> None:
    """The server loop: warm imports, then a fork per request line."""
    import importlib

    signal.signal(signal.SIGCHLD, _reap)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C belongs to the checking process
    sys.modules["debugpy"] = None  # type: ignore[assignment]  # 0.5 s per kernel, and unused here
    for name in WARM_MODULES:
        with contextlib.suppress(ImportError):
            importlib.import_module(name)
    with contextlib.suppress(ImportError):
        from learnpacks import widgets

        widgets.import_all()  # the package itself imports its modules only on first use
    out = sys.stdout
    for line in sys.stdin:
        request = json.loads(line)
        out.flush()
        pid = os.fork()
        if pid == 0:
            _child(request)
        out.write(json.dumps({"pid": pid}) + "\n")
        out.flush()


class ForkServer:
    """One server process per checking process, started on first use."""

    _lock = threading.Lock()
    _proc: subprocess.Popen[str] | None = None

    @classmethod
    def spawn(cls, request: dict[str, Any]) -> int:
        with cls._lock:
            if cls._proc is None or cls._proc.poll() is not None:
                atexit.register(cls.close)
                cls._proc = subprocess.Popen(
                    [sys.executable, "-m", "learnpacks.checks.kernels"],
                    stdin=subprocess.PIPE,
                    stdout=subprocess.PIPE,
                    text=True,
                    bufsize=1,
                    close_fds=True,
                )
            assert cls._proc.stdin is not None and cls._proc.stdout is not None
            cls._proc.stdin.write(json.dumps(request) + "\n")
            cls._proc.stdin.flush()
            line = cls._proc.stdout.readline()
        if not line:
            raise RuntimeError("the kernel fork server exited")
        return int(json.loads(line)["pid"])

    @classmethod
    def close(cls) -> None:
        """Stop the server (it exits when its input closes) and wait for it."""
        with cls._lock:
            proc, cls._proc = cls._proc, None
        if proc is not None:
            end_by_eof(proc, timeout=30)


class ForkedProcess:
    """The part of ``subprocess.Popen`` a provisioner uses, for a kernel the server forked."""

    def __init__(self, pid: int) -> None:
        self.pid = pid
        self.returncode: int | None = None
        self.stdin = self.stdout = self.stderr = None

    def poll(self) -> int | None:
        if self.returncode is None:
            try:
                with open(f"/proc/{self.pid}/stat") as f:
                    state = f.read().rsplit(")", 1)[1].split()[0]
                if state in ("Z", "X"):
                    self.returncode = 0
            except (OSError, IndexError):
                self.returncode = 0
        return self.returncode

    def wait(self, timeout: float | None = None) -> int:
        import time

        deadline = None if timeout is None else time.monotonic() + timeout
        while self.poll() is None:
            if deadline is not None and time.monotonic() > deadline:
                raise subprocess.TimeoutExpired(str(self.pid), timeout or 0)
            time.sleep(0.02)
        return int(self.returncode or 0)

    def send_signal(self, signum: int) -> None:
        if self.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.pid, signum)

    def kill(self) -> None:
        self.send_signal(signal.SIGKILL)

    def terminate(self) -> None:
        self.send_signal(signal.SIGTERM)


class IpcProvisioner(LocalProvisioner):
    """jupyter_client's local provisioner, with the kernel on ``ipc://`` sockets in
    :func:`socket_folder` instead of TCP ports (see the module's text). Registered as the entry
    point ``learnpacks-ipc-provisioner``; ``book build`` names it for the kernels MyST-NB starts
    (``JUPYTER_DEFAULT_PROVISIONER_NAME``, :data:`BOOK_KERNEL_ENV`)."""

    async def pre_launch(self, **kwargs: Any) -> dict[str, Any]:
        km = self.parent
        if km is not None and km.transport == "tcp":
            km.cache_ports = False
            km.transport = "ipc"
            km.ip = os.path.join(socket_folder(), uuid.uuid4().hex[:8])
        return dict(await super().pre_launch(**kwargs))


#: what the book build's Sphinx process gets in its environment: kernels on Unix sockets
BOOK_KERNEL_ENV = {"JUPYTER_DEFAULT_PROVISIONER_NAME": "learnpacks-ipc-provisioner"}


class ForkProvisioner(LocalProvisioner):
    """jupyter_client's local provisioner, with the kernel forked by :class:`ForkServer`."""

    async def launch_kernel(self, cmd: list[str], **kwargs: Any) -> Any:
        km = self.parent
        assert km is not None
        env = dict(kwargs.get("env") or os.environ)
        pid = ForkServer.spawn(
            {
                "connection_file": km.connection_file,
                "cwd": str(kwargs.get("cwd") or os.getcwd()),
                "env": env,
                "log": kernel_log(km),
            }
        )
        self.process = ForkedProcess(pid)  # type: ignore[assignment]
        self.pid = pid
        self.pgid = pid
        self.cwd = kwargs.get("cwd")
        return self.connection_info


#: a Unix socket's path holds at most 107 bytes (``sun_path``); a socket is ``<folder>/<8 hex>-N``
_SOCKET_FOLDER_MAX = 80


@functools.cache
def socket_folder() -> str:
    """This process's private folder for kernels' connection files, sockets and logs (removed
    at exit). In the temporary folder, or in ``/tmp`` when that path is too long for a socket."""
    base = tempfile.gettempdir()
    if len(base) > _SOCKET_FOLDER_MAX - 20:
        base = "/tmp"
    folder = tempfile.mkdtemp(prefix="lp-kernels-", dir=base)
    atexit.register(shutil.rmtree, folder, True)
    return folder


def kernel_log(km: Any) -> str:
    """Where the kernel of *km* (see :func:`kernel_manager`) writes its standard error."""
    return os.path.splitext(km.connection_file)[0] + ".log"


def kernel_manager() -> Any:
    """A python3 kernel manager whose kernel the fork server starts (for nbclient's ``km=``),
    on ``ipc://`` sockets in :func:`socket_folder`."""
    from jupyter_client.manager import KernelManager

    name = uuid.uuid4().hex[:8]
    folder = socket_folder()
    km = KernelManager(
        kernel_name="python3",
        transport="ipc",
        ip=os.path.join(folder, name),
        connection_file=os.path.join(folder, name + ".json"),
    )
    km.provisioner = ForkProvisioner(kernel_id=None, kernel_spec=km.kernel_spec, parent=km)
    return km


def start_error(km: Any) -> str:
    """The last line the kernel of *km* wrote to its standard error (its start-up error), or
    '' (see :func:`remove_kernel_log`)."""
    try:
        with open(kernel_log(km), encoding="utf-8", errors="replace") as f:
            lines = [line.strip() for line in f if line.strip()]
    except OSError:
        return ""
    return lines[-1] if lines else ""


def remove_kernel_log(km: Any) -> None:
    """Remove the log of the kernel of *km* (once it is done with)."""
    with contextlib.suppress(OSError):
        os.unlink(kernel_log(km))


if __name__ == "__main__":
    serve()

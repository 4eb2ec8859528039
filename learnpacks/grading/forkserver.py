"""Cheap kernel start-up: a parent that has imported ipykernel once forks a child per kernel.

A fresh ``python -m ipykernel_launcher`` spends about 0.4 CPU-seconds importing IPython,
ipykernel, zmq and tornado before it runs a cell. This server pays that once: it imports them
and makes the kernels' IPython shell (:func:`~learnpacks.grading.kernel.prebuild_shell`; creating
no thread, no zmq context, no event loop), then for each request forks a child that
points stdio at its log and confines itself (:func:`sandbox.run_confined`: its own PID
namespace, root and cgroup), and only there creates its
own ``IPKernelApp`` on its own connection file: every kernel is still a fresh, isolated
process, sharing nothing but read-only pages with its siblings.

Protocol: one JSON object per line on stdin, one reply per line on stdout:
``{"op": "spawn", "plan": ..., "log": ..., "env": ...}`` -> ``{"pid": N}``;
``{"op": "poll", "pid": N}`` -> ``{"exitcode": null | int}``; ``{"op": "reap", "pid": N}``.
The server exits when its stdin closes and is killed with its parent (PR_SET_PDEATHSIG).

This sits beside jupyter_client's kernel managers and provisioners rather than inside them:
the grader talks to its kernels with its own client loop (:mod:`learnpacks.grading.execute`),
and a kernel's start is a confinement plan (namespaces, root, cgroup) that jupyter_client has no
place for. (``check --execute`` and ``book build`` do use provisioners:
:mod:`learnpacks.checks.kernels`.)
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
from collections.abc import Iterator
from typing import Any

from learnpacks.grading import cgroups, sandbox
from learnpacks.grading.kernel import (
    KernelProcess,
    Prepared,
    grading_kernel_app_class,
    prebuild_shell,
    start_kernel,
)
from learnpacks.procs import end_by_eof

#: imported once by the server so each kernel starts warm (the widgets a pack uses: by
#: ``learnpacks.widgets.import_all()`` in :func:`serve`).
#: Only modules that start no thread and open no socket at import time belong here.
WARM_MODULES = (
    "ipykernel.kernelapp",
    "ipykernel.ipkernel",
    "ipykernel.zmqshell",
    "IPython",
    "IPython.core.completer",
    "zmq",
    "jupyter_client.session",
    "tornado.ioloop",
    "comm",
    "ipywidgets",
    "anywidget",
    # What every kernel imported after the fork, compiling it anew when there is no bytecode
    # cache (measured: 0.07 CPU-s of IPKernelApp.initialize, 0.1 of a first traceback): its
    # debugger and inspector, IPython's traceback formatting, tornado's loop.
    "IPython.core.completerlib",
    "IPython.core.debugger",
    "IPython.core.logger",
    "IPython.core.oinspect",
    "IPython.core.ultratb",
    "IPython.extensions.storemagic",
    "IPython.utils.wildcard",
    "ipykernel.debugger",
    "stack_data",
    "pygments.lexers.python",
    "pygments.formatters.html",
    "pygments.formatters.terminal256",
    "pygments.filters",
    "pygments.modeline",
    "tornado.gen",
    "tornado.locks",
    "tornado.queues",
    "tornado.platform.asyncio",
    "zmq.utils.garbage",
    "fractions",
    "faulthandler",
)


def _warm_tracebacks() -> None:
    """Format one traceback the way a kernel's shell does (IPython's ``Context`` mode, with
    colours), so every kernel finds pygments' compiled lexer and the caches of ``inspect`` and
    ``stack_data`` built: a kernel's first error then costs about 0.01 CPU-seconds, not 0.1."""
    import linecache

    from IPython.core.ultratb import AutoFormattedTB

    name = "<learnpacks-forkserver-warm-up>"
    source = "def check(x):\n    assert x == 2, x\n\ncheck(1)\n"
    linecache.cache[name] = (len(source), None, source.splitlines(True), name)
    try:
        exec(compile(source, name, "exec"), {})
    except AssertionError as exc:
        AutoFormattedTB(mode="Context", theme_name="linux").structured_traceback(
            type(exc), exc, exc.__traceback__
        )
    finally:
        linecache.cache.pop(name, None)


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


def _handle(request: dict[str, Any], flush: Any) -> dict[str, Any]:
    op = request.get("op")
    if op == "spawn":
        plan = sandbox.Plan.from_dict(request["plan"])
        flush()
        pid = os.fork()
        if pid == 0:
            _child(plan, request["log"], request["env"])
        return {"pid": pid}
    if op in ("poll", "reap"):
        pid = int(request["pid"])
        try:
            done, status = os.waitpid(pid, 0 if op == "reap" else os.WNOHANG)
            code = None if done == 0 else os.waitstatus_to_exitcode(status)
        except ChildProcessError:
            code = -1
        return {"exitcode": code}
    return {"error": f"unknown op {op!r}"}


def serve(listen: str | None = None) -> None:
    """The server loop (``python -m learnpacks.grading.forkserver [--listen SOCKET]``).

    Without *listen*, requests come on stdin and replies go to stdout (one client). With it,
    any number of clients (the workers of one grading run) connect to that Unix socket, each
    with its own line-based conversation; the server exits when its stdin closes.
    """
    sandbox._libc.prctl(sandbox.PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the grading parent's to handle
    listener = None
    if listen:  # listen first: clients may queue requests while the modules below load
        import socket

        listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        listener.bind(_socket_address(listen))
        listener.listen(64)
    # No debugger in graded kernels: importing debugpy costs 0.5 s per kernel, and imported
    # once here it patches threading in ways that hang forked kernels.
    sys.modules["debugpy"] = None  # type: ignore[assignment]
    import importlib

    for name in WARM_MODULES:
        if listener is not None and _closed(sys.stdin):
            return  # the run ended (nothing to grade) before the server was warm
        with contextlib.suppress(ImportError):
            importlib.import_module(name)
    # only warm-ups: a kernel does without them
    with contextlib.suppress(Exception):
        _warm_tracebacks()
    with contextlib.suppress(Exception):
        grading_kernel_app_class()
    with contextlib.suppress(Exception):
        prebuild_shell()
    with contextlib.suppress(Exception):
        from learnpacks import widgets
        from learnpacks.widgets import i18n

        widgets.import_all()
        i18n.warm()
    if listener is None:
        out = sys.stdout
        for line in sys.stdin:
            reply = _handle(json.loads(line), out.flush)
            out.write(json.dumps(reply) + "\n")
            out.flush()
        return
    _serve_clients(listener)


def _closed(stream: Any) -> bool:
    """Has the grading parent closed *stream* (the shared server's stdin, never written to)?"""
    import select

    return bool(select.select([stream], [], [], 0)[0]) and not stream.readline()


def _serve_clients(listener: Any) -> None:
    import selectors

    selector = selectors.DefaultSelector()
    selector.register(listener, selectors.EVENT_READ, "accept")
    selector.register(sys.stdin, selectors.EVENT_READ, "stdin")
    while True:
        for key, _ in selector.select():
            if key.data == "stdin":
                if not sys.stdin.readline():
                    return
            elif key.data == "accept":
                conn, _ = listener.accept()
                selector.register(conn, selectors.EVENT_READ, conn.makefile("rw"))
            else:
                # A client that is gone (a worker killed between its request and the reply:
                # a broken pipe, a reset connection) is dropped; the others are still served.
                stream = key.data
                try:
                    line = stream.readline()
                    if line:
                        reply = _handle(json.loads(line), stream.flush)
                        stream.write(json.dumps(reply) + "\n")
                        stream.flush()
                        continue
                except OSError:
                    pass
                selector.unregister(key.fileobj)
                with contextlib.suppress(OSError):
                    stream.close()
                key.fileobj.close()  # type: ignore[union-attr]


#: set by :func:`shared_server` for the worker processes it is inherited by
ADDRESS_ENV = "LEARNPACKS_FORKSERVER"


class ForkServerLost(RuntimeError):
    """The fork server is gone (killed from outside: the host's out-of-memory killer, an
    operator), and the kernels it started with it: what was being graded must be graded again,
    through a new server. Not the learner's doing."""


class SharedServer:
    """The shared fork server of one grading run (:func:`shared_server`): its current address,
    and a new server when the one before has died (:meth:`ensure`)."""

    def __init__(self) -> None:
        self.proc: subprocess.Popen[bytes] | None = None
        self.address = ""
        self.restarts = 0
        #: ``$LEARNPACKS_FORKSERVER`` before this server set it (restored by shared_server)
        self.env_before = os.environ.get(ADDRESS_ENV)
        self._start()

    def _start(self) -> None:
        import uuid

        self.address = f"@learnpacks-forkserver-{os.getpid()}-{uuid.uuid4().hex[:12]}"
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "learnpacks.grading.forkserver", "--listen", self.address],
            stdin=subprocess.PIPE,
            close_fds=True,
        )
        os.environ[ADDRESS_ENV] = self.address

    def ensure(self) -> str:
        """The address of a live server that listens: this one's, or a new one's if it has
        exited. (It starts listening a moment after it starts: by the time the grading parent
        has read the gradebook, long since.)"""
        assert self.proc is not None
        code = self.proc.poll()
        if code is not None:
            how = f"signal {-code}" if code < 0 else f"exit status {code}"
            print(
                f"learnpacks: the kernel fork server stopped ({how}); a new one grades again "
                "the notebooks it was running",
                file=sys.stderr,
                flush=True,
            )
            self.restarts += 1
            self._start()
        self._wait_listening()
        return self.address

    def _wait_listening(self, timeout: float = 60) -> None:
        import socket
        import time

        assert self.proc is not None
        deadline = time.monotonic() + timeout
        while self.proc.poll() is None and time.monotonic() < deadline:
            with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as probe:
                try:
                    probe.connect(_socket_address(self.address))
                    return
                except (FileNotFoundError, ConnectionRefusedError):
                    time.sleep(0.005)

    def stop(self) -> None:
        proc, self.proc = self.proc, None
        if proc is not None:
            end_by_eof(proc, timeout=10)


@contextlib.contextmanager
def shared_server(
    *, enabled: bool = True, started: SharedServer | None = None
) -> Iterator[SharedServer | None]:
    """One fork server for this machine's whole grading run: started here (or *started*
    already, by the caller), used by every worker started while the context is open, stopped
    at the end; yields it (None when not enabled). It listens on an abstract Unix socket:
    nothing on disk to leave behind.

    Pass its address to the workers explicitly: a worker made by multiprocessing's own fork
    server inherits the environment of that server's start (an earlier run's address), not
    ``$LEARNPACKS_FORKSERVER`` as set here."""
    if not enabled:
        if started is not None:
            started.stop()
        yield None
        return
    server = started or SharedServer()
    old = server.env_before
    try:
        yield server
    finally:
        if old is None:
            os.environ.pop(ADDRESS_ENV, None)
        else:
            os.environ[ADDRESS_ENV] = old
        server.stop()


def _socket_address(address: str) -> str:
    """``@name`` is Linux's abstract namespace (no file); anything else a path."""
    return "\0" + address[1:] if address.startswith("@") else address


class ForkedKernel(KernelProcess):
    """A kernel forked by the server: signals go straight to it, its status through the server."""

    def __init__(
        self, launcher: ForkServerLauncher, pid: int, cgroup: cgroups.Cgroup | None
    ) -> None:
        super().__init__(pid, cgroup)
        self.launcher = launcher
        self.exitcode: int | None = None
        #: the server that forked it: only that one can say how it ended
        self.server = launcher.current()

    def is_alive(self) -> bool:
        if self.exitcode is not None:
            return False
        try:  # no round trip to the server while it lives: its state, from /proc
            with open(f"/proc/{self.pid}/stat") as f:
                running = f.read().rsplit(")", 1)[1].split()[0] not in "ZX"
        except (OSError, IndexError):
            running = False
        if running:
            return True
        self.exitcode = self.launcher.ask({"op": "poll", "pid": self.pid}, self.server)["exitcode"]
        return self.exitcode is None

    def _reap(self) -> None:
        if self.exitcode is None:
            try:
                reply = self.launcher.ask({"op": "reap", "pid": self.pid}, self.server)
                self.exitcode = reply["exitcode"]
            except ForkServerLost:  # its parent is gone: the kernel died with it (or was killed)
                self.exitcode = -signal.SIGKILL


class ForkServerLauncher:
    """Starts kernels through one fork server (started on first use, restarted if it died)."""

    name = "prefork"

    def __init__(self, address: str | None = None) -> None:
        self.proc: subprocess.Popen[str] | None = None
        self.lock = threading.Lock()
        #: a shared server's socket (:func:`shared_server`); None: start a server of our own
        self.address = address or os.environ.get(ADDRESS_ENV)
        self._conn: Any = None
        self._conn_pid = 0

    def _connection(self) -> Any:
        """This process's conversation with the shared server (a forked worker opens its own).
        The server listens before its address is handed out (:meth:`SharedServer.ensure`), so
        a refused connection means it is gone."""
        if self._conn is None or self._conn_pid != os.getpid():
            import socket

            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                sock.connect(_socket_address(str(self.address)))
            except OSError as exc:
                sock.close()
                raise ForkServerLost(f"no kernel fork server at {self.address} ({exc})") from None
            self._conn, self._conn_pid = sock.makefile("rw"), os.getpid()
        return self._conn

    def _server(self) -> Any:
        if self.address:
            return self._connection()
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

    def current(self) -> Any:
        """The server now asked (its process, or a shared one's address)."""
        return self.address or self.proc

    def ask(self, request: dict[str, Any], server: Any = None) -> dict[str, Any]:
        """The server's reply to *request*; :class:`ForkServerLost` if it has died, or if
        *server* (the one a kernel was forked by) is no longer the one asked: another server
        cannot wait for that kernel."""
        with self.lock:
            if server is not None and (
                server != self.current()
                or (isinstance(server, subprocess.Popen) and server.poll() is not None)
            ):
                raise ForkServerLost("the kernel fork server that started this kernel is gone")
            try:
                if self.address:
                    conn = self._connection()
                    conn.write(json.dumps(request) + "\n")
                    conn.flush()
                    line = conn.readline()
                else:
                    proc = self._server()
                    assert proc.stdin is not None and proc.stdout is not None
                    proc.stdin.write(json.dumps(request) + "\n")
                    proc.stdin.flush()
                    line = proc.stdout.readline()
            except OSError as exc:  # a broken pipe, a reset or refused connection
                self._conn = None
                raise ForkServerLost(f"the kernel fork server is gone ({exc})") from None
        if not line:
            self._conn = None
            raise ForkServerLost("the kernel fork server exited")
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
        if self._conn is not None and self._conn_pid == os.getpid():
            with contextlib.suppress(OSError):  # the server may be gone
                self._conn.close()
            self._conn = None
        if self.proc is not None:
            end_by_eof(self.proc, timeout=5)
            self.proc = None


if __name__ == "__main__":
    serve(sys.argv[2] if sys.argv[1:2] == ["--listen"] else None)
    # Done: skip the interpreter's teardown of everything imported for the kernels (a fifth
    # of a second the grading parent would wait for at the end of each run).
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)

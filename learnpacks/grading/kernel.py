"""Starting a confined IPython kernel and talking to it.

Two launchers give the same :class:`KernelProcess`, both through
:func:`sandbox.run_confined` (a supervisor, an init and the kernel in their own namespaces):

* :class:`SubprocessLauncher` starts ``python -m learnpacks.grading.kernel PLAN`` (about 0.4
  CPU-seconds per kernel: a fresh interpreter imports IPython);
* :class:`~learnpacks.grading.forkserver.ForkServerLauncher` asks a pre-forked parent that has
  already imported ipykernel, IPython and zmq to fork a child per kernel (a third of the cost).

Kernels listen on ``ipc://`` sockets inside their own root (they live in a network namespace of
their own, where TCP would not reach the grader); the grader reaches them through
``/proc/<supervisor>/root``. Messages are JSON (jupyter_client's default packer, set
explicitly): nothing from the kernel is unpickled.
"""

from __future__ import annotations

import contextlib
import functools
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from learnpacks.errors import LearnpacksError
from learnpacks.grading import cgroups, sandbox
from learnpacks.grading.limits import Limits

if TYPE_CHECKING:
    from jupyter_client.blocking import BlockingKernelClient

#: The grading kernel's settings. ``_execute_sleep``: ipykernel sleeps 0.5 ms after each reply
#: "to let iopub flush"; the runner waits for the kernel's idle status on iopub anyway, which
#: comes after every output.
KERNEL_CONFIG: dict[str, dict[str, Any]] = {
    "HistoryManager": {"enabled": False},
    "IPKernelApp": {"quiet": True},
    "IPythonKernel": {"_execute_sleep": 0},
}
#: :data:`KERNEL_CONFIG` as the command line of a stock ``ipykernel_launcher``
KERNEL_ARGS = tuple(
    f"--{section}.{name}={value}"
    for section, values in KERNEL_CONFIG.items()
    for name, value in values.items()
)
CHANNELS = ("shell", "iopub", "stdin", "control", "hb")


class KernelStartError(LearnpacksError, RuntimeError):
    """The kernel did not start or did not answer in time."""

    default_code = "grading.kernel-start"


def kernel_env(workdir: str) -> dict[str, str]:
    """The kernel's whole environment: nothing of the facilitator's (tokens, database URLs)."""
    return {
        "PATH": os.path.dirname(sys.executable) + ":/usr/local/bin:/usr/bin:/bin",
        "HOME": workdir,
        "TMPDIR": "/tmp",
        "IPYTHONDIR": os.path.join(workdir, ".ipython"),
        "MPLCONFIGDIR": os.path.join(workdir, ".matplotlib"),
        "MPLBACKEND": "agg",
        "LANG": "C.UTF-8",
        "PYTHONNOUSERSITE": "1",
        "PYTHONDONTWRITEBYTECODE": "1",
        # nbgrader's autograde sets this; packs may read it (THREATS.md 29, documented)
        "NBGRADER_EXECUTION": "autograde",
    }


def new_base() -> str:
    """A fresh host staging folder, named after this process so a later run can tell it is
    stale (:func:`sandbox.clean_stale`); the learner's files go in its ``files/``."""
    import tempfile

    base = tempfile.mkdtemp(prefix=f"{sandbox.WORKDIR_PREFIX}{os.getpid()}-")
    os.makedirs(os.path.join(base, "files"))
    return base


@dataclass
class Prepared:
    """A kernel ready to launch: its staging folder, plan, environment and cgroup."""

    base: str
    plan: sandbox.Plan
    env: dict[str, str]
    cgroup: cgroups.Cgroup | None
    connection: dict[str, Any]

    @property
    def log(self) -> str:
        return os.path.join(self.base, "kernel.log")

    def remove_staging(self) -> None:
        """Delete the host staging folder (safe once the kernel runs in its own root)."""
        shutil.rmtree(self.base, ignore_errors=True)

    def disk_used(self, kernel: KernelProcess) -> tuple[int, int] | None:
        """(bytes used, bytes in all) of the learner's private disk, while the kernel lives."""
        if not self.plan.root_dir:
            return None
        try:
            st = os.statvfs(sandbox.host_path(self.plan, kernel.pid, "/tmp"))
        except OSError:
            return None
        return (st.f_blocks - st.f_bfree) * st.f_frsize, st.f_blocks * st.f_frsize


def prepare_kernel(base: str, limits: Limits) -> Prepared:
    """Connection file (ipc transport, fresh key), cgroup and plan for a kernel staged in
    *base* (see :func:`new_base`)."""
    from jupyter_client.connect import write_connection_file

    cgroup = None
    if sandbox.capabilities().get("cgroup"):
        with contextlib.suppress(OSError):
            cgroup = cgroups.Cgroup.create(limits.memory_bytes, limits.processes)
    os.makedirs(os.path.join(base, "root"), exist_ok=True)
    plan = sandbox.plan_for(base, limits, cgroup=cgroup)
    _, connection = write_connection_file(
        plan.connection_file,
        transport="ipc",
        ip=os.path.join(plan.kernel_dir, "k"),
        key=uuid.uuid4().hex.encode(),
    )
    return Prepared(base, plan, kernel_env(plan.workdir), cgroup, dict(connection))


def start_kernel(plan: sandbox.Plan) -> None:
    """Run an IPython kernel on the plan's connection file (in the confined process)."""
    app = grading_kernel_app()
    app.initialize(["-f", os.path.join(plan.kernel_dir, "kernel.json")])
    app.start()


def grading_kernel_app() -> Any:
    """ipykernel's ``IPKernelApp`` configured as :data:`KERNEL_CONFIG` says, without what only
    an interactive user's kernel needs (see :func:`grading_kernel_app_class`)."""
    return grading_kernel_app_class().instance()


@functools.cache
def grading_kernel_app_class() -> Any:
    """The grading kernel's application class; what a cell prints and how it fails stay the
    same. Made once per process (the fork server makes it before forking kernels: making a
    traitlets class costs about 5 CPU-ms). Per request, measured: 2.5 CPU-ms less, and half an
    error's 18.

    - No shell-channel thread: it exists to route messages to subshells (JEP 91), which the
      grader never asks for; every request took a hop through it.
    - An error's traceback is formatted once, for the output, not a second time to keep it for
      ``%history``-style lookups of past exceptions (IPython 9 does so even when the history
      is off, as it is here).
    - Its command line is only ``-f CONNECTION_FILE``, its settings :data:`KERNEL_CONFIG`:
      traitlets builds an argparse parser for every option of every configurable class to
      read a command line, about a fifth of a kernel's start-up.
    """
    from ipykernel.ipkernel import IPythonKernel
    from ipykernel.kernelapp import IPKernelApp
    from ipykernel.zmqshell import ZMQInteractiveShell
    from traitlets.config import Config

    _remember_traceback_colours()

    class GradingShell(ZMQInteractiveShell):
        def _format_exception_for_storage(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
            return {}

    class GradingKernel(IPythonKernel):
        shell_class = GradingShell

        def __init__(self, **kwargs: Any) -> None:
            parent = kwargs.get("parent")
            shell = _prebuilt_shell_for(parent.config if parent is not None else None)
            if shell is None:  # build one here, as stock ipykernel does
                GradingShell.clear_instance()
            super().__init__(**kwargs)
            if shell is not None:
                assert self.shell is shell
                _adopt_shell(shell, self)

    class GradingKernelApp(IPKernelApp):
        kernel_class = GradingKernel

        def parse_command_line(self, argv: list[str] | None = None) -> None:
            args = list(sys.argv[1:] if argv is None else argv)
            if len(args) != 2 or args[0] != "-f":
                raise ValueError(f"the grading kernel takes only -f CONNECTION_FILE, not {args}")
            settings = _settings()
            settings["IPKernelApp"]["connection_file"] = args[1]
            self.update_config(Config(settings))

        def init_sockets(self) -> None:
            super().init_sockets()
            self.shell_channel_thread = None

    return GradingKernelApp


def _settings() -> dict[str, dict[str, Any]]:
    """:data:`KERNEL_CONFIG` as a fresh, mutable mapping of sections."""
    return {k: dict(v) for k, v in KERNEL_CONFIG.items()}


#: the shell :func:`prebuild_shell` made in the fork server, and the settings it was made with
_PREBUILT: dict[str, Any] = {}


def prebuild_shell() -> None:
    """Make the grading kernel's IPython shell now, in the fork server, so that every kernel
    forked from it starts with one (measured: about 14 of a kernel's 54 start-up CPU-ms, for
    IPython's magics, prefilters, completer and display machinery and traitlets' configuration
    of each). A kernel adopts it (:func:`_adopt_shell`) only if the settings it loaded are the
    ones the shell was made with (no IPython or Jupyter configuration file changed them);
    otherwise it makes its own, as stock ipykernel does.

    Made with a throwaway profile folder (nothing is written to the facilitator's
    ``~/.ipython``) and with the namespace a kernel would give it; what a shell takes from the
    process it is made in (working folder, home, environment, standard streams, exception hook)
    is taken again in the kernel. Starts no thread (a fork would leave it behind)."""
    import tempfile
    import threading

    from IPython.core.profiledir import ProfileDir
    from traitlets.config import Config

    if _PREBUILT or threading.active_count() != 1:
        return
    app_class = grading_kernel_app_class()
    kernel_class = app_class.kernel_class
    settings = _settings()
    cached_tmp = tempfile.tempdir  # left as it was: a kernel finds its own from its environment
    with tempfile.TemporaryDirectory(prefix="learnpacks-shell-") as folder:
        shell = kernel_class.shell_class.instance(
            config=Config(settings),
            ipython_dir=folder,
            profile_dir=ProfileDir(location=folder),
            user_module=None,
            user_ns={},
            compiler_class=kernel_class.compiler_class.default_value,
        )
    tempfile.tempdir = cached_tmp
    if threading.active_count() != 1:  # not fork-safe after all: kernels make their own
        kernel_class.shell_class.clear_instance()
        return
    _PREBUILT.update(shell=shell, settings=settings)


def _prebuilt_shell_for(config: Any) -> Any:
    """The pre-built shell, if there is one and *config* (the kernel's) gives it the settings
    it was made with: only the kernel application's own section (its connection file) may
    differ."""
    shell = _PREBUILT.get("shell")
    if shell is None or config is None:
        return None
    loaded = {k: dict(v) for k, v in config.items() if k != "IPKernelApp"}
    made = {k: v for k, v in _PREBUILT["settings"].items() if k != "IPKernelApp"}
    return shell if loaded == made else None


def _adopt_shell(shell: Any, kernel: Any) -> None:
    """Give the pre-built *shell* to *kernel*, as if the kernel had made it: its parent,
    kernel, settings and profile, and what a shell reads from its process when it is made,
    read again in this one (where IPython or ipykernel has a method for it, that method).
    ``test_kernel_outputs`` compares the result with a stock kernel's shell, item by item."""
    from pathlib import Path

    from IPython.utils.path import get_home_dir

    shell.parent = kernel
    shell.kernel = kernel
    shell.config.merge(kernel.config)  # in place: the connection file, as stock's shell has it
    shell.init_ipython_dir(None)  # $IPYTHONDIR of this kernel
    shell.profile_dir = kernel.profile_dir
    history = shell.history_manager
    history.hist_file = history._get_hist_file_name()  # IPython's hook: in the shell's profile
    shell.starting_dir = os.getcwd()
    shell.home_dir = get_home_dir()
    history.dir_hist[:] = [Path.cwd()]  # the list ``_dh`` is
    shell.init_environment()  # TERM, PAGER, ... in this kernel's own environment
    shell.init_encoding()
    shell.save_sys_module_state()  # this kernel's output streams, as stock saves them
    shell.sys_excepthook = sys.excepthook


def _remember_traceback_colours() -> None:
    """Remember the pure computations that formatting every error's traceback repeats (about
    half of an error's cost, which is the same in stock ipykernel): stack_data defines a new
    Python lexer class for each traceback, whose first use turns the lexer's word lists into
    regular expressions again (``pygments.lexer.regex_opt``), and a new style class
    (``stack_data.style_with_executing_node``); IPython makes a new terminal formatter, which
    matches each colour of its style to the 256 terminal colours again
    (``Terminal256Formatter._closest_color``) and makes each token type's escape codes again
    (``Terminal256Formatter._setup_styles``). Same results, computed once per process (the
    fork server's: every kernel starts with them). Called once, by the cached
    :func:`grading_kernel_app_class`."""
    import pygments.lexer
    from pygments.formatters.terminal256 import Terminal256Formatter

    regex_opt = pygments.lexer.regex_opt

    @functools.cache
    def remembered_regex_opt(words: tuple[str, ...], prefix: str, suffix: str) -> str:
        return str(regex_opt(list(words), prefix=prefix, suffix=suffix))

    def regex_opt_(words: Any, prefix: str = "", suffix: str = "") -> str:
        return remembered_regex_opt(tuple(words), prefix, suffix)

    pygments.lexer.regex_opt = regex_opt_

    closest = Terminal256Formatter._closest_color
    colours: dict[tuple[int, int, int], int] = {}

    def closest_color(self: Any, r: int, g: int, b: int) -> int:
        if type(self) is not Terminal256Formatter:  # a subclass may have other colours
            return int(closest(self, r, g, b))
        if (r, g, b) not in colours:
            colours[r, g, b] = closest(self, r, g, b)
        return colours[r, g, b]

    Terminal256Formatter._closest_color = closest_color

    # Each traceback also makes a new style (stack_data's, for the executing node) and a new
    # formatter for it, which converts every colour of the style to its escape codes again.
    import stack_data

    stack_data.style_with_executing_node = functools.cache(stack_data.style_with_executing_node)
    setup = Terminal256Formatter._setup_styles
    escapes: dict[tuple[Any, ...], tuple[dict[str, Any], dict[str, Any]]] = {}

    def setup_styles(self: Any) -> None:
        if type(self) is not Terminal256Formatter:
            setup(self)
            return
        key = (self.style, self.usebold, self.useunderline, self.useitalic)
        if key not in escapes:
            setup(self)
            escapes[key] = (dict(self.style_string), dict(self.best_match))
        style_string, best_match = escapes[key]
        self.style_string.update(style_string)
        self.best_match.update(best_match)

    Terminal256Formatter._setup_styles = setup_styles


class KernelProcess:
    """A confined kernel's supervisor, leading its own process group: how it is signalled and
    ended. Subclasses say whether it is alive and how it is reaped."""

    def __init__(self, pid: int, cgroup: cgroups.Cgroup | None) -> None:
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
        """End the kernel and everything it started; the cgroup's usage stays readable."""
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.pid, signal.SIGKILL)
        self._reap()
        if self.cgroup is not None:
            self.cgroup.remove()


class SubprocessKernel(KernelProcess):
    """A kernel started as a confined subprocess."""

    def __init__(self, proc: subprocess.Popen[bytes], cgroup: cgroups.Cgroup | None) -> None:
        super().__init__(proc.pid, cgroup)
        self.proc = proc

    def is_alive(self) -> bool:
        return self.proc.poll() is None

    def _reap(self) -> None:
        with contextlib.suppress(subprocess.TimeoutExpired):
            self.proc.wait(timeout=5)


class SubprocessLauncher:
    """Start each kernel as ``python -m learnpacks.grading.kernel PLAN``, confined."""

    name = "subprocess"

    def launch(self, prepared: Prepared) -> SubprocessKernel:
        plan_file = os.path.join(prepared.base, "plan.json")
        Path(plan_file).write_text(json.dumps(prepared.plan.to_dict()))
        log = open(prepared.log, "wb")  # noqa: SIM115
        try:
            proc = subprocess.Popen(
                [sys.executable, "-m", "learnpacks.grading.kernel", plan_file],
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=log,
                env=prepared.env,
                close_fds=True,
            )
        finally:
            log.close()
        return SubprocessKernel(proc, prepared.cgroup)

    def close(self) -> None:
        pass


def connect(prepared: Prepared, kernel: KernelProcess, limits: Limits) -> BlockingKernelClient:
    """A client whose kernel has answered ``kernel_info``; KernelStartError if it never does."""
    import zmq
    from jupyter_client.blocking import BlockingKernelClient

    info = dict(prepared.connection)
    info["ip"] = sandbox.host_path(prepared.plan, kernel.pid, str(info["ip"]))
    deadline = time.monotonic() + limits.startup_timeout
    sockets = [f"{info['ip']}-{info[f'{name}_port']}" for name in CHANNELS]
    # zmq retries an ipc connect only every 100 ms: wait (cheaply) for the sockets to exist
    while not all(os.path.exists(s) for s in sockets):
        if not kernel.is_alive():
            raise KernelStartError(f"the kernel exited while starting ({_log_tail(prepared)})")
        if time.monotonic() > deadline:
            raise KernelStartError(f"the kernel did not answer in {limits.startup_timeout:.0f} s")
        time.sleep(0.005)
    # One zmq context per process (its I/O threads are started once, not per notebook), and
    # only the two channels the grader uses: stdin is refused (allow_stdin=False), the kernel's
    # life is read from its process, and interrupts go as signals.
    client = BlockingKernelClient(context=zmq.Context.instance())
    client.load_connection_info(info)  # type: ignore[arg-type]
    client.session.packer = "json"
    client.session.unpacker = "json"
    client.start_channels(shell=True, iopub=True, stdin=False, hb=False, control=False)
    poller = zmq.Poller()
    poller.register(client.shell_channel.socket, zmq.POLLIN)
    poller.register(client.iopub_channel.socket, zmq.POLLIN)
    next_ask = 0.0
    asked: set[str] = set()
    answered = subscribed = False
    # Ready means: a kernel_info reply on shell *and* proof that iopub reaches us. PUB/SUB
    # drops what is published before the subscription reaches the kernel, so until iopub has
    # delivered one message, the first cell's output and idle status could be lost. The proof
    # is the kernel's ``iopub_welcome`` (JEP 65: sent once it sees our subscription), or for a
    # kernel without it, the status of a kernel_info request (asked again until one arrives).
    while time.monotonic() < deadline:
        if not kernel.is_alive():
            disconnect(client)
            raise KernelStartError(f"the kernel exited while starting ({_log_tail(prepared)})")
        if time.monotonic() >= next_ask:
            asked.add(client.kernel_info())
            next_ask = time.monotonic() + (0.1 if answered else 1.0)
        poller.poll(20)  # until either channel has a message (or 20 ms)
        while client.shell_channel.msg_ready():
            reply = client.get_shell_msg(timeout=0)
            if not answered and reply["parent_header"].get("msg_id") in asked:
                answered = True
                next_ask = time.monotonic() + 0.05
        while client.iopub_channel.msg_ready():
            msg = client.get_iopub_msg(timeout=0)
            subscribed = subscribed or msg["msg_type"] == "iopub_welcome"
            subscribed = subscribed or (answered and msg["parent_header"].get("msg_id") in asked)
        if answered and subscribed:
            _drain(client)
            return client
    disconnect(client)
    raise KernelStartError(f"the kernel did not answer in {limits.startup_timeout:.0f} s")


def disconnect(client: BlockingKernelClient) -> None:
    """Close the channels :func:`connect` opened (jupyter_client's ``stop_channels`` would
    first open the three others, to close them)."""
    client.shell_channel.close()
    client.iopub_channel.close()


def _drain(client: BlockingKernelClient) -> None:
    while client.iopub_channel.msg_ready():
        client.get_iopub_msg(timeout=0)


def _log_tail(prepared: Prepared) -> str:
    try:
        text = Path(prepared.log).read_text(errors="replace")[-400:].strip()
    except OSError:
        return "no log"
    return text.splitlines()[-1] if text else "no log"


def main(argv: list[str] | None = None) -> None:
    """``python -m learnpacks.grading.kernel PLAN``: the subprocess launcher's kernel."""
    args = sys.argv[1:] if argv is None else argv
    plan = sandbox.Plan.from_dict(json.loads(Path(args[0]).read_text()))
    sandbox.run_confined(plan, lambda: start_kernel(plan))


if __name__ == "__main__":
    main()

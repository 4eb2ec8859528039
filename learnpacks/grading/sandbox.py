"""Confining a learner's kernel: its own namespaces, root, cgroup, limits, no privileges.

:func:`run_confined` runs in a freshly forked process (a child of the fork server, or a fresh
``python -m learnpacks.grading.kernel``) and never returns. With full confinement three
processes make one learner's sandbox:

* **A**, the *supervisor*, outside: a new session, death with its parent, joins the learner's
  cgroup (memory and pids for the whole tree, :mod:`~learnpacks.grading.cgroups`), unshares
  the mount, network, IPC, UTS and PID namespaces, builds the kernel's root (below), then
  waits for B and forwards the grader's SIGINT to it. The grader only ever signals A.
* **B**, PID 1 of the new PID namespace: forwards SIGINT to the kernel, reaps orphans, and
  exits with the kernel's status. When it exits, Linux kills every process of the namespace:
  nothing a learner started outlives their grading. Learner code cannot signal it (PID 1 only
  receives signals it handles), cannot see A, the fork server, the grader or any host process:
  ``os.kill(-1, SIGKILL)`` reaches only the learner's own processes.
* **C**, PID 2, the kernel: resource limits, no capabilities, ``no_new_privs``.

The root is one tmpfs of ``disk_bytes`` (the learner's whole disk: work folder, ``/tmp``,
``$HOME``) with the system's libraries and Python bind-mounted read-only, made the root with
``pivot_root``: nothing of the host's filesystem stays reachable, and the grader may delete its
staging folder as soon as the kernel answers. The kernel's sockets live in that root; the
grader reaches them through ``/proc/<A>/root``.

Without namespaces or cgroups (not Linux, not root and no delegation) the kernel runs with
per-process limits only: *weak* confinement, which :func:`missing` names and ``cohort grade``
refuses unless the facilitator asks for it.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import glob
import json
import os
import platform
import resource
import shutil
import signal
import subprocess
import sys
import tempfile
import traceback
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from functools import cache
from pathlib import Path
from typing import Any, NoReturn

from learnpacks.grading import cgroups
from learnpacks.grading.limits import Limits

CLONE_NEWNS = 0x00020000
CLONE_NEWUTS = 0x04000000
CLONE_NEWIPC = 0x08000000
CLONE_NEWUSER = 0x10000000
CLONE_NEWPID = 0x20000000
CLONE_NEWNET = 0x40000000
MS_RDONLY = 1
MS_NOSUID = 2
MS_NODEV = 4
MS_REMOUNT = 32
MS_BIND = 4096
MS_REC = 0x4000
MS_PRIVATE = 1 << 18
MNT_DETACH = 2
PR_SET_PDEATHSIG = 1
PR_CAPBSET_DROP = 24
PR_SET_NO_NEW_PRIVS = 38
_CAP_VERSION_3 = 0x20080522
_SYS_PIVOT_ROOT = {"x86_64": 155, "aarch64": 41, "riscv64": 41, "ppc64le": 203, "s390x": 217}
#: where the kernel works and keeps its sockets, inside its own root
INNER_WORKDIR = "/home/learner"
INNER_KERNEL_DIR = "/run/lp-kernel"
#: address space allowed beyond ``memory_bytes`` when a cgroup bounds real memory
AS_SLACK = 1024 * 1024 * 1024
#: the host staging folders: ``lp-grade-<grader pid>-<random>``
WORKDIR_PREFIX = "lp-grade-"


def _load_libc() -> ctypes.CDLL:
    """The C library, by its usual name first: ``find_library`` runs ``ldconfig -p`` (a
    process started in every grading process that imports this module)."""
    try:
        return ctypes.CDLL("libc.so.6", use_errno=True)
    except OSError:
        return ctypes.CDLL(ctypes.util.find_library("c") or None, use_errno=True)


_libc = _load_libc()


class _CapHeader(ctypes.Structure):
    _fields_ = [("version", ctypes.c_uint32), ("pid", ctypes.c_int)]


class _CapData(ctypes.Structure):
    _fields_ = [
        ("effective", ctypes.c_uint32),
        ("permitted", ctypes.c_uint32),
        ("inheritable", ctypes.c_uint32),
    ]


@dataclass(frozen=True)
class Plan:
    """What :func:`run_confined` does for one kernel (decided by the grader, plain data).

    ``stage_dir`` is the host folder the grader filled with the learner's files. With
    namespaces they are copied into the private root at ``workdir`` and the kernel's files
    (connection file, sockets) are under ``kernel_dir`` there; without, both are host folders.
    """

    stage_dir: str
    #: the grader's connection file; the kernel reads it as ``kernel_dir/kernel.json``
    connection_file: str
    workdir: str
    kernel_dir: str
    limits: Limits
    namespaces: bool = False
    user_namespace: bool = False
    #: ``cgroup.procs`` files to join (the learner's cgroup)
    cgroup_procs: tuple[str, ...] = ()
    #: an empty host folder the private root is mounted on before ``pivot_root``
    root_dir: str | None = None
    ro_dirs: tuple[str, ...] = ()
    ro_files: tuple[str, ...] = ()
    dev_files: tuple[str, ...] = ()
    symlinks: tuple[tuple[str, str], ...] = ()
    #: RLIMIT_NPROC: it counts every thread of the uid, so the parent adds what runs now
    nproc: int = 0
    cap_last: int = 40
    uid: int = field(default_factory=os.getuid)
    gid: int = field(default_factory=os.getgid)

    @property
    def full(self) -> bool:
        """Own namespaces, own root and a cgroup for the whole tree: full confinement."""
        return self.namespaces and self.root_dir is not None and bool(self.cgroup_procs)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["limits"] = self.limits.to_dict()
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Plan:
        data = dict(data)
        data["limits"] = Limits.from_dict(data["limits"])
        for key in ("cgroup_procs", "ro_dirs", "ro_files", "dev_files"):
            data[key] = tuple(data.get(key, ()))
        data["symlinks"] = tuple(tuple(pair) for pair in data.get("symlinks", ()))
        return cls(**data)


def _check(result: int, what: str) -> None:
    if result != 0:
        err = ctypes.get_errno()
        raise OSError(err, f"{what}: {os.strerror(err)}")


def _write(path: str, text: str) -> None:
    fd = os.open(path, os.O_WRONLY)
    try:
        os.write(fd, text.encode())
    finally:
        os.close(fd)


def _bind(source: str, target: str, *, read_only: bool) -> None:
    _check(
        _libc.mount(source.encode(), target.encode(), None, MS_BIND | MS_REC, None),
        f"bind {source}",
    )
    if read_only:  # best effort: a user namespace may refuse to change locked flags
        _libc.mount(
            None,
            target.encode(),
            None,
            MS_BIND | MS_REMOUNT | MS_RDONLY | MS_NOSUID | MS_NODEV,
            None,
        )


def _unshare(plan: Plan) -> None:
    flags = CLONE_NEWNS | CLONE_NEWPID | CLONE_NEWIPC | CLONE_NEWUTS
    if not plan.limits.network:
        flags |= CLONE_NEWNET
    if plan.user_namespace:
        flags |= CLONE_NEWUSER
    _check(_libc.unshare(flags), "unshare")
    if plan.user_namespace:
        _write("/proc/self/setgroups", "deny")
        _write("/proc/self/uid_map", f"{plan.uid} {plan.uid} 1")
        _write("/proc/self/gid_map", f"{plan.gid} {plan.gid} 1")
    # Private first: nothing mounted from here on may propagate back to the host.
    _check(_libc.mount(None, b"/", None, MS_REC | MS_PRIVATE, None), "mount --make-rprivate /")


def _build_root(plan: Plan) -> None:
    """A tmpfs of ``disk_bytes`` holding the allow-listed system paths (read-only), the
    learner's files and the connection file, made the root; the host's tree is unmounted."""
    root = plan.root_dir
    assert root is not None
    options = f"size={plan.limits.disk_bytes},nr_inodes={plan.limits.disk_files},mode=755"
    _check(
        _libc.mount(b"tmpfs", root.encode(), b"tmpfs", MS_NOSUID | MS_NODEV, options.encode()),
        "tmpfs root",
    )
    for link, target in plan.symlinks:
        os.makedirs(os.path.dirname(root + link), exist_ok=True)
        os.symlink(target, root + link)
    for path in plan.ro_dirs:
        os.makedirs(root + path, exist_ok=True)
        _bind(path, root + path, read_only=True)
    for path in (*plan.ro_files, *plan.dev_files):
        if not os.path.isabs(path):
            continue
        os.makedirs(os.path.dirname(root + path), exist_ok=True)
        with open(root + path, "a"):
            pass
        _bind(path, root + path, read_only=path in plan.ro_files)
    shutil.copytree(plan.stage_dir, root + plan.workdir, symlinks=True)
    os.makedirs(root + plan.kernel_dir)
    shutil.copyfile(plan.connection_file, os.path.join(root + plan.kernel_dir, "kernel.json"))
    os.makedirs(root + "/tmp", exist_ok=True)
    os.chmod(root + "/tmp", 0o1777)
    os.chdir(root)
    number = _SYS_PIVOT_ROOT.get(platform.machine())
    if number is not None and _libc.syscall(number, b".", b".") == 0:
        _check(_libc.umount2(b".", MNT_DETACH), "detach the host's root")
    else:  # an architecture without a known pivot_root number: chroot (no caps: no escape)
        os.chroot(".")
    os.chdir("/")


def _rlimits(limits: Limits, nproc: int, *, cgroup: bool) -> None:
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    # With a cgroup bounding real memory, the address-space cap only turns one huge allocation
    # into a MemoryError; it allows for what a kernel reserves without using (thread stacks,
    # malloc arenas: about 0.7 GiB measured), so a child may really use the memory_bytes.
    space = limits.memory_bytes + (AS_SLACK if cgroup else 0)
    resource.setrlimit(resource.RLIMIT_AS, (space, space))
    resource.setrlimit(resource.RLIMIT_FSIZE, (limits.file_bytes, limits.file_bytes))
    nproc = nproc or limits.processes
    resource.setrlimit(resource.RLIMIT_NPROC, (nproc, nproc))
    signal.signal(signal.SIGXFSZ, signal.SIG_IGN)


def _user_process_count() -> int:
    """Threads this uid runs now: RLIMIT_NPROC counts them all, not only our descendants."""
    uid = os.getuid()
    count = 0
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            try:
                if entry.stat().st_uid == uid:
                    count += len(os.listdir(f"/proc/{entry.name}/task"))
            except OSError:
                continue
    return count


def _cap_last() -> int:
    try:
        return int(Path("/proc/sys/kernel/cap_last_cap").read_text())
    except (OSError, ValueError):
        return 63


def _drop_capabilities(last: int) -> None:
    _check(_libc.prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0), "no_new_privs")
    for cap in range(last + 1):
        _libc.prctl(PR_CAPBSET_DROP, cap, 0, 0, 0)  # fails harmlessly when already dropped
    header = _CapHeader(_CAP_VERSION_3, 0)
    data = (_CapData * 2)()
    _check(_libc.capset(ctypes.byref(header), data), "capset")


def _die_with_parent() -> None:
    if sys.platform.startswith("linux"):
        _libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)


def _forward_sigint(pid: int) -> None:
    def forward(signum: int, frame: object) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.kill(pid, signal.SIGINT)

    signal.signal(signal.SIGINT, forward)


def _exit_code(status: int) -> int:
    code = os.waitstatus_to_exitcode(status)
    return 128 - code if code < 0 else code


def _kernel(plan: Plan, start: Callable[[], None]) -> None:
    """C (or the only process, without namespaces): limits, no privileges, then the kernel."""
    signal.signal(signal.SIGINT, signal.default_int_handler)
    _rlimits(plan.limits, plan.nproc, cgroup=bool(plan.cgroup_procs))
    if sys.platform.startswith("linux"):
        _drop_capabilities(plan.cap_last)
    os.chdir(plan.workdir)
    start()


def _init(plan: Plan, start: Callable[[], None]) -> NoReturn:
    """B, PID 1 of the learner's namespace: start the kernel, reap, exit with its status."""
    code = 1
    try:
        _die_with_parent()
        kernel = os.fork()
        if kernel == 0:
            code = 1
            try:
                _kernel(plan, start)
                code = 0
            except BaseException:
                traceback.print_exc()
            finally:
                os._exit(code)
        _forward_sigint(kernel)
        while True:
            pid, status = os.wait()
            if pid == kernel:
                code = _exit_code(status)
                break
    except BaseException:
        traceback.print_exc()
    finally:
        os._exit(code)


def run_confined(plan: Plan, start: Callable[[], None]) -> NoReturn:
    """In a fresh child process: confine it as *plan* says and run *start* (the kernel) there.

    Never returns; the process exits with the kernel's status (128+N for signal N). Errors
    are printed to stderr (the kernel log) and give exit status 1.
    """
    code = 1
    try:
        if os.getsid(0) != os.getpid():
            os.setsid()
        _die_with_parent()
        for procs in plan.cgroup_procs:
            _write(procs, str(os.getpid()))
        if not plan.namespaces:
            _kernel(plan, start)
            code = 0
        else:
            _unshare(plan)
            if plan.root_dir:
                _build_root(plan)
            init = os.fork()
            if init == 0:
                _init(plan, start)
            _forward_sigint(init)
            _, status = os.waitpid(init, 0)
            code = _exit_code(status)
    except BaseException:
        traceback.print_exc()
    finally:
        sys.stderr.flush()
        os._exit(code)


def _probe_start() -> None:
    """The probe's 'kernel': is it PID 2 of its own namespace, in its own root, offline?"""
    import socket

    ok = os.getpid() == 2 and not os.path.exists("/etc/shadow") and os.path.isdir("/tmp")
    with socket.socket() as sock:
        sock.settimeout(0.5)
        try:
            sock.connect(("1.1.1.1", 53))
            ok = False
        except OSError:
            pass
    os._exit(0 if ok else 3)


def _probe() -> dict[str, Any]:
    """Run in a throwaway process: which confinement does this platform allow?"""
    found: dict[str, Any] = {"root": os.getuid() == 0, "cgroup": cgroups.available()}
    base = tempfile.mkdtemp(prefix=f"{WORKDIR_PREFIX}{os.getpid()}-")
    try:
        stage = os.path.join(base, "files")
        os.makedirs(stage)
        Path(base, "kernel.json").write_text("{}")
        os.makedirs(os.path.join(base, "root"))
        plan = plan_for(base, Limits(), caps={"namespaces": True, **found})
        pid = os.fork()
        if pid == 0:
            null = os.open(os.devnull, os.O_WRONLY)
            os.dup2(null, 2)
            run_confined(plan, _probe_start)
        _, status = os.waitpid(pid, 0)
        found["namespaces"] = os.waitstatus_to_exitcode(status) == 0
    finally:
        shutil.rmtree(base, ignore_errors=True)
    found["user_namespace"] = plan.user_namespace
    return found


_early_probe: subprocess.Popen[str] | None = None


def probe_early() -> None:
    """Start the probe of :func:`capabilities` now, in the background (a fresh interpreter
    takes a fifth of a second; ``cohort grade`` starts it with its first step)."""
    global _early_probe
    if _early_probe is None and sys.platform.startswith("linux"):
        _early_probe = _start_probe()


def _start_probe() -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "learnpacks.grading.sandbox"],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )


@cache
def capabilities() -> dict[str, Any]:
    """What confinement this machine allows, probed once per process in a fresh interpreter:
    ``root``, ``namespaces`` (mount, network, PID, IPC, UTS and an own root), ``user_namespace``
    (needed for them when not root) and ``cgroup`` (``"v2"``, ``"v1"`` or None)."""
    none = {"root": os.getuid() == 0, "namespaces": False, "user_namespace": False, "cgroup": None}
    if not sys.platform.startswith("linux"):
        return none
    proc = _early_probe or _start_probe()
    try:
        stdout, _ = proc.communicate(timeout=60)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        return none
    try:
        return dict(json.loads(stdout))
    except ValueError:
        return none


def missing(caps: dict[str, Any] | None = None) -> list[str]:
    """What full confinement needs and this machine does not give (empty: all there)."""
    caps = capabilities() if caps is None else caps
    lacks = []
    if not caps.get("namespaces"):
        lacks.append(
            "Linux namespaces (mount, network, PID) for a private root, no network and no "
            "view of other processes"
            + ("" if caps.get("root") else " (run as root, or allow user namespaces)")
        )
    if not caps.get("cgroup"):
        lacks.append(
            "a cgroup per learner for memory and processes of the whole kernel tree "
            "(run as root, or delegate a cgroup v2 with the memory and pids controllers)"
        )
    return lacks


#: what the kernel sees of /etc (not shadow, not ssh keys, not the machine's secrets)
ETC_ALLOWED = (
    "ld.so.cache",
    "ld.so.conf",
    "ld.so.conf.d",
    "localtime",
    "timezone",
    "passwd",
    "group",
    "nsswitch.conf",
    "hosts",
    "host.conf",
    "mime.types",
    "ssl",
    "ca-certificates",
    "fonts",
    "alternatives",
    "matplotlibrc",
    "os-release",
    "debian_version",
    "locale.alias",
    "gai.conf",
)
SYSTEM_DIRS = ("/usr", "/bin", "/lib", "/lib64", "/lib32", "/libx32", "/sbin")
DEV_FILES = ("/dev/null", "/dev/zero", "/dev/full", "/dev/random", "/dev/urandom")


def _under(path: str, parents: list[str]) -> bool:
    return any(path == p or path.startswith(p.rstrip("/") + "/") for p in parents)


@cache
def system_view() -> tuple[tuple[str, ...], tuple[str, ...], tuple[tuple[str, str], ...]]:
    """(read-only dirs, read-only files, symlinks) a kernel needs: system libraries, /etc's
    harmless files, Python's prefixes, and only the *packages* of other sys.path folders (an
    editable install's project folder is not exposed whole; loose scripts are not exposed)."""
    dirs: list[str] = []
    files: list[str] = []
    links: list[tuple[str, str]] = []

    def add(path: str) -> None:
        if os.path.islink(path):
            links.append((path, os.readlink(path)))
            target = os.path.realpath(path)
            if not _under(target, dirs) and os.path.exists(target):
                add(target)
        elif os.path.isdir(path):
            if not _under(path, dirs):
                dirs.append(path)
        elif os.path.isfile(path) and path not in files:
            files.append(path)

    for path in SYSTEM_DIRS:
        add(path)
    for name in ETC_ALLOWED:
        add(f"/etc/{name}")
    prefixes = {sys.prefix, sys.base_prefix, sys.exec_prefix, sys.base_exec_prefix}
    for prefix in sorted(prefixes):
        add(os.path.realpath(prefix))
        if os.path.islink(os.path.join(prefix, "bin", "python")):
            add(os.path.dirname(os.path.realpath(os.path.join(prefix, "bin", "python"))))
    for entry in sys.path:
        if not entry or not os.path.isdir(entry):
            continue
        entry = os.path.realpath(entry)
        if _under(entry, dirs):
            continue
        for child in sorted(os.listdir(entry)):
            full = os.path.join(entry, child)
            if os.path.isfile(os.path.join(full, "__init__.py")):
                add(full)
    dirs.sort(key=len)
    return tuple(dirs), tuple(files), tuple(links)


def plan_for(
    base: str,
    limits: Limits,
    *,
    cgroup: cgroups.Cgroup | None = None,
    caps: dict[str, Any] | None = None,
) -> Plan:
    """The strongest plan this machine allows for a kernel staged in *base* (``files/``, the
    learner's files; ``kernel.json``; ``root/``, an empty folder)."""
    caps = capabilities() if caps is None else caps
    namespaces = bool(caps.get("namespaces"))
    stage = os.path.join(base, "files")
    connection_file = os.path.join(base, "kernel.json")
    if namespaces:
        ro_dirs, ro_files, links = system_view()
        return Plan(
            stage_dir=stage,
            connection_file=connection_file,
            workdir=INNER_WORKDIR,
            kernel_dir=INNER_KERNEL_DIR,
            limits=limits,
            namespaces=True,
            user_namespace=not caps.get("root"),
            cgroup_procs=tuple(cgroup.procs_files()) if cgroup else (),
            root_dir=os.path.join(base, "root"),
            ro_dirs=ro_dirs,
            ro_files=ro_files,
            dev_files=DEV_FILES,
            symlinks=links,
            nproc=limits.processes + _user_process_count(),
            cap_last=_cap_last(),
        )
    return Plan(
        stage_dir=stage,
        connection_file=connection_file,
        workdir=stage,
        kernel_dir=base,
        limits=limits,
        cgroup_procs=tuple(cgroup.procs_files()) if cgroup else (),
        nproc=limits.processes + _user_process_count(),
        cap_last=_cap_last(),
    )


def host_path(plan: Plan, supervisor: int, inner: str) -> str:
    """Where the grader finds the kernel's *inner* path (its sockets): through the
    supervisor's root when the kernel has its own."""
    return f"/proc/{supervisor}/root{inner}" if plan.root_dir else inner


def clean_stale() -> int:
    """Remove what a killed run left: staging folders and cgroups whose grader is gone."""
    removed = cgroups.clean_stale()
    for path in glob.glob(os.path.join(tempfile.gettempdir(), f"{WORKDIR_PREFIX}*")):
        try:
            owner = int(os.path.basename(path)[len(WORKDIR_PREFIX) :].split("-", 1)[0])
        except ValueError:
            continue
        if not cgroups._alive(owner):
            shutil.rmtree(path, ignore_errors=True)
            removed += 1
    return removed


if __name__ == "__main__":
    json.dump(_probe(), sys.stdout)

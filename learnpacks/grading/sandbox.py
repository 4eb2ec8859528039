"""Confining a learner's kernel: limits, namespaces, no privileges.

:func:`confine` runs in the kernel's own process, after ``fork`` and before the kernel starts
(``preexec_fn`` of a subprocess, or the child of the pre-fork server). In order:

1. a new session, and death when the parent dies (no orphaned kernels after a killed run);
2. a pids cgroup of its own when the grader may make one (root: RLIMIT_NPROC does not bind root);
3. new mount and network namespaces (plus a user namespace when not root): no network at all,
   and the cohort folder (gradebook, source with hidden tests, other learners' work) hidden
   under an empty read-only tmpfs;
4. resource limits: address space, file size (SIGXFSZ ignored so a big write fails with
   ``EFBIG`` instead of killing the kernel), processes, no core files;
5. no capabilities and ``no_new_privs``, so learner code cannot undo any of the above.

What the platform allows is probed once per process (:func:`capabilities`); a step it refuses
is skipped and reported in each result, never silently assumed.
"""

from __future__ import annotations

import contextlib
import ctypes
import ctypes.util
import json
import os
import resource
import signal
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from learnpacks.grading.limits import Limits

CLONE_NEWNS = 0x00020000
CLONE_NEWUSER = 0x10000000
CLONE_NEWNET = 0x40000000
MS_RDONLY = 1
MS_NOSUID = 2
MS_NODEV = 4
MS_NOEXEC = 8
MS_REMOUNT = 32
MS_BIND = 4096
MS_REC = 0x4000
MS_PRIVATE = 1 << 18
PR_SET_PDEATHSIG = 1
PR_CAPBSET_DROP = 24
PR_SET_NO_NEW_PRIVS = 38
_CAP_VERSION_3 = 0x20080522
PIDS_CGROUP_ROOT = Path("/sys/fs/cgroup/pids")

_libc = ctypes.CDLL(ctypes.util.find_library("c") or None, use_errno=True)


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
    """What :func:`confine` does in one kernel process (decided by the parent, plain data)."""

    workdir: str
    limits: Limits
    namespaces: bool = False
    user_namespace: bool = False
    hide: tuple[str, ...] = ()
    cgroup: str | None = None
    #: an empty folder to build the kernel's own root in (an allow-list view of the system)
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


def _namespaces(plan: Plan) -> None:
    flags = CLONE_NEWNS
    if not plan.limits.network:
        flags |= CLONE_NEWNET
    if plan.user_namespace:
        flags |= CLONE_NEWUSER
    _check(_libc.unshare(flags), "unshare")
    if plan.user_namespace:
        _write("/proc/self/setgroups", "deny")
        _write("/proc/self/uid_map", f"{plan.uid} {plan.uid} 1")
        _write("/proc/self/gid_map", f"{plan.gid} {plan.gid} 1")
    # Private first: a tmpfs mounted here must never propagate back to the host.
    _check(_libc.mount(None, b"/", None, MS_REC | MS_PRIVATE, None), "mount --make-rprivate /")
    if plan.root_dir:
        _build_root(plan)
        return
    for path in plan.hide:
        if os.path.isdir(path):
            _check(
                _libc.mount(
                    b"tmpfs",
                    path.encode(),
                    b"tmpfs",
                    MS_RDONLY | MS_NOSUID | MS_NODEV | MS_NOEXEC,
                    b"size=4k,mode=555",
                ),
                f"hide {path}",
            )


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


def _build_root(plan: Plan) -> None:
    """Mount a tmpfs root holding only the allow-listed paths and the workdir, then chroot."""
    root = plan.root_dir
    assert root is not None
    _check(
        _libc.mount(
            b"tmpfs",
            root.encode(),
            b"tmpfs",
            MS_NOSUID | MS_NODEV,
            f"size={plan.limits.file_bytes},mode=755".encode(),
        ),
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
    os.makedirs(root + plan.workdir, exist_ok=True)
    _bind(plan.workdir, root + plan.workdir, read_only=False)
    os.makedirs(root + "/tmp", exist_ok=True)
    os.chmod(root + "/tmp", 0o1777)
    os.chroot(root)
    os.chdir("/")


def _rlimits(limits: Limits, nproc: int) -> None:
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    resource.setrlimit(resource.RLIMIT_AS, (limits.memory_bytes, limits.memory_bytes))
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


def confine(plan: Plan) -> None:
    """Apply *plan* to the calling process (the future kernel). Raises OSError on failure."""
    if os.getsid(0) != os.getpid():
        os.setsid()
    linux = sys.platform.startswith("linux")
    if linux:
        _libc.prctl(PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    if plan.cgroup:
        _write(os.path.join(plan.cgroup, "cgroup.procs"), str(os.getpid()))
    if plan.namespaces:
        _namespaces(plan)
    _rlimits(plan.limits, plan.nproc)
    if linux:
        _drop_capabilities(plan.cap_last)
    os.chdir(plan.workdir)


def make_pids_cgroup(name: str, limit: int) -> str | None:
    """A pids cgroup (v1) limited to *limit* tasks, or None when the grader may not make one."""
    if not capabilities().get("pids_cgroup"):
        return None
    path = PIDS_CGROUP_ROOT / name
    try:
        path.mkdir(exist_ok=True)
        (path / "pids.max").write_text(str(limit))
    except OSError:
        return None
    return str(path)


def remove_cgroup(path: str | None) -> None:
    """Kill whatever is left in the cgroup (a fork bomb's children), then remove it."""
    if not path:
        return
    procs = Path(path) / "cgroup.procs"
    for _ in range(50):
        try:
            pids = [int(p) for p in procs.read_text().split()]
        except OSError:
            return
        if not pids:
            break
        for pid in pids:
            with contextlib.suppress(ProcessLookupError):
                os.kill(pid, signal.SIGKILL)
    with contextlib.suppress(OSError):
        os.rmdir(path)


def clean_stale_cgroups(max_age: float = 300.0) -> int:
    """Remove empty ``learnpacks-*`` pids cgroups left by a killed run; how many went."""
    import time

    removed = 0
    if not PIDS_CGROUP_ROOT.is_dir():
        return 0
    for path in PIDS_CGROUP_ROOT.glob("learnpacks-*"):
        try:
            if time.time() - path.stat().st_mtime < max_age:
                continue
            if (path / "cgroup.procs").read_text().strip():
                continue
            os.rmdir(path)
            removed += 1
        except OSError:
            continue
    return removed


def _probe_child() -> dict[str, Any]:
    """Run in a throwaway process: which confinement steps does this platform allow?"""
    found: dict[str, Any] = {"root": os.getuid() == 0}
    hidden = tempfile.mkdtemp(prefix="lp-probe-")
    plan = Plan(
        workdir=hidden,
        limits=Limits(),
        namespaces=True,
        user_namespace=os.getuid() != 0,
        hide=(hidden,),
    )
    try:
        pid = os.fork()
        if pid == 0:
            try:
                _namespaces(plan)
                _drop_capabilities(_cap_last())
                os._exit(0)
            except BaseException:
                os._exit(1)
        _, status = os.waitpid(pid, 0)
        found["namespaces"] = os.waitstatus_to_exitcode(status) == 0
    finally:
        os.rmdir(hidden)
    found["user_namespace"] = plan.user_namespace
    writable = PIDS_CGROUP_ROOT.is_dir() and os.access(PIDS_CGROUP_ROOT, os.W_OK)
    found["pids_cgroup"] = bool(writable and (PIDS_CGROUP_ROOT / "cgroup.procs").exists())
    return found


@cache
def capabilities() -> dict[str, Any]:
    """What confinement this machine allows, probed once per process in a fresh interpreter."""
    if not sys.platform.startswith("linux"):
        return {"root": False, "namespaces": False, "user_namespace": False, "pids_cgroup": False}
    out = subprocess.run(
        [sys.executable, "-m", "learnpacks.grading.sandbox"],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    try:
        return dict(json.loads(out.stdout))
    except ValueError:
        return {
            "root": os.getuid() == 0,
            "namespaces": False,
            "user_namespace": False,
            "pids_cgroup": False,
        }


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
    workdir: str,
    limits: Limits,
    *,
    hide: tuple[str, ...] = (),
    cgroup: str | None = None,
    root_dir: str | None = None,
) -> Plan:
    """The strongest plan this machine allows for a kernel working in *workdir*.

    With namespaces and a *root_dir*, the kernel sees only :func:`system_view` and its workdir;
    otherwise (no root_dir) the *hide* paths are covered with empty tmpfs mounts.
    """
    caps = capabilities()
    namespaces = bool(caps.get("namespaces"))
    ro_dirs, ro_files, links = system_view() if namespaces and root_dir else ((), (), ())
    return Plan(
        workdir=workdir,
        limits=limits,
        namespaces=namespaces,
        user_namespace=bool(caps.get("user_namespace")),
        hide=tuple(str(Path(p).resolve()) for p in (*hide, *limits.hide)),
        cgroup=cgroup,
        root_dir=root_dir if namespaces else None,
        ro_dirs=ro_dirs,
        ro_files=ro_files,
        dev_files=DEV_FILES if namespaces and root_dir else (),
        symlinks=links,
        nproc=limits.processes + _user_process_count(),
        cap_last=_cap_last(),
    )


if __name__ == "__main__":
    json.dump(_probe_child(), sys.stdout)

"""One cgroup per learner's kernel: memory and processes bounded for the whole process tree.

A per-process limit (``RLIMIT_AS``, ``RLIMIT_NPROC``) is split by forking: four children each
under the cap hold four times the memory (THREATS.md 59), and ``RLIMIT_NPROC`` does not bind
root at all. A cgroup bounds the kernel *and everything it starts*, and counts what hit the
limits, so the learner can be named.

Both layouts are supported: cgroup v2 (one unified tree, ``memory.max`` and ``pids.max``) and
the v1 ``memory`` and ``pids`` hierarchies. A learner's cgroup is made *inside the grader's own
cgroup* where that works (so it counts against whatever bounds the grader), else at the top of
the hierarchy. Making one needs root or a delegated cgroup; :func:`available` says which
layout works here, or None.
"""

from __future__ import annotations

import contextlib
import os
import signal
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

CGROUP_ROOT = Path("/sys/fs/cgroup")
PREFIX = "learnpacks-"


def _own_paths() -> dict[str, str]:
    """The grader's own cgroup per v1 controller (``memory``, ``pids``) and ``""`` for v2."""
    found: dict[str, str] = {}
    try:
        lines = Path("/proc/self/cgroup").read_text().splitlines()
    except OSError:
        return found
    for line in lines:
        _, controllers, path = line.split(":", 2)
        for name in controllers.split(",") if controllers else [""]:
            found[name] = path
    return found


def _v2_mount() -> Path | None:
    for candidate in (CGROUP_ROOT, CGROUP_ROOT / "unified"):
        controllers = candidate / "cgroup.controllers"
        with contextlib.suppress(OSError):
            if {"memory", "pids"} <= set(controllers.read_text().split()):
                return candidate
    return None


def _v2_base() -> Path | None:
    """A v2 cgroup whose children may have memory and pids limits, made writable if need be."""
    mount = _v2_mount()
    if mount is None:
        return None
    own = mount / _own_paths().get("", "/").lstrip("/")
    for base in dict.fromkeys((own, mount)):
        control = base / "cgroup.subtree_control"
        try:
            enabled = set(control.read_text().split())
            if not {"memory", "pids"} <= enabled:
                control.write_text("+memory +pids")
            if os.access(base, os.W_OK):
                return base
        except OSError:
            continue
    return None


def _v1_bases() -> dict[str, Path] | None:
    own = _own_paths()
    bases = {}
    for controller, probe in (("memory", "memory.limit_in_bytes"), ("pids", "cgroup.procs")):
        mount = CGROUP_ROOT / controller
        if not (mount / probe).exists():
            return None
        base = mount / own.get(controller, "/").lstrip("/")
        bases[controller] = base if os.access(base, os.W_OK) else mount
        if not os.access(bases[controller], os.W_OK):
            return None
    return bases


@cache
def available() -> str | None:
    """``"v2"``, ``"v1"`` or None: which layout this process may make learner cgroups in."""
    for layout in ("v2", "v1"):
        try:
            group = Cgroup.create(1 << 30, 8, layout=layout)
        except OSError:
            continue
        group.remove()
        return layout
    return None


@dataclass
class Usage:
    """What a learner's processes ran into (read before the cgroup is removed)."""

    oom_kills: int = 0
    pids_refused: int = 0
    memory_peak: int = 0


@dataclass
class Cgroup:
    """A learner's cgroup: one folder (v2) or one per v1 hierarchy."""

    layout: str
    paths: tuple[str, ...]
    usage: Usage = field(default_factory=Usage)
    removed: bool = False

    @classmethod
    def create(cls, memory_bytes: int, processes: int, *, layout: str | None = None) -> Cgroup:
        """A fresh cgroup limited to *memory_bytes* (no swap) and *processes* tasks; OSError if
        this process may not make one."""
        layout = layout or available()
        name = f"{PREFIX}{os.getpid()}-{uuid.uuid4().hex[:10]}"
        if layout == "v2":
            base = _v2_base()
            if base is None:
                raise OSError("no writable cgroup v2 with the memory and pids controllers")
            path = base / name
            path.mkdir()
            group = cls("v2", (str(path),))
            with _undo_on_error(group):
                (path / "memory.max").write_text(str(memory_bytes))
                with contextlib.suppress(OSError):  # no swap accounting: nothing to turn off
                    (path / "memory.swap.max").write_text("0")
                (path / "pids.max").write_text(str(processes))
            return group
        if layout == "v1":
            bases = _v1_bases()
            if bases is None:
                raise OSError("no writable cgroup v1 memory and pids hierarchies")
            memory, pids = bases["memory"] / name, bases["pids"] / name
            memory.mkdir()
            group = cls("v1", (str(memory),))
            with _undo_on_error(group):
                pids.mkdir()
                group.paths = (str(memory), str(pids))
                (memory / "memory.limit_in_bytes").write_text(str(memory_bytes))
                swap = memory / "memory.memsw.limit_in_bytes"
                if swap.exists():
                    swap.write_text(str(memory_bytes))
                (pids / "pids.max").write_text(str(processes))
            return group
        raise OSError("no cgroup layout allows learner cgroups here")

    def procs_files(self) -> list[str]:
        """The ``cgroup.procs`` files a process writes its pid to, to join."""
        return [os.path.join(p, "cgroup.procs") for p in self.paths]

    def read_usage(self) -> Usage:
        """Limit hits so far (kept in :attr:`usage`)."""

        def counters(path: str, name: str) -> dict[str, int]:
            try:
                lines = Path(path, name).read_text().splitlines()
            except OSError:
                return {}
            out = {}
            for line in lines:
                key, _, value = line.partition(" ")
                with contextlib.suppress(ValueError):
                    out[key] = int(value)
            return out

        def number(path: str, name: str) -> int:
            try:
                return int(Path(path, name).read_text().split()[0])
            except (OSError, ValueError, IndexError):
                return 0

        if self.layout == "v2":
            (path,) = self.paths
            self.usage = Usage(
                oom_kills=counters(path, "memory.events").get("oom_kill", 0),
                pids_refused=counters(path, "pids.events").get("max", 0),
                memory_peak=number(path, "memory.peak"),
            )
        else:
            memory, pids = (*self.paths, "")[:2]
            self.usage = Usage(
                oom_kills=counters(memory, "memory.oom_control").get("oom_kill", 0),
                pids_refused=counters(pids, "pids.events").get("max", 0) if pids else 0,
                memory_peak=number(memory, "memory.max_usage_in_bytes"),
            )
        return self.usage

    def kill(self) -> None:
        """SIGKILL whatever is left in the cgroup (a fork bomb's children)."""
        for path in self.paths:
            procs = Path(path) / "cgroup.procs"
            for _ in range(50):
                try:
                    pids = [int(p) for p in procs.read_text().split()]
                except OSError:
                    break
                if not pids:
                    break
                for pid in pids:
                    with contextlib.suppress(ProcessLookupError):
                        os.kill(pid, signal.SIGKILL)
                time.sleep(0.002)

    def remove(self) -> None:
        """Read the usage, kill what is left, remove the cgroup (once; later calls do nothing)."""
        if self.removed:
            return
        self.removed = True
        self.read_usage()
        self.kill()
        for path in self.paths:
            for _ in range(100):  # a killed task leaves the cgroup a moment after SIGKILL
                try:
                    os.rmdir(path)
                    break
                except FileNotFoundError:
                    break
                except OSError:
                    time.sleep(0.005)


@contextlib.contextmanager
def _undo_on_error(group: Cgroup) -> Iterator[None]:
    try:
        yield
    except BaseException:
        for path in group.paths:
            with contextlib.suppress(OSError):
                os.rmdir(path)
        raise


def clean_stale(max_age: float = 60.0) -> int:
    """Remove empty learner cgroups left by a killed run (their maker is gone); how many."""
    removed = 0
    bases: list[Path] = []
    v2 = _v2_base()
    if v2 is not None:
        bases.append(v2)
    bases.extend((_v1_bases() or {}).values())
    for base in bases:
        for path in base.glob(f"{PREFIX}*"):
            try:
                owner = int(path.name[len(PREFIX) :].split("-", 1)[0])
            except ValueError:
                owner = 0
            try:
                if owner and _alive(owner):
                    continue
                if owner == 0 and time.time() - path.stat().st_mtime < max_age:
                    continue
                if (path / "cgroup.procs").read_text().strip():
                    continue
                os.rmdir(path)
                removed += 1
            except OSError:
                continue
    return removed


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True

"""The limits a learner's code runs under while it is graded, with their defaults.

One place for every number, so the CLI, the docs and the tests read the same defaults.
A submission overrides none of them.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any

MiB = 1024 * 1024


@dataclass(frozen=True)
class Limits:
    """Per-kernel and per-submission limits."""

    #: seconds one cell may run before the kernel is interrupted (nbgrader's default is 30)
    cell_timeout: float = 30.0
    #: seconds a kernel gets to answer an interrupt before it is killed
    interrupt_grace: float = 3.0
    #: seconds a kernel gets to start
    startup_timeout: float = 30.0
    #: memory of the learner's whole process tree (a cgroup), and of each process (RLIMIT_AS)
    memory_bytes: int = 2048 * MiB
    #: processes and threads of the learner's whole tree (a cgroup; RLIMIT_NPROC too)
    processes: int = 64
    #: largest file the kernel may write (RLIMIT_FSIZE)
    file_bytes: int = 64 * MiB
    #: the learner's whole private disk: work folder, ``/tmp`` and home (a tmpfs)
    disk_bytes: int = 256 * MiB
    #: files and folders the learner may make on that disk
    disk_files: int = 20_000
    #: output kept per cell; the rest is dropped with a note
    output_bytes: int = 256 * 1024
    #: traceback lines kept (first and last half)
    traceback_lines: int = 40
    #: largest submitted file accepted by ``collect`` (checked before parsing)
    submission_bytes: int = 20 * MiB
    #: largest archive accepted by ``collect`` (compressed, and the sum of its members)
    archive_bytes: int = 200 * MiB
    #: cut off learner code from the network (a fresh network namespace)
    network: bool = False
    #: "full": refuse to grade where learner code cannot be fully confined; "weak": grade
    #: anyway (no PID namespace or cgroup per learner), and every result and the report say so
    confinement: str = "full"
    #: extra paths hidden from learner code (the cohort folder is always hidden)
    hide: tuple[str, ...] = field(default_factory=tuple)

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["hide"] = list(self.hide)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Limits:
        known = {k: v for k, v in data.items() if k in cls.__dataclass_fields__}
        if "hide" in known:
            known["hide"] = tuple(known["hide"])
        return cls(**known)

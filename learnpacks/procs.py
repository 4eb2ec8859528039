"""The processes learnpacks starts: how many cores they may use, and ending the helper
processes (kernel fork servers), which exit when their input closes."""

from __future__ import annotations

import os
import subprocess
from typing import Any


def usable_cores() -> int:
    """How many cores this process may run on (1 where the system cannot say)."""
    return len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else 1


def end_by_eof(proc: subprocess.Popen[Any], timeout: float) -> None:
    """Close *proc*'s stdin, which tells it to exit, and wait for it; kill it after *timeout*
    seconds. Its stdout, if piped, is closed too."""
    if proc.stdin is not None:
        proc.stdin.close()
    try:
        proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()
    if proc.stdout is not None:
        proc.stdout.close()

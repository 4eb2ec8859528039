"""Ending the helper processes learnpacks starts (kernel fork servers): they exit when their
input closes."""

from __future__ import annotations

import subprocess
from typing import Any


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

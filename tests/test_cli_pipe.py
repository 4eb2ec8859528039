"""A reader that stops reading (``learnpacks ... | head``) ends a command quietly, as it ends
other command-line tools: no traceback, exit status 141 (128 + SIGPIPE)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_a_closed_pipe_ends_the_command_without_a_traceback() -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "learnpacks", "--root", str(ROOT), "check", "--json"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.close()  # before the command writes anything: its first write finds no reader
    errors = proc.stderr.read().decode()
    assert proc.wait(timeout=120) == 141, errors
    assert "Traceback" not in errors and "BrokenPipeError" not in errors, errors

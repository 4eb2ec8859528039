"""The grading kernel (``kernel.grading_kernel_app``) leaves out what only an interactive
user's kernel needs; what a cell shows must not change. The same cells run in stock ipykernel
and in it, side by side: every output (streams, results, errors with their tracebacks and
execution counts) is equal."""

from __future__ import annotations

import re
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

from jupyter_client.blocking import BlockingKernelClient
from jupyter_client.connect import write_connection_file

from learnpacks.grading.kernel import KERNEL_ARGS

CELLS = [
    "def inverse(x):\n    return 1 / x",
    "inverse(0)",
    "assert inverse(1) == 2, 'inverse(1) should be 2'",
    "import no_such_module",
    "def broken(:\n    pass",
    "print('a line'); 1 + 1",
    "raise ValueError('a message')",
    "import sys\nprint('to stderr', file=sys.stderr)\n[1, 2]",
    "undefined_name",
    # the settings (given stock as KERNEL_ARGS, ours in code): the same in both
    "ip = get_ipython(); ip.history_manager.enabled, ip.kernel._execute_sleep",
]

STOCK = "from ipykernel.kernelapp import IPKernelApp as A; app = A.instance()"
OURS = "from learnpacks.grading.kernel import grading_kernel_app; app = grading_kernel_app()"


def _outputs(
    setup: str, folder: Path, args: tuple[str, ...] = ()
) -> list[tuple[str, dict[str, Any]]]:
    """What each of :data:`CELLS` shows, run in a kernel made by *setup* (with *args* after
    its connection file), then its reply."""
    folder.mkdir()
    connection = folder / "kernel.json"
    write_connection_file(
        str(connection), transport="ipc", ip=str(folder / "k"), key=uuid.uuid4().hex.encode()
    )
    code = f"{setup}; import sys; app.initialize(sys.argv[1:]); app.start()"
    proc = subprocess.Popen(
        [sys.executable, "-c", code, "-f", str(connection), *args],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    client = BlockingKernelClient(connection_file=str(connection))
    client.load_connection_file()
    client.start_channels()
    seen: list[tuple[str, dict[str, Any]]] = []
    try:
        client.wait_for_ready(timeout=60)
        for cell in CELLS:
            msg_id = client.execute(cell)
            while True:
                msg = client.get_iopub_msg(timeout=30)
                if msg["parent_header"].get("msg_id") != msg_id:
                    continue
                kind = msg["msg_type"]
                if kind == "status" and msg["content"]["execution_state"] == "idle":
                    break
                if kind in ("stream", "execute_result", "display_data", "error"):
                    seen.append((kind, msg["content"]))
            # the reply to this request: wait_for_ready may have asked kernel_info more than
            # once (a slow start), and the later answer can still be waiting on the channel
            reply = client.get_shell_msg(timeout=30)
            while reply["parent_header"].get("msg_id") != msg_id:
                reply = client.get_shell_msg(timeout=30)
            seen.append(("reply", {k: reply["content"].get(k) for k in ("status", "ename")}))
    finally:
        client.shutdown()
        client.stop_channels()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
    return seen


def test_grading_kernel_shows_what_stock_ipykernel_shows(tmp_path: Path) -> None:
    stock = _outputs(STOCK, tmp_path / "stock", KERNEL_ARGS)
    ours = _outputs(OURS, tmp_path / "ours")
    assert [kind for kind, _ in stock].count("error") == 6
    division = next(c for kind, c in stock if kind == "error")
    assert division["ename"] == "ZeroDivisionError"
    text = "".join(division["traceback"])
    assert "\x1b[" in text  # in colour, as stock shows it
    assert "return" in re.sub(r"\x1b\[[0-9;]*m", "", text)
    settings = stock[-2]
    assert settings[0] == "execute_result" and settings[1]["data"]["text/plain"] == "(False, 0.0)"
    assert ours == stock

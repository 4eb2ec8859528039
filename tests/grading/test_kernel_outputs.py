"""The grading kernel (``kernel.grading_kernel_app``) leaves out what only an interactive
user's kernel needs; what a cell shows must not change. The same cells run in stock ipykernel
and in it, side by side: every output (streams, results, errors with their tracebacks and
execution counts) is equal. So is what the shell took from its process (working folder, home,
profile, environment, streams): also when the shell was made beforehand in another folder and
environment, as the fork server makes it (``kernel.prebuild_shell``)."""

from __future__ import annotations

import json
import os
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
    # what the shell took from its process, and where it keeps things
    """import json, os, sys, tempfile
ip = get_ipython()
print(json.dumps({
    "_dh": [str(p) for p in _dh], "starting_dir": ip.starting_dir, "home_dir": ip.home_dir,
    "ipython_dir": ip.ipython_dir, "profile": ip.profile_dir.location,
    "hist_file": str(ip.history_manager.hist_file), "tmp": tempfile.gettempdir(),
    "env": {k: os.environ.get(k) for k in sorted(os.environ) if k != "JPY_PARENT_PID"},
    "stdout": type(sys.stdout).__name__, "encoding": ip.stdin_encoding,
    "saved": {k: type(v).__name__ for k, v in ip._orig_sys_module_state.items()},
    "excepthook": [getattr(h, "__qualname__", "") for h in (ip.sys_excepthook, sys.excepthook)],
    "kernel": ip.kernel is ip.parent is not None, "ns": ip.user_ns is ip.kernel.user_ns,
    "main": sys.modules["__main__"] is ip.user_module, "compiler": type(ip.compile).__name__,
    "configurables": sorted(next(k.__name__ for k in type(c).__mro__
                                 if not k.__module__.startswith("learnpacks"))
                            for c in ip.configurables),
    "config": {k: sorted(v) for k, v in ip.config.items()},
    "magics": sorted(ip.magics_manager.magics["line"]), "aliases": sorted(ip.alias_manager.aliases),
}, sort_keys=True, default=str))""",
    # nothing anywhere in the shell still names where a pre-built one was made
    """found, marker = [], os.environ["ELSEWHERE"]
for obj in [ip, ip.history_manager, ip.compile, *ip.configurables]:
    values = dict(vars(obj))
    for name in obj.trait_names() if hasattr(obj, "trait_names") else ():
        try:
            values[name] = getattr(obj, name)
        except Exception:  # a trait without a value (an Instance never set)
            pass
    for name, value in values.items():
        items = value if isinstance(value, list | tuple) else [value]
        found += [f"{type(obj).__name__}.{name}" for v in items
                  if isinstance(v, str | os.PathLike) and marker in str(v)]
found""",
]

STOCK = "from ipykernel.kernelapp import IPKernelApp as A; app = A.instance()"
OURS = "from learnpacks.grading.kernel import grading_kernel_app; app = grading_kernel_app()"
#: as in the fork server: the shell made in another folder, home, profile and temporary folder,
#: then the kernel's own environment and folder (as ``forkserver._child`` sets them)
PREBUILT = (
    "import os; from learnpacks.grading import kernel; here = os.getcwd(); "
    "env = dict(os.environ); os.chdir(os.environ['ELSEWHERE']); "
    "os.environ.update(HOME=os.getcwd(), IPYTHONDIR=os.getcwd(), TMPDIR=os.getcwd()); "
    "kernel.prebuild_shell(); assert kernel._PREBUILT; "
    "os.chdir(here); os.environ.clear(); os.environ.update(env); "
    "app = kernel.grading_kernel_app()"
)


def _outputs(
    setup: str,
    folder: Path,
    args: tuple[str, ...] = (),
    cells: list[str] = CELLS,
    profile_config: str | None = None,
) -> list[tuple[str, dict[str, Any]]]:
    """What each of *cells* shows, run in a kernel made by *setup* (with *args* after its
    connection file), then its reply. *profile_config*: the kernel's
    ``ipython_kernel_config.py`` in its profile."""
    folder.mkdir()
    work, home, elsewhere = folder / "work", folder.parent / "home", folder.parent / "elsewhere"
    for path in (work, home, elsewhere):
        path.mkdir(exist_ok=True)
    if profile_config is not None:
        profile = home / ".ipython" / "profile_default"
        profile.mkdir(parents=True, exist_ok=True)
        (profile / "ipython_kernel_config.py").write_text(profile_config)
    env = {
        "PATH": os.environ["PATH"],
        "HOME": str(home),
        "IPYTHONDIR": str(home / ".ipython"),
        "TMPDIR": str(home),
        "LANG": "C.UTF-8",
        "ELSEWHERE": str(elsewhere),
    }
    connection = folder / "kernel.json"
    write_connection_file(
        str(connection), transport="ipc", ip=str(folder / "k"), key=uuid.uuid4().hex.encode()
    )
    code = f"{setup}; import sys; app.initialize(sys.argv[1:]); app.start()"
    proc = subprocess.Popen(
        [sys.executable, "-c", code, "-f", str(connection), *args],
        cwd=work,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    client = BlockingKernelClient(connection_file=str(connection))
    client.load_connection_file()
    client.start_channels()
    seen: list[tuple[str, dict[str, Any]]] = []
    try:
        client.wait_for_ready(timeout=60)
        for cell in cells:
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
    settings = stock[-6]
    assert settings[0] == "execute_result" and settings[1]["data"]["text/plain"] == "(False, 0.0)"
    assert _alike(ours, "ours") == stock


def _alike(outputs: list[tuple[str, dict[str, Any]]], folder: str) -> Any:
    """*outputs* with the folder the kernel ran in written as stock's."""
    text = json.dumps(outputs).replace(f"/{folder}/", "/stock/")
    return [(kind, content) for kind, content in json.loads(text)]


def test_a_shell_made_beforehand_elsewhere_is_the_kernels_own(tmp_path: Path) -> None:
    stock = _outputs(STOCK, tmp_path / "stock", KERNEL_ARGS)
    prebuilt = _outputs(PREBUILT, tmp_path / "prebuilt")
    state = json.loads(
        next(c["text"] for kind, c in stock if kind == "stream" and "_dh" in c["text"])
    )
    work = str(tmp_path / "stock" / "work")
    assert state["_dh"] == [work] and state["starting_dir"] == work
    assert state["home_dir"] == str(tmp_path / "home")
    assert state["profile"] == str(tmp_path / "home" / ".ipython" / "profile_default")
    assert state["env"]["PAGER"] == "cat" and state["kernel"] and state["main"]
    assert stock[-1] == ("reply", {"status": "ok", "ename": None})
    assert stock[-2][1]["data"]["text/plain"] == "[]"
    assert _alike(prebuilt, "prebuilt") == stock


def test_a_shell_made_beforehand_is_not_used_where_a_configuration_file_changes_it(
    tmp_path: Path,
) -> None:
    """A facilitator's IPython configuration applies to graded kernels as to stock ones."""
    config = "c.InteractiveShell.ast_node_interactivity = 'all'\n"
    cells = ["1\n2", "get_ipython().ast_node_interactivity"]
    stock = _outputs(STOCK, tmp_path / "stock", KERNEL_ARGS, cells, config)
    prebuilt = _outputs(PREBUILT, tmp_path / "prebuilt", (), cells, config)
    shown = [c["data"]["text/plain"] for kind, c in stock if kind == "execute_result"]
    assert shown == ["1", "2", "'all'"]
    assert prebuilt == stock

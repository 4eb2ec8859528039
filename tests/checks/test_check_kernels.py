"""The kernels `check --execute` and the packs' nbval items fork: on Unix sockets (no TCP port
another process can take between jupyter_client choosing it and the kernel binding it), their
files gone after the run, and a kernel that cannot start says why."""

from __future__ import annotations

import os
import subprocess
import sys

import nbformat
import pytest

from learnpacks.checks.kernels import socket_folder
from learnpacks.checks.nbrun import run_notebook

pytestmark = pytest.mark.slow

TRANSPORT = (
    "import json\n"
    "from ipykernel.connect import get_connection_info\n"
    "print(json.loads(get_connection_info())['transport'])"
)


def _notebook(*sources: str) -> nbformat.NotebookNode:
    return nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(s) for s in sources])


def test_the_kernel_listens_on_unix_sockets_and_leaves_nothing_behind(tmp_path):
    run = run_notebook(_notebook("print(6 * 7)"), cwd=tmp_path, extra_code=TRANSPORT)
    assert run.stopped is None and run.cells[0].ok
    assert run.extra_output.strip() == "ipc"
    assert os.listdir(socket_folder()) == []  # connection file, sockets and log removed


def test_a_kernel_that_cannot_start_says_why(tmp_path):
    profile = tmp_path / "ipython" / "profile_default"
    profile.mkdir(parents=True)
    (profile / "ipython_kernel_config.py").write_text(
        "import sys\nsys.stderr.write('this kernel refuses to start\\n')\nraise SystemExit(3)\n"
    )
    run = run_notebook(
        _notebook("print(1)"),
        cwd=tmp_path,
        env={"IPYTHONDIR": str(tmp_path / "ipython")},
        startup_timeout=20,
    )
    assert run.stopped is not None
    kind, index, detail = run.stopped
    assert (kind, index) == ("kernel-start", 0)
    assert detail.endswith("this kernel refuses to start"), detail
    assert os.listdir(socket_folder()) == []


def test_a_long_temporary_folder_still_gives_short_socket_paths(tmp_path):
    """A socket path holds at most 107 bytes: a deep TMPDIR must not stop kernels starting."""
    deep = tmp_path / ("d" * 60) / ("e" * 60)
    deep.mkdir(parents=True)
    nb = tmp_path / "n.ipynb"
    nbformat.write(_notebook("print(1)"), nb)
    code = (
        "import nbformat, pathlib, sys\n"
        "from learnpacks.checks.nbrun import run_notebook\n"
        "from learnpacks.checks.kernels import socket_folder\n"
        f"nb = nbformat.read({str(nb)!r}, 4)\n"
        f"run = run_notebook(nb, cwd=pathlib.Path({str(tmp_path)!r}), extra_code={TRANSPORT!r})\n"
        "print(run.stopped, run.cells[0].ok, run.extra_output.strip(), len(socket_folder()))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", code],
        env={**os.environ, "TMPDIR": str(deep)},
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    ).stdout.split()
    assert out[:3] == ["None", "True", "ipc"], out
    assert int(out[3]) < 80

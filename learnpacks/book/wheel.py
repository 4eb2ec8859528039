"""The learnpacks wheel the site and the offline bundle ship, so a downloaded notebook's set-up cell
can install the very learnpacks that built its pages (:mod:`learnpacks.packs.install_cell`).

Built at build time from the source tree of the running learnpacks (never committed), with
``uv build`` (or ``pip wheel`` when uv is missing), and kept under the build folder by a digest of
the sources, so an unchanged package is not built twice. A learnpacks installed from a wheel has
no source tree: then no wheel is published, and the set-up cell falls back to PyPI.
"""

from __future__ import annotations

import hashlib
import importlib.util
import shutil
import subprocess
import sys
import tempfile
import threading
from pathlib import Path

import learnpacks
from learnpacks.errors import LearnpacksError

_LOCK = threading.Lock()
_SKIP = {"__pycache__", ".mypy_cache", ".ruff_cache"}


def source_tree() -> Path | None:
    """The folder holding the running learnpacks' ``pyproject.toml``, or None (installed wheel)."""
    root = Path(learnpacks.__file__).resolve().parent.parent
    project = root / "pyproject.toml"
    if project.is_file() and 'name = "learnpacks"' in project.read_text(encoding="utf-8"):
        return root
    return None


def _digest(root: Path) -> str:
    digest = hashlib.sha256()
    files = [root / "pyproject.toml", root / "README.md"]
    files += sorted(
        p
        for p in (root / "learnpacks").rglob("*")
        if p.is_file() and not _SKIP & set(p.parts) and p.suffix != ".pyc"
    )
    for path in files:
        if path.is_file():
            digest.update(path.relative_to(root).as_posix().encode() + b"\0")
            digest.update(path.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


def _builder(root: Path, out: Path) -> list[str] | None:
    uv = shutil.which("uv", path=str(Path(sys.executable).parent)) or shutil.which("uv")
    if uv:
        return [uv, "build", "--wheel", "--quiet", "--out-dir", str(out), str(root)]
    if importlib.util.find_spec("pip") is not None:
        return [sys.executable, "-m", "pip", "wheel", "--no-deps", "-q", "-w", str(out), str(root)]
    return None


def learnpacks_wheel(cache: Path) -> Path | None:
    """A wheel of the running learnpacks, built into *cache* (or found there); None when there is
    no source tree or no tool to build it with. Raises :class:`RuntimeError` when the build fails."""
    root = source_tree()
    if root is None:
        return None
    with _LOCK:
        folder = cache / _digest(root)
        found = sorted(folder.glob("learnpacks-*.whl"))
        if found:
            return found[-1]
        cache.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(dir=cache) as tmp:
            command = _builder(root, Path(tmp))
            if command is None:
                return None
            done = subprocess.run(command, capture_output=True, text=True, check=False)
            built = sorted(Path(tmp).glob("learnpacks-*.whl"))
            if done.returncode != 0 or not built:
                raise LearnpacksError(
                    f"building the learnpacks wheel failed: {(done.stderr or done.stdout)[-2000:]}",
                    code="book.wheel-failed",
                )
            folder.mkdir(parents=True, exist_ok=True)
            target = folder / built[-1].name
            built[-1].replace(target)
        return target

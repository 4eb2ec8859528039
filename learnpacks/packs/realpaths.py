"""Following the links in a path (``os.path.realpath``, ``Path.resolve``), each folder once.

A static check resolves a few thousand files in a few hundred folders, and ``realpath`` reads
every folder on the way again for each of them (one ``lstat`` per part of the path). Within
:func:`folders_kept`, a folder's resolution is kept, and a file under it costs one ``lstat``:
the files do not move while a check runs. Outside it, both functions are the standard ones.
"""

from __future__ import annotations

import os
import stat
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

#: folder as written -> its resolution, when that is a folder (else None: resolved in full)
_kept: dict[str, str | None] | None = None


@contextmanager
def folders_kept() -> Iterator[None]:
    """Keep each folder's resolution until the block ends (the files must not move meanwhile)."""
    global _kept
    outer = _kept
    _kept = {} if outer is None else outer
    try:
        yield
    finally:
        _kept = outer


def realpath(path: str | os.PathLike[str]) -> str:
    """``os.path.realpath(path)``."""
    return _real(os.fspath(path))[0]


def resolve(path: Path) -> Path:
    """``path.resolve()`` (which also raises ``RuntimeError`` for a symbolic link loop)."""
    real, plain = _real(os.fspath(path))
    return Path(real) if plain else path.resolve()


def _real(path: str) -> tuple[str, bool]:
    """``os.path.realpath(path)``, and whether it was found without following a link (nor a
    loop of them) — the case where the kept folder and one ``lstat`` of the last part give it.

    ``realpath`` reads the parts of a path one by one, carrying the resolution of those read so
    far; that of the folder is therefore what it carries when it reaches the last part."""
    kept = _kept
    head, tail = os.path.split(path)
    if kept is None or not head or tail in ("", ".", ".."):
        return os.path.realpath(path), False
    if head not in kept:
        found = _real(head)[0]
        kept[head] = found if os.path.isdir(found) else None  # a loop resolves to no folder
    folder = kept[head]
    if folder is None:
        return os.path.realpath(path), False
    joined = os.path.join(folder, tail)
    try:
        link = stat.S_ISLNK(os.lstat(joined).st_mode)
    except OSError:
        link = False  # as realpath: a missing part is taken as written
    return (os.path.realpath(joined), False) if link else (joined, True)

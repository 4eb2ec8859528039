"""Cheap stamps of folders: what changed since a build, from ``stat`` alone."""

from __future__ import annotations

import hashlib
from pathlib import Path


def tree_stamp(folder: Path, *, extra: str = "", skip: set[str] | None = None) -> str:
    """A digest of every file's path, size and modification time under *folder* (and *extra*):
    it changes when a file is written, added or removed. A ``stat`` per file, no read; a folder
    that does not exist has the stamp of an empty one."""
    digest = hashlib.sha256(extra.encode() + b"\0")
    for path in sorted(folder.rglob("*")):
        rel = path.relative_to(folder)
        if skip and rel.parts[0] in skip:
            continue
        if path.is_file():
            info = path.stat()
            digest.update(f"{rel.as_posix()}\0{info.st_size}\0{info.st_mtime_ns}\n".encode())
    return digest.hexdigest()

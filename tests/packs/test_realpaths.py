"""Resolving paths with each folder's resolution kept (learnpacks.packs.realpaths)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from learnpacks.packs.realpaths import folders_kept, realpath, resolve


def _resolved(path: Path) -> Path | str:
    try:
        return path.resolve()
    except RuntimeError as exc:  # a loop of symbolic links
        return f"RuntimeError: {exc}"


def _kept_resolved(path: Path) -> Path | str:
    try:
        return resolve(path)
    except RuntimeError as exc:
        return f"RuntimeError: {exc}"


def test_kept_folders_resolve_as_realpath_and_resolve_do(tmp_path: Path, monkeypatch) -> None:
    """Do realpath and resolve, with folders kept, give what os.path.realpath and Path.resolve
    give (the same error on a loop) for files, folders, links to both, links that leave the
    tree, dangling links, loops, missing parts, '.', '..' and relative paths?"""
    (tmp_path / "real" / "sub").mkdir(parents=True)
    (tmp_path / "real" / "sub" / "f.txt").write_text("x")
    (tmp_path / "outside").mkdir()
    (tmp_path / "outside" / "o.txt").write_text("o")
    links = {
        "real/linked": "sub",
        "real/sub/to-file": "f.txt",
        "real/sub/up": "../..",
        "real/out": "../outside",
        "real/dangling": "nowhere/x",
        "real/loop-a": "loop-b",
        "real/loop-b": "loop-a",
        "folder-link": "real",
    }
    for name, target in links.items():
        os.symlink(target, tmp_path / name)
    parts = [
        "real/sub/f.txt",
        "real/linked/f.txt",
        "real/sub/to-file",
        "real/sub/up/real/sub/f.txt",
        "real/out/o.txt",
        "real/out/../real/sub",
        "real/dangling",
        "real/dangling/y",
        "real/loop-a",
        "real/loop-a/f.txt",
        "folder-link/linked/../sub/./f.txt",
        "real/missing/deeper/f.txt",
        "real/sub/",
        "real/sub/.",
        "real/sub/..",
        "real//sub///f.txt",
    ]
    monkeypatch.chdir(tmp_path / "real")
    paths = [tmp_path / p for p in parts] + [Path("sub/f.txt"), Path("../outside/o.txt")]
    texts = [str(tmp_path / p) for p in parts] + ["sub/f.txt", "../folder-link/sub", "linked"]
    expected = [_resolved(p) for p in paths], [os.path.realpath(t) for t in texts]
    with folders_kept():
        for _ in range(2):  # the second time from what the first kept
            found = [_kept_resolved(p) for p in paths], [realpath(t) for t in texts]
            assert found == expected
    assert ([_kept_resolved(p) for p in paths], [realpath(t) for t in texts]) == expected


def test_a_folder_is_resolved_once_while_kept(tmp_path: Path, monkeypatch) -> None:
    """Does a file under a kept folder cost one lstat, not one per part of its path?"""
    folder = tmp_path / "a" / "b" / "c"
    folder.mkdir(parents=True)
    calls: list[str] = []
    real_lstat = os.lstat

    def counting(path, *args, **kwargs):
        calls.append(os.fspath(path))
        return real_lstat(path, *args, **kwargs)

    with folders_kept():
        realpath(folder / "x.txt")
        monkeypatch.setattr(os, "lstat", counting)
        realpath(folder / "y.txt")
    assert calls == [str(folder / "y.txt")]


@pytest.mark.parametrize("text", ["", ".", "..", "/", "x"])
def test_short_paths(text: str) -> None:
    """Are paths with no folder part resolved as os.path.realpath does?"""
    with folders_kept():
        assert realpath(text) == os.path.realpath(text)

"""Extracting the vendored scripts from npm tarballs (``static_embed.extract``)."""

from __future__ import annotations

import io
import tarfile
from pathlib import Path

import pytest

from learnpacks.widgets.static_embed import VendorError, extract


def _tarball(path: Path, files: dict[str, bytes]) -> Path:
    with tarfile.open(path, "w:gz") as archive:
        for name, data in files.items():
            info = tarfile.TarInfo(f"package/{name}")
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return path


def test_extract_writes_the_chosen_files_in_one_pass(tmp_path: Path) -> None:
    """Are the files the caller names a target for written, and the others not?"""
    tarball = _tarball(
        tmp_path / "pkg.tgz",
        {"dist/embed.js": b"js", "dist/font.woff": b"font", "dist/sub/other.woff": b"no"},
    )
    out = tmp_path / "out"

    def target(name: str) -> Path | None:
        folder, _, file = name.rpartition("/")
        return out / file if folder == "dist" else None

    extract(tarball, target, required=["dist/embed.js"])
    assert sorted(p.name for p in out.iterdir()) == ["embed.js", "font.woff"]
    assert (out / "font.woff").read_bytes() == b"font"


def test_extract_names_a_required_file_the_package_lacks(tmp_path: Path) -> None:
    """Does a package without a file the site needs stop the vendoring with a VendorError?"""
    tarball = _tarball(tmp_path / "pkg.tgz", {"dist/embed.js": b"js"})
    with pytest.raises(VendorError, match="pkg.tgz has no dist/missing.js"):
        extract(
            tarball,
            {"dist/missing.js": tmp_path / "m.js"}.get,
            required=["dist/missing.js"],
        )

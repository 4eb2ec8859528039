"""``cohort collect``: hand-ins from zips, folders and LMS downloads, checked member by member."""

from __future__ import annotations

import hashlib
import json
import os
import zipfile
from pathlib import Path

import pytest
from cohort_factory import RIGHT, zip_bytes
from grading_helpers import clone_cohort

from learnpacks.grading.collect import collect, rejected_at_collect


@pytest.fixture
def cohort(released, tmp_path):
    """A fresh copy of the session's released cohort."""
    return clone_cohort(released, tmp_path / "cohort")


def _notebook(cohort, name="01-functions.ipynb") -> bytes:
    import nbformat

    nb = nbformat.read(str(cohort.path("release") / name), as_version=4)
    for cell in nb.cells:
        gid = cell.metadata.get("nbgrader", {}).get("grade_id")
        if gid in RIGHT:
            cell.source = RIGHT[gid]
    return nbformat.writes(nb).encode()


def _write_zip(path: Path, members: dict[str, bytes]) -> Path:
    path.write_bytes(zip_bytes(members))
    return path


def test_handin_zip_is_filed_for_its_learner(cohort, tmp_path):
    """Is ``ada--grading-demo.zip`` filed as submitted/ada/grading-demo/ with a timestamp?"""
    src = _write_zip(
        tmp_path / "ada--grading-demo.zip",
        {
            "01-functions.ipynb": _notebook(cohort),
            ".learnpacks-answers.json": b'{"version": 1, "notebooks": {}}',
            "learnpacks-handin.json": json.dumps(
                {"learner": "ada", "created": "2026-11-01T10:00:00+00:00"}
            ).encode(),
        },
    )
    report = collect(cohort, [src])
    assert report.accepted == {"ada": [".learnpacks-answers.json", "01-functions.ipynb"]}
    dest = cohort.path("submitted", "ada")
    assert (dest / "01-functions.ipynb").read_bytes() == _notebook(cohort)
    assert (dest / "timestamp.txt").read_text().startswith("2026-11-01 10:00:00")


def test_zip_slip_and_absolute_members_are_rejected(cohort, tmp_path):
    """THREATS 16: are `../` and absolute members rejected with nothing written outside?"""
    src = _write_zip(
        tmp_path / "eve--grading-demo.zip",
        {
            "../../outside.ipynb": _notebook(cohort),
            "/etc/evil.ipynb": _notebook(cohort),
            "01-functions.ipynb": _notebook(cohort),
        },
    )
    report = collect(cohort, [src])
    codes = [r.code for r in report.rejected]
    assert codes.count("collect.unsafe-path") == 2
    assert report.accepted == {"eve": ["01-functions.ipynb"]}
    assert not list(tmp_path.rglob("outside.ipynb"))


def test_symlink_member_is_rejected(cohort, tmp_path):
    """THREATS 16: is a zip member that is a symbolic link rejected, never followed?"""
    path = tmp_path / "mallory--grading-demo.zip"
    with zipfile.ZipFile(path, "w") as zf:
        info = zipfile.ZipInfo("01-functions.ipynb")
        info.external_attr = 0o120777 << 16
        zf.writestr(info, "/etc/passwd")
    report = collect(cohort, [path])
    assert [r.code for r in report.rejected] == ["collect.link"]
    assert not cohort.path("submitted", "mallory").exists()
    assert "mallory" in rejected_at_collect(cohort)


def test_symlink_in_a_folder_source_is_rejected(cohort, tmp_path):
    """Is a symbolic link inside a learner's folder rejected rather than read?"""
    folder = tmp_path / "bob"
    folder.mkdir()
    (folder / "01-functions.ipynb").write_bytes(_notebook(cohort))
    os.symlink("/etc/passwd", folder / "02-lists.ipynb")
    report = collect(cohort, [folder])
    assert any(r.code == "collect.link" for r in report.rejected)
    assert report.accepted == {"bob": ["01-functions.ipynb"]}


def test_zip_bomb_is_rejected_before_unpacking(cohort, tmp_path):
    """THREATS 18: does a member declaring more than the size limit get rejected unread?"""
    path = tmp_path / "zed--grading-demo.zip"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("01-functions.ipynb", b"0" * (cohort.limits.submission_bytes + 1))
    report = collect(cohort, [path])
    assert [r.code for r in report.rejected] == ["collect.too-large"]


def test_invalid_notebook_is_rejected_with_reason(cohort, tmp_path):
    """THREATS 1: is a truncated notebook rejected with a coded reason and an excerpt?"""
    src = _write_zip(
        tmp_path / "tom--grading-demo.zip", {"01-functions.ipynb": _notebook(cohort)[:500]}
    )
    report = collect(cohort, [src])
    assert report.rejected[0].code == "grading.not-json"
    assert "near" in report.rejected[0].reason


def test_lms_bulk_download_is_unpacked_per_learner(cohort, tmp_path):
    """Does an LMS bulk zip holding per-learner folders of hand-in zips file each learner?"""
    inner = {name: zip_bytes({"01-functions.ipynb": _notebook(cohort)}) for name in ("amy", "ben")}
    bulk = _write_zip(
        tmp_path / "bulk.zip",
        {
            f"{n.title()} Person_{i}_assignsubmission_file_/{n}--grading-demo.zip": data
            for i, (n, data) in enumerate(inner.items())
        },
    )
    report = collect(cohort, [bulk])
    assert set(report.accepted) == {"amy", "ben"}


def test_sources_are_never_changed(cohort, tmp_path):
    """Are the hand-in files byte-for-byte and time-for-time the same after collect?"""
    src = _write_zip(tmp_path / "ada--grading-demo.zip", {"01-functions.ipynb": _notebook(cohort)})
    before = (hashlib.sha256(src.read_bytes()).hexdigest(), src.stat().st_mtime_ns)
    collect(cohort, [src])
    assert (hashlib.sha256(src.read_bytes()).hexdigest(), src.stat().st_mtime_ns) == before


def test_extra_files_are_ignored_with_a_note(cohort, tmp_path):
    """THREATS 11: is an unknown file in a hand-in ignored (reported), not filed?"""
    src = _write_zip(
        tmp_path / "ada--grading-demo.zip",
        {"01-functions.ipynb": _notebook(cohort), "evil.py": b"import os"},
    )
    report = collect(cohort, [src])
    assert [r.code for r in report.ignored] == ["collect.extra-file"]
    assert not (cohort.path("submitted", "ada") / "evil.py").exists()


def test_unusable_learner_name_is_rejected(cohort, tmp_path):
    """Is a hand-in whose name gives no usable learner id rejected, not filed under a guess?"""
    src = _write_zip(tmp_path / "..--grading-demo.zip", {"01-functions.ipynb": _notebook(cohort)})
    report = collect(cohort, [src])
    assert report.rejected and report.rejected[0].code == "collect.bad-learner-id"


def test_lms_bulk_download_of_raw_notebooks_is_split_per_folder(cohort, tmp_path):
    """Does an LMS bulk zip whose per-learner folders hold raw notebooks (no hand-in zips) file
    each folder as its own learner, instead of mixing their files?"""
    bulk = _write_zip(
        tmp_path / "bulk.zip",
        {
            "Ada Lovelace_101_assignsubmission_file_/01-functions.ipynb": _notebook(cohort),
            "Alan Turing_102_assignsubmission_file_/01-functions.ipynb": _notebook(cohort)[:300],
        },
    )
    report = collect(cohort, [bulk])
    assert set(report.accepted) == {"Ada-Lovelace_101"}
    assert [(r.learner, r.code) for r in report.rejected] == [
        ("Alan-Turing_102", "grading.not-json")
    ]


def test_canvas_style_prefix_gives_the_learner_id(cohort, tmp_path):
    """Is `adalovelace_123_456_ada--grading-demo.zip` (an LMS-renamed hand-in) filed as ada?"""
    src = _write_zip(
        tmp_path / "adalovelace_123_456_ada--grading-demo.zip",
        {"01-functions.ipynb": _notebook(cohort)},
    )
    assert set(collect(cohort, [src]).accepted) == {"ada"}

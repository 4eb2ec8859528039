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
    assert (dest / "timestamp.txt").is_file()


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


def _handin(cohort, learner: str, *, created: str = "2026-11-01T10:00:00+00:00", **extra) -> bytes:
    """A hand-in zip as `download_my_work` makes it (notebook, answers, manifest)."""
    manifest = {"learner": learner, "assignment": "grading-demo", "created": created}
    return zip_bytes(
        {
            "01-functions.ipynb": _notebook(cohort),
            "learnpacks-handin.json": json.dumps(manifest).encode(),
            **extra,
        }
    )


def _lms(path: Path, *folders: tuple[str, str, bytes]) -> Path:
    """An LMS bulk download at *path*: (LMS folder name, inner file name, bytes) per member."""
    members = {f"{folder}_assignsubmission_file_/{name}": data for folder, name, data in folders}
    return _write_zip(path, members)


def test_handin_time_is_the_collection_time(cohort, tmp_path):
    """THREATS 60: is the time nbgrader reads (late penalties) the collection time, whatever
    date the learner's manifest claims?"""
    from datetime import UTC, datetime

    from nbgrader.utils import parse_utc

    src = tmp_path / "ada--grading-demo.zip"
    src.write_bytes(_handin(cohort, "ada", created="2001-01-01T00:00:00+00:00"))
    before = datetime.now(UTC).replace(microsecond=0)
    collect(cohort, [src])
    stamp = parse_utc((cohort.path("submitted", "ada") / "timestamp.txt").read_text())
    assert stamp.replace(tzinfo=UTC) >= before


def test_spoofed_name_in_an_lms_download_never_overwrites(cohort, tmp_path):
    """THREATS 60: does `bob--x.zip` in Mallory's LMS folder leave Bob's filed work as it was,
    with a coded conflict (so `collect` exits 1), in a later download and in the same one?"""
    first = _lms(
        tmp_path / "week1.zip", ("Bob Brown_102", "bob--grading-demo.zip", _handin(cohort, "bob"))
    )
    assert set(collect(cohort, [first]).accepted) == {"bob"}
    bobs = (cohort.path("submitted", "bob") / "01-functions.ipynb").read_bytes()
    forged = _handin(cohort, "bob", **{"01-functions.ipynb": b"{}"})
    later = _lms(tmp_path / "week2.zip", ("Mallory Moe_103", "bob--grading-demo.zip", forged))
    report = collect(cohort, [later])
    assert not report.accepted
    assert [(r.code, r.learner) for r in report.rejected] == [("collect.identity-conflict", "bob")]
    assert "Mallory Moe_103" in report.rejected[0].reason
    assert (cohort.path("submitted", "bob") / "01-functions.ipynb").read_bytes() == bobs
    both = _lms(
        tmp_path / "both.zip",
        ("Carol Cho_104", "carol--grading-demo.zip", _handin(cohort, "carol")),
        ("Mallory Moe_103", "carol--grading-demo.zip", _handin(cohort, "carol")),
    )
    report = collect(cohort, [both])
    assert not report.accepted and not cohort.path("submitted", "carol").exists()
    assert {r.code for r in report.rejected} == {"collect.identity-conflict"}


def test_roster_and_as_name_the_learner_and_check_the_claim(cohort, tmp_path):
    """THREATS 60: does a roster's LMS name, or `--as`, decide the learner, and is a hand-in
    that says it is someone else refused instead of filed under either name?"""
    (cohort.root / "roster.csv").write_text("id,lms\nada,Ada Lovelace_101\nbob,Bob Brown_102\n")
    bulk = _lms(
        tmp_path / "bulk.zip",
        ("Ada Lovelace_101", "my-work.zip", _handin(cohort, "ada")),
        ("Bob Brown_102", "ada--grading-demo.zip", _handin(cohort, "ada")),
    )
    report = collect(cohort, [bulk])
    assert set(report.accepted) == {"ada"}
    assert [(r.code, r.learner) for r in report.rejected] == [("collect.identity-conflict", "bob")]
    odd = tmp_path / "handin (3).zip"
    odd.write_bytes(_handin(cohort, "bob"))
    assert set(collect(cohort, [odd], as_learner="bob").accepted) == {"bob"}
    report = collect(cohort, [odd], as_learner="ada")
    assert [r.code for r in report.rejected] == ["collect.identity-conflict"]


def test_corrupt_zip_is_rejected_alone(cohort, tmp_path):
    """THREATS 61: does a zip with a bad CRC get a coded rejection for its learner while the
    good hand-ins of the same collect, and of the same LMS download, are filed?"""
    good = _write_zip(tmp_path / "ada--grading-demo.zip", {"01-functions.ipynb": _notebook(cohort)})
    data = bytearray(_handin(cohort, "zed"))
    at = data.index(b'"cells"')  # inside the stored (uncompressed) notebook: the CRC no longer fits
    data[at + 1] = ord("C")
    bad = tmp_path / "zed--grading-demo.zip"
    bad.write_bytes(bytes(data))
    bulk = _lms(
        tmp_path / "bulk.zip",
        ("Yan Yu_201", "yan--grading-demo.zip", bytes(data)),
        ("Amy Ames_202", "amy--grading-demo.zip", _handin(cohort, "amy")),
    )
    report = collect(cohort, [good, bad, bulk])
    assert set(report.accepted) == {"ada", "amy"}
    assert sorted((r.code, r.learner) for r in report.rejected) == [
        ("collect.bad-archive", "Yan-Yu_201"),
        ("collect.bad-archive", "zed"),
    ]
    assert "CRC" in report.rejected[0].reason


def _nest(data: bytes, times: int) -> bytes:
    for _ in range(times):
        data = zip_bytes({"inner--grading-demo.zip": data})
    return data


def test_nested_archive_bomb_is_bounded_per_learner(cohort, tmp_path):
    """THREATS 59: are nested archives bounded for the learner as a whole (total unpacked
    bytes, members, depth) — that learner rejected with a code, the others filed?"""
    import dataclasses

    from learnpacks.grading.limits import Limits

    small = dataclasses.replace(
        cohort, limits=Limits(submission_bytes=300_000, archive_bytes=1_000_000)
    )
    layer = deflated_zip({"01-functions.ipynb": b"0" * 250_000})
    bomb = tmp_path / "zed--grading-demo.zip"
    bomb.write_bytes(zip_bytes({f"part{i}.zip": layer for i in range(8)}))
    many = tmp_path / "yan--grading-demo.zip"
    many.write_bytes(zip_bytes({f"x{i}.txt": b"" for i in range(1200)}))
    deep = tmp_path / "xia--grading-demo.zip"
    deep.write_bytes(_nest(zip_bytes({"01-functions.ipynb": _notebook(cohort)}), 3))
    good = tmp_path / "ada--grading-demo.zip"
    good.write_bytes(_handin(cohort, "ada"))
    report = collect(small, [bomb, many, deep, good])
    assert set(report.accepted) == {"ada"}
    assert sorted((r.learner, r.code) for r in report.rejected) == [
        ("xia", "collect.too-deep"),
        ("yan", "collect.too-many-members"),
        ("zed", "collect.too-large"),
    ]
    assert (
        "nested archives included" in next(r for r in report.rejected if r.learner == "zed").reason
    )


def deflated_zip(members: dict[str, bytes]) -> bytes:
    """A deflated zip (the bomb's layers compress 250 kB of zeros to a few hundred bytes)."""
    import io

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buf.getvalue()


def test_folder_handin_files_only_the_assignment(cohort, tmp_path):
    """Does a folder hand-in let only the pack's notebooks and the answers file through, so a
    learner's `json.py` never reaches the kernel's folder?"""
    folder = tmp_path / "ada"
    folder.mkdir()
    (folder / "01-functions.ipynb").write_bytes(_notebook(cohort))
    (folder / "json.py").write_text("raise SystemExit('shadowed')")
    report = collect(cohort, [folder])
    assert report.accepted == {"ada": ["01-functions.ipynb"]}
    assert [(r.member, r.code) for r in report.ignored] == [("json.py", "collect.extra-file")]
    assert not (cohort.path("submitted", "ada") / "json.py").exists()


def test_partly_rejected_handin_is_flagged_not_missing(cohort, tmp_path):
    """Is a learner whose second notebook was rejected counted as handed in and flagged, not
    listed as "not handed in"?"""
    from learnpacks.grading.report import gather

    src = _write_zip(
        tmp_path / "ada--grading-demo.zip",
        {"01-functions.ipynb": _notebook(cohort), "02-lists.ipynb": b"{not json"},
    )
    report = collect(cohort, [src])
    assert report.accepted == {"ada": ["01-functions.ipynb"]}
    seen = gather(cohort)
    assert "ada" not in seen.missing and "ada" in seen.flagged and seen.handed_in == 1


def test_cli_as_conflict_exits_1_and_two_sources_exit_2(cohort, tmp_path):
    """Does `cohort collect --as bob` on Ada's hand-in exit 1 naming the conflict, and `--as`
    with two sources exit 2 as a usage error?"""
    import subprocess
    import sys

    src = tmp_path / "handin.zip"
    src.write_bytes(_handin(cohort, "ada"))
    cli = [sys.executable, "-m", "learnpacks", "cohort", "collect", "-C", str(cohort.root)]
    run = subprocess.run([*cli, "--as", "bob", str(src)], capture_output=True, text=True)
    assert run.returncode == 1 and "collect.identity-conflict" in run.stderr
    assert not cohort.path("submitted", "bob").exists()
    run = subprocess.run([*cli, "--as", "bob", str(src), str(src)], capture_output=True, text=True)
    assert run.returncode == 2 and "Traceback" not in run.stderr


BLACKBOARD = "gradebook_WIKI-101_grading-demo_2026-12-01-09-00-00.zip"


@pytest.fixture
def blackboard_download_with_two_attempts(cohort, tmp_path) -> Path:
    """A Blackboard "Download Assignment" zip: Ada's two attempts (the earlier one broken), Bob's
    one attempt whose manifest claims 2001, and the LMS's notes beside each attempt."""
    early, late = (
        "grading-demo_ada_attempt_2026-11-28-10-00-00",
        "grading-demo_ada_attempt_2026-11-30-23-59-58",
    )
    bob = "grading-demo_bob_attempt_2026-11-29-08-30-00"
    notes = b"Name: Ada L (ada)\nAssignment: grading-demo\nDate Submitted: ...\n"
    return _write_zip(
        tmp_path / BLACKBOARD,
        {
            f"{early}_ada--grading-demo.zip": _handin(
                cohort, "ada", **{"01-functions.ipynb": b"{"}
            ),
            f"{early}.txt": notes,
            f"{late}_ada--grading-demo.zip": _handin(cohort, "ada"),
            f"{late}.txt": notes,
            f"{bob}_01-functions.ipynb": _notebook(cohort),
            f"{bob}_learnpacks-handin.json": json.dumps(
                {"learner": "bob", "created": "2001-01-01T00:00:00+00:00"}
            ).encode(),
        },
    )


def test_blackboard_download_files_each_latest_attempt_at_the_lms_time(
    cohort, blackboard_download_with_two_attempts
):
    """THREATS 60: does a Blackboard download file each learner's latest attempt with the time
    Blackboard recorded (in the LMS's time zone) as the hand-in time, whatever the manifest
    says, and list the earlier attempt as ignored?"""
    from nbgrader.utils import parse_utc

    report = collect(cohort, [blackboard_download_with_two_attempts], lms_timezone="Europe/Paris")
    assert report.accepted == {"ada": ["01-functions.ipynb"], "bob": ["01-functions.ipynb"]}
    assert not report.rejected
    assert report.times == {
        "ada": {"time": "2026-11-30T22:59:58+00:00", "from": "lms"},
        "bob": {"time": "2026-11-29T07:30:00+00:00", "from": "lms"},
    }
    for learner, utc in (("ada", "2026-11-30 22:59:58"), ("bob", "2026-11-29 07:30:00")):
        stamp = (cohort.path("submitted", learner) / "timestamp.txt").read_text()
        assert str(parse_utc(stamp)) == utc
    assert (cohort.path("submitted", "ada") / "01-functions.ipynb").read_bytes() == _notebook(
        cohort
    )
    assert [(r.member, r.reason) for r in report.ignored] == [
        (
            "grading-demo_ada_attempt_2026-11-28-10-00-00_ada--grading-demo.zip",
            "an earlier attempt; the latest one is filed",
        )
    ]


@pytest.mark.parametrize(
    ("download", "notes"),
    [
        # the download's name says where the assignment ends (its course holds "_" too)
        ("gradebook_WIKI_101_grading-demo_2026-12-01-09-00-00.zip", False),
        # a download renamed by the facilitator: the LMS's notes say whose each attempt is
        ("gradebook_renamed_2026-12-01-09-00-00.zip", True),
    ],
)
def test_blackboard_usernames_with_underscores_are_read_whole(cohort, tmp_path, download, notes):
    """Is a Blackboard attempt of `jane_doe` filed as hers, not as `doe`'s, who is in the same
    course (a username and an assignment name may both hold "_")?"""
    (cohort.root / "roster.csv").write_text("id,lms\njane,jane_doe\ndoe,doe\n")
    jane, doe = (
        "grading-demo_jane_doe_attempt_2026-11-30-10-00-00",
        "grading-demo_doe_attempt_2026-11-30-11-00-00",
    )
    members = {
        f"{jane}_01-functions.ipynb": _notebook(cohort),
        f"{doe}_01-functions.ipynb": _notebook(cohort)[:300],  # broken: doe's own
    }
    if notes:
        members[f"{jane}.txt"] = b"Name: Jane Doe (jane_doe)\nAssignment: grading-demo\n"
        members[f"{doe}.txt"] = b"Name: John Doe (doe)\nAssignment: grading-demo\n"
    report = collect(cohort, [_write_zip(tmp_path / download, members)], lms_timezone="UTC")
    assert report.accepted == {"jane": ["01-functions.ipynb"]}
    assert [r.learner for r in report.rejected] == ["doe"]
    assert (cohort.path("submitted", "jane") / "01-functions.ipynb").read_bytes() == _notebook(
        cohort
    )


def test_blackboard_time_zone_must_be_known(cohort, blackboard_download_with_two_attempts):
    """Is an unknown --lms-timezone a usage error before anything is filed?"""
    from learnpacks.errors import UsageError

    with pytest.raises(UsageError, match="Mars/Olympus"):
        collect(cohort, [blackboard_download_with_two_attempts], lms_timezone="Mars/Olympus")
    assert not cohort.path("submitted", "ada").exists()


def test_blackboard_time_in_the_future_is_not_believed(cohort, tmp_path):
    """Is an LMS time after the collection itself (a wrong time zone) replaced by the
    collection time, and said so?"""
    bulk = _write_zip(
        tmp_path / BLACKBOARD,
        {
            "grading-demo_ada_attempt_2999-01-01-00-00-00_ada--grading-demo.zip": _handin(
                cohort, "ada"
            )
        },
    )
    report = collect(cohort, [bulk], lms_timezone="UTC")
    assert report.times["ada"]["from"] == "collect"
    assert report.times["ada"]["time"] < "2999"


def test_handin_dressed_as_blackboard_cannot_set_its_time(cohort, tmp_path):
    """THREATS 60: does a learner's own zip whose members are named like a Blackboard attempt
    of 2001 get the collection time (only the LMS's download is read for a time)?"""
    src = _write_zip(
        tmp_path / "ada--grading-demo.zip",
        {"grading-demo_ada_attempt_2001-01-01-00-00-00_01-functions.ipynb": _notebook(cohort)},
    )
    collect(cohort, [src])
    nested = _write_zip(
        tmp_path / "bulk.zip",
        {
            "Ada Lovelace_101_assignsubmission_file_/"
            "gradebook_x_2001-01-01-00-00-00.zip": zip_bytes(
                {
                    "grading-demo_ada_attempt_2001-01-01-00-00-00_01-functions.ipynb": _notebook(
                        cohort
                    )
                }
            )
        },
    )
    for source in (src, nested):
        report = collect(cohort, [source])
        assert all(t["from"] == "collect" for t in report.times.values())
        assert all(t["time"] > "2026" for t in report.times.values())


def test_moodle_and_canvas_downloads_get_the_collection_time(cohort, tmp_path):
    """Moodle's folders and Canvas's file names (its `late` marker included) record no time:
    is the collection time filed, and is the Canvas-renamed late hand-in still Ada's?"""
    canvas = tmp_path / "canvas"
    canvas.mkdir()
    _write_zip(
        canvas / "lovelaceada_late_101_5001_ada--grading-demo.zip",
        {"01-functions.ipynb": _notebook(cohort)},
    )
    moodle = _lms(
        tmp_path / "moodle.zip", ("Bob Brown_102", "bob--grading-demo.zip", _handin(cohort, "bob"))
    )
    report = collect(cohort, [canvas, moodle])
    assert set(report.accepted) == {"ada", "bob"}
    assert {t["from"] for t in report.times.values()} == {"collect"}

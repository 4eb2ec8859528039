"""Answers saved beside the notebook (learnpacks.widgets.answers)."""

from __future__ import annotations

import base64
import json
import os
import warnings
from pathlib import Path

import pytest

from learnpacks.widgets import answers
from learnpacks.widgets.answers import (
    ANSWERS_FILE,
    SAVED_FILE,
    AnswerStore,
    configure,
    notebook_name,
)


def test_record_then_read_back(tmp_path: Path) -> None:
    """Is an answer recorded under its notebook and exercise id, and read back?"""
    store = AnswerStore(tmp_path)
    assert store.record("01-intro.ipynb", "projects", {"kind": "multiple-choice", "answer": ["a"]})
    assert store.record("02-next.ipynb", "projects", {"kind": "multiple-choice", "answer": ["b"]})
    assert store.get("01-intro.ipynb", "projects")["answer"] == ["a"]
    assert store.get("02-next.ipynb", "projects")["answer"] == ["b"]
    data = json.loads((tmp_path / ANSWERS_FILE).read_text(encoding="utf-8"))
    assert data["version"] == 1 and set(data["notebooks"]) == {"01-intro.ipynb", "02-next.ipynb"}
    assert "updated" in data["notebooks"]["01-intro.ipynb"]["projects"]


def _answers_file(path: Path, notebooks: dict) -> bytes:
    data = json.dumps({"version": 1, "notebooks": notebooks}).encode("utf-8")
    path.write_bytes(data)
    return data


def test_a_file_saved_from_the_site_is_taken_in_as_it_is(tmp_path: Path) -> None:
    """With the site's download (``learnpacks-answers.json``) uploaded beside the notebooks, do
    its answers count, the later entry of each exercise winning, the file left unchanged, and
    does the next Check keep them in the notebook's own file?"""
    _answers_file(
        tmp_path / ANSWERS_FILE,
        {
            "01.ipynb": {
                "old": {"answer": ["kernel"], "updated": "2026-01-01T00:00:00+00:00"},
                "new": {"answer": ["kernel"], "updated": "2026-03-01T00:00:00+00:00"},
            }
        },
    )
    site = _answers_file(
        tmp_path / SAVED_FILE,
        {
            "01.ipynb": {
                "old": {"answer": ["site"], "updated": "2026-02-01T00:00:00+00:00"},
                "new": {"answer": ["site"], "updated": "2026-02-01T00:00:00+00:00"},
            },
            "02.ipynb": {"only": {"answer": ["site"], "updated": "2026-02-01T00:00:00+00:00"}},
        },
    )
    store = AnswerStore(tmp_path)
    assert store.get("01.ipynb", "old")["answer"] == ["site"]
    assert store.get("01.ipynb", "new")["answer"] == ["kernel"]
    assert store.get("02.ipynb", "only")["answer"] == ["site"]
    assert store.record("01.ipynb", "other", {"answer": ["x"]})
    kept = json.loads((tmp_path / ANSWERS_FILE).read_text(encoding="utf-8"))["notebooks"]
    assert kept["02.ipynb"]["only"]["answer"] == ["site"] and "other" in kept["01.ipynb"]
    assert (tmp_path / SAVED_FILE).read_bytes() == site


def test_a_broken_file_saved_from_the_site_is_left_alone_with_a_warning(tmp_path: Path) -> None:
    """Is a site file that is not answers named in a warning, left where and as it is, and the
    notebook's own answers still read?"""
    _answers_file(tmp_path / ANSWERS_FILE, {"01.ipynb": {"q": {"answer": ["a"]}}})
    (tmp_path / SAVED_FILE).write_bytes(b"{oops")
    with pytest.warns(UserWarning, match=SAVED_FILE):
        assert AnswerStore(tmp_path).get("01.ipynb", "q")["answer"] == ["a"]
    assert (tmp_path / SAVED_FILE).read_bytes() == b"{oops"
    assert not list(tmp_path.glob("*.bak*"))


def test_missing_file_means_no_answers(tmp_path: Path) -> None:
    """Does a folder with no answers file give no answers, and no warning?"""
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert AnswerStore(tmp_path).get("x.ipynb", "q") is None


@pytest.mark.parametrize(
    "content",
    [
        b"{not json",
        b"",
        b"\xff\xfe\x00garbage",
        b"[1, 2]",
        b'{"version": 99, "notebooks": {}}',
        b'{"version": 1, "notebooks": {"a.ipynb": [1]}}',
    ],
    ids=["truncated", "empty", "binary", "list", "future-version", "bad-entry"],
)
def test_corrupt_file_is_kept_aside_and_never_crashes(tmp_path: Path, content: bytes) -> None:
    """Does a corrupt answers file give a warning, a .bak copy with its bytes, and a fresh start?"""
    (tmp_path / ANSWERS_FILE).write_bytes(content)
    store = AnswerStore(tmp_path)
    with pytest.warns(UserWarning, match="could not be read"):
        assert store.get("a.ipynb", "q") is None
    assert (tmp_path / (ANSWERS_FILE + ".bak")).read_bytes() == content
    assert store.record("a.ipynb", "q", {"kind": "reflection", "answer": "ok"})
    assert store.get("a.ipynb", "q")["answer"] == "ok"


def test_second_corruption_does_not_overwrite_the_first_backup(tmp_path: Path) -> None:
    """Is an earlier .bak kept when another corrupt file is set aside?"""
    (tmp_path / (ANSWERS_FILE + ".bak")).write_text("first")
    (tmp_path / ANSWERS_FILE).write_text("second")
    with pytest.warns(UserWarning):
        AnswerStore(tmp_path).load()
    assert (tmp_path / (ANSWERS_FILE + ".bak")).read_text() == "first"
    assert (tmp_path / (ANSWERS_FILE + ".bak1")).read_text() == "second"


def test_unwritable_folder_warns_and_goes_on(tmp_path: Path) -> None:
    """Does a folder that cannot be written make record() warn and return False, not raise?"""
    target = tmp_path / "file-not-folder"
    target.write_text("x")
    with pytest.warns(UserWarning, match="could not save"):
        assert AnswerStore(target).record("a.ipynb", "q", {"answer": 1}) is False


def test_write_is_atomic_no_temp_files_left(tmp_path: Path) -> None:
    """After many writes, is there one answers file and no temporary file left behind?"""
    store = AnswerStore(tmp_path)
    for i in range(20):
        store.record("a.ipynb", f"q{i}", {"answer": i})
    leftovers = [p.name for p in tmp_path.iterdir() if p.name.endswith(".tmp")]
    assert leftovers == [] and len(store.notebook_answers("a.ipynb")) == 20


def test_notebook_name_sources(monkeypatch: pytest.MonkeyPatch) -> None:
    """Is the notebook name taken from configure(), then JPY_SESSION_NAME, then 'untitled'?"""
    assert notebook_name() == "untitled"
    monkeypatch.setenv("JPY_SESSION_NAME", "/home/learner/pack/01-intro.ipynb")
    assert notebook_name() == "01-intro.ipynb"
    configure(notebook="packs/x/02-data.ipynb")
    assert notebook_name() == "02-data.ipynb"


def test_configure_directory(tmp_path: Path) -> None:
    """Does configure(directory=...) move where answers are kept?"""
    configure(directory=tmp_path / "elsewhere")
    AnswerStore().record("a.ipynb", "q", {"answer": 1})
    assert (tmp_path / "elsewhere" / ANSWERS_FILE).exists()
    assert answers.answers_directory() == tmp_path / "elsewhere"
    assert not (Path(os.getcwd()) / ANSWERS_FILE).exists()


def _view_payload(data: object) -> str:
    return base64.b64encode(json.dumps(data, ensure_ascii=False).encode("utf-8")).decode("ascii")


def test_an_answer_a_view_sends_after_a_restart_is_recorded_and_read_back(tmp_path: Path) -> None:
    """Does record_from_view() write what a widget's view sends (non-ASCII text included) into
    the answers file, and answers_for_view() give it back as JSON the view can parse?"""
    entry = {"kind": "reflection", "mode": "practice", "answer": "لأن المعرفة حرة 📚"}
    entry |= {"status": "recorded", "attempts": 2, "rules": {}, "key": "dropped"}
    sent = {"notebook": "01-intro.ipynb", "id": "why-edit", "entry": entry}
    assert answers.record_from_view(_view_payload(sent)) is True
    saved = AnswerStore(tmp_path).get("01-intro.ipynb", "why-edit")
    assert saved is not None and saved.pop("updated")
    assert saved == {k: v for k, v in entry.items() if k != "key"}
    shown = json.loads(repr(answers.answers_for_view("01-intro.ipynb")))
    assert shown["why-edit"]["answer"] == "لأن المعرفة حرة 📚"


@pytest.mark.parametrize(
    "sent",
    [
        "not base64!",
        {"notebook": "a.ipynb", "id": "Bad Id", "entry": {}},
        {"notebook": "a.ipynb", "id": "q", "entry": {"kind": "code", "mode": "practice"}},
        {
            "notebook": "a.ipynb",
            "id": "q",
            "entry": {
                "kind": "multiple-choice",
                "mode": "graded",
                "answer": ["a"],
                "status": "correct",
            },
        },
        {
            "notebook": "a.ipynb",
            "id": "q",
            "entry": {
                "kind": "short-answer",
                "mode": "practice",
                "answer": "",
                "status": "recorded",
            },
        },
    ],
    ids=["not-base64", "bad-id", "code-kind", "graded-claims-correct", "empty-answer"],
)
def test_what_a_view_never_sends_is_refused(tmp_path: Path, sent: object) -> None:
    """Is an entry no widget view could send (bad id, a graded answer claiming to be correct,
    an empty answer, a code result) refused, and nothing written?"""
    payload = sent if isinstance(sent, str) else _view_payload(sent)
    with pytest.raises(ValueError):
        answers.record_from_view(payload)
    assert not (tmp_path / ANSWERS_FILE).exists()


def test_saving_in_many_folders_keeps_a_fixed_set_of_lock_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Does a learner who answers in 200 folders leave at most LOCK_STRIPES lock files, in one
    folder of their own, and nothing else in the temporary folder?"""
    temp = tmp_path / "tmp"
    temp.mkdir()
    monkeypatch.setattr(answers.tempfile, "tempdir", str(temp))
    for i in range(200):
        store = AnswerStore(tmp_path / "work" / f"folder-{i}")
        assert store.record("n.ipynb", "projects", {"kind": "multiple-choice", "answer": ["a"]})
    locks = temp / f"learnpacks-locks-{os.getuid()}"
    assert [p.name for p in temp.iterdir()] == [locks.name]
    assert 1 < len(list(locks.iterdir())) <= answers.LOCK_STRIPES
    assert locks.stat().st_mode & 0o777 == 0o700


def test_a_lock_folder_that_is_not_the_learners_own_is_not_used(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Is a link planted where the lock folder goes refused (a warning, the answer not saved),
    with nothing created where it points?"""
    temp = tmp_path / "tmp"
    elsewhere = tmp_path / "elsewhere"
    temp.mkdir()
    elsewhere.mkdir()
    (temp / f"learnpacks-locks-{os.getuid()}").symlink_to(elsewhere)
    monkeypatch.setattr(answers.tempfile, "tempdir", str(temp))
    store = AnswerStore(tmp_path / "work")
    with pytest.warns(UserWarning, match="not a folder of this user's"):
        assert not store.record("n.ipynb", "projects", {"kind": "multiple-choice"})
    assert list(elsewhere.iterdir()) == []
    assert not (tmp_path / "work" / ANSWERS_FILE).exists()

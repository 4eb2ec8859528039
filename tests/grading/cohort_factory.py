"""Generated hand-ins for the end-to-end tests and the benchmark: right, partly right, wrong,
malicious and malformed learners of the ``grading-demo`` fixture pack, as hand-in zips made by
the learner-side :func:`~learnpacks.grading.handin.package_work`."""

from __future__ import annotations

import copy
import io
import json
import zipfile
from dataclasses import dataclass
from pathlib import Path

import nbformat

from learnpacks.grading.handin import ANSWERS_FILE, package_work

RIGHT = {
    "square": "def square(x):\n    return x * x",
    "count-words": "def count_words(text):\n    return len(text.split())",
    "explain": "Tests say what the code must do.",
    "total-edits": "def total_edits(rows):\n    return sum(int(r['edits']) for r in rows)",
}
PARTLY = {  # pass the visible tests, fail hidden ones
    "square": "def square(x):\n    return x * abs(x)",
    "count-words": "def count_words(text):\n    return len(text.split(' '))",
    "total-edits": "def total_edits(rows):\n    return int(rows[0]['edits']) * len(rows)",
}
WRONG = {
    "square": "def square(x):\n    return x + x",
    "count-words": "def count_words(text):\n    return 0",
    "total-edits": "def total_edits(rows):\n    return None",
}
MALICIOUS = {
    "edits-tests": {
        "square-tests": "assert True",
        "count-words-tests": "pass",
        "total-edits-tests": "pass",
    },
    "skip-tags": "tags",
    "kills-kernel": {"square": "import os\nos._exit(0)"},
    "deletes-tests": "delete",
}


@dataclass
class Learner:
    name: str
    kind: str  # right | partly | wrong | malicious | malformed
    zip_path: Path


def _gid(cell: dict) -> str | None:
    return cell.get("metadata", {}).get("nbgrader", {}).get("grade_id")


def _fill(nb: nbformat.NotebookNode, answers: dict[str, str]) -> nbformat.NotebookNode:
    nb = copy.deepcopy(nb)
    for cell in nb.cells:
        if _gid(cell) in answers:
            cell.source = answers[_gid(cell)]
    return nb


def _answers(choice: str) -> bytes:
    return json.dumps(
        {
            "version": 1,
            "notebooks": {
                "02-lists.ipynb": {
                    "wiki-projects": {
                        "kind": "multiple-choice",
                        "answer": [choice],
                        "status": "answered",
                    }
                }
            },
        }
    ).encode()


def _mixed(i: int) -> dict[str, str]:
    """Partly right: a different mix of right, partly right and wrong answers per learner."""
    pools = (RIGHT, PARTLY, WRONG)
    return {
        gid: pools[(i + n) % 3][gid]
        for n, gid in enumerate(("square", "count-words", "total-edits"))
        if gid in pools[(i + n) % 3]
    }


def make_handins(
    release: Path,
    out: Path,
    *,
    right: int = 8,
    partly: int = 8,
    wrong: int = 6,
    malicious: int = 4,
    malformed: int = 4,
    prefix: str = "",
) -> list[Learner]:
    """Write one hand-in zip per learner into *out*; 30 learners with the defaults."""
    out.mkdir(parents=True, exist_ok=True)
    notebooks = {
        n: nbformat.read(str(release / n), as_version=4)
        for n in ("01-functions.ipynb", "02-lists.ipynb")
    }
    learners: list[Learner] = []

    def handin(name: str, kind: str, answers: dict[str, str], choice: str, edit=None) -> None:
        folder = out / "work" / name
        folder.mkdir(parents=True, exist_ok=True)
        for nb_name, nb in notebooks.items():
            filled = _fill(nb, answers)
            if edit is not None:
                edit(filled)
            nbformat.write(filled, str(folder / nb_name))
        (folder / ANSWERS_FILE).write_bytes(_answers(choice))
        path = package_work(name, assignment="grading-demo", folder=folder)
        target = out / path.name
        path.replace(target)
        learners.append(Learner(name, kind, target))

    for i in range(right):
        handin(f"{prefix}right-{i:02d}", "right", RIGHT, "wikidata")
    for i in range(partly):
        handin(
            f"{prefix}partly-{i:02d}", "partly", _mixed(i), "wikidata" if i % 2 else "wikisource"
        )
    for i in range(wrong):
        handin(f"{prefix}wrong-{i:02d}", "wrong", WRONG, "wikisource")
    kinds = list(MALICIOUS.items())
    for i in range(malicious):
        label, spec = kinds[i % len(kinds)]

        def edit(nb, spec=spec):
            if spec == "delete":
                nb.cells = [c for c in nb.cells if not (_gid(c) or "").endswith("-tests")]
            for cell in nb.cells:
                if spec == "tags" and _gid(cell) and _gid(cell).endswith("-tests"):
                    cell.metadata["tags"] = ["skip-execution", "raises-exception"]
                elif (
                    isinstance(spec, dict) and _gid(cell) in spec and _gid(cell).endswith("-tests")
                ):
                    cell.source = spec[_gid(cell)]

        answers = {**WRONG, **(spec if isinstance(spec, dict) and "square" in spec else {})}
        handin(f"{prefix}malicious-{label}-{i:02d}", "malicious", answers, "wikisource", edit)
    for i in range(malformed):
        name = f"{prefix}malformed-{i:02d}"
        target = out / f"{name}--grading-demo.zip"
        good = nbformat.writes(_fill(notebooks["01-functions.ipynb"], RIGHT))
        with zipfile.ZipFile(target, "w") as zf:
            variant = i % 4
            if variant == 0:  # truncated JSON
                zf.writestr("01-functions.ipynb", good[: len(good) // 2])
            elif variant == 1:  # valid JSON, not a notebook
                zf.writestr("01-functions.ipynb", json.dumps({"cells": "nope", "nbformat": 4}))
            elif variant == 2:  # zip-slip member next to a valid notebook
                zf.writestr("../../escape.ipynb", good)
                zf.writestr("/abs/01-functions.ipynb", good)
            else:  # a symbolic link member
                info = zipfile.ZipInfo("01-functions.ipynb")
                info.external_attr = 0o120777 << 16
                zf.writestr(info, "/etc/passwd")
        learners.append(Learner(name, "malformed", target))
    return learners


def lms_bulk_download(zips: list[Path], target: Path) -> Path:
    """An LMS-style bulk download: one zip holding each learner's zip in a folder of its own."""
    with zipfile.ZipFile(target, "w") as zf:
        for i, path in enumerate(zips):
            zf.writestr(
                f"Learner {i}_{1000 + i}_assignsubmission_file_/{path.name}", path.read_bytes()
            )
    return target


def zip_bytes(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buf.getvalue()

"""Every error a user can meet carries a stable, documented code, and the CLI prints it without a
traceback: ``code: message (file, place)``, exit 2 for a user error, 1 for failed work."""

from __future__ import annotations

import ast
import pickle
import subprocess
import sys
from pathlib import Path

import pytest

from learnpacks.cli import main
from learnpacks.errors import ConfigError, LearnpacksError, UsageError
from learnpacks.grading.gradebook import ResultInvalid
from learnpacks.grading.kernel import KernelStartError
from learnpacks.grading.run import Rejected
from learnpacks.widgets.static_embed import VendorError

REPO = Path(__file__).resolve().parents[1]
PACKAGE = REPO / "learnpacks"
CODES_DOC = REPO / "docs" / "reference" / "problem-codes.md"


def _base_names(node: ast.ClassDef) -> set[str]:
    return {b.id if isinstance(b, ast.Name) else getattr(b, "attr", "") for b in node.bases}


def _error_classes() -> dict[str, ast.ClassDef]:
    """Every class of the package that derives from LearnpacksError, by name (read, not imported)."""
    classes = {
        node.name: node
        for path in PACKAGE.rglob("*.py")
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.ClassDef)
    }
    found = {"LearnpacksError": classes["LearnpacksError"]}
    grew = True
    while grew:
        grew = False
        for name, node in classes.items():
            if name not in found and _base_names(node) & set(found):
                found[name] = node
                grew = True
    return found


def _default_code(node: ast.ClassDef) -> str | None:
    for stmt in node.body:
        if (
            isinstance(stmt, ast.Assign)
            and any(isinstance(t, ast.Name) and t.id == "default_code" for t in stmt.targets)
            and isinstance(stmt.value, ast.Constant)
        ):
            return stmt.value.value
    return None


def _takes_code_first(node: ast.ClassDef) -> bool:
    """Whether the class's own constructor takes the code as its first argument (``Rejected``)."""
    for stmt in node.body:
        if isinstance(stmt, ast.FunctionDef) and stmt.name == "__init__":
            return len(stmt.args.args) > 1 and stmt.args.args[1].arg == "code"
    return False


def raise_sites() -> list[tuple[str, str, ast.expr | None]]:
    """``(place, class name, code expression)`` of every raise of a learnpacks error."""
    classes = _error_classes()
    sites = []
    for path in sorted(PACKAGE.rglob("*.py")):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Raise) or not isinstance(node.exc, ast.Call):
                continue
            func = node.exc.func
            name = func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")
            if name not in classes:
                continue
            code = next((k.value for k in node.exc.keywords if k.arg == "code"), None)
            if code is None and _takes_code_first(classes[name]) and node.exc.args:
                code = node.exc.args[0]
            place = f"{path.relative_to(REPO)}:{node.lineno}"
            sites.append((place, name, code))
    return sites


def documented_codes() -> set[str]:
    import re

    return set(re.findall(r"`([a-z0-9]+\.[a-z0-9-]+)`", CODES_DOC.read_text(encoding="utf-8")))


def test_every_raise_names_a_documented_code():
    """Does every `raise SomeLearnpacksError(...)` in the package carry a code (its own, or its
    class's), written as a literal and listed in problem-codes.md?"""
    classes = _error_classes()
    sites = raise_sites()
    assert len(sites) > 60
    documented = documented_codes()
    without, undocumented = [], []
    for place, name, code in sites:
        default = _default_code(classes[name])
        if code is None:
            if default is None:
                without.append(f"{place} {name}")
            continue
        literal = code.value if isinstance(code, ast.Constant) else None
        if literal is None:
            continue  # passed on from a Problem or another error: checked where it is made
        if literal not in documented:
            undocumented.append(f"{place} {literal}")
    assert without == []
    assert undocumented == []
    defaults = {n: _default_code(c) for n, c in classes.items() if _default_code(c)}
    assert sorted(c for c in defaults.values() if c not in documented) == []


def test_the_four_outsiders_joined_the_hierarchy():
    """Are VendorError, Rejected, ResultInvalid and KernelStartError learnpacks errors with codes,
    still caught by the handlers that caught them before (RuntimeError, ValueError)?"""
    assert VendorError("npm pack failed").code == "book.vendor-failed"
    assert isinstance(VendorError("x"), RuntimeError)
    assert Rejected("grading.empty", "the file is empty").code == "grading.empty"
    assert ResultInvalid("bad").code == "grading.invalid-result"
    assert isinstance(ResultInvalid("bad"), ValueError)
    assert KernelStartError("no answer").code == "grading.kernel-start"
    for cls in (VendorError, Rejected, ResultInvalid, KernelStartError):
        assert issubclass(cls, LearnpacksError)


def test_an_error_without_a_code_cannot_be_made():
    """Is a UsageError raised without a code refused at once, so it cannot reach a user uncoded?"""
    with pytest.raises(TypeError, match="code"):
        UsageError("no code here")


def test_errors_survive_pickling_with_their_fields():
    """Does an error raised in a Dask worker or the fork server arrive with its code, file and
    place (exceptions cross processes by pickle)?"""
    error = ConfigError("bad", code="config.invalid", path="packs/_config.yml", place="languages")
    back = pickle.loads(pickle.dumps(error))
    assert (back.code, back.path, back.place, back.message) == (
        "config.invalid",
        "packs/_config.yml",
        "languages",
        "bad",
    )
    assert pickle.loads(pickle.dumps(Rejected("grading.empty", "empty"))).code == "grading.empty"


def test_cli_prints_code_message_file_and_place(tmp_path, capsys):
    """Does the CLI print an error as `code: message (file, place)` and exit 2 for a user error?"""
    (tmp_path / "packs").mkdir()
    (tmp_path / "packs" / "_config.yml").write_text(
        "title: T\nsource_language: en\nlanguages: [en, fr]\n", encoding="utf-8"
    )
    assert main(["--root", str(tmp_path), "book", "build", "--lang", "de"]) == 2
    err = capsys.readouterr().err
    assert "learnpacks: book.unknown-language: language(s) de not in" in err
    assert "(packs/_config.yml, languages)" in err
    assert "Traceback" not in err


def test_cli_json_error_has_the_same_fields(tmp_path, capsys):
    """Does `--json` give the error's code, file and place as fields?"""
    (tmp_path / "packs").mkdir()
    (tmp_path / "packs" / "_config.yml").write_text(
        "title: T\nsource_language: en\nlanguages: [en]\n", encoding="utf-8"
    )
    assert main(["--root", str(tmp_path), "info", "nope", "--json"]) == 2
    import json

    data = json.loads(capsys.readouterr().out)
    assert data["code"] == "pack.unknown"
    assert "known packs: none" in data["error"]


def test_a_file_that_cannot_be_written_is_a_coded_error(tmp_path, capsys):
    """Is a report that cannot be written (its folder is a file) a coded error naming the file,
    not a traceback?"""
    (tmp_path / "packs").mkdir()
    (tmp_path / "packs" / "_config.yml").write_text(
        "title: T\nsource_language: en\nlanguages: [en]\n", encoding="utf-8"
    )
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("", encoding="utf-8")
    target = blocker / "report.html"
    assert main(["--root", str(tmp_path), "check", "--report", str(target)]) == 1
    err = capsys.readouterr().err
    assert err.startswith("learnpacks: io.error: ")
    assert str(blocker) in err


def test_info_on_an_unknown_pack_lists_the_real_packs():
    """Does `learnpacks info nope` in the repository list the shipped packs, not 'none'?"""
    result = subprocess.run(
        [sys.executable, "-m", "learnpacks", "--root", str(REPO), "info", "nope"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2
    assert result.stderr.startswith("learnpacks: pack.unknown: no pack 'nope'")
    assert "welcome-to-wikimedia" in result.stderr
    assert "none" not in result.stderr
    assert "Traceback" not in result.stderr


def test_a_widget_built_wrongly_says_its_code():
    """Does a practice question with no correct answer raise a ValueError whose message ends with
    the code `learnpacks check` gives the same mistake?"""
    from learnpacks.errors import WidgetError
    from learnpacks.widgets import MultipleChoice

    with pytest.raises(ValueError) as raised:
        MultipleChoice(id="q1", prompt="Which?", options=["a", "b"])
    assert isinstance(raised.value, WidgetError)
    assert raised.value.code == "exercise.no-correct-answer"
    assert str(raised.value).endswith("[exercise.no-correct-answer]")

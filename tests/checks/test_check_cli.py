"""The `learnpacks check`, `new`, `list` and `info` commands as an author runs them."""

from __future__ import annotations

import atexit
import gc
import json
import subprocess
import sys

from learnpacks.cli import main


def run(*args: str, cwd=None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "learnpacks", *args],
        capture_output=True,
        text=True,
        cwd=cwd,
        check=False,
    )


def test_broken_packs_exit_1_and_json_matches_text(fixture_catalog):
    """Does `check` exit 1 on broken packs, printing every problem, and does --json give the same findings?"""
    text = run("--root", str(fixture_catalog), "check")
    assert text.returncode == 1
    lines = [line for line in text.stdout.splitlines() if line.strip()]
    data = json.loads(run("--root", str(fixture_catalog), "check", "--json").stdout)
    assert data["ok"] is False
    assert len(lines) == len(data["problems"]) == data["errors"] + data["warnings"]
    for line, problem in zip(lines, data["problems"], strict=True):
        assert line.startswith(problem["path"])
        assert f"[{problem['code']}]" in line
    assert "Traceback" not in text.stderr


def test_unknown_pack_is_usage_error(fixture_catalog):
    """Does naming a pack that does not exist exit 2 with the known packs listed?"""
    result = run("--root", str(fixture_catalog), "check", "no-such-pack")
    assert result.returncode == 2
    assert "clean-pack" in result.stderr
    assert "Traceback" not in result.stderr


def test_no_project_is_usage_error(tmp_path):
    """Outside a learnpacks project, does `check` say so and exit 2?"""
    result = run("check", cwd=tmp_path)
    assert result.returncode == 2
    assert "packs/_config.yml" in result.stderr


def test_new_then_check_passes(project, capsys):
    """Does `learnpacks new demo-pack && learnpacks check demo-pack` pass?"""
    assert main(["--root", str(project), "new", "demo-pack"]) == 0
    assert (project / "packs" / "demo-pack" / "01-start.ipynb").is_file()
    assert main(["--root", str(project), "check", "demo-pack"]) == 0
    out = capsys.readouterr()
    assert "0 error(s), 0 warning(s)" in out.err


def test_new_refuses_to_overwrite(project, capsys):
    """Does `new` leave an existing pack untouched and exit 2?"""
    assert main(["--root", str(project), "new", "demo-pack"]) == 0
    nb = project / "packs" / "demo-pack" / "01-start.ipynb"
    nb.write_text(nb.read_text() + " ")
    before = nb.read_bytes()
    assert main(["--root", str(project), "new", "demo-pack"]) == 2
    assert nb.read_bytes() == before
    assert "already exists" in capsys.readouterr().err


def test_new_rejects_bad_id(project, capsys):
    """Is an invalid pack id refused with the rule it breaks?"""
    assert main(["--root", str(project), "new", "Bad_Id"]) == 2
    assert "lowercase letters, digits and dashes" in capsys.readouterr().err


def test_list_filters_and_json(fixture_catalog, capsys):
    """Does `list` filter by level and search text, and give JSON?"""
    assert main(["--root", str(fixture_catalog), "list", "--json", "--search", "clean"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert [p["id"] for p in data] == ["clean-pack"]
    assert main(["--root", str(fixture_catalog), "list", "--level", "advanced"]) == 0
    assert "no packs match" in capsys.readouterr().out


def test_info_shows_launch_links(fixture_catalog, capsys):
    """Does `info` show a pack with its Binder link to the notebook?"""
    assert main(["--root", str(fixture_catalog), "info", "clean-pack", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["pack"]["id"] == "clean-pack"
    url = data["launch"]["Binder"]["01-intro.ipynb"]
    assert url.startswith("https://mybinder.org/v2/gh/example/learnpacks/main?urlpath=")
    assert "packs%2Fclean-pack%2F01-intro.ipynb" in url


def test_every_command_has_help():
    """Does every subcommand answer --help?"""
    for command in ("new", "list", "info", "check", "book", "binder", "i18n", "export", "cohort"):
        result = run(command, "--help")
        assert result.returncode == 0, command
        assert "usage:" in result.stdout


def test_the_exit_handler_is_registered_once(fixture_catalog, capsys, monkeypatch):
    """Does running the CLI several times in one process leave one exit handler that freezes
    the objects left for the interpreter to free (not one per run)?"""
    handlers: list = []
    monkeypatch.setattr(atexit, "register", handlers.append)
    monkeypatch.setattr(
        atexit, "unregister", lambda f: handlers.remove(f) if f in handlers else None
    )
    for _ in range(3):
        assert main(["--root", str(fixture_catalog), "check", "clean-pack"]) == 0
    capsys.readouterr()
    assert handlers == [gc.freeze]

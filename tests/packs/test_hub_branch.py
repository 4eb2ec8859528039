"""The hub branch: `learnpacks hub publish` commits the translated notebooks, and a JupyterHub's
nbgitpuller link (as the site prints it) opens a notebook in the reader's language that can install
the exercises' package from the clone."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import polib
import pytest
from nbgitpuller.pull import GitPuller
from support import install_core_dependencies

from learnpacks.cli import main
from learnpacks.errors import UsageError
from learnpacks.launch.hubbranch import publish
from learnpacks.launch.links import launch_links
from learnpacks.packs.catalog import load_catalog

REPO = Path(__file__).resolve().parents[2]
PACK = "welcome-to-wikimedia"


def git(repo: Path, *args: str) -> str:
    return subprocess.run(
        ["git", "-C", str(repo), *args], capture_output=True, text=True, check=True
    ).stdout.strip()


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A git repository holding the shipped packs, their catalogs and the package, committed."""
    root = tmp_path / "learnpacks"
    for name in ("packs", "translations", "learnpacks"):
        shutil.copytree(REPO / name, root / name, ignore=shutil.ignore_patterns("__pycache__"))
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(REPO / name, root / name)
    git(tmp_path, "init", "-q", "-b", "main", str(root))
    git(root, "config", "user.name", "Test Author")
    git(root, "config", "user.email", "author@example.org")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "start")
    return root


def state(repo: Path) -> tuple[str, str, str, str]:
    """What a user has: the checked-out branch and commit, the index, the working tree's status."""
    return (
        git(repo, "symbolic-ref", "HEAD"),
        git(repo, "rev-parse", "HEAD"),
        git(repo, "ls-files", "--stage"),
        git(repo, "status", "--porcelain", "--untracked-files=all"),
    )


def test_publish_commits_every_language_and_the_package_to_the_branch(repo: Path) -> None:
    (repo / "packs" / "notes.txt").write_text("an author's uncommitted file", encoding="utf-8")
    before = state(repo)
    done = publish(repo, branch="notebooks")
    assert done.changed and done.languages == ["ar", "en", "es", "fr"]
    assert state(repo) == before  # the working tree, the index and HEAD are untouched
    files = set(git(repo, "ls-tree", "-r", "--name-only", "notebooks").splitlines())
    notebooks = load_catalog(repo).get(PACK).meta.notebooks
    for lang in ("ar", "es", "fr"):
        assert {f"{lang}/{PACK}/{nb}" for nb in notebooks} <= files
        assert f"{lang}/{PACK}/projects.csv" in files  # the data the notebooks read
    assert {"pyproject.toml", "README.md", "learnpacks/widgets/__init__.py"} <= files
    assert "packs/notes.txt" not in files and not any(f.startswith("packs/") for f in files)
    shown = json.loads(git(repo, "show", f"notebooks:ar/{PACK}/{notebooks[0]}"))
    assert shown["metadata"]["learnpacks"]["translation"]["language"] == "ar"
    assert "built from" in git(repo, "log", "-1", "--format=%s", "notebooks")


def test_publishing_again_commits_only_what_changed(repo: Path) -> None:
    first = publish(repo, branch="notebooks")
    again = publish(repo, branch="notebooks")
    assert not again.changed and again.commit == first.commit
    po_path = repo / "translations" / "fr" / f"{PACK}.po"
    po = polib.pofile(str(po_path))
    entry = next(e for e in po if e.msgstr and not e.obsolete)
    entry.msgstr = entry.msgstr + " (révisé)"
    po.save(str(po_path))
    third = publish(repo, branch="notebooks")
    assert third.changed
    # a child of the previous publication, so `git push origin notebooks` fast-forwards
    assert git(repo, "rev-parse", "notebooks^") == first.commit
    assert "uncommitted changes" in git(repo, "log", "-1", "--format=%s", "notebooks")


def test_publish_refuses_the_checked_out_branch_a_bad_name_and_no_repository(
    repo: Path, tmp_path: Path
) -> None:
    before = state(repo)
    with pytest.raises(UsageError, match="checked-out branch"):
        publish(repo, branch="main")
    with pytest.raises(UsageError, match="not a valid git branch name"):
        publish(repo, branch="bad..name")
    assert state(repo) == before
    plain = tmp_path / "plain"
    shutil.copytree(repo, plain, ignore=shutil.ignore_patterns(".git"))
    with pytest.raises(UsageError, match="not in a git repository"):
        publish(plain, branch="notebooks")


def test_cli_uses_the_configured_branch(repo: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--root", str(repo), "hub", "publish"]) == 0
    out = capsys.readouterr().out
    assert out.startswith("notebooks: committed") and "git push origin notebooks" in out
    assert main(["--root", str(repo), "hub", "publish", "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["changed"] is False


def pull_link(url: str, repo: Path, home: Path) -> Path:
    """Do what the hub does with an nbgitpuller link, with real nbgitpuller, cloning *repo* in
    place of the GitHub URL; returns the file the link then opens."""
    query = {k: v[0] for k, v in parse_qs(urlsplit(url).query).items()}
    for _line in GitPuller(
        str(repo), str(home / query["targetpath"]), branch=query["branch"]
    ).pull():
        pass
    return home / query["urlpath"].removeprefix("lab/tree/")


@pytest.mark.parametrize("lang", ["en", "fr", "ar"])
def test_hub_link_opens_the_notebook_in_the_page_language(
    repo: Path, tmp_path: Path, lang: str
) -> None:
    publish(repo, branch="notebooks")
    catalog = load_catalog(repo)
    pack = catalog.get(PACK)
    links = launch_links(catalog, pack, language=lang)["PAWS"]
    home = tmp_path / "home"
    for nb in pack.meta.notebooks:
        opened = pull_link(links[nb], repo, home)
        assert opened.is_file(), f"the {lang} link for {nb} opens nothing: {links[nb]}"
        meta = json.loads(opened.read_text(encoding="utf-8"))["metadata"]
        assert meta.get("learnpacks", {}).get("translation", {}).get("language", "en") == lang
        assert (opened.parent / "projects.csv").is_file()
        # the first code cell installs the package from ../.. : the clone's root
        project = (opened.parent / ".." / ".." / "pyproject.toml").read_text(encoding="utf-8")
        assert 'name = "learnpacks"' in project


@pytest.mark.slow
def test_first_cell_installs_the_package_where_the_hub_lacks_it(repo: Path, tmp_path: Path) -> None:
    """In a fresh Python environment without learnpacks (as on PAWS), does the first code cell of a
    pulled French notebook install it from the clone, so that the exercises import?"""
    publish(repo, branch="notebooks")
    catalog = load_catalog(repo)
    pack = catalog.get(PACK)
    url = launch_links(catalog, pack, language="fr")["PAWS"][pack.meta.notebooks[0]]
    opened = pull_link(url, repo, tmp_path / "home")
    cells = json.loads(opened.read_text(encoding="utf-8"))["cells"]
    first = "".join(next(c for c in cells if c["cell_type"] == "code")["source"])
    assert "Prépare ce dont les exercices ont besoin" in first  # the translated comment

    uv = Path(sys.executable).with_name("uv")
    kernel = tmp_path / "kernel"
    subprocess.run([uv, "venv", "-q", "--seed", "--python", sys.executable, kernel], check=True)
    python = kernel / "bin" / "python"
    # the hub's own packages (what the package needs) and a build backend; not learnpacks itself
    install_core_dependencies(python, "hatchling")
    missing = subprocess.run(
        [python, "-c", "import learnpacks"], cwd=opened.parent, capture_output=True, text=True
    )
    assert missing.returncode != 0 and "No module named 'learnpacks'" in missing.stderr

    # pip may not reach an index here: everything the install needs is already in the environment
    # (pip reads PIP_NO_BUILD_ISOLATION=0 as "--no-build-isolation", a known quirk of its env vars)
    env = {**os.environ, "PIP_NO_INDEX": "1", "PIP_NO_BUILD_ISOLATION": "0"}
    env.pop("PYTHONPATH", None)
    check = "\nfrom learnpacks.widgets import MultipleChoice, configure\nimport learnpacks\nprint(learnpacks.__file__)"
    ran = subprocess.run(
        [python, "-c", first + check], cwd=opened.parent, capture_output=True, text=True, env=env
    )
    assert ran.returncode == 0, ran.stderr
    installed = Path(ran.stdout.strip().splitlines()[-1])
    assert installed.is_relative_to(kernel), installed  # installed, not imported from the clone

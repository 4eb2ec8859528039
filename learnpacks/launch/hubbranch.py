"""``learnpacks hub publish``: the git branch a JupyterHub (PAWS) pulls translated notebooks from.

A hub gets notebooks with nbgitpuller, which clones a git branch. Source-language notebooks live
in ``packs/`` on the main branch; translated notebooks are build output and are never committed
there. This module commits them to a branch of their own (``launch.jupyterhub.notebooks_branch``),
laid out as the launch links expect (:func:`learnpacks.launch.links.launch_links`):

- ``<lang>/<pack>/…``: the output of ``learnpacks i18n build`` (notebooks, ``pack.yml``, data);
- ``pyproject.toml``, ``README.md`` and ``learnpacks/``: the package the exercises import. A hub
  such as PAWS does not have it; each notebook's first code cell installs it from ``../..``, which
  is this branch's root (and the repository root on the main branch, from ``packs/<pack>/``).

The commit is made with git plumbing (a temporary index, ``write-tree``, ``commit-tree``,
``update-ref``): the working tree, the real index and the checked-out branch are never touched, and
each publication is a child of the previous one, so ``git push origin <branch>`` fast-forwards. An
unchanged tree makes no commit.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from learnpacks.errors import UsageError

#: Files of the repository the branch carries besides the notebooks, so ``pip install ../..`` works.
PACKAGE_PATHS = ("pyproject.toml", "README.md", "learnpacks")
#: Who signs the commit when git has no identity configured (as in a fresh CI runner).
_FALLBACK_IDENTITY = {
    "GIT_AUTHOR_NAME": "learnpacks",
    "GIT_AUTHOR_EMAIL": "learnpacks@localhost",
    "GIT_COMMITTER_NAME": "learnpacks",
    "GIT_COMMITTER_EMAIL": "learnpacks@localhost",
}


@dataclass(frozen=True)
class Publication:
    branch: str
    commit: str
    changed: bool
    source: str
    languages: list[str]


def _git(
    root: Path, *args: str, env: Mapping[str, str] | None = None, check: bool = True
) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(
        ["git", "-C", str(root), *args],
        capture_output=True,
        text=True,
        env={**os.environ, **env} if env else None,
        check=False,
    )
    if check and result.returncode != 0:
        raise UsageError(
            f"git {' '.join(args)} failed in {root}: {result.stderr.strip()}", code="hub.git-failed"
        )
    return result


def _top_level(root: Path) -> Path:
    if shutil.which("git") is None:
        raise UsageError(
            "git is not installed: publishing the hub branch needs it", code="hub.git-missing"
        )
    found = _git(root, "rev-parse", "--show-toplevel", check=False)
    if found.returncode != 0:
        raise UsageError(
            f"{root} is not in a git repository: the hub branch is a branch of one",
            code="hub.not-a-repository",
        )
    return Path(found.stdout.strip())


def _check_branch_name(root: Path, branch: str) -> None:
    if _git(root, "check-ref-format", "--branch", branch, check=False).returncode != 0:
        raise UsageError(f"{branch!r} is not a valid git branch name", code="hub.invalid-branch")
    head = _git(root, "symbolic-ref", "-q", "HEAD", check=False).stdout.strip()
    if head == f"refs/heads/{branch}":
        raise UsageError(
            f"{branch!r} is the checked-out branch: the hub branch must be another one "
            "(launch.jupyterhub.notebooks_branch in packs/_config.yml)",
            code="hub.checked-out-branch",
        )


def _identity(root: Path) -> dict[str, str]:
    """Git's own identity when one is configured, else a fallback, never both."""
    configured = _git(root, "var", "GIT_COMMITTER_IDENT", check=False).returncode == 0
    return {} if configured else _FALLBACK_IDENTITY


def _copy_package(top: Path, stage: Path) -> None:
    """Copy the tracked files of the package (as they are in the working tree) into *stage*."""
    listed = _git(top, "ls-files", "-z", "--", *PACKAGE_PATHS).stdout.split("\0")
    for rel in filter(None, listed):
        source = top / rel
        if source.is_symlink() or not source.is_file():
            continue  # deleted in the working tree, or a link: never followed
        target = stage / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)


def _source_description(top: Path) -> str:
    head = _git(top, "rev-parse", "--short", "HEAD", check=False).stdout.strip() or "no commit"
    dirty = _git(top, "status", "--porcelain", "--", "packs", "translations", *PACKAGE_PATHS)
    return f"{head}{' with uncommitted changes' if dirty.stdout.strip() else ''}"


def publish(root: Path, *, branch: str) -> Publication:
    """Build every published language of the project at *root* and commit it to *branch*."""
    from learnpacks.i18n.build import KEPT_FILE, build

    top = _top_level(root)
    _check_branch_name(top, branch)
    with tempfile.TemporaryDirectory(prefix="learnpacks-hub-") as tmp:
        stage = Path(tmp) / "tree"
        result = build(root=root, out_dir=stage)
        (stage / KEPT_FILE).unlink(missing_ok=True)  # this machine's file times, not content
        errors = [p for p in result.problems if p.severity == "error"]
        if errors:
            raise UsageError(
                "the translated notebooks could not be built; nothing was published",
                errors,
                code="hub.build-failed",
            )
        _copy_package(top, stage)
        index = {"GIT_INDEX_FILE": str(Path(tmp) / "index")}
        _git(top, f"--work-tree={stage}", "add", "--all", "--force", ".", env=index)
        tree = _git(top, "write-tree", env=index).stdout.strip()
    ref = f"refs/heads/{branch}"
    parent = _git(top, "rev-parse", "-q", "--verify", f"{ref}^{{commit}}", check=False)
    parent_commit = parent.stdout.strip() if parent.returncode == 0 else ""
    source = _source_description(top)
    languages = sorted({item.language for item in result.items if item.written})
    if parent_commit:
        parent_tree = _git(top, "rev-parse", f"{parent_commit}^{{tree}}").stdout.strip()
        if parent_tree == tree:
            return Publication(branch, parent_commit, False, source, languages)
    message = (
        f"Translated notebooks for the hub, built from {source}\n\n"
        f"Languages: {', '.join(languages)}. Written by `learnpacks hub publish`; "
        "do not edit: every publication replaces the tree."
    )
    args = ["commit-tree", tree, "-m", message]
    if parent_commit:
        args += ["-p", parent_commit]
    commit = _git(top, *args, env=_identity(top)).stdout.strip()
    _git(top, "update-ref", "-m", "learnpacks hub publish", ref, commit, parent_commit)
    return Publication(branch, commit, True, source, languages)

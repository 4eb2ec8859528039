"""``cohort collect``: hand-ins from zips, folders or an LMS bulk download into ``submitted/``.

Sources are only read, never changed. Every archive member is checked before a byte of it is
written (THREATS 1-3, 11, 16-19): a regular file (no links, devices), a relative path without
``..``, within the size limits (declared *and* actual, against zip bombs), and for notebooks
valid nbformat. A learner's files are filed as ``submitted/<learner>/<assignment>/`` with a
``timestamp.txt`` nbgrader reads; what was rejected is reported with the reason and kept in
``.learnpacks/collect.json`` so grading flags that learner for a human.
"""

from __future__ import annotations

import io
import json
import re
import shutil
import stat
import zipfile
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path, PurePosixPath
from typing import Any

from learnpacks.grading.cohort import STUDENT_RE, Cohort
from learnpacks.grading.handin import ANSWERS_FILE, MANIFEST
from learnpacks.grading.run import Rejected, read_submission

MAX_DEPTH = 3
COLLECT_LOG = "collect.json"


@dataclass
class Rejection:
    source: str
    member: str
    code: str
    reason: str
    learner: str = ""

    def to_dict(self) -> dict[str, str]:
        return self.__dict__.copy()


@dataclass
class Handin:
    """One learner's files as found in one source (not yet written)."""

    learner: str
    source: str
    files: dict[str, bytes] = field(default_factory=dict)
    created: str | None = None


@dataclass
class CollectReport:
    accepted: dict[str, list[str]] = field(default_factory=dict)
    rejected: list[Rejection] = field(default_factory=list)
    ignored: list[Rejection] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "accepted": self.accepted,
            "rejected": [r.to_dict() for r in self.rejected],
            "ignored": [r.to_dict() for r in self.ignored],
        }


LMS_SUFFIXES = ("_assignsubmission_file_", "_assignsubmission_file", "_onlinetext_")


def _learner_from_name(name: str, assignment: str) -> str | None:
    """The learner id a file or folder name gives, or None.

    ``ada--<assignment>.zip`` -> ``ada``, also behind an LMS prefix (Canvas
    ``adalovelace_123_456_ada--x.zip``, Moodle ``Ada L_123_assignsubmission_file_/ada--x.zip``);
    a folder without ``--`` (an LMS folder of raw notebooks, ``Ada Lovelace_123_assignsubmission_file_``)
    gives its name made safe (``Ada-Lovelace_123``).
    """
    stem = name[:-4] if name.lower().endswith(".zip") else name
    if "--" in stem:
        candidate = stem.split("--", 1)[0].strip()
        if "_" in candidate:
            candidate = candidate.rsplit("_", 1)[-1]
        return candidate if STUDENT_RE.match(candidate) else None
    for suffix in LMS_SUFFIXES:
        stem = stem.removesuffix(suffix)
    candidate = re.sub(r"[^A-Za-z0-9._-]+", "-", stem.strip()).strip("-._")[:64]
    return candidate if STUDENT_RE.match(candidate) else None


def _member_problem(info: zipfile.ZipInfo) -> tuple[str, str] | None:
    name = info.filename.replace("\\", "/")
    path = PurePosixPath(name)
    if not path.parts or path.is_absolute() or ":" in path.parts[0]:
        return "collect.unsafe-path", "absolute path"
    if ".." in path.parts:
        return "collect.unsafe-path", "path with '..'"
    mode = info.external_attr >> 16
    if mode and stat.S_IFMT(mode) not in (0, stat.S_IFREG, stat.S_IFDIR):
        kind = "symbolic link" if stat.S_ISLNK(mode) else "special file"
        return "collect.link", f"{kind} in archive"
    return None


class Collector:
    """Gathers hand-ins for *cohort* from sources; :meth:`write` files them."""

    def __init__(self, cohort: Cohort) -> None:
        self.cohort = cohort
        self.limits = cohort.limits
        self.wanted = set(cohort.notebooks)
        self.report = CollectReport()
        self.handins: dict[str, Handin] = {}

    # --- reading ---------------------------------------------------------------------------
    def add_source(self, path: Path) -> None:
        if path.is_symlink():
            self._reject(str(path), "", "collect.link", "the source is a symbolic link")
        elif path.is_dir():
            self._add_folder(path)
        elif path.is_file() and path.suffix.lower() == ".zip":
            size = path.stat().st_size
            if size > self.limits.archive_bytes:
                self._reject(
                    str(path),
                    "",
                    "collect.too-large",
                    f"{size} bytes, over {self.limits.archive_bytes}",
                )
                return
            self._add_zip(path.read_bytes(), str(path), path.name, depth=0)
        elif path.is_file():
            self._reject(str(path), "", "collect.unknown-source", "not a .zip and not a folder")
        else:
            self._reject(str(path), "", "collect.missing", "no such file or folder")

    def _add_folder(self, folder: Path) -> None:
        notebooks = [p for p in folder.iterdir() if p.name in self.wanted]
        if notebooks:
            learner = _learner_from_name(folder.name, self.cohort.assignment)
            if learner is None:
                self._reject(
                    str(folder),
                    "",
                    "collect.bad-learner-id",
                    f"cannot tell the learner from the folder name {folder.name!r}",
                )
                return
            files = {}
            for p in sorted(folder.iterdir()):
                if p.is_symlink():
                    self._reject(str(folder), p.name, "collect.link", "symbolic link", learner)
                elif p.is_file():
                    files[p.name] = p.read_bytes()[: self.limits.submission_bytes + 1]
            self._offer(Handin(learner, str(folder), files), str(folder))
            return
        for child in sorted(folder.iterdir()):
            if child.is_dir() or child.suffix.lower() == ".zip" or child.is_symlink():
                self.add_source(child)

    def _add_zip(self, data: bytes, source: str, name: str, *, depth: int) -> None:
        if depth > MAX_DEPTH:
            self._reject(source, name, "collect.too-deep", "archives nested too deeply")
            return
        try:
            zf = zipfile.ZipFile(io.BytesIO(data))
            infos = zf.infolist()
        except (zipfile.BadZipFile, OSError, ValueError) as exc:
            self._reject(source, name, "collect.bad-archive", f"not a readable zip ({exc})")
            return
        declared = sum(i.file_size for i in infos)
        if declared > self.limits.archive_bytes:
            self._reject(
                source,
                name,
                "collect.too-large",
                f"{declared} bytes unpacked, over {self.limits.archive_bytes}",
            )
            return
        manifests: dict[str, dict[str, Any]] = {}
        groups: dict[str, dict[str, bytes]] = {}
        learner_hint = _learner_from_name(PurePosixPath(name).name, self.cohort.assignment)
        for info in infos:
            if info.is_dir():
                continue
            problem = _member_problem(info)
            if problem:
                self._reject(source, info.filename, *problem, learner_hint or "")
                continue
            member = PurePosixPath(info.filename.replace("\\", "/"))
            base, folder = member.name, member.parent.as_posix()
            if info.file_size > self.limits.submission_bytes:
                self._reject(
                    source,
                    info.filename,
                    "collect.too-large",
                    f"{info.file_size} bytes, over {self.limits.submission_bytes}",
                    learner_hint or "",
                )
                continue
            with zf.open(info) as handle:
                content = handle.read(self.limits.submission_bytes + 1)
            if base.lower().endswith(".zip"):
                self._add_zip(content, f"{source}!{info.filename}", base, depth=depth + 1)
            elif base == MANIFEST:
                try:
                    manifests[folder] = dict(json.loads(content))
                except (ValueError, TypeError):
                    manifests[folder] = {}
            elif base in self.wanted or base == ANSWERS_FILE:
                groups.setdefault(folder, {})[base] = content
            else:
                self.report.ignored.append(
                    Rejection(
                        source,
                        info.filename,
                        "collect.extra-file",
                        "not part of the assignment; ignored",
                    )
                )
        for folder, files in groups.items():
            manifest = manifests.get(folder, {})
            # one learner per zip, unless it holds several folders of work (an LMS download)
            learner = learner_hint if len(groups) == 1 else None
            if learner is None and folder != ".":
                learner = _learner_from_name(PurePosixPath(folder).name, self.cohort.assignment)
            if learner is None and isinstance(manifest.get("learner"), str):
                learner = manifest["learner"] if STUDENT_RE.match(manifest["learner"]) else None
            if learner is None:
                self._reject(
                    source,
                    f"{folder}/" if folder != "." else name,
                    "collect.bad-learner-id",
                    f"cannot tell the learner from {name!r}; name hand-ins "
                    "<learner>--<assignment>.zip",
                )
                continue
            created = manifest.get("created")
            created = created if isinstance(created, str) else None
            self._offer(Handin(learner, source, files, created), source)

    def _offer(self, handin: Handin, source: str) -> None:
        for name, content in list(handin.files.items()):
            if len(content) > self.limits.submission_bytes:
                self._reject(
                    source,
                    name,
                    "collect.too-large",
                    f"over {self.limits.submission_bytes} bytes",
                    handin.learner,
                )
                del handin.files[name]
            elif name.endswith(".ipynb"):
                try:
                    read_submission(content, self.limits)
                except Rejected as exc:
                    self._reject(source, name, exc.code, exc.message, handin.learner)
                    del handin.files[name]
            elif name == ANSWERS_FILE:
                try:
                    json.loads(content)
                except ValueError:
                    self._reject(
                        source,
                        name,
                        "collect.bad-answers",
                        "answers file is not JSON",
                        handin.learner,
                    )
                    del handin.files[name]
        previous = self.handins.get(handin.learner)
        if previous is not None:
            self.report.ignored.append(
                Rejection(
                    source,
                    "",
                    "collect.duplicate-learner",
                    f"{handin.learner!r} also handed in {previous.source}; the later file wins",
                    handin.learner,
                )
            )
            previous.files.update(handin.files)
            previous.source = source
        else:
            self.handins[handin.learner] = handin

    def _reject(self, source: str, member: str, code: str, reason: str, learner: str = "") -> None:
        self.report.rejected.append(Rejection(source, member, code, reason, learner))

    # --- writing ---------------------------------------------------------------------------
    def write(self) -> CollectReport:
        """File every accepted hand-in into ``submitted/`` and log what happened."""
        for learner, handin in sorted(self.handins.items()):
            if not any(n.endswith(".ipynb") for n in handin.files):
                continue
            dest = self.cohort.path("submitted", learner)
            if dest.exists():
                shutil.rmtree(dest)
            dest.mkdir(parents=True)
            for name, content in handin.files.items():
                (dest / name).write_bytes(content)
            stamp = handin.created or datetime.now(UTC).isoformat(timespec="seconds")
            (dest / "timestamp.txt").write_text(_nbgrader_time(stamp))
            self.report.accepted[learner] = sorted(handin.files)
        self._log()
        return self.report

    def _log(self) -> None:
        path = self.cohort.state / COLLECT_LOG
        try:
            old = json.loads(path.read_text()) if path.exists() else {}
        except ValueError:
            old = {}
        rejected: dict[str, list[dict[str, str]]] = old.get("rejected_by_learner", {})
        for learner in self.report.accepted:
            rejected.pop(learner, None)
        for r in self.report.rejected:
            if r.learner:
                rejected.setdefault(r.learner, []).append(r.to_dict())
        old["rejected_by_learner"] = rejected
        old.setdefault("runs", []).append(
            {
                "time": datetime.now(UTC).isoformat(timespec="seconds"),
                **self.report.to_dict(),
            }
        )
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(old, indent=1, ensure_ascii=False) + "\n")


def _nbgrader_time(iso: str) -> str:
    try:
        moment = datetime.fromisoformat(iso)
    except ValueError:
        moment = datetime.now(UTC)
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f %Z")


def collect(cohort: Cohort, sources: list[Path]) -> CollectReport:
    """Collect hand-ins from *sources* into *cohort*; see the module docstring."""
    collector = Collector(cohort)
    for source in sources:
        collector.add_source(source)
    return collector.write()


def rejected_at_collect(cohort: Cohort) -> dict[str, list[dict[str, str]]]:
    """Learners whose hand-in (or part of it) was rejected by the latest collects."""
    path = cohort.state / COLLECT_LOG
    try:
        return dict(json.loads(path.read_text()).get("rejected_by_learner", {}))
    except (OSError, ValueError):
        return {}

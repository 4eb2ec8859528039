"""``cohort collect``: hand-ins from zips, folders or an LMS bulk download into ``submitted/``.

Sources are only read, never changed. Every archive member is checked before a byte of it is
written (THREATS 1-3, 11, 16-19): a regular file (no links, devices), a relative path without
``..``, within the size limits (declared *and* actual, against zip bombs), and for notebooks
valid nbformat. What was rejected is reported with a code and kept in
``.learnpacks/collect.json`` so grading and the report flag that learner for a human.

**Each hand-in stands alone** (THREATS 59, 61): a corrupt archive (bad CRC, truncated), one that
unpacks to more than the per-learner budget (bytes and members, nested archives included), or
nests archives too deeply is rejected for that learner only; the others are filed.

**Identity and time come from the facilitator's side** (THREATS 60), never from the hand-in
(the identity rules: :mod:`learnpacks.grading.identity`):

* the learner is ``--as NAME``; else the roster's entry for the LMS folder the hand-in came in;
  else the name of the file or folder the facilitator collected (``ada--pack.zip``, ``ada/``);
  inside an LMS bulk download without a roster, the learner's own id (inner file name) is
  bound to that LMS folder, and a second LMS folder claiming the same id is a conflict;
* what the hand-in says about itself (an inner file name, the manifest's ``learner``) is checked
  against that: a mismatch is a ``collect.identity-conflict`` — nothing is filed for it, no one
  else's work is replaced, and ``collect`` exits 1;
* two hand-ins for one learner in one run are both held back (``collect.duplicate-learner``);
* the hand-in time written for nbgrader (``timestamp.txt``, late penalties) is the LMS's own
  submission time where its download records one (Blackboard's attempt stamp, see
  :mod:`learnpacks.grading.lms`), else the time of this collection; never the manifest's
  ``created``.

A learner's files are filed as ``submitted/<learner>/<assignment>/`` (written beside, then
moved into place, so a crash never leaves half a hand-in).
"""

from __future__ import annotations

import contextlib
import io
import json
import shutil
import stat
import zipfile
import zlib
from dataclasses import dataclass, field
from datetime import UTC, datetime, tzinfo
from pathlib import Path, PurePosixPath
from typing import Any

from learnpacks.grading.cohort import STUDENT_RE, Cohort
from learnpacks.grading.handin import ANSWERS_FILE, MANIFEST
from learnpacks.grading.identity import Identities, Origin, Unidentified, learner_from_name
from learnpacks.grading.lms import (
    MAX_NOTES_BYTES,
    Layout,
    blackboard_attempt,
    blackboard_layout,
    is_moodle_folder,
)
from learnpacks.grading.run import Rejected, read_submission

#: archives inside archives: a bulk download (0) holding a learner's zip (1) holding one more
MAX_DEPTH = 2
#: archive members one learner's hand-in may hold, nested archives included
MAX_MEMBERS = 1000
COLLECT_LOG = "collect.json"
MAX_MANIFEST_BYTES = 64 * 1024
#: what reading a damaged archive raises (bad CRC, truncated data, unsupported or encrypted)
ARCHIVE_ERRORS = (
    zipfile.BadZipFile,
    zlib.error,
    OSError,
    EOFError,
    RuntimeError,
    NotImplementedError,
    ValueError,
)


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
    lms: str | None = None
    time: datetime | None = None


@dataclass
class CollectReport:
    accepted: dict[str, list[str]] = field(default_factory=dict)
    rejected: list[Rejection] = field(default_factory=list)
    ignored: list[Rejection] = field(default_factory=list)
    #: per accepted learner: the hand-in time filed (ISO 8601) and where it came from
    #: (``"lms"``: the LMS's download; ``"collect"``: this collection)
    times: dict[str, dict[str, str]] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {
            "accepted": self.accepted,
            "rejected": [r.to_dict() for r in self.rejected],
            "ignored": [r.to_dict() for r in self.ignored],
            "times": self.times,
        }


def _blackboard_notes(zf: zipfile.ZipFile, infos: list[zipfile.ZipInfo]) -> dict[str, bytes]:
    """The LMS's notes among *infos* (flat ``.txt`` members, read up to a small size)."""
    notes = {}
    for info in infos:
        if info.filename.endswith(".txt") and "/" not in info.filename:
            try:
                with zf.open(info) as handle:
                    notes[info.filename] = handle.read(MAX_NOTES_BYTES)
            except ARCHIVE_ERRORS:
                continue  # a broken member is reported where it is read as a hand-in
    return notes


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


@dataclass
class _Pending:
    """A hand-in found in an archive, offered once its learner's whole archive was read."""

    key: str
    args: tuple[str, dict[str, bytes], Origin, list[str], dict[str, Any]]


class _Spoiled(Exception):
    """This learner's archive cannot be trusted as a whole (already reported)."""


@dataclass
class _Budget:
    bytes_left: int
    members_left: int


class Collector:
    """Gathers hand-ins for *cohort* from sources; :meth:`write` files them.

    *as_learner*: every source is this learner's (the facilitator says so). *lms_zone*: the
    time zone of the LMS's own times (None: this machine's).
    """

    def __init__(
        self, cohort: Cohort, *, as_learner: str | None = None, lms_zone: tzinfo | None = None
    ) -> None:
        self.cohort = cohort
        self.limits = cohort.limits
        self.wanted = set(cohort.notebooks)
        self.report = CollectReport()
        self.found: dict[str, list[Handin]] = {}
        self.budgets: dict[str, _Budget] = {}
        self.identities = Identities(
            cohort,
            as_learner=as_learner,
            lms_zone=lms_zone,
            bindings=_read_log(cohort).get("lms_identities", {}),
        )
        self.now = datetime.now(UTC).replace(microsecond=0)
        self.time = self.now.isoformat(timespec="seconds")

    # --- reading ---------------------------------------------------------------------------
    def add_source(self, path: Path) -> None:
        if path.is_symlink():
            self._reject(str(path), "", "collect.link", "the source is a symbolic link")
        elif path.is_dir():
            self._add_folder(path)
        elif path.is_file() and path.suffix.lower() == ".zip":
            origin = self.identities.origin_of(path.name)
            size = path.stat().st_size
            if size > self.limits.archive_bytes:
                self._reject(
                    str(path),
                    "",
                    "collect.too-large",
                    f"{size} bytes, over {self.limits.archive_bytes}",
                    origin.label,
                )
                return
            with contextlib.suppress(_Spoiled):
                for offer in self._add_zip(
                    path.read_bytes(), str(path), path.name, origin, depth=0
                ):
                    self._offer(*offer.args)
        elif path.is_file():
            self._reject(str(path), "", "collect.unknown-source", "not a .zip and not a folder")
        else:
            self._reject(str(path), "", "collect.missing", "no such file or folder")

    def _add_folder(self, folder: Path) -> None:
        if not any(p.name in self.wanted for p in folder.iterdir()):
            for child in sorted(folder.iterdir()):
                if child.is_dir() or child.suffix.lower() == ".zip" or child.is_symlink():
                    self.add_source(child)
            return
        origin = self.identities.origin_of(folder.name)
        if is_moodle_folder(folder.name) and not self.identities.as_learner:
            origin = self.identities.lms_origin(folder.name)
        files: dict[str, bytes] = {}
        for p in sorted(folder.iterdir()):
            if p.is_symlink():
                self._reject(str(folder), p.name, "collect.link", "symbolic link", origin.label)
            elif not p.is_file():
                continue
            elif p.name in self.wanted or p.name == ANSWERS_FILE:
                with p.open("rb") as handle:
                    files[p.name] = handle.read(self.limits.submission_bytes + 1)
            elif p.name != MANIFEST:
                self._ignore(str(folder), p.name)
        manifest = {}
        path = folder / MANIFEST
        if path.is_file() and not path.is_symlink():
            with path.open("rb") as handle:
                manifest = self._manifest(handle.read(MAX_MANIFEST_BYTES))
        self._offer(str(folder), files, origin, self._claims(manifest), manifest)

    def _budget(self, origin: Origin) -> _Budget:
        return self.budgets.setdefault(
            origin.budget_key, _Budget(self.limits.archive_bytes, MAX_MEMBERS)
        )

    def _add_zip(
        self, data: bytes, source: str, name: str, origin: Origin, *, depth: int
    ) -> list[_Pending]:
        """Read one archive: the hand-ins in it, offered by the caller once the whole learner's
        archive was read. Raises :class:`_Spoiled` if this learner's archive is unusable."""
        who = origin.label
        if depth > MAX_DEPTH:
            self._reject(source, name, "collect.too-deep", "archives nested too deeply", who)
            raise _Spoiled
        try:
            zf = zipfile.ZipFile(io.BytesIO(data))
            infos = zf.infolist()
        except ARCHIVE_ERRORS as exc:
            self._reject(source, name, "collect.bad-archive", f"not a readable zip ({exc})", who)
            raise _Spoiled from None
        declared = sum(i.file_size for i in infos)
        if declared > self.limits.archive_bytes:
            self._reject(
                source,
                name,
                "collect.too-large",
                f"{declared} bytes unpacked, over {self.limits.archive_bytes}",
                who,
            )
            raise _Spoiled
        layout = None
        if depth == 0 and not self.identities.as_learner:
            safe = [i for i in infos if not i.is_dir() and _member_problem(i) is None]
            layout = blackboard_layout(
                name, [i.filename for i in safe], _blackboard_notes(zf, safe)
            )
            if layout is not None:
                self.identities.blackboard_users.update(layout.users)
        bulk = layout is not None or (
            depth == 0 and not self.identities.as_learner and self._is_bulk(infos)
        )
        if not bulk:
            self._charge(origin, len(infos), declared, source, name)
        groups: dict[str, dict[str, bytes]] = {}
        manifests: dict[str, dict[str, Any]] = {}
        spoiled: set[str] = set()
        pending: list[_Pending] = []
        for info in infos:
            if info.is_dir():
                continue
            member = PurePosixPath(info.filename.replace("\\", "/"))
            if layout is not None and _member_problem(info) is None:
                if (moved := self._blackboard_member(layout, info, source)) is None:
                    continue
                member = moved
            folder = member.parent.as_posix()
            here = self.identities.lms_origin(member.parts[0]) if bulk and folder != "." else origin
            if here.budget_key in spoiled:
                continue
            try:
                self._member(
                    zf, info, member, source, here, depth, groups, manifests, bulk, pending
                )
            except _Spoiled:
                if not bulk:
                    raise
                spoiled.add(here.budget_key)
        for folder, files in groups.items():
            here = (
                self.identities.lms_origin(PurePosixPath(folder).parts[0])
                if bulk and folder != "."
                else origin
            )
            manifest = manifests.get(folder, {})
            claims = self._claims(manifest)
            if depth > 0 or not here.lms:
                claims += [c for c in [learner_from_name(name)] if c and "--" in name]
            where = f"{source}!{folder}" if folder != "." else source
            pending.append(_Pending(here.budget_key, (where, files, here, claims, manifest)))
        return [p for p in pending if p.key not in spoiled]

    def _blackboard_member(
        self, layout: Layout, info: zipfile.ZipInfo, source: str
    ) -> PurePosixPath | None:
        """Where a member of a Blackboard download stands (``<attempt>/<file>``), or None for
        one that is not read: the LMS's notes, an earlier attempt, a file of no attempt."""
        moved = layout.paths.get(info.filename)
        if moved is not None:
            return moved
        if info.filename in layout.earlier:
            self._ignore(source, info.filename, "an earlier attempt; the latest one is filed")
        elif blackboard_attempt(info.filename) is None:
            self._ignore(source, info.filename)
        return None

    def _is_bulk(self, infos: list[zipfile.ZipInfo]) -> bool:
        """An LMS bulk download: members in LMS folders, or in several top-level folders."""
        paths = [
            PurePosixPath(i.filename.replace("\\", "/"))
            for i in infos
            if _member_problem(i) is None  # unsafe members are rejected, never a learner folder
        ]
        tops = {p.parts[0] for p in paths if len(p.parts) > 1}
        return any(is_moodle_folder(t) for t in tops) or len(tops) > 1

    def _charge(self, origin: Origin, members: int, size: int, source: str, name: str) -> None:
        budget = self._budget(origin)
        if members > budget.members_left:
            self._reject(
                source,
                name,
                "collect.too-many-members",
                f"over {MAX_MEMBERS} archive members for one learner, nested archives included",
                origin.label,
            )
            raise _Spoiled
        if size > budget.bytes_left:
            self._reject(
                source,
                name,
                "collect.too-large",
                f"unpacks to more than {self.limits.archive_bytes} bytes for one learner, "
                "nested archives included",
                origin.label,
            )
            raise _Spoiled
        budget.members_left -= members
        budget.bytes_left -= size

    def _member(
        self,
        zf: zipfile.ZipFile,
        info: zipfile.ZipInfo,
        member: PurePosixPath,
        source: str,
        origin: Origin,
        depth: int,
        groups: dict[str, dict[str, bytes]],
        manifests: dict[str, dict[str, Any]],
        bulk: bool,
        pending: list[_Pending],
    ) -> None:
        who = origin.label
        problem = _member_problem(info)
        if problem:
            self._reject(source, info.filename, *problem, who)
            return
        base, folder = member.name, member.parent.as_posix()
        nested = base.lower().endswith(".zip")
        if not (nested or base in (MANIFEST, ANSWERS_FILE) or base in self.wanted):
            self._ignore(source, info.filename)
            return
        limit = self.limits.archive_bytes if nested else self.limits.submission_bytes
        if info.file_size > limit:
            self._reject(
                source,
                info.filename,
                "collect.too-large",
                f"{info.file_size} bytes, over {limit}",
                who,
            )
            return
        if bulk:
            self._charge(origin, 1, info.file_size, source, info.filename)
        try:
            with zf.open(info) as handle:
                content = handle.read(limit + 1)
        except ARCHIVE_ERRORS as exc:
            self._reject(
                source, info.filename, "collect.bad-archive", f"damaged archive member ({exc})", who
            )
            raise _Spoiled from None
        if nested:
            pending.extend(
                self._add_zip(content, f"{source}!{info.filename}", base, origin, depth=depth + 1)
            )
        elif base == MANIFEST:
            manifests[folder] = self._manifest(content)
        else:
            groups.setdefault(folder, {})[base] = content

    @staticmethod
    def _manifest(content: bytes) -> dict[str, Any]:
        try:
            data = json.loads(content)
        except ValueError:
            return {}
        return data if isinstance(data, dict) else {}

    @staticmethod
    def _claims(manifest: dict[str, Any]) -> list[str]:
        claimed = manifest.get("learner")
        return [claimed] if isinstance(claimed, str) and claimed else []

    def _offer(
        self,
        source: str,
        files: dict[str, bytes],
        origin: Origin,
        claims: list[str],
        manifest: dict[str, Any],
    ) -> None:
        learner = self.identities.identify(origin, claims)
        if isinstance(learner, Unidentified):
            self._reject(source, "", learner.code, learner.reason, learner.learner)
            return
        assignment = manifest.get("assignment")
        if isinstance(assignment, str) and assignment != self.cohort.assignment:
            self._reject(
                source,
                MANIFEST,
                "collect.wrong-assignment",
                f"a hand-in for {assignment!r}, not {self.cohort.assignment!r}",
                learner,
            )
            return
        if self.identities.roster_ids and learner not in self.identities.roster_ids:
            self._reject(
                source, "", "collect.not-on-roster", f"{learner!r} is not in roster.csv", learner
            )
            return
        for name, content in list(files.items()):
            problem = self._file_problem(name, content)
            if problem is not None:
                self._reject(source, name, *problem, learner)
                del files[name]
        handin = Handin(learner, source, files, origin.lms, origin.time)
        self.found.setdefault(learner, []).append(handin)

    def _file_problem(self, name: str, content: bytes) -> tuple[str, str] | None:
        if len(content) > self.limits.submission_bytes:
            return "collect.too-large", f"over {self.limits.submission_bytes} bytes"
        if name.endswith(".ipynb"):
            try:
                read_submission(content, self.limits)
            except Rejected as exc:
                return exc.code, exc.message
        elif name == ANSWERS_FILE:
            try:
                json.loads(content)
            except ValueError:
                return "collect.bad-answers", "answers file is not JSON"
        return None

    def _reject(self, source: str, member: str, code: str, reason: str, learner: str = "") -> None:
        self.report.rejected.append(Rejection(source, member, code, reason, learner))

    def _ignore(
        self, source: str, member: str, reason: str = "not part of the assignment; ignored"
    ) -> None:
        self.report.ignored.append(Rejection(source, member, "collect.extra-file", reason))

    # --- writing ---------------------------------------------------------------------------
    def _settle(self) -> dict[str, Handin]:
        """One hand-in per learner; a learner found twice in this run gets neither."""
        chosen = {}
        for learner, handins in sorted(self.found.items()):
            if len(handins) > 1:
                where = ", ".join(h.source for h in handins)
                lms = {h.lms for h in handins}
                code = "collect.identity-conflict" if len(lms) > 1 else "collect.duplicate-learner"
                for h in handins:
                    self._reject(
                        h.source,
                        "",
                        code,
                        f"{learner!r} was handed in more than once in this collect ({where}); "
                        "nothing was filed for them: collect the right one alone",
                        learner,
                    )
                continue
            chosen[learner] = handins[0]
        return chosen

    def write(self) -> CollectReport:
        """File every accepted hand-in into ``submitted/`` and log what happened."""
        for learner, handin in self._settle().items():
            if not any(n.endswith(".ipynb") for n in handin.files):
                continue
            dest = self.cohort.path("submitted", learner)
            dest.parent.mkdir(parents=True, exist_ok=True)
            tmp = dest.with_name(f".{dest.name}.collecting")
            shutil.rmtree(tmp, ignore_errors=True)
            tmp.mkdir()
            for name, content in handin.files.items():
                (tmp / name).write_bytes(content)
            when, said_by = self._handin_time(handin)
            (tmp / "timestamp.txt").write_text(_nbgrader_time(when))
            if dest.exists():
                shutil.rmtree(dest)
            tmp.rename(dest)
            if handin.lms:
                self.identities.bind(learner, handin.lms)
            self.report.accepted[learner] = sorted(handin.files)
            self.report.times[learner] = {"time": when, "from": said_by}
        self._log()
        return self.report

    def _handin_time(self, handin: Handin) -> tuple[str, str]:
        """The hand-in time to file (ISO 8601, UTC) and who said it: the LMS's, unless it has
        none or one after this collection (impossible: a wrong time zone), else now."""
        if handin.time is not None and handin.time.astimezone(UTC) <= self.now:
            return handin.time.astimezone(UTC).isoformat(timespec="seconds"), "lms"
        return self.time, "collect"

    def _log(self) -> None:
        path = self.cohort.state / COLLECT_LOG
        old = _read_log(self.cohort)
        rejected: dict[str, list[dict[str, str]]] = old.get("rejected_by_learner", {})
        for learner in self.report.accepted:
            rejected.pop(learner, None)
        for r in self.report.rejected:
            if r.learner:
                rejected.setdefault(r.learner, []).append(r.to_dict())
        old["rejected_by_learner"] = rejected
        old["lms_identities"] = self.identities.bindings
        old.setdefault("runs", []).append({"time": self.time, **self.report.to_dict()})
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(old, indent=1, ensure_ascii=False) + "\n")


def _read_log(cohort: Cohort) -> dict[str, Any]:
    try:
        data = json.loads((cohort.state / COLLECT_LOG).read_text())
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def _nbgrader_time(iso: str) -> str:
    moment = datetime.fromisoformat(iso)
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M:%S.%f %Z")


def collect(
    cohort: Cohort,
    sources: list[Path],
    *,
    as_learner: str | None = None,
    lms_timezone: str | None = None,
) -> CollectReport:
    """Collect hand-ins from *sources* into *cohort*; see the module docstring.

    *as_learner*: the facilitator says whose hand-in this is (one source only); raises
    UsageError for an unusable id or several sources. *lms_timezone*: the IANA time zone
    (``Europe/Paris``) of the times an LMS download records without one (Blackboard's); None:
    this machine's. Raises UsageError for an unknown zone.
    """
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    from learnpacks.errors import UsageError

    zone = None
    if lms_timezone is not None:
        try:
            zone = ZoneInfo(lms_timezone)
        except (ZoneInfoNotFoundError, ValueError):
            raise UsageError(
                f"--lms-timezone {lms_timezone!r} is not a known time zone "
                "(an IANA name such as Europe/Paris or UTC)",
                code="collect.unknown-timezone",
            ) from None

    if as_learner is not None:
        if not STUDENT_RE.match(as_learner):
            raise UsageError(
                f"--as {as_learner!r} is not a usable learner id "
                "(letters, digits, '.', '_' and '-', starting with a letter or digit)",
                code="collect.bad-learner-id",
            )
        if len(sources) != 1:
            raise UsageError(
                "--as names the learner of one hand-in: give exactly one source",
                code="collect.as-needs-one-source",
            )
    collector = Collector(cohort, as_learner=as_learner, lms_zone=zone)
    for source in sources:
        collector.add_source(source)
    return collector.write()


def rejected_at_collect(cohort: Cohort) -> dict[str, list[dict[str, str]]]:
    """Learners whose hand-in (or part of it) was rejected by the latest collects."""
    return dict(_read_log(cohort).get("rejected_by_learner", {}))

"""What LMS bulk downloads look like, and what their own names say (learner, hand-in time).

Only what the LMS writes is read here; it is the facilitator's side (THREATS 60). The
conventions, as the LMSs write them:

* **Moodle** ("Download all submissions"): a folder per learner,
  ``<Full Name>_<participant id>_assignsubmission_file_/<their file>``. No time.
* **Canvas** ("Download Submissions"): flat files ``<lastfirst>_<user id>_<attachment id>_<file>``,
  with ``late_`` after the name for a hand-in past the due date. No time: Canvas exports none.
* **Blackboard Learn** ("Download Assignment"): a zip named ``gradebook_<course>_<assignment>_
  <YYYY-MM-DD-HH-MM-SS>.zip`` of flat files ``<assignment>_<username>_attempt_<YYYY-MM-DD-HH-MM-SS>
  _<file>``, plus ``<assignment>_<username>_attempt_<stamp>.txt`` (the LMS's notes). The stamp is
  when that attempt was submitted, in the Blackboard server's time zone.

  Usernames and assignment names may both hold ``_`` (``jane_doe``), so a member's name alone
  does not say where the assignment ends. The download's own name says it
  (``gradebook_<course>_<assignment>_<stamp>.zip``: the longest end of its
  ``<course>_<assignment>`` that starts every member's name); else the first line of the notes
  (``Name: Jane Doe (jane_doe)``). Only when neither does is the username taken to be the last
  ``_`` part, as a name without one is.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, tzinfo
from pathlib import PurePosixPath

MOODLE_SUFFIXES = ("_assignsubmission_file_", "_assignsubmission_file", "_onlinetext_")
STAMP = r"\d{4}-\d{2}-\d{2}-\d{2}-\d{2}-\d{2}"
STAMP_FORMAT = "%Y-%m-%d-%H-%M-%S"
#: a Blackboard "Download Assignment" zip, as the facilitator saved it
BLACKBOARD_DOWNLOAD = re.compile(
    rf"^gradebook_(?P<core>.+)_{STAMP}(?: ?\(\d+\))?\.zip$", re.IGNORECASE
)
#: one member of it: the hand-in's own file, or the LMS's notes (.txt, no file part);
#: *head* is ``<assignment>_<username>``
BLACKBOARD_MEMBER = re.compile(
    rf"^(?P<attempt>(?P<head>[^/]+_[^/]+)_attempt_(?P<stamp>{STAMP}))(?:_(?P<file>[^/]+)|\.txt)$"
)
#: the user an attempt's notes name on their first line: ``Name: Ada Lovelace (ada_l)``
NOTES_USER = re.compile(r"\A\s*Name:[^\n]*\((?P<user>[^()\s]+)\)[ \t\r]*$", re.MULTILINE)
#: the most of an attempt's notes that is read
MAX_NOTES_BYTES = 16_384


def moodle_stem(name: str) -> str:
    """A Moodle folder name without Moodle's suffix (``Ada L_123_assignsubmission_file_``)."""
    for suffix in MOODLE_SUFFIXES:
        name = name.removesuffix(suffix)
    return name.strip()


def is_moodle_folder(name: str) -> bool:
    return any(name.endswith(suffix) for suffix in MOODLE_SUFFIXES)


@dataclass(frozen=True)
class Attempt:
    """One Blackboard attempt: its name (``<assignment>_<user>_attempt_<stamp>``), the user's
    LMS name, when it was submitted, and the hand-in's own file name (None: the LMS's notes)."""

    name: str
    user: str
    stamp: str
    file: str | None

    def time(self, zone: tzinfo | None) -> datetime:
        """The submission time, aware: *zone* is the Blackboard server's (None: this machine's)."""
        naive = datetime.strptime(self.stamp, STAMP_FORMAT)
        return naive.replace(tzinfo=zone) if zone is not None else naive.astimezone()


def blackboard_attempt(name: str, assignment: str | None = None) -> Attempt | None:
    """The attempt a folder or flat member name of a Blackboard download names, or None. The
    user is what follows *assignment* (when the name starts with it), else the last ``_`` part."""
    match = BLACKBOARD_MEMBER.match(name) or BLACKBOARD_MEMBER.match(name + ".txt")
    return _attempt(match, assignment) if match else None


def _attempt(match: re.Match[str], assignment: str | None) -> Attempt:
    head = match["head"]
    if assignment is not None and head.startswith(assignment + "_"):
        user = head[len(assignment) + 1 :]
    else:
        user = head.rpartition("_")[2]
    return Attempt(match["attempt"], user, match["stamp"], match["file"])


def blackboard_assignment(download: str, heads: set[str], notes: dict[str, str]) -> str | None:
    """The assignment's part of the members' names (``<assignment>_<username>``, *heads*): the
    longest end of the download's own name (the facilitator's file) that starts every head,
    else what the attempts' *notes* (head -> user) say; None when neither fits every head.
    Notes come second: a learner's comment is part of them."""

    def fits(candidate: str) -> bool:
        return all(h.startswith(candidate + "_") and len(h) > len(candidate) + 1 for h in heads)

    match = BLACKBOARD_DOWNLOAD.match(PurePosixPath(download).name)
    parts = match["core"].split("_") if match else []
    for i in range(len(parts)):  # the longest end of <course>_<assignment> first
        if fits(candidate := "_".join(parts[i:])):
            return candidate
    for head, user in sorted(notes.items()):
        if head.endswith("_" + user) and fits(candidate := head[: -len(user) - 1]):
            return candidate
    return None


def notes_user(text: bytes) -> str | None:
    """The username an attempt's notes give (``Name: Ada L (ada_l)``), or None."""
    found = NOTES_USER.search(text[:MAX_NOTES_BYTES].decode("utf-8", "replace"))
    return found["user"] if found else None


@dataclass
class Layout:
    """A Blackboard download read as folders: ``paths`` maps each member of a user's latest
    attempt to ``<attempt>/<file>``; ``earlier`` holds the members of their earlier attempts."""

    paths: dict[str, PurePosixPath]
    earlier: set[str]
    #: the user of each attempt (by its name, the folder of its files in *paths*)
    users: dict[str, str]


def blackboard_layout(
    download: str, members: list[str], notes: dict[str, bytes] | None = None
) -> Layout | None:
    """*members* (safe, non-folder) of the zip named *download* as a Blackboard download, or
    None if it is not one: its name and flat, attempt-named members both must say so. The
    LMS's notes (``.txt`` per attempt; *notes*: their text by member name) are in neither field
    but say whose each attempt is."""
    if not BLACKBOARD_DOWNLOAD.match(PurePosixPath(download).name):
        return None
    if any("/" in m for m in members):
        return None
    matches = {m: found for m in members if (found := BLACKBOARD_MEMBER.match(m)) is not None}
    if not matches:
        return None
    named = {}
    for member, text in (notes or {}).items():
        found = BLACKBOARD_MEMBER.match(member)
        if found is not None and (user := notes_user(text)) is not None:
            named[found["head"]] = user
    assignment = blackboard_assignment(
        download, {found["head"] for found in matches.values()}, named
    )
    attempts = {m: _attempt(found, assignment) for m, found in matches.items()}
    latest: dict[str, str] = {}
    for a in attempts.values():
        latest[a.user] = max(latest.get(a.user, a.stamp), a.stamp)
    layout = Layout({}, set(), {})
    for member, a in attempts.items():
        layout.users[a.name] = a.user
        if a.file is None:
            continue
        if latest[a.user] == a.stamp:
            layout.paths[member] = PurePosixPath(a.name) / a.file
        else:
            layout.earlier.add(member)
    return layout

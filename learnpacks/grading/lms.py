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
BLACKBOARD_DOWNLOAD = re.compile(rf"^gradebook_.+_{STAMP}(?: ?\(\d+\))?\.zip$", re.IGNORECASE)
#: one member of it: the hand-in's own file, or the LMS's notes (.txt, no file part)
BLACKBOARD_MEMBER = re.compile(
    rf"^(?P<attempt>.+_(?P<user>[^_/]+)_attempt_(?P<stamp>{STAMP}))(?:_(?P<file>[^/]+)|\.txt)$"
)


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


def blackboard_attempt(name: str) -> Attempt | None:
    """The attempt a folder or flat member name of a Blackboard download names, or None."""
    match = BLACKBOARD_MEMBER.match(name) or BLACKBOARD_MEMBER.match(name + ".txt")
    if not match:
        return None
    return Attempt(match["attempt"], match["user"], match["stamp"], match["file"])


@dataclass
class Layout:
    """A Blackboard download read as folders: ``paths`` maps each member of a user's latest
    attempt to ``<attempt>/<file>``; ``earlier`` holds the members of their earlier attempts."""

    paths: dict[str, PurePosixPath]
    earlier: set[str]


def blackboard_layout(download: str, members: list[str]) -> Layout | None:
    """*members* (safe, non-folder) of the zip named *download* as a Blackboard download, or
    None if it is not one: its name and flat, attempt-named members both must say so. The
    LMS's notes (``.txt`` per attempt) are in neither field."""
    if not BLACKBOARD_DOWNLOAD.match(PurePosixPath(download).name):
        return None
    if any("/" in m for m in members):
        return None
    attempts = {m: a for m in members if (a := blackboard_attempt(m)) is not None}
    if not attempts:
        return None
    latest: dict[str, str] = {}
    for a in attempts.values():
        latest[a.user] = max(latest.get(a.user, a.stamp), a.stamp)
    layout = Layout({}, set())
    for member, a in attempts.items():
        if a.file is None:
            continue
        if latest[a.user] == a.stamp:
            layout.paths[member] = PurePosixPath(a.name) / a.file
        else:
            layout.earlier.add(member)
    return layout

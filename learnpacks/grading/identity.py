"""Who a hand-in is: identity from the facilitator's side, never from the hand-in (THREATS 60).

* the learner is ``--as NAME``; else the roster's entry for the LMS folder the hand-in came in;
  else the name of the file or folder the facilitator collected (``ada--pack.zip``, ``ada/``);
  inside an LMS bulk download without a roster, the learner's own id (inner file name) is
  bound to that LMS folder, and a second LMS folder claiming the same id is a conflict (the
  bindings are kept from one ``collect`` to the next);
* what the hand-in says about itself (an inner file name, the manifest's ``learner``) is checked
  against that: a mismatch is a ``collect.identity-conflict``, and nothing is filed for it.

:class:`Identities` answers for one ``collect`` run; :mod:`learnpacks.grading.collect` reads
the archives and files what it identified.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from datetime import datetime, tzinfo
from pathlib import PurePosixPath

from learnpacks.grading.cohort import STUDENT_RE, Cohort, read_roster
from learnpacks.grading.lms import blackboard_attempt, moodle_stem


def learner_from_name(name: str) -> str | None:
    """The learner id a file or folder name gives, or None.

    ``ada--<assignment>.zip`` -> ``ada``, also behind an LMS prefix (Canvas
    ``adalovelace_123_456_ada--x.zip``); a folder without ``--`` (``ada/``, or an LMS folder of
    raw notebooks, ``Ada Lovelace_123_assignsubmission_file_``) gives its name made safe
    (``Ada-Lovelace_123``).
    """
    stem = name[:-4] if name.lower().endswith(".zip") else name
    if "--" in stem:
        candidate = stem.split("--", 1)[0].strip()
        if "_" in candidate:
            candidate = candidate.rsplit("_", 1)[-1]
        return candidate if STUDENT_RE.match(candidate) else None
    candidate = re.sub(r"[^A-Za-z0-9._-]+", "-", moodle_stem(stem)).strip("-._")[:64]
    return candidate if STUDENT_RE.match(candidate) else None


@dataclass
class Origin:
    """Where a hand-in came from, as the facilitator knows it.

    ``learner``: the identity the facilitator's side gives (``--as``, the roster, the collected
    file's name), or None. ``lms``: the LMS folder it came in, if any. ``how``: said in messages.
    ``time``: when the LMS says it was handed in, where its download records it.
    """

    learner: str | None
    how: str
    lms: str | None = None
    time: datetime | None = None

    @property
    def label(self) -> str:
        """The learner a rejection is recorded under (so the report can flag them)."""
        if self.learner:
            return self.learner
        return (learner_from_name(self.lms) or "") if self.lms else ""

    @property
    def budget_key(self) -> str:
        return f"lms:{self.lms}" if self.lms else f"id:{self.learner or ''}"


@dataclass(frozen=True)
class Unidentified:
    """Why a hand-in cannot be filed as anyone: a ``collect.*`` code, the reason, and the
    learner the rejection is recorded under (empty if none can be told)."""

    code: str
    reason: str
    learner: str = ""


class Identities:
    """Who the facilitator's side says each hand-in of one ``collect`` run is.

    *as_learner*: every source is this learner's. *lms_zone*: the time zone of the LMS's own
    times (None: this machine's). *bindings*: the LMS folder each learner's work came from in
    earlier runs (grown by :meth:`bind` as hand-ins are filed).
    """

    def __init__(
        self,
        cohort: Cohort,
        *,
        as_learner: str | None,
        lms_zone: tzinfo | None,
        bindings: dict[str, str],
    ) -> None:
        self.assignment = cohort.assignment
        self.as_learner = as_learner
        self.lms_zone = lms_zone
        roster = read_roster(cohort)
        self.roster_ids = set(roster)
        self.roster_lms = {lms: learner for learner, lms in roster.items() if lms}
        #: the user of each Blackboard attempt read so far, by the attempt's name
        self.blackboard_users: dict[str, str] = {}
        self.bindings = dict(bindings)

    def origin_of(self, name: str) -> Origin:
        """Who the facilitator's side says a collected file or folder named *name* is."""
        if self.as_learner:
            return Origin(self.as_learner, "--as")
        return Origin(learner_from_name(name), f"the name {name!r}")

    def lms_origin(self, folder: str) -> Origin:
        """Who the LMS says handed in what it filed under *folder*, and when, if it says."""
        name = PurePosixPath(folder).name
        attempt = blackboard_attempt(name)
        if attempt is not None:
            attempt = replace(attempt, user=self.blackboard_users.get(attempt.name, attempt.user))
        stem = attempt.user if attempt else moodle_stem(name)
        when = attempt.time(self.lms_zone) if attempt else None
        mapped = self.roster_lms.get(stem)
        if mapped:
            how = f"the roster's entry for the LMS folder {stem!r}"
            return Origin(mapped, how, lms=stem, time=when)
        return Origin(None, f"the LMS folder {stem!r}", lms=stem, time=when)

    def bind(self, learner: str, lms: str) -> None:
        """*learner*'s work was filed from the LMS folder *lms*."""
        self.bindings[learner] = lms

    def identify(self, origin: Origin, claims: list[str]) -> str | Unidentified:
        """The learner a hand-in from *origin* that says it is *claims* is filed as."""
        claimed = sorted(set(claims))
        if origin.learner:
            others = [c for c in claimed if c != origin.learner]
            if others:
                return Unidentified(
                    "collect.identity-conflict",
                    f"the hand-in says it is {', '.join(others)}, but it came as "
                    f"{origin.learner} ({origin.how}); nothing was filed",
                    origin.learner,
                )
            return origin.learner
        if origin.lms:
            fallback = learner_from_name(origin.lms)
            if len(claimed) > 1:
                return Unidentified(
                    "collect.identity-conflict",
                    f"the hand-in names several learners ({', '.join(claimed)}) in "
                    f"{origin.how}; nothing was filed",
                    fallback or "",
                )
            learner = claimed[0] if claimed else fallback
            if learner is None:
                return Unidentified(
                    "collect.bad-learner-id", f"cannot tell the learner of {origin.how}"
                )
            bound = self.bindings.get(learner)
            if bound is not None and bound != origin.lms:
                return Unidentified(
                    "collect.identity-conflict",
                    f"{origin.how} claims {learner!r}, whose work came from the LMS folder "
                    f"{bound!r}; nothing was filed and {learner!r}'s work is unchanged "
                    "(a roster.csv with an lms column, or --as, settles it)",
                    learner,
                )
            return learner
        hint = (
            f" (the hand-in says {claimed[0]!r}: --as {claimed[0]} if that is right)"
            if claimed
            else ""
        )
        return Unidentified(
            "collect.bad-learner-id",
            f"cannot tell the learner from {origin.how}; name hand-ins "
            f"<learner>--{self.assignment}.zip or use --as NAME{hint}",
        )

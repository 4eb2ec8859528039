"""``learnpacks check --publish``: whether each pack may be on the site, and why not.

What the site publishes is decided by the review state in ``pack.yml`` (:meth:`PackMeta.
is_published`, :meth:`PackMeta.translation_state`) and the translation threshold of
``packs/_config.yml``; the site build applies exactly that. The publishing rules are what a
reviewer and CI hold a pack to before its ``status`` says ``published``:

- the pack's metadata names someone who looks after it (``publish.no-maintainer``);
- the static checks find no error in it (``publish.check-errors``);
- the packs it builds on are published too (``publish.prerequisite-unpublished``);
- its notebooks ran green in every language checked, when execution results are given
  (``publish.execution-failed``; ``check --execute`` gives them);
- each translation it publishes reaches the threshold (``publish.translation-below-threshold``)
  and names a language the site publishes (``publish.translation-unknown-language``).

A pack whose ``status`` is ``published`` and breaks a rule is an error. For a pack still in
``draft`` or ``review`` the same findings are warnings (they block nothing yet, but say what
would), after a ``publish.held`` warning naming its state.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from learnpacks.errors import Problem
from learnpacks.packs.catalog import Catalog, Pack
from learnpacks.packs.model import Status

#: the codes of this module; every one is in ``docs/reference/problem-codes.md``
HELD = "publish.held"
#: the codes of ``check --execute``'s findings (counted as execution, not as static checks)
EXECUTION_PREFIX = "exec."


@dataclass(frozen=True)
class LanguageVerdict:
    """One language of a pack: its review state, coverage, and whether the site publishes it."""

    language: str
    state: Status
    #: share of translated units (1.0 for the pack's own language)
    coverage: float
    published: bool
    #: the state is written in ``pack.yml`` (the pack's own language: its ``status``)
    listed: bool = True

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass
class PackVerdict:
    """Whether one pack is on the site, whether it may be, and every reason it may not."""

    pack: str
    status: Status
    languages: list[LanguageVerdict] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    @property
    def fit(self) -> bool:
        """Every publishing rule holds (whatever the status says)."""
        return not any(p.code != HELD for p in self.problems)

    @property
    def published(self) -> bool:
        """On the site: its status is ``published``."""
        return self.status == "published"

    def to_dict(self) -> dict[str, Any]:
        return {
            "pack": self.pack,
            "status": self.status,
            "published": self.published,
            "fit": self.fit,
            "languages": [lang.to_dict() for lang in self.languages],
            "problems": [p.to_dict() for p in self.problems],
        }


def _errors_in(
    problems: Sequence[Problem], prefix: str, display: str, code: str, finder: str
) -> list[Problem]:
    """One *code* problem summing up the errors of *problems* in the pack's folder *prefix*."""
    errors = [p for p in problems if p.path.startswith(prefix) and p.severity == "error"]
    if not errors:
        return []
    codes = ", ".join(sorted({p.code for p in errors}))
    message = f"{finder} {len(errors)} error(s) in the pack: {codes}"
    return [Problem(display, code, message, hint="they are listed with their places; fix them")]


def _severity(pack: Pack, problem: Problem) -> Problem:
    """Errors of a pack that is not published yet block nothing: they are warnings."""
    if pack.meta.is_published or problem.severity == "warning":
        return problem
    return replace(problem, severity="warning")


def language_verdicts(
    catalog: Catalog, pack: Pack, *, coverage: Mapping[str, float]
) -> list[LanguageVerdict]:
    """Every site language of *pack*, the pack's own first; *coverage* by language (a language
    missing there has nothing translated)."""
    config = catalog.require_config()
    threshold = config.thresholds.publish_translation
    own = pack.meta.language
    verdicts = [LanguageVerdict(own, pack.meta.status, 1.0, pack.meta.is_published)]
    for lang in config.languages:
        if lang == own:
            continue
        share = coverage.get(lang, 0.0)
        state = pack.meta.translation_state(lang)
        published = pack.meta.is_published and state == "published" and share >= threshold
        listed = lang in pack.meta.translation_status
        verdicts.append(LanguageVerdict(lang, state, share, published, listed))
    return verdicts


def publish_verdict(
    catalog: Catalog,
    pack: Pack,
    *,
    check_problems: Sequence[Problem],
    coverage: Mapping[str, float],
    execution: Sequence[Problem] | None = None,
) -> PackVerdict:
    """Apply the publishing rules to *pack*.

    *check_problems*: the static checks' findings (all packs: this pack's are picked out);
    *coverage*: translated share by language; *execution*: the findings of running the
    notebooks (``check --execute``), or None when they were not run (the rule is then left out).
    """
    meta = pack.meta
    config = catalog.require_config()
    display = catalog.rel(pack.folder / "pack.yml")
    prefix = catalog.rel(pack.folder) + "/"
    found: list[Problem] = []
    if not meta.is_published:
        found.append(
            Problem(
                display,
                HELD,
                f"not published: status is {meta.status!r}",
                "status",
                "warning",
                hint="a reviewer sets status: published once the other rules hold",
            )
        )
    if not meta.maintainers:
        found.append(
            Problem(
                display,
                "publish.no-maintainer",
                "a published pack names who looks after it",
                "maintainers",
                hint="add at least one person to maintainers",
            )
        )
    static = [p for p in check_problems if not p.code.startswith(EXECUTION_PREFIX)]
    found += _errors_in(static, prefix, display, "publish.check-errors", "`learnpacks check` finds")
    for n, prerequisite in enumerate(meta.prerequisites):
        other = catalog.packs.get(prerequisite)
        if other is not None and not other.meta.is_published:
            found.append(
                Problem(
                    display,
                    "publish.prerequisite-unpublished",
                    f"builds on {prerequisite!r}, whose status is {other.meta.status!r}: "
                    "the site would point learners to a pack it does not have",
                    f"prerequisites[{n}]",
                )
            )
    if execution is not None:
        found += _errors_in(
            execution, prefix, display, "publish.execution-failed", "running the notebooks finds"
        )
    threshold = config.thresholds.publish_translation
    verdicts = language_verdicts(catalog, pack, coverage=coverage)
    for lang, state in sorted(meta.translation_status.items()):
        place = f"translation_status.{lang}"
        if lang not in config.languages or lang == meta.language:
            found.append(
                Problem(
                    display,
                    "publish.translation-unknown-language",
                    f"{lang!r} is not one of the site's other languages "
                    f"({', '.join(x for x in config.languages if x != meta.language) or 'none'})",
                    place,
                )
            )
            continue
        share = coverage.get(lang, 0.0)
        if state == "published" and share < threshold:
            found.append(
                Problem(
                    display,
                    "publish.translation-below-threshold",
                    f"the {lang!r} translation is marked published but is {share:.0%} translated; "
                    f"the site publishes a language from {threshold:.0%} (thresholds.publish_translation)",
                    place,
                    hint=f"translate the rest (learnpacks i18n status --lang {lang}) or set it to review",
                )
            )
    return PackVerdict(meta.id, meta.status, verdicts, [_severity(pack, p) for p in found])


def translation_coverage(
    catalog: Catalog, pack_ids: Sequence[str]
) -> tuple[dict[str, dict[str, float]], list[Problem]]:
    """Translated share by pack and language (``learnpacks i18n status``'s count), and the
    problems met reading the catalogs."""
    from learnpacks.i18n.status import status

    config = catalog.require_config()
    if not pack_ids:
        return {}, []
    report = status(root=catalog.root, pack_ids=list(pack_ids), languages=config.languages)
    shares: dict[str, dict[str, float]] = {}
    for row in report.rows:
        shares.setdefault(row.pack, {})[row.language] = row.percent / 100
    return shares, list(report.problems)


def publish_verdicts(
    catalog: Catalog,
    pack_ids: Sequence[str],
    *,
    check_problems: Sequence[Problem],
    execution: Sequence[Problem] | None = None,
) -> tuple[list[PackVerdict], list[Problem]]:
    """:func:`publish_verdict` of every readable pack of *pack_ids*, and the problems met reading
    the translation catalogs."""
    readable = [pid for pid in pack_ids if pid in catalog.packs]
    coverage, problems = translation_coverage(catalog, readable)
    verdicts = [
        publish_verdict(
            catalog,
            catalog.packs[pid],
            check_problems=check_problems,
            coverage=coverage.get(pid, {}),
            execution=execution,
        )
        for pid in readable
    ]
    return verdicts, problems

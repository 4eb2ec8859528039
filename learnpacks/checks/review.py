"""``learnpacks check --report report.html``: what a reviewer reads before approving a pack.

One self-contained HTML page (no script, no request to another host) with one section per pack:
its review state and whether the publishing rules hold (:mod:`.publish`), every finding with its
code, file and place, the execution results and exercise proofs when ``--execute`` ran, the
translation coverage per language, and the external links of its notebooks and media, to look at
by hand. Everything taken from a pack (titles, messages, URLs) is untrusted: the page is built with
:func:`learnpacks.book.html.el`, which escapes every text and attribute and links only http(s)
and mailto addresses.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from learnpacks.book.html import Markup, el
from learnpacks.checks.markdown import headings_and_targets
from learnpacks.checks.notebook_file import cell_location, read_notebook
from learnpacks.checks.publish import EXECUTION_PREFIX, PackVerdict, publish_verdicts
from learnpacks.checks.report import Report
from learnpacks.errors import Problem
from learnpacks.packs.catalog import Catalog, Pack, load_catalog

_STYLE = """
body{font:16px/1.5 system-ui,sans-serif;margin:0 auto;max-width:72rem;padding:1rem 1.5rem;color:#202122}
h1{font-size:1.6rem} h2{border-top:2px solid #a2a9b1;padding-top:1rem;margin-top:2.5rem}
table{border-collapse:collapse;width:100%;margin:.5rem 0 1rem} th,td{border:1px solid #c8ccd1;padding:.3rem .5rem;text-align:left;vertical-align:top}
th{background:#eaecf0} code{font-size:.9em;overflow-wrap:anywhere}
.error{color:#b32424;font-weight:bold} .warning{color:#8a5a00;font-weight:bold} .ok{color:#14866d;font-weight:bold}
nav ul{columns:2} .verdict{font-size:1.1rem}
"""


@dataclass(frozen=True)
class ExternalLink:
    url: str
    path: str
    place: str


@dataclass
class Execution:
    """What ``check --execute`` found: its problems and the runs it made, as
    ``(notebook path, language)``. None of it when it did not run."""

    problems: list[Problem] = field(default_factory=list)
    runs: list[tuple[str, str]] = field(default_factory=list)


def external_links(catalog: Catalog, pack: Pack) -> list[ExternalLink]:
    """Every http(s) link and image of the pack's notebooks (markdown cells) and media sources."""
    found: list[ExternalLink] = []
    display = catalog.rel(pack.folder / "pack.yml")
    for n, media in enumerate(pack.meta.media):
        if media.source.startswith(("http://", "https://")):
            found.append(ExternalLink(media.source, display, f"media[{n}].source"))
    for path in pack.notebook_paths():
        if not path.is_file():
            continue
        shown = catalog.rel(path)
        nb, _ = read_notebook(path, shown)
        if nb is None:
            continue
        for index, cell in enumerate(nb.cells):
            if cell.get("cell_type") != "markdown":
                continue
            _, targets = headings_and_targets(str(cell.get("source", "")))
            for target in targets:
                if target.url.lower().startswith(("http://", "https://")):
                    place = cell_location(index, cell, target.line)
                    found.append(ExternalLink(target.url, shown, place))
    return found


def _problem_rows(problems: Sequence[Problem]) -> Markup:
    if not problems:
        return el("p", {"class": "ok"}, "No findings.")
    head = el("tr", None, [el("th", None, h) for h in ("", "code", "file", "place", "message")])
    rows = [
        el(
            "tr",
            {"class": f"finding {p.severity}-row"},
            el("td", {"class": p.severity}, p.severity),
            el("td", None, el("code", None, p.code)),
            el("td", None, el("code", None, p.path)),
            el("td", None, p.location),
            el("td", None, p.message, el("br") if p.hint else None, p.hint or None),
        )
        for p in problems
    ]
    return el("table", None, el("thead", None, head), el("tbody", None, rows))


def _languages(verdict: PackVerdict, threshold: float) -> Markup:
    titles = ("language", "review state", f"translated (published from {threshold:.0%})")
    head = el("tr", None, [el("th", None, h) for h in (*titles, "on the site")])
    rows = [
        el(
            "tr",
            None,
            el("td", None, lang.language),
            el("td", None, lang.state if lang.listed else "not set (published when translated)"),
            el("td", None, f"{lang.coverage:.0%}"),
            el(
                "td",
                {"class": "ok" if lang.published else "warning"},
                "yes" if lang.published else "no",
            ),
        )
        for lang in verdict.languages
    ]
    return el("table", None, el("thead", None, head), el("tbody", None, rows))


def _execution(pack_prefix: str, execution: Execution | None) -> Markup:
    if execution is None:
        return el(
            "p",
            None,
            "Not run: `learnpacks check --execute --report …` runs every notebook in every "
            "published language and proves each exercise.",
        )
    problems = [p for p in execution.problems if p.path.startswith(pack_prefix)]
    runs = sorted(run for run in execution.runs if run[0].startswith(pack_prefix))
    failed = {p.path for p in problems if p.severity == "error"}
    items = [
        el(
            "li",
            None,
            el("code", None, path),
            f" ({language}): ",
            el("span", {"class": "error"}, "failed")
            if path in failed
            else el("span", {"class": "ok"}, "passed"),
        )
        for path, language in runs
    ]
    return el(
        "div",
        None,
        el("ul", None, items) if items else el("p", None, "No notebook of this pack ran."),
        el("h4", None, "Execution findings and exercise proofs"),
        _problem_rows(problems),
    )


def _links(links: Sequence[ExternalLink]) -> Markup:
    """Each address once, with every place that uses it."""
    if not links:
        return el("p", None, "No external links.")
    places: dict[str, list[ExternalLink]] = {}
    for link in links:
        places.setdefault(link.url, []).append(link)
    return el(
        "ul",
        {"class": "links"},
        [
            el(
                "li",
                None,
                el("a", {"href": url, "rel": "noopener noreferrer nofollow"}, url),
                " — ",
                [
                    [
                        el("code", None, where.path),
                        f", {where.place}",
                        "; " if n < len(used) else "",
                    ]
                    for n, where in enumerate(used, 1)
                ],
            )
            for url, used in sorted(places.items())
        ],
    )


def _pack_section(
    catalog: Catalog,
    pack: Pack,
    verdict: PackVerdict,
    findings: Sequence[Problem],
    execution: Execution | None,
) -> Markup:
    prefix = catalog.rel(pack.folder) + "/"
    if verdict.fit:
        state = "the publishing rules hold"
        css = "ok"
    else:
        blocking = sum(p.severity == "error" for p in verdict.problems)
        state = (
            f"refused: {blocking} rule(s) broken"
            if blocking
            else "the publishing rules do not hold yet (see the warnings)"
        )
        css = "error" if blocking else "warning"
    return el(
        "section",
        {"id": f"pack-{pack.id}", "class": "pack"},
        el("h2", None, pack.meta.title, " ", el("code", None, f"[{pack.id}]")),
        el(
            "p",
            {"class": "verdict"},
            "status: ",
            el("strong", None, pack.meta.status),
            " — ",
            el("span", {"class": css}, state),
        ),
        el("h3", None, "Publishing"),
        _problem_rows(verdict.problems),
        el("h3", None, "Findings"),
        _problem_rows(findings),
        el("h3", None, "Execution"),
        _execution(prefix, execution),
        el("h3", None, "Translations"),
        _languages(verdict, catalog.require_config().thresholds.publish_translation),
        el("h3", None, "External links to look at"),
        _links(external_links(catalog, pack)),
    )


def review_html(
    catalog: Catalog,
    verdicts: Sequence[PackVerdict],
    *,
    problems: Sequence[Problem],
    execution: Execution | None = None,
) -> str:
    """The reviewer's report of the packs of *verdicts*; *problems*: every finding of the checks
    (each pack's section shows its own; the others, such as ``_config.yml``'s, come first)."""
    config = catalog.config
    sections = []
    nav = []
    claimed: set[int] = set()
    for verdict in verdicts:
        pack = catalog.packs[verdict.pack]
        prefix = catalog.rel(pack.folder) + "/"
        mine = [p for p in problems if p.path.startswith(prefix)]
        claimed |= {id(p) for p in mine}
        sections.append(_pack_section(catalog, pack, verdict, mine, execution))
        nav.append(
            el(
                "li",
                None,
                el("a", {"href": f"#pack-{pack.id}"}, pack.meta.title),
                f" — {pack.meta.status}, ",
                "fit" if verdict.fit else "not fit",
            )
        )
    general = [p for p in problems if id(p) not in claimed]
    body = el(
        "body",
        None,
        el("h1", None, "Review of learning packs"),
        el(
            "p",
            None,
            f"{len(verdicts)} pack(s) of “{config.title if config else catalog.root.name}”. "
            "Codes are explained in docs/reference/problem-codes.md.",
        ),
        el("nav", None, el("ul", None, nav)),
        el("section", {"id": "general"}, el("h2", None, "Project"), _problem_rows(general))
        if general
        else None,
        sections,
    )
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        # nothing in the report runs or loads anything
        '<meta http-equiv="Content-Security-Policy" content="default-src \'none\'; '
        "style-src 'unsafe-inline'\">"
        "<title>Review of learning packs</title>"
        f"<style>{_STYLE}</style></head>{body}</html>\n"
    )


def write_review(path: Path, html: str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(html, encoding="utf-8")
    return path


@dataclass
class Review:
    """The publishing verdicts of the packs a check covered, and what rendering them needs."""

    catalog: Catalog
    verdicts: list[PackVerdict]
    #: the publishing rules' findings, and the problems met reading the translation catalogs
    problems: list[Problem]
    execution: Execution | None = None

    def html(self, findings: Sequence[Problem]) -> str:
        return review_html(self.catalog, self.verdicts, problems=findings, execution=self.execution)

    def to_dict(self) -> list[dict[str, object]]:
        return [v.to_dict() for v in self.verdicts]


def execution_of(report: Report) -> Execution:
    """What ``check --execute`` added to *report*: its ``exec.*`` findings and the runs it made."""
    return Execution(
        [p for p in report.problems if p.code.startswith(EXECUTION_PREFIX)], list(report.runs)
    )


def review_packs(
    report: Report, *, root: Path | None = None, execution: Execution | None = None
) -> Review:
    """Apply the publishing rules to the packs *report* checked (its findings count as the static
    checks'); *execution*: what running them found, None when they did not run."""
    catalog = load_catalog(root)
    verdicts, problems = publish_verdicts(
        catalog,
        report.packs_checked,
        check_problems=report.problems,
        execution=execution.problems if execution is not None else None,
    )
    found = [p for v in verdicts for p in v.problems] + problems
    return Review(catalog, verdicts, found, execution)

"""``cohort report``: the gradebook as CSV and an HTML page with plots, read through nbgrader.

The page shows the score distribution, the success rate per exercise, the items waiting for
manual grading (formgrader), who was flagged and why, and who has not handed in. The roster
is the gradebook's students plus, if present, ``roster.csv`` (a column ``id``) in the cohort
folder. Plots are inline SVG: no plotting library, no script, works offline.
"""

from __future__ import annotations

import csv
import html
import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from learnpacks.grading.cohort import Cohort, read_roster
from learnpacks.grading.collect import rejected_at_collect


@dataclass
class Report:
    csv_path: Path
    html_path: Path
    rows: list[dict[str, Any]] = field(default_factory=list)
    handed_in: int = 0
    missing: list[str] = field(default_factory=list)
    manual: list[dict[str, str]] = field(default_factory=list)
    flagged: dict[str, list[str]] = field(default_factory=dict)
    success: dict[str, float] = field(default_factory=dict)
    #: learner/notebook graded with weak confinement (the facilitator allowed it)
    weak_confinement: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "csv": str(self.csv_path),
            "html": str(self.html_path),
            "rows": self.rows,
            "handed_in": self.handed_in,
            "missing": self.missing,
            "manual": self.manual,
            "flagged": self.flagged,
            "success": self.success,
            "weak_confinement": self.weak_confinement,
        }


def _findings(cohort: Cohort, student: str) -> list[str]:
    out = []
    folder = cohort.state / "results" / student
    for path in sorted(folder.glob("*.json")) if folder.is_dir() else []:
        try:
            result = json.loads(path.read_text())["result"]
        except (OSError, ValueError, KeyError):
            continue
        out += [
            f"{result['notebook']}: [{f['code']}] {f['message']}"
            for f in result["findings"]
            if f.get("review")
        ]
    return out


def _weak_confinement(cohort: Cohort) -> list[str]:
    """``learner/notebook`` of every result graded with weak confinement."""
    out = []
    for path in sorted((cohort.state / "results").glob("*/*.json")):
        try:
            result = json.loads(path.read_text())["result"]
        except (OSError, ValueError, KeyError):
            continue
        if (result.get("confinement") or {}).get("level") == "weak":
            out.append(f"{path.parent.name}/{result.get('notebook', path.stem)}")
    return out


def gather(cohort: Cohort) -> Report:
    """Read the gradebook into a :class:`Report` (no files written)."""
    from nbgrader.api import Gradebook

    report = Report(cohort.root / "reports" / "grades.csv", cohort.root / "reports" / "report.html")
    per_cell: dict[str, list[float]] = {}
    with Gradebook(cohort.db_url, cohort.course_id) as gb:
        students = {s.id for s in gb.students} | set(read_roster(cohort))
        for sub in gb.assignment_submissions(cohort.assignment):
            student = sub.student.id
            row: dict[str, Any] = {"student": student}
            for nb in sub.notebooks:
                row[nb.name] = round(float(nb.score), 3)
                for grade in nb.grades:
                    if grade.needs_manual_grade:
                        report.manual.append(
                            {"student": student, "notebook": nb.name, "cell": grade.name}
                        )
                    if grade.max_score and grade.auto_score is not None:
                        per_cell.setdefault(f"{nb.name}/{grade.name}", []).append(
                            float(grade.score) / float(grade.max_score)
                        )
            row["score"] = round(float(sub.score), 3)
            row["max_score"] = round(float(sub.max_score), 3)
            row["needs_manual_grade"] = sum(1 for m in report.manual if m["student"] == student)
            findings = _findings(cohort, student)
            if findings:
                report.flagged[student] = findings
            row["flagged"] = bool(findings)
            report.rows.append(row)
    rejected = rejected_at_collect(cohort)
    for student, reasons in rejected.items():
        report.flagged.setdefault(student, []).extend(
            f"collect: [{r['code']}] {r['member'] or r['source']}: {r['reason']}" for r in reasons
        )
    for row in report.rows:
        row["flagged"] = row["student"] in report.flagged
    # handed in = something was filed; a learner with only part of a hand-in rejected is
    # handed in *and* flagged, one with nothing filed is missing (and flagged if rejected)
    filed = set(cohort.students_submitted())
    report.handed_in = len(filed)
    report.missing = sorted((students | set(rejected)) - filed)
    report.success = {
        k: sum(1 for v in vals if v >= 1.0) / len(vals) for k, vals in sorted(per_cell.items())
    }
    report.rows.sort(key=lambda r: r["student"])
    report.weak_confinement = _weak_confinement(cohort)
    return report


def _bars(values: list[tuple[str, float]], *, width: int = 520, unit: str = "") -> str:
    """A horizontal SVG bar chart with a text alternative."""
    if not values:
        return "<p>—</p>"
    top = max(v for _, v in values) or 1.0
    height = 22 * len(values) + 10
    rows = []
    for i, (label, value) in enumerate(values):
        w = int((width - 230) * value / top)
        y = 5 + 22 * i
        rows.append(
            f'<text x="0" y="{y + 14}" font-size="12">{html.escape(label)}</text>'
            f'<rect x="220" y="{y}" width="{w}" height="16" fill="#36c"/>'
            f'<text x="{225 + w}" y="{y + 13}" font-size="12">{value:g}{unit}</text>'
        )
    desc = "; ".join(f"{label}: {value:g}{unit}" for label, value in values)
    return (
        f'<svg role="img" width="{width}" height="{height}" aria-label="{html.escape(desc)}">'
        f"<title>{html.escape(desc)}</title>{''.join(rows)}</svg>"
    )


def _distribution(rows: list[dict[str, Any]]) -> list[tuple[str, float]]:
    bins = [0] * 5
    for row in rows:
        frac = row["score"] / row["max_score"] if row["max_score"] else 0
        bins[min(4, int(frac * 5))] += 1
    return [(f"{20 * i}–{20 * (i + 1)} %", float(n)) for i, n in enumerate(bins)]


def render(report: Report, cohort: Cohort) -> str:
    esc = html.escape
    manual = (
        "".join(
            f"<li>{esc(m['student'])} — {esc(m['notebook'])} / {esc(m['cell'])}</li>"
            for m in report.manual
        )
        or "<li>—</li>"
    )
    missing = "".join(f"<li>{esc(s)}</li>" for s in report.missing) or "<li>—</li>"
    flagged = (
        "".join(
            f"<li><strong>{esc(s)}</strong><ul>{''.join(f'<li>{esc(x)}</li>' for x in why)}</ul></li>"
            for s, why in sorted(report.flagged.items())
        )
        or "<li>—</li>"
    )
    success = [(k, round(100 * v, 1)) for k, v in report.success.items()]
    weak = (
        f"<p><strong>Graded with weak confinement</strong> (as you allowed): learner code was "
        f"not fully isolated for {len(report.weak_confinement)} notebooks "
        f"({esc(', '.join(report.weak_confinement[:20]))}).</p>"
        if report.weak_confinement
        else ""
    )
    return f"""<!doctype html>
<html lang="{esc(cohort.language)}"><head><meta charset="utf-8">
<title>{esc(cohort.pack)} — cohort report</title>
<style>body{{font-family:sans-serif;max-width:60rem;margin:2rem auto}}svg text{{fill:#222}}</style>
</head><body>
<h1>{esc(cohort.pack)} — cohort report</h1>
<p>{report.handed_in} handed in, {len(report.missing)} not handed in,
{len(report.manual)} items waiting for manual grading, {len(report.flagged)} flagged.
Gradebook as CSV: <a href="grades.csv">grades.csv</a>.</p>
{weak}<h2>Score distribution</h2>{_bars(_distribution(report.rows), unit=" learners")}
<h2>Success rate per exercise</h2>{_bars(success, unit=" %")}
<h2>Waiting for manual grading (formgrader)</h2><ul>{manual}</ul>
<h2>Flagged for review</h2><ul>{flagged}</ul>
<h2>Not handed in</h2><ul>{missing}</ul>
</body></html>
"""


def build_report(cohort: Cohort) -> Report:
    """Write ``reports/grades.csv`` and ``reports/report.html``; returns what they show."""
    report = gather(cohort)
    report.csv_path.parent.mkdir(parents=True, exist_ok=True)
    notebooks = cohort.notebook_ids()
    fields = ["student", *notebooks, "score", "max_score", "needs_manual_grade", "flagged"]
    with report.csv_path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=fields, extrasaction="ignore")
        writer.writeheader()
        for row in report.rows:
            writer.writerow(row)
    report.html_path.write_text(render(report, cohort), encoding="utf-8")
    return report

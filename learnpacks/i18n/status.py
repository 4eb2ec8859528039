"""``status``: per pack and language, how many units are translated, fuzzy or untranslated.

Counted against the notebooks as they are now, not the templates on disk: a unit whose text
changed since its catalog was updated counts as fuzzy, as ``build`` will treat it.
``check`` may still reject some translated units; ``build`` reports those.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from learnpacks.errors import Problem
from learnpacks.i18n.catalogs import catalog_languages, catalog_path, check_language, open_catalog
from learnpacks.i18n.po import entries_by_id, read_catalog
from learnpacks.i18n.units import Unit, pack_units


@dataclass(frozen=True)
class StatusRow:
    pack: str
    language: str
    total: int
    translated: int
    fuzzy: int
    untranslated: int
    #: ``translations/<lang>/<pack>.po`` exists
    started: bool

    @property
    def percent(self) -> float:
        return round(100 * self.translated / self.total, 1) if self.total else 100.0

    def to_dict(self) -> dict[str, Any]:
        return {**self.__dict__, "percent": self.percent}


@dataclass
class StatusReport:
    threshold: float
    rows: list[StatusRow] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "threshold": self.threshold,
            "packs": [
                {**r.to_dict(), "publishable": r.percent >= 100 * self.threshold} for r in self.rows
            ],
            "problems": [p.to_dict() for p in self.problems],
        }

    def table(self) -> str:
        lines = [
            f"{'pack':<32} {'lang':<6} {'translated':>10} {'fuzzy':>6} {'untranslated':>12} {'percent':>8}"
        ]
        for r in self.rows:
            note = "" if r.started else "  (not started: learnpacks i18n init " + r.language + ")"
            lines.append(
                f"{r.pack:<32} {r.language:<6} {r.translated:>10} {r.fuzzy:>6} {r.untranslated:>12} {r.percent:>7.1f}%{note}"
            )
        return "\n".join(lines)

    def by_language(self) -> dict[str, tuple[int, int]]:
        """Translated and total units per language, over all packs."""
        totals: dict[str, tuple[int, int]] = {}
        for r in self.rows:
            done, total = totals.get(r.language, (0, 0))
            totals[r.language] = (done + r.translated, total + r.total)
        return totals


def classify(units: Sequence[Unit], entries: dict[str, Any]) -> tuple[int, int, int]:
    """(translated, fuzzy, untranslated) of *units* given a catalog's entries by msgctxt."""
    translated = fuzzy = 0
    for unit in units:
        entry = entries.get(unit.id)
        if entry is None or not entry.msgstr:
            continue
        if entry.fuzzy or entry.msgid != unit.text:
            fuzzy += 1
        else:
            translated += 1
    return translated, fuzzy, len(units) - translated - fuzzy


def status(
    *,
    root: Path | None = None,
    pack_ids: Sequence[str] | None = None,
    languages: Sequence[str] | None = None,
) -> StatusReport:
    """Counts for *pack_ids* (default: all) in *languages* (default: the site's languages and
    every started one, without each pack's own language). Without *pack_ids*, the site's title
    and description (row ``_site``) and the UI catalogs too, as rows ``ui:widgets``, ``ui:site``
    and ``ui:theme``."""
    catalog, packs = open_catalog(root, pack_ids)
    config = catalog.require_config()
    if languages:
        for lang in languages:
            check_language(lang)
        langs = list(languages)
    else:
        langs = sorted({*config.languages, *catalog_languages(catalog.root)})
    report = StatusReport(config.thresholds.publish_translation)
    for pack in packs:
        units = pack_units(catalog, pack)
        report.problems += units.problems
        for lang in langs:
            if lang == pack.meta.language:
                continue
            path = catalog_path(catalog.root, lang, pack.id)
            entries: dict[str, Any] = {}
            if path.is_file():
                po, problems = read_catalog(path, display=catalog.rel(path))
                report.problems += problems
                entries = entries_by_id(po)
            translated, fuzzy, untranslated = classify(units.units, entries)
            report.rows.append(
                StatusRow(
                    pack.id, lang, len(units.units), translated, fuzzy, untranslated, path.is_file()
                )
            )
    if not pack_ids:
        from learnpacks.i18n.site import SITE_CATALOG, site_units
        from learnpacks.i18n.ui import count_ui

        site = site_units(catalog)
        for lang in langs:
            if lang == config.source_language:
                continue
            path = catalog_path(catalog.root, lang, SITE_CATALOG)
            entries = {}
            if path.is_file():
                po, problems = read_catalog(path, display=catalog.rel(path))
                report.problems += problems
                entries = entries_by_id(po)
            translated, fuzzy, untranslated = classify(site, entries)
            report.rows.append(
                StatusRow(
                    SITE_CATALOG, lang, len(site), translated, fuzzy, untranslated, path.is_file()
                )
            )

        for row in count_ui(langs):
            report.rows.append(
                StatusRow(
                    f"ui:{row.name}",
                    row.language,
                    row.total,
                    row.translated,
                    row.fuzzy,
                    row.total - row.translated - row.fuzzy,
                    row.started,
                )
            )
    return report


def _color(percent: float, threshold: float) -> str:
    # dark enough for white text at WCAG AA
    if percent >= 100 * threshold:
        return "#2e7d32"
    if percent >= 50:
        return "#a35200"
    return "#c62828"


def badge_svg(label: str, message: str, color: str) -> str:
    """A small flat badge, ``label | message``, with an accessible name."""
    left = 10 + 7 * len(label)
    right = 10 + 7 * len(message)
    width = left + right
    title = escape(f"{label}: {message}")
    label, message = escape(label), escape(message)
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="20" role="img" aria-label="{title}">'
        f"<title>{title}</title>"
        f'<rect width="{left}" height="20" fill="#555"/>'
        f'<rect x="{left}" width="{right}" height="20" fill="{color}"/>'
        f'<g fill="#fff" text-anchor="middle" font-family="Verdana,DejaVu Sans,sans-serif" font-size="11">'
        f'<text x="{left / 2}" y="14">{label}</text>'
        f'<text x="{left + right / 2}" y="14">{message}</text>'
        "</g></svg>\n"
    )


def write_badges(report: StatusReport, out_dir: Path) -> list[Path]:
    """Write ``<pack>-<lang>.svg`` for each row (``ui-widgets-<lang>.svg`` for a UI catalog) and
    ``<lang>.svg`` over all of them into *out_dir*."""
    out_dir.mkdir(parents=True, exist_ok=True)
    written = []
    for row in report.rows:
        path = out_dir / f"{row.pack.replace(':', '-')}-{row.language}.svg"
        path.write_text(
            badge_svg(row.language, f"{row.percent:.0f}%", _color(row.percent, report.threshold)),
            encoding="utf-8",
        )
        written.append(path)
    for lang, (done, total) in sorted(report.by_language().items()):
        percent = 100 * done / total if total else 100.0
        path = out_dir / f"{lang}.svg"
        path.write_text(
            badge_svg(f"translated {lang}", f"{percent:.0f}%", _color(percent, report.threshold)),
            encoding="utf-8",
        )
        written.append(path)
    return written

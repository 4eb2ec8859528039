"""Which pack is published in which language, from where, and how complete its translation is.

The site publishes the packs whose ``status`` in ``pack.yml`` is ``published`` (``book build``
with packs named builds those whatever their state: a preview). The source language publishes
them from ``packs/``. Another language publishes a pack when its review state there
(``translation_status``) is ``published`` or not given, ``learnpacks i18n build`` wrote its
translated notebooks (under ``build/notebooks/<lang>/<pack>/``) and their coverage reaches
``thresholds.publish_translation``; otherwise the site lists the pack as available in the
languages that have it.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from learnpacks.launch.links import TRANSLATED_DIR
from learnpacks.packs.catalog import Catalog, Pack, load_pack
from learnpacks.packs.model import PackMeta


@dataclass(frozen=True)
class NotebookState:
    """Translation state of one notebook, as recorded by ``i18n build`` in its metadata."""

    coverage: float = 1.0
    outdated: int = 0
    untranslated: int = 0
    units: int = 0
    translated: int = 0
    #: the other languages the page shows text in (fallback catalogs, the source), chain order
    shown_in: tuple[str, ...] = ()

    @classmethod
    def from_notebook(cls, path: Path) -> NotebookState:
        try:
            meta = json.loads(path.read_text(encoding="utf-8")).get("metadata", {})
        except (OSError, ValueError):
            return cls(coverage=0.0)
        state: Any = meta.get("learnpacks", {}).get("translation", {})
        if not isinstance(state, dict):
            return cls(coverage=0.0)
        coverage = state.get("coverage", 0.0)
        return cls(
            coverage=float(coverage) if isinstance(coverage, (int, float)) else 0.0,
            outdated=_count(state.get("outdated")),
            untranslated=_count(state.get("untranslated")),
            units=_count(state.get("units")),
            translated=_count(state.get("translated")),
            shown_in=_fallback_languages(state),
        )


def _fallback_languages(state: dict[str, Any]) -> tuple[str, ...]:
    """The languages the units not shown in the page's language are shown in: a unit without a
    usable translation shows the text of the next catalog of the chain that has one, or the source."""
    source = state.get("source_language")
    shown_in = state.get("shown_in")
    chain = state.get("fallback")
    if not isinstance(source, str) or not isinstance(chain, list):
        return ()
    by_unit = shown_in if isinstance(shown_in, dict) else {}
    found = {str(lang) for lang in by_unit.values()}
    for key in ("untranslated", "outdated", "rejected"):
        units = state.get(key)
        if isinstance(units, list):
            found |= {str(by_unit.get(u, source)) for u in units if isinstance(u, str)}
    order = [str(lang) for lang in chain]
    return tuple(
        sorted(found, key=lambda lang: (order.index(lang) if lang in order else len(order), lang))
    )


def _count(value: Any) -> int:
    if isinstance(value, list):
        return len(value)
    return int(value) if isinstance(value, int) else 0


@dataclass(frozen=True)
class Edition:
    """A pack in one language: where its notebooks are and how complete it is."""

    pack: Pack
    language: str
    folder: Path
    notebooks: dict[str, NotebookState] = field(default_factory=dict)
    #: the pack's metadata in this language (translated title, summary, objectives)
    meta: PackMeta | None = None
    #: pack-level coverage as decided by ``i18n build`` (metadata included), when known
    pack_coverage: float | None = None

    @property
    def coverage(self) -> float:
        """Share of the pack's translatable units translated and current (1.0 in the source)."""
        if self.pack_coverage is not None:
            return self.pack_coverage
        if not self.notebooks:
            return 1.0
        units = sum(s.units for s in self.notebooks.values())
        if units:
            return sum(s.translated for s in self.notebooks.values()) / units
        return sum(s.coverage for s in self.notebooks.values()) / len(self.notebooks)

    @property
    def info(self) -> PackMeta:
        return self.meta or self.pack.meta

    @property
    def is_source(self) -> bool:
        return self.language == self.pack.meta.language


@dataclass
class SitePlan:
    source_language: str
    languages: list[str]
    packs: list[Pack]
    #: language -> pack id -> edition, for published editions only
    editions: dict[str, dict[str, Edition]]

    def languages_of(self, pack_id: str) -> list[str]:
        return [lang for lang in self.languages if pack_id in self.editions.get(lang, {})]


def translated_folder(root: Path, language: str, pack_id: str) -> Path:
    return root / TRANSLATED_DIR / language / pack_id


def plan_site(
    catalog: Catalog,
    *,
    packs: Sequence[Pack],
    languages: Sequence[str],
    threshold: float,
    preview: bool = False,
) -> SitePlan:
    """Decide, for every language and pack, whether and from where it is published: a translation
    whose review state in ``pack.yml`` (``translation_status``) is draft or review is not, unless
    this is a *preview* (packs named on the command line)."""
    config = catalog.require_config()
    editions: dict[str, dict[str, Edition]] = {}
    for language in languages:
        editions[language] = {}
        for pack in packs:
            if language == pack.meta.language:
                editions[language][pack.id] = Edition(pack, language, pack.folder)
                continue
            if not preview and pack.meta.translation_state(language) != "published":
                continue
            folder = translated_folder(catalog.root, language, pack.id)
            states = {
                nb: NotebookState.from_notebook(folder / nb)
                for nb in pack.meta.notebooks
                if (folder / nb).is_file()
            }
            if len(states) != len(pack.meta.notebooks):
                continue
            translated, _problems = load_pack(folder, display=str(folder / "pack.yml"))
            edition = Edition(
                pack, language, folder, states, translated.meta if translated else None
            )
            if edition.coverage >= threshold:
                editions[language][pack.id] = edition
    return SitePlan(config.source_language, list(languages), list(packs), editions)

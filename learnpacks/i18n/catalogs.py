"""``extract``, ``init`` and ``update``: the template and translation catalogs under ``translations/``.

Layout: ``translations/templates/<pack>.pot`` and ``translations/<lang>/<pack>.po``, and the
site's title and description in ``_site.pot`` and ``_site.po`` (:mod:`learnpacks.i18n.site`). Files are
written only when their text changes, so running a command twice changes nothing and a
one-word change in a notebook is a one-entry change in the catalogs.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

import polib

from learnpacks.errors import Problem, UsageError
from learnpacks.i18n.languages import plural_forms
from learnpacks.i18n.po import (
    MergeStats,
    merge,
    new_catalog,
    read_catalog,
    template,
    write_if_changed,
)
from learnpacks.i18n.units import PackUnits, pack_units
from learnpacks.packs.catalog import Catalog, Pack, load_catalog
from learnpacks.packs.model import LANG_RE

TRANSLATIONS = "translations"
TEMPLATES = "templates"


def translations_dir(root: Path) -> Path:
    return root / TRANSLATIONS


def template_path(root: Path, pack_id: str) -> Path:
    return root / TRANSLATIONS / TEMPLATES / f"{pack_id}.pot"


def catalog_path(root: Path, lang: str, pack_id: str) -> Path:
    return root / TRANSLATIONS / lang / f"{pack_id}.po"


def catalog_languages(root: Path) -> list[str]:
    """Languages that have a folder under ``translations/``."""
    folder = translations_dir(root)
    if not folder.is_dir():
        return []
    return sorted(
        p.name
        for p in folder.iterdir()
        if p.is_dir() and p.name != TEMPLATES and LANG_RE.match(p.name)
    )


def open_catalog(root: Path | None, pack_ids: Sequence[str] | None) -> tuple[Catalog, list[Pack]]:
    """The project and the packs asked for (all by default); unknown ids are a usage error."""
    catalog = load_catalog(root)
    catalog.require_config()
    if pack_ids:
        return catalog, [catalog.get(pid) for pid in pack_ids]
    return catalog, [catalog.packs[k] for k in sorted(catalog.packs)]


def check_language(lang: str) -> None:
    if not LANG_RE.match(lang):
        raise UsageError(
            f"{lang!r} is not a language code learnpacks publishes (a BCP 47 code such as fr, pt-BR, sr-Latn)",
            code="i18n.unknown-language",
        )


@dataclass
class CatalogResult:
    """What a catalog command wrote, left alone, and found wrong."""

    written: list[Path] = field(default_factory=list)
    unchanged: list[Path] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    stats: dict[str, dict[str, int]] = field(default_factory=dict)

    @property
    def paths(self) -> list[Path]:
        return sorted([*self.written, *self.unchanged])

    def record(self, path: Path, changed: bool) -> None:
        (self.written if changed else self.unchanged).append(path)


def bugs_url(catalog: Catalog) -> str | None:
    """Where translators report a wrong source text (a template's ``Report-Msgid-Bugs-To``)."""
    repository = catalog.require_config().repository
    return f"{repository.rstrip('/')}/issues" if repository else None


def pack_template(catalog: Catalog, units: PackUnits) -> polib.POFile:
    meta = units.pack.meta
    return template(
        units.units,
        pack_id=meta.id,
        title=meta.title,
        source_language=meta.language,
        bugs_to=bugs_url(catalog),
    )


def _templates(
    catalog: Catalog, packs: Sequence[Pack], result: CatalogResult
) -> dict[str, polib.POFile]:
    """Extract every pack's template; a pack with an unreadable notebook gets none (its
    catalogs would otherwise lose that notebook's translations)."""
    templates = {}
    for pack in packs:
        units = pack_units(catalog, pack)
        result.problems += units.problems
        if any(p.severity == "error" for p in units.problems):
            continue
        pot = pack_template(catalog, units)
        path = template_path(catalog.root, pack.id)
        result.record(path, write_if_changed(pot, path))
        templates[pack.id] = pot
    return templates


def extract(*, root: Path | None = None, pack_ids: Sequence[str] | None = None) -> CatalogResult:
    """Write ``translations/templates/<pack>.pot`` for each pack (default: all), and without
    *pack_ids* the site's ``_site.pot``.

    A pack with a notebook that cannot be read keeps its old template; the reason is in
    ``problems``. Raises :class:`UsageError` for an unknown pack id.
    """
    catalog, packs = open_catalog(root, pack_ids)
    result = CatalogResult()
    _templates(catalog, packs, result)
    if not pack_ids:
        _site_template(catalog, result)
    return result


def _site_template(catalog: Catalog, result: CatalogResult) -> polib.POFile:
    """Write ``translations/templates/_site.pot``: the site's title and description."""
    from learnpacks.i18n.site import SITE_CATALOG, site_template

    pot = site_template(catalog)
    path = template_path(catalog.root, SITE_CATALOG)
    result.record(path, write_if_changed(pot, path))
    return pot


def _site_catalogs(
    catalog: Catalog, result: CatalogResult, languages: Sequence[str], *, merge_existing: bool
) -> None:
    """Start (and with *merge_existing*, merge) ``translations/<lang>/_site.po`` for *languages*;
    a new one takes the config's older ``translations:`` entry of its language."""
    from learnpacks.i18n.site import SITE_CATALOG, seeded

    pot = _site_template(catalog, result)
    for lang in languages:
        if lang == catalog.require_config().source_language:
            continue
        path = catalog_path(catalog.root, lang, SITE_CATALOG)
        if path.exists() and not merge_existing:
            result.unchanged.append(path)
            continue

        def started(po: polib.POFile, lang: str = lang) -> polib.POFile:
            po.header = (
                f"The site's title and description in {lang}.\n"
                "Translate with a PO editor or a translation platform; see docs/translators.md."
            )
            return seeded(po, catalog, lang)

        _merge_into(path, pot, lang, catalog.rel(path), result, start=started)


def _merge_into(
    path: Path,
    pot: polib.POFile,
    lang: str,
    display: str,
    result: CatalogResult,
    *,
    start: Callable[[polib.POFile], polib.POFile] = lambda po: po,
) -> None:
    """Merge *pot* into the catalog at *path* (msgmerge semantics), or start it from *pot*
    (through *start*) when there is none; record what was written."""
    if path.exists():
        po, problems = read_catalog(path, display=display)
        result.problems += problems
        if po is None:
            return
        stats = merge(po, pot)
        _refresh_header(po, pot)
        po.metadata["Plural-Forms"] = plural_forms(lang)
    else:
        po = start(new_catalog(pot, lang))
        stats = MergeStats(new=len(po))
    result.record(path, write_if_changed(po, path))
    result.stats[display] = stats.as_dict()


def _refresh_header(po: polib.POFile, pot: polib.POFile) -> None:
    for key, value in pot.metadata.items():
        if key in ("Project-Id-Version", "Report-Msgid-Bugs-To") or key.startswith("X-Learnpacks-"):
            po.metadata[key] = value


def init(
    lang: str, *, root: Path | None = None, pack_ids: Sequence[str] | None = None
) -> CatalogResult:
    """Start *lang*: extract the templates and create ``translations/<lang>/<pack>.po`` where
    missing, and (unless *pack_ids* narrows it to packs) the site's title and description
    (``_site.po``, :mod:`learnpacks.i18n.site`) and the UI catalogs: the widgets', the
    site's and the theme's gaps (:mod:`learnpacks.i18n.ui`). Existing catalogs are left as they
    are (``update`` merges them)."""
    check_language(lang)
    catalog, packs = open_catalog(root, pack_ids)
    result = CatalogResult()
    if packs and all(pack.meta.language == lang for pack in packs):
        raise UsageError(
            f"the packs are written in {lang!r}: there is nothing to translate into it",
            code="i18n.source-language",
        )
    templates = _templates(catalog, packs, result)
    for pack in packs:
        if pack.meta.language == lang:
            continue  # a pack is not translated into its own language
        pot = templates.get(pack.id)
        path = catalog_path(catalog.root, lang, pack.id)
        if pot is None or path.exists():
            if path.exists():
                result.unchanged.append(path)
            continue
        po = new_catalog(pot, lang)
        result.record(path, write_if_changed(po, path))
        result.stats[catalog.rel(path)] = {"new": len(po)}
    if not pack_ids:
        from learnpacks.i18n.ui import init_ui

        _site_catalogs(catalog, result, [lang], merge_existing=False)
        for path, written, entries in init_ui(lang):
            result.record(path, written)
            if written:
                result.stats[path.as_posix()] = {"new": entries}
    config = catalog.require_config()
    if lang not in config.languages:
        result.problems.append(
            Problem(
                catalog.rel(catalog.packs_dir / "_config.yml"),
                "i18n.language-not-published",
                f"{lang!r} is not in `languages`; its catalogs are translated but not built",
                "languages",
                "warning",
                hint=f"add {lang} to languages in packs/_config.yml to publish it",
            )
        )
    return result


def update(
    *,
    root: Path | None = None,
    pack_ids: Sequence[str] | None = None,
    languages: Sequence[str] | None = None,
    extract_first: bool = True,
) -> CatalogResult:
    """Merge each pack's template into ``translations/<lang>/<pack>.po`` for every started
    language (default: every folder under ``translations/``), creating missing catalogs; without
    *pack_ids*, the site's ``_site.po`` and the UI catalogs too.

    With *extract_first* (the default) the templates are extracted first, so they match the
    notebooks; otherwise the templates on disk are merged as they are.
    """
    catalog, packs = open_catalog(root, pack_ids)
    langs = list(languages) if languages else catalog_languages(catalog.root)
    for lang in langs:
        check_language(lang)
    result = CatalogResult()
    if extract_first:
        templates = _templates(catalog, packs, result)
    else:
        templates = {}
        for pack in packs:
            path = template_path(catalog.root, pack.id)
            if not path.is_file():
                raise UsageError(
                    f"no template {catalog.rel(path)}: run `learnpacks i18n extract` first",
                    code="i18n.no-template",
                )
            pot, problems = read_catalog(path, display=catalog.rel(path))
            result.problems += problems
            if pot is not None:
                templates[pack.id] = pot
    for lang in langs:
        for pack in packs:
            pot = templates.get(pack.id)
            if pot is None or pack.meta.language == lang:
                continue
            path = catalog_path(catalog.root, lang, pack.id)
            _merge_into(path, pot, lang, catalog.rel(path), result)
    if not pack_ids:
        from learnpacks.i18n.ui import update_ui

        _site_catalogs(catalog, result, langs, merge_existing=True)
        for path, written in update_ui(languages):
            result.record(path, written)
    return result

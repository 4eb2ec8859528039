"""``build``: translated copies of each pack, one folder per language, outside the source tree.

For each pack and language, ``<out>/<lang>/<pack>/`` gets the pack's files, a translated
``pack.yml`` and its notebooks with the same cells and ids, each translated unit substituted in
place. A unit that is untranslated, fuzzy, outdated or rejected by ``check`` falls back along
the chain (``pt-BR`` → ``pt`` → source). Translated strings enter code only as escaped string
literals. Each notebook records its translation state in ``metadata.learnpacks.translation``,
and ``<out>/manifest.json`` says which languages are published for which pack.
"""

from __future__ import annotations

import ast
import copy
import hashlib
import json
import shutil
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import nbformat
import polib
import yaml

from learnpacks.errors import Problem, UsageError
from learnpacks.i18n.catalogs import catalog_path, check_language, open_catalog
from learnpacks.i18n.direction import wrap_rtl
from learnpacks.i18n.graded import entry_grading_problems, require_same_grading
from learnpacks.i18n.languages import fallback_chain, is_rtl
from learnpacks.i18n.markup import inert_markdown, inert_text
from learnpacks.i18n.po import entries_by_id, read_catalog
from learnpacks.i18n.pyunits import one_line_comment, python_literal
from learnpacks.i18n.spans import Found, splice
from learnpacks.i18n.units import MARKDOWN_KINDS, NotebookUnits, PackUnits, Unit, pack_units
from learnpacks.i18n.validate import entry_problems, structure_failures
from learnpacks.packs.catalog import PACK_FILE, Catalog
from learnpacks.packs.yamlfile import read_yaml
from learnpacks.stamps import tree_stamp

MANIFEST = "manifest.json"
DEFAULT_OUT = Path("build") / "notebooks"


@dataclass
class Resolution:
    """How each unit of a pack is shown in one language."""

    language: str
    chain: list[str]
    #: unit id -> (text to show, language it is in)
    shown: dict[str, tuple[str, str]] = field(default_factory=dict)
    outdated: list[str] = field(default_factory=list)
    untranslated: list[str] = field(default_factory=list)
    rejected: list[str] = field(default_factory=list)
    #: rejected units shown anyway (forced), made inert
    forced: list[str] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    def translated(self, ids: Sequence[str], source_language: str) -> int:
        return sum(1 for i in ids if i in self.shown and self.shown[i][1] != source_language)


@dataclass
class PackLanguage:
    """The outcome for one pack in one language."""

    pack: str
    language: str
    units: int
    translated: int
    coverage: float
    published: bool
    written: bool
    outdated: int = 0
    untranslated: int = 0
    rejected: int = 0
    folder: str | None = None

    def to_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


@dataclass
class BuildResult:
    """What ``build`` wrote, per pack and language, and what it had to reject."""

    out_dir: Path
    threshold: float
    items: list[PackLanguage] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "out_dir": str(self.out_dir),
            "threshold": self.threshold,
            "items": [i.to_dict() for i in self.items],
            "problems": [p.to_dict() for p in self.problems],
        }

    def table(self) -> str:
        rows = [
            f"{'pack':<32} {'lang':<6} {'coverage':>8}  {'outdated':>8} {'missing':>7} {'rejected':>8}  published"
        ]
        for i in self.items:
            mark = "yes" if i.published else f"no (below {self.threshold:.0%})"
            rows.append(
                f"{i.pack:<32} {i.language:<6} {i.coverage:>8.0%}  {i.outdated:>8} {i.untranslated:>7} {i.rejected:>8}  {mark}"
            )
        return "\n".join(rows)


def _check_out_dir(catalog: Catalog, out_dir: Path) -> Path:
    out = out_dir.resolve()
    root = catalog.root.resolve()
    if out == root:
        raise UsageError(
            f"--out {out_dir} is the project folder: build writes into a folder of its own",
            code="i18n.bad-out",
        )
    for protected in (root / "packs", root / "translations"):
        if out == protected or protected in out.parents:
            raise UsageError(
                f"--out {out_dir} is inside {catalog.rel(protected)}/: build never writes into the source tree",
                code="i18n.bad-out",
            )
    return out


def _check_pack_folder(catalog: Catalog, folder: Path) -> None:
    """*folder* (``<out>/<lang>/<pack>``, emptied before writing) must not hold or be part of the project."""
    target = folder.resolve()
    root = catalog.root.resolve()
    if (
        target == root
        or target in root.parents
        or root in target.parents
        and target.parts[len(root.parts)] in ("packs", "translations")
    ):
        raise UsageError(
            f"{folder} would overwrite the project's sources: choose another --out",
            code="i18n.bad-out",
        )


def _load(
    catalog: Catalog, lang: str, pack_id: str, problems: list[Problem]
) -> dict[str, polib.POEntry] | None:
    path = catalog_path(catalog.root, lang, pack_id)
    if not path.is_file():
        return None
    po, read_problems = read_catalog(path, display=catalog.rel(path))
    problems += read_problems
    if po is None:
        return None
    return entries_by_id(po)


def resolve(
    units: PackUnits,
    lang: str,
    catalogs: dict[str, dict[str, polib.POEntry] | None],
    *,
    displays: dict[str, str],
    force: bool = False,
) -> Resolution:
    """Choose, for every unit of the pack, the text *lang* shows, following the fallback chain."""
    source_language = units.pack.meta.language
    chain = [
        lang,
        *fallback_chain(lang, source_language, [k for k, v in catalogs.items() if v is not None]),
    ]
    result = Resolution(lang, chain)
    if lang == source_language:
        return result
    sources = units.cell_sources
    for unit in units.units:
        for candidate in chain[:-1]:
            entries = catalogs.get(candidate) or {}
            entry = entries.get(unit.id)
            if entry is None or not entry.msgstr:
                continue
            if entry.fuzzy or entry.msgid != unit.text:
                if candidate == lang:
                    result.outdated.append(unit.id)
                continue
            problems = entry_problems(entry, unit, display=displays[candidate], cell_source=None)
            if problems:
                if candidate == lang:
                    result.rejected.append(unit.id)
                result.problems += [_as_warning(p, force) for p in problems]
                if force and candidate == lang:
                    result.forced.append(unit.id)
                    result.shown[unit.id] = (entry.msgstr, candidate)
                    break
                continue
            result.shown[unit.id] = (entry.msgstr, candidate)
            break
        if (
            unit.id not in result.shown
            and unit.id not in result.outdated
            and unit.id not in result.rejected
        ):
            result.untranslated.append(unit.id)
    _structure_pass(units, result, sources, displays, force)
    return result


def _as_warning(problem: Problem, force: bool) -> Problem:
    action = "used escaped (--force)" if force else "the source is shown instead"
    return Problem(
        problem.path,
        problem.code,
        f"{problem.message}; {action}",
        problem.location,
        "warning",
        problem.hint,
    )


def _structure_pass(
    units: PackUnits,
    result: Resolution,
    sources: dict[str, str],
    displays: dict[str, str],
    force: bool,
) -> None:
    """Reject translations that would change how their markdown cell reads (one parse per cell)."""
    for nb in units.notebooks:
        by_cell: dict[int, list[Unit]] = {}
        for unit in nb.units:
            if unit.cell_index is not None:
                by_cell.setdefault(unit.cell_index, []).append(unit)
        for cell_units in by_cell.values():
            markdown = [u for u in cell_units if u.kind in MARKDOWN_KINDS]
            if not markdown:
                continue
            replacements = {
                i: result.shown[u.id][0]
                for i, u in enumerate(markdown)
                if u.id in result.shown and u.id not in result.forced and u.found is not None
            }
            before = [u.found for u in markdown if u.found is not None]
            if len(before) != len(markdown):
                continue
            failures = structure_failures(sources[markdown[0].id], before, replacements)
            for i, reason in failures.items():
                unit = markdown[i]
                _text, shown_lang = result.shown[unit.id]
                where = f"msgctxt {unit.id!r}"
                result.problems.append(
                    _as_warning(
                        Problem(displays[shown_lang], "i18n.breaks-structure", reason, where), force
                    )
                )
                if shown_lang == result.language:
                    result.rejected.append(unit.id)
                if force:
                    result.forced.append(unit.id)
                else:
                    del result.shown[unit.id]
                    if shown_lang != result.language:
                        result.untranslated.append(unit.id)


def _quote_of(literal: str) -> str:
    body = literal.lstrip("rRuU")
    return body[0] if body[:1] in ("'", '"') else '"'


def code_for(found: Found, text: str, *, inert: bool) -> str:
    """What replaces a code unit: an escaped literal for a string, a one-line body for a comment."""
    if found.kind == "code-comment":
        return one_line_comment(text)
    if inert:
        text = inert_text(text)
    try:
        if ast.literal_eval(found.literal) == text:
            return found.literal
    except (ValueError, SyntaxError):
        pass
    return python_literal(text, _quote_of(found.literal))


def _replacement(unit: Unit, text: str, *, inert: bool) -> str:
    found = unit.found
    assert found is not None
    if found.flat:
        return code_for(found, text, inert=inert)
    if inert:
        return inert_text(text) if unit.kind == "html-alt" else inert_markdown(text)
    return text


def translate_notebook(
    nb: NotebookUnits, resolution: Resolution, metadata: dict[str, Any]
) -> nbformat.NotebookNode:
    """A copy of the notebook with its units replaced as *resolution* says, and *metadata* recorded."""
    out = copy.deepcopy(nb.notebook)
    by_cell: dict[int, list[tuple[Found, str]]] = {}
    forced = set(resolution.forced)
    for unit in nb.units:
        if unit.id not in resolution.shown or unit.found is None or unit.cell_index is None:
            continue
        text = resolution.shown[unit.id][0]
        by_cell.setdefault(unit.cell_index, []).append(
            (unit.found, _replacement(unit, text, inert=unit.id in forced))
        )
    for index, replacements in by_cell.items():
        cell = out.cells[index]
        cell["source"] = splice(cell.get("source", ""), replacements)
    out.metadata.setdefault("learnpacks", {})["translation"] = metadata
    if is_rtl(resolution.language):
        for cell in out.cells:
            wrap_rtl(cell)
    return out


def _metadata(
    resolution: Resolution,
    ids: list[str],
    source_language: str,
    *,
    published: bool,
    catalog: str | None,
) -> dict[str, Any]:
    idset = set(ids)
    translated = (
        resolution.translated(ids, source_language)
        if resolution.language != source_language
        else len(ids)
    )
    return {
        "language": resolution.language,
        "source_language": source_language,
        "coverage": round(translated / len(ids), 4) if ids else 1.0,
        "units": len(ids),
        "translated": translated,
        "outdated": [i for i in resolution.outdated if i in idset],
        "untranslated": [i for i in resolution.untranslated if i in idset],
        "rejected": [i for i in resolution.rejected if i in idset],
        "fallback": resolution.chain[1:] if resolution.language != source_language else [],
        "shown_in": {
            i: resolution.shown[i][1]
            for i in ids
            if i in resolution.shown and resolution.shown[i][1] != resolution.language
        },
        "rtl": is_rtl(resolution.language),
        "direction": "rtl" if is_rtl(resolution.language) else "ltr",
        "published": published,
        "catalog": catalog,
    }


def _copy_pack_files(src: Path, dest: Path, skip: set[str]) -> None:
    """Copy the pack's other files (data, images): regular files only, no links, no hidden folders."""
    for path in sorted(src.rglob("*")):
        rel = path.relative_to(src)
        if (
            any(part.startswith(".") for part in rel.parts)
            or path.is_symlink()
            or not path.is_file()
        ):
            continue
        if len(rel.parts) == 1 and rel.name in skip:
            continue
        target = dest / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, target)


def _pack_yml(units: PackUnits, resolution: Resolution, lang: str) -> str:
    data, _problems = read_yaml(
        units.pack.folder / PACK_FILE, display=PACK_FILE, code_prefix="pack"
    )
    data = dict(data or units.pack.meta.model_dump(mode="json"))

    def shown(unit_id: str, default: str) -> str:
        if unit_id not in resolution.shown:
            return default
        text = resolution.shown[unit_id][0]
        return inert_text(text) if unit_id in resolution.forced else " ".join(text.split())

    data["title"] = shown("pack.yml#title", units.pack.meta.title)
    data["summary"] = shown("pack.yml#summary", units.pack.meta.summary)
    data["objectives"] = [
        shown(f"pack.yml#objectives#{n}", o) for n, o in enumerate(units.pack.meta.objectives, 1)
    ]
    for key in ("topics", "audience"):
        data[key] = [
            shown(f"pack.yml#{key}#{n}", item)
            for n, item in enumerate(getattr(units.pack.meta, key), 1)
        ]
    data["language"] = lang
    header = f"# Generated by `learnpacks i18n build` from packs/{units.pack.id}/pack.yml ({lang}); edit the source and the catalogs, not this file.\n"
    return header + yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=100)


def build(
    *,
    root: Path | None = None,
    out_dir: Path | None = None,
    languages: Sequence[str] | None = None,
    pack_ids: Sequence[str] | None = None,
    force: bool = False,
    include_unpublished: bool = False,
) -> BuildResult:
    """Write translated packs into *out_dir* (default ``build/notebooks`` in the project).

    *languages* default to ``packs/_config.yml``'s; *pack_ids* to all packs. A language is
    written for a pack when its coverage reaches ``thresholds.publish_translation`` (or always
    with *include_unpublished*); the source language is always written. With *force*,
    translations that fail ``check`` are used, made inert; otherwise the source is shown.
    Raises :class:`UsageError` when *out_dir* is inside the source tree.
    """
    catalog, packs = open_catalog(root, pack_ids)
    config = catalog.require_config()
    out = _check_out_dir(catalog, out_dir if out_dir is not None else catalog.root / DEFAULT_OUT)
    langs = list(languages) if languages else list(config.languages)
    for lang in langs:
        check_language(lang)
    threshold = config.thresholds.publish_translation
    result = BuildResult(out, threshold)
    manifest_path = out / MANIFEST
    manifest = _read_manifest(manifest_path)
    # each language and the broader ones it falls back to (pt-BR: pt-BR, pt)
    needed = {
        "-".join(lang.split("-")[:n]) for lang in langs for n in range(1, lang.count("-") + 2)
    }
    settings = [langs, list(config.languages), threshold, force, include_unpublished, _code()]
    kept_path = out / KEPT_FILE
    kept = _read_manifest(kept_path)
    for pack in packs:
        key = _pack_key(catalog, pack.id, pack.folder, sorted(needed), settings)
        if _reuse(kept.get(pack.id), key, out, pack.id, result):
            continue  # nothing it is made from changed, and its output is as written
        kept.pop(pack.id, None)
        first_item, first_problem = len(result.items), len(result.problems)
        units = pack_units(catalog, pack)
        result.problems += units.problems
        if any(p.severity == "error" for p in units.problems):
            continue
        catalogs = {
            c: _load(catalog, c, pack.id, result.problems)
            for c in sorted(needed)
            if c != pack.meta.language
        }
        displays = {c: catalog.rel(catalog_path(catalog.root, c, pack.id)) for c in needed}
        offered = {u.id for u in units.units}
        for c, entries in catalogs.items():  # never used (not units); said, so it gets fixed
            for entry in (entries or {}).values():
                result.problems += [
                    _as_warning(p, False)
                    for p in entry_grading_problems(
                        entry, units.withheld, offered, display=displays[c]
                    )
                ]
        all_ids = [u.id for u in units.units]
        for lang in langs:
            resolution = resolve(units, lang, catalogs, displays=displays, force=force)
            result.problems += resolution.problems
            is_source = lang == pack.meta.language
            translated = (
                len(all_ids) if is_source else resolution.translated(all_ids, pack.meta.language)
            )
            coverage = translated / len(all_ids) if all_ids else 1.0
            published = is_source or coverage >= threshold
            folder = out / lang / pack.id
            _check_pack_folder(catalog, folder)
            if folder.exists():
                shutil.rmtree(folder)
            write = published or include_unpublished
            if write:
                _write_pack(
                    units,
                    resolution,
                    folder,
                    published=published,
                    catalog_display=None if is_source else displays[lang],
                )
            item = PackLanguage(
                pack.id,
                lang,
                len(all_ids),
                translated,
                round(coverage, 4),
                published,
                write,
                len(resolution.outdated),
                len(resolution.untranslated),
                len(resolution.rejected),
                folder.relative_to(out).as_posix() if write else None,
            )
            result.items.append(item)
            manifest.setdefault("packs", {}).setdefault(pack.id, {})[lang] = {
                **item.to_dict(),
                "rtl": is_rtl(lang),
                "offer": lang if published else pack.meta.language,
            }
        kept[pack.id] = {
            "key": key,
            "items": [i.to_dict() for i in result.items[first_item:]],
            "problems": [p.to_dict() for p in result.problems[first_problem:]],
            "outputs": {lang: tree_stamp(out / lang / pack.id) for lang in langs},
        }
    manifest["source_language"] = config.source_language
    manifest["languages"] = list(config.languages)
    manifest["threshold"] = threshold
    out.mkdir(parents=True, exist_ok=True)
    manifest_path.write_text(
        json.dumps(manifest, indent=2, ensure_ascii=False, sort_keys=True) + "\n", encoding="utf-8"
    )
    kept_path.write_text(json.dumps(kept, sort_keys=True) + "\n", encoding="utf-8")
    # a fallback catalog's rejections show up once, not once per language that falls back to it
    result.problems = sorted(set(result.problems))
    return result


def _write_pack(
    units: PackUnits,
    resolution: Resolution,
    folder: Path,
    *,
    published: bool,
    catalog_display: str | None,
) -> None:
    source_language = units.pack.meta.language
    folder.mkdir(parents=True, exist_ok=True)
    _copy_pack_files(units.pack.folder, folder, {PACK_FILE, *units.pack.meta.notebooks})
    (folder / PACK_FILE).write_text(
        _pack_yml(units, resolution, resolution.language), encoding="utf-8"
    )
    for nb in units.notebooks:
        ids = [u.id for u in nb.units]
        meta = _metadata(
            resolution, ids, source_language, published=published, catalog=catalog_display
        )
        translated = translate_notebook(nb, resolution, meta)
        display = f"{resolution.language}/{units.pack.id}/{nb.name}"
        require_same_grading(nb.notebook, translated, display=display)
        nbformat.write(translated, folder / nb.name)


#: beside the manifest: what each pack's translation was made from (:func:`_reuse`); this
#: machine's file times, so it is not part of what is published (``hub publish`` leaves it out)
KEPT_FILE = ".learnpacks-kept.json"


def _code() -> str:
    """A stamp of learnpacks' own code: a new version translates everything again."""
    return tree_stamp(Path(__file__).resolve().parent.parent, skip={"__pycache__"})


def _pack_key(
    catalog: Catalog, pack_id: str, folder: Path, languages: list[str], settings: list[Any]
) -> str:
    """What a pack's translations are made from: its files, its catalogs and the settings."""
    catalogs: dict[str, list[int] | None] = {}
    for lang in languages:
        path = catalog_path(catalog.root, lang, pack_id)
        try:
            info = path.stat()
            catalogs[lang] = [info.st_size, info.st_mtime_ns]
        except OSError:
            catalogs[lang] = None
    made_of = [tree_stamp(folder), catalogs, settings]
    return hashlib.sha256(json.dumps(made_of, sort_keys=True).encode()).hexdigest()


def _reuse(kept: Any, key: str, out: Path, pack_id: str, result: BuildResult) -> bool:
    """Whether the pack *kept* describes can stay as written: made from what *key* says, and
    its output folders as they were left. Its outcome and problems then go into *result*."""
    if not isinstance(kept, dict) or kept.get("key") != key:
        return False
    try:
        outputs = dict(kept["outputs"])
        if any(tree_stamp(out / lang / pack_id) != stamp for lang, stamp in outputs.items()):
            return False
        items = [PackLanguage(**item) for item in kept["items"]]
        problems = [Problem(**problem) for problem in kept["problems"]]
    except (KeyError, TypeError, ValueError):
        return False
    result.items += items
    result.problems += problems
    return True


def _read_manifest(path: Path) -> dict[str, Any]:
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}

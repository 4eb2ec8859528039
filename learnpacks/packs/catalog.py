"""Finding the project, loading ``packs/_config.yml`` and every ``pack.yml``.

Loading never raises on bad content: it returns what it could read together
with coded problems, so one broken pack never hides the others.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import ValidationError

from learnpacks.errors import ConfigError, Problem, UsageError
from learnpacks.packs.model import (
    CONFIG_SCHEMA_VERSION,
    PACK_ID_RE,
    PACK_SCHEMA_VERSION,
    PackMeta,
    SiteConfig,
    schema_version_problem,
    validation_problems,
)
from learnpacks.packs.project import (
    CONFIG_NAME,
    PACK_FILE,
    display_path,
    find_root,
    pack_folders,
)
from learnpacks.packs.yamlfile import read_yaml


@dataclass(frozen=True)
class Pack:
    """A pack folder and its validated metadata."""

    folder: Path
    meta: PackMeta

    @property
    def id(self) -> str:
        return self.meta.id

    def notebook_paths(self) -> list[Path]:
        return [self.folder / name for name in self.meta.notebooks]


@dataclass
class Catalog:
    """The project: its site configuration, its packs, and what was wrong reading them."""

    root: Path
    config: SiteConfig | None
    packs: dict[str, Pack] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    #: pack folders whose pack.yml could not be read, by folder name
    broken: dict[str, Path] = field(default_factory=dict)

    @property
    def packs_dir(self) -> Path:
        return self.root / "packs"

    def rel(self, path: Path) -> str:
        return display_path(path, self.root)

    def get(self, pack_id: str) -> Pack:
        """The pack called *pack_id*, or a :class:`UsageError` listing the known ones."""
        if pack_id in self.packs:
            return self.packs[pack_id]
        if pack_id in self.broken:
            raise ConfigError(
                f"pack {pack_id!r} has an invalid pack.yml",
                [p for p in self.problems if p.path.startswith(f"packs/{pack_id}/")],
                code="pack.invalid",
                path=f"packs/{pack_id}/pack.yml",
            )
        # every pack folder, also those a partial load (``only=``) did not read
        known = ", ".join(sorted({*self.packs, *(f.name for f in pack_folders(self.packs_dir))}))
        known = known or "none"
        raise UsageError(
            f"no pack {pack_id!r} in {self.rel(self.packs_dir)}/ (known packs: {known})",
            code="pack.unknown",
        )

    def require_config(self) -> SiteConfig:
        if self.config is None:
            raise ConfigError(
                f"{self.rel(self.packs_dir / CONFIG_NAME)} is invalid",
                [p for p in self.problems if p.path.endswith(CONFIG_NAME)],
                code="config.invalid",
                path=self.rel(self.packs_dir / CONFIG_NAME),
            )
        return self.config


def load_config(path: Path, *, display: str) -> tuple[SiteConfig | None, list[Problem]]:
    data, problems = read_yaml(path, display=display, code_prefix="config")
    if data is None:
        return None, problems
    version = schema_version_problem(data, CONFIG_SCHEMA_VERSION, display=display, prefix="config")
    if version is not None:
        return None, [version]
    try:
        return SiteConfig.model_validate(data), []
    except ValidationError as exc:
        return None, validation_problems(exc, SiteConfig, display=display, prefix="config")


def load_pack(folder: Path, *, display: str) -> tuple[Pack | None, list[Problem]]:
    """Read and validate ``folder/pack.yml``; *display* is the file as shown to users."""
    data, problems = read_yaml(folder / PACK_FILE, display=display, code_prefix="pack")
    if data is None:
        return None, problems
    version = schema_version_problem(data, PACK_SCHEMA_VERSION, display=display, prefix="pack")
    if version is not None:
        return None, [version]
    try:
        meta = PackMeta.model_validate(data)
    except ValidationError as exc:
        return None, validation_problems(exc, PackMeta, display=display, prefix="pack")
    if meta.id != folder.name:
        return None, [
            Problem(
                display,
                "pack.id-mismatch",
                f"id {meta.id!r} differs from the folder name {folder.name!r}",
                "id",
            )
        ]
    return Pack(folder, meta), []


def load_catalog(root: Path | None = None, *, only: Iterable[str] | None = None) -> Catalog:
    """Load the project at *root* (found with :func:`find_root` when omitted).

    *only* limits which pack folders are read (the config is always read).
    """
    root = find_root() if root is None else root.resolve()
    packs_dir = root / "packs"
    config_path = packs_dir / CONFIG_NAME
    config, problems = load_config(config_path, display=display_path(config_path, root))
    catalog = Catalog(root=root, config=config, problems=list(problems))
    wanted = set(only) if only is not None else None
    for folder in pack_folders(packs_dir):
        if wanted is not None and folder.name not in wanted:
            continue
        display = display_path(folder / PACK_FILE, root)
        if not (folder / PACK_FILE).is_file():
            catalog.problems.append(
                Problem(
                    display,
                    "pack.no-pack-file",
                    "pack folder has no pack.yml",
                    hint="run `learnpacks new` to scaffold one",
                )
            )
            catalog.broken[folder.name] = folder
            continue
        if not PACK_ID_RE.match(folder.name):
            catalog.problems.append(
                Problem(
                    display,
                    "pack.invalid-id",
                    f"folder name {folder.name!r} is not a valid pack id",
                    hint="lowercase letters, digits and dashes",
                )
            )
        pack, pack_problems = load_pack(folder, display=display)
        catalog.problems.extend(pack_problems)
        if pack is None:
            catalog.broken[folder.name] = folder
        else:
            catalog.packs[pack.id] = pack
    return catalog


@dataclass(frozen=True)
class PackFilter:
    """Catalog filters, as used by ``learnpacks list`` and the site."""

    level: Sequence[str] = ()
    topic: Sequence[str] = ()
    format: Sequence[str] = ()
    status: Sequence[str] = ()
    language: Sequence[str] = ()
    max_duration: int | None = None
    text: str = ""

    def matches(self, meta: PackMeta) -> bool:
        if self.level and meta.level not in self.level:
            return False
        if self.topic and not {t.casefold() for t in meta.topics} & {
            t.casefold() for t in self.topic
        }:
            return False
        if self.format and not set(meta.formats) & set(self.format):
            return False
        if self.status and meta.status not in self.status:
            return False
        if self.language and meta.language not in self.language:
            return False
        if self.max_duration is not None and meta.duration > self.max_duration:
            return False
        if self.text:
            needle = self.text.casefold()
            hay = " ".join(
                [meta.id, meta.title, meta.summary, *meta.topics, *meta.objectives]
            ).casefold()
            if needle not in hay:
                return False
        return True


def list_packs(catalog: Catalog, filters: PackFilter | None = None) -> list[Pack]:
    """Packs of *catalog* that pass *filters*, sorted by id."""
    filters = filters or PackFilter()
    return [
        catalog.packs[k] for k in sorted(catalog.packs) if filters.matches(catalog.packs[k].meta)
    ]

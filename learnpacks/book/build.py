"""``learnpacks book build``: one Jupyter Book 1.x build per language under one site root."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from learnpacks.book.source import write_source
from learnpacks.errors import LearnpacksError, UsageError
from learnpacks.packs.catalog import Catalog, Pack, load_catalog

BUILD_DIR = Path("book") / "_build"
# jupyter_book.cli.main has no __main__ guard; run its click group in this interpreter.
_JB = "import sys; from jupyter_book.cli.main import main; sys.exit(main())"


@dataclass(frozen=True)
class SiteBuild:
    site: Path
    languages: list[str]
    packs: list[str]


def _packs(catalog: Catalog, pack_ids: Sequence[str] | None) -> list[Pack]:
    if catalog.broken and not pack_ids:
        raise LearnpacksError(
            "some packs cannot be read; fix them first (`learnpacks check` lists the problems)",
            [p for p in catalog.problems if p.severity == "error"],
        )
    ids = (
        list(pack_ids)
        if pack_ids
        else sorted(catalog.packs, key=lambda pid: (catalog.packs[pid].meta.title.casefold(), pid))
    )
    return [catalog.get(pid) for pid in ids]


def _redirect_page(language: str) -> str:
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f'<meta http-equiv="refresh" content="0; url={language}/index.html">'
        "<title>learnpacks</title></head>"
        f'<body><p><a href="{language}/index.html">Continue to the learning packs</a></p></body></html>\n'
    )


def build_site(
    *,
    root: Path | None = None,
    pack_ids: Sequence[str] | None = None,
    languages: Sequence[str] | None = None,
    build_dir: Path | None = None,
    quiet: bool = True,
) -> SiteBuild:
    """Build the site into ``<build_dir>/site/<lang>/``; returns where it is.

    Only the source language is built here; translated languages come from
    ``learnpacks i18n build`` output. Raises :class:`LearnpacksError` when a
    build fails, with Jupyter Book's output.
    """
    catalog = load_catalog(root)
    config = catalog.require_config()
    packs = _packs(catalog, pack_ids)
    languages = list(languages or [config.source_language])
    unknown = [lang for lang in languages if lang not in config.languages]
    if unknown:
        raise UsageError(
            f"language(s) {', '.join(unknown)} not in packs/_config.yml languages ({', '.join(config.languages)})"
        )
    build_dir = (build_dir or catalog.root / BUILD_DIR).resolve()
    site = build_dir / "site"
    for language in languages:
        if language != config.source_language:
            raise UsageError(
                f"building {language!r} needs the translated notebooks (multilingual site: not yet available)"
            )
        src = write_source(
            catalog, dest=build_dir / "src" / language, language=language, packs=packs
        )
        out = build_dir / "jb" / language
        cmd = [
            sys.executable,
            "-c",
            _JB,
            "build",
            str(src),
            "--path-output",
            str(out),
            "--builder",
            "html",
        ]
        if quiet:
            cmd.append("-q")
        env = dict(os.environ, PYDEVD_DISABLE_FILE_VALIDATION="1")
        result = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)
        if result.returncode != 0:
            raise LearnpacksError(
                f"Jupyter Book build for {language!r} failed:\n{result.stdout[-4000:]}{result.stderr[-4000:]}"
            )
        reports = (
            list((out / "_build" / "html" / "reports").rglob("*.err.log"))
            if (out / "_build" / "html" / "reports").is_dir()
            else []
        )
        if reports:
            detail = "\n".join(
                f"{r.name}:\n{r.read_text(encoding='utf-8')[-2000:]}" for r in reports
            )
            raise LearnpacksError(
                f"a notebook failed to execute while building {language!r}:\n{detail}"
            )
        target = site / language
        if target.is_symlink() or target.is_file():
            target.unlink()
        site.mkdir(parents=True, exist_ok=True)
        # The site is assembled by linking each language's HTML output under one root.
        rel = os.path.relpath(out / "_build" / "html", site)
        if not target.exists():
            target.symlink_to(rel, target_is_directory=True)
    (site / "index.html").write_text(_redirect_page(config.source_language), encoding="utf-8")
    return SiteBuild(site=site, languages=languages, packs=[p.id for p in packs])

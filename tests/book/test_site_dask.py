"""The site built through a Dask cluster (`learnpacks book build --scheduler`)."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from site_project import make_site_project

from learnpacks.book.build import build_site

pytestmark = [pytest.mark.slow]

# What may differ between two builds of the same sources: build dates and times.
_TIMESTAMP = re.compile(
    rb"\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|[+-]\d{2}:?\d{2})?"
    rb"|(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]* \d{1,2}, \d{4}"
)


def _files(site: Path) -> dict[str, bytes]:
    """Every file of the site but the Pagefind index (time stamps masked). Pagefind itself names
    its filter files differently when run twice on the same pages, so its index is compared by
    what it holds: the pages indexed in each language."""
    return {
        p.relative_to(site).as_posix(): _TIMESTAMP.sub(b"<time>", p.read_bytes())
        for p in sorted(site.rglob("*"))
        if p.is_file() and p.relative_to(site).parts[0] != "pagefind"
    }


def _indexed(site: Path) -> dict[str, int]:
    entry = json.loads((site / "pagefind" / "pagefind-entry.json").read_text(encoding="utf-8"))
    return {lang: info["page_count"] for lang, info in entry["languages"].items()}


def test_dask_build_equals_local_build(tmp_path: Path) -> None:
    """Does a build whose languages run on a Dask cluster write the same site, file by file
    (time stamps aside), as a build on this machine?"""
    from distributed import LocalCluster

    project = make_site_project(tmp_path / "project")
    options = {"root": project, "pack_ids": ["demo-pack"], "languages": ["en", "fr"]}
    local = build_site(build_dir=tmp_path / "local", **options)
    with LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
    ) as cluster:
        remote = build_site(
            build_dir=tmp_path / "dask", scheduler=cluster.scheduler_address, **options
        )
    assert remote.published == local.published == {"en": ["demo-pack"], "fr": ["demo-pack"]}
    ours, theirs = _files(local.site), _files(remote.site)
    assert sorted(ours) == sorted(theirs)
    assert any(name.startswith("fr/packs/demo-pack/") for name in ours)
    differing = [name for name in ours if ours[name] != theirs[name]]
    assert differing == []
    assert _indexed(local.site) == _indexed(remote.site)
    assert _indexed(local.site)["fr"] > 0

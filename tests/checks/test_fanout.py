"""`learnpacks check` shared with forked workers that start before the catalog is validated:
the findings of a check in one process, whatever the workers read, assume or fail to do."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from learnpacks.checks import check_catalog, check_pack, fanout, media_limits
from learnpacks.checks.fanout import assumed_limits, notebook_files
from learnpacks.checks.notebooks import NotebookChecks
from learnpacks.checks.widgets import MediaLimits
from learnpacks.errors import Problem
from learnpacks.packs.catalog import load_catalog

SCRIPT = Path(__file__).with_name("fanout_check.py")


def fanned_out(root: Path, *args: str) -> dict[str, Any]:
    """The report of a check of *root* shared with a worker even if small (``fanout_check.py``,
    in a fresh process, with its options *args*)."""
    result = subprocess.run(
        [sys.executable, str(SCRIPT), str(root), *args], capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    ran = json.loads(result.stdout)
    assert ran["fanned_out"] == [True]
    return ran["report"]


def in_one_process(root: Path, **options: Any) -> dict[str, Any]:
    """The report of a check that does not fan out."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(fanout, "usable_cores", lambda: 1)
        return check_catalog(root=root, **options).to_dict()


def test_the_fixture_catalog_has_the_same_findings_fanned_out(fixture_catalog):
    """Does a check shared with workers find what one process finds, in the same order, on a
    catalog of broken packs (invalid pack.yml files, missing and broken notebooks, cycles), and
    on a few of its packs?"""
    report = fanned_out(fixture_catalog)
    assert report == in_one_process(fixture_catalog)
    assert len(report["problems"]) > 50
    some = ["bad-schema", "broken-links", "clean-pack", "missing-notebook", "cycle-a"]
    assert fanned_out(fixture_catalog, *some) == in_one_process(fixture_catalog, pack_ids=some)


def test_a_worker_that_fails_leaves_its_packs_to_the_main_process(fixture_catalog):
    """When a worker's check raises, does the main process check the packs it had taken (and
    raise the error itself, if it is one), so that nothing is lost?"""
    failing = fanned_out(fixture_catalog, "--failing-workers")
    assert failing == in_one_process(fixture_catalog)


def test_a_worker_that_dies_leaves_its_packs_to_the_main_process(fixture_catalog):
    """When a worker dies without a word, does the main process still end with every pack
    checked?"""
    assert fanned_out(fixture_catalog, "--dying-workers") == in_one_process(fixture_catalog)


def test_what_a_worker_assumes_is_checked(big_video_project):
    """A worker checks the notebook files of a pack without reading its pack.yml, with the
    media limit it reads in _config.yml without validating it: does the main process use only
    the notebooks pack.yml lists, and check them again when validation reads the limit
    otherwise (here written as a string)?"""
    root = big_video_project
    pack = root / "packs" / "big-video"
    shutil.copy(pack / "01-intro.ipynb", pack / "02-unlisted.ipynb")
    config = (root / "packs" / "_config.yml").read_text()
    (root / "packs" / "_config.yml").write_text(config + "thresholds:\n  max_media_mb: '0.25'\n")
    assert assumed_limits(root) == MediaLimits()

    report = fanned_out(root)
    assert report == in_one_process(root)
    assert report["notebooks"] == 1
    too_large = [
        (p["path"], p["location"]) for p in report["problems"] if p["code"] == "media.too-large"
    ]
    assert too_large == [
        ("packs/big-video/01-intro.ipynb", "cell 4 [id=video-typo], line 2"),
        ("packs/big-video/pack.yml", "media[0].source"),
    ]


def test_a_pack_reuses_only_the_checks_made_for_it(fixture_catalog, tmp_path):
    """Are checks of a pack's notebooks made earlier used only for the notebooks it lists, and
    only if they were made for the same project, pack folder and media limit?"""
    catalog = load_catalog(fixture_catalog)
    pack = catalog.packs["clean-pack"]
    assert pack.meta.notebooks == ["01-intro.ipynb"]
    marker = Problem("packs/clean-pack/01-intro.ipynb", "test.made-earlier", "made earlier")
    made = NotebookChecks(
        catalog.root, pack.folder, media_limits(catalog), {"01-intro.ipynb": ([marker], [])}
    )
    assert check_pack(catalog, pack, made=made) == ([marker], 1)
    others = [
        replace(made, root=tmp_path),
        replace(made, folder=tmp_path),
        replace(made, limits=MediaLimits(1)),
        replace(made, found={"02-unlisted.ipynb": ([marker], [])}),
    ]
    for other in others:
        assert check_pack(catalog, pack, made=other) == check_pack(catalog, pack)


def test_a_worker_checks_the_files_a_pack_may_list(tmp_path):
    """Does a worker take, in a pack folder, the names a valid pack.yml may list as notebooks
    (.ipynb files directly in it, not hidden), and only those?"""
    for name in ("02-b.ipynb", "01-a.ipynb", ".hidden.ipynb", "notes.py", "pack.yml"):
        (tmp_path / name).write_text("{}")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "03-c.ipynb").write_text("{}")
    assert notebook_files(tmp_path) == ["01-a.ipynb", "02-b.ipynb"]
    assert notebook_files(tmp_path / "missing") == []


def test_a_worker_reads_the_media_limit_the_config_sets(tmp_path):
    """Does a worker assume the media limit _config.yml sets, and the default when it sets
    none it can read?"""
    config = tmp_path / "packs" / "_config.yml"
    config.parent.mkdir()
    assert assumed_limits(tmp_path) == MediaLimits()
    for text, limit in [
        ("thresholds:\n  max_media_mb: 2\n", MediaLimits(2 * 1024 * 1024)),
        ("thresholds:\n  max_media_mb: 0.5\n", MediaLimits(512 * 1024)),
        ("thresholds:\n  publish_translation: 0.5\n", MediaLimits()),
        ("thresholds:\n  max_media_mb: true\n", MediaLimits()),
        ("thresholds: [\n", MediaLimits()),
    ]:
        config.write_text(text)
        assert assumed_limits(tmp_path) == limit


def test_the_workers_start_before_pydantic_is_imported():
    """Are the checks importable without pydantic, so the workers can start before the pack
    models are built (the longest part of a check's start)?"""
    code = "import sys, learnpacks.cli, learnpacks.checks; print('pydantic' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"

"""Review state decides publishing: `check --publish` explains every refusal with a code and a
place, the site build leaves out what is not approved, and the shipped packs stay published."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from learnpacks.book.build import _packs, held_packs
from learnpacks.book.plan import plan_site, translated_folder
from learnpacks.cli import main
from learnpacks.packs.catalog import load_catalog
from learnpacks.packs.scaffold import new_pack

CONFIG = """\
schema_version: 1
title: Publishing scenarios
source_language: en
languages: [en, fr]
thresholds:
  publish_translation: 0.8
"""


def _set(folder: Path, **changes: str) -> None:
    """Replace top-level keys of *folder*'s pack.yml with the given YAML text."""
    path = folder / "pack.yml"
    lines = path.read_text(encoding="utf-8").splitlines()
    out, skipping = [], False
    for line in lines:
        key = line.split(":", 1)[0]
        if skipping and (line.startswith((" ", "-")) or not line.strip()):
            continue
        skipping = False
        if key in changes:
            out.append(f"{key}: {changes.pop(key)}")
            skipping = True
            continue
        out.append(line)
    out += [f"{key}: {value}" for key, value in changes.items()]
    path.write_text("\n".join(out) + "\n", encoding="utf-8")


MAINTAINED = "[{name: Ada Example}]"


@pytest.fixture
def publishing_project(tmp_path: Path) -> Path:
    """Packs in every review situation: approved and fit, approved but unmaintained, approved but
    built on a draft, a draft, a French translation marked published with nothing translated, a
    review state for a language the site does not publish."""
    root = tmp_path / "project"
    (root / "packs").mkdir(parents=True)
    (root / "packs" / "_config.yml").write_text(CONFIG, encoding="utf-8")
    scenarios = {
        "approved-pack": {"status": "published", "maintainers": MAINTAINED},
        "unmaintained-pack": {"status": "published"},
        "draft-pack": {"status": "draft"},
        "builds-on-a-draft": {
            "status": "published",
            "maintainers": MAINTAINED,
            "prerequisites": "[draft-pack]",
        },
        "french-marked-published": {
            "status": "published",
            "maintainers": MAINTAINED,
            "translation_status": "{fr: published}",
        },
        "state-for-unknown-language": {
            "status": "review",
            "maintainers": MAINTAINED,
            "translation_status": "{de: review}",
        },
    }
    for pack_id, changes in scenarios.items():
        _set(new_pack(pack_id, root=root), **changes)
    return root


def _check(root: Path, capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, dict]:
    code = main(["--root", str(root), "check", "--publish", "--json", *args])
    return code, json.loads(capsys.readouterr().out)


def test_approved_fit_pack_passes(publishing_project, capsys):
    """Does an approved pack that keeps every rule pass `check --publish` with no finding?"""
    code, data = _check(publishing_project, capsys, "approved-pack")
    assert code == 0 and data["problems"] == []
    (verdict,) = data["publish"]
    assert verdict["fit"] and verdict["published"]
    assert [(lang["language"], lang["published"]) for lang in verdict["languages"]] == [
        ("en", True),
        ("fr", False),  # nothing translated: below the threshold, so not on the site in French
    ]


@pytest.mark.parametrize(
    ("pack_id", "code", "place"),
    [
        ("unmaintained-pack", "publish.no-maintainer", "maintainers"),
        ("builds-on-a-draft", "publish.prerequisite-unpublished", "prerequisites[0]"),
        ("french-marked-published", "publish.translation-below-threshold", "translation_status.fr"),
    ],
)
def test_published_pack_that_breaks_a_rule_is_refused(
    publishing_project, capsys, pack_id, code, place
):
    """Is an approved pack that breaks a publishing rule an error (exit 1) with its own code, the
    pack.yml and the key?"""
    status, data = _check(publishing_project, capsys, pack_id)
    assert status == 1
    found = [(p["code"], p["path"], p["location"], p["severity"]) for p in data["problems"]]
    assert found == [(code, f"packs/{pack_id}/pack.yml", place, "error")]
    assert data["publish"][0]["fit"] is False


def test_draft_pack_is_held_and_told_what_it_needs(publishing_project, capsys):
    """Is a draft pack reported as held (a warning naming its status), its broken rules as
    warnings that block nothing, and does `check --publish` still exit 0?"""
    status, data = _check(publishing_project, capsys, "draft-pack")
    assert status == 0
    found = {(p["code"], p["location"], p["severity"]) for p in data["problems"]}
    assert found == {
        ("publish.held", "status", "warning"),
        ("publish.no-maintainer", "maintainers", "warning"),
    }


def test_review_state_for_a_language_the_site_does_not_publish(publishing_project, capsys):
    """Is a translation state for a language that is not one of the site's named, with the
    languages there are?"""
    _, data = _check(publishing_project, capsys, "state-for-unknown-language")
    (problem,) = [p for p in data["problems"] if p["code"].startswith("publish.translation")]
    assert problem["code"] == "publish.translation-unknown-language"
    assert problem["location"] == "translation_status.de"
    assert "(fr)" in problem["message"]


def test_text_output_explains_each_refusal(publishing_project, capsys):
    """Does the plain output give each refusal on its own line with file, key and code, and a
    verdict per pack?"""
    assert main(["--root", str(publishing_project), "check", "--publish"]) == 1
    out = capsys.readouterr()
    assert "packs/unmaintained-pack/pack.yml: maintainers: error[publish.no-maintainer]" in out.out
    assert "unmaintained-pack: status published, not fit to publish" in out.err
    assert "approved-pack: status published, fit to publish" in out.err


def test_site_leaves_out_packs_that_are_not_approved(publishing_project):
    """Does a plain site build take only the published packs, and say why the others are not
    there? Does naming a draft pack still build it (a preview)?"""
    catalog = load_catalog(publishing_project)
    built = {p.id for p in _packs(catalog, None)}
    assert "draft-pack" not in built and "state-for-unknown-language" not in built
    assert "approved-pack" in built and "unmaintained-pack" in built
    held = {(p.path, p.code) for p in held_packs(catalog)}
    assert held == {
        ("packs/draft-pack/pack.yml", "publish.held"),
        ("packs/state-for-unknown-language/pack.yml", "publish.held"),
    }
    assert [p.id for p in _packs(catalog, ["draft-pack"])] == ["draft-pack"]


def test_translation_in_review_is_not_published(publishing_project):
    """Is a complete French translation left off the site while pack.yml says it is in review,
    and published once it says published (or in a preview)?"""
    source = publishing_project / "packs" / "approved-pack"
    french = translated_folder(publishing_project, "fr", "approved-pack")
    shutil.copytree(source, french)
    for nb_path in french.glob("*.ipynb"):
        nb = json.loads(nb_path.read_text(encoding="utf-8"))
        nb["metadata"]["learnpacks"] = {"translation": {"coverage": 1.0}}
        nb_path.write_text(json.dumps(nb), encoding="utf-8")

    def french_packs(*, preview: bool = False) -> list[str]:
        catalog = load_catalog(publishing_project)
        plan = plan_site(
            catalog,
            packs=[catalog.get("approved-pack")],
            languages=["en", "fr"],
            threshold=0.8,
            preview=preview,
        )
        return sorted(plan.editions["fr"])

    assert french_packs() == ["approved-pack"]
    _set(source, translation_status="{fr: review}")
    assert french_packs() == []
    assert french_packs(preview=True) == ["approved-pack"]


def test_shipped_packs_are_published_and_fit():
    """Is every shipped pack approved and does it pass `check --publish`?"""
    from support import REPO

    catalog = load_catalog(REPO)
    assert all(pack.meta.is_published for pack in catalog.packs.values())
    assert main(["--root", str(REPO), "check", "--publish"]) == 0


def test_a_misspelt_review_state_names_the_key_and_the_choices(publishing_project):
    """Does a review state or language key written wrong say which key, and what is valid,
    instead of a regular expression?"""
    from learnpacks.packs.catalog import load_pack

    folder = publishing_project / "packs" / "approved-pack"
    _set(folder, status="approved", translation_status="{french: published}")
    _, problems = load_pack(folder, display="pack.yml")
    found = {(p.location, p.code): p.message for p in problems}
    assert "'draft', 'review' or 'published'" in found["status", "pack.invalid-value"]
    language = found["translation_status.french", "pack.invalid-value"]
    assert language.startswith("key 'french': must be a BCP 47 language code such as en, fr")


@pytest.mark.slow
def test_execution_results_decide_and_show_in_the_report(tmp_path):
    """With --execute, does a pack whose solution fails its own test get publish.execution-failed,
    and does the reviewer's report list the run as failed with the exercise proof's finding?"""
    import subprocess
    import sys

    fixtures = Path(__file__).parent / "fixtures" / "execute"
    report = tmp_path / "report.html"
    result = subprocess.run(
        [sys.executable, "-m", "learnpacks", "--root", str(fixtures), "check", "--execute"]
        + ["--publish", "--json", "--report", str(report), "solution-fails-its-test"],
        capture_output=True,
        text=True,
        check=False,
        timeout=900,
    )
    assert result.returncode == 1, result.stderr
    data = json.loads(result.stdout)
    codes = {p["code"] for p in data["problems"]}
    assert {"exec.solution-fails", "publish.execution-failed"} <= codes
    assert "publish.check-errors" not in codes  # an execution finding is not a static one
    html = report.read_text(encoding="utf-8")
    assert "packs/solution-fails-its-test/01-start.ipynb</code> (en): " in html
    assert '<span class="error">failed</span>' in html
    assert "exec.solution-fails" in html and "publish.execution-failed" in html


def test_info_shows_the_translations_review_state(publishing_project, capsys):
    """Does `learnpacks info` show the review state pack.yml gives a translation?"""
    assert main(["--root", str(publishing_project), "info", "state-for-unknown-language"]) == 0
    out = capsys.readouterr().out
    assert "status: review" in out
    assert "translations: de review" in out

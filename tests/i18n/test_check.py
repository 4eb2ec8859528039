"""check: hostile or broken translations are rejected, each with the catalog, the entry and the reason."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from i18n_helpers import CATALOGS, PACK, PROJECT, scenario

from learnpacks.cli import main
from learnpacks.i18n import check_catalogs

#: scenario catalog -> (unit id, codes check must report for it)
SCENARIOS = {
    "translation-injects-script": {
        "01-basics.ipynb#repeat#1": {"i18n.unsafe-html", "i18n.markup-mismatch"}
    },
    "translation-onerror-attribute": {
        "01-basics.ipynb#repeat#1": {"i18n.unsafe-html", "i18n.markup-mismatch"}
    },
    "translation-breaks-out-of-alt": {"01-basics.ipynb#media#3": {"i18n.breaks-structure"}},
    "translation-javascript-link": {
        "01-basics.ipynb#lists#2": {"i18n.unsafe-link", "i18n.link-changed"}
    },
    "translation-entity-encoded-javascript": {
        "01-basics.ipynb#lists#2": {"i18n.unsafe-link", "i18n.markup-mismatch"}
    },
    "translation-changes-link-target": {"01-basics.ipynb#lists#2": {"i18n.link-changed"}},
    "translation-code-through-string": {
        "02-exercises.ipynb#mc#1": {"i18n.code-injection"},
        "02-exercises.ipynb#plain#1": {"i18n.code-injection"},
    },
    "translation-drops-placeholder": {
        "02-exercises.ipynb#mc#3": {"i18n.placeholder-mismatch"},
        "02-exercises.ipynb#mc#5": {"i18n.placeholder-mismatch"},
    },
    "translation-changes-code-and-math": {
        "01-basics.ipynb#lists#3": {"i18n.code-mismatch"},
        "01-basics.ipynb#lists#4": {"i18n.math-mismatch"},
    },
    "translation-breaks-structure": {
        "01-basics.ipynb#title#2": {"i18n.breaks-structure"},
        "01-basics.ipynb#table#4": {"i18n.breaks-structure"},
        "01-basics.ipynb#lists#1": {"i18n.breaks-structure"},
    },
    "translation-blank": {"01-basics.ipynb#repeat#1": {"i18n.empty"}},
}


def test_every_scenario_catalog_is_covered() -> None:
    assert sorted(SCENARIOS) == sorted(p.stem for p in CATALOGS.glob("*.po"))


def test_the_fixture_translations_pass(i18n_project: Path) -> None:
    """Do honest translations (French, Portuguese, Arabic) pass check?"""
    assert check_catalogs(root=i18n_project) == []


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_scenario_is_rejected_naming_catalog_entry_and_reason(
    i18n_project: Path, name: str
) -> None:
    """Is each hostile or broken translation rejected, with its catalog, its entry and a coded reason?"""
    scenario(i18n_project, name)
    problems = check_catalogs(root=i18n_project, languages=["fr"])
    assert problems, name
    found: dict[str, set[str]] = {}
    for problem in problems:
        assert problem.path == f"translations/fr/{PACK}.po"
        assert problem.severity == "error"
        assert problem.location.startswith("msgctxt '") and ", line " in problem.location
        assert problem.message
        unit = problem.location.split("'")[1]
        found.setdefault(unit, set()).add(problem.code)
    assert set(found) == set(SCENARIOS[name])
    for unit, codes in SCENARIOS[name].items():
        assert codes <= found[unit], (unit, found[unit])


def test_check_cli_exits_1_and_prints_each_problem(
    i18n_project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    scenario(i18n_project, "translation-injects-script")
    assert main(["--root", str(i18n_project), "i18n", "check"]) == 1
    out = capsys.readouterr().out
    assert (
        f"translations/fr/{PACK}.po: msgctxt '01-basics.ipynb#repeat#1', line 15: error[i18n.unsafe-html]"
        in out
    )


def test_check_cli_json(i18n_project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    import json

    scenario(i18n_project, "translation-blank")
    assert main(["--root", str(i18n_project), "i18n", "check", "--json"]) == 1
    data = json.loads(capsys.readouterr().out)
    assert data["errors"] == 1 and data["problems"][0]["code"] == "i18n.empty"


def test_a_fuzzy_or_stale_entry_is_not_checked_as_used(i18n_project: Path) -> None:
    """Is a fuzzy entry (not used by build) left to the translator instead of failing check?"""
    path = scenario(i18n_project, "translation-injects-script")
    path.write_text(
        path.read_text(encoding="utf-8").replace(
            'msgctxt "01-basics', '#, fuzzy\nmsgctxt "01-basics'
        ),
        encoding="utf-8",
    )
    assert check_catalogs(root=i18n_project, languages=["fr"]) == []


def test_unreadable_catalog_is_a_problem_not_a_crash(i18n_project: Path) -> None:
    (i18n_project / "translations" / "fr" / f"{PACK}.po").write_bytes(b'msgid "a\nmsgstr "\xff"')
    problems = check_catalogs(root=i18n_project, languages=["fr"])
    assert [p.code for p in problems] == ["i18n.encoding"]


def _msgfmt() -> str:
    path = shutil.which("msgfmt")
    if path is None:
        if os.environ.get("CI"):
            pytest.fail("msgfmt is missing: .ci/run installs Debian's gettext")
        pytest.skip("GNU gettext's msgfmt is not installed (apt-get install gettext)")
    return path


def _catalogs() -> list[Path]:
    repo = PROJECT.parents[3]
    return sorted(
        [*(PROJECT / "translations").rglob("*.po"), *(repo / "translations").rglob("*.po")]
    )


@pytest.mark.parametrize(
    "path", _catalogs(), ids=lambda p: p.relative_to(PROJECT.parents[3]).as_posix()
)
def test_catalogs_pass_gnu_msgfmt_check(path: Path, tmp_path: Path) -> None:
    """Do our catalogs (the fixture project's and the repository's) pass `msgfmt --check` without warnings?"""
    done = subprocess.run(
        [_msgfmt(), "--check", "-o", str(tmp_path / "out.mo"), str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert "warning" not in done.stderr, done.stderr


def test_fresh_templates_and_catalogs_pass_gnu_msgfmt_check(
    i18n_project: Path, tmp_path: Path
) -> None:
    """Do a template and a catalog as extract and init write them pass `msgfmt --check`?"""
    from learnpacks.i18n import extract, init

    extract(root=i18n_project)
    init("es", root=i18n_project)
    for path in (
        i18n_project / "translations" / "templates" / f"{PACK}.pot",
        i18n_project / "translations" / "es" / f"{PACK}.po",
    ):
        done = subprocess.run(
            [_msgfmt(), "--check", "-o", str(tmp_path / "out.mo"), str(path)],
            capture_output=True,
            text=True,
            check=False,
        )
        assert done.returncode == 0, done.stderr

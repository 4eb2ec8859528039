"""status (table, --json, badges) and the `learnpacks i18n` command line."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from i18n_helpers import PACK, edit_cell

from learnpacks.cli import main
from learnpacks.i18n import status, write_badges


def test_status_counts_against_the_notebooks_as_they_are(i18n_project: Path) -> None:
    """Are translated, fuzzy and untranslated counted per pack and language, a changed unit as fuzzy?"""
    edit_cell(i18n_project, "01-basics.ipynb", "repeat", "Try it yourself.", "Try it now.")
    report = status(root=i18n_project)
    rows = {r.language: r for r in report.rows if r.pack == PACK}
    assert sorted(rows) == ["ar", "fr", "pt", "pt-BR"]
    # the UI catalogs are counted too: the package ships ar and fr, pt and pt-BR are not started
    ui = {(r.pack, r.language): r for r in report.rows if r.pack.startswith("ui:")}
    assert ui[("ui:widgets", "fr")].percent == 100.0 and not ui[("ui:widgets", "pt")].started
    assert (rows["fr"].translated, rows["fr"].fuzzy, rows["fr"].untranslated) == (35, 1, 0)
    assert (rows["ar"].translated, rows["ar"].fuzzy, rows["ar"].untranslated) == (8, 0, 28)
    assert rows["ar"].percent == pytest.approx(22.2)


def test_status_table_json_and_badges(
    i18n_project: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["--root", str(i18n_project), "i18n", "status"]) == 0
    table = capsys.readouterr().out.splitlines()
    assert table[0].split() == ["pack", "lang", "translated", "fuzzy", "untranslated", "percent"]
    assert f"{PACK} fr 36 0 0 100.0%" in [" ".join(line.split()) for line in table]
    assert (
        main(
            [
                "--root",
                str(i18n_project),
                "i18n",
                "status",
                "--json",
                "--badges",
                str(tmp_path / "badges"),
            ]
        )
        == 0
    )
    data = json.loads(capsys.readouterr().out)
    fr = next(p for p in data["packs"] if p["language"] == "fr")
    assert fr == {
        "pack": PACK,
        "language": "fr",
        "total": 36,
        "translated": 36,
        "fuzzy": 0,
        "untranslated": 0,
        "started": True,
        "percent": 100.0,
        "publishable": True,
    }
    badges = sorted(p.name for p in (tmp_path / "badges").iterdir())
    assert badges == sorted(
        [
            *(f"{lang}.svg" for lang in ("ar", "fr", "pt-BR", "pt")),
            *(f"{PACK}-{lang}.svg" for lang in ("ar", "fr", "pt-BR", "pt")),
            *(f"_site-{lang}.svg" for lang in ("ar", "fr", "pt-BR", "pt")),
            *(
                f"ui-{kind}-{lang}.svg"
                for kind in ("widgets", "site", "theme")
                for lang in ("ar", "fr", "pt-BR", "pt")
            ),
        ]
    )
    svg = ET.parse(tmp_path / "badges" / f"{PACK}-ar.svg").getroot()
    assert svg.get("role") == "img" and svg.get("aria-label") == "ar: 22%"


def test_badges_for_a_language_not_started(i18n_project: Path, tmp_path: Path) -> None:
    report = status(root=i18n_project, languages=["de"])
    assert [(r.pack, r.started, r.translated) for r in report.rows][:4] == [
        (PACK, False, 0),
        ("_site", False, 0),
        ("ui:widgets", False, 0),
        ("ui:site", False, 0),
    ]
    assert "not started: learnpacks i18n init de" in report.table()
    names = [p.name for p in write_badges(report, tmp_path)]
    assert names[:4] == [f"{PACK}-de.svg", "_site-de.svg", "ui-widgets-de.svg", "ui-site-de.svg"]
    assert names[-1] == "de.svg"


def test_cli_extract_init_update(i18n_project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Do the catalog commands print what they wrote and exit 0, with a --json twin?"""
    root = ["--root", str(i18n_project)]
    assert main([*root, "i18n", "extract"]) == 0
    assert f"translations/templates/{PACK}.pot" not in capsys.readouterr().out, (
        "the committed template is current"
    )
    assert main([*root, "i18n", "init", "es", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["written"] == [f"translations/es/{PACK}.po", "translations/es/_site.po"]
    assert data["stats"][f"translations/es/{PACK}.po"] == {"new": 36}
    assert data["stats"]["translations/es/_site.po"]["new"] == 2
    edit_cell(
        i18n_project, "02-exercises.ipynb", "intro", "Answer the question", "Answer each question"
    )
    assert main([*root, "i18n", "update", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert (
        f"translations/fr/{PACK}.po" in data["written"]
        and data["stats"][f"translations/fr/{PACK}.po"]["fuzzy"] == 1
    )
    assert data["stats"][f"translations/es/{PACK}.po"]["fuzzy"] == 0


def test_cli_usage_errors_exit_2(i18n_project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["--root", str(i18n_project), "i18n", "init", "not a language"]) == 2
    assert "not a language code" in capsys.readouterr().err
    assert (
        main(["--root", str(i18n_project), "i18n", "build", "--out", str(i18n_project / "packs")])
        == 2
    )


def test_cli_build_default_out(i18n_project: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """Does `build` default to build/notebooks/<lang>/<pack>/ in the project?"""
    assert main(["--root", str(i18n_project), "i18n", "build", "--lang", "fr", "--pack", PACK]) == 0
    assert (i18n_project / "build" / "notebooks" / "fr" / PACK / "01-basics.ipynb").is_file()
    assert "fr" in capsys.readouterr().out

"""`learnpacks check` on scenario-named broken packs: each problem coded, with its file and place."""

from __future__ import annotations

from pathlib import Path

import pytest

from learnpacks.checks import check_catalog

# scenario pack -> (code, path suffix, location prefix) that must be reported
EXPECTED = {
    "bad-schema": [
        ("pack.missing-field", "pack.yml", "audience"),
        ("pack.invalid-value", "pack.yml", "level"),
        ("pack.invalid-value", "pack.yml", "formats[1]"),
        ("pack.invalid-value", "pack.yml", "duration"),
        ("pack.unknown-field", "pack.yml", "licence"),
    ],
    "duplicate-yaml-key": [("pack.yaml-syntax", "pack.yml", "line 3")],
    "schema-too-new": [("pack.schema-too-new", "pack.yml", "schema_version")],
    "outputs-committed": [("nb.outputs-committed", "01-intro.ipynb", "cell 2 [id=c1]")],
    "duplicate-exercise-ids": [
        ("exercise.duplicate-id", "02-more.ipynb", "cell 2 [id=q3]"),
        ("exercise.missing-id", "01-intro.ipynb", "cell 3 [id=q2]"),
    ],
    "duplicate-grade-ids": [
        ("grade.duplicate-id", "01-intro.ipynb", "cell 3 [id=t1]"),
        ("grade.missing-id", "01-intro.ipynb", "cell 4 [id=t2]"),
        ("grade.missing-points", "01-intro.ipynb", "cell 5 [id=t3]"),
        ("grade.markdown-not-answer", "01-intro.ipynb", "cell 6 [id=m1]"),
    ],
    "image-without-alt": [
        ("nb.image-alt-missing", "01-intro.ipynb", "cell 2 [id=img], line 1"),
        ("nb.image-alt-missing", "01-intro.ipynb", "cell 2 [id=img], line 3"),
    ],
    "heading-skips": [
        ("nb.heading-skip", "01-intro.ipynb", "cell 1 [id=h]"),
        ("nb.heading-skip", "01-intro.ipynb", "cell 2 [id=h2]"),
    ],
    "broken-links": [
        ("nb.link-broken", "01-intro.ipynb", "cell 2 [id=links]"),
        ("nb.link-outside-repo", "01-intro.ipynb", "cell 2 [id=links]"),
        ("nb.link-unsafe", "01-intro.ipynb", "cell 2 [id=links]"),
        ("pack.media-missing", "pack.yml", "media[0].source"),
        ("pack.media-missing", "pack.yml", "media[0].captions[0].file"),
    ],
    "unknown-prerequisite": [("pack.unknown-prerequisite", "pack.yml", "prerequisites[0]")],
    "cycle-a": [("pack.prerequisite-cycle", "pack.yml", "prerequisites")],
    "execution-override": [
        ("nb.execution-override", "01-intro.ipynb", "notebook metadata"),
        ("nb.execution-override", "01-intro.ipynb", "cell 2 [id=t1]"),
        ("nb.execution-override", "01-intro.ipynb", "cell 3 [id=t2], line 1"),
    ],
    "invalid-json-notebook": [("nb.not-json", "01-intro.ipynb", "line 1")],
    "invalid-nbformat": [("nb.invalid-format", "01-intro.ipynb", "cell 1")],
    "missing-notebook": [("pack.missing-notebook", "pack.yml", "notebooks[0]")],
    "duplicate-cell-ids": [("nb.duplicate-cell-id", "01-intro.ipynb", "cell 2 [id=same]")],
    "graded-shape-mistakes": [
        ("grade.answer-without-region", "01-intro.ipynb", "cell 3 [id=no-region], line 1"),
        ("grade.record-outside-region", "01-intro.ipynb", "cell 3 [id=no-region], line 3"),
        ("grade.widget-not-answer", "01-intro.ipynb", "cell 5 [id=not-answer], line 1"),
        ("grade.exercise-untested", "01-intro.ipynb", "cell 5 [id=not-answer], line 1"),
        ("grade.answer-not-recorded", "01-intro.ipynb", "cell 6 [id=no-record], line 2"),
        ("grade.record-outside-region", "01-intro.ipynb", "cell 7 [id=record-outside], line 1"),
        ("grade.no-hidden-tests", "01-intro.ipynb", "cell 8 [id=key-visible]"),
        ("grade.key-outside-region", "01-intro.ipynb", "cell 8 [id=key-visible], line 2"),
        ("grade.region-wrong-cell", "01-intro.ipynb", "cell 9 [id=region-plain-cell], line 2"),
        ("grade.region-unclosed", "01-intro.ipynb", "cell 10 [id=unclosed], line 2"),
    ],
    "no-correct-answer": [
        ("exercise.no-correct-answer", "01-intro.ipynb", "cell 3 [id=mc-no-key], line 1"),
        ("exercise.no-correct-answer", "01-intro.ipynb", "cell 4 [id=short-no-key], line 1"),
    ],
    "duplicate-options": [
        ("exercise.duplicate-option", "01-intro.ipynb", "cell 3 [id=mc-twice], line 7"),
        ("exercise.duplicate-option", "01-intro.ipynb", "cell 4 [id=order-twice], line 1"),
    ],
    "empty-prompt": [
        ("exercise.empty-prompt", "01-intro.ipynb", "cell 3 [id=blank], line 1"),
        ("exercise.empty-prompt", "01-intro.ipynb", "cell 4 [id=missing], line 1"),
    ],
    "image-widget-without-alt": [
        ("media.alt-missing", "01-intro.ipynb", "cell 3 [id=no-alt], line 1"),
        ("media.alt-missing", "01-intro.ipynb", "cell 4 [id=blank-alt], line 1"),
    ],
    "video-without-captions": [
        ("media.captions-missing", "01-intro.ipynb", "cell 3 [id=bare-video], line 1"),
        ("media.captions-missing", "01-intro.ipynb", "cell 4 [id=commons-bare], line 1"),
    ],
    "misspelt-media": [
        ("media.file-missing", "01-intro.ipynb", "cell 3 [id=image-typo], line 1"),
        ("media.file-missing", "01-intro.ipynb", "cell 4 [id=video-typo], line 2"),
        ("media.file-missing", "01-intro.ipynb", "cell 4 [id=video-typo], line 4"),
    ],
    "reads-outside-pack": [
        ("nb.data-outside-pack", "01-intro.ipynb", "cell 3 [id=relative-escape], line 1"),
        ("nb.data-outside-pack", "01-intro.ipynb", "cell 4 [id=absolute-csv], line 3"),
    ],
    "wrong-notebook-name": [
        ("exercise.notebook-name-mismatch", "01-intro.ipynb", "cell 2 [id=setup], line 2")
    ],
}


@pytest.mark.parametrize("scenario", sorted(EXPECTED))
def test_scenario_reports_its_problems(fixture_catalog, scenario):
    """Does checking a broken pack report each coded problem at its file and place?"""
    report = check_catalog(root=fixture_catalog, pack_ids=[scenario])
    found = {(p.code, p.path, p.location) for p in report.problems}
    for code, suffix, location in EXPECTED[scenario]:
        matches = [
            f for f in found if f[0] == code and f[1].endswith(suffix) and f[2].startswith(location)
        ]
        assert matches, f"{scenario}: expected {code} at {suffix} {location}; got {sorted(found)}"
        assert all(path.startswith(f"packs/{scenario}/") for _, path, _ in matches)
    assert report.errors


def test_graded_shape_checks_clean():
    """Does a pack in the documented graded shape (answer cells with regions, hidden tests)
    check clean?"""
    root = Path(__file__).parents[1] / "grading" / "fixtures" / "graded-project"
    report = check_catalog(root=root)
    assert report.notebooks_checked == 1
    assert report.problems == []


def test_clean_pack_has_no_problems(fixture_catalog):
    """Does a correct pack check clean, even when its neighbours are broken?"""
    report = check_catalog(root=fixture_catalog, pack_ids=["clean-pack"])
    assert report.problems == []
    assert report.notebooks_checked == 1


def test_cycle_reported_once(fixture_catalog):
    """Is a prerequisite cycle reported once, not once per pack on it?"""
    report = check_catalog(root=fixture_catalog, pack_ids=["cycle-a", "cycle-b"])
    assert [p.code for p in report.problems] == ["pack.prerequisite-cycle"]


def test_ignore_suppresses_by_code(fixture_catalog):
    """Can a user suppress a problem by its code?"""
    report = check_catalog(
        root=fixture_catalog, pack_ids=["heading-skips"], ignore=["nb.heading-skip"]
    )
    assert report.problems == []


def test_unsafe_link_variants_are_all_caught(fixture_catalog):
    """Are both the plain and the entity-encoded javascript: links reported?"""
    report = check_catalog(root=fixture_catalog, pack_ids=["broken-links"])
    assert len([p for p in report.problems if p.code == "nb.link-unsafe"]) == 2


def test_valid_choices_named(fixture_catalog):
    """Does a bad value or an unknown key tell the author what would be valid?"""
    report = check_catalog(root=fixture_catalog, pack_ids=["bad-schema"])
    by_loc = {p.location: p for p in report.problems}
    assert "'beginner', 'intermediate' or 'advanced'" in by_loc["level"].message
    assert "license" in by_loc["licence"].hint


def test_checker_knows_every_widget_type():
    """Does `learnpacks check` look for ids on exactly the exercise widgets the package provides?"""
    from learnpacks.checks.cells import EXERCISE_TYPES
    from learnpacks.widgets import EXERCISE_TYPES as WIDGETS

    assert {cls.__name__ for cls in WIDGETS.values()} == set(EXERCISE_TYPES)


def test_exercise_code_learners_would_read_is_a_warning(fixture_catalog):
    """Does an exercise or set-up cell whose code JupyterLab shows get a located warning, while a
    hidden exercise cell and ordinary code get none?"""
    report = check_catalog(root=fixture_catalog, pack_ids=["exercise-source-shown"])
    found = [(p.code, p.severity, p.location) for p in report.problems]
    assert found == [
        ("exercise.source-shown", "warning", "cell 2 [id=setup]"),
        ("exercise.source-shown", "warning", "cell 3 [id=shown]"),
    ]
    assert all(p.path == "packs/exercise-source-shown/01-intro.ipynb" for p in report.problems)


def test_a_set_up_cell_that_needs_the_repository_is_a_warning(fixture_catalog):
    """Does a set-up cell that installs learnpacks with `pip install ../..` (which fails in a
    downloaded notebook) get a located warning, while the import cell after it gets none?"""
    report = check_catalog(root=fixture_catalog, pack_ids=["setup-not-portable"])
    found = [(p.code, p.severity, p.location) for p in report.problems]
    assert found == [
        ("exercise.setup-not-portable", "warning", "cell 2 [id=install-from-repository]")
    ]


#: scenarios whose every problem is one the widget checks must find (nothing else, no more)
WIDGET_SCENARIOS = [
    "no-correct-answer",
    "duplicate-options",
    "empty-prompt",
    "image-widget-without-alt",
    "video-without-captions",
    "misspelt-media",
    "reads-outside-pack",
]


@pytest.mark.parametrize("scenario", WIDGET_SCENARIOS)
def test_widget_mistakes_are_found_without_running_anything(fixture_catalog, scenario):
    """Is each widget or data-file mistake reported once, with its own code at its cell and
    line, and the well-made widgets and files beside it (keyed, graded, inside the pack, on the
    web) left alone?"""
    report = check_catalog(root=fixture_catalog, pack_ids=[scenario])
    found = sorted((p.code, p.location) for p in report.problems)
    expected = sorted((code, location) for code, _, location in EXPECTED[scenario])
    assert found == expected


def test_a_misspelt_media_name_gets_the_nearest_file_as_a_hint(fixture_catalog):
    """Does a misspelt media file name come with the name of the file the author meant?"""
    report = check_catalog(root=fixture_catalog, pack_ids=["misspelt-media"])
    hints = {p.location: p.hint for p in report.problems}
    assert hints["cell 3 [id=image-typo], line 1"] == "did you mean 'diagram.svg'?"
    assert hints["cell 4 [id=video-typo], line 2"] == "did you mean 'media/intro.webm'?"
    assert hints["cell 4 [id=video-typo], line 4"] == "did you mean 'media/intro.en.vtt'?"


def test_media_over_the_configured_limit_is_reported(big_video_project):
    """Is a local video larger than `thresholds.max_media_mb` reported where it is used, in a
    notebook and in pack.yml, and does raising the limit clear it?"""
    root = big_video_project
    config = (root / "packs" / "_config.yml").read_text()
    (root / "packs" / "_config.yml").write_text(config + "thresholds:\n  max_media_mb: 0.25\n")
    report = check_catalog(root=root, pack_ids=["big-video"])
    too_large = sorted((p.path, p.location) for p in report.problems if p.code == "media.too-large")
    assert too_large == [
        ("packs/big-video/01-intro.ipynb", "cell 4 [id=video-typo], line 2"),
        ("packs/big-video/pack.yml", "media[0].source"),
    ]
    (root / "packs" / "_config.yml").write_text(config + "thresholds:\n  max_media_mb: 1\n")
    report = check_catalog(root=root, pack_ids=["big-video"])
    assert not [p for p in report.problems if p.code == "media.too-large"]

"""The pack and site-configuration formats: what is accepted, and what an author is told otherwise."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from learnpacks.packs.catalog import load_catalog, load_config, load_pack
from learnpacks.packs.model import PackMeta

GOOD = {
    "id": "good-pack",
    "title": "Good",
    "summary": "A pack.",
    "language": "en",
    "level": "beginner",
    "duration": 15,
    "topics": ["wikidata"],
    "audience": ["newcomers"],
    "formats": ["text", "video"],
    "objectives": ["Do a thing."],
    "authors": [{"name": "A. Author"}],
    "notebooks": ["01-a.ipynb"],
}


def write_pack(tmp_path: Path, data: dict) -> Path:
    folder = tmp_path / data.get("id", "good-pack")
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "pack.yml").write_text(yaml.safe_dump(data))
    return folder


def test_defaults_are_filled():
    """Does a minimal pack get the documented defaults (licence CC BY-SA 4.0, status draft)?"""
    meta = PackMeta.model_validate(GOOD)
    assert meta.license == "CC-BY-SA-4.0"
    assert meta.status == "draft"
    assert meta.prerequisites == []


def test_video_needs_captions_or_transcript(tmp_path):
    """Is a video without captions or transcript refused, naming the media entry?"""
    data = dict(
        GOOD,
        media=[
            {
                "id": "v",
                "kind": "video",
                "title": "T",
                "source": "https://commons.wikimedia.org/x.webm",
                "license": "CC-BY-SA-4.0",
                "attribution": "X",
            }
        ],
    )
    pack, problems = load_pack(write_pack(tmp_path, data), display="pack.yml")
    assert pack is None
    assert problems[0].location == "media[0]"
    assert "captions or a transcript" in problems[0].message


def test_unknown_licence_lists_valid_ones(tmp_path):
    """Does a non-SPDX or non-open licence get the list of accepted identifiers?"""
    pack, problems = load_pack(
        write_pack(tmp_path, dict(GOOD, license="All rights reserved")), display="pack.yml"
    )
    assert pack is None
    assert problems[0].location == "license"
    assert "CC-BY-SA-4.0" in problems[0].message


def test_id_must_match_folder(tmp_path):
    """Is a pack whose id differs from its folder refused?"""
    folder = write_pack(tmp_path, GOOD)
    renamed = folder.rename(tmp_path / "other-name")
    pack, problems = load_pack(renamed, display="pack.yml")
    assert pack is None and problems[0].code == "pack.id-mismatch"


@pytest.mark.parametrize(
    ("version", "code", "advice"),
    [
        (0, "pack.schema-too-old", "upgrade the file"),
        (2, "pack.schema-too-new", "pip install -U learnpacks"),
    ],
)
def test_schema_version_mismatch_gives_instructions(tmp_path, version, code, advice):
    """Is a pack.yml of another format version refused with what to do, never half-read?"""
    pack, problems = load_pack(
        write_pack(tmp_path, dict(GOOD, schema_version=version)), display="pack.yml"
    )
    assert pack is None
    assert [p.code for p in problems] == [code]
    assert advice in problems[0].hint


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("", "config.not-a-mapping"),
        ("title: [unclosed", "config.yaml-syntax"),
        ("- a list", "config.not-a-mapping"),
    ],
)
def test_unreadable_config(tmp_path, text, code):
    """Is an empty, malformed or non-mapping _config.yml reported with a code, not a traceback?"""
    path = tmp_path / "_config.yml"
    path.write_text(text)
    config, problems = load_config(path, display="packs/_config.yml")
    assert config is None and problems[0].code == code


def test_config_must_publish_source_language(tmp_path):
    """Does the site configuration insist the source language is published?"""
    path = tmp_path / "_config.yml"
    path.write_text(yaml.safe_dump({"title": "T", "source_language": "en", "languages": ["fr"]}))
    config, problems = load_config(path, display="packs/_config.yml")
    assert config is None
    assert "source language" in problems[0].message


def test_config_unknown_nested_key_lists_valid_keys(tmp_path):
    """Does a typo inside launch.binder name the valid keys there?"""
    path = tmp_path / "_config.yml"
    path.write_text(
        yaml.safe_dump(
            {
                "title": "T",
                "source_language": "en",
                "languages": ["en"],
                "launch": {"binder": {"repo": "a/b", "branch": "x"}},
            }
        )
    )
    _config, problems = load_config(path, display="packs/_config.yml")
    assert problems[0].location == "launch.binder.branch"
    assert "ref" in problems[0].hint and "repo" in problems[0].hint


def test_config_translations_title_and_description(tmp_path):
    """Is the title shown in each language that has one, the source's elsewhere, and a translation
    for a language the site does not publish refused with the valid choices?"""
    path = tmp_path / "_config.yml"
    base = {"title": "Learning packs", "description": "Hands-on.", "source_language": "en"}
    path.write_text(
        yaml.safe_dump(
            {
                **base,
                "languages": ["en", "fr", "ar"],
                "translations": {"fr": {"title": "Parcours"}, "ar": {"description": "تطبيقي."}},
            }
        )
    )
    config, problems = load_config(path, display="packs/_config.yml")
    assert problems == [] and config is not None
    assert (config.title_in("fr"), config.description_in("fr")) == ("Parcours", "Hands-on.")
    assert (config.title_in("ar"), config.description_in("ar")) == ("Learning packs", "تطبيقي.")
    assert config.title_in("en") == "Learning packs"
    for wrong in ("de", "en"):
        path.write_text(
            yaml.safe_dump(
                {**base, "languages": ["en", "fr"], "translations": {wrong: {"title": "X"}}}
            )
        )
        config, problems = load_config(path, display="packs/_config.yml")
        assert config is None
        assert (
            f"translations: {wrong} is the source language or not in languages"
            in problems[0].message
        )
        assert "the other languages are fr" in problems[0].message


def test_shipped_config_and_packs_load():
    """Do the repository's own packs/_config.yml and pack.yml files load without problems?"""
    catalog = load_catalog(Path(__file__).resolve().parents[2])
    assert catalog.problems == []
    assert catalog.config is not None
    assert catalog.config.source_language in catalog.config.languages

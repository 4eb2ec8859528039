"""The docs stay true: every problem code and every format field is documented."""

from __future__ import annotations

import re
from pathlib import Path

from learnpacks.packs.model import PackMeta, SiteConfig

REPO = Path(__file__).resolve().parents[1]
SOURCES = [
    REPO / "learnpacks" / "checks",
    REPO / "learnpacks" / "packs",
    REPO / "learnpacks" / "book",
    REPO / "learnpacks" / "i18n",
]


def emitted_codes() -> set[str]:
    codes: set[str] = set()
    for folder in SOURCES:
        for path in folder.rglob("*.py"):
            text = path.read_text()
            codes |= set(
                re.findall(
                    r'"((?:nb|pack|exercise|grade|export|i18n|grading|collect)\.[a-z][a-z-]+)"',
                    text,
                )
            )
            codes |= {
                f"pack.{c}" for c in re.findall(r'f"\{(?:code_)?prefix\}\.([a-z][a-z-]+)"', text)
            }
    return codes


def test_every_problem_code_is_documented():
    """Is each code the checker can emit listed in docs/reference/problem-codes.md?"""
    doc = (REPO / "docs" / "reference" / "problem-codes.md").read_text()
    codes = emitted_codes()
    assert len(codes) > 20
    missing = sorted(c for c in codes if f"`{c}`" not in doc)
    assert missing == []


def test_every_format_field_is_documented():
    """Is every pack.yml and _config.yml key in the format docs?"""
    pack_doc = (REPO / "docs" / "authors" / "pack-format.md").read_text()
    assert [f for f in PackMeta.model_fields if f"`{f}`" not in pack_doc] == []
    config_doc = (REPO / "docs" / "authors" / "config-format.md").read_text()
    assert [f for f in SiteConfig.model_fields if f"`{f}" not in config_doc] == []


def test_readme_starts_with_the_two_commands():
    """Does the README open with exactly `make book` and `make test`?"""
    text = (REPO / "README.md").read_text()
    block = re.search(r"```sh\n(.*?)```", text, re.S)
    assert block is not None and text.index("```sh") < 40
    commands = [line.split("#")[0].strip() for line in block.group(1).splitlines()]
    assert commands == ["make book", "make test"]

"""The author guide's examples run as written."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

import learnpacks.widgets as widgets

GUIDE = Path(__file__).parents[2] / "docs" / "authors" / "exercises.md"
BLOCKS = re.findall(r"```python\n(.*?)```", GUIDE.read_text(encoding="utf-8"), re.S)


def test_guide_has_an_example_of_every_type() -> None:
    """Does the guide show every registered exercise type, the progress panel and the media?"""
    text = "\n".join(BLOCKS)
    for name in [cls.__name__ for cls in widgets.EXERCISE_TYPES.values()]:
        assert f"{name}(" in text, name
    assert "Progress(" in text and "Video" in text and "Image(" in text


@pytest.mark.parametrize(
    "block", [b for b in BLOCKS if "assert_answer(" not in b], ids=lambda b: b.split("(")[0][:30]
)
def test_guide_example_runs(block: str) -> None:
    """Does this example from docs/authors/exercises.md run without error?"""
    namespace = {name: getattr(widgets, name) for name in widgets.__all__}
    exec(compile(block, str(GUIDE), "exec"), namespace)  # noqa: S102 - our own documentation

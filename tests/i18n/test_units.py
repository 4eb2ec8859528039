"""Which parts of a notebook are offered for translation, and what each entry says about itself."""

from __future__ import annotations

import ast

import pytest
from hypothesis import given
from hypothesis import strategies as st

from learnpacks.i18n.mdunits import markdown_units
from learnpacks.i18n.pyunits import code_units, python_literal, would_run_as_code
from learnpacks.i18n.spans import splice


def kinds(source: str) -> list[tuple[str, str]]:
    return [(f.kind, f.text) for f in markdown_units(source)]


def test_markdown_blocks_are_units_with_their_kind() -> None:
    """Are headings, paragraphs, list items, quotes and table cells each one unit, markup kept inside?"""
    source = "# Title\n\nA *short* paragraph\non two lines.\n\n- one\n- two `x`\n\n> quoted\n\n| A | B |\n|---|---|\n| c | 1 |\n"
    assert kinds(source) == [
        ("heading", "Title"),
        ("paragraph", "A *short* paragraph\non two lines."),
        ("list-item", "one"),
        ("list-item", "two `x`"),
        ("quote", "quoted"),
        ("table-cell", "A"),
        ("table-cell", "B"),
        ("table-cell", "c"),
    ]


def test_code_math_urls_and_inline_code_alone_are_never_offered() -> None:
    """Are fenced and indented code, display math, a bare URL and a lone code span left out?"""
    source = "```python\nprint('hi')\n```\n\n    indented code\n\n$$\nx^2\n$$\n\nhttps://www.wikidata.org\n\n`code only`\n\n<!-- a comment -->\n"
    assert markdown_units(source) == []


def test_alt_text_and_link_text_without_their_targets() -> None:
    """Does an image-only or link-only paragraph offer just its alt text or link text, not the URL?"""
    source = '![A map](map.png)\n\n[Open the help](https://example.org/help)\n\n<img src="x.png" alt="A logo">\n'
    assert kinds(source) == [
        ("image-alt", "A map"),
        ("link-text", "Open the help"),
        ("html-alt", "A logo"),
    ]
    for found in markdown_units(source):
        assert "example.org" not in found.text and "png" not in found.text


def test_myst_directives_with_markdown_bodies() -> None:
    """Are the text and title of a ```{note} or :::{warning} box offered, but not their options or a code fence?"""
    source = (
        "```{admonition} Read this first\n:class: tip\nBody *text*.\n```\n\n"
        ":::{warning}\n:class: dropdown\nBe careful.\n:::\n\n"
        "```{code-block} python\nprint('no')\n```\n"
    )
    found = markdown_units(source)
    assert [(f.kind, f.text, f.note) for f in found] == [
        ("heading", "Read this first", "title of a {admonition} box"),
        ("paragraph", "Body *text*.", "paragraph (in a {admonition} box)"),
        ("paragraph", "Be careful.", "paragraph"),
    ]
    out = splice(source, [(f, f.text.upper()) for f in found])
    assert out == source.replace("Read this first", "READ THIS FIRST").replace(
        "Body *text*.", "BODY *TEXT*."
    ).replace("Be careful.", "BE CAREFUL.")


def test_escaped_pipe_in_a_table_cell_stays_as_written() -> None:
    """Is a table cell's msgid its source text, escaped pipe included, so substitution is exact?"""
    source = "| a \\| b | c |\n|---|---|\n"
    assert kinds(source) == [("table-cell", "a \\| b"), ("table-cell", "c")]


def test_code_cell_units() -> None:
    """Are `_()` strings and prose comments offered, and commented-out code, pragmas and magics not?"""
    source = (
        "%matplotlib inline\n"
        "from learnpacks.widgets import _, MultipleChoice, Option\n"
        "# Choose the right project\n"
        'MultipleChoice(id="projects", prompt=_("Which one?"),\n'
        '    options=[Option(_("Wikidata"), feedback=_("Right"))])  # noqa: E501\n'
        "# x = 5\n"
        'f = _(f"{x}")\n'
        'obj._("not ours")\n'
        'y = _("a" "b")\n'
    )
    found = code_units(source)
    assert [(f.kind, f.text) for f in found] == [
        ("code-comment", "Choose the right project"),
        ("code-string", "Which one?"),
        ("code-string", "Wikidata"),
        ("code-string", "Right"),
    ]
    notes = [f.note for f in found]
    assert notes[1] == "exercise question (MultipleChoice 'projects', prompt)"
    assert notes[2] == "exercise option (MultipleChoice 'projects', options[1].text)"
    assert notes[3] == "exercise feedback (MultipleChoice 'projects', options[1].feedback)"


def test_cell_magic_is_not_python() -> None:
    """Does a `%%bash` cell offer nothing, not even its comments?"""
    assert code_units("%%bash\n# list files\nls") == []


@given(st.text())
def test_python_literal_is_one_token_with_the_same_value(value: str) -> None:
    """Does any translation become exactly one string literal whose value is the translation?"""
    for quote in ("'", '"'):
        literal = python_literal(value, quote)
        tree = ast.parse(f"x = {literal}\n")
        assert len(tree.body) == 1
        assert isinstance(tree.body[0], ast.Assign) and isinstance(tree.body[0].value, ast.Constant)
        assert tree.body[0].value.value == value
        assert "\n" not in literal and "\r" not in literal


def test_python_literal_escapes_invisible_and_bidi_characters() -> None:
    """Are bidirectional overrides and controls escaped, and Arabic text and no-break spaces kept readable?"""
    assert python_literal("a\u202eb\x00") == '"a\\u202eb\\x00"'
    assert python_literal("مرحبا\u00a0!") == '"مرحبا\u00a0!"'


def test_substitution_keeps_the_markdown_around_each_unit() -> None:
    """Does a translation replace only its unit's text, keeping markers, indentation and suffixes?"""
    source = "## Title ##\n\n> one\n> two\n\n1. first\n   more\n\n| a | b |\n|---|---|\n"
    found = markdown_units(source)
    out = splice(source, [(f, f.text.upper()) for f in found])
    assert out == "## TITLE ##\n\n> ONE\n> TWO\n\n1. FIRST\n   MORE\n\n| A | B |\n|---|---|\n"
    # a different number of lines keeps the container
    out = splice(source, [(found[2], "un\ndeux\ntrois")])
    assert "1. un\n   deux\n   trois\n" in out


@pytest.mark.parametrize(
    ("text", "attack"),
    [
        ('Quel projet ?"); import os; os.system("x"); _("', True),
        ("Bonjour'); __import__('os').system('x') #", True),
        ('un", "deux', True),
        ('x")\nimport os\n_("', True),
        ('(voir "Aide")', False),
        ("remplacez None par 'a', 'b' ou 'c'", False),
        ("C'est l'unité « un ».", False),
        ('Il a dit "oui" et "non".', False),
    ],
)
def test_would_run_as_code(text: str, attack: bool) -> None:
    """Is a translation that would close its string and add code told apart from prose with quotes?"""
    assert would_run_as_code(text, '"x"') is attack

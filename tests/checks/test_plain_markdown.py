"""The scan that reads plain markdown cells (`learnpacks.safety._plain_outline`) gives what
markdown-it gives, or steps aside: the checks' findings cannot depend on which one read a cell."""

from __future__ import annotations

from hypothesis import example, given, settings
from hypothesis import strategies as st
from support import repository_cells

from learnpacks.safety import (
    _markdown,
    _plain_outline,
    headings_and_targets,
    markdown_it_outline,
)

#: Pieces of markdown that make up plain cells, and the ones that must send a cell to markdown-it.
PIECES = [
    *("[", "]", "(", ")", "!", "#", "# ", "## ", "###### ", "####### ", " #", "\n", "\n\n"),
    *(" ", "  ", "    ", "a", "b.md", "x y", "*", "_", "-", "+", "=", "1.", "2)", "10. "),
    *(":", "/", "?", "%", "%2F", "%zz", "@", "'", '"', "ü", "\u00a0", "\x0c", "\t", "\r"),
    *("<", ">", "`", "\\", "&", "&amp;", "~", "|", "http://x.org/A", "//h/x", "mailto:a@b"),
    *("[a](b)", "![i](f.svg)", "[](x)", "[a]()", "](", "[a]: b", "[a] [b]", "<b>", "---"),
]
#: What destinations are made of, the scan's characters among others.
URL_PREFIXES = ["", "http://", "https://", "HTTP://", "//", "mailto:", "ftp:", "a.b+c:"]
URL_CHARS = "AZaz09-._~:/?#!$'*+,;=%@xHhTtPpSs"


_markdown_it = markdown_it_outline


@settings(max_examples=3000, deadline=None)
@given(st.lists(st.sampled_from(PIECES), max_size=16).map("".join))
@example("# Part 1\n\nIntro with a [link](https://meta.wikimedia.org/wiki/1).")
@example("## Section\n\nText ![Figure 1.2](figure.svg) and [next](01-part.ipynb).")
@example("Title\n=====\n[a](b.md)")
@example("    [code](x.md)")
@example("[ref]\n\n[ref]: x.md")
def test_plain_scan_agrees_with_markdown_it(source: str) -> None:
    """Does the scan, whenever it reads a cell, find the headings and targets markdown-it finds?"""
    plain = _plain_outline(source)
    if plain is not None:
        assert plain == _markdown_it(source)
    assert headings_and_targets(source) == _markdown_it(source)


@settings(max_examples=3000, deadline=None)
@given(st.sampled_from(URL_PREFIXES), st.text(alphabet=st.sampled_from(sorted(URL_CHARS))))
@example("0:", "@")
@example("http://", "::")
def test_plain_destinations_are_kept_as_written(prefix: str, rest: str) -> None:
    """Does markdown-it keep every destination the scan accepts as written (its normalizeLink)?"""
    url = prefix + rest
    if _plain_outline(f"[a]({url})") is not None:
        assert _markdown().normalizeLink(url) == url


def test_every_markdown_cell_in_the_repository() -> None:
    """Do the scan and markdown-it agree on every markdown cell of the shipped packs and the
    test fixtures (and does the scan read most of the shipped ones)?"""
    read = total = 0
    for path, source in repository_cells("markdown"):
        plain = _plain_outline(source)
        total += 1
        if plain is not None:
            read += 1
            assert plain == _markdown_it(source), (path, source)
    assert total and read

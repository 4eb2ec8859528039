"""Property tests over generated notebooks: an identity catalog rebuilds the source exactly, and
every translation lands exactly on its unit."""

from __future__ import annotations

import copy
import tempfile
from pathlib import Path

import nbformat
import polib
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from learnpacks.i18n import build, extract
from learnpacks.i18n.units import cell_units
from learnpacks.i18n.validate import normalized

LETTERS = "abcdefghijklmnopqrstuvwxyzéàçøßĳ日本語عربيةабв"
word = st.text(alphabet=LETTERS, min_size=1, max_size=8)
words = st.lists(word, min_size=1, max_size=6).map(" ".join)
inline_piece = st.one_of(
    words,
    words.map(lambda w: f"**{w}**"),
    words.map(lambda w: f"*{w}*"),
    word.map(lambda w: f"`{w}()`"),
    words.map(lambda w: f"[{w}](https://example.org/{len(w)})"),
    st.just("$x^2$"),
    words.map(lambda w: f"<b>{w}</b>"),
    st.just("&amp;"),
    st.just("a \\* b"),
)
inline = st.lists(inline_piece, min_size=1, max_size=5).map(" ".join)
trailing = st.sampled_from(["", "", " ", "  ", "\t"])


@st.composite
def lines_of(draw: st.DrawFn, prefix: str = "", cont: str = "", max_lines: int = 3) -> str:
    count = draw(st.integers(1, max_lines))
    out = []
    for i in range(count):
        out.append((prefix if i == 0 else cont) + draw(inline) + draw(trailing))
    return "\n".join(out)


@st.composite
def table(draw: st.DrawFn) -> str:
    cols = draw(st.integers(1, 3))
    rows = [
        " | ".join(
            draw(st.one_of(words, st.just("1"), word.map(lambda w: f"`{w}`"))) for _ in range(cols)
        )
        for _ in range(draw(st.integers(1, 3)))
    ]
    lead = draw(st.sampled_from(["| ", ""]))
    tail = draw(st.sampled_from([" |", ""]))
    sep = "|".join(["---"] * cols)
    return "\n".join(
        [
            lead + rows[0] + tail,
            lead.strip() + sep + tail.strip(),
            *(lead + r + tail for r in rows[1:]),
        ]
    )


block = st.one_of(
    st.tuples(st.integers(1, 6), inline, st.sampled_from(["", " #", " ###"])).map(
        lambda t: "#" * t[0] + " " + t[1] + t[2]
    ),
    lines_of(),
    lines_of().map(lambda text: text + "\n" + "=" * 3),
    st.lists(lines_of(prefix="- ", cont="  ", max_lines=2), min_size=1, max_size=3).map("\n".join),
    st.lists(lines_of(prefix="1. ", cont="   ", max_lines=2), min_size=1, max_size=3).map(
        "\n".join
    ),
    lines_of(prefix="> ", cont="> "),
    lines_of(prefix="  > - ", cont="  >   "),
    table(),
    words.map(lambda w: f"```python\nprint('{w}')\n```"),
    words.map(lambda w: f"![{w}](img/{len(w)}.png)"),
    words.map(lambda w: f"[{w}](https://example.org/help)"),
    words.map(lambda w: f'<img src="x.png" alt="{w}">'),
    words.map(lambda w: f"<details>\n<summary>{w}</summary>"),
    st.just("$$\nE = mc^2\n$$"),
    lines_of().map(lambda text: "```{note}\n:class: tip\n" + text + "\n```"),
    st.tuples(words, lines_of()).map(lambda t: "```{admonition} " + t[0] + "\n" + t[1] + "\n```"),
    lines_of().map(lambda text: ":::{warning}\n" + text + "\n:::"),
    st.just("https://www.wikidata.org"),
)
markdown_cell = st.tuples(
    st.lists(block, min_size=1, max_size=5),
    st.sampled_from(["\n\n", "\n\n\n"]),
    st.sampled_from(["", "\n"]),
).map(lambda t: t[1].join(t[0]) + t[2])
code_line = st.one_of(
    words.map(lambda w: f'x = _("{w}")'),
    words.map(lambda w: f"print(_('{w}'))  # {w}"),
    words.map(lambda w: f"# {w}"),
    words.map(
        lambda w: (
            f'MultipleChoice(id="q", prompt=_("{w}?"), options=[_("{w}"), _("caf\\u00e9 {{n}}")])'
        )
    ),
    st.just("y = 1"),
    st.just("%matplotlib inline"),
)
code_cell = st.lists(code_line, min_size=1, max_size=5).map("\n".join)
cells = st.lists(
    st.one_of(markdown_cell.map(lambda s: ("markdown", s)), code_cell.map(lambda s: ("code", s))),
    min_size=1,
    max_size=6,
)

CONFIG = "schema_version: 1\ntitle: T\nsource_language: en\nlanguages: [en, fr]\nthresholds:\n  publish_translation: 0\n"
PACK_YML = (
    "schema_version: 1\nid: gen\ntitle: Generated\nsummary: A generated pack.\nlanguage: en\nlevel: beginner\nduration: 5\n"
    "topics: [t]\naudience: [a]\nformats: [text]\nobjectives: [Do a thing.]\nauthors: [{name: Hypothesis}]\nnotebooks: [gen.ipynb]\n"
)


def make_project(root: Path, specs: list[tuple[str, str]]) -> nbformat.NotebookNode:
    (root / "packs" / "gen").mkdir(parents=True)
    (root / "packs" / "_config.yml").write_text(CONFIG, encoding="utf-8")
    (root / "packs" / "gen" / "pack.yml").write_text(PACK_YML, encoding="utf-8")
    nb = nbformat.v4.new_notebook()
    nb.metadata = {
        "kernelspec": {"name": "python3", "display_name": "Python 3", "language": "python"}
    }
    for i, (kind, source) in enumerate(specs):
        new = nbformat.v4.new_markdown_cell if kind == "markdown" else nbformat.v4.new_code_cell
        cell = new(source)
        cell.id = f"c{i}"
        nb.cells.append(cell)
    nbformat.write(nb, root / "packs" / "gen" / "gen.ipynb")
    return nbformat.read(root / "packs" / "gen" / "gen.ipynb", as_version=4)


def translate_all(root: Path, translate) -> None:  # type: ignore[no-untyped-def]
    extract(root=root)
    pot = polib.pofile(str(root / "translations" / "templates" / "gen.pot"))
    po = polib.POFile()
    po.metadata = {"Content-Type": "text/plain; charset=UTF-8", "Language": "fr"}
    for entry in pot:
        po.append(
            polib.POEntry(msgctxt=entry.msgctxt, msgid=entry.msgid, msgstr=translate(entry.msgid))
        )
    (root / "translations" / "fr").mkdir(parents=True)
    po.save(str(root / "translations" / "fr" / "gen.po"))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cells)
def test_identity_catalog_reproduces_the_source_notebook_exactly(
    specs: list[tuple[str, str]],
) -> None:
    """With every msgstr equal to its msgid, does build give back the source notebook byte for byte
    (apart from the translation state it records)?"""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        source = make_project(root, specs)
        translate_all(root, lambda msgid: msgid)
        result = build(root=root, out_dir=root / "out", languages=["fr"])
        assert [i.coverage for i in result.items] == [1.0]
        assert [p for p in result.problems] == []
        built = nbformat.read(root / "out" / "fr" / "gen" / "gen.ipynb", as_version=4)
        state = built.metadata["learnpacks"].pop("translation")
        assert state["rejected"] == [] and state["outdated"] == []
        if not built.metadata["learnpacks"]:
            del built.metadata["learnpacks"]
        assert nbformat.writes(built) == nbformat.writes(source)


def marked(msgid: str) -> str:
    return "\n".join("ZZ " + line for line in msgid.split("\n"))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cells)
def test_every_translation_lands_on_its_unit(specs: list[tuple[str, str]]) -> None:
    """Does each translated unit read as its translation in the built notebook, every other byte of the
    cell's structure staying, or else is it reported rejected and shown in the source language?"""
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp)
        source = make_project(root, specs)
        translate_all(root, marked)
        build(root=root, out_dir=root / "out", languages=["fr"])
        built = nbformat.read(root / "out" / "fr" / "gen" / "gen.ipynb", as_version=4)
        rejected = set(built.metadata["learnpacks"]["translation"]["rejected"])
        before, _ = cell_units(source, name="gen.ipynb", file="gen.ipynb")
        after, _ = cell_units(built, name="gen.ipynb", file="gen.ipynb")
        assert [u.kind for u in after] == [u.kind for u in before]
        for old, new in zip(before, after, strict=True):
            if old.id in rejected:
                assert new.text == old.text
                assert old.kind == "html", (
                    old
                )  # only an HTML block can stop being one when text is put before it
            else:
                assert new.text == normalized(
                    marked(old.text), multiline=old.found.multiline if old.found else True
                ), old
        assert [c.id for c in built.cells] == [c.id for c in source.cells]
        assert copy.deepcopy([c.cell_type for c in built.cells]) == [
            c.cell_type for c in source.cells
        ]

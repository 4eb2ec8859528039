"""build: translated notebooks with the same cells, fallbacks, translation state and inert hostile input."""

from __future__ import annotations

import ast
import json
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import nbformat
import pytest
import yaml
from i18n_helpers import PACK, cell, edit_cell, read_built, scenario
from markdown_it import MarkdownIt

from learnpacks.errors import UsageError
from learnpacks.i18n import build, update

NOTEBOOKS = ["01-basics.ipynb", "02-exercises.ipynb"]


def source_nb(project: Path, name: str) -> nbformat.NotebookNode:
    return nbformat.read(project / "packs" / PACK / name, as_version=4)


def translation(nb: nbformat.NotebookNode) -> dict:
    return nb.metadata["learnpacks"]["translation"]


def test_build_writes_every_published_language_with_the_same_cells(
    i18n_project: Path, tmp_path: Path
) -> None:
    """Does each language get the pack's notebooks with the same cells and ids, and its other files?"""
    out = tmp_path / "out"
    result = build(root=i18n_project, out_dir=out)
    assert {(i.language, i.published) for i in result.items} == {
        ("en", True),
        ("fr", True),
        ("pt-BR", True),
        ("ar", False),
    }
    for lang in ("en", "fr", "pt-BR"):
        assert (out / lang / PACK / "projects.csv").read_text() == (
            i18n_project / "packs" / PACK / "projects.csv"
        ).read_text()
        for name in NOTEBOOKS:
            built, source = read_built(out, lang, name), source_nb(i18n_project, name)
            assert [(c.id, c.cell_type) for c in built.cells] == [
                (c.id, c.cell_type) for c in source.cells
            ]
    assert not (out / "ar").exists()
    fr = read_built(out, "fr", "01-basics.ipynb")
    assert cell(fr, "title").startswith(
        "# Bienvenue dans le pack d'exemple\n\nCe pack montre **chaque sorte** d'unité."
    )
    assert cell(fr, "repeat").endswith(
        '```python\nprint("not translated")\n```\n\n$$\nE = mc^2\n$$\n\nhttps://www.wikidata.org'
    )
    assert translation(fr) | {"catalog": None} == {
        "language": "fr", "source_language": "en", "coverage": 1.0, "units": 22, "translated": 22,
        "outdated": [], "untranslated": [], "rejected": [], "fallback": ["en"], "shown_in": {},
        "rtl": False, "direction": "ltr", "published": True, "catalog": None,
    }  # fmt: skip
    pack = yaml.safe_load((out / "fr" / PACK / "pack.yml").read_text(encoding="utf-8"))
    assert (
        pack["title"] == "Pack d'exemple"
        and pack["language"] == "fr"
        and pack["objectives"][1] == "Répondre à une question à choix multiple."
    )


def test_translated_strings_enter_code_as_literals(i18n_project: Path, tmp_path: Path) -> None:
    """Are exercise strings replaced token for token, keeping the code around them?"""
    build(root=i18n_project, out_dir=tmp_path)
    source = cell(read_built(tmp_path, "fr", "02-exercises.ipynb"), "mc")
    assert 'prompt=_("Quel projet stocke des données structurées ?"),' in source
    assert 'feedback=_("Non : Wikisource contient des textes %(kind)s.")' in source
    assert cell(read_built(tmp_path, "fr", "01-basics.ipynb"), "setup").endswith(
        "print(len(rows))  # nombre de projets"
    )


def test_fallback_chain_and_right_to_left(i18n_project: Path, tmp_path: Path) -> None:
    """Does pt-BR fall back to pt, then to the source, and is Arabic marked right to left?"""
    out = tmp_path / "out"
    build(root=i18n_project, out_dir=out, include_unpublished=True)
    nb = read_built(out, "pt-BR", "01-basics.ipynb")
    meta = translation(nb)
    assert meta["fallback"] == ["pt", "en"]
    assert cell(nb, "title").startswith("# Bem-vindo ao pacote de exemplo\n\n[pt] Ce pack")
    assert (
        meta["shown_in"]["01-basics.ipynb#title#2"] == "pt"
        and "01-basics.ipynb#title#1" not in meta["shown_in"]
    )
    ar = read_built(out, "ar", "01-basics.ipynb")
    assert (
        translation(ar)["rtl"] is True
        and translation(ar)["direction"] == "rtl"
        and translation(ar)["published"] is False
    )
    # JupyterLab reads the text cells right to left from their HTML, the code left to right
    assert cell(ar, "title").startswith(
        '<div dir="rtl">\n\n# مرحبًا بك في الحزمة النموذجية\n\nThis pack shows'
    )
    assert cell(ar, "title").endswith("\n\n</div>")
    for c in ar.cells:
        wrapped = c.source.startswith('<div dir="rtl">')
        assert wrapped == (c.cell_type == "markdown" and "nbgrader" not in c.metadata), c.id
        assert (c.metadata.get("learnpacks", {}).get("direction") == "rtl") == wrapped, c.id
    assert not cell(nb, "title").startswith("<div")
    assert "01-basics.ipynb#title#2" in translation(ar)["untranslated"]


def test_publishing_threshold_and_manifest(i18n_project: Path, tmp_path: Path) -> None:
    """Is a language below thresholds.publish_translation not published, the site offering the source?"""
    out = tmp_path / "out"
    build(root=i18n_project, out_dir=out, include_unpublished=True)
    assert (out / "ar" / PACK).is_dir()
    build(root=i18n_project, out_dir=out)
    assert not (out / "ar" / PACK).exists(), "a stale unpublished language must not linger"
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    ar = manifest["packs"][PACK]["ar"]
    assert (
        ar["published"] is False
        and ar["offer"] == "en"
        and ar["rtl"] is True
        and ar["coverage"] < 0.8
    )
    assert manifest["packs"][PACK]["fr"]["offer"] == "fr" and manifest["threshold"] == 0.8


def test_one_changed_sentence_is_reported_outdated(i18n_project: Path, tmp_path: Path) -> None:
    """Does the built notebook report a changed unit as outdated and show the new source text, before and after update?"""
    edit_cell(
        i18n_project,
        "01-basics.ipynb",
        "media",
        "Look at the table above.",
        "Look at the table above, then answer.",
    )
    for step in ("stale catalogs", "after update"):
        out = tmp_path / step
        build(root=i18n_project, out_dir=out)
        fr = read_built(out, "fr", "01-basics.ipynb")
        assert translation(fr)["outdated"] == ["01-basics.ipynb#media#5"], step
        assert "Look at the table above, then answer." in cell(fr, "media")
        assert "Afficher un indice" in cell(fr, "media")
        assert translation(fr)["coverage"] == round(21 / 22, 4)
        update(root=i18n_project)


def test_out_dir_is_never_the_source_tree(i18n_project: Path) -> None:
    """Is an --out inside packs/ or translations/, or the project itself, refused before anything is written?"""
    for bad in (
        i18n_project / "packs",
        i18n_project / "packs" / PACK / "x",
        i18n_project / "translations",
        i18n_project,
    ):
        with pytest.raises(UsageError):
            build(root=i18n_project, out_dir=bad)
    assert not (i18n_project / "packs" / PACK / "x").exists()


def rendered(markdown: str) -> str:
    return MarkdownIt("commonmark").render(markdown)


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.found: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.found.append((tag, attrs))


def hostile_tags(html: str) -> list[str]:
    """Elements a browser would run script from: <script>, on* handlers, javascript:/data: URLs."""
    parser = _Tags()
    parser.feed(html)
    bad = []
    for tag, attrs in parser.found:
        if tag in ("script", "iframe", "object", "embed"):
            bad.append(tag)
        for name, value in attrs:
            url = re.sub(r"[\x00-\x20]", "", value or "").lower()
            if name.startswith("on") or (
                name in ("href", "src") and url.startswith(("javascript:", "data:", "vbscript:"))
            ):
                bad.append(f"{tag} {name}={value}")
    return bad


@pytest.mark.parametrize(
    ("name", "cell_id"),
    [
        ("translation-injects-script", "repeat"),
        ("translation-onerror-attribute", "repeat"),
        ("translation-breaks-out-of-alt", "media"),
        ("translation-javascript-link", "lists"),
        ("translation-entity-encoded-javascript", "lists"),
    ],
)
def test_hostile_markdown_falls_back_or_ends_up_inert(
    i18n_project: Path, tmp_path: Path, name: str, cell_id: str
) -> None:
    """Is a rejected translation replaced by the source, and, forced through, rendered as harmless text?"""
    scenario(i18n_project, name)
    build(root=i18n_project, out_dir=tmp_path / "safe", languages=["fr"], include_unpublished=True)
    nb = read_built(tmp_path / "safe", "fr", "01-basics.ipynb")
    assert cell(nb, cell_id) == cell(source_nb(i18n_project, "01-basics.ipynb"), cell_id)
    assert translation(nb)["rejected"]
    result = build(
        root=i18n_project,
        out_dir=tmp_path / "forced",
        languages=["fr"],
        force=True,
        include_unpublished=True,
    )
    assert any("used escaped (--force)" in p.message for p in result.problems)
    forced = cell(read_built(tmp_path / "forced", "fr", "01-basics.ipynb"), cell_id)
    assert forced != cell(nb, cell_id), "forced mode shows the translation"
    assert hostile_tags(rendered(forced)) == []
    # the scenario is hostile: shown raw, it would not be inert
    raw = scenario(i18n_project, name).read_text(encoding="utf-8")
    assert "alert(" in raw


def test_code_smuggled_through_a_string_stays_a_string(i18n_project: Path, tmp_path: Path) -> None:
    """Forced through build, does a string that tries to close its literal stay one escaped literal?"""
    scenario(i18n_project, "translation-code-through-string")
    build(
        root=i18n_project,
        out_dir=tmp_path / "out",
        languages=["fr"],
        force=True,
        include_unpublished=True,
    )
    nb = read_built(tmp_path / "out", "fr", "02-exercises.ipynb")
    for cell_id in ("mc", "plain"):
        tree = ast.parse(cell(nb, cell_id))
        source_tree = ast.parse(cell(source_nb(i18n_project, "02-exercises.ipynb"), cell_id))
        # the same statements, calls and names: only string constants differ
        shape = [type(n).__name__ for n in ast.walk(tree)]
        assert shape == [type(n).__name__ for n in ast.walk(source_tree)]
        assert not [
            n
            for n in ast.walk(tree)
            if isinstance(n, (ast.Import, ast.ImportFrom)) and n.names[0].name == "os"
        ]
    strings = [
        n.value
        for n in ast.walk(ast.parse(cell(nb, "mc")))
        if isinstance(n, ast.Constant) and isinstance(n.value, str)
    ]
    assert "Quel projet ?&quot;); import os; os.system(&quot;echo pwned&quot;); _(&quot;" in strings


def test_build_runs_on_the_core_dependencies_alone(i18n_project: Path, tmp_path: Path) -> None:
    """Does `learnpacks i18n build --out DIR` import nothing from the book or grading extras (Binder's postBuild)?"""
    code = (
        "import sys; from learnpacks.cli import main\n"
        f"rc = main(['--root', {str(i18n_project)!r}, 'i18n', 'build', '--out', {str(tmp_path / 'out')!r}])\n"
        "heavy = sorted(m for m in sys.modules if m.split('.')[0] in {'sphinx', 'jupyter_book', 'myst_nb', 'nbgrader', 'babel', 'dask', 'pagefind', 'libzim', 'nbclient'})\n"
        "print(rc, heavy)\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip().splitlines()[-1] == "0 []", done.stdout + done.stderr
    assert (tmp_path / "out" / "fr" / PACK / "01-basics.ipynb").is_file()


def _written(out: Path) -> dict[str, int]:
    """Every built file and when it was written."""
    return {
        p.relative_to(out).as_posix(): p.stat().st_mtime_ns for p in out.rglob("*") if p.is_file()
    }


def test_a_build_with_nothing_changed_writes_nothing_and_says_the_same(
    i18n_project: Path, tmp_path: Path
) -> None:
    """Does a second build reuse every pack whose files, catalogs and settings did not change
    (same outcome, same problems, no file written), and translate a pack again when one of its
    catalogs changes, or when its built files were changed by hand?"""
    out = tmp_path / "out"
    first = build(root=i18n_project, out_dir=out)
    written = _written(out)
    second = build(root=i18n_project, out_dir=out)
    assert second.to_dict() == first.to_dict()
    records = {"manifest.json", ".learnpacks-kept.json"}  # rewritten: the pack files are not
    assert {k: v for k, v in _written(out).items() if k not in records} == {
        k: v for k, v in written.items() if k not in records
    }
    # a translator's change: the pack is translated again
    catalog = i18n_project / "translations" / "fr" / f"{PACK}.po"
    catalog.write_text(catalog.read_text(encoding="utf-8"), encoding="utf-8")
    build(root=i18n_project, out_dir=out)
    assert _written(out)[f"fr/{PACK}/01-basics.ipynb"] != written[f"fr/{PACK}/01-basics.ipynb"]
    # a built notebook changed by hand is written again as the build makes it
    built = out / "fr" / PACK / "01-basics.ipynb"
    text = built.read_text(encoding="utf-8")
    built.write_text("{}", encoding="utf-8")
    assert build(root=i18n_project, out_dir=out).to_dict() == first.to_dict()
    assert built.read_text(encoding="utf-8") == text

"""A catalog of generated packs whose notebooks all differ, for the site benchmark.

Usage: .venv/bin/python benchmarks/distinct_packs.py DEST --notebooks 48 [--languages en fr es ar]

Every notebook starts from the starter notebook ``learnpacks new`` writes (set-up cell, exercises
of three widget types, a progress panel, an image), and gets a code cell and a paragraph of its
own, so no two notebooks share an execution-cache entry: each one is executed, as a real catalog's
would be. Packs hold four notebooks each (the last one fewer) and vary in level and topic, so the
catalog's filters have something to do. Languages other than the source get a complete catalog
whose every message is the source text (with the language code after a plain sentence), so every
pack is published in every language and every translated notebook executes in its own language's
build. The text is synthetic: it says nothing true or false about Wikimedia.
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
from pathlib import Path

import nbformat
import polib
import yaml

from learnpacks.i18n import extract, init
from learnpacks.packs.scaffold import new_pack

REPO = Path(__file__).resolve().parents[1]
PER_PACK = 4
LEVELS = ("beginner", "intermediate", "advanced")
TOPICS = ("wikidata", "commons", "editing", "licensing", "community", "apis", "policies")
WORDS = [
    "archive",
    "citation",
    "dataset",
    "editor",
    "gallery",
    "heritage",
    "index",
    "journal",
    "library",
    "map",
    "museum",
    "notice",
    "property",
    "query",
    "reference",
    "revision",
    "statement",
    "talk",
    "template",
    "upload",
    "volunteer",
]
_PLAIN_SENTENCE = re.compile(r"[A-Z][^\n`$*_\[\]<>{}#|]*[.?!]")


def _paragraph(seed: int) -> str:
    """A few sentences of words picked by *seed*, so each notebook's text (and index) differs."""
    words = [WORDS[(seed * 7 + i * 13) % len(WORDS)] for i in range(36)]
    sentences = [" ".join(words[i : i + 9]).capitalize() + "." for i in range(0, 36, 9)]
    return f"Notebook {seed} looks at " + " ".join(sentences)


def _notebook(starter: nbformat.NotebookNode, name: str, seed: int) -> nbformat.NotebookNode:
    nb = nbformat.from_dict(json.loads(json.dumps(starter)))
    for cell in nb.cells:
        if cell.cell_type == "code" and "configure(notebook=" in cell.source:
            cell.source = re.sub(
                r'configure\(notebook="[^"]*"\)', f'configure(notebook="{name}")', cell.source
            )
        if cell.cell_type == "code":  # exercise ids are unique in a pack
            cell.source = re.sub(r'\bid="([a-z0-9-]+)"', rf'id="\1-{seed}"', cell.source)
    nb.cells[0].source = f"# Notebook {seed}\n\n{_paragraph(seed)}"
    # Code of its own: a different execution-cache key, and an output that differs.
    nb.cells.insert(
        -1,
        nbformat.v4.new_code_cell(
            f"values = [(n * {seed + 7}) % 101 for n in range(500)]\nsum(values), max(values)"
        ),
    )
    nb.cells.insert(-1, nbformat.v4.new_markdown_cell(f"## Notes\n\n{_paragraph(seed + 1)}"))
    for index, cell in enumerate(nb.cells):
        cell["id"] = f"c{seed}-{index}"
    return nb


def make_catalog(dest: Path, *, notebooks: int, languages: list[str] | None = None) -> Path:
    """Write a project with *notebooks* distinct notebooks into *dest* (which must not exist);
    *languages*: the site's languages, the first is the source (default: ``en`` only)."""
    languages = languages or ["en"]
    (dest / "packs").mkdir(parents=True)
    config = yaml.safe_load((REPO / "packs" / "_config.yml").read_text(encoding="utf-8"))
    config["source_language"] = languages[0]
    config["languages"] = languages
    config["translations"] = {
        lang: text
        for lang, text in (config.get("translations") or {}).items()
        if lang in languages[1:]
    }
    (dest / "packs" / "_config.yml").write_text(
        yaml.safe_dump(config, sort_keys=False, allow_unicode=True), encoding="utf-8"
    )
    shutil.copytree(REPO / "book", dest / "book", ignore=shutil.ignore_patterns("_build"))
    seed = 0
    for number in range((notebooks + PER_PACK - 1) // PER_PACK):
        pack_id = f"bench-{number:03d}"
        folder = new_pack(pack_id, root=dest, title=f"Bench pack {number}")
        starter = nbformat.read(folder / "01-start.ipynb", as_version=4)
        (folder / "01-start.ipynb").unlink()
        names = []
        for k in range(min(PER_PACK, notebooks - seed)):
            name = f"{k + 1:02d}-part.ipynb"
            nbformat.write(_notebook(starter, name, seed), folder / name)
            names.append(name)
            seed += 1
        meta = yaml.safe_load((folder / "pack.yml").read_text(encoding="utf-8"))
        meta.update(
            notebooks=names,
            level=LEVELS[number % len(LEVELS)],
            topics=[TOPICS[number % len(TOPICS)], TOPICS[(number * 3 + 1) % len(TOPICS)]],
            summary=_paragraph(1000 + number)[:200].rsplit(" ", 1)[0] + ".",
            status="published",
        )
        (folder / "pack.yml").write_text(
            yaml.safe_dump(meta, sort_keys=False, allow_unicode=True), encoding="utf-8"
        )
    if len(languages) > 1:
        extract(root=dest)
        for lang in languages[1:]:
            init(lang, root=dest)
            for po_path in sorted((dest / "translations" / lang).glob("*.po")):
                po = polib.pofile(str(po_path))
                for entry in po:
                    if entry.obsolete:
                        continue
                    text = entry.msgid
                    entry.msgstr = f"{text} ({lang})" if _PLAIN_SENTENCE.fullmatch(text) else text
                po.save()
    return dest


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("dest", type=Path)
    parser.add_argument("--notebooks", type=int, default=4)
    parser.add_argument("--languages", nargs="+", default=["en"])
    args = parser.parse_args()
    make_catalog(args.dest, notebooks=args.notebooks, languages=args.languages)
    print(f"wrote {args.notebooks} notebook(s) in {args.languages} to {args.dest}")


if __name__ == "__main__":
    main()

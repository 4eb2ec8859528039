"""How long do `learnpacks i18n extract`, `update` and `build` take for N generated notebooks × L languages?

Usage: .venv/bin/python benchmarks/i18n_bench.py [--packs 20] [--notebooks 10] [--languages fr,es,ar,de,pt-BR] [--repeat 3]

Generates packs of notebooks (headings, paragraphs with links and inline code, lists, a table,
images, exercise cells with `_()` strings and comments) in a temporary folder, starts every
language and translates every unit, then times, as library calls:

- extract: writing every template from the notebooks;
- update: after one sentence changed in every notebook, extract again, then merge into every
  catalog, side by side with GNU msgmerge merging the same templates into the same catalogs;
- build: every language's translated notebooks (check of every translation included), side
  by side with the floor, reading and writing each notebook once per language with nbformat.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import nbformat
import polib
import yaml

from learnpacks.i18n import build, extract, init, update

CONFIG = """schema_version: 1
title: Benchmark
source_language: en
languages: [en, {languages}]
thresholds:
  publish_translation: 0.8
"""


def notebook(n: int) -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    cells = [
        nbformat.v4.new_markdown_cell(
            f"# Part {n}: the Wikimedia movement\n\nIn this notebook you meet the [movement](https://meta.wikimedia.org/wiki/Wikimedia_movement).",
            id="title",
        )
    ]
    for k in range(8):
        cells.append(
            nbformat.v4.new_markdown_cell(
                f"## Section {k}: projects and people\n\n"
                f"Volunteers write **Wikipedia** and keep `Wikidata` tidy; section {k} explains how.\n"
                "Each community sets its own rules.\n\n"
                "- Read the [five pillars](https://en.wikipedia.org/wiki/Wikipedia:Five_pillars).\n"
                "- Find a project that fits your interests.\n\n"
                "| Project | What it holds |\n|---|---|\n| Wikidata | structured data |\n\n"
                "![A map of the projects](map.png)",
                id=f"m{k}",
            )
        )
        cells.append(
            nbformat.v4.new_code_cell(
                "# Choose the project that stores structured data\n"
                f'MultipleChoice(id="p{n}-q{k}", prompt=_("Which project stores structured data?"),\n'
                '    options=[Option(_("Wikidata"), correct=True, feedback=_("Right: it holds {count} items.")),\n'
                '             Option(_("Wikisource"), feedback=_("No: Wikisource holds source texts."))])',
                id=f"c{k}",
            )
        )
    nb.cells = cells
    return nb


def make_project(root: Path, packs: int, notebooks: int, languages: list[str]) -> int:
    (root / "packs").mkdir(parents=True)
    (root / "packs" / "_config.yml").write_text(CONFIG.format(languages=", ".join(languages)))
    count = 0
    for i in range(packs):
        pid = f"pack-{i:03d}"
        folder = root / "packs" / pid
        folder.mkdir()
        names = [f"{n + 1:02d}-part.ipynb" for n in range(notebooks)]
        meta = {
            "id": pid, "title": f"Pack {i}", "summary": "A generated pack.", "language": "en", "level": "beginner",
            "duration": 30, "topics": ["t"], "audience": ["a"], "formats": ["text", "exercises"],
            "objectives": ["Name the projects.", "Choose one."], "authors": [{"name": "Bench"}], "notebooks": names,
        }  # fmt: skip
        (folder / "pack.yml").write_text(yaml.safe_dump(meta))
        for n, name in enumerate(names):
            nbformat.write(notebook(n), folder / name)
            count += 1
    return count


def translate_everything(root: Path, languages: list[str]) -> int:
    """Fill every catalog: each line of each msgid, tagged with the language (markup kept)."""
    entries = 0
    for lang in languages:
        for path in sorted((root / "translations" / lang).glob("*.po")):
            po = polib.pofile(str(path))
            for entry in po:
                entry.msgstr = "\n".join(f"[{lang}] {line}" for line in entry.msgid.split("\n"))
                entries += 1
            po.save(str(path))
    return entries


def change_one_sentence_everywhere(root: Path) -> None:
    for path in sorted((root / "packs").glob("*/*.ipynb")):
        nb = nbformat.read(path, as_version=4)
        nb.cells[1].source = nb.cells[1].source.replace(
            "Each community sets its own rules.", "Each community sets and changes its own rules."
        )
        nbformat.write(nb, path)


def timed(fn: Callable[..., Any], *args: Any, **kwargs: Any) -> tuple[float, Any]:
    start = time.perf_counter()
    result = fn(*args, **kwargs)
    return time.perf_counter() - start, result


def msgmerge_all(root: Path, languages: list[str]) -> None:
    for lang in languages:
        for po in sorted((root / "translations" / lang).glob("*.po")):
            pot = root / "translations" / "templates" / f"{po.stem}.pot"
            subprocess.run(
                ["msgmerge", "--quiet", "--update", "--backup=off", str(po), str(pot)], check=True
            )


def nbformat_floor(root: Path, out: Path, languages: list[str]) -> None:
    for lang in ["en", *languages]:
        for path in sorted((root / "packs").glob("*/*.ipynb")):
            target = out / lang / path.parent.name / path.name
            target.parent.mkdir(parents=True, exist_ok=True)
            nbformat.write(nbformat.read(path, as_version=4), target)


def one_run(
    root: Path, packs: int, notebooks: int, languages: list[str]
) -> tuple[dict[str, float], dict[str, int]]:
    """Time each step once in a fresh project; also return the corpus' size."""
    times: dict[str, float] = {}
    size = {"notebooks": make_project(root, packs, notebooks, languages)}
    times["extract"], _ = timed(extract, root=root)
    size["units"] = sum(
        len(polib.pofile(str(p))) for p in (root / "translations" / "templates").glob("*.pot")
    )
    for lang in languages:
        init(lang, root=root)
    size["entries"] = translate_everything(root, languages)
    change_one_sentence_everywhere(root)
    times["re-extract"], _ = timed(extract, root=root)
    if shutil.which("msgmerge"):
        # GNU msgmerge merges the same templates into a copy of the same catalogs
        gnu = root / "gnu"
        shutil.copytree(root / "translations", gnu / "translations")
        times["msgmerge"], _ = timed(msgmerge_all, gnu, languages)
    times["merge"], result = timed(update, root=root, extract_first=False)
    assert sum(s["fuzzy"] for s in result.stats.values()) == size["notebooks"] * len(languages)
    times["build"], _ = timed(build, root=root, out_dir=root / "out")
    times["floor"], _ = timed(nbformat_floor, root, root / "floor", languages)
    return times, size


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--packs", type=int, default=20)
    parser.add_argument("--notebooks", type=int, default=10, help="notebooks per pack")
    parser.add_argument("--languages", default="fr,es,ar,de,pt-BR")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    languages = args.languages.split(",")
    runs = []
    for _ in range(args.repeat):
        with tempfile.TemporaryDirectory() as tmp:
            times, size = one_run(Path(tmp), args.packs, args.notebooks, languages)
            runs.append(times)
    med = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
    count = size["notebooks"]
    written = count * (len(languages) + 1)
    print(
        f"corpus: {args.packs} packs × {args.notebooks} notebooks = {count} notebooks, {size['units']} units; "
        f"{len(languages)} languages ({', '.join(languages)}), {size['entries']} translated entries"
    )
    print(f"median of {args.repeat} runs, library calls on this machine:")
    print(
        f"  extract, first time (all templates)     {med['extract']:6.2f} s  {1000 * med['extract'] / count:5.1f} ms/notebook"
    )
    print(
        f"  extract after one edit per notebook     {med['re-extract']:6.2f} s  {1000 * med['re-extract'] / count:5.1f} ms/notebook"
    )
    line = f"  update --no-extract (merge, {len(languages)} langs)  {med['merge']:6.2f} s  {1000 * med['merge'] / (count * len(languages)):5.1f} ms/notebook·language"
    if "msgmerge" in med:
        line += f"   GNU msgmerge, same files: {med['msgmerge']:.2f} s (ratio {med['merge'] / med['msgmerge']:.2f})"
    print(line)
    print(f"  update (extract + merge)                {med['re-extract'] + med['merge']:6.2f} s")
    print(
        f"  build ({len(languages)} langs + source)               {med['build']:6.2f} s  {1000 * med['build'] / written:5.1f} ms/notebook written"
        f"   nbformat read+write floor: {med['floor']:.2f} s (ratio {med['build'] / med['floor']:.1f})"
    )
    print(
        f"command: .venv/bin/python benchmarks/i18n_bench.py --packs {args.packs} --notebooks {args.notebooks} "
        f"--languages {args.languages} --repeat {args.repeat}"
    )


if __name__ == "__main__":
    main()

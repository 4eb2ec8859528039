"""How long does `learnpacks check` take over a catalog of N generated packs?

Usage: .venv/bin/python benchmarks/check_bench.py [--packs 200] [--notebooks 3] [--repeat 3]
       [--baseline CHECKOUT] [--quick]

Generates N packs (each with a few notebooks that have markdown, images, links, a set-up cell
and hidden exercise cells, every pack's text its own) in a temporary folder, then times
`learnpacks check` as a user runs it (a fresh process, imports included; wall and CPU time, the
CPU of the main process and of the worker processes it forks apart) and as a library call; with
--baseline, another checkout's `learnpacks check` on the same catalog, side by side, and the
findings of both (`check --json`) compared on the generated catalog, on a copy of it broken in
many ways (`break_catalog`) and on the fixture projects of tests/checks/: they must be identical.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import nbformat
import yaml

from learnpacks.checks import check_catalog

REPO = Path(__file__).resolve().parents[1]


def make_catalog(root: Path, packs: int, notebooks: int) -> None:
    (root / "packs").mkdir(parents=True)
    shutil.copy(REPO / "packs" / "_config.yml", root / "packs" / "_config.yml")
    for i in range(packs):
        pid = f"pack-{i:04d}"
        folder = root / "packs" / pid
        folder.mkdir()
        (folder / "figure.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg"/>')
        names = [f"{n + 1:02d}-part.ipynb" for n in range(notebooks)]
        meta = {
            "id": pid,
            "title": f"Pack {i}",
            "summary": "Generated.",
            "language": "en",
            "level": "beginner",
            "duration": 30,
            "topics": ["t"],
            "audience": ["a"],
            "formats": ["text", "exercises"],
            "objectives": ["o"],
            "authors": [{"name": "Bench"}],
            "status": "published",
            "notebooks": names,
            "prerequisites": [f"pack-{i - 1:04d}"] if i else [],
        }
        (folder / "pack.yml").write_text(yaml.safe_dump(meta))
        for n, name in enumerate(names):
            nb = nbformat.v4.new_notebook()
            hidden = {"jupyter": {"source_hidden": True}}
            cells = [
                nbformat.v4.new_markdown_cell(
                    f"# Part {n} of pack {i}\n\nIntro with a [link](https://meta.wikimedia.org/wiki/{i}).",
                    id="t",
                ),
                nbformat.v4.new_code_cell(
                    "from learnpacks.widgets import _, configure, MultipleChoice, Option\n"
                    f'configure(notebook="{name}")',
                    id="setup",
                    metadata=hidden,
                ),
            ]
            for k in range(10):
                cells.append(
                    nbformat.v4.new_markdown_cell(
                        f"## Section {k} of pack {i}\n\nText ![Figure {i}.{k}](figure.svg) and "
                        f"[next]({name}).",
                        id=f"m{k}",
                    )
                )
                cells.append(
                    nbformat.v4.new_code_cell(
                        f'q{k} = MultipleChoice(\n    id="p{n}-q{k}",\n    prompt=_("Q{i}.{k}?"),\n'
                        '    options=[Option(_("A"), correct=True), Option(_("B"))],\n)\n'
                        f"q{k}",
                        id=f"c{k}",
                        metadata=hidden,
                    )
                )
            nb.cells = cells
            nbformat.write(nb, folder / name)


#: Markdown and code that break a generated notebook in one way each (and markdown that the
#: checks' plain-markdown scan must leave to markdown-it).
BROKEN_MARKDOWN = [
    *("Title\n=====\n\ntext [a](b.ipynb)", "Sub\n---\n[x](missing.md)", "    [c](not-a-link.md)"),
    *(
        "`[x](y.md)` and [z](javascript:alert(1))",
        "[ref]\n\n[ref]: nowhere.md",
        "<img src='n.png'>",
    ),
    *("<a href='&#106;avascript:x'>x</a>", "* [item](../../../etc/passwd)\n* two", "> [q](q.md)"),
    *(
        "| a | b |\n|---|---|\n| [t](t.md) | x |",
        "![](figure.svg)",
        "![  ](figure.svg)",
        "### skip",
    ),
    *("#Heading no space", "####### seven", "# [link](#anchor)", "[a](<spaced name.md>)"),
    *(
        '[a](b.md "title")',
        "text\\[not](link.md)",
        "&amp; [e](%2e%2e/x.md)",
        "[a](attachment:i.png)",
    ),
    *("<http://example.org>", "[a](HTTP://Ex.COM/ü)", "[a](//host/x)", "[nested [b](c)](d)"),
    *("[l](ftp://x)", "[l](data:text/html,x)", "  # indented\n[x](figure.svg)", "para\n# h1 after"),
    *("# h\n## h2\n#### h4", "```\n[x](y)\n```", "[a](/packs/pack-0001/figure.svg)", "[a](/../x)"),
    *("1. [n](n.md)", "![a](figure.svg)![b](nope.svg)", "[a]\n(b.md)", "\t[tab](t.md)", "[a]()"),
    *("h\r\n# cr heading\r\n[x](y.md)", "[a](mailto:x@y)", "[a](figure%20x.svg)", "[a](0:@)"),
    *("[a](http://h::)", "[*a*](b.md) _[c](d.md)_", "[a](b(c).md)", "[", "](x)", "[a]("),
]
BROKEN_CODE = [
    *("x = (", "MultipleChoice(prompt='', options=[Option('A'), Option('A')])", "Video('v.mp4')"),
    *(
        "q = MultipleChoice(id='Bad_Id', prompt=_('p'), options=[Option(_('A'))])",
        "open('../o.csv')",
    ),
    *("%pip install learnpacks\nimport learnpacks", "Image('nope.png')", "assert_answer('x', 1)"),
    *("configure(notebook='other.ipynb')", "# NBVAL_SKIP\nx = 1"),
]


def break_catalog(root: Path, seed: int = 12) -> None:
    """Break about half the generated notebooks under *root*, one to six ways each (markdown and
    code above, cell ids missing or repeated, outputs, unknown keys, other nbformat minor
    versions, execution-policy tags, invalid sources, truncated JSON ...)."""
    rng = random.Random(seed)
    for path in sorted(root.glob("packs/*/*.ipynb")):
        if rng.random() < 0.5:
            continue
        nb = json.loads(path.read_text())
        for _ in range(rng.randint(1, 6)):
            cell = rng.choice(nb["cells"])
            kind, roll = cell["cell_type"], rng.random()
            if roll < 0.45 and kind == "markdown":
                cell["source"] = rng.choice(BROKEN_MARKDOWN)
            elif roll < 0.55 and kind == "code":
                cell["source"] = "".join(cell["source"]) + "\n" + rng.choice(BROKEN_CODE)
            elif roll < 0.6:
                cell.pop("id", None)
            elif roll < 0.65:
                cell["id"] = "t"
            elif roll < 0.7 and kind == "code":
                cell["outputs"] = [{"output_type": "stream", "name": "stdout", "text": "x"}]
            elif roll < 0.72:
                cell["bogus"] = 1
            elif roll < 0.74:
                nb["nbformat_minor"] = rng.choice([0, 4, 5, 6])
            elif roll < 0.76:
                cell["metadata"] = {
                    "tags": ["skip-execution"],
                    "nbgrader": {"grade": True, "solution": False, "grade_id": "g"},
                }
            elif roll < 0.78:
                cell["source"] = 5
            elif roll < 0.8:
                cell["metadata"]["jupyter"] = {"source_hidden": False}
            elif roll < 0.82:
                nb["metadata"]["execution"] = {"timeout": 3}
            elif roll < 0.84 and kind == "markdown":
                cell["source"] = "\n\n".join(rng.sample(BROKEN_MARKDOWN, 4))
            elif roll < 0.86:
                cell.update(cell_type="raw")
                cell.pop("outputs", None)
                cell.pop("execution_count", None)
            elif roll < 0.88:
                cell["attachments"] = {"img.png": {"image/png": "AA=="}}
        text = json.dumps(nb, indent=1)
        path.write_text(text[: len(text) // 2] if rng.random() < 0.02 else text)


_RUN = (
    "import resource, sys; from learnpacks.cli import main; code = main(sys.argv[1:]); "
    "me, kids = (resource.getrusage(w) for w in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN)); "
    "print(me.ru_utime + me.ru_stime, kids.ru_utime + kids.ru_stime, file=sys.stderr); "
    "sys.exit(code)"
)


def learnpacks(
    root: Path, *args: str, baseline: Path | None = None, bytecode: Path | None = None
) -> subprocess.CompletedProcess[str]:
    """`learnpacks --root ROOT ARGS` in a fresh process (with *baseline*, another checkout's;
    with *bytecode*, a folder where Python keeps the modules it compiled, as a pip install does)."""
    env = dict(os.environ)
    if baseline is not None:
        env["PYTHONPATH"] = str(baseline)
    if bytecode is not None:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = str(bytecode)
    return subprocess.run(
        [sys.executable, "-P", "-c", _RUN, "--root", str(root), *args],
        capture_output=True,
        text=True,
        env=env,
        cwd=root,  # with -P, neither this folder nor the root is put before PYTHONPATH
    )


def fresh_check(
    root: Path, baseline: Path | None = None, bytecode: Path | None = None
) -> tuple[float, float, float, float]:
    """Wall and CPU seconds of `learnpacks check` as a user runs it (a fresh process), and the
    CPU seconds of its main process and of the processes it forked; with *baseline* (a checkout
    of another commit), that commit's learnpacks instead of this one; *bytecode* as above."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    result = learnpacks(root, "check", baseline=baseline, bytecode=bytecode)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    assert result.returncode == 0, result.stdout + result.stderr
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    main_cpu, workers_cpu = map(float, result.stderr.strip().splitlines()[-1].split())
    return wall, cpu, main_cpu, workers_cpu


def same_findings(root: Path, baseline: Path) -> int:
    """`check --json` of this checkout and of *baseline* on *root*: asserts they are identical
    and returns how many findings there are."""
    mine, theirs = (learnpacks(root, "check", "--json", baseline=b) for b in (None, baseline))
    assert mine.returncode == theirs.returncode, (mine.stderr, theirs.stderr)
    assert mine.stdout == theirs.stdout, f"findings differ on {root}"
    return len(json.loads(mine.stdout)["problems"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--packs", type=int, default=200)
    parser.add_argument("--notebooks", type=int, default=3)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument(
        "--baseline",
        type=Path,
        metavar="CHECKOUT",
        help="also time the learnpacks of another checkout (e.g. `git worktree add /tmp/base "
        "COMMIT`) on the same catalog, side by side",
    )
    parser.add_argument(
        "--quick",
        action="store_true",
        help="time only the generated catalog's fresh processes as they run here (no runs with "
        "bytecode of their own, nor in process, nor the shipped catalog), to fit a short quiet "
        "window; the findings are compared after",
    )
    args = parser.parse_args()
    if not args.quick:
        shipped = [fresh_check(REPO)[0] for _ in range(5)]
        print(
            f"`learnpacks check` on the shipped catalog (fresh process): median {statistics.median(shipped):.2f} s"
        )
    print(f"load average before: {os.getloadavg()[0]:.1f}")
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "catalog"
        make_catalog(root, args.packs, args.notebooks)
        if args.baseline and not args.quick:
            compare_findings(root, Path(tmp), args.baseline)
        # This environment sets PYTHONDONTWRITEBYTECODE and its venv holds no bytecode, so each
        # fresh process compiles every module it imports; a pip-installed learnpacks does not.
        cache = Path(tmp) / "pycache"
        checkouts = {
            "this checkout": None,
            **({"baseline": args.baseline} if args.baseline else {}),
        }
        for checkout in checkouts.values():  # a first run, not timed; it writes the bytecode
            fresh_check(root, checkout, None if args.quick else cache)
        runs: dict[str, list[tuple[float, float, float, float]]] = {}
        lib = []
        for _ in range(args.repeat):
            for label, checkout in checkouts.items():
                runs.setdefault(label, []).append(fresh_check(root, checkout))
                if not args.quick:
                    runs.setdefault(f"{label}, with bytecode", []).append(
                        fresh_check(root, checkout, cache)
                    )
            if not args.quick:
                start = time.perf_counter()
                report = check_catalog(root=root)
                lib.append(time.perf_counter() - start)
                assert not report.problems
        total_nb = args.packs * args.notebooks
        print(f"catalog: {args.packs} packs, {total_nb} notebooks, {total_nb * 22} cells")
        for label, found in runs.items():
            wall, cpu, main_cpu, workers_cpu = (
                statistics.median(f[i] for f in found) for i in range(4)
            )
            print(
                f"`learnpacks check` (fresh process), {label}: median {wall:.2f} s (fastest "
                f"{min(f[0] for f in found):.2f} s), {cpu:.2f} CPU s "
                f"(main process {main_cpu:.2f}, forked workers {workers_cpu:.2f})"
            )
        for suffix in ("", ", with bytecode") if args.baseline else ():
            if f"baseline{suffix}" not in runs:
                continue
            ratio = statistics.median(
                f[1] for f in runs[f"this checkout{suffix}"]
            ) / statistics.median(f[1] for f in runs[f"baseline{suffix}"])
            print(f"CPU ratio, this checkout / baseline{suffix}: {ratio:.2f}")
        print(f"load average after: {os.getloadavg()[0]:.1f}")
        if lib:
            print(
                f"check_catalog() (in process):      median {statistics.median(lib):.2f} s, {1000 * statistics.median(lib) / total_nb:.1f} ms per notebook"
            )
        if args.baseline and args.quick:
            compare_findings(root, Path(tmp), args.baseline)


def compare_findings(root: Path, tmp: Path, baseline: Path) -> None:
    """`check --json` of this checkout and of *baseline* on the generated catalog *root*, on a
    copy of it broken in many ways, on the shipped packs and on the fixture projects: asserts
    they are the same."""
    broken = tmp / "broken"
    shutil.copytree(root, broken)
    break_catalog(broken)
    fixtures = REPO / "tests" / "checks" / "fixtures"
    for project in (root, broken, REPO, fixtures / "catalog", fixtures / "execute"):
        count = same_findings(project, baseline)
        print(f"same findings as the baseline on {project.name}: {count}")


if __name__ == "__main__":
    main()

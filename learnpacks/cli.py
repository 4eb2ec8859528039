"""The ``learnpacks`` command: parses, calls the library, prints. No logic lives here.

Command groups owned by other subpackages (``i18n``, ``book``, ``export``,
``cohort``) are registered from :data:`COMMAND_GROUPS`: each module exposes
``register(subparsers)`` and imports its heavy dependencies only inside its
handlers, so ``learnpacks --help`` stays fast and works in a learner's light
environment.
"""

from __future__ import annotations

import argparse
import atexit
import gc
import importlib
import importlib.util
import os
import signal
import sys
from collections.abc import Sequence
from pathlib import Path

from learnpacks import __version__
from learnpacks.clitools import (
    print_error,
    print_json,
    print_problems,
    root_arg,
    skip_slow_optional_imports,
)
from learnpacks.errors import LearnpacksError

__all__ = ["build_parser", "main", "print_json", "print_problems", "root_arg"]

#: subcommand group -> module exposing ``register(subparsers)``
COMMAND_GROUPS: dict[str, str] = {
    "i18n": "learnpacks.i18n.cli",
    "book": "learnpacks.book.cli",
    "export": "learnpacks.book.export_cli",
    "cohort": "learnpacks.grading.cli",
    "binder": "learnpacks.launch.cli",
    "hub": "learnpacks.launch.hub_cli",
}


def _cmd_new(args: argparse.Namespace) -> int:
    from learnpacks.packs.scaffold import new_pack

    folder = new_pack(
        args.pack_id,
        root=root_arg(args),
        title=args.title,
        language=args.language,
        graded=args.graded,
    )
    print(f"created {folder}")
    print(
        f"next: open {folder}/01-start.ipynb in JupyterLab, then run `learnpacks check {args.pack_id}`"
    )
    return 0


def _cmd_list(args: argparse.Namespace) -> int:
    from learnpacks.packs.catalog import PackFilter, list_packs, load_catalog

    catalog = load_catalog(root_arg(args))
    filters = PackFilter(
        level=args.level or (),
        topic=args.topic or (),
        format=args.format or (),
        status=args.status or (),
        language=args.language or (),
        max_duration=args.max_duration,
        text=args.search or "",
    )
    packs = list_packs(catalog, filters)
    if args.json:
        print_json([p.meta.model_dump(mode="json") for p in packs])
    else:
        if not packs:
            print("no packs match")
        for pack in packs:
            m = pack.meta
            print(f"{m.id:<32} {m.level:<12} {m.duration:>4} min  {m.status:<9} {m.title}")
    if catalog.problems:
        print(
            f"{len(catalog.problems)} pack file(s) could not be read; run `learnpacks check`",
            file=sys.stderr,
        )
    return 0


def _cmd_info(args: argparse.Namespace) -> int:
    from learnpacks.launch.links import launch_links
    from learnpacks.packs.catalog import load_catalog

    catalog = load_catalog(root_arg(args), only=[args.pack_id])
    pack = catalog.get(args.pack_id)
    links = launch_links(catalog, pack)
    if args.json:
        print_json(
            {
                "pack": pack.meta.model_dump(mode="json"),
                "folder": catalog.rel(pack.folder),
                "launch": links,
            }
        )
        return 0
    m = pack.meta
    print(f"{m.title}  [{m.id}]")
    print(m.summary)
    print(
        f"level: {m.level}   duration: {m.duration} min   status: {m.status}   language: {m.language}"
    )
    print(f"topics: {', '.join(m.topics)}")
    print(f"audience: {', '.join(m.audience)}")
    print(f"formats: {', '.join(m.formats)}")
    print(f"prerequisites: {', '.join(m.prerequisites) or 'none'}")
    print(f"license: {m.license}")
    if m.translation_status:
        states = ", ".join(
            f"{lang} {state}" for lang, state in sorted(m.translation_status.items())
        )
        print(f"translations: {states}")
    print("authors: " + ", ".join(a.name for a in m.authors))
    print("objectives:")
    for objective in m.objectives:
        print(f"  - {objective}")
    print("notebooks:")
    for name in m.notebooks:
        print(f"  - {name}")
    for target, by_notebook in links.items():
        print(f"launch on {target}:")
        for name, url in by_notebook.items():
            print(f"  {name}: {url}")
    return 0


def _cmd_check(args: argparse.Namespace) -> int:
    from learnpacks.gcpause import cyclic_gc_paused

    with cyclic_gc_paused():
        from learnpacks.checks import check_catalog

    report = check_catalog(
        root=root_arg(args),
        pack_ids=args.pack_ids or None,
        ignore=args.ignore or (),
        execute=args.execute,
        languages=args.language or None,
    )
    review = None
    if args.publish or args.report:
        from learnpacks.checks.review import execution_of, review_packs

        review = review_packs(
            report, root=root_arg(args), execution=execution_of(report) if args.execute else None
        )
        findings = list(report.problems)
        if args.publish:
            report.add(review.problems)
            report.suppress(args.ignore or ())
            report.sort()
        if args.report:
            from learnpacks.checks.review import write_review

            written = write_review(Path(args.report), review.html(findings))
            print(f"reviewer's report: {written}", file=sys.stderr)
    if args.json:
        data = report.to_dict()
        if review is not None and args.publish:
            data["publish"] = review.to_dict()
        print_json(data)
    else:
        print_problems(report.problems)
        if review is not None and args.publish:
            for verdict in review.verdicts:
                state = "fit to publish" if verdict.fit else "not fit to publish"
                print(f"{verdict.pack}: status {verdict.status}, {state}", file=sys.stderr)
        print(report.summary(), file=sys.stderr)
    return 1 if report.errors else 0


def _module_exists(name: str) -> bool:
    try:
        return importlib.util.find_spec(name) is not None
    except ModuleNotFoundError:
        return False


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="learnpacks",
        description="Author, check, translate, publish and grade learning packs.",
    )
    parser.add_argument("--version", action="version", version=f"learnpacks {__version__}")
    parser.add_argument(
        "--root",
        metavar="DIR",
        help="project folder (default: the nearest folder with packs/_config.yml)",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    p = sub.add_parser(
        "new",
        help="scaffold a pack with a starter notebook",
        description="Create packs/PACK_ID/ with a pack.yml and a starter notebook that shows every part an author uses.",
    )
    p.add_argument("pack_id", metavar="PACK_ID", help="lowercase letters, digits and dashes")
    p.add_argument("--title", help="pack title (default: from the id)")
    p.add_argument(
        "--language", help="language the pack is written in (default: the site's source language)"
    )
    p.add_argument(
        "--graded",
        action="store_true",
        help="start from a graded notebook (a graded widget question, a graded function and a "
        "manually graded reflection, in nbgrader's cells; see docs/authors/exercises.md)",
    )
    p.set_defaults(func=_cmd_new)

    p = sub.add_parser(
        "list",
        help="list packs, with filters",
        description="List the catalog's packs. Filters of one kind combine with OR, of different kinds with AND.",
    )
    p.add_argument(
        "--level",
        action="append",
        choices=["beginner", "intermediate", "advanced"],
        help="repeatable",
    )
    p.add_argument("--topic", action="append", help="repeatable; case-insensitive")
    p.add_argument(
        "--format",
        action="append",
        choices=["text", "video", "audio", "images", "exercises", "code"],
        help="repeatable",
    )
    p.add_argument(
        "--status", action="append", choices=["draft", "review", "published"], help="repeatable"
    )
    p.add_argument("--language", action="append", help="source language; repeatable")
    p.add_argument("--max-duration", type=int, metavar="MINUTES")
    p.add_argument(
        "--search", metavar="TEXT", help="text in id, title, summary, topics or objectives"
    )
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=_cmd_list)

    p = sub.add_parser(
        "info", help="show one pack", description="Show a pack's metadata and its launch links."
    )
    p.add_argument("pack_id", metavar="PACK_ID")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=_cmd_info)

    p = sub.add_parser(
        "check",
        help="check packs (statically; --execute runs them too)",
        description="Check packs without executing them: schema, notebook format, committed outputs, exercise and grade ids, "
        "alt text, headings, links and media, prerequisites, execution-policy metadata, the graded-exercise shape (nbgrader regions, answer and test cells, keys outside regions), "
        "exercise and media widget calls (no correct answer, duplicate options, empty prompts, missing alt text or captions, misspelt, outside or oversized media files) and data files read from outside the pack. "
        "With --execute, also run every notebook in the source language and in every published translation, with nbval's semantics "
        "(lax; cells marked # NBVAL_CHECK_OUTPUT compared with their committed outputs), and prove each exercise: a graded test passes "
        "on the author's solution and fails on the learner's blank notebook, a practice key satisfies its own checker and a wrong answer does not "
        "(needs the dev extra: nbclient, nbval, ipykernel). "
        "With --publish, also whether each pack may be published (its review state in pack.yml and the publishing rules); "
        "with --report FILE, a reviewer's HTML report. Exit 0 clean, 1 problems found, 2 usage error. "
        "Problem codes are listed in docs/reference/problem-codes.md.",
    )
    p.add_argument("pack_ids", nargs="*", metavar="PACK_ID", help="packs to check (default: all)")
    p.add_argument(
        "--ignore", action="append", metavar="CODE", help="suppress a problem code (repeatable)"
    )
    p.add_argument(
        "--publish",
        action="store_true",
        help="also apply the publishing rules (docs/authors/pack-format.md, 'Review and "
        "publishing'): a maintainer named, no check error, prerequisites published, every "
        "translation marked published above thresholds.publish_translation, and the notebooks "
        "green when they were executed; a pack whose status is published and breaks one is an "
        "error (publish.*), a draft or review pack gets warnings saying what publishing it needs",
    )
    p.add_argument(
        "--report",
        metavar="FILE",
        help="write a reviewer's report (one HTML page: per pack its review state and publishing "
        "verdict, every finding, execution results and exercise proofs when executed, translation "
        "coverage per language, the external links to look at)",
    )
    p.add_argument(
        "--execute",
        action="store_true",
        help="also run every notebook in every published language and prove each exercise (exec.* codes)",
    )
    p.add_argument(
        "--language",
        action="append",
        metavar="LANG",
        help="with --execute: run only this language (repeatable; default: the source and every published translation)",
    )
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=_cmd_check)

    for module in COMMAND_GROUPS.values():
        if _module_exists(module):
            importlib.import_module(module).register(sub)
    return parser


def _exit_without_a_last_collection() -> None:
    """At exit, Python searches every object it still tracks for reference cycles before it
    frees them with the modules: here 50 to 90 ms after a 200-pack ``learnpacks check``, 30 ms
    after its imports alone. Frozen as the exit handlers run (``gc.freeze``), they are freed
    without that search, in about a third of the time. One handler however many times
    :func:`main` runs in a process."""
    atexit.unregister(gc.freeze)
    atexit.register(gc.freeze)


def _reader_gone() -> int:
    """Exit status 141 (128 + SIGPIPE), as a tool killed by the signal; what Python still holds
    for standard output goes nowhere instead of failing again at exit."""
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)
    return 128 + signal.SIGPIPE


def main(argv: Sequence[str] | None = None) -> int:
    skip_slow_optional_imports()
    _exit_without_a_last_collection()
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except LearnpacksError as exc:
        print_error(exc, as_json=getattr(args, "json", False))
        return exc.exit_code
    except BrokenPipeError:
        # whoever read our output stopped reading (``| head``): no one to tell, as other tools
        return _reader_gone()
    except OSError as exc:
        # a file the command had to read or write: a full disk, a folder not writable
        error = LearnpacksError(
            exc.strerror or str(exc), code="io.error", path=str(exc.filename or "")
        )
        print_error(error, as_json=getattr(args, "json", False))
        return error.exit_code
    except KeyboardInterrupt:
        print("learnpacks: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())

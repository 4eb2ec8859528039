"""``learnpacks i18n ...``: parses, calls :mod:`learnpacks.i18n`, prints. No logic lives here."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from learnpacks.clitools import root_arg


def _print_result(args: argparse.Namespace, result: Any, verb: str) -> int:
    from learnpacks.clitools import print_json, print_problems
    from learnpacks.packs.catalog import display_path, find_root

    root = root_arg(args) or find_root()
    if getattr(args, "json", False):
        print_json(
            {
                "written": [display_path(p, root) for p in result.written],
                "unchanged": [display_path(p, root) for p in result.unchanged],
                "stats": result.stats,
                "problems": [p.to_dict() for p in result.problems],
            }
        )
    else:
        for path in result.written:
            print(f"{verb} {display_path(path, root)}")
        for name, stats in result.stats.items():
            print(f"  {name}: " + ", ".join(f"{v} {k}" for k, v in stats.items() if v))
        print(f"{len(result.written)} written, {len(result.unchanged)} unchanged", file=sys.stderr)
        print_problems(result.problems, stream=sys.stderr)
    return 1 if any(p.severity == "error" for p in result.problems) else 0


def _cmd_extract(args: argparse.Namespace) -> int:
    from learnpacks.i18n import extract

    return _print_result(args, extract(root=root_arg(args), pack_ids=args.pack or None), "wrote")


def _cmd_init(args: argparse.Namespace) -> int:
    from learnpacks.i18n import init

    return _print_result(
        args, init(args.lang, root=root_arg(args), pack_ids=args.pack or None), "created"
    )


def _cmd_update(args: argparse.Namespace) -> int:
    from learnpacks.i18n import update

    result = update(
        root=root_arg(args),
        pack_ids=args.pack or None,
        languages=args.lang or None,
        extract_first=not args.no_extract,
    )
    return _print_result(args, result, "updated")


def _cmd_status(args: argparse.Namespace) -> int:
    from learnpacks.clitools import print_json, print_problems
    from learnpacks.i18n import status, write_badges

    report = status(root=root_arg(args), pack_ids=args.pack or None, languages=args.lang or None)
    if args.badges:
        for path in write_badges(report, Path(args.badges)):
            print(f"badge {path}", file=sys.stderr)
    if args.json:
        print_json(report.to_dict())
    else:
        print(report.table())
        print_problems(report.problems, stream=sys.stderr)
    return 0


def _cmd_check(args: argparse.Namespace) -> int:
    from learnpacks.clitools import print_json, print_problems
    from learnpacks.i18n import check_catalogs

    problems = check_catalogs(
        root=root_arg(args), pack_ids=args.pack or None, languages=args.lang or None
    )
    errors = [p for p in problems if p.severity == "error"]
    if args.json:
        print_json({"problems": [p.to_dict() for p in problems], "errors": len(errors)})
    else:
        print_problems(problems)
        print(f"{len(errors)} error(s), {len(problems) - len(errors)} warning(s)", file=sys.stderr)
    return 1 if errors else 0


def _cmd_build(args: argparse.Namespace) -> int:
    from learnpacks.clitools import print_json, print_problems
    from learnpacks.i18n import build

    result = build(
        root=root_arg(args),
        out_dir=Path(args.out) if args.out else None,
        languages=args.lang or None,
        pack_ids=args.pack or None,
        force=args.force,
        include_unpublished=args.include_unpublished,
    )
    if args.json:
        print_json(result.to_dict())
    else:
        print(result.table())
        print(f"notebooks in {result.out_dir}", file=sys.stderr)
        print_problems(result.problems, stream=sys.stderr)
    return 1 if any(p.severity == "error" for p in result.problems) else 0


def register(subparsers: Any) -> None:
    """Add ``i18n`` and its sub-commands to the ``learnpacks`` parser."""
    group = subparsers.add_parser(
        "i18n",
        help="translate packs with PO catalogs",
        description="The translation pipeline: extract units to translations/templates/<pack>.pot, keep "
        "translations/<lang>/<pack>.po up to date, report status, check translations and build translated "
        "notebooks. Guide: docs/translators.md.",
    )
    sub = group.add_subparsers(dest="i18n_command", metavar="COMMAND", required=True)

    def packs(p: argparse.ArgumentParser) -> None:
        p.add_argument(
            "--pack",
            action="append",
            metavar="PACK_ID",
            help="only this pack (repeatable; default: all)",
        )

    def langs(p: argparse.ArgumentParser, what: str) -> None:
        p.add_argument(
            "--lang",
            action="append",
            metavar="LANG",
            help=f"only this language (repeatable; default: {what})",
        )

    p = sub.add_parser(
        "extract",
        help="write the translation templates",
        description="Write translations/templates/<pack>.pot from each pack's notebooks and pack.yml. Files change only when units change.",
    )
    packs(p)
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=_cmd_extract)

    p = sub.add_parser(
        "init",
        help="start a language",
        description="Start LANG completely: extract the templates, create translations/LANG/<pack>.po for every pack "
        "that has none and (without --pack) the UI catalogs: the widgets', the site's and the theme strings Sphinx lacks in LANG "
        "(in the package, or in $LEARNPACKS_UI_LOCALE_DIR when set), with CLDR plural forms.",
    )
    p.add_argument("lang", metavar="LANG", help="BCP 47 language code, e.g. fr, pt-BR")
    packs(p)
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=_cmd_init)

    p = sub.add_parser(
        "update",
        help="merge templates into the catalogs",
        description="Extract the templates, then merge them into every translations/<lang>/<pack>.po with gettext's "
        "semantics: a changed unit becomes fuzzy and keeps its old translation, a new one is untranslated, a removed one obsolete.",
    )
    packs(p)
    langs(p, "every folder in translations/")
    p.add_argument(
        "--no-extract", action="store_true", help="merge the templates on disk as they are"
    )
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=_cmd_update)

    p = sub.add_parser(
        "status",
        help="translated / fuzzy / untranslated per pack and language",
        description="Per pack and language: translated, fuzzy and untranslated units and the percentage, against the notebooks "
        "as they are now; without --pack also the UI catalogs (rows ui:widgets, ui:site, ui:theme).",
    )
    packs(p)
    langs(p, "the languages of packs/_config.yml and of translations/")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.add_argument(
        "--badges",
        metavar="DIR",
        help="also write SVG badges (<pack>-<lang>.svg, <lang>.svg) into DIR",
    )
    p.set_defaults(func=_cmd_status)

    p = sub.add_parser(
        "check",
        help="reject unsafe or broken translations",
        description="Check every translated entry: markup (HTML tags, link targets, inline code, math, placeholders) as in the "
        "source, no script-running tags or links, not empty, fill-in-the-blanks blanks kept, and the notebook still reads the same way; "
        "without --pack also the UI catalogs (placeholders the program fills, no markup). Exit 1 on problems.",
    )
    packs(p)
    langs(p, "every folder in translations/")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=_cmd_check)

    p = sub.add_parser(
        "build",
        help="write translated notebooks",
        description="Write translated copies of each pack (notebooks, pack.yml and the pack's other files) for every language "
        "of packs/_config.yml into OUT/<lang>/<pack>/, with OUT/manifest.json. Untranslated, fuzzy or rejected units fall "
        "back along the language chain to the source; a language is published for a pack only above thresholds.publish_translation.",
    )
    packs(p)
    langs(p, "the languages of packs/_config.yml")
    p.add_argument(
        "--out", metavar="DIR", help="output folder (default: build/notebooks in the project)"
    )
    p.add_argument(
        "--force",
        action="store_true",
        help="use translations that fail `check`, made inert (escaped)",
    )
    p.add_argument(
        "--include-unpublished",
        action="store_true",
        help="also write languages below the publishing threshold (to preview)",
    )
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=_cmd_build)

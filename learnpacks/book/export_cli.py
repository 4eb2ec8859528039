"""``learnpacks export zip|zim``: offline copies of a pack or of the whole built site."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from learnpacks.clitools import root_arg
from learnpacks.errors import UsageError

SITE = Path("book") / "_build" / "site"


def _site(root: Path) -> Path:
    site = root / SITE
    if not (site / "index.html").is_file():
        raise UsageError(
            f"no built site in {site}: build the site first: learnpacks book build",
            code="export.no-site",
        )
    return site


def _zip(args: argparse.Namespace) -> int:
    from learnpacks.book.export import default_zip_path, plan_bundle, write_bundle
    from learnpacks.clitools import print_json, print_problems
    from learnpacks.packs.catalog import load_catalog

    catalog = load_catalog(root_arg(args))
    site = _site(catalog.root)
    plan = plan_bundle(
        catalog=catalog, pack_id=args.pack_id, site_dir=site, languages=args.lang or None
    )
    out = write_bundle(plan, default_zip_path(catalog, args.pack_id, args.out))
    if args.json:
        print_json(
            {
                "path": str(out),
                "languages": plan.languages,
                "files": len(plan.members),
                "problems": [p.to_dict() for p in plan.problems],
            }
        )
    else:
        print_problems(plan.problems, stream=sys.stderr)
        print(
            f"wrote {out} ({len(plan.members)} files, {', '.join(plan.languages)}, "
            f"{out.stat().st_size // 1024} KiB)"
        )
    return 0


def _zim(args: argparse.Namespace) -> int:
    from learnpacks.book.export import built_languages
    from learnpacks.book.zim import export_zim, zim_language
    from learnpacks.clitools import print_json
    from learnpacks.packs.catalog import load_catalog

    catalog = load_catalog(root_arg(args), only=[])
    config = catalog.require_config()
    site = _site(catalog.root)
    languages = sorted(built_languages(site), key=lambda lang: lang != config.source_language)
    if not languages:
        raise UsageError(
            f"no built language in {site}: build the site first: learnpacks book build",
            code="export.no-site",
        )
    out = export_zim(
        site_dir=site,
        out=args.out,
        title=config.title,
        language=zim_language(languages),
        description=config.description,
    )
    if args.json:
        print_json({"path": str(out), "languages": languages})
    else:
        print(f"wrote {out} ({', '.join(languages)}, {out.stat().st_size // 1024} KiB)")
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "export",
        help="export a pack as a zip, or the site as a ZIM file, for offline use",
        description="Offline copies made from the built site (run `learnpacks book build` first).",
    )
    sub = parser.add_subparsers(dest="export_command", metavar="COMMAND", required=True)
    p = sub.add_parser(
        "zip",
        help="one pack as a zip: notebooks, data files and its pages for reading from disk",
        description="Write PACK_ID.zip: README.html, notebooks/ (the pack's notebooks and data "
        "files) and html/<lang>/ (the pack's pages with every file they load, readable from disk "
        "without a network). Default: book/_build/exports/PACK_ID.zip. Warns about pages that "
        "load files from other hosts. The same site gives the same zip bytes.",
    )
    p.add_argument("pack_id", metavar="PACK_ID")
    p.add_argument(
        "--out", type=Path, metavar="PATH", help="zip file to write, or a folder to write it in"
    )
    p.add_argument(
        "--lang",
        action="append",
        metavar="LANG",
        help="language to include (repeatable; default: every language the pack is built in)",
    )
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=_zip)
    p = sub.add_parser(
        "zim",
        help="the whole built site as a ZIM file for Kiwix",
        description="Write the whole built site (every language) as a ZIM file with a full-text "
        "index, titled and described from packs/_config.yml. Open it in Kiwix. Default: "
        "book/_build/exports/<site title as a slug>_<lang>_all.zim, where lang is the ISO 639-3 "
        "code (eng) or mul when the site has several languages.",
    )
    p.add_argument(
        "--out", type=Path, metavar="PATH", help="ZIM file to write, or a folder to write it in"
    )
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=_zim)

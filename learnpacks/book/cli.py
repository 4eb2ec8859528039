"""``learnpacks book ...``."""

from __future__ import annotations

import argparse
import sys

from learnpacks.clitools import print_problems, root_arg


def _build(args: argparse.Namespace) -> int:
    from learnpacks.book.build import build_site
    from learnpacks.widgets.static_embed import PINNED

    result = build_site(
        root=root_arg(args),
        pack_ids=args.pack or None,
        languages=args.lang or None,
        offline=args.offline,
        quiet=not args.verbose,
        site_url=args.site_url,
        scheduler=args.scheduler,
    )
    if result.problems:
        print_problems(result.problems, stream=sys.stderr)
        warnings = sum(p.severity == "warning" for p in result.problems)
        print(
            f"{len(result.problems)} problem(s) the build went past ({warnings} warning(s)); "
            "codes: docs/reference/problem-codes.md",
            file=sys.stderr,
        )
    for lang, published in result.published.items():
        print(f"{lang}: {len(published)} of {len(result.packs)} pack(s) published")
    if result.python_bytes:
        print(
            f"in-page Python (Pyodide {PINNED['pyodide']}, standard library only): "
            f"{result.python_bytes / 1e6:.1f} MB in _vendor/, fetched by a page only when a "
            "learner first presses Run"
        )
    print(f"open {result.site / 'index.html'} (or `make serve`)")
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "book",
        help="build the static site",
        description="Build the static site with Jupyter Book 1.x.",
    )
    sub = parser.add_subparsers(dest="book_command", metavar="COMMAND", required=True)
    p = sub.add_parser(
        "build",
        help="build the site into book/_build/site/",
        description="Execute the packs' notebooks (cached: unchanged code is not re-run) and build HTML into book/_build/site/<lang>/. "
        "What does not stop the build is printed as located problems on stderr: the translation build's rejected units (i18n.*), "
        "Sphinx's warnings on the pack file they come from (book.sphinx-warning, learnpacks.*), scripts served from CDNs "
        "(book.vendor-unavailable). Exit 0 built, 1 a notebook or Sphinx failed, 2 usage error; "
        "codes in docs/reference/problem-codes.md.",
    )
    p.add_argument(
        "--lang",
        action="append",
        metavar="LANG",
        help="language to build (repeatable; default: every language in packs/_config.yml)",
    )
    p.add_argument(
        "--pack", action="append", metavar="PACK_ID", help="only these packs (repeatable)"
    )
    p.add_argument(
        "--offline",
        action="store_true",
        default=None,  # None: vendor when npm is available (see build_site)
        help="require every script to be served by the site (widget manager, RequireJS, MathJax, fetched from the npm registry at build time), so no page loads anything from another host; an error without npm or when the registry cannot be reached. Without the flag this is done whenever npm is available and the registry answers, else pages load them from public CDNs (with a book.vendor-unavailable warning)",
    )
    p.add_argument(
        "--site-url",
        metavar="URL",
        help="where the site will be served (default: url in packs/_config.yml); downloaded "
        "notebooks install the learnpacks wheel the site publishes from there",
    )
    p.add_argument(
        "--scheduler",
        metavar="ADDRESS",
        help="Dask scheduler, e.g. tcp://h:8786: each language is built by a worker of that "
        "cluster (workers must see the project and book/_build/ at the same paths); the site is "
        "the same as a local build's",
    )
    p.add_argument("--verbose", action="store_true", help="show Jupyter Book's output")
    p.set_defaults(func=_build)

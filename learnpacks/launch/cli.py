"""``learnpacks binder ...``."""

from __future__ import annotations

import argparse
import sys

from learnpacks.clitools import root_arg


def _generate(args: argparse.Namespace) -> int:

    from learnpacks.launch.binder import generate, stale_files
    from learnpacks.packs.catalog import find_root

    root = root_arg(args) or find_root()
    if args.check:
        stale = stale_files(root)
        for name in stale:
            print(f"{name}: differs from uv.lock; run `make binder`", file=sys.stderr)
        return 1 if stale else 0
    for path in generate(root):
        print(f"wrote {path.relative_to(root)}")
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "binder",
        help="generate binder/ from the lock",
        description="Keep binder/ in step with uv.lock.",
    )
    sub = parser.add_subparsers(dest="binder_command", metavar="COMMAND", required=True)
    p = sub.add_parser(
        "generate", help="write binder/requirements.txt, postBuild and runtime.txt from uv.lock"
    )
    p.add_argument(
        "--check",
        action="store_true",
        help="only report whether binder/ is in step with uv.lock (exit 1 if not)",
    )
    p.set_defaults(func=_generate)

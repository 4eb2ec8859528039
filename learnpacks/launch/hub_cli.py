"""``learnpacks hub publish``: commit the translated notebooks to the branch a JupyterHub pulls."""

from __future__ import annotations

import argparse

from learnpacks.clitools import root_arg
from learnpacks.errors import UsageError


def _publish(args: argparse.Namespace) -> int:
    from learnpacks.clitools import print_json
    from learnpacks.launch.hubbranch import publish
    from learnpacks.packs.catalog import load_catalog

    catalog = load_catalog(root_arg(args), only=[])
    hub = catalog.require_config().launch.jupyterhub
    branch = args.branch or (hub.notebooks_branch if hub else None)
    if not branch:
        raise UsageError(
            "no branch to publish to: set launch.jupyterhub.notebooks_branch in "
            f"{catalog.rel(catalog.root / 'packs' / '_config.yml')} or pass --branch",
            code="hub.no-branch",
        )
    done = publish(catalog.root, branch=branch)
    if args.json:
        print_json(done.__dict__)
    elif done.changed:
        print(
            f"{done.branch}: committed {done.commit[:12]} ({', '.join(done.languages)}; built from "
            f"{done.source}). Publish it with: git push origin {done.branch}"
        )
    else:
        print(f"{done.branch}: already up to date at {done.commit[:12]}; nothing committed")
    return 0


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "hub",
        help="publish translated notebooks for a JupyterHub (PAWS)",
        description="A JupyterHub gets notebooks with nbgitpuller, from a git branch. Translated "
        "notebooks are build output, so they go to a branch of their own.",
    )
    sub = parser.add_subparsers(dest="hub_command", metavar="COMMAND", required=True)
    p = sub.add_parser(
        "publish",
        help="commit the translated notebooks to the hub's notebooks branch",
        description="Build every published language (as `learnpacks i18n build` does) and commit "
        "it, with the learnpacks package the exercises import, to BRANCH "
        "(default: launch.jupyterhub.notebooks_branch of packs/_config.yml), laid out as "
        "<lang>/<pack>/<notebook>. The working tree, the index and the checked-out branch are not "
        "touched; an unchanged tree makes no commit. Push the branch afterwards "
        "(git push origin BRANCH) for the hub links of translated pages to work.",
    )
    p.add_argument("--branch", metavar="BRANCH", help="branch to commit to")
    p.add_argument("--json", action="store_true", help="machine-readable output")
    p.set_defaults(func=_publish)

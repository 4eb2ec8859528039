"""What every command group's CLI shares: the project folder argument and how results and errors
are printed. It sits below ``learnpacks.cli`` and every group's ``cli.py``, so their imports point
one way (a group never imports the top-level command back)."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from learnpacks.errors import LearnpacksError, Problem


def print_json(data: Any) -> None:
    json.dump(data, sys.stdout, indent=2, ensure_ascii=False, default=str)
    sys.stdout.write("\n")


def print_problems(problems: Sequence[Problem], *, stream: Any = None) -> None:
    stream = stream or sys.stdout
    for problem in problems:
        print(problem.format(), file=stream)


def print_error(error: LearnpacksError, *, as_json: bool = False) -> None:
    """``code: message (file, place)`` and the problems behind it on stderr (``--json``: on stdout,
    as an object with the same fields)."""
    if as_json:
        print_json(error.to_dict())
        return
    print(f"learnpacks: {error.headline()}", file=sys.stderr)
    print_problems(error.problems, stream=sys.stderr)


def root_arg(args: argparse.Namespace) -> Path | None:
    """The project folder the global ``--root`` names, or None (then the library looks for it)."""
    return Path(args.root) if getattr(args, "root", None) else None


#: Optional format checkers jsonschema imports when installed (jupyter-events pulls them in). The
#: notebook schema, Jupyter Book's and MyST-NB's use none of these formats, and rfc3987_syntax
#: alone builds a grammar at import time (~1.4 CPU-s here), so learnpacks' own processes (the CLI,
#: each language's Sphinx) go without them. Library users are not affected.
_SLOW_OPTIONAL_MODULES = (
    "rfc3987_syntax",
    "isoduration",
    "uri_template",
    "webcolors",
    "fqdn",
    "rfc3987",
    "rfc3986_validator",
    "rfc3339_validator",
)


def skip_slow_optional_imports() -> None:
    """Keep `learnpacks check` under a second and Sphinx's start-up short (see
    :data:`_SLOW_OPTIONAL_MODULES`); call before anything imports jsonschema."""
    for name in _SLOW_OPTIONAL_MODULES:
        sys.modules.setdefault(name, None)  # type: ignore[arg-type]

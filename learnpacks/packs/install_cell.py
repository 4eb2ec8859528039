"""The set-up cell that makes a notebook run where it lands, and the site's wheel address in it.

A pack notebook's first code cell installs learnpacks when the kernel does not have it. A notebook
is opened in many places (Binder, a JupyterHub such as PAWS, a laptop, an unzipped bundle), so the
cell tries, in order, and says what it does in the notebook's language (its messages are ``_()``
strings, translated with the pack):

1. ``import learnpacks``: already installed (Binder, the author's environment) — nothing to do;
2. a ``learnpacks-*.whl`` beside the notebook, or one or two folders up (the offline bundle and
   the site's pack zip ship one);
3. the learnpacks source two folders up (the repository, from ``packs/<pack>/``, and the hub
   branch ``learnpacks hub publish`` writes, from ``<lang>/<pack>/``);
4. the wheel published with the site the notebook was downloaded from (``WHEEL_URL``, which the
   site build fills in: :func:`with_wheel_url`);
5. ``learnpacks`` from PyPI.

When all fail it says what to do and stops the notebook's run there.
"""

from __future__ import annotations

import ast
import json

from learnpacks.pyparse import parse as parse_python

WHEEL_URL_NAME = "WHEEL_URL"

INSTALL_CELL = """# Sets up what the exercises need: the learnpacks package. Run this cell first.
try:
    import learnpacks
except ModuleNotFoundError:
    import importlib, pathlib, site, subprocess, sys

    def _(text):  # marks a message for translation
        return text

    # The learnpacks wheel published with the site this notebook comes from (the site fills it in).
    WHEEL_URL = ""
    here = pathlib.Path.cwd()
    sources = [str(found) for folder in (here, here.parent, here.parent.parent) for found in sorted(folder.glob("learnpacks-*.whl"))[-1:]]
    project = here.parent.parent / "pyproject.toml"
    if project.is_file() and 'name = "learnpacks"' in project.read_text(encoding="utf-8"):
        sources.append(str(project.parent))
    sources += [WHEEL_URL] if WHEEL_URL else []
    sources.append("learnpacks")
    for source in sources:
        print(_("Installing learnpacks from {source} (the first time, this takes about a minute)...").format(source=source))
        done = subprocess.run([sys.executable, "-m", "pip", "install", "--quiet", "--disable-pip-version-check", source], capture_output=True, text=True)
        if done.returncode == 0:
            break
        print(_("That did not work:"), (done.stderr or done.stdout).strip()[-500:])
    else:
        print(_("learnpacks could not be installed, so the exercises will not work yet. Check that this computer is online and run this cell again, or ask the person who gave you this notebook for help. In a terminal, the command is: pip install learnpacks"))
        raise ModuleNotFoundError("learnpacks")
    site.addsitedir(site.getusersitepackages())  # where pip installs when the Python is read-only
    importlib.invalidate_caches()
    import learnpacks

    print(_("learnpacks is installed: the exercises are ready."))"""


def _source(cell_source: str | list[str]) -> str:
    return "".join(cell_source) if isinstance(cell_source, list) else cell_source


def wheel_url_literal(source: str) -> tuple[int, int] | None:
    """The character span of the string assigned to ``WHEEL_URL`` in a set-up cell's *source*
    (at any depth, the first one), or None when there is none."""
    try:
        tree = parse_python(source)
    except (SyntaxError, ValueError):
        return None
    lines = source.splitlines(keepends=True)
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line))
    for node in ast.walk(tree):
        if (
            isinstance(node, ast.Assign)
            and any(isinstance(t, ast.Name) and t.id == WHEEL_URL_NAME for t in node.targets)
            and isinstance(node.value, ast.Constant)
            and isinstance(node.value.value, str)
            and node.value.end_lineno is not None
            and node.value.end_col_offset is not None
        ):
            value = node.value
            end_lineno, end_col = value.end_lineno or 0, value.end_col_offset or 0

            def offset(lineno: int, col: int) -> int:
                # ast columns count UTF-8 bytes
                line = lines[lineno - 1]
                return starts[lineno - 1] + len(line.encode("utf-8")[:col].decode("utf-8"))

            return offset(value.lineno, value.col_offset), offset(end_lineno, end_col)
    return None


def with_wheel_url(cell_source: str | list[str], url: str) -> str | None:
    """*cell_source* with ``WHEEL_URL`` set to *url* (an escaped literal, never code), or None
    when the cell assigns no ``WHEEL_URL``."""
    source = _source(cell_source)
    span = wheel_url_literal(source)
    if span is None:
        return None
    # A JSON string (ASCII, escaped) is a valid Python string literal.
    return source[: span[0]] + json.dumps(url) + source[span[1] :]

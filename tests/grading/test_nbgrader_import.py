"""nbgrader's modules load without its package ``__init__`` (its Jupyter server extensions),
and the package still behaves as nbgrader's own (``learnpacks.grading.nbgrader_import``).
Each case runs in a fresh interpreter: this one has nbgrader imported already."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

#: as the learnpacks command starts: without jsonschema's optional format checkers, whose
#: grammar alone takes about 2 CPU-seconds to build (nothing here depends on them)
_START = "import json, sys\nfrom learnpacks.clitools import skip_slow_optional_imports\nskip_slow_optional_imports()\n"


def _run(code: str) -> dict:
    out = subprocess.run(
        [sys.executable, "-c", f"{_START}{code}\nprint(json.dumps(found))"],
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_grading_reads_the_gradebook_without_nbgrader_server_extensions() -> None:
    found = _run(
        "import learnpacks.grading.gradebook\n"
        "from nbgrader.api import Gradebook\n"
        "from nbgrader.utils import parse_utc\n"
        "found = {'extensions': sorted(m for m in sys.modules if 'server_extensions' in m),\n"
        "         'tornado_web': 'tornado.web' in sys.modules,\n"
        "         'gradebook': Gradebook.__module__}"
    )
    assert found == {"extensions": [], "tornado_web": False, "gradebook": "nbgrader.api"}


@pytest.mark.parametrize(
    ("use", "expected"),
    [
        # what nbgrader's apps read from the package: its version, without the extensions
        ("import nbgrader; value = nbgrader.__version__", "version"),
        ("from nbgrader.apps import NbGraderAPI; value = NbGraderAPI.__name__", "NbGraderAPI"),
        # what only the package __init__ defines runs it on first use, as nbgrader's own
        ("import nbgrader; value = nbgrader._jupyter_server_extension_points()", "points"),
    ],
)
def test_the_deferred_package_behaves_as_nbgrader(use: str, expected: str) -> None:
    found = _run(
        "import learnpacks.grading\n"
        f"{use}\n"
        "import importlib.metadata\n"
        "found = {'value': value, 'dist': importlib.metadata.version('nbgrader'),\n"
        "         'formgrader': 'nbgrader.server_extensions.formgrader' in sys.modules}"
    )
    if expected == "version":
        assert found["value"] == found["dist"]
        assert not found["formgrader"]
    elif expected == "points":
        assert found["value"] == [{"module": "nbgrader"}]
        assert found["formgrader"]  # the real __init__ ran
    else:
        assert found["value"] == expected


def test_an_unknown_name_is_still_an_attribute_error() -> None:
    found = _run(
        "import learnpacks.grading, nbgrader\n"
        "try:\n"
        "    nbgrader.no_such_name\n"
        "    found = {'raised': False}\n"
        "except AttributeError as exc:\n"
        "    found = {'raised': True, 'message': str(exc)}"
    )
    assert found == {"raised": True, "message": "module 'nbgrader' has no attribute 'no_such_name'"}


def test_nothing_changes_until_nbgrader_is_imported() -> None:
    found = _run("import learnpacks.grading\nfound = {'nbgrader': 'nbgrader' in sys.modules}")
    assert found == {"nbgrader": False}

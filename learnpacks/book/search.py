"""Search: a Pagefind index of every language of the site (``site/pagefind/``), usable offline."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from learnpacks.errors import LearnpacksError


def index_site(site: Path) -> Path:
    """Index every page of *site* with Pagefind; one sub-index per ``<html lang>``. Returns the bundle.

    The bundle is written afresh (Pagefind leaves an earlier build's fragments beside the new
    ones, which offline copies would carry). Results keep ``index.html`` in their addresses: a
    folder address opens nothing from disk or in Kiwix."""
    shutil.rmtree(site / "pagefind", ignore_errors=True)
    cmd = [
        sys.executable,
        "-m",
        "pagefind",
        "--site",
        str(site),
        "--output-subdir",
        "pagefind",
        # the "#" of each heading's permalink would end up in the results' excerpts
        "--exclude-selectors",
        ".headerlink",
        "--keep-index-url",
        "--silent",
    ]
    result = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise LearnpacksError(
            f"Pagefind failed to index {site}:\n{result.stdout[-2000:]}{result.stderr[-2000:]}",
            code="book.search-failed",
        )
    return site / "pagefind"

"""Exercise-page transfer with each widget script written once per page, against once per widget.

    .venv/bin/python benchmarks/widget_page_bench.py [--pack welcome-to-wikimedia]

Builds one pack (source language) from a scratch copy of the repository, then, for each notebook
page, measures the page and what it loads (``site_bench.transfer_size``) as built, and the same
page with every shared ``_esm``/``_css`` reference written back into its model, which is the page
the build wrote before ``sphinx_ext.share_widget_code``. Both figures come from the same build,
side by side.
"""

from __future__ import annotations

import argparse
import gzip
import json
import re
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))

from site_bench import transfer_size  # noqa: E402
from support import copy_project  # noqa: E402

from learnpacks.book.build import build_site  # noqa: E402
from learnpacks.book.sphinx_ext import SHARED_KEY, SHARED_PREFIX, sanitize_script_content  # noqa: E402

_STATE = re.compile(
    r'(<script type="application/vnd\.jupyter\.widget-state\+json">)(.*?)(</script>)', re.S
)


def per_widget(text: str) -> str:
    """*text* (a built page) with each model holding its own copy of the shared script and styles."""

    def expand(match: re.Match[str]) -> str:
        state = json.loads(match.group(2))
        shared = state.pop(SHARED_KEY, {})
        for model in (state.get("state") or {}).values():
            values = model.get("state") or {}
            for key, value in list(values.items()):
                if isinstance(value, str) and value.startswith(SHARED_PREFIX):
                    values[key] = shared[value.removeprefix(SHARED_PREFIX)]
        return match.group(1) + sanitize_script_content(json.dumps(state)) + match.group(3)

    return _STATE.sub(expand, text)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--pack", default="welcome-to-wikimedia")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        project = copy_project(Path(tmp) / "project")
        build = build_site(root=project, pack_ids=[args.pack], languages=["en"])
        folder = build.site / "en" / "packs" / args.pack
        print(
            "| page | widgets | HTML once per page | HTML once per widget | page + what it loads, gzip: once / per widget |"
        )
        print("|---|---|---|---|---|")
        for page in sorted(folder.glob("0*.html")):
            text = page.read_text(encoding="utf-8")
            widgets = text.count("application/vnd.jupyter.widget-view+json")
            before = per_widget(text)
            twin = page.with_name(page.stem + ".per-widget.html")
            twin.write_text(before, encoding="utf-8")
            _, now_gz, _, _ = transfer_size(page)
            _, before_gz, _, _ = transfer_size(twin)
            twin.unlink()
            print(
                f"| {page.name} | {widgets} | {len(text.encode()) / 1024:.0f} KiB "
                f"({len(gzip.compress(text.encode(), 9)) / 1024:.0f} KiB gzip) "
                f"| {len(before.encode()) / 1024:.0f} KiB "
                f"({len(gzip.compress(before.encode(), 9)) / 1024:.0f} KiB gzip) "
                f"| {now_gz / 1024:.0f} KiB / {before_gz / 1024:.0f} KiB |"
            )
        shutil.rmtree(build.site.parent, ignore_errors=True)


if __name__ == "__main__":
    main()

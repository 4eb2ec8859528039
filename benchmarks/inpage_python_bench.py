"""In-page Python on the static site, measured in Chromium: what a page with a code exercise loads
before and after a learner presses Run, and the time from pressing Run to the first result.

Usage: .venv/bin/python benchmarks/inpage_python_bench.py [--site BUILT_SITE] [--runs N] [--json FILE]

Without ``--site``, builds the shipped ``welcome-to-wikimedia`` pack (English, scripts vendored)
on a scratch copy of the repository first. The site is served by Python's http.server on
127.0.0.1, every other host is blocked, and Chromium (Debian's) runs headless:

1. a fresh browser profile opens the notebook page with the code exercise: bytes and files the
   server sends (uncompressed, as http.server sends them) until the page's widgets are drawn;
2. Run is pressed with a one-line program: the bytes fetched from then to the result
   (Pyodide, the worker and the checker), and the time from the click to the first output
   (**cold**: nothing in the browser's cache);
3. Run again on the same page (**warm**: Python already running in the worker);
4. a new page in the same profile (**cold start, warm cache**: the files come from the HTTP
   cache, Python starts again).

Each figure is the median of ``--runs`` profiles (default 3). Times are wall-clock on this
machine, so compare them with each other, not across machines.
"""

from __future__ import annotations

import argparse
import functools
import http.server
import json
import statistics
import sys
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO / "tests"))

PAGE = "en/packs/welcome-to-wikimedia/02-projects-and-affiliates.html"
CHROMIUM_ARGS = [
    "--headless=new",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]


def build(scratch: Path) -> Path:
    from support import copy_project

    from learnpacks.book.build import build_site

    project = copy_project(scratch / "project")
    return build_site(
        root=project, pack_ids=["welcome-to-wikimedia"], languages=["en"], offline=True
    ).site


#: (path, bytes) of every file the server sent: the page's requests and its worker's alike (a
#: page's DevTools session does not see the worker's).
SENT: list[tuple[str, int]] = []


class _Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, format: str, *args: object) -> None:  # noqa: A002
        pass

    def do_GET(self) -> None:  # noqa: N802
        target = Path(self.translate_path(self.path))
        super().do_GET()
        if target.is_file():
            SENT.append((self.path, target.stat().st_size))


def serve(folder: Path) -> str:
    handler = functools.partial(_Quiet, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return f"http://127.0.0.1:{server.server_port}/"


def sent() -> tuple[int, int]:
    """Bytes and files the server has sent so far."""
    return sum(size for _, size in SENT), len(SENT)


def _block(page: Any) -> None:
    def route(route: Any) -> None:
        host = route.request.url.split("/")[2].split(":")[0] if "://" in route.request.url else ""
        if route.request.url.startswith(("data:", "blob:")) or host == "127.0.0.1":
            route.continue_()
        else:
            route.abort()

    page.route("**/*", route)


def _run_once(page: Any, code: str) -> float:
    """Seconds from pressing Run to the first output of *code*."""
    widget = page.locator(".lp.lp-code").first
    widget.locator("textarea.lp-code").fill(code)
    page.evaluate("() => { window.__lpFirst = null; }")
    start = time.perf_counter()
    widget.locator("button.lp-run").click()
    widget.locator(".lp-output span").first.wait_for(timeout=600_000)
    elapsed = time.perf_counter() - start
    page.wait_for_function("() => !document.querySelector('button.lp-run').disabled")
    return elapsed


def measure(browser: Any, base: str) -> dict[str, float]:
    context = browser.new_context()
    try:
        page = context.new_page()
        _block(page)
        start = sent()
        page.goto(base + PAGE, wait_until="load")
        page.locator("textarea.lp-code").first.wait_for(timeout=60_000)
        page.wait_for_timeout(500)  # let late requests (fonts, widget modules) finish
        loaded = sent()
        cold = _run_once(page, "print('hello')")
        page.wait_for_timeout(500)
        ran = sent()
        warm = _run_once(page, "print('again')")
        second = context.new_page()
        _block(second)
        second.goto(base + PAGE, wait_until="load")
        second.locator("textarea.lp-code").first.wait_for(timeout=60_000)
        cached = _run_once(second, "print('hello')")
    finally:
        context.close()
    return {
        "page_bytes": loaded[0] - start[0],
        "page_files": loaded[1] - start[1],
        "run_bytes": ran[0] - loaded[0],
        "run_files": ran[1] - loaded[1],
        "cold_s": cold,
        "warm_s": warm,
        "cached_cold_s": cached,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--site", type=Path, help="a built site (default: build one)")
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args(argv)
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory(prefix="lp-inpage-bench-") as scratch:
        site = args.site or build(Path(scratch))
        base = serve(site)
        with sync_playwright() as pw:
            browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
            try:
                runs = [measure(browser, base) for _ in range(args.runs)]
            finally:
                browser.close()
    median = {key: statistics.median(r[key] for r in runs) for key in runs[0]}
    kib = 1024
    print(f"page {PAGE}, median of {len(runs)} fresh profiles")
    print(f"  before Run: {median['page_bytes'] / kib:,.0f} KiB, {median['page_files']:.0f} files")
    print(
        f"  first Run adds: {median['run_bytes'] / kib:,.0f} KiB, {median['run_files']:.0f} files"
    )
    print(f"  Run to first output: cold {median['cold_s']:.2f} s, warm {median['warm_s']:.3f} s,")
    print(f"  new page with the files cached: {median['cached_cold_s']:.2f} s")
    if args.json:
        args.json.write_text(json.dumps({"runs": runs, "median": median}, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())

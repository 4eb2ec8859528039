"""Helpers for the widget tests (a module of its own: test modules import it by name)."""

from __future__ import annotations

import json
import os
import socket
from pathlib import Path

FIXTURES = Path(__file__).parent / "fixtures"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def block_non_local(page: object, seen: list[str]) -> None:
    """Abort every request that is not to 127.0.0.1 / localhost (or data:/blob:); record it."""

    def route(route: object) -> None:
        url = route.request.url  # type: ignore[attr-defined]
        host = url.split("/")[2].split(":")[0] if "://" in url else ""
        if url.startswith(("data:", "blob:")) or host in ("127.0.0.1", "localhost"):
            route.continue_()  # type: ignore[attr-defined]
        else:
            seen.append(url)
            route.abort()  # type: ignore[attr-defined]

    page.route("**/*", route)  # type: ignore[attr-defined]


def execute_notebook(source: Path, workdir: Path, *, language: str | None = None) -> object:
    """Run ``source`` in a fresh kernel in ``workdir``; the result keeps its widget state."""
    import nbclient
    import nbformat

    nb = nbformat.read(source, as_version=4)
    saved = dict(os.environ)
    os.environ["PYTHONPATH"] = str(Path(__file__).parents[2])
    os.environ.pop("JPY_SESSION_NAME", None)
    os.environ.pop("LEARNPACKS_LANG", None)
    if language:
        os.environ["LEARNPACKS_LANG"] = language
    try:
        nbclient.NotebookClient(
            nb,
            timeout=120,
            kernel_name="python3",
            resources={"metadata": {"path": str(workdir)}},
            store_widget_state=True,
        ).execute()
    finally:
        os.environ.clear()
        os.environ.update(saved)
    return nb


def _script_json(data: object) -> str:
    # "</" can end a <script> early: escape it (THREATS.md 49).
    return json.dumps(data).replace("</", "<\\/")


def build_static_page(nb: object, out_dir: Path, *, vendor_url: str, lang: str = "en") -> Path:
    """A minimal static page like the book's: each widget view plus the embedded state."""
    from learnpacks.widgets import static_embed

    views = []
    for cell in nb.cells:  # type: ignore[attr-defined]
        for output in cell.get("outputs", []):
            view = output.get("data", {}).get("application/vnd.jupyter.widget-view+json")
            if view:
                views.append(
                    '<div class="cell-output">'
                    '<script type="application/vnd.jupyter.widget-view+json">'
                    f"{_script_json(view)}</script></div>"
                )
    state = nb.metadata["widgets"]["application/vnd.jupyter.widget-state+json"]  # type: ignore[attr-defined]
    rtl = ' dir="rtl"' if lang == "ar" else ""
    page = (
        f'<!DOCTYPE html>\n<html lang="{lang}"{rtl}><head><meta charset="utf-8">'
        "<title>Exercises</title>\n"
        f"{static_embed.script_tags(vendor_url)}</head>\n<body><main><h1>Exercises</h1>\n"
        + "\n".join(views)
        + '\n<script type="application/vnd.jupyter.widget-state+json">'
        + _script_json(state)
        + "</script>\n</main></body></html>\n"
    )
    out_dir.mkdir(parents=True, exist_ok=True)
    target = out_dir / "index.html"
    target.write_text(page, encoding="utf-8")
    return target

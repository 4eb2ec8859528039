"""Serve widgets in static pages with nothing loaded from the internet.

A static page with embedded widget state needs three scripts: RequireJS, the ipywidgets HTML
manager (``@jupyter-widgets/html-manager``'s ``embed-amd.js``) and the front-end of every widget
module in the state (for us: ``anywidget``, whose ``AnyView`` then runs our ``_esm`` from the
state). Pages usually take them from public CDNs. :func:`vendor_scripts` instead fetches pinned
versions from the npm registry (``npm pack``, at build time, cached) and lays them out::

    <dest>/require.js
    <dest>/html-manager/embed-amd.js          (+ the font files it references)
    <dest>/cdn/anywidget@<range>/dist/index.js

The ``cdn/`` folder mirrors the CDN layout the HTML manager asks for
(``<cdn>/<module>@<version range>/dist/index.js``), so pointing its ``data-jupyter-widgets-cdn``
attribute at ``<vendor URL>/cdn/`` is enough. :func:`script_tags` writes the tags for a page;
:func:`myst_nb_ipywidgets_js` gives the same as Jupyter Book 1 / MyST-NB's ``nb_ipywidgets_js``.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import tarfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from anywidget._version import _ANYWIDGET_SEMVER_VERSION

from learnpacks.errors import LearnpacksError

#: npm packages and versions vendored (pin the same for the book build). ``pyodide`` is the
#: static site's in-page Python (:mod:`learnpacks.book.offline`), not a widget script.
PINNED: dict[str, str] = {
    "requirejs": "2.3.8",
    "@jupyter-widgets/html-manager": "1.0.15",
    "anywidget": "0.11.0",
    "pyodide": "314.0.8",
}
_WIDGET_SCRIPTS = ("requirejs", "@jupyter-widgets/html-manager", "anywidget")
_FONT_SUFFIXES = (".woff", ".woff2", ".ttf", ".eot", ".svg")


class VendorError(LearnpacksError, RuntimeError):
    """npm is missing, the registry cannot be reached, or a package lacks an expected file."""

    default_code = "book.vendor-failed"


@dataclass(frozen=True)
class VendoredScripts:
    root: Path
    require_js: Path
    embed_amd: Path
    cdn: Path
    modules: dict[str, Path]


def npm_pack(spec: str, cache_dir: Path, npm: str) -> Path:
    """Fetch ``spec`` as a tarball into ``cache_dir`` (reused if already there)."""
    name, version = spec.rsplit("@", 1)
    tarball = cache_dir / f"{name.lstrip('@').replace('/', '-')}-{version}.tgz"
    if tarball.exists():
        return tarball
    cache_dir.mkdir(parents=True, exist_ok=True)
    if shutil.which(npm) is None:
        raise VendorError(f"{npm!r} not found: install Node.js/npm to vendor {spec}")
    try:
        done = subprocess.run(
            [npm, "pack", spec, "--json", "--pack-destination", str(cache_dir)],
            check=True,
            capture_output=True,
            text=True,
            timeout=300,
        )
    except (subprocess.CalledProcessError, subprocess.TimeoutExpired) as exc:
        stderr = getattr(exc, "stderr", "") or ""
        raise VendorError(f"npm pack {spec} failed: {stderr.strip()[-500:]}") from exc
    produced = cache_dir / json.loads(done.stdout)[0]["filename"]
    produced.replace(tarball)
    return tarball


def extract(
    tarball: Path, targets: Callable[[str], Path | None], *, required: Iterable[str]
) -> None:
    """Write the files of *tarball* (an npm package) that *targets* names a path for, given each
    file's name inside the package (``dist/index.js``), in one pass over the archive: a gzipped
    tarball is read from its start whenever a member is looked up by name, so one look-up per
    file decompressed the Pyodide and widget packages two dozen times (6 s here). Raises
    :class:`VendorError` when a *required* member is not in the package."""
    missing = set(required)
    with tarfile.open(tarball) as archive:
        for member in archive:
            if not member.isfile() or not member.name.startswith("package/"):
                continue
            name = member.name[len("package/") :]
            target = targets(name)
            source = archive.extractfile(member) if target is not None else None
            if target is None or source is None:
                continue
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(source.read())
            missing.discard(name)
    if missing:
        raise VendorError(f"{tarball.name} has no {', '.join(sorted(missing))}")


def vendor_scripts(
    dest: str | Path, *, cache_dir: str | Path | None = None, npm: str = "npm"
) -> VendoredScripts:
    """Lay out the pinned scripts under ``dest`` (see the module docstring); idempotent.

    ``cache_dir`` keeps the npm tarballs between builds (default: ``dest/../.npm-tarballs``).
    Raises :class:`VendorError` when a package cannot be fetched.
    """
    dest = Path(dest)
    cache = Path(cache_dir) if cache_dir is not None else dest.parent / ".npm-tarballs"
    tarballs = {name: npm_pack(f"{name}@{PINNED[name]}", cache, npm) for name in _WIDGET_SCRIPTS}

    require_js = dest / "require.js"
    extract(tarballs["requirejs"], {"require.js": require_js}.get, required=["require.js"])

    embed_amd = dest / "html-manager" / "embed-amd.js"

    def manager_file(name: str) -> Path | None:
        if name == "dist/embed-amd.js":
            return embed_amd
        folder, _, file = name.rpartition("/")
        # the fonts beside it (dist/ itself, not its sub-folders)
        return (
            embed_amd.parent / file if folder == "dist" and file.endswith(_FONT_SUFFIXES) else None
        )

    extract(tarballs["@jupyter-widgets/html-manager"], manager_file, required=["dist/embed-amd.js"])

    cdn = dest / "cdn"
    anywidget_js = cdn / f"anywidget@{_ANYWIDGET_SEMVER_VERSION}" / "dist" / "index.js"
    extract(tarballs["anywidget"], {"dist/index.js": anywidget_js}.get, required=["dist/index.js"])
    return VendoredScripts(dest, require_js, embed_amd, cdn, {"anywidget": anywidget_js})


def script_tags(vendor_url: str) -> str:
    """The ``<script>`` tags a page puts in its head, ``vendor_url`` being where ``dest`` is
    served (absolute, or relative to the page; no trailing slash)."""
    base = vendor_url.rstrip("/")
    paths = json.dumps(
        {"anywidget": f"{base}/cdn/anywidget@{_ANYWIDGET_SEMVER_VERSION}/dist/index"}
    )
    return (
        f'<script src="{base}/require.js"></script>\n'
        f"<script>require.config({{paths: {paths}}});</script>\n"
        f'<script src="{base}/html-manager/embed-amd.js" '
        f'data-jupyter-widgets-cdn="{base}/cdn/" crossorigin="anonymous"></script>\n'
    )


def myst_nb_ipywidgets_js(vendor_url: str) -> dict[str, dict[str, str]]:
    """A value for MyST-NB's ``nb_ipywidgets_js`` that loads the vendored scripts."""
    base = vendor_url.rstrip("/")
    return {
        f"{base}/require.js": {},
        f"{base}/html-manager/embed-amd.js": {
            "data-jupyter-widgets-cdn": f"{base}/cdn/",
            "crossorigin": "anonymous",
        },
    }

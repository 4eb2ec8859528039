"""Launch URLs for a notebook, per target and language.

Binder builds the repository with ``binder/``, whose ``postBuild`` writes the
translated notebooks to :data:`TRANSLATED_DIR`; source-language notebooks are
opened where they live in ``packs/``.
"""

from __future__ import annotations

from urllib.parse import quote, urlencode

from learnpacks.packs.catalog import Catalog, Pack
from learnpacks.packs.model import BinderTarget, HubTarget

#: Where ``learnpacks i18n build`` puts translated notebooks, relative to the repository root.
TRANSLATED_DIR = "build/notebooks"


def notebook_repo_path(pack_id: str, notebook: str, *, language: str, source_language: str) -> str:
    """Path of a notebook inside a launched repository, in *language*."""
    if language == source_language:
        return f"packs/{pack_id}/{notebook}"
    return f"{TRANSLATED_DIR}/{language}/{pack_id}/{notebook}"


def binder_url(target: BinderTarget, path: str) -> str:
    """``https://mybinder.org/v2/gh/<owner>/<repo>/<ref>?urlpath=lab/tree/<path>``."""
    base = target.url.rstrip("/")
    return f"{base}/v2/gh/{target.repo}/{quote(target.ref, safe='')}?" + urlencode(
        {"urlpath": f"lab/tree/{path}"}
    )


def hub_url(target: HubTarget, path: str) -> str:
    """An nbgitpuller link: the hub clones the repository into the user's home and opens *path*."""
    repo_dir = target.repo_url.rstrip("/").removesuffix(".git").rsplit("/", 1)[-1]
    query = urlencode(
        {"repo": target.repo_url, "branch": target.branch, "urlpath": f"lab/tree/{repo_dir}/{path}"}
    )
    return f"{target.url.rstrip('/')}/hub/user-redirect/git-pull?{query}"


def launch_links(
    catalog: Catalog, pack: Pack, *, language: str | None = None
) -> dict[str, dict[str, str]]:
    """``{target name: {notebook: url}}`` for every configured target, in *language* (default: the pack's)."""
    config = catalog.config
    if config is None:
        return {}
    language = language or pack.meta.language
    links: dict[str, dict[str, str]] = {}
    paths = {
        nb: notebook_repo_path(pack.id, nb, language=language, source_language=pack.meta.language)
        for nb in pack.meta.notebooks
    }
    if config.launch.binder is not None:
        links["Binder"] = {nb: binder_url(config.launch.binder, path) for nb, path in paths.items()}
    if config.launch.jupyterhub is not None:
        hub = config.launch.jupyterhub
        links[hub.name] = {nb: hub_url(hub, path) for nb, path in paths.items()}
    return links

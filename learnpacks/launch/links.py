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


def hub_folder(target: HubTarget, branch: str | None = None) -> str:
    """The folder (under the user's home) the hub clones *branch* into: the repository's name, plus
    ``-<branch>`` for a branch other than the main one, so both can live side by side."""
    branch = branch or target.branch
    name = target.repo_url.rstrip("/").removesuffix(".git").rsplit("/", 1)[-1]
    return name if branch == target.branch else f"{name}-{branch}"


def hub_url(target: HubTarget, path: str, *, branch: str | None = None) -> str:
    """An nbgitpuller link: the hub clones *branch* of the repository into :func:`hub_folder` and
    opens *path* in it. ``targetpath`` is always given: nbgitpuller's default folder keeps a
    ``.git`` suffix of the URL, which the ``urlpath`` would then miss."""
    branch = branch or target.branch
    folder = hub_folder(target, branch)
    query = {
        "repo": target.repo_url,
        "branch": branch,
        "targetpath": folder,
        "urlpath": f"lab/tree/{folder}/{path}",
    }
    return f"{target.url.rstrip('/')}/hub/user-redirect/git-pull?{urlencode(query)}"


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
    hub = config.launch.jupyterhub
    if hub is not None and language == pack.meta.language:
        links[hub.name] = {nb: hub_url(hub, path) for nb, path in paths.items()}
    elif hub is not None and hub.notebooks_branch:
        # A hub clones the repository with git: translated notebooks are build output, so they come
        # from a branch that holds `learnpacks i18n build --out` (see docs/authors/config-format.md).
        links[hub.name] = {
            nb: hub_url(hub, f"{language}/{pack.id}/{nb}", branch=hub.notebooks_branch)
            for nb in pack.meta.notebooks
        }
    return links

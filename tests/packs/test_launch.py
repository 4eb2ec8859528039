"""Launch links: Binder and JupyterHub (nbgitpuller) open the notebook in the reader's language."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from learnpacks.launch.links import hub_url, launch_links
from learnpacks.packs.catalog import Catalog, load_catalog
from learnpacks.packs.model import HubTarget

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def catalog() -> Catalog:
    return load_catalog(REPO)


def query(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query)


def hub_of(catalog: Catalog) -> HubTarget:
    hub = catalog.require_config().launch.jupyterhub
    assert isinstance(hub, HubTarget)
    return hub


def test_source_language_links_open_the_pack_notebook(catalog):
    """In the source language, do Binder and the hub open packs/<pack>/<notebook>?"""
    pack = catalog.get("welcome-to-wikimedia")
    links = launch_links(catalog, pack)
    nb = pack.meta.notebooks[0]
    assert query(links["Binder"][nb])["urlpath"] == [f"lab/tree/packs/welcome-to-wikimedia/{nb}"]
    hub = query(links["PAWS"][nb])
    assert hub["branch"] == ["main"] and hub["targetpath"] == ["learnpacks"]
    assert hub["urlpath"] == [f"lab/tree/learnpacks/packs/welcome-to-wikimedia/{nb}"]


def test_hub_folder_is_given_even_for_a_dot_git_url(catalog):
    """nbgitpuller's default folder keeps ".git": the link names the folder its urlpath opens."""
    url = hub_of(catalog).model_copy(
        update={"repo_url": "https://github.com/wikimedia/learnpacks.git"}
    )
    q = query(hub_url(url, "packs/p/a.ipynb"))
    assert q["targetpath"] == ["learnpacks"] and q["urlpath"] == [
        "lab/tree/learnpacks/packs/p/a.ipynb"
    ]


def test_translated_links_open_the_built_notebook(catalog):
    """In French, does Binder open the notebook its postBuild translated, and the hub the notebook
    on the branch `learnpacks hub publish` writes (see test_hub_branch.py), in a folder of its own?"""
    pack = catalog.get("welcome-to-wikimedia")
    links = launch_links(catalog, pack, language="fr")
    nb = pack.meta.notebooks[0]
    assert query(links["Binder"][nb])["urlpath"] == [
        f"lab/tree/build/notebooks/fr/welcome-to-wikimedia/{nb}"
    ]
    q = query(links["PAWS"][nb])
    assert q["branch"] == ["notebooks"] and q["targetpath"] == ["learnpacks-notebooks"]
    assert q["urlpath"] == [f"lab/tree/learnpacks-notebooks/fr/welcome-to-wikimedia/{nb}"]


def test_no_translated_hub_link_without_a_notebooks_branch(catalog):
    """Without a notebooks branch the repository has no translated notebooks: no broken hub link."""
    config = catalog.require_config()
    launch = config.launch.model_copy(
        update={"jupyterhub": hub_of(catalog).model_copy(update={"notebooks_branch": None})}
    )
    catalog.config = config.model_copy(update={"launch": launch})
    pack = catalog.get("welcome-to-wikimedia")
    assert "PAWS" not in launch_links(catalog, pack, language="ar")
    assert "PAWS" in launch_links(catalog, pack, language="en")

"""Launch links: Binder and JupyterHub (nbgitpuller) open the notebook in the reader's language."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from learnpacks.launch.links import launch_links
from learnpacks.packs.catalog import Catalog, load_catalog
from learnpacks.packs.model import HubTarget

REPO = Path(__file__).resolve().parents[2]


@pytest.fixture
def catalog() -> Catalog:
    return load_catalog(REPO)


def query(url: str) -> dict[str, list[str]]:
    return parse_qs(urlsplit(url).query)


def test_source_language_links_open_the_pack_notebook(catalog):
    """In the source language, do Binder and the hub open packs/<pack>/<notebook>?"""
    pack = catalog.get("welcome-to-wikimedia")
    links = launch_links(catalog, pack)
    nb = pack.meta.notebooks[0]
    assert query(links["Binder"][nb])["urlpath"] == [f"lab/tree/packs/welcome-to-wikimedia/{nb}"]
    hub = query(links["PAWS"][nb])
    assert hub["branch"] == ["main"] and hub["urlpath"] == [
        f"lab/tree/learnpacks/packs/welcome-to-wikimedia/{nb}"
    ]


def test_translated_links_open_the_built_notebook(catalog):
    """In French, does Binder open the notebook its postBuild translated, and the hub offer no broken link?"""
    pack = catalog.get("welcome-to-wikimedia")
    links = launch_links(catalog, pack, language="fr")
    nb = pack.meta.notebooks[0]
    assert query(links["Binder"][nb])["urlpath"] == [
        f"lab/tree/build/notebooks/fr/welcome-to-wikimedia/{nb}"
    ]
    assert "PAWS" not in links  # the repository's main branch has no translated notebooks


def test_translated_hub_links_use_the_notebooks_branch(catalog):
    """With a notebooks branch configured, does the hub link pull it into a folder of its own?"""
    config = catalog.require_config()
    hub = config.launch.jupyterhub
    assert isinstance(hub, HubTarget)
    launch = config.launch.model_copy(
        update={"jupyterhub": hub.model_copy(update={"notebooks_branch": "notebooks"})}
    )
    catalog.config = config.model_copy(update={"launch": launch})
    pack = catalog.get("welcome-to-wikimedia")
    nb = pack.meta.notebooks[0]
    q = query(launch_links(catalog, pack, language="ar")["PAWS"][nb])
    assert q["branch"] == ["notebooks"] and q["targetpath"] == ["learnpacks-notebooks"]
    assert q["urlpath"] == [f"lab/tree/learnpacks-notebooks/ar/welcome-to-wikimedia/{nb}"]

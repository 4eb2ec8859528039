"""Fixtures shared by the site tests: the static site's in-page Python and progress, and the
small multilingual project the chrome and browser tests read."""

from __future__ import annotations

from pathlib import Path

import pytest
from scaffold_sites import (
    AUTHORED_PACKS,
    OFFLINE_PACKS,
    make_authored_project,
    make_offline_project,
)
from site_project import make_site_project
from support import built_once, copy_project, session_root

from learnpacks.book.build import SiteBuild, build_site

#: A shipped pack with a practice code exercise whose tests are literals, translated into French
#: and Arabic (``translations/``).
INPAGE_PACK = "welcome-to-wikimedia"


@pytest.fixture(scope="session")
def inpage_site(tmp_path_factory: pytest.TempPathFactory) -> SiteBuild:
    """The shipped welcome pack built in English, French and Arabic, with its scripts vendored
    (once for all the test workers)."""

    def build(folder: Path) -> SiteBuild:
        project = copy_project(folder / "project")
        return build_site(
            root=project, pack_ids=[INPAGE_PACK], languages=["en", "fr", "ar"], offline=True
        )

    return built_once(session_root(tmp_path_factory), "inpage-site", build)


@pytest.fixture(scope="session")
def multilingual_site(tmp_path_factory: pytest.TempPathFactory) -> SiteBuild:
    """The small multilingual project (``site_project``) built once for all the test workers,
    for the modules that only read it."""

    def build(folder: Path) -> SiteBuild:
        return build_site(root=make_site_project(folder / "project"))

    return built_once(session_root(tmp_path_factory), "multilingual-site", build)


@pytest.fixture(scope="session")
def authored_site(tmp_path_factory: pytest.TempPathFactory) -> SiteBuild:
    """Scaffolded packs holding what authors may write (``scaffold_sites``), in English, online,
    without search (once for all the test workers)."""

    def build(folder: Path) -> SiteBuild:
        project = make_authored_project(folder / "project")
        return build_site(root=project, pack_ids=AUTHORED_PACKS, languages=["en"], search=False)

    return built_once(session_root(tmp_path_factory), "authored-site", build)


@pytest.fixture(scope="session")
def offline_site(tmp_path_factory: pytest.TempPathFactory) -> SiteBuild:
    """Scaffolded packs and a shipped one (``scaffold_sites``), in English, built offline with
    search (once for all the test workers)."""

    def build(folder: Path) -> SiteBuild:
        project = make_offline_project(folder / "project")
        return build_site(root=project, pack_ids=OFFLINE_PACKS, languages=["en"], offline=True)

    return built_once(session_root(tmp_path_factory), "offline-site", build)

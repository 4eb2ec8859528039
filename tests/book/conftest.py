"""Fixtures shared by the site tests: the static site's in-page Python and progress, and the
small multilingual project the chrome and browser tests read."""

from __future__ import annotations

import pytest
from site_project import make_site_project
from support import copy_project

from learnpacks.book.build import SiteBuild, build_site

#: A shipped pack with a practice code exercise whose tests are literals, translated into French
#: and Arabic (``translations/``).
INPAGE_PACK = "welcome-to-wikimedia"


@pytest.fixture(scope="session")
def inpage_site(tmp_path_factory: pytest.TempPathFactory) -> SiteBuild:
    """The shipped welcome pack built in English, French and Arabic, with its scripts vendored."""
    project = copy_project(tmp_path_factory.mktemp("inpage") / "project")
    return build_site(
        root=project, pack_ids=[INPAGE_PACK], languages=["en", "fr", "ar"], offline=True
    )


@pytest.fixture(scope="session")
def multilingual_site(tmp_path_factory: pytest.TempPathFactory) -> SiteBuild:
    """The small multilingual project (``site_project``) built once, for the modules that only
    read it."""
    project = make_site_project(tmp_path_factory.mktemp("site") / "project")
    return build_site(root=project)

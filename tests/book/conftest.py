"""Fixtures shared by the static site's in-page Python and progress tests."""

from __future__ import annotations

import pytest
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

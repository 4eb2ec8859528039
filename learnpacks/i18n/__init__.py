"""The translation pipeline: notebooks → PO catalogs → translated notebooks (``learnpacks i18n``).

- :func:`extract` writes ``translations/templates/<pack>.pot``;
- :func:`init` starts a language, :func:`update` merges templates into ``translations/<lang>/<pack>.po``;
- :func:`status` counts translated, fuzzy and untranslated units (:func:`write_badges` draws them);
- :func:`check_catalogs` rejects translations that change markup, are empty, unsafe or break a notebook;
- :func:`build` writes translated notebooks with their translation state in metadata.

See ``docs/translators.md``.
"""

from __future__ import annotations

from learnpacks.i18n.build import BuildResult, build
from learnpacks.i18n.catalogs import CatalogResult, extract, init, update
from learnpacks.i18n.status import StatusReport, status, write_badges
from learnpacks.i18n.validate import check_catalogs

__all__ = [
    "BuildResult",
    "CatalogResult",
    "StatusReport",
    "build",
    "check_catalogs",
    "extract",
    "init",
    "status",
    "update",
    "write_badges",
]

"""The translation pipeline: notebooks → PO catalogs → translated notebooks (``learnpacks i18n``).

- :func:`extract` writes ``translations/templates/<pack>.pot``;
- :func:`init` starts a language, :func:`update` merges templates into ``translations/<lang>/<pack>.po``;
- :func:`status` counts translated, fuzzy and untranslated units (:func:`write_badges` draws them);
- :func:`check_catalogs` rejects translations that change markup, are empty, unsafe or break a notebook;
- :func:`build` writes translated notebooks with their translation state in metadata.

See ``docs/translators.md``.
"""

from __future__ import annotations

import importlib
import sys
import types
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from learnpacks.i18n.build import BuildResult, build
    from learnpacks.i18n.catalogs import CatalogResult, extract, init, update
    from learnpacks.i18n.status import StatusReport, status, write_badges
    from learnpacks.i18n.validate import check_catalogs

#: Each public name and the module it comes from, imported on first use: every command of the
#: CLI registers ``learnpacks.i18n.cli``, which imports this package, and importing the whole
#: pipeline (nbformat, polib, the PO reader) cost every ``learnpacks`` command ~0.3 s.
_EXPORTS = {
    "BuildResult": "build",
    "build": "build",
    "CatalogResult": "catalogs",
    "extract": "catalogs",
    "init": "catalogs",
    "update": "catalogs",
    "StatusReport": "status",
    "status": "status",
    "write_badges": "status",
    "check_catalogs": "validate",
}

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


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
    value = getattr(importlib.import_module(f"{__name__}.{module}"), name)
    globals()[name] = value
    return value


class _Package(types.ModuleType):
    """This package, whose functions ``build`` and ``status`` keep their names when their
    submodules (``learnpacks.i18n.build``, ``.status``) are imported: Python binds a submodule
    as an attribute of its package, which the eager imports used to overwrite again."""

    def __setattr__(self, name: str, value: Any) -> None:
        if name in _EXPORTS and isinstance(value, types.ModuleType):
            return
        super().__setattr__(name, value)


sys.modules[__name__].__class__ = _Package

"""nbgrader's modules without its package ``__init__``, which imports its Jupyter server
extensions (jupyter_server, tornado's web framework, nbgrader's exchange and apps): about
half a second of every ``cohort`` command's start-up, for nothing a command line uses.

:func:`defer_package_init` (called when :mod:`learnpacks.grading` is imported) adds an import
hook: when something first imports ``nbgrader``, the package is made with its ``__init__`` not
yet run. Its submodules (``nbgrader.api``, ``nbgrader.utils`` ...) import as usual;
``nbgrader.__version__`` is read from ``nbgrader._version``; anything else the ``__init__``
defines (the server extension hooks) runs it on first use, so the package still behaves as
nbgrader's own. Nothing changes until nbgrader is imported, and nothing at all when it was
imported before.
"""

from __future__ import annotations

import importlib
import importlib.machinery
import importlib.util
import sys
from collections.abc import Sequence
from types import ModuleType
from typing import Any

PACKAGE = "nbgrader"


class _Finder:
    """Finds ``nbgrader`` as the other finders do, with :class:`_DeferredInit` as its loader
    (an import system meta path finder; not derived from ``importlib.abc``, whose import
    costs more than all of this)."""

    def find_spec(
        self, fullname: str, path: Sequence[str] | None, target: ModuleType | None = None
    ) -> importlib.machinery.ModuleSpec | None:
        if fullname != PACKAGE:
            return None
        _remove_finder()
        spec = importlib.util.find_spec(PACKAGE)
        if spec is None or spec.loader is None or spec.submodule_search_locations is None:
            return spec
        spec.loader = _DeferredInit(spec.loader)  # type: ignore[assignment]
        return spec


class _DeferredInit:
    def __init__(self, real: Any) -> None:
        self.real = real

    def create_module(self, spec: importlib.machinery.ModuleSpec) -> ModuleType | None:
        return None  # the usual module object

    def exec_module(self, module: ModuleType) -> None:
        real = self.real

        def __getattr__(name: str) -> Any:  # noqa: N807 - a module's attribute hook (PEP 562)
            if name == "__version__":
                return importlib.import_module(f"{PACKAGE}._version").__version__
            if name.startswith("__"):
                raise AttributeError(name)
            if importlib.util.find_spec(f"{PACKAGE}.{name}") is not None:
                # a submodule: ``from nbgrader import utils`` imports it as usual
                raise AttributeError(name)
            del module.__dict__["__getattr__"]
            real.exec_module(module)  # nbgrader's own __init__, now
            if name not in module.__dict__:
                raise AttributeError(f"module {PACKAGE!r} has no attribute {name!r}")
            return module.__dict__[name]

        module.__dict__["__getattr__"] = __getattr__


_FINDER = _Finder()


def _remove_finder() -> None:
    if _FINDER in sys.meta_path:
        sys.meta_path.remove(_FINDER)


def defer_package_init() -> None:
    """Make the next import of ``nbgrader`` skip its package ``__init__`` (see the module
    docstring), unless it is imported already."""
    if PACKAGE not in sys.modules and _FINDER not in sys.meta_path:
        sys.meta_path.insert(0, _FINDER)

"""Fixtures for the widget tests: an isolated answers folder, Node, the vendored scripts of a
static page and the every-exercise-type page itself. Chromium (``chromium``), the static server
(``serve_static``) and axe-core (``axe_js``) come from ``tests/conftest.py``."""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from support import built_once, session_root
from widget_support import FIXTURES, build_static_page, execute_notebook


@pytest.fixture(autouse=True)
def _isolated_widget_state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """Every test runs in its own folder, with no configured notebook or language."""
    from learnpacks.widgets import answers, base, i18n

    base.LIVE_EXERCISES.clear()
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("LEARNPACKS_LANG", raising=False)
    monkeypatch.delenv("JPY_SESSION_NAME", raising=False)
    answers.reset_configuration()
    i18n.set_language(None)
    yield tmp_path
    answers.reset_configuration()
    i18n.set_language(None)


@pytest.fixture(scope="session")
def node() -> str:
    path = shutil.which("node")
    if path is None:
        pytest.skip("node is not installed (needed to run the JavaScript checkers)")
    return path


@pytest.fixture(scope="session")
def npm_cache(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Where npm packages fetched for the tests live (LEARNPACKS_NPM_CACHE to reuse one)."""
    env = os.environ.get("LEARNPACKS_NPM_CACHE")
    return Path(env) if env else tmp_path_factory.mktemp("npm")


@pytest.fixture(scope="session")
def vendored_scripts(npm_cache: Path) -> Path:
    """The widget manager, RequireJS and anywidget, vendored once per session."""
    from learnpacks.widgets import static_embed

    if shutil.which("npm") is None:
        pytest.skip("npm is not installed (needed to vendor the widget manager)")
    dest = npm_cache / "site" / "_vendor"
    static_embed.vendor_scripts(dest, cache_dir=npm_cache / "tarballs")
    return dest


@pytest.fixture(scope="session")
def static_site(
    tmp_path_factory: pytest.TempPathFactory, vendored_scripts: Path
) -> Callable[[str], Path]:
    """``static_site(lang) -> folder``: every-exercise-type, executed in ``lang``, as a page
    (built once for all the test workers)."""

    def build(lang: str = "en") -> Path:
        def page(folder: Path) -> Path:
            root, work = folder / "site", folder / "work"
            work.mkdir()
            nb = execute_notebook(FIXTURES / "every-exercise-type.ipynb", work, language=lang)
            shutil.copytree(vendored_scripts, root / "_vendor")
            build_static_page(nb, root, vendor_url="_vendor", lang=lang)
            return root

        return built_once(session_root(tmp_path_factory), f"static-site-{lang}", page)

    return build

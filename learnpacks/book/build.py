"""``learnpacks book build``: one Jupyter Book 1.x build per language under one site root.

``book/_build/site/<lang>/`` holds each language; ``book/_build/site/index.html`` sends a visitor
to their browser's language; ``book/_build/site/pagefind/`` is the search index of every language.
Languages build in parallel; notebook execution is cached per language (jupyter-cache), so an edit
to a markdown cell re-executes nothing.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import uuid
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from learnpacks.book import diagnostics
from learnpacks.book.html import el
from learnpacks.book.offline import VENDOR, npm_available, python_bytes
from learnpacks.book.offline import vendor as offline_vendor
from learnpacks.book.plan import SitePlan, plan_site
from learnpacks.book.search import index_site
from learnpacks.book.source import write_source
from learnpacks.book.strings import Strings, is_rtl, language_name
from learnpacks.book.wheel import learnpacks_wheel
from learnpacks.errors import LearnpacksError, Problem, UsageError
from learnpacks.i18n.build import build as i18n_build
from learnpacks.packs.catalog import Catalog, Pack, load_catalog
from learnpacks.packs.path import learning_path
from learnpacks.stamps import tree_stamp
from learnpacks.widgets.static_embed import VendorError

BUILD_DIR = Path("book") / "_build"


@dataclass(frozen=True)
class SiteBuild:
    site: Path
    languages: list[str]
    packs: list[str]
    #: language -> ids of the packs published in it
    published: dict[str, list[str]] = field(default_factory=dict)
    #: what the build has to say that did not stop it: the translation build's problems, Sphinx's
    #: warnings (located in the pack's files), scripts served from CDNs
    problems: list[Problem] = field(default_factory=list)
    #: bytes a page fetches when a learner first runs Python in it (0: not vendored)
    python_bytes: int = 0


def _packs(catalog: Catalog, pack_ids: Sequence[str] | None) -> list[Pack]:
    """The packs to build: those named (a preview, whatever their review state), else every pack
    whose status is ``published``, along the learning path."""
    if catalog.broken and not pack_ids:
        raise LearnpacksError(
            "some packs cannot be read; fix them first (`learnpacks check` lists the problems)",
            [p for p in catalog.problems if p.severity == "error"],
            code="book.packs-invalid",
        )
    if pack_ids:
        return [catalog.get(pid) for pid in pack_ids]
    # along the learning path (the site's menu and cards), equal places by title
    published = [pid for pid in catalog.packs if catalog.packs[pid].meta.is_published]
    by_title = sorted(published, key=lambda pid: (catalog.packs[pid].meta.title.casefold(), pid))
    path = learning_path(
        {pid: catalog.packs[pid].meta.prerequisites for pid in by_title}, key=by_title.index
    )
    return [catalog.get(pid) for pid in path.order]


def _run(cmd: list[str], *, what: str, locate: Any) -> list[Problem]:
    """Run Sphinx; its warnings as located problems (see :mod:`.diagnostics`)."""
    from learnpacks.checks.kernels import BOOK_KERNEL_ENV

    # the notebooks' kernels listen on Unix sockets: a TCP port jupyter_client picked could be
    # taken by another process before the kernel binds it (see learnpacks.checks.kernels)
    env = dict(os.environ, PYDEVD_DISABLE_FILE_VALIDATION="1", **BOOK_KERNEL_ENV)
    result = subprocess.run(cmd, capture_output=True, text=True, env=env, check=False)
    problems = diagnostics.sphinx_problems(result.stderr, locate=locate)
    if result.returncode != 0:
        detail = (result.stdout[-3000:] + "\n" + result.stderr[-6000:]).strip()
        raise LearnpacksError(f"{what} failed:\n{detail}", problems, code="book.sphinx-failed")
    return problems


def build_language(
    catalog: Catalog,
    plan: SitePlan,
    *,
    language: str,
    build_dir: Path,
    quiet: bool = True,
    vendored: bool = False,
    wheel: Path | None = None,
    site_url: str | None = None,
) -> Path:
    """Write the sources of *language* and run Sphinx on them; returns the language's HTML folder."""
    src = write_source(
        catalog,
        plan,
        language=language,
        dest=build_dir / "src" / language,
        cache_dir=build_dir / "cache" / language,
        vendored=vendored,
        wheel=wheel,
        site_url=site_url,
    )
    write_sphinx_conf(src)
    # Nothing Sphinx reads changed since its last successful run (the sources are rewritten only
    # when their content changes; the wheel's name carries a digest of learnpacks' own code):
    # skip its start-up, which is most of a build that has nothing to do.
    stamp = tree_stamp(src, extra=str(wheel))
    # myst-nb writes executed notebooks beside Sphinx's output folder (outdir/../jupyter_execute), so
    # each language gets a work folder of its own and only the HTML is mirrored into the site.
    work = build_dir / "work" / language
    cmd = [
        sys.executable,
        "-m",
        "learnpacks.book.sphinx_main",
        "-b",
        "html",
        "-d",
        str(work / "doctrees"),
        str(src),
        str(work / "html"),
    ]
    if quiet:
        cmd.append("-q")
    stamp_file = work / "learnpacks-sources.stamp"
    if not (
        stamp_file.is_file()
        and stamp_file.read_text(encoding="utf-8") == stamp
        and (work / "html" / "index.html").is_file()
    ):
        stamp_file.unlink(missing_ok=True)
        locate = diagnostics.source_locator(
            src,
            folders={pid: e.folder for pid, e in plan.editions.get(language, {}).items()},
            root=catalog.root,
        )
        warnings = _run(cmd, what=f"building the {language!r} site", locate=locate)
        # kept with the stamp: a build with nothing to do reports what is still there
        diagnostics.save(warnings, work / diagnostics.WARNINGS_FILE)
    reports = sorted((work / "html" / "reports").rglob("*.err.log"))
    if reports:
        detail = "\n".join(
            f"{r.relative_to(work / 'html' / 'reports')}:\n{r.read_text(encoding='utf-8')[-3000:]}"
            for r in reports
        )
        for report in reports:
            report.unlink()
        # Forget the environment so the failing page is read (and executed) again next time.
        (work / "doctrees" / "environment.pickle").unlink(missing_ok=True)
        raise LearnpacksError(
            f"a notebook failed to execute while building {language!r}:\n{detail}",
            code="book.notebook-failed",
        )
    out = build_dir / "site" / language
    mirror_tree(work / "html", out, skip={".buildinfo", ".doctrees", "reports"})
    stamp_file.write_text(stamp, encoding="utf-8")
    return out


def write_sphinx_conf(src: Path) -> Path:
    """Write *src*'s ``conf.py`` from its ``_config.yml`` and ``_toc.yml`` as ``jupyter-book config
    sphinx`` does, in this process (that command is a separate Python start-up per language).
    Rewritten only when its text changes, so Sphinx keeps its saved environment."""
    conf = src / "conf.py"
    inputs = [src / "_config.yml", src / "_toc.yml"]
    if conf.is_file() and all(p.stat().st_mtime <= conf.stat().st_mtime for p in inputs):
        return conf
    from jupyter_book.config import get_final_config

    config, _ = get_final_config(
        user_yaml=src / "_config.yml",
        sourcedir=src,
        cli_config={"external_toc_path": "_toc.yml", "latex_individualpages": False},
    )
    lines = ["# Generated by learnpacks from _config.yml and _toc.yml (jupyter_book.config)."]
    lines += [f"{key} = {config[key]!r}" for key in sorted(config)]
    text = "\n".join(lines) + "\n"
    if not conf.is_file() or conf.read_text(encoding="utf-8") != text:
        conf.write_text(text, encoding="utf-8")
    else:
        os.utime(conf)  # newer than its inputs: not read again next time
    return conf


def _same_file(a: Path, b: Path) -> bool:
    """Whether *b* is a copy of *a* made by :func:`shutil.copy2` (same size and modification time)."""
    try:
        sa, sb = a.stat(), b.stat()
    except OSError:
        return False
    return sa.st_size == sb.st_size and sa.st_mtime_ns == sb.st_mtime_ns


def build_language_at(
    root: Path,
    *,
    pack_ids: list[str],
    languages: list[str],
    language: str,
    build_dir: Path,
    preview: bool = False,
    **options: Any,
) -> Path:
    """:func:`build_language` from plain data, as a Dask worker runs it: the catalog and the
    publishing plan are read again from *root* (the translated notebooks are already written),
    so nothing but paths and names travels to the worker."""
    catalog = load_catalog(root)
    config = catalog.require_config()
    packs = [catalog.get(pid) for pid in pack_ids]
    plan = plan_site(
        catalog,
        packs=packs,
        languages=languages,
        threshold=config.thresholds.publish_translation,
        preview=preview,
    )
    return build_language(catalog, plan, language=language, build_dir=build_dir, **options)


def _build_on_dask(
    scheduler: str,
    *,
    root: Path,
    pack_ids: list[str],
    languages: list[str],
    build_dir: Path,
    preview: bool,
    **options: Any,
) -> None:
    from distributed import Client

    with Client(scheduler) as client:
        futures = [
            client.submit(
                build_language_at,
                root,
                pack_ids=pack_ids,
                languages=languages,
                language=lang,
                build_dir=build_dir,
                preview=preview,
                pure=False,
                key=f"learnpacks-site-{lang}-{uuid.uuid4().hex[:8]}",
                **options,
            )
            for lang in languages
        ]
        client.gather(futures)


def mirror_tree(src: Path, dest: Path, *, skip: set[str]) -> None:
    """Make *dest* a copy of *src*: copy new and changed files, delete what *src* no longer has.

    A file is copied when its size or modification time differs (copies keep the time), so an
    unchanged site costs a ``stat`` per file, not a read."""
    wanted = set()
    for path in src.rglob("*"):
        rel = path.relative_to(src)
        if rel.parts[0] in skip or not path.is_file():
            continue
        wanted.add(rel)
        target = dest / rel
        if _same_file(path, target):
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(path, target)
    if dest.is_dir():
        for path in sorted(dest.rglob("*"), reverse=True):
            rel = path.relative_to(dest)
            if path.is_file() and rel not in wanted:
                path.unlink()
            elif path.is_dir() and not any(path.iterdir()):
                path.rmdir()


def root_page(plan: SitePlan) -> str:
    """The site root: picks the visitor's browser language when published, and lists every language."""
    s = Strings(plan.source_language)
    links = [
        el(
            "li",
            None,
            el(
                "a",
                {
                    "href": f"{lang}/index.html",
                    "hreflang": lang,
                    "lang": lang,
                    "dir": "rtl" if is_rtl(lang) else None,
                },
                language_name(lang),
            ),
        )
        for lang in plan.languages
    ]
    languages = ",".join(plan.languages)
    script = (
        "(function(){var published='" + languages + "'.split(',');"
        "var wanted=(navigator.languages&&navigator.languages.length?navigator.languages:[navigator.language||'']);"
        "for(var i=0;i<wanted.length;i++){var w=(wanted[i]||'');"
        "for(var j=0;j<published.length;j++){var p=published[j];"
        "if(w.toLowerCase()===p.toLowerCase()){location.replace(p+'/index.html');return;}}"
        "var base=w.split('-')[0].toLowerCase();"
        "for(var k=0;k<published.length;k++){if(published[k].toLowerCase()===base){location.replace(published[k]+'/index.html');return;}}}"
        "location.replace('" + plan.source_language + "/index.html');})();"
    )
    body = el("main", None, el("h1", None, s("Choose your language")), el("ul", None, links))
    return (
        '<!DOCTYPE html>\n<html lang="' + plan.source_language + '"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        "<title>" + s("Learning packs") + "</title>"
        "<script>" + script + "</script></head><body>" + body + "</body></html>\n"
    )


def held_packs(catalog: Catalog) -> list[Problem]:
    """Why the packs left off the site are left off (their review state), as warnings."""
    return [
        Problem(
            catalog.rel(pack.folder / "pack.yml"),
            "publish.held",
            f"not published: status is {pack.meta.status!r}",
            "status",
            "warning",
            hint="`learnpacks check --publish` says what publishing it needs",
        )
        for pack in sorted(catalog.packs.values(), key=lambda p: p.id)
        if not pack.meta.is_published
    ]


def _translate(catalog: Catalog, languages: Sequence[str], packs: Sequence[Pack]) -> list[Problem]:
    """Write the translated notebooks of *languages* with the translation pipeline; returns its
    problems (rejected units, which the pages show in a fallback language)."""
    if not languages:
        return []
    result = i18n_build(
        root=catalog.root, languages=list(languages), pack_ids=[p.id for p in packs]
    )
    return list(result.problems)


def _vendor(dest: Path, *, required: bool) -> Problem | None:
    """Lay out the vendored scripts; without *required* (no ``--offline``), an npm registry that
    cannot be reached is a warning and the pages load the scripts from public CDNs instead."""
    try:
        offline_vendor(dest)
    except VendorError as exc:
        if required:
            raise
        return Problem(
            "book",
            "book.vendor-unavailable",
            f"the scripts could not be fetched from the npm registry, so pages load them from "
            f"public CDNs ({exc.message.splitlines()[0][:300]})",
            severity="warning",
            hint="build with --offline where the registry is reachable to publish a site that "
            "loads nothing from another host",
        )
    return None


def build_site(
    *,
    root: Path | None = None,
    pack_ids: Sequence[str] | None = None,
    languages: Sequence[str] | None = None,
    build_dir: Path | None = None,
    search: bool = True,
    offline: bool | None = None,
    quiet: bool = True,
    site_url: str | None = None,
    scheduler: str | None = None,
) -> SiteBuild:
    """Build the site into ``<build_dir>/site/``; returns where it is and what was published.

    *site_url* (default: ``url`` in ``packs/_config.yml``) is where the site will be served:
    downloaded notebooks install the learnpacks wheel the site publishes from there.

    *scheduler*: the address of a Dask scheduler (``tcp://host:8786``): each language is built
    by a worker of that cluster instead of this machine's pool. Workers must see *root* and
    *build_dir* at the same paths (a shared file system) and run the same learnpacks; they write
    the same files a local build writes.

    Raises :class:`UsageError` for an unknown language or pack, and :class:`LearnpacksError` when a
    notebook fails to execute or Sphinx fails, with its output. What does not stop the build is
    in the result's ``problems``.
    """
    catalog = load_catalog(root)
    config = catalog.require_config()
    packs = _packs(catalog, pack_ids)
    languages = list(languages or config.languages)
    unknown = [lang for lang in languages if lang not in config.languages]
    if unknown:
        raise UsageError(
            f"language(s) {', '.join(unknown)} not in packs/_config.yml languages ({', '.join(config.languages)})",
            code="book.unknown-language",
            path="packs/_config.yml",
            place="languages",
        )
    build_dir = (build_dir or catalog.root / BUILD_DIR).resolve()
    problems = [] if pack_ids else held_packs(catalog)
    problems += _translate(
        catalog, [lang for lang in languages if lang != config.source_language], packs
    )
    plan = plan_site(
        catalog,
        packs=packs,
        languages=languages,
        threshold=config.thresholds.publish_translation,
        preview=bool(pack_ids),
    )
    if offline and not npm_available():
        raise UsageError(
            "--offline needs npm (Node.js) to fetch the vendored scripts from the npm registry",
            code="book.npm-missing",
        )
    vendored = npm_available() if offline is None else offline
    wheel = learnpacks_wheel(build_dir / "wheel")
    site_url = site_url or config.url
    if vendored:
        fallback = _vendor(build_dir / "vendor", required=bool(offline))
        if fallback is not None:
            problems.append(fallback)
            vendored = False
    site = build_dir / "site"
    site.mkdir(parents=True, exist_ok=True)
    for stale in site.iterdir():
        if stale.is_symlink() or (
            stale.is_dir()
            and stale.name not in languages
            and stale.name not in ("pagefind", VENDOR)
        ):
            stale.unlink() if stale.is_symlink() else shutil.rmtree(stale)
    options: dict[str, Any] = {
        "quiet": quiet,
        "vendored": vendored,
        "wheel": wheel,
        "site_url": site_url,
    }
    if scheduler:
        _build_on_dask(
            scheduler,
            root=catalog.root,
            pack_ids=[p.id for p in packs],
            languages=languages,
            build_dir=build_dir,
            preview=bool(pack_ids),
            **options,
        )
    else:
        with ThreadPoolExecutor(max_workers=min(2, len(languages))) as pool:
            futures = [
                pool.submit(
                    build_language, catalog, plan, language=lang, build_dir=build_dir, **options
                )
                for lang in languages
            ]
            for future in futures:
                future.result()
    if vendored:
        mirror_tree(build_dir / "vendor", site / VENDOR, skip={".stamp"})
    elif (site / VENDOR).exists():
        shutil.rmtree(site / VENDOR)
    root = site / "index.html"
    page = root_page(plan)
    if not root.is_file() or root.read_text(encoding="utf-8") != page:
        root.write_text(page, encoding="utf-8")
    if search:
        # Pagefind re-indexes every page: not when no page of any language changed.
        stamp = tree_stamp(site, skip={"pagefind"})
        stamp_file = build_dir / "pagefind.stamp"
        if not (
            stamp_file.is_file()
            and stamp_file.read_text(encoding="utf-8") == stamp
            and (site / "pagefind").is_dir()
        ):
            stamp_file.unlink(missing_ok=True)
            index_site(site)
            stamp_file.write_text(stamp, encoding="utf-8")
    for lang in languages:
        problems += diagnostics.load(build_dir / "work" / lang / diagnostics.WARNINGS_FILE)
    return SiteBuild(
        site=site,
        languages=languages,
        packs=[p.id for p in packs],
        published={lang: sorted(plan.editions[lang]) for lang in languages},
        problems=problems,
        python_bytes=python_bytes(site / VENDOR) if vendored else 0,
    )


def clean(build_dir: Path) -> None:
    shutil.rmtree(build_dir, ignore_errors=True)

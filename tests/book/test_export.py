"""Offline exports: a pack as a zip bundle that works from disk, the whole site as a ZIM for Kiwix."""

from __future__ import annotations

import contextlib
import io
import json
import os
import re
import shutil
import socket
import stat
import struct
import subprocess
import sys
import time
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path, PurePosixPath
from urllib.parse import quote, urlparse
from urllib.request import url2pathname, urlopen

import pytest
from support import answer_starter_choice

from learnpacks.book.export import export_zip, plan_bundle
from learnpacks.book.zim import solid_png, zim_language
from learnpacks.cli import main
from learnpacks.errors import UsageError
from learnpacks.packs.catalog import load_catalog

REPO = Path(__file__).resolve().parents[2]
#: A word that appears on exactly one page of the test site, for the full-text search.
MARKER = "quokkaborealis"
DEMO = "demo-pack"
OTHER = "second-pack"


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A scratch project with two scaffolded packs, built once: returns the project folder.

    The demo pack also holds a data file in a sub-folder, and files that must never be exported: a
    hidden file, a checkpoint, a byte-code cache and a link to a file outside the pack.
    """
    from learnpacks.book.build import build_site
    from learnpacks.packs.scaffold import new_pack

    project = tmp_path_factory.mktemp("export") / "project"
    shutil.copytree(REPO / "packs", project / "packs")
    shutil.copytree(REPO / "book", project / "book", ignore=shutil.ignore_patterns("_build"))
    folder = new_pack(DEMO, root=project)
    new_pack(OTHER, root=project)
    nb_path = folder / "01-start.ipynb"
    nb = json.loads(nb_path.read_text(encoding="utf-8"))
    nb["cells"][0]["source"] = f"# Demo pack\n\nThe rare word {MARKER} is on this page only."
    nb_path.write_text(json.dumps(nb), encoding="utf-8")
    (folder / "data").mkdir()
    (folder / "data" / "cities.csv").write_text("city,country\nDakar,Senegal\n", encoding="utf-8")
    (folder / ".secret").write_text("token", encoding="utf-8")
    (folder / ".ipynb_checkpoints").mkdir()
    (folder / ".ipynb_checkpoints" / "01-start-checkpoint.ipynb").write_text("{}", encoding="utf-8")
    (folder / "__pycache__").mkdir()
    (folder / "__pycache__" / "x.cpython-311.pyc").write_bytes(b"\0")
    outside = project / "outside.txt"
    outside.write_text("not part of the pack", encoding="utf-8")
    (folder / "linked.txt").symlink_to(outside)
    build_site(root=project, pack_ids=[DEMO, OTHER], languages=["en"])
    return project


def _site(project: Path) -> Path:
    return project / "book" / "_build" / "site"


def _disk_files(site: Path) -> set[str]:
    """Every non-hidden file of the site on disk, following the per-language links."""
    found = set()
    for dirpath, _dirs, files in os.walk(site, followlinks=True):
        for name in files:
            rel = Path(dirpath, name).relative_to(site).as_posix()
            if not any(part.startswith(".") for part in rel.split("/")):
                found.add(rel)
    return found


@pytest.fixture(scope="module")
def bundle(built: Path) -> Path:
    return export_zip(catalog=load_catalog(built), pack_id=DEMO, site_dir=_site(built))


@pytest.mark.slow
def test_zip_holds_notebooks_data_and_pages(built: Path, bundle: Path) -> None:
    """Does the zip hold the pack's notebooks, data and pages, and nothing private or foreign?"""
    assert bundle == built / "book" / "_build" / "exports" / f"{DEMO}.zip"
    names = set(zipfile.ZipFile(bundle).namelist())
    for name in (
        "README.html",
        "notebooks/01-start.ipynb",
        "notebooks/pack.yml",
        "notebooks/data/cities.csv",
        f"html/en/packs/{DEMO}/index.html",
        f"html/en/packs/{DEMO}/01-start.html",
    ):
        assert name in names
    assert not [n for n in names if re.search(r"(^|/)(\.|__pycache__)", n)]
    assert "notebooks/linked.txt" not in names
    assert not [n for n in names if f"/packs/{OTHER}/" in n]
    downloads = _site(built) / "en" / "downloads"
    with zipfile.ZipFile(bundle) as zf:
        # the notebook as readers download it (exercise code hidden), with the wheel beside it
        assert (
            zf.read("notebooks/01-start.ipynb")
            == (downloads / DEMO / "01-start.ipynb").read_bytes()
        )
        wheel = next(downloads.glob("learnpacks-*.whl"))
        assert zf.read(f"notebooks/{wheel.name}") == wheel.read_bytes()


@pytest.mark.slow
def test_zip_has_every_stylesheet_script_and_image_of_its_pages(bundle: Path) -> None:
    """Is every local file a bundled page loads through link/script/img also in the zip?"""
    with zipfile.ZipFile(bundle) as zf:
        names = set(zf.namelist())
        pages = [n for n in names if re.match(r"html/[^/]+/packs/.*\.html$", n)]
        checked = 0
        for page in pages:
            text = zf.read(page).decode("utf-8")
            tags = re.findall(
                r'<(?:link[^>]*rel="(?:stylesheet|preload)"[^>]*href|script[^>]*src|img[^>]*src)="([^"]+)"',
                text,
            )
            for url in tags:
                assert not url.startswith(("http:", "https:", "//")), (page, url)
                if url.startswith("data:"):
                    continue
                target = os.path.normpath(os.path.join(os.path.dirname(page), url.split("?")[0]))
                assert target in names, (page, url)
                checked += 1
    assert checked > 20


@pytest.mark.slow
def test_zip_members_cannot_escape_or_link(bundle: Path) -> None:
    """Are all members plain files with relative paths, no `..`, no links?"""
    with zipfile.ZipFile(bundle) as zf:
        for info in zf.infolist():
            name = info.filename
            assert not name.startswith("/") and "\\" not in name
            assert ".." not in PurePosixPath(name).parts
            assert not info.is_dir()
            mode = info.external_attr >> 16
            assert stat.S_ISREG(mode), name


@pytest.mark.slow
def test_same_site_gives_same_zip_bytes(built: Path, bundle: Path, tmp_path: Path) -> None:
    """Does exporting again, after the files' times changed, give byte-identical zips?"""
    for path in (built / "packs" / DEMO).rglob("*.ipynb"):
        os.utime(path, (1_000_000_000, 1_000_000_000))
    again = export_zip(
        catalog=load_catalog(built), pack_id=DEMO, site_dir=_site(built), out=tmp_path
    )
    assert again == tmp_path / f"{DEMO}.zip"
    assert again.read_bytes() == bundle.read_bytes()


@pytest.mark.slow
def test_bundle_offers_no_search_it_cannot_run(built: Path, bundle: Path) -> None:
    """Do the bundle's pages offer no search button or dialog (the search page and its index
    cannot be read from disk), while the site's own pages do?"""
    with zipfile.ZipFile(bundle) as zf:
        pages = [n for n in zf.namelist() if n.startswith("html/") and n.endswith(".html")]
        texts = [zf.read(n).decode("utf-8") for n in pages]
    assert pages
    for name, text in zip(pages, texts, strict=True):
        assert "search-button__button" not in text and "pst-search-dialog" not in text, name
    site_page = (_site(built) / "en" / "packs" / DEMO / "01-start.html").read_text()
    assert "search-button__button" in site_page


@pytest.mark.slow
def test_links_leaving_the_bundle_are_disabled(bundle: Path) -> None:
    """Do links to other packs lose their href, and does the home link lead to README.html?"""
    with zipfile.ZipFile(bundle) as zf:
        page = zf.read(f"html/en/packs/{DEMO}/01-start.html").decode("utf-8")
    assert f'href="../{OTHER}/' not in page
    assert 'href="../../index.html"' not in page
    assert 'href="../../../../README.html"' in page
    assert 'aria-disabled="true"' in page
    assert 'href="index.html"' in page  # links inside the pack are kept


@pytest.mark.slow
def test_readme_links_resolve(bundle: Path) -> None:
    """Does every link in README.html name a file that is in the zip?"""
    with zipfile.ZipFile(bundle) as zf:
        readme = zf.read("README.html").decode("utf-8")
        names = set(zf.namelist())
    hrefs = re.findall(r'href="([^"]+)"', readme)
    assert f"html/en/packs/{DEMO}/index.html" in hrefs
    assert f"html/en/packs/{DEMO}/01-start.html" in hrefs
    assert all(h in names for h in hrefs)
    assert "notebooks/01-start.ipynb" in readme


@pytest.mark.slow
def test_page_loading_from_another_host_is_reported(built: Path, tmp_path: Path) -> None:
    """Is a page that loads a script from a CDN reported as an `export.external-asset` warning?"""
    site = tmp_path / "site"
    shutil.copytree(_site(built), site, symlinks=False)
    page = site / "en" / "packs" / DEMO / "01-start.html"
    cdn = "https://cdn.jsdelivr.net/npm/@jupyter-widgets/html-manager@^1.0.1/dist/embed-amd.js"
    text = page.read_text(encoding="utf-8")
    page.write_text(text.replace("</head>", f'<script src="{cdn}"></script></head>'), "utf-8")
    plan = plan_bundle(catalog=load_catalog(built), pack_id=DEMO, site_dir=site)
    external = [p for p in plan.problems if p.code == "export.external-asset"]
    assert len(external) == 1
    assert cdn in external[0].message and external[0].severity == "warning"
    assert external[0].path == f"en/packs/{DEMO}/01-start.html"


@pytest.mark.slow
def test_references_out_of_the_site_are_never_bundled(built: Path, tmp_path: Path) -> None:
    """Do `../` paths that climb out of the site, in a page, stay out of the zip?"""
    site = tmp_path / "site"
    shutil.copytree(_site(built), site, symlinks=False)
    (tmp_path / "secret.txt").write_text("outside the site", encoding="utf-8")
    page = site / "en" / "packs" / DEMO / "01-start.html"
    climbing = (
        '<img src="../../../../secret.txt" alt="x"><a href="../../../../secret.txt">x</a>'
        '<img src="../../../../../../../../etc/hostname" alt="y">'
    )
    text = page.read_text(encoding="utf-8")
    page.write_text(text.replace("</body>", climbing + "</body>"), encoding="utf-8")
    plan = plan_bundle(catalog=load_catalog(built), pack_id=DEMO, site_dir=site)
    assert not [name for name in plan.members if "secret" in name or "hostname" in name]
    assert not [p for p in plan.problems if "secret" in p.message]


@pytest.mark.slow
def test_every_built_language_is_bundled_source_first(built: Path, tmp_path: Path) -> None:
    """With the pack built in two languages, does the zip hold both, the source language first?"""
    site = tmp_path / "site"
    shutil.copytree(_site(built), site, symlinks=False)
    shutil.copytree(site / "en", site / "ar")
    catalog = load_catalog(built)
    plan = plan_bundle(catalog=catalog, pack_id=DEMO, site_dir=site)
    assert plan.languages == ["en", "ar"]
    assert f"html/ar/packs/{DEMO}/01-start.html" in plan.members
    readme = plan.members["README.html"]
    assert isinstance(readme, bytes)
    assert "العربية".encode() in readme
    assert readme.index(b"html/en/packs/") < readme.index(b"html/ar/packs/")
    only = plan_bundle(catalog=catalog, pack_id=DEMO, site_dir=site, languages=["ar"])
    assert not [name for name in only.members if name.startswith("html/en/")]


@pytest.mark.slow
def test_language_or_pack_not_built_is_a_usage_error(built: Path) -> None:
    """Does asking for a language or a pack the site lacks fail with a clear usage error?"""
    catalog = load_catalog(built)
    with pytest.raises(UsageError, match="not built in fr"):
        plan_bundle(catalog=catalog, pack_id=DEMO, site_dir=_site(built), languages=["fr"])
    with pytest.raises(UsageError, match="build it first"):
        plan_bundle(catalog=catalog, pack_id="welcome-to-wikimedia", site_dir=_site(built))


#: The address of every font declared with ``@font-face`` by the styles the page's scripts add
#: (the widget manager's, MathJax's). From file:// a page cannot read its linked stylesheets' rules.
_FONT_URLS = r"""() => [...document.styleSheets].filter((sheet) => !sheet.href)
  .flatMap((sheet) => [...sheet.cssRules]
  .filter((rule) => rule instanceof CSSFontFaceRule)
  .flatMap((rule) => [...rule.style.getPropertyValue("src").matchAll(/url\("?([^")]+)/g)])
  .map((match) => new URL(match[1], document.baseURI).href))"""


def _css_var(page, name: str) -> str:
    script = f"getComputedStyle(document.documentElement).getPropertyValue('{name}')"
    return str(page.evaluate(script)).strip()


@pytest.mark.slow
@pytest.mark.browser
def test_bundle_pages_render_from_disk(bundle: Path, tmp_path: Path, chromium) -> None:
    """Opened from file:// after unzipping, do the pack's pages load their CSS with no failed request,
    and is every font their scripts declare in the bundle?"""
    with zipfile.ZipFile(bundle) as zf:
        zf.extractall(tmp_path)
    css = (tmp_path / "html" / "en" / "_static" / "learnpacks.css").read_text(encoding="utf-8")
    declared = re.search(r"--lp-accent:\s*([^;}\s]+)", css)
    assert declared, "learnpacks.css no longer declares --lp-accent: pick another of its rules"
    accent = declared.group(1)
    context = chromium.new_context()
    try:
        for name in ("index.html", "01-start.html"):
            page = context.new_page()
            failed: list[str] = []
            requested: list[str] = []
            page.on("requestfailed", lambda r, failed=failed: failed.append(r.url))
            page.on("request", lambda r, requested=requested: requested.append(r.url))
            url = (tmp_path / "html" / "en" / "packs" / DEMO / name).as_uri()
            page.goto(url)
            page.wait_for_load_state("networkidle")
            assert failed == []
            # a font is fetched only when a glyph needs it: every declared one must be in the bundle
            fonts = page.evaluate(_FONT_URLS)
            assert fonts and all(u.startswith("file://") for u in fonts), fonts
            assert [u for u in fonts if not Path(url2pathname(urlparse(u).path)).is_file()] == []
            # both the theme's stylesheet and the site's own are applied
            assert _css_var(page, "--pst-color-primary")
            assert _css_var(page, "--lp-accent") == accent
            # blob:null/ URLs are anywidget's imports of each exercise's front-end, made in the page
            assert [r for r in requested if not r.startswith(("file://", "blob:null/"))] == []
            assert len(requested) > 10
            page.close()
        readme = context.new_page()
        readme.goto((tmp_path / "README.html").as_uri())
        readme.get_by_role("link").first.click()
        readme.wait_for_load_state()
        assert readme.url.endswith(f"/html/en/packs/{DEMO}/index.html")
    finally:
        context.close()


def _only_files_under(page, folder: Path, blocked: list[str]) -> None:
    """Abort every request for anything but a file under *folder* (data: and blob: pass, being made
    in the page); record what was aborted."""
    inside = folder.as_uri() + "/"

    def route(route) -> None:
        url = route.request.url
        if url.startswith((inside, "data:", "blob:")):
            route.continue_()
        else:
            blocked.append(url)
            route.abort()

    page.route("**/*", route)


@pytest.mark.slow
@pytest.mark.browser
def test_bundle_exercise_works_from_disk(bundle: Path, tmp_path: Path, chromium) -> None:
    """Unzipped and opened from file://, with nothing outside the folder reachable, does the demo
    pack's exercise answer a wrong choice, then a right one?"""
    with zipfile.ZipFile(bundle) as zf:
        zf.extractall(tmp_path)
    context = chromium.new_context()
    try:
        page = context.new_page()
        blocked: list[str] = []
        _only_files_under(page, tmp_path, blocked)
        page.goto((tmp_path / "html" / "en" / "packs" / DEMO / "01-start.html").as_uri())
        assert page.url.startswith("file://")
        answer_starter_choice(page)
        feedback = page.locator(".lp-feedback").first
        assert "Wikisource hosts" not in feedback.inner_text()
        assert blocked == []
        # the blocking is live: a request to another host is seen and refused
        refused = "() => fetch('https://example.org/').then(() => 'fetched', () => 'refused')"
        assert page.evaluate(refused) == "refused"
        assert blocked == ["https://example.org/"]
    finally:
        context.close()


@dataclass(frozen=True)
class ZimRun:
    """`learnpacks export zim --json` run once: its exit status, what it printed (Python's
    standard output), what reached file descriptor 1 from elsewhere (libzim's progress must not)
    and the ZIM it wrote."""

    code: int
    printed: str
    fd1: bytes
    zim: Path


@pytest.fixture(scope="module")
def zim_cli(built: Path, tmp_path_factory: pytest.TempPathFactory) -> ZimRun:
    out = tmp_path_factory.mktemp("zim") / "site.zim"
    raw = out.with_suffix(".fd1")
    printed = io.StringIO()
    sys.stdout.flush()
    saved = os.dup(1)
    try:
        with open(raw, "wb") as fd1:
            os.dup2(fd1.fileno(), 1)
        with contextlib.redirect_stdout(printed):
            code = main(["--root", str(built), "export", "zim", "--out", str(out), "--json"])
    finally:
        os.dup2(saved, 1)
        os.close(saved)
    return ZimRun(code, printed.getvalue(), raw.read_bytes(), out)


@pytest.fixture(scope="module")
def zim(zim_cli: ZimRun) -> Path:
    assert zim_cli.code == 0, zim_cli
    return zim_cli.zim


@pytest.mark.slow
def test_zim_holds_every_file_and_page_of_the_site(built: Path, zim: Path) -> None:
    """Does the ZIM open with libzim's reader and hold every file, with each HTML page as an article?"""
    from libzim.reader import Archive

    archive = Archive(zim)
    site = _site(built)
    on_disk = _disk_files(site)
    html_pages = {f for f in on_disk if f.endswith(".html")}
    assert f"en/packs/{DEMO}/01-start.html" in html_pages and "index.html" in html_pages
    for rel in sorted(on_disk):
        assert archive.has_entry_by_path(rel), rel
        item = archive.get_entry_by_path(rel).get_item()
        assert bytes(item.content) == (site / rel).read_bytes(), rel
        if rel.endswith(".html"):
            assert item.mimetype == "text/html"
    pages = {f for f in html_pages if b"data-pagefind-body" in (site / f).read_bytes()}
    assert f"en/packs/{DEMO}/index.html" in pages and "en/index.html" in pages
    # only the site's pages: not the theme's template files in _static/, nor the search page
    assert archive.article_count == len(pages)
    assert "en/genindex.html" not in on_disk  # no empty "Index" page
    assert archive.get_entry_by_path("en/_static/learnpacks.css").get_item().mimetype == "text/css"
    title = archive.get_entry_by_path(f"en/packs/{DEMO}/index.html").title
    assert title.startswith("Demo pack")


@pytest.mark.slow
def test_zim_main_entry_metadata_and_search(built: Path, zim: Path) -> None:
    """Does the main entry resolve to the site's root page, the metadata hold, and search find a word?"""
    from libzim.reader import Archive
    from libzim.search import Query, Searcher

    archive = Archive(zim)
    main_entry = archive.main_entry
    if main_entry.is_redirect:
        main_entry = main_entry.get_redirect_entry()
    assert main_entry.path == "index.html"
    assert bytes(main_entry.get_item().content) == (_site(built) / "index.html").read_bytes()
    assert archive.get_metadata("Language") == b"eng"
    assert archive.get_metadata("Title") == b"Wikimedia learning packs"
    for key in ("Name", "Creator", "Publisher", "Date", "Description"):
        assert archive.get_metadata(key)
    png = bytes(archive.get_illustration_item(48).content)
    assert png.startswith(b"\x89PNG") and struct.unpack(">II", png[16:24]) == (48, 48)
    assert archive.has_fulltext_index
    search = Searcher(archive).search(Query().set_query(MARKER))
    results = list(search.getResults(0, 10))
    assert f"en/packs/{DEMO}/01-start.html" in results


def test_zim_language_is_iso_639_3() -> None:
    """Are site languages given to the ZIM as ISO 639-3 codes, and an unknown one refused clearly?"""
    assert zim_language(["en"]) == "eng"
    assert zim_language(["en", "fr", "es", "ar", "pt-BR"]) == "eng,fra,spa,ara,por"
    with pytest.raises(UsageError, match="ISO 639-3"):
        zim_language(["xx"])


def test_illustration_is_a_valid_png() -> None:
    """Is the generated illustration a well-formed 48x48 RGB PNG (signature, IHDR, CRCs)?"""
    import zlib

    png = solid_png(48)
    assert png[:8] == b"\x89PNG\r\n\x1a\n"
    pos, kinds = 8, []
    while pos < len(png):
        (length,) = struct.unpack(">I", png[pos : pos + 4])
        kind, data = png[pos + 4 : pos + 8], png[pos + 8 : pos + 8 + length]
        (crc,) = struct.unpack(">I", png[pos + 8 + length : pos + 12 + length])
        assert crc == zlib.crc32(kind + data)
        kinds.append(kind)
        if kind == b"IHDR":
            assert struct.unpack(">IIBB", data[:10]) == (48, 48, 8, 2)
        if kind == b"IDAT":
            assert len(zlib.decompress(data)) == 48 * (1 + 48 * 3)
        pos += 12 + length
    assert kinds == [b"IHDR", b"IDAT", b"IEND"]


@pytest.mark.slow
def test_cli_exports_zip_and_zim(built: Path, tmp_path: Path, capfd, zim_cli: ZimRun) -> None:
    """Do `learnpacks export zip` and `export zim --json` write their files and print clean output
    (the ZIM the other tests read is the one this command wrote)?"""
    assert main(["--root", str(built), "export", "zip", DEMO, "--out", str(tmp_path)]) == 0
    assert (tmp_path / f"{DEMO}.zip").is_file()
    assert f"wrote {tmp_path / f'{DEMO}.zip'}" in capfd.readouterr().out
    assert zim_cli.code == 0
    assert zim_cli.fd1 == b""  # libzim's progress must not reach standard output
    assert json.loads(zim_cli.printed) == {"path": str(zim_cli.zim), "languages": ["en"]}
    assert zim_cli.zim.is_file()


def test_cli_without_a_built_site_says_to_build(project: Path, capsys) -> None:
    """Without a built site, do both exports exit 2 and say to run `learnpacks book build`?"""
    for argv in (["export", "zip", "welcome-to-wikimedia"], ["export", "zim"]):
        assert main(["--root", str(project), *argv]) == 2
        assert "build the site first: learnpacks book build" in capsys.readouterr().err


@pytest.fixture(scope="module")
def kiwix(zim: Path) -> Iterator[str]:
    """Debian's kiwix-serve serving the ZIM on 127.0.0.1; yields the address of its content."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = subprocess.Popen(
        ["kiwix-serve", "--address", "127.0.0.1", "--port", str(port), str(zim)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}/"
    try:
        for _ in range(300):  # until it listens: a readiness wait, not a measured time
            try:
                urlopen(base, timeout=1).close()
                break
            except OSError:
                if server.poll() is not None:
                    raise RuntimeError("kiwix-serve exited") from None
                time.sleep(0.1)
        yield f"{base}{zim.stem}/"
    finally:
        server.terminate()
        server.wait()


def _kiwix_search(kiwix: str, words: str) -> list[str]:
    """The addresses kiwix-serve's full-text search links to for *words*."""
    root = kiwix.rsplit("/", 2)[0]
    book = kiwix.rstrip("/").rsplit("/", 1)[1]
    page = urlopen(f"{root}/search?content={book}&pattern={quote(words)}").read().decode()
    return [
        h
        for h in re.findall(r'href="([^"]+)"', page)
        if h.startswith(f"/{book}/") and h.endswith(".html")
    ]


@pytest.mark.slow
def test_kiwix_search_results_open_real_pages(kiwix: str) -> None:
    """In kiwix-serve, do the ZIM's search results for a pack lead to its pages (its overview
    and notebook), each opening, and never to a template file of the theme?"""
    root = kiwix.rsplit("/", 2)[0]
    results = _kiwix_search(kiwix, "Demo pack")
    paths = [r.split("/", 2)[2] for r in results]
    assert f"en/packs/{DEMO}/index.html" in paths, paths
    assert all(p.endswith(".html") and "_static" not in p for p in paths), paths
    for result in results:
        with urlopen(root + result) as response:
            assert response.status == 200
            assert b"data-pagefind-body" in response.read(), result
    assert [r.split("/", 2)[2] for r in _kiwix_search(kiwix, MARKER)] == [
        f"en/packs/{DEMO}/01-start.html"
    ]


@pytest.mark.slow
@pytest.mark.browser
def test_kiwix_site_search_opens_the_pack_overview(kiwix: str, chromium) -> None:
    """Inside kiwix-serve, does the site's own search find the pack and open its overview (a
    real page, not a folder address that Kiwix cannot serve), and does the site's header stay
    clear of Kiwix's toolbar once the reader scrolls?"""
    context = chromium.new_context(viewport={"width": 1280, "height": 700})
    try:
        page = context.new_page()
        page.goto(kiwix + "en/index.html")
        page.locator("#lp-search input").fill("Demo")
        link = page.locator(".pagefind-ui__result-link", has_text="Demo pack").first
        link.wait_for()
        assert link.get_attribute("href").endswith(f"/en/packs/{DEMO}/index.html")
        link.click()
        page.wait_for_url(re.compile(rf"/en/packs/{DEMO}/index\.html$"))
        assert "Demo pack" in page.locator("h1").first.inner_text()
        page.goto(kiwix + f"en/packs/{DEMO}/01-start.html")
        page.wait_for_load_state("networkidle")
        page.mouse.wheel(0, 1500)
        page.wait_for_function("() => window.scrollY > 500")
        hidden = page.evaluate(
            """() => {
                const bar = document.getElementById('kiwixtoolbar').getBoundingClientRect();
                const points = [0.1, 0.5, 0.9].map(f => [bar.left + f * bar.width, bar.top + bar.height / 2]);
                return points.filter(([x, y]) => !document.getElementById('kiwixtoolbar')
                    .contains(document.elementFromPoint(x, y))).length;
            }"""
        )
        assert hidden == 0, "the site's header covers Kiwix's toolbar"
        header = page.locator(".bd-header-article").bounding_box()
        bar = page.locator("#kiwixtoolbar").bounding_box()
        assert header["y"] >= bar["y"] + bar["height"] - 1, (header, bar)
    finally:
        context.close()


@pytest.mark.slow
def test_search_index_keeps_nothing_from_an_earlier_build(built: Path) -> None:
    """Does indexing the site again leave no file of an earlier index behind (offline copies
    pack the whole folder)?"""
    from learnpacks.book.search import index_site

    site = _site(built)
    stale = site / "pagefind" / "fragment" / "en_stale0000.pf_fragment"
    stale.write_bytes(b"from an earlier build")
    index_site(site)
    assert not stale.exists()
    pages = [p for p in site.rglob("*.html") if b"data-pagefind-body" in p.read_bytes()]
    assert len(list((site / "pagefind" / "fragment").iterdir())) == len(pages)  # one a page

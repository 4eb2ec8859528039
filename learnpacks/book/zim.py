"""``learnpacks export zim``: the whole built site as one ZIM file that Kiwix opens offline.

Every file of the site goes in at its site-relative path (``index.html``, ``en/packs/<id>/...``), so
the pages' relative links work unchanged inside Kiwix. The site's pages (not the theme's template
files nor the search page) are front articles, carry their ``<title>`` and are in the archive's
Xapian full-text index; the archive has the openZIM metadata Kiwix shows in its library
(https://wiki.openzim.org/wiki/Metadata).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import mimetypes
import os
import re
import struct
import sys
import zlib
from collections.abc import Iterator
from pathlib import Path, PurePosixPath

from learnpacks.book.export import built_languages, html_title, site_files
from learnpacks.errors import UsageError

#: openZIM limits shown by Kiwix and checked by zimcheck.
TITLE_MAX = 30
DESCRIPTION_MAX = 80
LONG_DESCRIPTION_MAX = 4000

#: BCP 47 primary language subtag -> ISO 639-3 code (the ZIM ``Language`` metadata).
ISO639_3 = {
    "af": "afr", "am": "amh", "ar": "ara", "as": "asm", "az": "aze", "be": "bel", "bg": "bul",
    "bn": "ben", "bs": "bos", "ca": "cat", "cs": "ces", "cy": "cym", "da": "dan", "de": "deu",
    "el": "ell", "en": "eng", "eo": "epo", "es": "spa", "et": "est", "eu": "eus", "fa": "fas",
    "ff": "ful", "fi": "fin", "fr": "fra", "ga": "gle", "gl": "glg", "gu": "guj", "ha": "hau",
    "he": "heb", "hi": "hin", "hr": "hrv", "hu": "hun", "hy": "hye", "id": "ind", "ig": "ibo",
    "is": "isl", "it": "ita", "ja": "jpn", "jv": "jav", "ka": "kat", "kk": "kaz", "km": "khm",
    "kn": "kan", "ko": "kor", "ku": "kur", "ky": "kir", "lg": "lug", "ln": "lin", "lo": "lao",
    "lt": "lit", "lv": "lav", "mg": "mlg", "mk": "mkd", "ml": "mal", "mn": "mon", "mr": "mar",
    "ms": "msa", "mt": "mlt", "my": "mya", "nb": "nob", "ne": "nep", "nl": "nld", "nn": "nno",
    "no": "nor", "om": "orm", "or": "ori", "pa": "pan", "pl": "pol", "ps": "pus", "pt": "por",
    "qu": "que", "ro": "ron", "ru": "rus", "rw": "kin", "sd": "snd", "si": "sin", "sk": "slk",
    "sl": "slv", "so": "som", "sq": "sqi", "sr": "srp", "sv": "swe", "sw": "swa", "ta": "tam",
    "te": "tel", "tg": "tgk", "th": "tha", "ti": "tir", "tl": "tgl", "tr": "tur", "tt": "tat",
    "ug": "uig", "uk": "ukr", "ur": "urd", "uz": "uzb", "vi": "vie", "wo": "wol", "xh": "xho",
    "yo": "yor", "zh": "zho", "zu": "zul",
}  # fmt: skip

#: Types ``mimetypes`` gets wrong or does not know on every platform.
_MIMETYPES = {
    ".html": "text/html",
    ".htm": "text/html",
    ".css": "text/css",
    ".js": "application/javascript",
    ".mjs": "application/javascript",
    ".json": "application/json",
    ".map": "application/json",
    ".ipynb": "application/x-ipynb+json",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".gif": "image/gif",
    ".webp": "image/webp",
    ".ico": "image/vnd.microsoft.icon",
    ".woff": "font/woff",
    ".woff2": "font/woff2",
    ".ttf": "font/ttf",
    ".otf": "font/otf",
    ".eot": "application/vnd.ms-fontobject",
    ".md": "text/markdown",
    ".txt": "text/plain",
    ".csv": "text/csv",
    ".yml": "text/yaml",
    ".yaml": "text/yaml",
    ".xml": "application/xml",
    ".pdf": "application/pdf",
    ".wasm": "application/wasm",
    ".pf_meta": "application/octet-stream",
    ".pf_fragment": "application/octet-stream",
    ".pf_index": "application/octet-stream",
    ".pagefind": "application/octet-stream",
    ".vtt": "text/vtt",
    ".mp4": "video/mp4",
    ".webm": "video/webm",
    ".mp3": "audio/mpeg",
    ".ogg": "audio/ogg",
}
#: Already-compressed formats: compressing them again costs time and saves nothing.
_COMPRESSED = (
    "image/png",
    "image/jpeg",
    "image/gif",
    "image/webp",
    "font/woff",
    "font/woff2",
    "application/zip",
    "video/mp4",
    "video/webm",
    "audio/mpeg",
    "audio/ogg",
)


def mimetype(path: PurePosixPath) -> str:
    """The mimetype a ZIM reader serves *path* with."""
    suffix = path.suffix.lower()
    if suffix in _MIMETYPES:
        return _MIMETYPES[suffix]
    guessed, _ = mimetypes.guess_type(path.name)
    return guessed or "application/octet-stream"


def iso639_3(language: str) -> str:
    """The ISO 639-3 code of a BCP 47 *language* (``pt-BR`` -> ``por``); three letters pass through.

    Raises :class:`UsageError` for a language not in :data:`ISO639_3`.
    """
    primary = language.split("-")[0].lower()
    if len(primary) == 3:
        return primary
    if primary not in ISO639_3:
        raise UsageError(
            f"no ISO 639-3 code known for language {language!r}: add it to learnpacks.book.zim.ISO639_3",
            code="export.zim-language",
        )
    return ISO639_3[primary]


def zim_language(languages: list[str]) -> str:
    """The ZIM ``Language`` value: ISO 639-3 codes, most important first, comma-separated."""
    return ",".join(dict.fromkeys(iso639_3(lang) for lang in languages))


def solid_png(size: int = 48, rgb: tuple[int, int, int] = (0x33, 0x66, 0xCC)) -> bytes:
    """A *size* x *size* PNG of one colour, written with the standard library only."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", size, size, 8, 2, 0, 0, 0)  # 8-bit RGB, no interlace
    rows = b"".join(b"\x00" + bytes(rgb) * size for _ in range(size))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows, 9))
        + chunk(b"IEND", b"")
    )


def _shorten(text: str, limit: int) -> str:
    text = " ".join(text.split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0] if " " in text[: limit - 1] else text[: limit - 1]
    return cut.rstrip(" ,;:.") + "…"


@contextlib.contextmanager
def _quiet_stdout() -> Iterator[None]:
    """Silence the progress lines libzim's C++ writer prints on the process's stdout.

    They would corrupt ``--json`` output; libzim reports failures as exceptions, not there.
    """
    sys.stdout.flush()
    saved = os.dup(1)
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 1)
        yield
    finally:
        os.dup2(saved, 1)
        os.close(saved)
        os.close(devnull)


def is_article(page: bytes) -> bool:
    """Whether an HTML file of the site is one of its pages (a catalog, a pack's overview, a
    notebook): those carry ``data-pagefind-body`` (:mod:`learnpacks.book.sphinx_ext`). The
    theme's template files in ``_static/``, the language chooser and the search page are files
    Kiwix serves, not articles its search and random-article button should offer."""
    return b"data-pagefind-body" in page


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-") or "learnpacks"


def export_zim(
    *,
    site_dir: Path,
    title: str,
    language: str,
    description: str,
    out: Path | None = None,
    name: str | None = None,
    creator: str = "learnpacks contributors",
    publisher: str = "learnpacks",
    date: dt.date | None = None,
    main_path: str = "index.html",
) -> Path:
    """Write every file of the built site at *site_dir* into a ZIM file and return its path.

    *language* is the ZIM ``Language`` metadata: ISO 639-3 codes, comma-separated when the site
    has several (see :func:`zim_language`); the first also chooses the full-text index's stemmer.
    *title* and *description* longer than openZIM allows (30 and 80 characters) are shortened, the
    full description kept as ``LongDescription``. *out* defaults to ``<site_dir>/../exports/<name>.zim``;
    *name* (the ZIM ``Name``) to ``<slug of title>_<lang>_all``. Raises :class:`UsageError` when
    the site is missing or has no *main_path* page.
    """
    from libzim.writer import (
        Creator,
        FileProvider,
        Hint,
        IndexData,
        Item,
    )

    class NotIndexed(IndexData):
        """What a file that is not a page gives the full-text index: nothing."""

        def has_indexdata(self) -> bool:
            return False

        def get_title(self) -> str:
            return ""

        def get_content(self) -> str:
            return ""

        def get_keywords(self) -> str:
            return ""

        def get_wordcount(self) -> int:
            return 0

        def get_geoposition(self) -> tuple[float, float] | None:
            return None

    if not (site_dir / main_path).is_file():
        raise UsageError(
            f"no built site at {site_dir} (no {main_path}): build the site first: learnpacks book build",
            code="export.no-site",
        )
    codes = [c.strip() for c in language.split(",") if c.strip()]
    if not codes or any(not re.fullmatch(r"[a-z]{3}", c) for c in codes):
        raise UsageError(
            f"ZIM language must be ISO 639-3 codes such as eng or eng,fra: {language!r}",
            code="export.zim-language",
        )
    name = name or f"{_slug(title)}_{codes[0] if len(codes) == 1 else 'mul'}_all"
    out = out or site_dir.parent / "exports" / f"{name}.zim"
    if out.is_dir():
        out = out / f"{name}.zim"
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(out.name + ".partial")
    partial.unlink(missing_ok=True)
    written = {out.resolve(), partial.resolve()}
    files = [rel for rel in site_files(site_dir) if (site_dir / rel).resolve() not in written]

    class SiteItem(Item):
        def __init__(self, rel: PurePosixPath) -> None:
            super().__init__()
            self.rel = rel
            self.file = site_dir / rel
            self.mime = mimetype(rel)
            self.article = self.mime == "text/html" and is_article(self.file.read_bytes())

        def get_path(self) -> str:
            return str(self.rel)

        def get_title(self) -> str:
            return html_title(self.file.read_bytes()) if self.mime == "text/html" else ""

        def get_mimetype(self) -> str:
            return self.mime

        def get_contentprovider(self) -> FileProvider:
            return FileProvider(str(self.file))

        def get_hints(self) -> dict[Hint, int]:
            return {
                Hint.FRONT_ARTICLE: self.article,
                Hint.COMPRESS: self.mime not in _COMPRESSED,
            }

    class NotAnArticle(SiteItem):
        """An HTML file that is not a page: served, but neither an article nor indexed (libzim
        indexes every HTML item unless it says it has no index data)."""

        def get_indexdata(self) -> IndexData:
            return NotIndexed()

    long_description = " ".join(description.split())
    creator_ = Creator(partial).config_indexing(True, codes[0]).config_verbose(False)
    with _quiet_stdout(), creator_.set_mainpath(main_path) as zim:
        zim.add_illustration(48, solid_png(48))
        metadata = {
            "Name": name,
            "Title": _shorten(title, TITLE_MAX),
            "Language": ",".join(codes),
            "Creator": creator,
            "Publisher": publisher,
            "Date": (date or dt.date.today()).isoformat(),
            "Description": _shorten(description, DESCRIPTION_MAX),
            "Tags": "_category:other;learning;jupyter",
            "Scraper": "learnpacks",
        }
        if len(long_description) > DESCRIPTION_MAX:
            metadata["LongDescription"] = _shorten(long_description, LONG_DESCRIPTION_MAX)
        for key, value in metadata.items():
            zim.add_metadata(key, value)
        for rel in files:
            item = SiteItem(rel)
            zim.add_item(item if item.article or item.mime != "text/html" else NotAnArticle(rel))
    partial.replace(out)
    return out


def site_zim_language(site_dir: Path) -> str:
    """The ZIM ``Language`` of a built site: its built languages as ISO 639-3 codes."""
    languages = built_languages(site_dir)
    if not languages:
        raise UsageError(
            f"no built language in {site_dir}: build the site first: learnpacks book build",
            code="export.no-site",
        )
    return zim_language(languages)

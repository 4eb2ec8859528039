"""Media for multi-format packs: a video with captions and a transcript, an image with alt text.

Sources are ``https:``/``http:`` addresses; local image and caption files, which are embedded
as ``data:`` URLs so they show the same in JupyterLab and in the static book; or relative
addresses of files published beside the page (an offline bundle's videos). Any other scheme
(``javascript:``, ``file:``), an absolute path or ``..`` is refused.
"""

from __future__ import annotations

import base64
import hashlib
import mimetypes
import urllib.parse
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from learnpacks.errors import WidgetError

from .base import LearnpacksWidget

COMMONS_UPLOAD = "https://upload.wikimedia.org/wikipedia/commons"
COMMONS_API = "https://commons.wikimedia.org/w/api.php"
MAX_EMBED_BYTES = 2 * 1024 * 1024
_SAFE_DATA = (
    "data:image/png",
    "data:image/jpeg",
    "data:image/gif",
    "data:image/webp",
    "data:image/svg+xml",
    "data:text/vtt",
)


def safe_source(
    src: str | Path, *, what: str, embed_kinds: Sequence[str] = ("image/", "text/vtt")
) -> str:
    """An address the page may load: http(s) as is, a small local file as a ``data:`` URL,
    any other relative address as is (a file published beside the page)."""
    text = str(src).strip()
    scheme = urllib.parse.urlsplit(text).scheme.lower()
    if scheme in ("http", "https"):
        return text
    if scheme == "data":
        if text.lower().startswith(_SAFE_DATA):
            return text
        raise WidgetError(
            f"{what}: only image and WebVTT data: URLs are allowed", code="media.unsafe-source"
        )
    if scheme and len(scheme) > 1:  # a one-letter "scheme" is a Windows drive
        raise WidgetError(
            f"{what}: {scheme}: addresses are not allowed, use https: or a file",
            code="media.unsafe-source",
        )
    path = Path(text)
    if not embed_kinds or not path.is_file():
        if text.startswith(("/", "\\")) or ".." in Path(text).parts or not text:
            raise WidgetError(
                f"{what}: {text!r} is neither a file nor a relative address",
                code="media.outside-pack",
            )
        return text  # a relative address, served beside the page
    mime = "text/vtt" if path.suffix.lower() == ".vtt" else mimetypes.guess_type(path.name)[0]
    if not mime or not mime.startswith(tuple(embed_kinds)):
        raise WidgetError(
            f"{what}: {path.name} is not an embeddable image or caption file",
            code="media.not-embeddable",
        )
    data = path.read_bytes()
    if len(data) > MAX_EMBED_BYTES:
        raise WidgetError(
            f"{what}: {path.name} is larger than {MAX_EMBED_BYTES} bytes", code="media.too-large"
        )
    return f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"


def loaded_by_address(name: str | Path) -> bool:
    """Whether a pack file of this name is one a media widget loads by its relative address when
    the page is shown (video, audio, WebVTT captions), so whatever publishes the page must put it
    beside the page (:mod:`learnpacks.book.source`). Local images are embedded instead."""
    suffix = Path(name).suffix.lower()
    mime = mimetypes.guess_type(f"x{suffix}")[0] or ""
    return suffix in (".vtt", ".webm", ".ogv", ".oga", ".opus") or mime.startswith(
        ("video/", "audio/")
    )


@dataclass(frozen=True)
class Captions:
    """A WebVTT caption track: an address or a local ``.vtt`` file, its language and label."""

    src: str
    language: str
    label: str = ""


class Image(LearnpacksWidget):
    """An image with required alt text (and an optional visible caption)."""

    KIND = "image"

    def __init__(
        self, src: str | Path, *, alt: str, caption: str = "", width: int | None = None
    ) -> None:
        if not isinstance(alt, str) or not alt.strip():
            raise WidgetError(
                "Image needs alt text that says what the image shows "
                "(alt=_('...')); for a purely decorative image, say so in the caption instead",
                code="media.alt-missing",
            )
        super().__init__(
            content={
                "src": safe_source(src, what="Image"),
                "alt": alt,
                "caption": caption,
                "width": width,
            }
        )


class Video(LearnpacksWidget):
    """A video with caption tracks and a transcript (at least one of the two is required)."""

    KIND = "video"

    def __init__(
        self,
        src: str,
        *,
        title: str,
        captions: Sequence[Captions] = (),
        transcript: str = "",
        poster: str = "",
    ) -> None:
        if not captions and not transcript.strip():
            raise WidgetError(
                "Video needs captions=[Captions(...)] or a transcript=, or both",
                code="media.captions-missing",
            )
        if not title.strip():
            raise WidgetError(
                "Video needs a title= that names it for screen readers", code="media.title-missing"
            )
        video = safe_source(src, what="Video", embed_kinds=())
        tracks = [
            {
                "src": safe_source(c.src, what="Captions"),
                "lang": c.language,
                "label": c.label or c.language,
            }
            for c in captions
        ]
        super().__init__(
            content={
                "src": video,
                "title": title,
                "tracks": tracks,
                "transcript": transcript,
                "poster": safe_source(poster, what="Poster") if poster else "",
            }
        )

    @classmethod
    def from_commons(
        cls,
        file_name: str,
        *,
        title: str,
        caption_languages: Sequence[str] = (),
        transcript: str = "",
    ) -> Video:
        """A video stored on Wikimedia Commons, by file name (``"Editing Wikipedia.webm"``),
        with the Commons timed-text captions in ``caption_languages``."""
        name = file_name.removeprefix("File:").strip().replace(" ", "_")
        digest = hashlib.md5(name.encode("utf-8"), usedforsecurity=False).hexdigest()
        src = f"{COMMONS_UPLOAD}/{digest[0]}/{digest[:2]}/{urllib.parse.quote(name)}"
        captions = [
            Captions(
                COMMONS_API
                + "?"
                + urllib.parse.urlencode(
                    {
                        "action": "timedtext",
                        "title": f"File:{name}",
                        "lang": lang,
                        "trackformat": "vtt",
                        "origin": "*",
                    }
                ),
                lang,
            )
            for lang in caption_languages
        ]
        return cls(src, title=title, captions=captions, transcript=transcript)

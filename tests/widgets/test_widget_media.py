"""Media helpers: images need alt text, videos need captions or a transcript, safe sources."""

from __future__ import annotations

from pathlib import Path

import pytest

from learnpacks.widgets import Captions, Image, Video

PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360606060000000050001a5f645400000000049454e44ae426082"
)


@pytest.mark.parametrize("alt", ["", "   "])
def test_image_without_alt_text_is_refused(alt: str) -> None:
    """Is an image with empty alt text refused, with a message that says what to write?"""
    with pytest.raises(ValueError, match="alt text"):
        Image("https://upload.wikimedia.org/x.png", alt=alt)


def test_local_image_is_embedded(tmp_path: Path) -> None:
    """Is a local image embedded as a data: URL so it shows in JupyterLab and the book alike?"""
    (tmp_path / "edit.png").write_bytes(PNG)
    image = Image(tmp_path / "edit.png", alt="The Edit button", caption="Top of the page")
    assert image.content["src"].startswith("data:image/png;base64,")
    assert image.content["alt"] == "The Edit button"


@pytest.mark.parametrize(
    "src",
    [
        "javascript:alert(1)",
        "JaVaScRiPt:alert(1)",
        "file:///etc/passwd",
        "data:text/html,<script>",
        "vbscript:x",
        "/etc/passwd",
        "../secret.png",
    ],
)
def test_unsafe_sources_are_refused(src: str) -> None:
    """Are script, file, HTML data, absolute and parent-folder sources refused?"""
    with pytest.raises(ValueError):
        Image(src, alt="x")


def test_video_needs_captions_or_transcript_and_a_title() -> None:
    """Is a video without captions and transcript, or without a title, refused?"""
    with pytest.raises(ValueError, match="captions"):
        Video("https://upload.wikimedia.org/v.webm", title="Intro")
    with pytest.raises(ValueError, match="title"):
        Video("https://upload.wikimedia.org/v.webm", title=" ", transcript="Hello")
    video = Video(
        "media/intro.webm",
        title="Intro",
        transcript="Hello.",
        captions=[Captions("media/intro.en.vtt", "en", "English")],
    )
    assert video.content["tracks"] == [
        {"src": "media/intro.en.vtt", "lang": "en", "label": "English"}
    ]


def test_commons_video_addresses() -> None:
    """Does from_commons build the upload address and the timed-text caption addresses?"""
    video = Video.from_commons(
        "File:Editing Wikipedia.webm", title="Editing", caption_languages=["en", "ar"]
    )
    assert video.content["src"] == (
        "https://upload.wikimedia.org/wikipedia/commons/0/04/Editing_Wikipedia.webm"
    )
    tracks = video.content["tracks"]
    assert [t["lang"] for t in tracks] == ["en", "ar"]
    assert "action=timedtext" in tracks[0]["src"] and "trackformat=vtt" in tracks[0]["src"]

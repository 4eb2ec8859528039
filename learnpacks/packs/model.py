"""Typed models of ``packs/<id>/pack.yml`` and ``packs/_config.yml``.

Both are data, never code. Every field has a description (shown in
``docs/authors/pack-format.md`` and in error messages); unknown keys are errors
that list the valid ones, so a typo is never silently ignored.
"""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from learnpacks.errors import Problem
from learnpacks.packs.project import DEFAULT_MAX_MEDIA_MB, is_notebook_name

#: The pack-metadata schema this version of learnpacks reads and writes.
PACK_SCHEMA_VERSION = 1
CONFIG_SCHEMA_VERSION = 1

Level = Literal["beginner", "intermediate", "advanced"]
Format = Literal["text", "video", "audio", "images", "exercises", "code"]
Status = Literal["draft", "review", "published"]
MediaKind = Literal["video", "audio", "image"]

#: SPDX identifiers accepted for pack content. Learning material is prose and
#: media, so the list is the open content licences Wikimedia projects accept.
CONTENT_LICENSES = (
    "CC-BY-SA-4.0",
    "CC-BY-4.0",
    "CC0-1.0",
    "CC-BY-SA-3.0",
    "CC-BY-3.0",
    "GFDL-1.3-or-later",
    "MIT",
    "BSD-3-Clause",
    "Apache-2.0",
)

PACK_ID_RE = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?$")
# BCP 47, the subset we publish: language, optional script, optional region.
LANG_RE = re.compile(r"^[a-z]{2,3}(?:-[A-Z][a-z]{3})?(?:-(?:[A-Z]{2}|[0-9]{3}))?$")

PackId = Annotated[
    str, Field(pattern=PACK_ID_RE.pattern, description="lowercase letters, digits and dashes")
]
LangCode = Annotated[
    str, Field(pattern=LANG_RE.pattern, description="a BCP 47 code such as en, fr, pt-BR")
]
NonEmpty = Annotated[str, Field(min_length=1)]
#: what a value matching each pattern is, for error messages (a regex tells an author nothing)
PATTERN_HELP = {
    PACK_ID_RE.pattern: "a pack id: lowercase letters, digits and dashes",
    LANG_RE.pattern: "a BCP 47 language code such as en, fr, pt-BR, sr-Latn",
}


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True)


class Person(_Strict):
    name: NonEmpty = Field(description="the name to credit")
    username: str | None = Field(None, description="Wikimedia username, without 'User:'")
    url: str | None = Field(None, description="a web page about the person")


class Caption(_Strict):
    lang: LangCode = Field(description="language of the caption track")
    file: NonEmpty = Field(description="WebVTT file inside the pack folder")


class Media(_Strict):
    id: PackId = Field(description="short id used to embed the resource in a notebook")
    kind: MediaKind = Field(description="video, audio or image")
    title: NonEmpty = Field(description="what the resource shows")
    source: NonEmpty = Field(
        description="URL (e.g. on Wikimedia Commons) or a file inside the pack folder"
    )
    license: NonEmpty = Field(description="licence of the resource, SPDX or as stated on Commons")
    attribution: NonEmpty = Field(description="who made it, as the licence requires")
    alt: str | None = Field(None, description="text alternative, required for images")
    captions: list[Caption] = Field(default_factory=list, description="caption tracks (video)")
    transcript: str | None = Field(None, description="transcript file inside the pack folder")

    @model_validator(mode="after")
    def _accessible(self) -> Media:
        if self.kind in ("video", "audio") and not (self.captions or self.transcript):
            raise ValueError(
                f"a {self.kind} needs captions or a transcript so everyone can follow it"
            )
        if self.kind == "image" and not (self.alt or "").strip():
            raise ValueError("an image needs alt text")
        return self


class PackMeta(_Strict):
    """The contents of ``pack.yml``."""

    schema_version: int = Field(PACK_SCHEMA_VERSION, description="version of this format")
    id: PackId = Field(description="the pack's id; equals its folder name")
    title: NonEmpty = Field(description="title shown in the catalog")
    summary: NonEmpty = Field(description="one or two sentences for the catalog card")
    language: LangCode = Field(description="the language the pack is written in")
    level: Level = Field(description="beginner, intermediate or advanced")
    duration: int = Field(gt=0, le=6000, description="time to complete, in minutes")
    topics: list[NonEmpty] = Field(min_length=1, description="subjects, used as catalog filters")
    audience: list[NonEmpty] = Field(min_length=1, description="who the pack is for")
    formats: list[Format] = Field(min_length=1, description="kinds of material the pack contains")
    objectives: list[NonEmpty] = Field(min_length=1, description="what a learner can do afterwards")
    prerequisites: list[PackId] = Field(
        default_factory=list, description="ids of packs to take first"
    )
    license: str = Field("CC-BY-SA-4.0", description="SPDX licence identifier of the content")
    authors: list[Person] = Field(min_length=1, description="who wrote the pack")
    maintainers: list[Person] = Field(default_factory=list, description="who looks after it now")
    status: Status = Field(
        "draft",
        description="review state: draft (being written), review (ready for a reviewer) or "
        "published (approved: on the site); only published packs are on the site",
    )
    translation_status: dict[LangCode, Status] = Field(
        default_factory=dict,
        description="review state of a translation, by language: draft or review keeps it off "
        "the site; a language not listed, or published, is on the site once its translation "
        "reaches thresholds.publish_translation",
    )
    notebooks: list[NonEmpty] = Field(min_length=1, description="notebook files, in reading order")
    media: list[Media] = Field(default_factory=list, description="video, audio and image resources")

    @property
    def is_published(self) -> bool:
        """Whether the site publishes the pack (its status says ``published``)."""
        return self.status == "published"

    def translation_state(self, language: str) -> Status:
        """The review state of the pack's *language* translation (``published`` when not listed)."""
        return self.translation_status.get(language, "published")

    @field_validator("license")
    @classmethod
    def _spdx(cls, value: str) -> str:
        if value not in CONTENT_LICENSES:
            raise ValueError(
                f"{value!r} is not an accepted licence; valid: {', '.join(CONTENT_LICENSES)}"
            )
        return value

    @field_validator("notebooks")
    @classmethod
    def _ipynb(cls, value: list[str]) -> list[str]:
        for name in value:
            if not is_notebook_name(name):
                raise ValueError(
                    f"{name!r}: a notebook is a .ipynb file directly in the pack folder"
                )
        if len(set(value)) != len(value):
            raise ValueError("a notebook is listed twice")
        return value


class BinderTarget(_Strict):
    url: str = Field("https://mybinder.org", description="the BinderHub")
    repo: NonEmpty = Field(description="the GitHub repository, as owner/name")
    ref: NonEmpty = Field("main", description="branch, tag or commit Binder builds")


class HubTarget(_Strict):
    name: NonEmpty = Field(description="name shown on the button, e.g. PAWS")
    url: NonEmpty = Field(description="the JupyterHub, e.g. https://hub-paws.wmcloud.org")
    repo_url: NonEmpty = Field(description="git URL nbgitpuller clones")
    branch: NonEmpty = Field("main", description="branch nbgitpuller checks out")
    notebooks_branch: str | None = Field(
        None,
        description="branch holding the translated notebooks (the output of `learnpacks i18n build --out`); "
        "without it, translated pages offer no hub link",
    )


class Launch(_Strict):
    binder: BinderTarget | None = Field(None, description="Binder launch target")
    jupyterhub: HubTarget | None = Field(None, description="JupyterHub (nbgitpuller) launch target")


class Thresholds(_Strict):
    publish_translation: float = Field(
        0.8,
        ge=0,
        le=1,
        description="share of a pack's units that must be translated to publish it in a language",
    )
    max_media_mb: float = Field(
        DEFAULT_MAX_MEDIA_MB,
        gt=0,
        description="largest local video or audio file a pack may hold, in MB "
        "(`learnpacks check`: media.too-large); images and captions are embedded, 2 MB at most",
    )


class SiteText(_Strict):
    """The site's title and description in one more language."""

    title: NonEmpty | None = Field(None, description="site title in this language")
    description: str | None = Field(None, description="the sentence under the title")


class SiteConfig(_Strict):
    """The contents of ``packs/_config.yml``."""

    schema_version: int = Field(CONFIG_SCHEMA_VERSION, description="version of this format")
    title: NonEmpty = Field(description="site title")
    description: str = Field("", description="one sentence under the title")
    source_language: LangCode = Field(description="the language packs are written in")
    languages: list[LangCode] = Field(
        min_length=1, description="languages to publish, source first"
    )
    repository: str | None = Field(None, description="the project's source repository URL")
    url: str | None = Field(
        None,
        description="where the site is published (https://...): downloaded notebooks install "
        "learnpacks from the wheel published there",
    )
    launch: Launch = Field(default_factory=Launch, description="where learners run notebooks")
    thresholds: Thresholds = Field(default_factory=Thresholds, description="limits and bars")
    translations: dict[LangCode, SiteText] = Field(
        default_factory=dict,
        description="title and description in the other languages, by language code",
    )

    @field_validator("url")
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value is not None and not re.match(r"https?://[^/\s]+", value):
            raise ValueError("must be an http:// or https:// address")
        return value

    @model_validator(mode="after")
    def _source_published(self) -> SiteConfig:
        if self.source_language not in self.languages:
            raise ValueError(f"languages must include the source language {self.source_language!r}")
        if len(set(self.languages)) != len(self.languages):
            raise ValueError("a language is listed twice")
        others = [lang for lang in self.languages if lang != self.source_language]
        extra = sorted(set(self.translations) - set(others))
        if extra:
            raise ValueError(
                f"translations: {', '.join(extra)} is the source language or not in languages "
                f"(the other languages are {', '.join(others) or 'none'})"
            )
        return self

    def title_in(self, language: str) -> str:
        """The site title in *language*, else in the source language."""
        text = self.translations.get(language)
        return text.title if text is not None and text.title else self.title

    def description_in(self, language: str) -> str:
        """The description in *language*, else in the source language."""
        text = self.translations.get(language)
        return (
            text.description
            if text is not None and text.description is not None
            else self.description
        )


def _loc(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def _valid_keys(model: type[BaseModel], loc: tuple[int | str, ...]) -> list[str]:
    """Field names valid at *loc* (which ends with the unknown key)."""
    current: Any = model
    for part in loc[:-1]:
        if isinstance(part, int):
            continue
        field = current.model_fields.get(part)
        if field is None:
            return []
        annotation = field.annotation
        candidates = [annotation, *get_args(annotation)]
        for arg in list(candidates):
            candidates.extend(get_args(arg))
        nxt = next(
            (c for c in candidates if isinstance(c, type) and issubclass(c, BaseModel)), None
        )
        if nxt is None:
            return []
        current = nxt
    return sorted(current.model_fields)


def validation_problems(
    exc: ValidationError, model: type[BaseModel], *, display: str, prefix: str
) -> list[Problem]:
    """Turn a pydantic error into coded problems naming the key path and valid choices."""
    problems = []
    for err in exc.errors(include_url=False):
        loc = tuple(err["loc"])
        kind = err["type"]
        message = err["msg"]
        hint = ""
        if kind == "missing":
            code = f"{prefix}.missing-field"
            message = "required field is missing"
            field = model.model_fields.get(str(loc[0])) if len(loc) == 1 else None
            if field is not None and field.description:
                hint = field.description
        elif kind == "extra_forbidden":
            code = f"{prefix}.unknown-field"
            message = f"unknown key {loc[-1]!r}"
            valid = _valid_keys(model, loc)
            if valid:
                hint = "valid keys: " + ", ".join(valid)
        else:
            code = f"{prefix}.invalid-value"
            message = message.removeprefix("Value error, ")
            pattern = (err.get("ctx") or {}).get("pattern")
            if kind == "string_pattern_mismatch" and pattern in PATTERN_HELP:
                message = f"must be {PATTERN_HELP[pattern]}"
            if loc and loc[-1] == "[key]":
                loc = loc[:-1]
                message = f"key {loc[-1]!r}: {message}"
            if (
                "input" in err
                and kind not in ("model_type",)
                and not isinstance(err["input"], (dict, list))
            ):
                message += f" (got {err['input']!r})"
        problems.append(Problem(display, code, message, _loc(loc) or "top level", hint=hint))
    return problems


def schema_version_problem(
    data: dict[str, Any], current: int, *, display: str, prefix: str
) -> Problem | None:
    """Refuse a file written for another version of the format, with what to do about it."""
    version = data.get("schema_version", current)
    if not isinstance(version, int) or isinstance(version, bool):
        return Problem(
            display,
            f"{prefix}.invalid-value",
            f"schema_version must be a whole number, got {version!r}",
            "schema_version",
        )
    if version < current:
        return Problem(
            display,
            f"{prefix}.schema-too-old",
            f"written for format version {version}; this learnpacks reads version {current}",
            "schema_version",
            hint="see docs/authors/pack-format.md, 'Format versions', to upgrade the file",
        )
    if version > current:
        return Problem(
            display,
            f"{prefix}.schema-too-new",
            f"written for format version {version}; this learnpacks reads up to version {current}",
            "schema_version",
            hint="upgrade learnpacks (pip install -U learnpacks) to read it",
        )
    return None

"""Typed model of a cohort's settings file, ``cohort.json``, read like ``pack.yml``.

``docs/facilitators.md`` invites facilitators to edit ``cohort.json`` (its limits above all), so
it is validated as configuration, never trusted: unknown keys are errors that list the valid
ones, a value of the wrong kind names its key path and what would be valid, and no string is
read as a boolean (``"network": "yes"`` is refused, not taken as true). Errors carry
``cohort.*`` codes and the file; :func:`read_settings` raises :class:`ConfigError` (exit 2).

The ``limits`` section follows :class:`~learnpacks.grading.limits.Limits` field for field (its
``#:`` comments are the descriptions), so a new limit is a setting as soon as it exists, plus
``confinement``: ``"full"`` (default; grading refuses to run without full confinement) or
``"weak"`` (the facilitator accepts weaker confinement, and every result says so).
"""

from __future__ import annotations

import inspect
import json
import re
import typing
from dataclasses import MISSING, fields
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, StrictBool, ValidationError, create_model

from learnpacks.errors import ConfigError, Problem
from learnpacks.grading.limits import Limits
from learnpacks.packs.model import LangCode, validation_problems

COHORT_SCHEMA = 1
MAX_SETTINGS_BYTES = 1_000_000
Confinement = Literal["full", "weak"]


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True, frozen=True)


def _limit_descriptions() -> dict[str, str]:
    """Each limit's ``#:`` comment in limits.py: one text for the code, the docs and errors."""
    source = inspect.getsource(Limits)
    return {
        name: " ".join(re.sub(r"\s*#:\s*", " ", text).split())
        for text, name in re.findall(r"((?:\s*#:[^\n]*\n)+)\s*(\w+)\s*:", source)
    }


def _limits_model() -> type[BaseModel]:
    hints = typing.get_type_hints(Limits)
    about = _limit_descriptions()
    spec: dict[str, Any] = {}
    for f in fields(Limits):
        default = f.default if f.default is not MISSING else f.default_factory()  # type: ignore[operator]
        kind = hints[f.name]
        help_text = about.get(f.name, "")
        annotated: Any
        if f.name == "confinement":
            annotated = Confinement
        elif kind is bool:
            annotated = StrictBool
            help_text += " (true or false)"
        elif kind is int:
            annotated = Annotated[int, Field(ge=0)]
        elif kind is float:
            annotated = Annotated[float, Field(ge=0)]
        elif typing.get_origin(kind) is tuple:
            annotated, default = list[str], list(default)
        else:
            annotated = kind
        spec[f.name] = (annotated, Field(default, description=help_text.strip()))
    if "confinement" not in spec:
        spec["confinement"] = (
            Confinement,
            Field(
                "full",
                description="full: grade only under full confinement; weak: accept weaker "
                "confinement, and every result says so",
            ),
        )
    return create_model("LimitsSettings", __base__=_Strict, **spec)


LimitsSettings = _limits_model()


class CohortSettings(_Strict):
    """The contents of ``cohort.json``."""

    schema_: Literal[1] = Field(1, alias="schema", description="format version")
    pack: str = Field(min_length=1, description="the pack's id")
    assignment: str = Field(min_length=1, description="the nbgrader assignment (the pack's id)")
    language: LangCode = Field(description="the cohort's language, e.g. fr")
    db_url: str = Field(min_length=1, description="SQLAlchemy URL of the gradebook")
    course_id: str = Field(min_length=1, description="nbgrader course id")
    notebooks: list[Annotated[str, Field(pattern=r"^[^/\\]+\.ipynb$")]] = Field(
        min_length=1, description="the pack's notebooks, in order"
    )
    launch: dict[str, dict[str, str]] = Field(
        default_factory=dict, description="launch links per target and notebook"
    )
    limits: LimitsSettings = Field(  # type: ignore[valid-type]
        default_factory=LimitsSettings, description="what learner code runs under while graded"
    )

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True, populate_by_name=True)


def limits_of(settings: BaseModel) -> Limits:
    """The :class:`Limits` a validated ``limits`` section stands for."""
    data = settings.model_dump()
    known = {f.name for f in fields(Limits)}
    values = {k: v for k, v in data.items() if k in known}
    if "hide" in values:
        values["hide"] = tuple(values["hide"])
    return Limits(**values)


def read_settings(path: Path) -> tuple[CohortSettings, Limits]:
    """``cohort.json`` at *path*, validated; :class:`ConfigError` with coded problems if not."""
    display = str(path)
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ConfigError(
            f"cannot read {display}",
            [Problem(display, "cohort.unreadable", f"cannot read file: {exc.strerror}")],
            code="cohort.unreadable",
            path=display,
        ) from None
    if len(raw) > MAX_SETTINGS_BYTES:
        raise ConfigError(
            f"{display} is too large",
            [Problem(display, "cohort.too-large", f"{len(raw)} bytes; the limit is 1 MB")],
            code="cohort.too-large",
            path=display,
        )
    try:
        data = json.loads(raw.decode("utf-8", "replace"))
    except json.JSONDecodeError as exc:
        where = f"line {exc.lineno}, column {exc.colno}"
        raise ConfigError(
            f"{display} is not valid JSON",
            [Problem(display, "cohort.not-json", str(exc).split(":")[0], where)],
            code="cohort.not-json",
            path=display,
        ) from None
    if not isinstance(data, dict):
        raise ConfigError(
            f"{display} is not a cohort's settings",
            [Problem(display, "cohort.invalid-value", "expected a JSON object", "top level")],
            code="cohort.invalid-value",
            path=display,
        )
    if data.get("schema") != COHORT_SCHEMA:
        raise ConfigError(
            f"{display} is for another version of learnpacks",
            [
                Problem(
                    display,
                    "cohort.schema-mismatch",
                    f"schema {data.get('schema')!r} is not {COHORT_SCHEMA}",
                    "schema",
                    hint="re-create the cohort with this version of learnpacks "
                    "(learnpacks cohort init --force)",
                )
            ],
            code="cohort.schema-mismatch",
            path=display,
        )
    try:
        settings = CohortSettings.model_validate(data)
    except ValidationError as exc:
        problems = validation_problems(exc, CohortSettings, display=display, prefix="cohort")
        raise ConfigError(
            f"{display} has invalid settings",
            _with_limit_keys(problems),
            code="cohort.invalid-value",
            path=display,
        ) from None
    return settings, limits_of(settings.limits)


def _with_limit_keys(problems: list[Problem]) -> list[Problem]:
    """An unknown key inside ``limits`` lists the valid limits (the generic helper cannot see
    into a generated model); a bad boolean says true or false."""
    out = []
    for p in problems:
        if p.code == "cohort.unknown-field" and p.location.startswith("limits."):
            p = Problem(
                p.path,
                p.code,
                p.message,
                p.location,
                hint="valid keys: " + ", ".join(sorted(LimitsSettings.model_fields)),
            )
        elif p.code == "cohort.unknown-field" and "schema_" in p.hint:
            p = Problem(
                p.path, p.code, p.message, p.location, hint=p.hint.replace("schema_", "schema")
            )
        elif "valid boolean" in p.message:
            p = Problem(p.path, p.code, p.message, p.location, hint="true or false")
        out.append(p)
    return out


def settings_dict(**values: Any) -> dict[str, Any]:
    """What ``cohort.json`` holds for *values* (validated on the way, so a bad one never lands)."""
    settings = CohortSettings.model_validate({"schema": COHORT_SCHEMA, **values})
    return settings.model_dump(by_alias=True)

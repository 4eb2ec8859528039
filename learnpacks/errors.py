"""Problems, error codes and the small exception hierarchy every command shares.

A :class:`Problem` is one finding about one place in one file. Codes are stable
(``pack.missing-field``, ``nb.outputs-committed`` ...): users look them up in
``docs/reference/problem-codes.md`` and can suppress them by code.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import Any, Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True, order=True)
class Problem:
    """One coded finding: what is wrong, in which file, and where in it."""

    path: str
    code: str
    message: str
    location: str = ""
    severity: Severity = "error"
    hint: str = field(default="", compare=False)

    def format(self) -> str:
        """``file: location: severity[code] message (hint)`` on one line."""
        where = f"{self.path}: {self.location}" if self.location else self.path
        text = f"{where}: {self.severity}[{self.code}] {self.message}"
        if self.hint:
            text += f" ({self.hint})"
        return text

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


class LearnpacksError(Exception):
    """Base of every error learnpacks raises on purpose.

    It carries the problems that explain it, so the CLI can print them without a
    traceback and ``--json`` can return them.
    """

    exit_code = 1

    def __init__(self, message: str, problems: Iterable[Problem] = ()) -> None:
        super().__init__(message)
        self.message = message
        self.problems = list(problems)

    def __str__(self) -> str:
        lines = [self.message, *(p.format() for p in self.problems)]
        return "\n".join(lines)


class UsageError(LearnpacksError):
    """The caller asked for something that cannot be done as asked (exit 2)."""

    exit_code = 2


class ConfigError(LearnpacksError):
    """A configuration file (``pack.yml``, ``_config.yml``) is invalid (exit 2)."""

    exit_code = 2


class ChecksFailed(LearnpacksError):
    """Checks ran and found problems (exit 1)."""

    exit_code = 1

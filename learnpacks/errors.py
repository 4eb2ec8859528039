"""Problems, error codes and the small exception hierarchy every command shares.

A :class:`Problem` is one finding about one place in one file. Codes are stable
(``pack.missing-field``, ``nb.outputs-committed`` ...): users look them up in
``docs/reference/problem-codes.md`` and can suppress them by code.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from os import PathLike
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


def _restore(cls: type[LearnpacksError], state: dict[str, Any]) -> LearnpacksError:
    """Unpickle an error without calling its constructor (a Dask worker's or a fork server's)."""
    error = Exception.__new__(cls)
    error.args = (state.get("message", ""),)
    error.__dict__.update(state)
    return error


class LearnpacksError(Exception):
    """Base of every error learnpacks raises on purpose.

    Every one carries a stable *code* (listed in ``docs/reference/problem-codes.md``), the *path*
    of the file it is about and the *place* in it when there is one, and the problems that
    explain it, so the CLI prints ``code: message (file, place)`` without a traceback and
    ``--json`` returns the same fields. A subclass that always means one thing sets
    :attr:`default_code`; every other raise names its code (``code=``): a raise without one is a
    :class:`TypeError`, and ``tests/test_error_codes.py`` finds it without running it.
    """

    #: 2 for a user error (usage, configuration), 1 for work that failed
    exit_code = 1
    #: the code of every instance of a subclass that means one thing; None: each raise names it
    default_code: str | None = None

    def __init__(
        self,
        message: str,
        problems: Iterable[Problem] = (),
        *,
        code: str | None = None,
        path: str | PathLike[str] = "",
        place: str = "",
        hint: str = "",
    ) -> None:
        super().__init__(message)
        code = code or self.default_code
        if not code:
            raise TypeError(f"{type(self).__name__} needs a code= (see problem-codes.md)")
        self.message = message
        self.problems = list(problems)
        self.code = code
        self.path = str(path)
        self.place = place
        self.hint = hint

    def __reduce__(self) -> tuple[Any, ...]:
        return (_restore, (type(self), dict(self.__dict__)))

    def headline(self) -> str:
        """``code: message (file, place)`` on one line (the file and place when known)."""
        where = ", ".join(part for part in (self.path, self.place) if part)
        text = f"{self.code}: {self.message}"
        if where:
            text += f" ({where})"
        if self.hint:
            text += f"; {self.hint}"
        return text

    def __str__(self) -> str:
        lines = [self.message, *(p.format() for p in self.problems)]
        return "\n".join(lines)

    def to_dict(self) -> dict[str, Any]:
        return {
            "error": self.message,
            "code": self.code,
            "path": self.path,
            "place": self.place,
            "hint": self.hint,
            "problems": [p.to_dict() for p in self.problems],
        }


class UsageError(LearnpacksError):
    """The caller asked for something that cannot be done as asked (exit 2)."""

    exit_code = 2


class ConfigError(LearnpacksError):
    """A configuration file (``pack.yml``, ``_config.yml``) is invalid (exit 2)."""

    exit_code = 2


class ChecksFailed(LearnpacksError):
    """Checks ran and found problems (exit 1)."""

    exit_code = 1


class WidgetError(LearnpacksError, ValueError):
    """An exercise or media widget (or another notebook helper, such as ``download_my_work``) built
    or used wrongly in a notebook (a ``ValueError``, as Python code expects). Its code is the one ``learnpacks check`` gives the same mistake when it can
    find it without running the notebook, so the message a notebook shows can be looked up too."""

    exit_code = 2

    def __str__(self) -> str:
        return f"{self.message} [{self.code}]"

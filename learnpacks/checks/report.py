"""The result of ``learnpacks check``: problems, counts, and their JSON twin."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from learnpacks.errors import Problem


@dataclass
class Report:
    problems: list[Problem] = field(default_factory=list)
    packs_checked: list[str] = field(default_factory=list)
    notebooks_checked: int = 0
    #: the runs ``check --execute`` made: (source notebook, language) pairs
    runs: list[tuple[str, str]] = field(default_factory=list)

    def add(self, problems: Iterable[Problem]) -> None:
        self.problems.extend(problems)

    def suppress(self, codes: Iterable[str]) -> None:
        drop = set(codes)
        self.problems = [p for p in self.problems if p.code not in drop]

    def sort(self) -> None:
        self.problems.sort(key=lambda p: (p.path, _location_key(p.location), p.code, p.message))

    @property
    def errors(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "error"]

    @property
    def warnings(self) -> list[Problem]:
        return [p for p in self.problems if p.severity == "warning"]

    def summary(self) -> str:
        runs = f", {len(self.runs)} run(s)" if self.runs else ""
        return (
            f"checked {len(self.packs_checked)} pack(s), {self.notebooks_checked} notebook(s){runs}: "
            f"{len(self.errors)} error(s), {len(self.warnings)} warning(s)"
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "ok": not self.errors,
            "packs": self.packs_checked,
            "notebooks": self.notebooks_checked,
            "runs": [list(run) for run in self.runs],
            "errors": len(self.errors),
            "warnings": len(self.warnings),
            "problems": [p.to_dict() for p in self.problems],
        }


def _location_key(location: str) -> tuple[int, str]:
    """Sort "cell 10" after "cell 9"."""
    if location.startswith("cell "):
        number = location[5:].split(" ", 1)[0]
        if number.isdigit():
            return int(number), location
    return -1, location

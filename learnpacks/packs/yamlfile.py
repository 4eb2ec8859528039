"""Safe YAML reading with line numbers and duplicate-key detection.

PyYAML silently keeps the last of two equal keys; an author who writes
``level:`` twice deserves to hear about it, so the loader refuses duplicates.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from learnpacks.errors import Problem

MAX_CONFIG_BYTES = 1_000_000


#: libyaml's parser when PyYAML was built with it (about ten times faster), else the pure-Python
#: one; the constructor, and so the duplicate-key rule below, is the same Python code in both.
_SafeLoader: type[yaml.SafeLoader] = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


class _UniqueKeyLoader(_SafeLoader):  # type: ignore[valid-type,misc]
    pass


def _construct_mapping(loader: _UniqueKeyLoader, node: yaml.MappingNode, deep: bool = False) -> Any:
    seen: dict[Any, int] = {}
    for key_node, _value in node.value:
        key = loader.construct_object(key_node, deep=deep)
        if key in seen:
            raise yaml.constructor.ConstructorError(
                "while reading a mapping",
                node.start_mark,
                f"found duplicate key {key!r} (first on line {seen[key] + 1})",
                key_node.start_mark,
            )
        seen[key] = key_node.start_mark.line
    return loader.construct_mapping(node, deep=deep)


_UniqueKeyLoader.add_constructor(
    yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG,
    _construct_mapping,
)


def read_yaml(path: Path, *, display: str, code_prefix: str) -> tuple[Any, list[Problem]]:
    """Read a YAML mapping from *path*.

    Returns ``(data, problems)``; *data* is ``None`` when the file cannot be used.
    *display* is the path shown to the user; *code_prefix* is ``pack`` or ``config``.
    """
    try:
        raw = path.read_bytes()
    except OSError as exc:
        return None, [
            Problem(display, f"{code_prefix}.unreadable", f"cannot read file: {exc.strerror}")
        ]
    if len(raw) > MAX_CONFIG_BYTES:
        return None, [
            Problem(
                display,
                f"{code_prefix}.too-large",
                f"file is {len(raw)} bytes; the limit is {MAX_CONFIG_BYTES}",
            )
        ]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return None, [
            Problem(
                display,
                f"{code_prefix}.encoding",
                f"not valid UTF-8 at byte {exc.start}",
                "save the file as UTF-8",
            )
        ]
    try:
        data = yaml.load(text, Loader=_UniqueKeyLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark
        where = f"line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        return None, [
            Problem(display, f"{code_prefix}.yaml-syntax", str(exc.problem or exc), where)
        ]
    except yaml.YAMLError as exc:
        return None, [Problem(display, f"{code_prefix}.yaml-syntax", str(exc))]
    if not isinstance(data, dict):
        kind = "empty" if data is None else f"a {type(data).__name__}"
        return None, [
            Problem(
                display,
                f"{code_prefix}.not-a-mapping",
                f"expected a mapping of keys to values, found {kind}",
            )
        ]
    return data, []

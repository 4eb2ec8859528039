"""What a notebook's code cells are for, read from the code itself (never from tags an author may
forget): which cells *define* an exercise and which only *set up*.

- An **exercise cell** calls a ``learnpacks.widgets`` exercise or media class
  (``MultipleChoice(...)``, ``CodeExercise(...)``, ``Progress(...)``, ``Video.from_commons(...)`` ...):
  its code holds the key of a practice exercise, so readers and learners are shown the widget, not
  the code. Names are resolved through the notebook's imports (``from learnpacks.widgets import
  MultipleChoice as MC``, ``import learnpacks.widgets as w``, ``from learnpacks.widgets import *``).
- A **set-up cell** only installs, imports or configures: each top-level statement is an import, a
  ``try: import learnpacks`` install guard, a call of ``configure``/``set_language``/``print``, or a
  ``%pip install`` line, and at least one of them is about learnpacks.
- An **exercise use** calls a method of an exercise the notebook built (``ex.check(f)``,
  ``ex.hint()``): its output is the build's own attempt, not the reader's.

Each cell is read on its own; a cell that does not parse has no role.
"""

from __future__ import annotations

import ast
import functools
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any, Literal, TypeVar

from learnpacks.pyparse import parse as parse_python

#: ``learnpacks.widgets`` exercise classes (each takes an ``id=``).
EXERCISE_CLASSES = frozenset(
    {
        "MultipleChoice",
        "ShortAnswer",
        "Ordering",
        "Matching",
        "FillInTheBlanks",
        "CodeExercise",
        "Reflection",
    }
)
#: ``learnpacks.widgets`` classes whose call makes a cell an exercise cell.
WIDGET_CLASSES = EXERCISE_CLASSES | {"Progress", "Image", "Video"}
WIDGETS_MODULE = "learnpacks.widgets"
#: Calls a set-up cell may make besides imports.
SETUP_CALLS = frozenset({"configure", "set_language", "print"})

Role = Literal["exercise", "setup", "exercise-use"]


def _source(cell: Any) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else str(source)


def _magic(line: str) -> bool:
    return line.lstrip().startswith(("%", "!"))


@functools.lru_cache(maxsize=8192)
def _parse(source: str) -> ast.Module | None:
    """*source* with IPython magics and shell escapes blanked; None if it does not parse.

    Kept by source text until :func:`forget_trees`: every check reads the same cell, and no
    caller changes a tree."""
    lines = source.splitlines()
    if "%" in source or "!" in source:
        lines = ["" if _magic(line) else line for line in lines]
    text = "\n".join(lines)
    try:
        return parse_python(text)
    except (SyntaxError, ValueError):
        return None


def parse_cell(cell: Any) -> ast.Module | None:
    """The syntax tree of a code cell (see :func:`_parse`), or None if it does not parse."""
    return _parse(_source(cell))


#: The node classes the checks look for in a tree (:func:`nodes_of`).
KINDS: tuple[type[ast.AST], ...] = (ast.Call, ast.Assign, ast.Import, ast.ImportFrom)
#: Fields that hold no node: a name's ``ctx`` (Load, Store, Del) and a constant's value.
_LEAVES = frozenset({ast.Name, ast.Constant})
_CHILD_FIELDS: dict[type[ast.AST], tuple[str, ...]] = {}
_Node = TypeVar("_Node", bound=ast.AST)


def nodes_of(tree: ast.AST, kind: type[_Node]) -> tuple[_Node, ...]:
    """The nodes of class *kind* (one of :data:`KINDS`) in *tree*, in ``ast.walk`` order."""
    return _by_kind(tree)[kind]  # type: ignore[return-value]


def calls(tree: ast.AST) -> tuple[ast.Call, ...]:
    """The calls in *tree*, in ``ast.walk`` order (most checks read only calls)."""
    return nodes_of(tree, ast.Call)


@functools.lru_cache(maxsize=8192)
def _by_kind(tree: ast.AST) -> dict[type[ast.AST], tuple[ast.AST, ...]]:
    """The nodes of each of :data:`KINDS` in *tree*; kept per tree (until :func:`forget_trees`),
    as every check walks the same cells' trees.

    The walk is ``ast.walk``'s (breadth first, fields in order) without its three nested
    generators per node, and without looking into names and constants, which hold no node
    (nor into a name's ``ctx``, which no check looks for): in about half its time."""
    found = [tree]
    append = found.append
    kept: dict[type[ast.AST], list[ast.AST]] = {kind: [] for kind in KINDS}
    for node in found:  # the list grows while it is read: a queue that is kept
        cls = type(node)
        same = kept.get(cls)
        if same is not None:
            same.append(node)
        fields = _CHILD_FIELDS.get(cls)
        if fields is None:
            fields = _CHILD_FIELDS[cls] = (
                () if cls in _LEAVES else tuple(f for f in cls._fields if f != "ctx")
            )
        for name in fields:
            value = getattr(node, name, None)
            if type(value) is list:
                for item in value:
                    if isinstance(item, ast.AST):
                        append(item)
            elif isinstance(value, ast.AST):
                append(value)
    return {kind: tuple(same) for kind, same in kept.items()}


def forget_trees() -> None:
    """Drop the syntax trees, walks and roles kept by source text: a check keeps them for one
    notebook (its checks read the same cells), not for the next ones, whose pages it would
    otherwise keep filling (and, in a forked worker, copying)."""
    for kept in (_parse, _by_kind, _names, _roles):
        kept.cache_clear()


@dataclass
class Names:
    """What the notebook's imports bind: names of widget classes, aliases of the widgets module,
    and the variables that hold an exercise."""

    classes: dict[str, str] = field(default_factory=dict)
    modules: set[str] = field(default_factory=set)
    star: bool = False
    exercises: set[str] = field(default_factory=set)

    def widget_call(self, node: ast.Call) -> bool:
        """Is *node* a call of a widget class (or of one of its class methods)?"""
        func = node.func
        if isinstance(func, ast.Name):
            return func.id in self.classes or (self.star and func.id in WIDGET_CLASSES)
        if isinstance(func, ast.Attribute):
            owner = _dotted(func.value)
            if owner in self.modules and func.attr in WIDGET_CLASSES:
                return True  # w.MultipleChoice(...), learnpacks.widgets.Progress(...)
            if isinstance(func.value, ast.Name):  # Video.from_commons(...)
                return func.value.id in self.classes or (
                    self.star and func.value.id in WIDGET_CLASSES
                )
            if isinstance(func.value, ast.Attribute):  # w.Video.from_commons(...)
                return (
                    _dotted(func.value.value) in self.modules and func.value.attr in WIDGET_CLASSES
                )
        return False


def _dotted(node: ast.AST) -> str:
    if isinstance(node, ast.Name):
        return node.id
    if isinstance(node, ast.Attribute):
        inner = _dotted(node.value)
        return f"{inner}.{node.attr}" if inner else ""
    return ""


def _imports(tree: ast.Module, names: Names) -> None:
    # The two kinds bind different things (a set, and names only ``from`` imports bind), so
    # reading one kind after the other binds what the walk's order would.
    for node in nodes_of(tree, ast.ImportFrom):
        if not node.module:
            continue
        if node.module == WIDGETS_MODULE or node.module.startswith(WIDGETS_MODULE + "."):
            for alias in node.names:
                if alias.name == "*":
                    names.star = True
                elif alias.name in WIDGET_CLASSES:
                    names.classes[alias.asname or alias.name] = alias.name
        elif node.module == "learnpacks":
            for alias in node.names:
                if alias.name == "widgets":
                    names.modules.add(alias.asname or "widgets")
    for imported in nodes_of(tree, ast.Import):
        for alias in imported.names:
            if alias.name == WIDGETS_MODULE:
                names.modules.add(alias.asname or WIDGETS_MODULE)


def notebook_names(cells: Iterable[Any]) -> Names:
    """The widget names every code cell of the notebook binds (imports, exercise variables).

    Kept by the cells' sources (every check asks for them): callers must not change it."""
    return _names(tuple(_source(c) for c in cells if c.get("cell_type") == "code"))


@functools.lru_cache(maxsize=256)
def _names(sources: tuple[str, ...]) -> Names:
    parsed = [(source, tree) for source in sources if (tree := _parse(source)) is not None]
    names = Names()
    for source, tree in parsed:
        if "import" in source:  # else the tree holds no import: no need to walk it for one
            _imports(tree, names)
    for source, tree in parsed:
        if "=" not in source:  # nor an assignment
            continue
        for node in nodes_of(tree, ast.Assign):
            if isinstance(node.value, ast.Call) and names.widget_call(node.value):
                names.exercises |= {t.id for t in node.targets if isinstance(t, ast.Name)}
    return names


def _mentions_learnpacks(node: ast.stmt) -> bool:
    for sub in ast.walk(node):
        if isinstance(sub, ast.Import) and any(
            a.name == "learnpacks" or a.name.startswith("learnpacks.") for a in sub.names
        ):
            return True
        if isinstance(sub, ast.ImportFrom) and (sub.module or "").split(".")[0] == "learnpacks":
            return True
    return False


def _callee(node: ast.Call) -> str:
    func = node.func
    return func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")


def _setup_statement(node: ast.stmt) -> bool:
    if isinstance(node, (ast.Import, ast.ImportFrom, ast.Pass)):
        return True
    if isinstance(node, ast.Expr):
        if isinstance(node.value, ast.Constant) and isinstance(node.value.value, str):
            return True  # a docstring
        return isinstance(node.value, ast.Call) and _callee(node.value) in SETUP_CALLS
    if isinstance(node, ast.Try):  # the install guard: try: import learnpacks / except: install
        return any(_mentions_learnpacks(s) for s in node.body)
    return False


def is_setup(source: str, tree: ast.Module | None = None) -> bool:
    """Does the code only install, import or configure, learnpacks among what it sets up?"""
    tree = tree if tree is not None else _parse(source)
    if tree is None:
        return False
    installs = any(
        _magic(line) and "pip" in line and "learnpacks" in line for line in source.splitlines()
    )
    if not tree.body:
        return installs
    return all(_setup_statement(node) for node in tree.body) and (
        installs or any(_mentions_learnpacks(node) for node in tree.body)
    )


def cell_role(cell: Any, names: Names) -> Role | None:
    """The role of one cell of a notebook whose names are *names* (:func:`notebook_names`)."""
    if cell.get("cell_type") != "code":
        return None
    return _code_role(_source(cell), names)


def _code_role(source: str, names: Names) -> Role | None:
    tree = _parse(source)
    if tree is None:
        return None
    made = calls(tree)
    if any(names.widget_call(node) for node in made):
        return "exercise"
    if is_setup(source, tree):
        return "setup"
    if any(
        isinstance(node.func, ast.Attribute)
        and isinstance(node.func.value, ast.Name)
        and node.func.value.id in names.exercises
        for node in made
    ):
        return "exercise-use"
    return None


def cell_roles(nb: Any) -> list[Role | None]:
    """The role of every cell of *nb*, in order (None for a cell with no role)."""
    cells = nb.get("cells", [])
    return list(_roles(tuple((c.get("cell_type") == "code", _source(c)) for c in cells)))


@functools.lru_cache(maxsize=256)
def _roles(cells: tuple[tuple[bool, str], ...]) -> tuple[Role | None, ...]:
    """Kept by the cells' types and sources: several checks ask for a notebook's roles."""
    names = _names(tuple(source for code, source in cells if code))
    return tuple(_code_role(source, names) if code else None for code, source in cells)


def hides_source(role: Role | None) -> bool:
    """Cells of this role are shown without their code (the widget, or nothing, instead)."""
    return role in ("exercise", "setup")


def source_hidden(cell: Any) -> bool:
    """Does the cell's metadata hide its source in JupyterLab (``jupyter.source_hidden``)?"""
    jupyter = (cell.get("metadata") or {}).get("jupyter")
    return isinstance(jupyter, dict) and jupyter.get("source_hidden") is True


def hide_source(cell: Any) -> None:
    """Set ``jupyter.source_hidden`` on *cell* (in place); other metadata is kept."""
    if not isinstance(cell.get("metadata"), dict):
        cell["metadata"] = {}
    metadata = cell["metadata"]
    if not isinstance(metadata.get("jupyter"), dict):
        metadata["jupyter"] = {}
    metadata["jupyter"]["source_hidden"] = True  # read back: NotebookNode copies a dict it stores

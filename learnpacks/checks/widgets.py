"""Exercise and media calls read from the code, without running it (``docs/authors/exercises.md``).

A widget's own constructor refuses most of these mistakes, but only when the notebook runs, as a
traceback with no place; here each is a coded problem at its cell and line. Only what the code
states literally is judged (a string, a list of ``Option(...)``, ``_("...")``); a value computed
at run time is left to the widget. Calls are recognised through the notebook's imports
(:class:`learnpacks.packs.roles.Names`).

Also here: files a code cell reads (``open("../x")``, ``pd.read_csv("/abs/x.csv")``) must be in
its pack, or the notebook works only on its author's machine.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from learnpacks.checks.notebook_file import cell_location
from learnpacks.errors import Problem
from learnpacks.packs.project import DEFAULT_MAX_MEDIA_MB
from learnpacks.packs.realpaths import resolve
from learnpacks.packs.roles import WIDGET_CLASSES, Names, calls, notebook_names, parse_cell
from learnpacks.safety import link_scheme

#: Images and caption files are embedded in the page; the widgets refuse larger ones.
MAX_EMBED_BYTES = 2 * 1024 * 1024
#: Calls whose first argument (or ``filepath_or_buffer=``/``file=``/``fname=``/``path=``) names a
#: file the code reads.
READERS = frozenset(
    {
        "open",
        "read_csv",
        "read_table",
        "read_json",
        "read_excel",
        "read_parquet",
        "read_feather",
        "read_pickle",
        "read_xml",
        "read_fwf",
        "read_html",
        "loadtxt",
        "genfromtxt",
        "fromfile",
        "imread",
        "Path",
    }
)
_PATH_KEYWORDS = ("filepath_or_buffer", "file", "fname", "path", "io", "path_or_buf")
#: Exercise types whose prompt a learner must see (FillInTheBlanks' text is its prompt).
_PROMPTED = frozenset(
    {"MultipleChoice", "ShortAnswer", "Ordering", "Matching", "CodeExercise", "Reflection"}
)


@dataclass(frozen=True)
class _Where:
    display: str
    index: int
    cell: Any

    def at(self, node: ast.AST) -> str:
        return cell_location(self.index, self.cell, getattr(node, "lineno", None))


def _keyword(call: ast.Call, name: str) -> ast.expr | None:
    return next((k.value for k in call.keywords if k.arg == name), None)


def _literal_text(node: ast.expr | None) -> str | None:
    """A string the code states: ``"x"``, ``_("x")``, ``f"x"`` without fields; else None."""
    if node is None:
        return None
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if (
        isinstance(node, ast.Call)
        and isinstance(node.func, ast.Name)
        and node.func.id == "_"
        and len(node.args) == 1
    ):
        return _literal_text(node.args[0])
    if isinstance(node, ast.JoinedStr) and all(isinstance(v, ast.Constant) for v in node.values):
        return "".join(str(v.value) for v in node.values)  # type: ignore[attr-defined]
    return None


def _blank(node: ast.expr | None) -> bool:
    """Is the text not given, or given as a blank literal? (A computed one is not judged.)"""
    text = _literal_text(node)
    return node is None or (text is not None and not text.strip())


def _empty_list(node: ast.expr | None) -> bool:
    return node is None or (isinstance(node, (ast.List, ast.Tuple)) and not node.elts)


def _mode(call: ast.Call) -> str | None:
    """The literal mode (default practice), or None when computed."""
    node = _keyword(call, "mode")
    if node is None:
        return "practice"
    return _literal_text(node)


@dataclass(frozen=True)
class _Option:
    text: str | None
    value: str | None
    correct: bool | None  # None: computed
    node: ast.expr


def _options(node: ast.expr | None) -> list[_Option] | None:
    """The options of a literal list or tuple; None when computed."""
    if not isinstance(node, (ast.List, ast.Tuple)):
        return None
    found = []
    for item in node.elts:
        if isinstance(item, ast.Call) and _callee(item) == "Option":
            text = _literal_text(item.args[0] if item.args else _keyword(item, "text"))
            value_node = item.args[1] if len(item.args) > 1 else _keyword(item, "value")
            correct_node = item.args[2] if len(item.args) > 2 else _keyword(item, "correct")
            correct: bool | None = False
            if correct_node is not None:
                correct = (
                    bool(correct_node.value) if isinstance(correct_node, ast.Constant) else None
                )
            found.append(_Option(text, _literal_text(value_node), correct, item))
        elif isinstance(item, ast.Starred):
            return None
        else:
            found.append(_Option(_literal_text(item), None, False, item))
    return found


def _callee(node: ast.Call) -> str:
    func = node.func
    return func.id if isinstance(func, ast.Name) else getattr(func, "attr", "")


def _duplicates(options: list[_Option], what: str, where: _Where, call: ast.Call) -> list[Problem]:
    problems = []
    seen_text: set[str] = set()
    seen_value: set[str] = set()
    for option in options:
        text = " ".join(option.text.split()).casefold() if option.text is not None else None
        if text is not None and text in seen_text:
            why, hint = f"read {option.text!r}", "each option must say something different"
        elif option.value is not None and option.value in seen_value:
            why, hint = f"have the value {option.value!r}", "give each Option(value=) its own"
        else:
            why = ""
        if why:
            problems.append(
                Problem(
                    where.display,
                    "exercise.duplicate-option",
                    f"{_callee(call)}: two {what} {why}",
                    where.at(option.node),
                    hint=hint,
                )
            )
        seen_text |= {text} if text is not None else set()
        seen_value |= {option.value} if option.value is not None else set()
    return problems


def _no_answer(call: ast.Call, why: str, where: _Where) -> Problem:
    return Problem(
        where.display,
        "exercise.no-correct-answer",
        f"{_callee(call)} in practice mode {why}",
        where.at(call),
        hint='mark the right answer, or make it graded (mode="graded") with a hidden test',
    )


def _exercise(kind: str, call: ast.Call, where: _Where) -> Iterator[Problem]:
    mode = _mode(call)
    if kind in _PROMPTED and _blank(_keyword(call, "prompt")):
        yield Problem(
            where.display,
            "exercise.empty-prompt",
            f"{kind} has no prompt: learners and screen readers get no question",
            where.at(call),
            hint='prompt=_("The question, as learners read it")',
        )
    if kind == "MultipleChoice":
        options = _options(_keyword(call, "options"))
        if options is None:
            return
        yield from _duplicates(options, "options", where, call)
        if mode == "practice" and options and all(o.correct is False for o in options):
            yield _no_answer(call, "has no Option(..., correct=True)", where)
    elif kind == "Ordering":
        options = _options(_keyword(call, "items"))
        if options is not None:
            yield from _duplicates(options, "items", where, call)
    elif kind == "Matching":
        pairs = _keyword(call, "pairs")
        if isinstance(pairs, (ast.List, ast.Tuple)):
            for side in (0, 1):
                column = [p.elts[side] for p in pairs.elts if isinstance(p, ast.Tuple)]
                options = _options(ast.List(elts=column))
                if options is not None:
                    yield from _duplicates(options, "items", where, call)
        if mode == "practice" and _empty_list(pairs):
            yield _no_answer(call, "has no pairs=", where)
    elif kind == "ShortAnswer":
        keys = (_keyword(call, "accepted"), _keyword(call, "regex"))
        if mode == "practice" and all(_empty_list(node) for node in keys):
            yield _no_answer(call, "has no accepted= answer and no regex=", where)
    elif kind == "FillInTheBlanks":
        node = _keyword(call, "text")
        text = _literal_text(node)
        if _blank(node):
            yield Problem(
                where.display,
                "exercise.empty-prompt",
                "FillInTheBlanks has no text: learners get nothing to fill in",
                where.at(call),
                hint='text=_("Wikipedia is a free [[encyclopedia]].")',
            )
        elif text is not None and mode == "practice":
            from learnpacks.widgets.exercises import parse_blanks

            _segments, blanks = parse_blanks(text)
            if not blanks or not all(blanks):
                yield _no_answer(call, "has a blank with no answer in [[...]]", where)


@dataclass(frozen=True)
class MediaLimits:
    """How large a local media file may be (``packs/_config.yml`` ``thresholds.max_media_mb``)."""

    max_media_bytes: int = int(DEFAULT_MAX_MEDIA_MB * 1024 * 1024)

    @classmethod
    def of(cls, max_media_mb: float) -> MediaLimits:
        """The limits ``thresholds.max_media_mb: MAX_MEDIA_MB`` sets."""
        return cls(int(max_media_mb * 1024 * 1024))


def _local_file(text: str) -> bool:
    return bool(text.strip()) and not link_scheme(text) and not text.startswith("//")


def _inside(path: Path, folder: Path) -> bool:
    try:
        path.relative_to(folder)
    except ValueError:
        return False
    return True


def _media_file(
    what: str,
    node: ast.expr | None,
    where: _Where,
    folder: Path,
    pack: Path,
    limit: int,
) -> Iterator[Problem]:
    """A local file a media widget loads: inside the pack, present, not too large."""
    name = _literal_text(node)
    if node is None or name is None or not _local_file(name):
        return
    target = resolve(folder / name)
    if Path(name).is_absolute() or not _inside(target, pack):
        yield Problem(
            where.display,
            "media.outside-pack",
            f"{what} {name!r} is outside the pack folder",
            where.at(node),
            hint="put the file in the pack folder and name it relative to the notebook",
        )
        return
    try:
        size = target.stat().st_size
    except OSError:
        size = -1
    if size < 0 or not target.is_file():
        yield Problem(
            where.display,
            "media.file-missing",
            f"{what} {name!r} is not a file in the pack (a misspelt name?)",
            where.at(node),
            hint=_nearest(target, name),
        )
        return
    if size > limit:
        yield Problem(
            where.display,
            "media.too-large",
            f"{what} {name!r} is {size / 1048576:.1f} MB; the limit is {limit / 1048576:.1f} MB",
            where.at(node),
            hint="embedded images and captions: at most 2 MB; video and audio: "
            "thresholds.max_media_mb in packs/_config.yml, or host it on Wikimedia Commons",
        )


def _nearest(target: Path, written: str) -> str:
    """``did you mean 'media/intro.webm'?`` for the closest file name in the same folder."""
    import difflib

    try:
        names = [p.name for p in target.parent.iterdir() if p.is_file()]
    except OSError:
        return ""
    close = difflib.get_close_matches(target.name, names, n=1)
    if not close:
        return ""
    return f"did you mean {(Path(written).parent / close[0]).as_posix()!r}?"


def _media(
    kind: str, method: str, call: ast.Call, where: _Where, folder: Path, pack: Path, limit: int
) -> Iterator[Problem]:
    embed_limit = min(limit, MAX_EMBED_BYTES)
    if kind == "Image":
        if _blank(_keyword(call, "alt")):
            yield Problem(
                where.display,
                "media.alt-missing",
                "Image has no alt text: screen readers and failed loads get nothing",
                where.at(call),
                hint='alt=_("what the image shows")',
            )
        src = call.args[0] if call.args else _keyword(call, "src")
        yield from _media_file("image", src, where, folder, pack, embed_limit)
    elif kind == "Video":
        captions = _keyword(call, "caption_languages" if method else "captions")
        if _empty_list(captions) and _blank(_keyword(call, "transcript")):
            yield Problem(
                where.display,
                "media.captions-missing",
                "Video has neither captions nor a transcript: not everyone can follow it",
                where.at(call),
                hint='captions=[Captions("video.en.vtt", "en")] and/or transcript=_("...")',
            )
        if method:
            return  # from_commons: the file is on Wikimedia Commons
        src = call.args[0] if call.args else _keyword(call, "src")
        yield from _media_file("video", src, where, folder, pack, limit)
        yield from _media_file("poster", _keyword(call, "poster"), where, folder, pack, embed_limit)
        if isinstance(captions, (ast.List, ast.Tuple)):
            for item in captions.elts:
                if isinstance(item, ast.Call) and _callee(item) == "Captions":
                    track = item.args[0] if item.args else _keyword(item, "src")
                    yield from _media_file("captions", track, where, folder, pack, embed_limit)


def _reads(call: ast.Call, where: _Where, folder: Path, pack: Path) -> Iterator[Problem]:
    node = call.args[0] if call.args else None
    if node is None:
        node = next((v for k in _PATH_KEYWORDS if (v := _keyword(call, k)) is not None), None)
    name = _literal_text(node)
    if node is None or name is None or not _local_file(name):
        return
    target = resolve(folder / name)
    if Path(name).is_absolute() or name.startswith("~") or not _inside(target, pack):
        yield Problem(
            where.display,
            "nb.data-outside-pack",
            f"{_callee(call)}({name!r}) opens a file outside the pack: the notebook works only "
            "where that file happens to be",
            where.at(node),
            hint="copy the data file into the pack and name it relative to the notebook",
        )


def _class_of(names: Names, call: ast.Call) -> tuple[str, str] | None:
    """The widget class a call makes (resolved through imports) and the class method, if any."""
    if not names.widget_call(call):
        return None
    func = call.func
    if isinstance(func, ast.Name):
        return names.classes.get(func.id, func.id), ""
    assert isinstance(func, ast.Attribute)
    if isinstance(func.value, ast.Name) and (
        func.value.id in names.classes or (names.star and func.value.id in WIDGET_CLASSES)
    ):
        return names.classes.get(func.value.id, func.value.id), func.attr  # Video.from_commons
    if isinstance(func.value, ast.Attribute) and func.value.attr in WIDGET_CLASSES:
        return func.value.attr, func.attr  # w.Video.from_commons
    return func.attr, ""


def check_widget_calls(
    cells: list, *, notebook: Path, pack: Path, display: str, limits: MediaLimits | None = None
) -> list[Problem]:
    """Problems in the exercise and media widgets *cells* build, and in the files they read."""
    limits = limits or MediaLimits()
    names = notebook_names(cells)
    folder = resolve(notebook.parent)
    pack = resolve(pack)
    problems: list[Problem] = []
    for index, cell in enumerate(cells):
        if cell.get("cell_type") != "code":
            continue
        tree = parse_cell(cell)
        if tree is None:
            continue
        where = _Where(display, index, cell)
        for node in calls(tree):
            found = _class_of(names, node)
            if found is not None:
                kind, method = found
                if kind in ("Image", "Video"):
                    problems += _media(
                        kind, method, node, where, folder, pack, limits.max_media_bytes
                    )
                elif not method:
                    problems += _exercise(kind, node, where)
            elif _callee(node) in READERS:
                problems += _reads(node, where, folder, pack)
    return problems

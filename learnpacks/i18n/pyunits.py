"""Translatable units of a code cell: ``_("...")`` strings and ``# comments``, found with ``tokenize``.

Only a single plain string literal inside ``_()`` is a unit (no f-strings, bytes or
concatenations). A translation re-enters the code only as one escaped string literal that
replaces exactly that token (:func:`python_literal`), so no translation can add code.
"""

from __future__ import annotations

import ast
import io
import re
import tokenize
import unicodedata

from learnpacks.i18n.markup import has_words
from learnpacks.i18n.spans import Found, Segment
from learnpacks.pyparse import parse as parse_python

#: Comments that are instructions to a tool, not prose for a reader.
_PRAGMA = re.compile(
    r"^(?:!|\s*(?:noqa|type:|pragma|pylint:|fmt:|isort:|mypy:|ruff:|pyright:|NBVAL_|%%|-\*-|coding[:=]))",
    re.IGNORECASE,
)
_LINE_BREAKS = re.compile(r"[\r\n\v\f\x1c\x1d\x1e\x85\u2028\u2029]+")
_ROLES = {
    "prompt": "exercise question",
    "question": "exercise question",
    "feedback": "exercise feedback",
    "hint": "exercise hint",
    "hints": "exercise hint",
    "explanation": "exercise explanation",
    "placeholder": "exercise placeholder",
}
_OPTION_LISTS = {"options", "items", "left", "right", "pairs", "distractors", "choices", "blanks"}


def python_literal(value: str, quote: str = '"') -> str:
    """*value* as a one-line Python string literal: backslashes, quotes, line breaks and invisible
    characters (controls, bidirectional overrides) escaped. ``ast.literal_eval`` gives *value* back."""
    out = [quote]
    for ch in value:
        if ch == "\\":
            out.append("\\\\")
        elif ch == quote:
            out.append("\\" + quote)
        elif ch in "\n\r\t":
            out.append({"\n": "\\n", "\r": "\\r", "\t": "\\t"}[ch])
        elif ch.isprintable() or unicodedata.category(ch) == "Zs":
            out.append(ch)
        else:
            code = ord(ch)
            out.append(
                f"\\x{code:02x}"
                if code < 0x100
                else f"\\u{code:04x}"
                if code < 0x10000
                else f"\\U{code:08x}"
            )
    out.append(quote)
    return "".join(out)


_OPENING = re.compile(r"""^[rRuU]*(?:'''|\"\"\"|'|")""")


def would_run_as_code(text: str, literal: str = "") -> bool:
    """Would *text*, pasted as it is between the quotes of *literal*, or of any plain string
    (code gets reformatted), close the string and add code? ``build`` never pastes, but a
    translation that would is an attack, not a translation."""
    match = _OPENING.match(literal)
    openings = dict.fromkeys([*([match.group()] if match else []), '"', "'"])
    for opening in openings:
        closing = opening.lstrip("rRuU")
        try:
            tree = parse_python(f"_({opening}{text}{closing})")
        except (SyntaxError, ValueError):
            continue  # it does not even parse: it could not run
        body = tree.body
        call = body[0].value if len(body) == 1 and isinstance(body[0], ast.Expr) else None
        if not (
            isinstance(call, ast.Call)
            and not call.keywords
            and len(call.args) == 1
            and isinstance(call.args[0], ast.Constant)
        ):
            return True
    return False


def one_line_comment(text: str) -> str:
    """*text* fit for the body of a ``#`` comment: one line."""
    return _LINE_BREAKS.sub(" ", text).strip()


def _blank_magics(source: str) -> str:
    """IPython magics and shell escapes blanked, keeping every line where it was."""
    return "\n".join(
        "" if line.lstrip().startswith(("%", "!")) else line for line in source.split("\n")
    )


def _context(tree: ast.AST | None, lines: list[str]) -> dict[tuple[int, int], str]:
    """What each ``_()`` string is for, keyed by its (row, character column)."""
    if tree is None:
        return {}
    parents: dict[ast.AST, ast.AST] = {}
    for node in ast.walk(tree):
        for kid in ast.iter_child_nodes(node):
            parents[kid] = node
    notes = {}
    for node in ast.walk(tree):
        if not (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id == "_"
            and node.args
        ):
            continue
        arg = node.args[0]
        path: list[str] = []
        child: ast.AST = node
        parent = parents.get(node)
        exercise = ""
        callee = ""
        while parent is not None:
            if isinstance(parent, ast.keyword):
                path.insert(0, str(parent.arg))
            elif isinstance(parent, (ast.List, ast.Tuple)) and child in parent.elts:
                path.insert(0, f"[{parent.elts.index(child) + 1}]")
            elif isinstance(parent, ast.Dict) and child in parent.values:
                key = parent.keys[parent.values.index(child)]
                path.insert(0, f"[{key.value!r}]" if isinstance(key, ast.Constant) else "[…]")
            elif isinstance(parent, ast.Call) and child in parent.args:
                path.insert(0, "text")
            if isinstance(parent, ast.Call):
                name = (
                    parent.func.id
                    if isinstance(parent.func, ast.Name)
                    else getattr(parent.func, "attr", "")
                )
                callee = callee or name
                ident = next(
                    (
                        k.value.value
                        for k in parent.keywords
                        if k.arg == "id" and isinstance(k.value, ast.Constant)
                    ),
                    None,
                )
                if ident is not None:
                    exercise = f"{name} {ident!r}"
                    break
            child, parent = parent, parents.get(parent)
        words = [p for p in path if not p.startswith("[") and p != "text"]
        role = next((_ROLES[w] for w in reversed(words) if w in _ROLES), "")
        if not role and words and words[0] in _OPTION_LISTS:
            role = "exercise option"
        if exercise:
            where = "".join(p if p.startswith("[") else "." + p for p in path).lstrip(".")
            note = f"{role or 'exercise text'} ({exercise}, {where})"
        else:
            where = ".".join(words) or (f"argument of {callee}()" if callee else "")
            note = "string in code" + (f" ({where})" if where else "")
        line = lines[arg.lineno - 1] if arg.lineno - 1 < len(lines) else ""
        col = len(line.encode("utf-8")[: arg.col_offset].decode("utf-8", "ignore"))
        notes[(arg.lineno, col)] = note
    return notes


def _is_prose_comment(body: str) -> bool:
    if not has_words(body) or _PRAGMA.match(body):
        return False
    try:
        parse_python(body)
    except SyntaxError:
        return True
    # commented-out code parses; a short note like "# Hello" parses too but has no code punctuation
    return not re.search(r"[()=\[\]]|^\s*(?:import|from|def|class|return)\b", body)


def code_units(source: str) -> list[Found]:
    """The translatable units of one code cell, in source order. A cell that is not Python has none."""
    if source.lstrip().startswith("%%") or re.search(r"\r(?!\n)", source):
        return []
    blanked = _blank_magics(source)
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(blanked).readline))
    except (tokenize.TokenError, SyntaxError):
        return []
    try:
        tree: ast.AST | None = parse_python(blanked)
    except (SyntaxError, ValueError):
        tree = None
    lines = blanked.split("\n")
    notes = _context(tree, lines)
    significant = [
        t
        for t in tokens
        if t.type not in (tokenize.NL, tokenize.COMMENT, tokenize.INDENT, tokenize.DEDENT)
    ]
    found: list[Found] = []
    for i, tok in enumerate(significant):
        if not (tok.type == tokenize.NAME and tok.string == "_" and i + 3 < len(significant)):
            continue
        if i > 0 and significant[i - 1].string == ".":
            continue
        opening, string, closing = significant[i + 1 : i + 4]
        if (
            opening.string != "("
            or string.type != tokenize.STRING
            or closing.string not in (")", ",")
        ):
            continue
        if closing.string == "," and (
            i + 4 >= len(significant) or significant[i + 4].string != ")"
        ):
            continue
        prefix = string.string[: len(string.string) - len(string.string.lstrip("rRuU"))]
        if "b" in prefix.lower() or "f" in prefix.lower():
            continue
        try:
            value = ast.literal_eval(string.string)
        except (ValueError, SyntaxError):
            continue
        if not isinstance(value, str) or not has_words(value):
            continue
        # flat: the range runs from the first segment's start to the last one's end
        segs = (
            Segment(string.start[0] - 1, string.start[1], string.start[1]),
            Segment(string.end[0] - 1, string.end[1], string.end[1]),
        )
        note = notes.get(string.start, "string in code")
        found.append(
            Found(
                value, "code-string", note, segs, multiline=True, flat=True, literal=string.string
            )
        )
    for tok in tokens:
        if tok.type != tokenize.COMMENT:
            continue
        body = tok.string.lstrip("#")
        stripped = body.strip()
        if not _is_prose_comment(stripped):
            continue
        start = tok.start[1] + len(tok.string) - len(body) + (len(body) - len(body.lstrip()))
        seg = Segment(tok.start[0] - 1, start, start + len(stripped))
        found.append(
            Found(stripped, "code-comment", "code comment", (seg, seg), multiline=False, flat=True)
        )
    found.sort(key=lambda f: (f.segments[0].line, f.segments[0].start))
    return found

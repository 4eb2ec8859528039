"""Learner code that changes how later cells run: found, and never turned into points.

THREATS.md 24-26 and 57. Hidden tests run in the learner's own kernel, after the learner's code,
so that code could try to rewrite them: IPython input or AST transformers, ``pre_run_cell`` /
``post_run_cell`` hooks, a replaced ``execute_request`` / ``send_response`` / ``run_cell``, a
replaced ``displayhook`` / ``sys.excepthook`` / ``showtraceback``, builtins the tests use shadowed
(``len``, ``isinstance`` ...), comparison helpers patched (``math.isclose``, ``numpy.isclose``),
objects whose ``__eq__`` always says yes. Three layers, each decided in the grader's own process:

1. **Static scan** (:func:`scan_notebook`) of every code cell whose source is not the
   authority's: the APIs such code needs are named — ``get_ipython`` and magics other than
   ``%matplotlib``, IPython/ipykernel imports, ``builtins`` / ``__builtins__``, ``sys.modules`` /
   ``settrace`` / ``_getframe``..., ``gc`` / ``ctypes`` / ``inspect``, ``exec`` / ``eval`` /
   ``compile`` / ``__import__`` / ``importlib`` / ``pickle``, code run in the background
   (``threading``, ``signal``, ``asyncio``), ``setattr`` and attribute access to
   double-underscore names, assignments to attributes of anything imported (``math.isclose =``),
   rebinding a name the tests use (``len = ...`` when a test calls ``len``), classes that define
   comparison or truth methods (``__eq__``, ``__bool__``, ``__instancecheck__`` ...). The scan
   reads the source as submitted: the learner's code cannot run before it or change it.
2. **Runtime probe** (:class:`Probe`, :func:`compare`): before the first cell, before
   each test cell and before and after the hidden tests, the grader evaluates an expression
   through the ``user_expressions`` field of an execute request (no input or AST transformer,
   no display hook sees it; names chosen at random per run): that of the code cell just before
   the check, evaluated once that cell and its hooks are done and before anything else runs,
   or, when that cell failed (its expressions are then not evaluated) or there is none, that
   of an empty, silent request. It reports the shell's transformers, event callbacks, display
   and exception hooks, the shell's, kernel's and session's methods and message handlers, the
   builtins, and attributes of the modules the tests use that were defined by notebook code;
   the grader compares each report with the first one, outside the kernel. A change, or a probe
   that does not answer, flags every test that runs after it.
3. **Proof of execution** (:func:`with_proof`): each test cell is sent with an assignment of a
   fresh random value to a fresh random name after its asserts (before a final expression, so
   nbgrader's partial credit still works), and that name is read back through
   ``user_expressions``. A test passes only if its reply says ``ok``, it has no error output,
   and its value came back: a test skipped, cut short or replaced by a transformer cannot pass.

Widget answers are re-checked outside the kernel as well (:mod:`answers_check`).

What is guaranteed: a test cell never scores when its kernel reply is not ``ok``, when it left
an error output, or when the probe or the proof value did not come back; every use of the APIs
above in a learner's cells withholds the points of the tests it could affect (0, flagged, the
cell and line named) until a facilitator reviews them. What is not: code that is not in the
notebook (a module file handed in beside it is not scanned; the probe flags it if it shadows a
module the tests use or changes the machinery above) and an attack crafted against this probe by
someone who has read it and found an API the scan does not list. Such code could forge the
probe's and the proof's replies, since everything in one kernel shares one process; layers 1-3
make that require an API that the scan names.
"""

from __future__ import annotations

import ast
import builtins
import contextlib
import functools
import json
import marshal
import secrets
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from nbformat import NotebookNode

from learnpacks.grading.authority import AuthCell, Authority, visible_part
from learnpacks.grading.prepare import Finding
from learnpacks.pyparse import parse as parse_python

# --- codes -------------------------------------------------------------------------------------
IPYTHON = "grading.tamper-ipython"
BUILTINS = "grading.tamper-builtins"
INTROSPECTION = "grading.tamper-introspection"
DYNAMIC = "grading.tamper-dynamic-code"
BACKGROUND = "grading.tamper-background"
PATCH = "grading.tamper-patch"
COMPARISON = "grading.tamper-comparison"
STATE = "grading.tamper-state"
PROBE_FAILED = "grading.probe-failed"
UNPROVEN = "grading.test-unproven"

#: line magics that only configure display
SAFE_MAGICS = frozenset({"matplotlib"})
#: modules whose use in an answer can only serve to reach the machinery that runs cells
MODULES = {
    "IPython": IPYTHON,
    "ipykernel": IPYTHON,
    "jupyter_client": IPYTHON,
    "zmq": IPYTHON,
    "builtins": BUILTINS,
    "__builtin__": BUILTINS,
    "gc": INTROSPECTION,
    "ctypes": INTROSPECTION,
    "_ctypes": INTROSPECTION,
    "cffi": INTROSPECTION,
    "inspect": INTROSPECTION,
    "importlib": DYNAMIC,
    "pickle": DYNAMIC,
    "_pickle": DYNAMIC,
    "marshal": DYNAMIC,
    "dill": DYNAMIC,
    "cloudpickle": DYNAMIC,
    "runpy": DYNAMIC,
    "code": DYNAMIC,
    "codeop": DYNAMIC,
    "zipimport": DYNAMIC,
    "threading": BACKGROUND,
    "_thread": BACKGROUND,
    "multiprocessing": BACKGROUND,
    "concurrent": BACKGROUND,
    "asyncio": BACKGROUND,
    "signal": BACKGROUND,
    "atexit": BACKGROUND,
    "unittest.mock": PATCH,
    "mock": PATCH,
}
SYS_ATTRS = frozenset(
    {
        "modules",
        "settrace",
        "setprofile",
        "gettrace",
        "_getframe",
        "_current_frames",
        "meta_path",
        "path_hooks",
        "path_importer_cache",
        "addaudithook",
        "displayhook",
        "excepthook",
        "breakpointhook",
        "unraisablehook",
        "setrecursionlimit",
    }
)
CALLS = {
    "exec": DYNAMIC,
    "eval": DYNAMIC,
    "compile": DYNAMIC,
    "__import__": DYNAMIC,
    "breakpoint": DYNAMIC,
    "globals": INTROSPECTION,
    "vars": INTROSPECTION,
    "setattr": PATCH,
    "delattr": PATCH,
}
#: double-underscore names honest code reads
SAFE_DUNDERS = frozenset(
    {"__name__", "__qualname__", "__doc__", "__init__", "__file__", "__version__", "__main__"}
)
#: double-underscore methods a class may define without being able to fake a test's comparison
SAFE_METHODS = frozenset(
    {
        "__init__",
        "__repr__",
        "__str__",
        "__post_init__",
        "__iter__",
        "__next__",
        "__enter__",
        "__exit__",
    }
)
#: an attribute path holding one of these sets options, not behaviour (``pd.options.x = 5``)
OPTION_ATTRS = frozenset({"options", "rcParams"})
BUILTIN_NAMES = frozenset(dir(builtins))
WHAT = {
    IPYTHON: "reaches the IPython shell or kernel that runs every later cell",
    BUILTINS: "changes or reaches the builtins the tests use",
    INTROSPECTION: "reaches interpreter internals (frames, objects, namespaces)",
    DYNAMIC: "runs code the grader cannot read",
    BACKGROUND: "runs code in the background, while the tests run",
    PATCH: "replaces part of a module or object the tests may use",
    COMPARISON: "defines an object that can answer comparisons as it likes",
}


@dataclass(frozen=True)
class Hit:
    """One use of a tampering API: its code, what was used, the line in the cell."""

    code: str
    what: str
    line: int


#: cells up to this size are remembered by :func:`ipython_to_python` and :func:`python_tree`:
#: the same sources come again and again (every learner's copy of the test cells and of the
#: given code), and IPython's tokenizer and Python's parser are most of a scan's cost
REMEMBERED_SOURCE = 20_000


def ipython_to_python(source: str) -> str:
    """*source* with IPython syntax (magics, ``!cmd``, ``x?``) turned into the Python it runs."""
    if len(source) <= REMEMBERED_SOURCE:
        return _remembered_python(source)
    return _to_python(source)


def _to_python(source: str) -> str:
    from IPython.core.inputtransformer2 import TransformerManager

    try:
        return str(TransformerManager().transform_cell(source))
    except Exception:  # IPython gives up on some broken input; the plain source is scanned
        return source


_remembered_python = functools.lru_cache(maxsize=512)(_to_python)


def python_tree(source: str) -> ast.Module:
    """The syntax tree of the Python *source* runs (IPython syntax allowed); SyntaxError if it
    does not compile. Remembered like :func:`ipython_to_python`: callers read the tree, never
    change it."""
    if len(source) <= REMEMBERED_SOURCE:
        return _remembered_tree(source)
    return parse_python(_to_python(source))


@functools.lru_cache(maxsize=512)
def _remembered_tree(source: str) -> ast.Module:
    return parse_python(ipython_to_python(source))


def _root(node: ast.expr) -> str | None:
    while isinstance(node, ast.Attribute | ast.Subscript | ast.Call):
        node = node.func if isinstance(node, ast.Call) else node.value
    return node.id if isinstance(node, ast.Name) else None


def _path(node: ast.expr) -> list[str]:
    parts = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    return parts


def _magic(call: ast.Call) -> str | None:
    """The magic's name for ``get_ipython().run_line_magic('name', ...)``."""
    func = call.func
    if (
        isinstance(func, ast.Attribute)
        and func.attr in ("run_line_magic", "run_cell_magic")
        and isinstance(func.value, ast.Call)
        and isinstance(func.value.func, ast.Name)
        and func.value.func.id == "get_ipython"
        and call.args
        and isinstance(call.args[0], ast.Constant)
    ):
        return str(call.args[0].value)
    return None


def _is_dunder(name: str) -> bool:
    return len(name) > 4 and name.startswith("__") and name.endswith("__")


def _module_level(tree: ast.Module) -> Iterable[ast.AST]:
    """Nodes that bind names at module level (function and class bodies left out)."""
    stack: list[ast.AST] = list(tree.body)
    while stack:
        node = stack.pop()
        yield node
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef | ast.Lambda):
            continue
        stack.extend(ast.iter_child_nodes(node))


def _bound_names(tree: ast.Module) -> Iterable[tuple[str, int]]:
    """``(name, line)`` for each name a cell binds in the notebook's namespace."""
    for node in _module_level(tree):
        if isinstance(node, ast.Name) and isinstance(node.ctx, ast.Store | ast.Del):
            yield node.id, node.lineno
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            yield node.name, node.lineno
        elif isinstance(node, ast.Import | ast.ImportFrom):
            for alias in node.names:
                yield (alias.asname or alias.name.split(".")[0]), node.lineno
        elif isinstance(node, ast.ExceptHandler) and node.name:
            yield node.name, node.lineno
    for node in ast.walk(tree):
        if isinstance(node, ast.Global):
            for name in node.names:
                yield name, node.lineno


def imported_names(tree: ast.Module) -> set[str]:
    """Names bound by ``import`` statements anywhere in *tree*."""
    names = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import | ast.ImportFrom):
            names |= {alias.asname or alias.name.split(".")[0] for alias in node.names}
    return names


def scan_source(source: str, *, protected: frozenset[str], imported: set[str]) -> list[Hit]:
    """Every use of a tampering API in one cell's *source* (IPython syntax allowed).

    *protected*: builtins the tests use, which a cell must not rebind. *imported*: names bound
    by imports so far in the notebook (grown by this cell's imports and plain aliases of them).
    """
    try:
        tree = python_tree(source)
    except SyntaxError:
        return []  # a cell that does not compile runs nothing
    hits: list[Hit] = []
    allowed_magic_calls: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and _magic(node) in SAFE_MAGICS:
            assert isinstance(node.func, ast.Attribute)
            allowed_magic_calls.add(id(node.func.value))
    imported |= imported_names(tree)
    sys_names = {"sys"} | {
        a.asname
        for n in ast.walk(tree)
        if isinstance(n, ast.Import)
        for a in n.names
        if a.name == "sys" and a.asname
    }
    for node in ast.walk(tree):
        line = getattr(node, "lineno", 0)
        if isinstance(node, ast.Import | ast.ImportFrom):
            modules = [a.name for a in node.names] if isinstance(node, ast.Import) else []
            if isinstance(node, ast.ImportFrom) and node.module:
                modules = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
            for module in modules:
                for prefix, code in MODULES.items():
                    if module == prefix or module.startswith(prefix + "."):
                        hits.append(Hit(code, f"import {module}", line))
        elif isinstance(node, ast.Call):
            if id(node) in allowed_magic_calls:
                continue
            name = node.func.id if isinstance(node.func, ast.Name) else None
            if name == "get_ipython":
                hits.append(Hit(IPYTHON, "get_ipython()", line))
            elif name in CALLS:
                hits.append(Hit(CALLS[name], f"{name}()", line))
            elif name == "getattr" and len(node.args) >= 2:
                attr = node.args[1]
                if not isinstance(attr, ast.Constant) or not isinstance(attr.value, str):
                    hits.append(Hit(INTROSPECTION, "getattr() with a computed name", line))
            magic = _magic(node)
            if magic is not None and magic not in SAFE_MAGICS:
                hits.append(Hit(IPYTHON, f"%{magic}", line))
        elif isinstance(node, ast.Name):
            if node.id in ("__builtins__", "__builtin__"):
                hits.append(Hit(BUILTINS, node.id, line))
            elif _is_dunder(node.id) and node.id not in SAFE_DUNDERS and node.id != "__import__":
                hits.append(Hit(INTROSPECTION, node.id, line))
        elif isinstance(node, ast.Attribute):
            if _is_dunder(node.attr) and node.attr not in SAFE_DUNDERS:
                hits.append(Hit(INTROSPECTION, f".{node.attr}", line))
            if (
                node.attr in SYS_ATTRS
                and isinstance(node.value, ast.Name)
                and node.value.id in sys_names
            ):
                hits.append(Hit(INTROSPECTION, f"sys.{node.attr}", line))
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            text = node.value
            dunder = _is_dunder(text) and text not in SAFE_DUNDERS
            if dunder or ("/proc/" in text and "mem" in text):
                hits.append(Hit(INTROSPECTION, repr(text), line))
        elif isinstance(node, ast.ClassDef):
            for item in node.body:
                names = []
                if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef):
                    names = [item.name]
                elif isinstance(item, ast.Assign):
                    names = [t.id for t in item.targets if isinstance(t, ast.Name)]
                for name in names:
                    if _is_dunder(name) and name not in SAFE_METHODS:
                        hits.append(
                            Hit(COMPARISON, f"class {node.name} defines {name}", item.lineno)
                        )
    # assignments: attributes of imported things, and names the tests use
    for node in ast.walk(tree):
        targets: list[ast.expr] = []
        if isinstance(node, ast.Assign):
            targets = list(node.targets)
            if isinstance(node.value, ast.Name) and node.value.id in imported:
                imported |= {t.id for t in targets if isinstance(t, ast.Name)}
        elif isinstance(node, ast.AugAssign | ast.AnnAssign):
            targets = [node.target]
        elif isinstance(node, ast.Delete):
            targets = list(node.targets)
        for target in targets:
            for sub in ast.walk(target):
                if (
                    isinstance(sub, ast.Attribute)
                    and isinstance(sub.ctx, ast.Store | ast.Del)
                    and _root(sub) in imported
                    and not OPTION_ATTRS & set(_path(sub))
                ):
                    dotted = ".".join([str(_root(sub)), *reversed(_path(sub))])
                    hits.append(Hit(PATCH, f"{dotted} = ...", sub.lineno))
    for name, line in _bound_names(tree):
        if name in protected:
            hits.append(Hit(BUILTINS, f"rebinds {name!r}, which the tests use", line))
    return sorted(set(hits), key=lambda h: (h.line, h.code, h.what))


def protected_names(authority: Authority) -> frozenset[str]:
    """Builtins the test cells use (``len``, ``abs``, ``isinstance`` ...): notebook code that
    rebinds one changes what the tests compute. (Names a test imports itself, it binds again.)"""
    return _builtins_used(tuple(cell.source for cell in authority.cells if cell.is_test))


@functools.lru_cache(maxsize=64)
def _builtins_used(sources: tuple[str, ...]) -> frozenset[str]:
    """:func:`protected_names` of test cells with these *sources* (asked twice per notebook,
    and the same for every learner: remembered)."""
    names: set[str] = set()
    for source in sources:
        try:
            tree = python_tree(source)
        except SyntaxError:
            continue
        names |= {n.id for n in ast.walk(tree) if isinstance(n, ast.Name)} - imported_names(tree)
    return frozenset(names & BUILTIN_NAMES - {"True", "False", "None"})


def _authoritative(cell: NotebookNode, auth: AuthCell | None) -> bool:
    """Is *cell* the author's code (a locked cell, or a cell left as released)?"""
    if auth is None:
        return False
    return cell.source in (auth.source, visible_part(auth.source)) and not auth.solution


def test_order(nb: NotebookNode, authority: Authority) -> list[tuple[int, AuthCell]]:
    """``(cell index, authority)`` of each autograded test cell of *nb*, in notebook order."""
    auth = authority.by_id()
    found = []
    for index, cell in enumerate(nb.cells):
        ac = auth.get(cell.get("metadata", {}).get("nbgrader", {}).get("grade_id", ""))
        if cell.cell_type == "code" and ac is not None and ac.is_test:
            found.append((index, ac))
    return found


def cell_label(nb: NotebookNode, index: int) -> str:
    gid = nb.cells[index].get("metadata", {}).get("nbgrader", {}).get("grade_id")
    return f"cell {index + 1}" + (f" ({gid!r})" if gid else "")


def scan_notebook(nb: NotebookNode, authority: Authority) -> list[Finding]:
    """Findings for every learner-written code cell of *nb* that uses a tampering API.

    Each names the cell and line; one finding per affected test (every test that runs after
    the cell: the ones below it, and every test with hidden parts), so those score 0 and are
    flagged for review.
    """
    auth = authority.by_id()
    protected = protected_names(authority)
    tests = test_order(nb, authority)
    imported: set[str] = set()
    findings: list[Finding] = []
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "code":
            continue
        ac = auth.get(cell.get("metadata", {}).get("nbgrader", {}).get("grade_id", ""))
        if _authoritative(cell, ac):
            with contextlib.suppress(SyntaxError):
                imported |= imported_names(python_tree(cell.source))
            continue
        hits = scan_source(cell.source, protected=protected, imported=imported)
        if not hits:
            continue
        affected = [t.grade_id for i, t in tests if i > index or t.has_hidden]
        by_code: dict[str, list[Hit]] = {}
        for hit in hits:
            by_code.setdefault(hit.code, []).append(hit)
        for code, group in by_code.items():
            uses = "; ".join(f"{h.what} (line {h.line})" for h in group[:5])
            more = f" and {len(group) - 5} more" if len(group) > 5 else ""
            message = f"{cell_label(nb, index)} {WHAT[code]}: {uses}{more}"
            if not affected:
                findings.append(Finding(code, message, review=False))
            for gid in affected:
                findings.append(Finding(code, f"{message}; test {gid!r} withheld", gid))
    return findings


# --- runtime probe ----------------------------------------------------------------------------

#: installed modules whose hooks are expected (``%matplotlib inline``, widgets)
TRUSTED_HOOK_MODULES = (
    "IPython.",
    "ipykernel.",
    "matplotlib_inline.",
    "matplotlib.",
    "ipywidgets.",
    "ipympl.",
    "comm.",
    "anywidget.",
    "traitlets.",
)
WATCHED_MODULES = (
    "math",
    "cmath",
    "operator",
    "builtins",
    "numpy",
    "numpy.testing",
    "learnpacks.widgets",
    "learnpacks.widgets.grading",
)

#: The probe, run in the kernel. Each hook, method or builtin is described by its module, type,
#: code location and identity, and reported as the kernel's hash of that description (a tuple:
#: no string is formatted): reports are compared only with the same kernel's first one (same
#: hash seed), and a whole description made every report about 70 KB to format, send and
#: parse, several per notebook.
_PROBE = r"""
import sys as _s, json as _j, os as _o
def _probe(watched, shadow, trusted):
    ip = _s.modules["IPython.core.interactiveshell"].InteractiveShell._instance
    def desc(x):
        f = getattr(x, "__func__", x)
        c = getattr(f, "__code__", None)
        mod = getattr(f, "__module__", None) or type(f).__module__
        t = type(x)
        if c is None:
            return hash((mod, t.__module__, t.__qualname__, id(f)))
        return hash((mod, t.__module__, t.__qualname__, c.co_filename, c.co_firstlineno, id(f)))
    def local(x):
        f = getattr(x, "__func__", x)
        mod = getattr(f, "__module__", None) or type(f).__module__ or ""
        return not any((mod + ".").startswith(t) for t in trusted)
    def methods(obj):
        out = {}
        for cls in type(obj).__mro__:
            for n, v in vars(cls).items():
                if n not in out and callable(v):
                    out[n] = desc(v)
        for n, v in vars(obj).items():
            if callable(v):
                out["self." + n] = desc(v)
        return out
    r = {}
    tm = ip.input_transformer_manager
    for n, xs in (
        ("input_transformers_cleanup", ip.input_transformers_cleanup),
        ("input_transformers_post", ip.input_transformers_post),
        ("ast_transformers", ip.ast_transformers),
        ("cleanup_transforms", tm.cleanup_transforms),
        ("line_transforms", tm.line_transforms),
        ("token_transformers", tm.token_transformers),
    ):
        r[n] = [desc(x) for x in xs]
    r["events"] = {e: [desc(c) for c in cs if local(c)] for e, cs in ip.events.callbacks.items()}
    r["hooks"] = {
        "shell.displayhook": desc(ip.displayhook),
        "sys.displayhook": desc(_s.displayhook),
        "sys.excepthook": desc(_s.excepthook),
        "sys.stdout": desc(_s.stdout),
        "sys.stderr": desc(_s.stderr),
        "shell.display_pub": desc(ip.display_pub),
        "shell.display_formatter": desc(ip.display_formatter),
        "shell.compile": desc(ip.compile),
        "shell.custom_exceptions": repr(ip.custom_exceptions),
        "sys.trace": desc(_s.gettrace()),
        "sys.profile": desc(_s.getprofile()),
        "user_ns.__builtins__": desc(ip.user_ns.get("__builtins__")),
        "user_global_ns": "same" if ip.user_global_ns is ip.user_ns else "other",
    }
    r["shell"] = methods(ip)
    k = getattr(ip, "kernel", None)
    if k is not None:
        r["kernel"] = methods(k)
        r["kernel.handlers"] = {n: desc(h) for n, h in k.shell_handlers.items()}
        r["session"] = methods(k.session)
    b = _s.modules["builtins"]
    r["builtins"] = {n: desc(v) for n, v in vars(b).items()}
    r["shadowed"] = {n: desc(ip.user_ns[n]) for n in shadow if n in ip.user_ns}
    cwd = _o.getcwd() + _o.sep
    std = _s.stdlib_module_names
    r["patched"] = sorted(
        "%s.%s" % (m, n)
        for m in watched if m in _s.modules
        for n, v in list(vars(_s.modules[m]).items())
        if (getattr(v, "__module__", None) == "__main__")
        or (getattr(getattr(v, "__code__", None), "co_filename", "") or "").startswith(cwd)
    )
    r["shadowing_files"] = sorted(
        n for n, m in list(_s.modules.items())
        if (n.partition(".")[0] in std or n in watched)
        and (getattr(getattr(m, "__spec__", None), "origin", None) or "").startswith(cwd)
    )
    return _j.dumps(r, sort_keys=True)
"""


#: what stands for a probe's tag in its compiled code (as long as a tag: see :class:`Probe`)
_TAG = "_" + "0" * 16


@functools.lru_cache(maxsize=16)
def _probe_code(watched: tuple[str, ...], protected: tuple[str, ...]) -> bytes:
    """The probe and its call, compiled once per process and marshalled: a kernel loads it in
    about 0.05 ms, where compiling its source took 2 (4 to 5 times per notebook). Kernels run
    this same interpreter (the fork server's, or ``sys.executable``), so they read its format."""
    source = _PROBE.replace("_probe", _TAG) + (
        f"\n{_TAG}_r = {_TAG}({list(watched)!r}, {list(protected)!r}, "
        f"{list(TRUSTED_HOOK_MODULES)!r})\n"
    )
    code = marshal.dumps(compile(source, "<grader probe>", "exec"))
    assert code.count(_TAG.encode()) >= 2
    return code


@dataclass
class Probe:
    """One run's probe: random names, so learner code cannot pick out the grader's requests."""

    protected: frozenset[str] = frozenset()
    watched: tuple[str, ...] = WATCHED_MODULES
    tag: str = field(default_factory=lambda: "_" + secrets.token_hex(8))

    def expression(self) -> str:
        """The probe as one expression for ``user_expressions`` (run in a fresh dict)."""
        assert len(self.tag) == len(_TAG)
        code = _probe_code(self.watched, tuple(sorted(self.protected)))
        code = code.replace(_TAG.encode(), self.tag.encode())
        return (
            f"(lambda d: exec(__import__('marshal').loads({code!r}), d) "
            f"or d[{self.tag + '_r'!r}])({{}})"
        )


def read_expression(result: dict[str, Any] | None, key: str) -> Any:
    """The value of ``user_expressions[key]`` of a reply (its ``text/plain`` as a literal), or
    ``None`` when it did not come back."""
    entry = (result or {}).get(key)
    if not isinstance(entry, dict) or entry.get("status") != "ok":
        return None
    text = (entry.get("data") or {}).get("text/plain")
    try:
        return ast.literal_eval(text) if isinstance(text, str) else None
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        return None


def read_probe(result: dict[str, Any] | None, key: str) -> dict[str, Any] | None:
    text = read_expression(result, key)
    try:
        value = json.loads(text) if isinstance(text, str) else None
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def compare(first: dict[str, Any], now: dict[str, Any]) -> list[str]:
    """What changed between two probe reports (empty when nothing did)."""
    changed = []
    for section in sorted(set(first) | set(now)):
        a, b = first.get(section), now.get(section)
        if section in ("patched", "shadowing_files"):
            if b:
                changed.append(f"{section}: {', '.join(map(str, b))}")
            continue
        if a == b:
            continue
        if isinstance(a, dict) and isinstance(b, dict):
            keys = sorted(k for k in set(a) | set(b) if a.get(k) != b.get(k))
            changed.append(f"{section}: {', '.join(keys[:6])}" + (" ..." if len(keys) > 6 else ""))
        else:
            changed.append(section)
    return changed


# --- proof of execution -----------------------------------------------------------------------


def with_proof(source: str, name: str, value: str) -> str:
    """*source* with ``name = value`` run after its last statement, or before its last
    expression (whose value nbgrader may read as partial credit)."""
    text = source.rstrip("\n")
    proof = f"{name} = {value!r}"
    try:
        tree = python_tree(text)
    except SyntaxError:
        return f"{text}\n{proof}\n"
    if tree.body and isinstance(tree.body[-1], ast.Expr) and ipython_to_python(text) == text + "\n":
        last = tree.body[-1]
        lines = text.split("\n")
        head = "\n".join(lines[: last.lineno - 1])
        tail = "\n".join(lines[last.lineno - 1 :])
        if last.col_offset == 0:
            return f"{head}\n{proof}\n{tail}\n" if head else f"{proof}\n{tail}\n"
    return f"{text}\n{proof}\n"


def new_token() -> tuple[str, str]:
    """A fresh ``(name, value)`` pair for one proof of execution."""
    return "_" + secrets.token_hex(8), secrets.token_hex(16)

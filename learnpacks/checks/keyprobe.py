"""Run inside a notebook's kernel after its cells: does each practice exercise's key satisfy its
own checker, and does a wrong answer fail it?

Each live practice exercise (:func:`learnpacks.widgets.base.live_exercises`) is asked for its
verdict, by its own checker and key, on answers made from that key: every accepted answer
must be right, and a wrong one (another option, the items reversed, a text no key should
accept, each known-wrong answer the author gave feedback for) must not. Nothing is recorded:
verdicts are pure. The findings are printed as one JSON line after :data:`MARK`.
"""

from __future__ import annotations

import json
from typing import Any

MARK = "learnpacks-keyprobe:"
#: a text no honest key accepts
NONSENSE = "zq\u00a7 not an answer 7\u00a7qz"


def probe_code() -> str:
    """The code that runs the probe in a notebook's kernel: this module's own text, run in a
    namespace of its own (importing it would import ``learnpacks.checks`` and its
    dependencies, several times the cost of the probe)."""
    from pathlib import Path

    text = Path(__file__).read_text(encoding="utf-8")
    return f"exec(compile({text!r}, 'learnpacks-keyprobe', 'exec'), {{'__name__': 'keyprobe'}})\n"


def _right_and_wrong(kind: str, key: dict[str, Any], content: dict[str, Any]) -> tuple[list, list]:
    """(answers the key accepts, answers it must refuse) for one exercise."""
    if kind == "multiple-choice":
        correct = list(key.get("correct", []))
        values = [o["value"] for o in content.get("options", [])]
        others = [v for v in values if v not in correct]
        return ([correct] if correct else []), [[v] for v in others[:2]]
    if kind == "short-answer":
        right = [str(a) for a in key.get("accepted", []) if not isinstance(a, bool)]
        wrong = [NONSENSE, *[str(w) for w in key.get("feedback", {})]]
        return right, wrong
    if kind == "ordering":
        order = list(key.get("order", []))
        return [order], ([list(reversed(order))] if len(set(order)) > 1 else [])
    if kind == "matching":
        pairs = dict(key.get("pairs", {}))
        lefts = list(pairs)
        rights = [pairs[k] for k in lefts]
        rotated = [dict(zip(lefts, rights[1:] + rights[:1], strict=True))]
        return [pairs], (rotated if len(set(rights)) > 1 else [])
    if kind == "fill-in-the-blanks":
        blanks = [list(b) for b in key.get("blanks", [])]
        if not blanks or not all(blanks):
            return [], [[NONSENSE] * len(blanks)]
        return [[b[0] for b in blanks]], [[NONSENSE] * len(blanks)]
    return [], []


def _notebook_namespace() -> dict[str, Any]:
    """A copy of the notebook's own names (IPython's user namespace), or a fresh namespace."""
    try:
        from IPython import get_ipython

        shell = get_ipython()
    except ImportError:
        shell = None
    return dict(shell.user_ns) if shell is not None else {}


def _code_findings(widget: Any) -> list[dict[str, Any]]:
    """A practice code exercise: its solution passes its public tests, and a blank answer
    (a function returning None, or None) does not."""
    found: list[dict[str, Any]] = []
    solution = getattr(widget, "_solution", "")
    tests = getattr(widget, "_tests", [])
    if solution:
        # the learner writes the solution in the notebook, beside its names (data, helpers)
        namespace = _notebook_namespace()
        before = dict(namespace)
        try:
            exec(compile(solution, f"<solution of {widget.exercise_id}>", "exec"), namespace)
        except Exception as exc:  # the author's solution does not even run
            found.append({"problem": "key-rejected", "detail": f"{type(exc).__name__}: {exc}"})
            return found
        defined = [
            v
            for k, v in namespace.items()
            if not k.startswith("__") and (k not in before or before[k] is not v)
        ]
        candidate = next((v for v in reversed(defined) if callable(v)), None) if tests else None
        if candidate is None and defined:
            candidate = defined[-1]
        messages = widget._run_tests(candidate)
        if messages:
            found.append({"problem": "key-rejected", "detail": "; ".join(map(str, messages))})
    blank = (lambda *args, **kwargs: None) if tests else None
    if not widget._run_tests(blank):
        found.append(
            {"problem": "accepts-wrong", "detail": "a blank answer passes its public tests"}
        )
    return found


def prove(widget: Any) -> list[dict[str, Any]]:
    """Findings for one live exercise (empty: its key holds)."""
    if widget.mode != "practice" or widget.KIND == "reflection":
        return []
    if widget.KIND == "code":
        return _code_findings(widget)
    key = dict(getattr(widget, "_key", {}))
    right, wrong = _right_and_wrong(widget.KIND, key, dict(widget.content))
    found: list[dict[str, Any]] = []
    if not right and widget.KIND != "short-answer":
        found.append({"problem": "key-rejected", "detail": "the key gives no correct answer"})
    for answer in right:
        verdict = widget.verdict(answer)
        if verdict is None or not verdict.correct:
            found.append(
                {"problem": "key-rejected", "detail": f"its own key {answer!r} is judged wrong"}
            )
    for answer in wrong:
        verdict = widget.verdict(answer)
        if verdict is not None and verdict.correct:
            found.append(
                {"problem": "accepts-wrong", "detail": f"the wrong answer {answer!r} is accepted"}
            )
    return found


def main() -> None:
    """Print the findings for every live exercise of this kernel as one JSON line."""
    from learnpacks.widgets.base import live_exercises

    report = []
    for widget in live_exercises():
        try:
            findings = prove(widget)
        except Exception as exc:  # a checker that crashes is a finding, not a stop
            findings = [{"problem": "key-rejected", "detail": f"{type(exc).__name__}: {exc}"}]
        report += [{"id": widget.exercise_id, "kind": widget.KIND, **f} for f in findings]
    print(MARK + json.dumps(report))


if __name__ == "keyprobe":  # run by probe_code() in a kernel
    main()

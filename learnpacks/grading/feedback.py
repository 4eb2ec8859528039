"""``cohort feedback``: one HTML page per learner and notebook, in the cohort's language.

Built from the autograded notebook and the authority, never from nbgrader's feedback (which
shows hidden tests, THREATS 28):

* a test cell shows only its visible part; what the hidden phase printed is dropped, and a
  failure there becomes one sentence with no traceback, no message, no values;
* each graded cell gets its score; items waiting for a human say so;
* learner HTML/JS in outputs is sanitized by nbconvert (``sanitize_html``).
"""

from __future__ import annotations

import copy
import html
import re
from pathlib import Path
from typing import Any

import nbformat
from nbformat.v4 import new_markdown_cell, new_output

from learnpacks.grading.authority import Authority, visible_part
from learnpacks.grading.cohort import Cohort
from learnpacks.grading.grade import authorities

RTL = {"ar", "fa", "he", "ur", "ps", "dv", "yi", "ckb"}
MESSAGES: dict[str, dict[str, str]] = {
    "en": {
        "score": "Score",
        "hidden_failed": "Some hidden tests did not pass.",
        "manual": "A facilitator will grade this.",
        "title": "Feedback",
        "total": "Total",
        "review": "A facilitator will review this notebook.",
    },
    "fr": {
        "score": "Note",
        "hidden_failed": "Certains tests cachés n'ont pas réussi.",
        "manual": "Une personne animatrice évaluera ceci.",
        "title": "Retour",
        "total": "Total",
        "review": "Une personne animatrice examinera ce notebook.",
    },
    "es": {
        "score": "Puntuación",
        "hidden_failed": "Algunas pruebas ocultas no pasaron.",
        "manual": "Una persona facilitadora calificará esto.",
        "title": "Comentarios",
        "total": "Total",
        "review": "Una persona facilitadora revisará este cuaderno.",
    },
    "ar": {
        "score": "الدرجة",
        "hidden_failed": "لم تنجح بعض الاختبارات المخفية.",
        "manual": "سيقيّم الميسّر هذا الجزء.",
        "title": "ملاحظات",
        "total": "المجموع",
        "review": "سيراجع الميسّر هذا الدفتر.",
    },
}


def messages(language: str) -> dict[str, str]:
    base = language.split("-")[0].lower()
    return {**MESSAGES["en"], **MESSAGES.get(language, MESSAGES.get(base, {}))}


def feedback_notebook(
    autograded: dict[str, Any], authority: Authority, result: dict[str, Any], language: str
) -> nbformat.NotebookNode:
    """The learner's view of one graded notebook: see the module docstring."""
    text = messages(language)
    nb = nbformat.from_dict(copy.deepcopy(autograded))
    auth = authority.by_id()
    cells = []
    total = maximum = 0.0
    for cell in nb.cells:
        gid = cell.metadata.get("nbgrader", {}).get("grade_id")
        ac = auth.get(gid) if gid else None
        if ac is not None and ac.is_test:
            cell.source = visible_part(ac.source)
            hidden_failed = any(
                o.get("metadata", {}).get("learnpacks_hidden") and o.output_type == "error"
                for o in cell.outputs
            )
            cell.outputs = [
                o for o in cell.outputs if not o.get("metadata", {}).get("learnpacks_hidden")
            ]
            if hidden_failed:
                cell.outputs.append(
                    new_output("stream", name="stderr", text=text["hidden_failed"] + "\n")
                )
        cells.append(cell)
        grade = result["grades"].get(gid) if gid else None
        if grade is not None:
            maximum += grade["max_score"]
            if grade["auto_score"] is None or (grade["needs_manual_grade"] and ac and ac.solution):
                note = f"**{text['score']}:** – / {grade['max_score']:g} ({text['manual']})"
            else:
                total += grade["auto_score"] or 0
                note = f"**{text['score']}:** {grade['auto_score']:g} / {grade['max_score']:g}"
            cells.append(new_markdown_cell(note))
    header = (
        f"# {text['title']}: {html.escape(result['notebook'])}\n\n"
        f"**{text['total']}:** {total:g} / {maximum:g}"
    )
    if result.get("flagged"):
        header += f"\n\n{text['review']}"
    nb.cells = [new_markdown_cell(header), *cells]
    return nb


def render_html(nb: nbformat.NotebookNode, language: str) -> str:
    from nbconvert import HTMLExporter

    exporter = HTMLExporter(sanitize_html=True, exclude_input_prompt=True)
    body, _ = exporter.from_notebook_node(nb)
    direction = "rtl" if language.split("-")[0].lower() in RTL else "ltr"
    tag = f'<html lang="{html.escape(language)}" dir="{direction}">'
    return re.sub(r"<html[^>]*>", tag, body, count=1)


def generate_feedback(
    cohort: Cohort, *, students: list[str] | None = None
) -> dict[str, list[Path]]:
    """Write ``feedback/<learner>/<assignment>/<notebook>.html`` for every graded learner."""
    import json

    auth = authorities(cohort)
    written: dict[str, list[Path]] = {}
    results_dir = cohort.state / "results"
    if not results_dir.is_dir():
        return written
    for folder in sorted(p for p in results_dir.iterdir() if p.is_dir()):
        student = folder.name
        if students is not None and student not in students:
            continue
        for nb_id, authority in auth.items():
            path = folder / f"{nb_id}.json"
            if not path.is_file():
                continue
            result = json.loads(path.read_text())["result"]
            if result.get("autograded") is None:
                continue
            nb = feedback_notebook(result["autograded"], authority, result, cohort.language)
            dest = cohort.path("feedback", student) / f"{nb_id}.html"
            dest.parent.mkdir(parents=True, exist_ok=True)
            dest.write_text(render_html(nb, cohort.language), encoding="utf-8")
            written.setdefault(student, []).append(dest)
    return written

"""``cohort feedback``: one HTML page per learner and notebook, in the cohort's language.

Built from the autograded notebook and the authority, never from nbgrader's feedback (which
shows hidden tests, THREATS 28):

* a test cell shows only its visible part; what the hidden phase printed is dropped, and a
  failure there becomes one sentence with no traceback, no message, no values;
* each graded cell gets its score; items waiting for a human say so;
* learner HTML in markdown cells and outputs keeps only an allow-list of tags and attributes
  (:func:`sanitize_html`: :func:`learnpacks.safety.clean_html`, nh3; it replaces
  nbconvert's ``clean_html``, which turned headings and paragraphs into raw ``<h1>`` text);
  scripts, widget views, SVG and output metadata are dropped, and the page loads nothing from
  a CDN;
* math (TeX in markdown, ``text/latex`` outputs) is MathML, written here
  (:mod:`learnpacks.grading.texmath`) and kept by the allow-list, so it reads offline without
  MathJax;
* every text is in the cohort's language, from the widgets' UI catalogs
  (:data:`learnpacks.widgets.i18n.GRADING_STRINGS`), the grader's own error notes (time-outs,
  stopped kernels, dropped output) included.
"""

from __future__ import annotations

import copy
import html
import re
from pathlib import Path
from typing import Any

import nbformat
from jinja2 import pass_context
from nbconvert import HTMLExporter
from nbformat.v4 import new_markdown_cell, new_output

from learnpacks.grading.authority import Authority, visible_part
from learnpacks.grading.cohort import Cohort
from learnpacks.grading.grade import authorities
from learnpacks.grading.texmath import (
    MATHML_ATTRIBUTES,
    MATHML_TAGS,
    latex_output_to_mathml,
    markdown_to_html,
)
from learnpacks.safety import clean_html

#: outputs a feedback page never shows: they run code or load it (the text/plain twin stays)
DROPPED_MIME = (
    "application/javascript",
    "text/javascript",
    "application/vnd.jupyter.widget-view+json",
    "application/vnd.jupyter.widget-state+json",
    "image/svg+xml",
    "text/vnd.mermaid",
)
#: errors the grader itself reports (``execute``), by ename, and what the learner reads instead
GRADER_ERRORS = {
    "CellTimeoutError": "The cell ran over {seconds} s and was interrupted.",
    "KernelKilled": "The cell ran too long and ignored the interrupt: its kernel was stopped.",
    "KernelDied": "The kernel stopped while running this cell.",
}
NOT_RUN = "This cell did not run: the kernel had stopped in an earlier cell."
_DROPPED = re.compile(r"\[learnpacks: (\d+) bytes of output were dropped\]")
_OMITTED = re.compile(r"\.\.\. (\d+) traceback lines omitted \.\.\.")


def sanitize_html(markup: str) -> str:
    """*markup* with only an allow-list of tags and attributes left
    (:func:`learnpacks.safety.clean_html`, nh3). Replaces nbconvert's ``clean_html``, whose
    allow-list has no headings or paragraphs (nbconvert 7.17 shows them as raw ``<h1>`` text).
    MathML (:mod:`learnpacks.grading.texmath`) is kept."""
    return clean_html(
        markup,
        extra_tags=MATHML_TAGS,
        extra_attributes=dict.fromkeys(MATHML_TAGS, MATHML_ATTRIBUTES),
    )


def messages(language: str) -> dict[str, str]:
    """The feedback page's texts in *language* (the widgets' UI catalogs; English if missing)."""
    from learnpacks.widgets.i18n import GRADING_STRINGS, gettext

    return {m: gettext(m, language) for m in GRADING_STRINGS}


def _localize_output(output: Any, text: dict[str, str], limits_seconds: str) -> Any:
    """A grader-made error or note in the cohort's language; learner outputs made safe."""
    if output.get("output_type") == "error" and output.get("ename") in GRADER_ERRORS:
        sentence = text[GRADER_ERRORS[output["ename"]]].format(seconds=limits_seconds)
        if "earlier cell" in output.get("evalue", ""):
            sentence = text[NOT_RUN]
        return new_output("stream", name="stderr", text=sentence + "\n")
    if output.get("output_type") == "stream":
        output["text"] = _DROPPED.sub(
            lambda m: "[" + text["Output dropped: {n} bytes."].format(n=m.group(1)) + "]",
            output.get("text", ""),
        )
    if output.get("output_type") == "error":
        output["traceback"] = [
            _OMITTED.sub(lambda m: text["Traceback lines omitted: {n}."].format(n=m.group(1)), line)
            for line in output.get("traceback", [])
        ]
    if output.get("output_type") in ("display_data", "execute_result"):
        output["metadata"] = {}  # file names, sizes: nothing of the learner's reaches attributes
        data = output.get("data", {})
        if "text/latex" in data and "text/html" not in data:
            mathml = latex_output_to_mathml(str(data["text/latex"]))
            if mathml is not None:
                data["text/html"] = mathml  # sanitized as any HTML output is
        if "application/vnd.jupyter.widget-view+json" in data:
            data.pop("text/plain", None)  # a widget's text twin only says the page cannot show it
        for mime in DROPPED_MIME:
            data.pop(mime, None)
        for mime in ("image/png", "image/jpeg"):
            if mime in data and not re.fullmatch(r"[A-Za-z0-9+/=\s]*", str(data[mime])):
                data.pop(mime)
        if not data:
            return None
    return output


def feedback_notebook(
    autograded: dict[str, Any],
    authority: Authority,
    result: dict[str, Any],
    language: str,
    *,
    cell_timeout: float = 30.0,
) -> nbformat.NotebookNode:
    """The learner's view of one graded notebook: see the module docstring."""
    text = messages(language)
    nb = nbformat.from_dict(copy.deepcopy(autograded))
    auth = authority.by_id()
    cells = []
    total = maximum = 0.0
    for cell in nb.cells:
        cell.pop("attachments", None)
        gid = cell.metadata.get("nbgrader", {}).get("grade_id")
        ac = auth.get(gid) if gid else None
        if cell.cell_type == "code":
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
                        new_output(
                            "stream", name="stderr", text=text["Some hidden tests did not pass."]
                        )
                    )
            if "download_my_work(" in cell.source or "HandIn(" in cell.source:
                cell.outputs = []  # the hand-in link, re-made while grading: not the learner's
            outputs = [_localize_output(o, text, f"{cell_timeout:g}") for o in cell.outputs]
            cell.outputs = [o for o in outputs if o is not None]
        cells.append(cell)
        grade = result["grades"].get(gid) if gid else None
        if grade is not None:
            maximum += grade["max_score"]
            score = text["Score"]
            if grade["auto_score"] is None or (grade["needs_manual_grade"] and ac and ac.solution):
                manual = text["A facilitator will grade this."]
                note = f"**{score}:** – / {grade['max_score']:g} ({manual})"
            else:
                total += grade["auto_score"] or 0
                note = f"**{score}:** {grade['auto_score']:g} / {grade['max_score']:g}"
            cells.append(new_markdown_cell(note))
    title = f"{text['Feedback']}: {result['notebook']}"
    header = f"# {html.escape(title)}\n\n**{text['Total']}:** {total:g} / {maximum:g}"
    if result.get("flagged"):
        header += f"\n\n{text['A facilitator will review this notebook.']}"
    nb.cells = [new_markdown_cell(header), *cells]
    keep = {k: nb.metadata[k] for k in ("kernelspec",) if k in nb.metadata}
    nb.metadata = nbformat.NotebookNode(
        {**keep, "title": title, "language_info": {"name": "python"}}
    )
    return nb


class _FeedbackExporter(HTMLExporter):
    """nbconvert's HTML exporter, with math in markdown written as MathML."""

    @pass_context
    def markdown2html(self, context: Any, source: str) -> str:
        cell = context.get("cell", {})
        return markdown_to_html(
            source,
            escape=False,
            attachments=cell.get("attachments", {}),
            embed_images=self.embed_images,
            path=context.get("resources", {}).get("metadata", {}).get("path", ""),
            anchor_link_text=self.anchor_link_text,
            exclude_anchor_links=self.exclude_anchor_links,
            **self.lexer_options,
        )


def render_html(nb: nbformat.NotebookNode, language: str) -> str:
    """One self-contained HTML page; learner HTML and markdown pass :func:`sanitize_html`."""
    from learnpacks.widgets.i18n import text_direction

    exporter = _FeedbackExporter(
        sanitize_html=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        filters={"clean_html": sanitize_html},
    )
    body, _ = exporter.from_notebook_node(nb)
    # nbconvert gives images without a text alternative an English one: not in this language
    body = body.replace('alt="No description has been provided for this image"', 'alt=""')
    # no script from a CDN: the page is read offline, and shows no widget (math is MathML)
    body = re.sub(r'<script[^>]*\ssrc="https?://[^"]*"[^>]*>\s*</script>', "", body)
    body = re.sub(r'(?s)<script type="module">.*?</script>', "", body)  # mermaid from a CDN
    tag = f'<html lang="{html.escape(language)}" dir="{text_direction(language)}">'
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
            nb = feedback_notebook(
                result["autograded"],
                authority,
                result,
                cohort.language,
                cell_timeout=cohort.limits.cell_timeout,
            )
            dest = cohort.path("feedback", student) / f"{nb_id}.html"
            dest.parent.mkdir(parents=True, exist_ok=True)
            dest.write_text(render_html(nb, cohort.language), encoding="utf-8")
            written.setdefault(student, []).append(dest)
    return written

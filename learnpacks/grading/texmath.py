"""Math on feedback pages: TeX turned into MathML when the page is written.

A feedback page is read offline and loads nothing (no MathJax from a CDN), so the TeX of
markdown cells (``$x^2$``, ``$$...$$``, ``\\begin{align}...``) and of ``text/latex`` outputs
(``IPython.display.Math``, SymPy) becomes MathML here, with latex2mathml; browsers render
MathML natively (Chromium since 109, Firefox, Safari). What latex2mathml writes is not trusted
(``\\text{<b>}`` passes through): the page's sanitizer keeps only :data:`MATHML_TAGS` and
:data:`MATHML_ATTRIBUTES`. TeX latex2mathml cannot read stays as TeX, escaped.
"""

from __future__ import annotations

import html
import re
from typing import Any

from nbconvert.filters.markdown_mistune import IPythonRenderer

#: MathML Core presentation elements latex2mathml writes (no ``semantics``/``annotation-xml``,
#: which can carry HTML, no ``maction``)
MATHML_TAGS = frozenset(
    {
        "math",
        "menclose",
        "merror",
        "mfrac",
        "mi",
        "mmultiscripts",
        "mn",
        "mo",
        "mover",
        "mpadded",
        "mphantom",
        "mprescripts",
        "mroot",
        "mrow",
        "ms",
        "mspace",
        "msqrt",
        "mstyle",
        "msub",
        "msubsup",
        "msup",
        "mtable",
        "mtd",
        "mtext",
        "mtr",
        "munder",
        "munderover",
        "none",
    }
)
#: presentation attributes only: no ``href``, no event handlers, no ``style``
MATHML_ATTRIBUTES = frozenset(
    {
        "accent",
        "accentunder",
        "columnalign",
        "columnlines",
        "columnspacing",
        "depth",
        "display",
        "displaystyle",
        "fence",
        "form",
        "frame",
        "height",
        "largeop",
        "linethickness",
        "lspace",
        "mathsize",
        "mathvariant",
        "maxsize",
        "minsize",
        "movablelimits",
        "notation",
        "rowalign",
        "rowlines",
        "rowspacing",
        "rspace",
        "scriptlevel",
        "separator",
        "stretchy",
        "symmetric",
        "width",
        "xmlns",
    }
)
_DELIMITED = re.compile(r"(?s)^\s*(\$\$|\$|\\\[|\\\()(.*?)(\$\$|\$|\\\]|\\\))\s*$")


def tex_to_mathml(tex: str, *, block: bool) -> str | None:
    """*tex* as a ``<math>`` element (``display="block"`` if *block*), or None if latex2mathml
    cannot read it."""
    from latex2mathml.converter import convert

    try:
        return str(convert(tex, display="block" if block else "inline"))
    except Exception:  # latex2mathml raises many kinds on TeX it does not know
        return None


def latex_output_to_mathml(latex: str) -> str | None:
    """A ``text/latex`` output (``$$x$$``, ``$x$``, ``\\[x\\]``, a bare environment) as MathML,
    or None."""
    match = _DELIMITED.match(latex)
    body, block = (match.group(2), match.group(1) in ("$$", "\\[")) if match else (latex, True)
    return tex_to_mathml(body, block=block)


class MathMLRenderer(IPythonRenderer):
    """nbconvert's markdown renderer, with math written as MathML instead of TeX for MathJax."""

    def block_math(self, body: str) -> str:
        return tex_to_mathml(body, block=True) or f"$${html.escape(body, quote=False)}$$"

    def inline_math(self, body: str) -> str:
        return tex_to_mathml(body, block=False) or f"${html.escape(body, quote=False)}$"

    def latex_environment(self, name: str, body: str) -> str:
        tex = f"\\begin{{{name}}}{body}\\end{{{name}}}"
        return tex_to_mathml(tex, block=True) or html.escape(tex, quote=False)


def markdown_to_html(source: str, **renderer_options: Any) -> str:
    """Markdown as nbconvert renders it, math as MathML."""
    from nbconvert.filters.markdown_mistune import MarkdownWithMath

    return str(MarkdownWithMath(renderer=MathMLRenderer(**renderer_options)).render(source))

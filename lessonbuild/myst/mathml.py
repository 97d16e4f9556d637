"""LaTeX as MathML, made at build time: browsers draw MathML themselves, so a page needs no script and
nothing from another host to show its mathematics.

latex2mathml does the conversion. It knows fewer environments than MathJax; the ones that MyST
lessons write and it lacks are rewritten to ones it has (`aligned` to `split`), and numbering is
the build's own (per lesson, as the references to it need), so LaTeX's own is taken out.
"""
from __future__ import annotations

import re

# amsmath's numbered environments, written starred: the page's numbers are the build's.
NUMBERED = re.compile(r"\\(begin|end)\{(equation|align|gather|multline|flalign|alignat)\}")
# \label{x} and \tag{n} set a number the build gives; \nonumber and \notag leave out one it does not.
LABEL_TAG = re.compile(r"\\label\{(?P<label>[^}]*)\}|\\tag\*?\{[^}]*\}|\\nonumber\b|\\notag\b")
# A matrix's brackets (bmatrix, pmatrix, vmatrix), which must grow to its height: said, not left to the browser's
# operator dictionary, which does not stretch every one of them.
MATRIX_FENCE = re.compile(r"<mo>([^<]{1,10})</mo>(?=<mtable)|(?<=</mtable>)<mo>([^<]{1,10})</mo>")
REWRITTEN = [
    (re.compile(r"\\(begin|end)\{aligned\}"), r"\\\1{split}"),  # the same layout; latex2mathml has only split
    # Environments latex2mathml lacks, as ones of the same columns it has: alignat's and flalign's pairs of
    # columns are align's; eqnarray's three (right, centre, left) an array's.
    (re.compile(r"\\begin\{alignat\*?\}\{\d+\}|\\begin\{flalign\*?\}"), r"\\begin{align*}"),
    (re.compile(r"\\end\{(alignat|flalign)\*?\}"), r"\\end{align*}"),
    (re.compile(r"\\begin\{eqnarray\*?\}"), r"\\begin{array}{rcl}"),
    (re.compile(r"\\end\{eqnarray\*?\}"), r"\\end{array}"),
    (re.compile(r"\\cr\b"), r"\\\\"),  # plain TeX's row end
    (re.compile(r"(?<!\\)%[^\n]*"), ""),  # a comment
]
# Characters Python-Markdown would read as its own syntax in text between MathML's tags.
MARKDOWN_SIGNIFICANT = re.compile(r"[\\`*_{}\[\]()#+\-.!|~^$]")
ENTITY_OR_TEXT = re.compile(r"&#?\w+;|[^&]+|&")


class MathError(ValueError):
    """LaTeX that cannot be shown as MathML."""


AMS_TAG = re.compile(r"\\tag(?P<star>\*?)\{(?P<tag>[^}]*)\}")


def tag_in(latex: str) -> str | None:
    """What amsmath's `\\tag{A}` shows in place of a number: `(A)`; `\\tag*{A}` shows `A` alone."""
    match = AMS_TAG.search(latex)
    if match is None:
        return None
    return match["tag"] if match["star"] else f"({match['tag']})"


def labels_in(latex: str) -> list[str]:
    """The `\\label{}`s that an equation sets."""
    return [match["label"] for match in LABEL_TAG.finditer(latex) if match["label"]]


def to_mathml(latex: str, display: bool) -> str:
    """The LaTeX as one line of MathML, safe to stand in Markdown that Python-Markdown reads."""
    tex = NUMBERED.sub(lambda m: f"\\{m[1]}{{{m[2]}*}}", LABEL_TAG.sub("", latex))
    for pattern, replacement in REWRITTEN:
        tex = pattern.sub(replacement, tex)
    if not tex.strip():
        raise MathError("empty math")
    from latex2mathml.converter import convert  # imported by the first page with math: its import is most of `check`'s

    try:
        mathml = convert(tex, display="block" if display else "inline")
    except Exception as exc:  # noqa: BLE001 - latex2mathml raises many kinds, all meaning "cannot convert this"
        raise MathError(f"{type(exc).__name__}: {exc}".rstrip(": ")) from None
    if unknown := re.search(r"<mi>(\\[A-Za-z]+|&amp;|&)</mi>", mathml):
        raise MathError(f"'{unknown[1]}' is not supported here")
    return _protected(MATRIX_FENCE.sub(lambda m: f'<mo stretchy="true">{m[1] or m[2]}</mo>', mathml))


def _protected(mathml: str) -> str:
    """MathML whose text reads as itself in Markdown: what Markdown would take as syntax becomes a character reference."""
    def protect(text: re.Match) -> str:
        return MARKDOWN_SIGNIFICANT.sub(lambda c: f"&#{ord(c[0])};", text[0])

    # Text between tags, less the character references latex2mathml writes.
    return re.sub(r"(?<=>)[^<]+(?=<)", lambda m: ENTITY_OR_TEXT.sub(lambda t: t[0] if t[0].startswith("&") else protect(t), m[0]),
                  mathml.replace("\n", " "))


# An output's LaTeX (IPython.display.Math, Latex, SymPy): `$...$`, `$$...$$` or `\[...\]` around it.
OUTPUT_DELIMITERS = re.compile(r"^\s*(\$\$|\$|\\\[)(?P<latex>.*?)(\$\$|\$|\\\])\s*$", re.DOTALL)


# The elements latex2mathml writes. It copies `\text{<script>}` into the page as it is and makes `\href`, `\style` and
# `\class` attributes: in an output, which a lesson's code printed, they are markup, not mathematics.
MATHML_ELEMENTS = frozenset({
    "math", "mrow", "mi", "mn", "mo", "ms", "mtext", "mspace", "msub", "msup", "msubsup", "mfrac", "msqrt", "mroot",
    "mstyle", "mtable", "mtr", "mtd", "mlabeledtr", "mover", "munder", "munderover", "menclose", "mpadded", "mphantom",
    "merror", "mmultiscripts", "mprescripts", "none", "semantics", "annotation", "maligngroup", "malignmark",
})
TAG = re.compile(r"</?([A-Za-z][\w.:-]*)")
ACTIVE_ATTRIBUTE = re.compile(r"\s(?:href|src|style|class|id|on\w+)\s*=", re.IGNORECASE)


def output_mathml(latex: str) -> str:
    """The LaTeX of a cell's output as display MathML; empty when it cannot be shown as math, or only with markup of
    its own (the output's text is shown instead)."""
    match = OUTPUT_DELIMITERS.match(latex)
    try:
        mathml = to_mathml(match["latex"] if match else latex, display=True)
    except MathError:
        return ""
    inert = set(TAG.findall(mathml)) <= MATHML_ELEMENTS and not ACTIVE_ATTRIBUTE.search(mathml)
    return mathml if inert else ""

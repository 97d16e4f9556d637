"""MyST's inline syntax in a paragraph or heading: math, roles ({ref}`...`) and links to labels.

markdown-it gives an inline token's parts in order but not where each stands in the source, so
each part is found in the source text after the previous one: a code span's text is passed over,
and a `$` or a role inside it is never taken for math or a role.
"""
from __future__ import annotations

import html
import re
from pathlib import PurePosixPath
from typing import TYPE_CHECKING

from lessonbuild.errors import SourceLocation
from lessonbuild.myst.glue import glue_doc, marker
from lessonbuild.myst.parse import Locate

if TYPE_CHECKING:
    from lessonbuild.myst.page import PageProse

# A link to a label ([text](label)) rather than to a file or a site: one word, no path and no file suffix.
LABEL_HREF = re.compile(r"^(?![a-z][a-z0-9+.-]*://|mailto:)[\w:-]+$", re.IGNORECASE)
# A link to a page by its path, as MyST writes one: from the book's root or relative, suffix and anchor optional
# ([](/reference/x), [](/reference/x.md#part)), or by the address Sphinx publishes it at (/reference/x.html).
PAGE_PATH_HREF = re.compile(r"^(?![a-z][a-z0-9+.-]*:)(?:/|(?:\.\.?/)+)?(?:[\w.-]+/)*[\w-]+(?:\.(?:md|ipynb|html))?(?:#[\w.-]*)?$",
                            re.IGNORECASE)
TITLED = re.compile(r"^(?P<text>.*?)\s*<(?P<target>[^<>]+)>$", re.DOTALL)  # `text <target>`
REFERENCE_ROLES = {"ref": "ref", "numref": "numref", "eq": "eq", "prf:ref": "ref", "any": "ref", "std:ref": "ref"}
HTML_ROLES = {"sub": "sub", "sup": "sup", "kbd": "kbd", "subscript": "sub", "superscript": "sup", "emphasis": "em",
              "strong": "strong", "u": "u", "del": "del"}
CODE_ROLES = {"code", "literal", "samp", "command", "envvar", "option", "program", "makevar", "regexp", "mimetype",
              "func", "class", "meth", "mod", "attr", "obj", "data", "exc", "const", "py:func", "py:class",
              "py:meth", "py:mod", "py:attr", "py:obj", "py:data", "py:exc", "py:const", "file"}
GLUE_ROLES = {"glue": "any", "glue:": "any", "glue:any": "any", "glue:text": "text", "glue:md": "md"}
TEXT_ROLES = {"term", "index", "guilabel", "dfn", "title-reference", "menuselection", "pep", "rfc", "cite:empty"}



DISPLAY_ENVIRONMENT = re.compile(r"\s*\\begin\{(equation|multline|gather|align|alignat|flalign|eqnarray)\*?\}")


def inline(text: str, children, page: PageProse, locate: Locate) -> str:
    """The text of an inline token with its math, roles and links to labels as the site shows them."""
    edits: list[tuple[int, int, str]] = []
    cursor = 0
    for index, child in enumerate(children):
        found = _find(text, child, cursor, children, index)
        if found is None:
            continue
        start, end = found
        cursor = end
        where = locate(text.count("\n", 0, start) + 1)
        replacement = _replacement(child, children, index, text[start:end], page, where)
        if replacement is not None:
            edits.append((start, end, replacement))
    for start, end, replacement in reversed(edits):
        text = text[:start] + replacement + text[end:]
    return text


def _find(text: str, child, cursor: int, children, index: int) -> tuple[int, int] | None:
    """Where the part stands in the text, at or after `cursor`; None for a part that needs nothing done."""
    if child.type == "code_inline":
        pattern = rf"(?<!`){re.escape(child.markup)}(?!`).*?(?<!`){re.escape(child.markup)}(?!`)"
    elif child.type in ("math_inline", "math_inline_double"):
        pattern = re.escape(child.markup) + _spread(child.content) + re.escape(child.markup)
    elif child.type == "myst_role":
        pattern = r"\{" + re.escape(child.meta["name"]) + r"\}(`+)" + _spread(child.content) + r"\1"
    elif child.type == "link_open" and _page_href(child.attrs.get("href", "")):
        pattern = r"\]\(\s*<?" + re.escape(child.attrs["href"]) + r">?\s*\)"
        match = re.compile(pattern).search(text, cursor)
        return None if match is None else (_opening_bracket(text, match.start()), match.end())
    else:
        return None
    match = re.compile(pattern, re.DOTALL).search(text, cursor)
    return None if match is None else match.span()


def _page_href(href: str) -> bool:
    """Whether a link names a label or a page by its path, which the course resolves, rather than a file or a site."""
    return bool(LABEL_HREF.match(href) or ("/" in href and PAGE_PATH_HREF.match(href)))


def _spread(content: str) -> str:
    """A pattern for content that markdown-it took from lines of a list item or a quote, less their prefixes."""
    return r"\n[ \t>]*".join(re.escape(line) for line in content.split("\n"))


def _opening_bracket(text: str, closing: int) -> int:
    depth = 0
    for position in range(closing - 1, -1, -1):
        if text[position] == "]" and text[position - 1:position] != "\\":
            depth += 1
        elif text[position] == "[" and text[position - 1:position] != "\\":
            if depth == 0:
                return position
            depth -= 1
    return closing


def _replacement(child, children, index: int, source: str, page: PageProse, where: SourceLocation) -> str | None:
    if child.type == "code_inline":
        return None
    if child.type in ("math_inline", "math_inline_double"):
        # `$\begin{align*} ... \end{align*}$`, as notebooks write an environment: shown as the display it is.
        display = child.type == "math_inline_double" or bool(DISPLAY_ENVIRONMENT.match(child.content))
        return page.math(child.content, display, where)
    if child.type == "link_open":
        text = source[1:source.index("](")] if "](" in source else ""
        kind = "link" if LABEL_HREF.match(child.attrs["href"]) else "path"
        return page.reference(kind, child.attrs["href"], text or None, where)
    return role(child.meta["name"], child.content, page, where)


def role(name: str, content: str, page: PageProse, where: SourceLocation) -> str:
    """A role as Markdown the site shows."""
    if name == "math":
        return page.math(content, False, where)
    if name in REFERENCE_ROLES or name in ("doc", "download", "nb-download"):
        return _link_role(name, content, page, where)
    if name in HTML_ROLES:
        return f"<{HTML_ROLES[name]}>{html.escape(content)}</{HTML_ROLES[name]}>"
    if name in CODE_ROLES:
        return _code_span(_titled(content)[0] or content.lstrip("~!"))
    if name == "abbr":
        match = re.match(r"^(?P<short>.*?)\s*\((?P<long>[^()]*)\)$", content)
        return f'<abbr title="{html.escape(match["long"])}">{html.escape(match["short"])}</abbr>' if match else html.escape(content)
    if name in GLUE_ROLES:
        return marker(content.split("::")[-1].strip(), GLUE_ROLES[name], where, glue_doc(content, None, page.lesson))
    if name.startswith("cite") and name not in ("cite:empty",):
        keys = [key.strip() for key in content.split(",") if key.strip()]
        return page.cite(keys, textual=name in ("cite:t", "cite:ts", "cite:alt", "cite:author"), where=where)
    if name.startswith("bdg-"):  # sphinx-design's badges: bdg-primary, bdg-info-line, ...
        kind = re.sub(r"[^a-z-]", "", name.removeprefix("bdg-"))
        return f'<span class="lesson-badge lesson-badge-{kind}">{html.escape(_titled(content)[0] or content)}</span>'
    if name in TEXT_ROLES:
        return html.escape((_titled(content)[0] or content).replace("-->", "→"))
    page.warn(where, f"unknown role '{{{name}}}': its text is shown as it is")
    return html.escape(content)


def _link_role(name: str, content: str, page: PageProse, where: SourceLocation) -> str:
    """A reference to a label or a document, or a link to a file to download."""
    text, target = _titled(content)
    if name in REFERENCE_ROLES:
        return page.reference(REFERENCE_ROLES[name], target, text, where)
    if name == "doc":
        return page.reference("doc", target, text, where)
    if name == "nb-download":  # MyST-NB: the page's own notebook, which the site publishes beside it
        notebook = f"{PurePosixPath(page.lesson).name}.ipynb"
        return f"[{text or notebook}]({notebook})"
    address = target if "://" in target else page.link_file(target, where)  # a file of the lesson's, beside it
    return f"[{text or PurePosixPath(target).name}]({address})"


def _titled(content: str) -> tuple[str | None, str]:
    """`text <target>` -> (text, target); `target` -> (None, target)."""
    match = TITLED.match(content.strip())
    return (match["text"] or None, match["target"].strip()) if match else (None, content.strip())


def _code_span(text: str) -> str:
    fence = "`" * (max((len(run) for run in re.findall(r"`+", text)), default=0) + 1)
    return f"{fence} {text} {fence}" if text.startswith("`") or text.endswith("`") else f"{fence}{text}{fence}"

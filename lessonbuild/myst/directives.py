"""MyST's directives as the site's own components (Material for MkDocs' admonitions, details, tabs,
grids and cards, and Python-Markdown's tables and code blocks), whatever extension of Jupyter
Book's they come from.

A directive whose content is prose has that content translated in turn, so they nest (fifty levels deep: page.MAX_DEPTH).
Directives that only organise a book (`{toctree}`, `{index}`) go. One no rule here knows is shown
as prose in a box of its own, never as raw syntax.
"""
from __future__ import annotations

import csv
import functools
import html
import io
import re
from collections.abc import Callable
from typing import TYPE_CHECKING

from lessonbuild.errors import SourceLocation
from lessonbuild.fsutil import NotText, read_text
from lessonbuild.myst.glue import glue_doc, marker
from lessonbuild.myst.parse import PARSER, Directive, Locate, directive_of, first_line, is_directive, span
from lessonbuild.myst.syntax import NESTED_DIRECTIVES, directive_group, fence_around

if TYPE_CHECKING:
    from lessonbuild.myst.page import PageProse

ADMONITIONS = {
    "note": "Note", "tip": "Tip", "hint": "Hint", "important": "Important", "warning": "Warning",
    "caution": "Caution", "attention": "Attention", "danger": "Danger", "error": "Error", "seealso": "See also",
    "admonition": "Note", "topic": "Topic", "versionadded": "New", "versionchanged": "Changed", "deprecated": "Deprecated",
}


def shown(directive: Directive, page: PageProse, locate: Locate, where: SourceLocation) -> str:
    """The directive as Markdown and HTML that the site engine shows as its own component."""
    name = directive.name
    group = directive_group(name)
    if group is not None:
        return RULES[group](directive, page, locate, where)
    if name not in NESTED_DIRECTIVES:
        page.warn(where, f"unknown directive '{{{name}}}': its content is shown as prose")
    css = re.sub(r"[^a-z0-9-]+", "-", name.lower())
    return _box(f'<div class="myst-{css}" markdown="1">', _body(directive, page, locate), "</div>")


def _body(directive: Directive, page: PageProse, locate: Locate) -> str:
    return page.translate_part(directive.body, directive.body_offset, locate)


def _box(opening: str, body: str, closing: str) -> str:
    return f"{opening}\n\n{body}\n\n{closing}"


def _id(directive: Directive, key: str = "name") -> str:
    label = str(directive.options.get(key) or "")
    return f' id="{html.escape(label)}"' if label else ""


def _admonition(directive: Directive, page: PageProse, locate: Locate, where: SourceLocation, title: str | None = None,
                kind: str | None = None) -> str:
    name = directive.name
    kind = kind or (name if name in ADMONITIONS and name not in ("admonition", "topic") else "note")
    title = title or directive.argument or ADMONITIONS.get(name, "Details")
    classes = str(directive.options.get("class", "")).split()
    collapsed = name == "dropdown" or "dropdown" in classes or "toggle" in classes
    return _callout(page, kind, title, _body(directive, page, locate), str(directive.options.get("name") or ""),
                    collapsed, opened="open" in directive.options)


def _callout(page: PageProse, kind: str, title: str, body: str, label: str = "", collapsed: bool = False,
             opened: bool = False) -> str:
    """An admonition, or a collapsed box: Material's HTML at the top level; inside a list item or a quote, where
    Python-Markdown reads no Markdown in HTML, its own `!!!` / `???` blocks (admonition, pymdownx.details)."""
    anchor = f' id="{html.escape(label)}"' if label else ""
    if page.nested:
        marker = ("???+" if opened else "???") if collapsed else "!!!"
        indented = "\n".join(f"    {line}" if line.strip() else "" for line in body.split("\n"))
        before = f"<a{anchor}></a>\n\n" if label else ""
        return f'{before}{marker} {kind} "{title.replace(chr(34), "&quot;")}"\n\n{indented}'
    if collapsed:
        return _box(f'<details class="{kind}"{anchor}{" open" if opened else ""} markdown="1">\n<summary>{title}</summary>',
                    body, "</details>")
    return _box(f'<div class="admonition {kind}"{anchor} markdown="1">\n<p class="admonition-title">{title}</p>', body, "</div>")


def _plain_admonition(directive, page, locate, where) -> str:
    return _admonition(directive, page, locate, where, html.escape(directive.argument) if directive.argument else None)


def _code(directive: Directive, page: PageProse, locate: Locate, where: SourceLocation) -> str:
    options = directive.options
    attributes = []
    if "caption" in options:
        attributes.append(f'title="{html.escape(str(options["caption"]))}"')
    if "linenos" in options or "lineno-start" in options:
        attributes.append(f'linenums="{options.get("lineno-start") or 1}"')
    if options.get("emphasize-lines"):
        attributes.append(f'hl_lines="{_line_list(str(options["emphasize-lines"]))}"')
    language = directive.argument or "text"
    fence = fence_around(directive.body)
    anchor = f'<a{_id(directive)}></a>\n\n' if options.get("name") else ""
    return f"{anchor}{fence}{' '.join([language, *attributes])}\n{directive.body}\n{fence}"


def _included(directive: Directive, page: PageProse, where: SourceLocation) -> str | None:
    """The text of the file a `{literalinclude}` or `{include}` names (relative to the lesson, inside lessons/), cut
    to its `:lines:`, `:start-after:` and `:end-before:`; None, with a warning, where there is none."""
    text = _file_text(page, directive.argument, where, f"'{{{directive.name}}}' {directive.argument}")
    if text is None:
        return None
    options = directive.options
    if options.get("start-after") and str(options["start-after"]) in text:
        text = text.split(str(options["start-after"]), 1)[1].split("\n", 1)[-1]
    if options.get("end-before") and str(options["end-before"]) in text:
        text = text.split(str(options["end-before"]), 1)[0].rsplit("\n", 1)[0]
    if options.get("lines"):
        lines = text.split("\n")
        wanted = [n for part in str(options["lines"]).split(",") for n in _line_range(part.strip(), len(lines))]
        text = "\n".join(lines[n - 1] for n in wanted if 1 <= n <= len(lines))
    return text.strip("\n")


def _file_text(page: PageProse, name: str, where: SourceLocation, what: str) -> str | None:
    """The text of a file the prose includes; None, with a warning, where there is no such text file inside lessons/."""
    file = page.file(name)
    if file is None:
        page.warn(where, f"{what}: no such file beside the lesson (inside {page.scope})")
        return None
    try:
        return read_text(file)
    except NotText as exc:
        page.warn(where, f"{what}: line {exc.line} of the file: {exc}; shown as nothing")
        return None


def _line_range(part: str, last: int) -> range:
    """The lines of `1-5`, `3`, `4-` or `-2` that the file has (a range past its end, however far, stops there)."""
    first, _, end = part.partition("-")
    start = int(first) if first.strip().isdigit() else 1
    stop = (int(end) if end.strip().isdigit() else last) if "-" in part else start
    return range(start, min(stop, last) + 1)


def _literalinclude(directive: Directive, page: PageProse, locate: Locate, where: SourceLocation) -> str:
    text = _included(directive, page, where)
    if text is None:
        return ""
    language = str(directive.options.get("language") or _language_of(directive.argument))
    return _code(Directive("code-block", language, directive.options, text, directive.body_offset), page, locate, where)


def _language_of(path: str) -> str:
    return {".py": "python", ".md": "markdown", ".yml": "yaml", ".yaml": "yaml", ".json": "json", ".sh": "bash",
            ".csv": "text", ".toml": "toml", ".r": "r", ".jl": "julia"}.get(path[path.rfind("."):].lower(), "text")


def _include(directive: Directive, page: PageProse, locate: Locate, where: SourceLocation) -> str:
    """MyST's `{include}`: the file's Markdown, translated in place (or, with `:literal:`, shown as code)."""
    text = _included(directive, page, where)
    if text is None:
        return ""
    if "literal" in directive.options:
        return _code(Directive("code-block", str(directive.options.get("language") or "text"), {}, text, 0), page, locate, where)
    return page.translate_part(text, 0, lambda line: where)  # the included file's lines count as the directive's


def _line_list(lines: str) -> str:
    """Sphinx's `1,3-5` as pymdownx.highlight's `1 3-5`."""
    return " ".join(part.strip() for part in lines.split(",") if part.strip())


def _image(directive: Directive, page: PageProse, locate: Locate, where: SourceLocation) -> str:
    options = directive.options
    caption = _body(directive, page, locate) if directive.name == "figure" else ""
    alt = str(options.get("alt") or (caption.split("\n")[0] if caption else ""))
    attributes = " ".join(f'{key}="{html.escape(str(options[key]))}"' for key in ("width", "height") if key in options)
    image = f"![{alt}]({directive.argument})" + (f"{{ {attributes} }}" if attributes else "")
    align = str(options.get("align", "center"))
    if directive.name == "image":
        return image if not options.get("name") else f'<a{_id(directive)}></a>\n\n{image}'
    label = str(options.get("name") or "")
    number = page.number("figure")
    title = caption.split("\n\n")[0] if caption else ""
    if label:
        page.target(label, "figure", re.sub(r"[*_`]", "", title), number, where)
    legend = _numbered(f"Fig. {number}" if number else "", caption)
    return (f'<figure class="myst-figure align-{html.escape(align)}"{_id(directive)} markdown="1">\n\n{image}\n\n'
            f'<figcaption markdown="1">\n\n{legend}\n\n</figcaption>\n</figure>')


def _bibliography(directive, page, locate, where) -> str:
    """Where the works the lesson cites are listed; the list is known once the whole lesson is read."""
    return page.place_bibliography(where)


def _glue(directive: Directive, page: PageProse, locate: Locate, where: SourceLocation) -> str:
    """MyST-NB's pasted outputs: the value glued under the directive's name, once the lesson has run (glue.py)."""
    name = directive.argument.split("::")[-1].strip()
    doc = glue_doc(directive.argument, directive.options.get("doc"), page.lesson)
    if directive.name == "glue:math":
        label = str(directive.options.get("label") or "") or None
        number = page.number("equation") if label else None
        if label:
            page.target(label, "equation", f"({number})", number, where)
        anchor = f' id="{html.escape(label)}"' if label else ""
        eqno = f'<span class="eqno">({number})</span>' if number else ""
        return f'<div class="math-display"{anchor}>{marker(name, "math", where, doc)}{eqno}</div>'
    if directive.name != "glue:figure":
        return marker(name, "md" if directive.name == "glue:md" else "block", where, doc)
    caption = _body(directive, page, locate)
    number = page.number("figure")
    label = str(directive.options.get("name") or "")
    if label:
        page.target(label, "figure", re.sub(r"[*_`]", "", caption.split("\n\n")[0]), number, where)
    legend = _numbered(f"Fig. {number}" if number else "", caption)
    return (f'<figure class="myst-figure align-center"{_id(directive)} markdown="1">\n\n{marker(name, "figure", where, doc)}\n\n'
            f'<figcaption markdown="1">\n\n{legend}\n\n</figcaption>\n</figure>')


def _markdown_figure(directive: Directive, page: PageProse, locate: Locate, where: SourceLocation) -> str:
    """MyST's `{figure-md} label`: a figure whose body's first paragraph is its image, in Markdown, the rest its
    caption; numbered, and a target of references by its label."""
    body = _body(directive, page, locate).strip()
    image, _, caption = body.partition("\n\n")
    number = page.number("figure")
    label = directive.argument.strip() or str(directive.options.get("name") or "")
    if label:
        page.target(label, "figure", re.sub(r"[*_`]", "", caption.split("\n\n")[0]), number, where)
    legend = _numbered(f"Fig. {number}" if number else "", caption)
    anchor = f' id="{html.escape(label)}"' if label else ""
    return (f'<figure class="myst-figure align-center"{anchor} markdown="1">\n\n{image}\n\n'
            f'<figcaption markdown="1">\n\n{legend}\n\n</figcaption>\n</figure>')


def _numbered(name: str, caption: str) -> str:
    """`Fig. 2: caption`; the caption alone where the lesson's `numbering` turns the numbers off."""
    return ": ".join(part for part in (name, caption) if part)


def _raw(directive, page, locate, where) -> str:
    return directive.body if directive.argument.strip().lower() == "html" else ""


def _math(directive: Directive, page: PageProse, locate: Locate, where: SourceLocation) -> str:
    latex = "\n".join(filter(None, [directive.argument, directive.body]))
    return page.display_math(latex, str(directive.options.get("label") or directive.options.get("name") or "") or None, where)


def _quote(directive, page, locate, where) -> str:
    body = _body(directive, page, locate)
    return "\n".join(f"> {line}" if line else ">" for line in body.split("\n"))


def _aside(directive, page, locate, where) -> str:
    title = f'<p class="admonition-title">{html.escape(directive.argument)}</p>\n' if directive.argument else ""
    return _box(f'<aside class="myst-{directive.name}" markdown="1">\n{title}'.rstrip("\n"), _body(directive, page, locate), "</aside>")


def _container(directive, page, locate, where) -> str:
    classes = " ".join(["myst-container", *str(directive.options.get("class", "") or directive.argument).split()])
    return _box(f'<div class="{html.escape(classes)}"{_id(directive)} markdown="1">', _body(directive, page, locate), "</div>")


# sphinx-design: tabs, grids and cards.

def _children(directive: Directive, page: PageProse, locate: Locate, names: set[str]) -> list[tuple[Directive, SourceLocation]]:
    """The directives named `names` directly inside this one's body, each with where it stands."""
    tokens = PARSER.parse(directive.body)
    return [(directive_of(token, directive.body_offset), locate(directive.body_offset + first_line(token)))
            for token in tokens if is_directive(token) and directive_of(token, 0).name in names]


def _tab_set(directive: Directive, page: PageProse, locate: Locate, where: SourceLocation) -> str:
    """Tabs that need no script: a radio button in each tab's label, and the stylesheet shows the checked tab's content
    (lessonbuild.css). Each tab's content is Markdown at the top level, where Python-Markdown reads Markdown in HTML."""
    items = _children(directive, page, locate, set(NESTED_DIRECTIVES))
    group = page.tab_group()
    tabs = [_box('<div class="myst-tab-item" markdown="1">',
                 f'<label><input type="radio" name="{html.escape(group)}"{" checked" if n == 1 else ""}> '
                 f"{html.escape(item.argument)}</label>\n\n{_body(item, page, locate)}", "</div>")
            for n, (item, _) in enumerate(items, start=1)]
    return _box('<div class="myst-tab-set" markdown="1">', "\n\n".join(tabs), "</div>")


def _grid(directive: Directive, page: PageProse, locate: Locate, where: SourceLocation) -> str:
    items = _children(directive, page, locate, {"grid-item-card", "grid-item", "card"})
    cards = "\n\n".join(_card(item, page, locate, at) for item, at in items)
    return _box('<div class="grid cards myst-grid" markdown="1">', cards, "</div>")


def _card(directive: Directive, page: PageProse, locate: Locate, where: SourceLocation) -> str:
    """A card: its title, its header above `^^^`, its body, its footer below `+++`."""
    parts = re.split(r"^\^{3}\s*$", _body(directive, page, locate), maxsplit=1, flags=re.MULTILINE)
    header, body = (parts[0], parts[1]) if len(parts) == 2 else ("", parts[0])
    body, _, footer = _footer(body)
    title = html.escape(directive.argument)
    link = str(directive.options.get("link") or "")
    if link and title:
        title = f'<a href="{html.escape(link)}">{title}</a>' if "://" in link else f"[{title}]({link})"
    parts = [f"**{title}**" if title else "", header.strip(), body.strip(), f"---\n\n{footer.strip()}" if footer.strip() else ""]
    return _box('<div class="card" markdown="1">', "\n\n".join(p for p in parts if p), "</div>")


def _footer(body: str) -> tuple[str, str, str]:
    parts = re.split(r"^\+{3}\s*$", body, maxsplit=1, flags=re.MULTILINE)
    return (parts[0], "", parts[1]) if len(parts) == 2 else (body, "", "")


# sphinx-exercise: exercises and their solutions, the solutions folded away.

def _exercise(directive: Directive, page: PageProse, locate: Locate, where: SourceLocation, gated: bool = False) -> str:
    number = None if "nonumber" in directive.options else page.number("exercise")
    title = "Exercise" + (f" {number}" if number else "") + (f" ({directive.argument})" if directive.argument else "")
    label = str(directive.options.get("label") or "")
    if label:
        page.target(label, "exercise", directive.argument, number, where)
    if not gated:
        return _callout(page, "exercise", html.escape(title), _body(directive, page, locate), label)
    anchor = f' id="{html.escape(label)}"' if label else ""
    page.open_gate("</div>", where)
    return f'<div class="admonition exercise"{anchor} markdown="1">\n<p class="admonition-title">{html.escape(title)}</p>'


def _solution(directive: Directive, page: PageProse, locate: Locate, where: SourceLocation, gated: bool = False) -> str:
    title = f"Solution to {page.reference('title', directive.argument, None, where)}" if directive.argument else "Solution"
    label = str(directive.options.get("label") or "")
    if not gated:
        return _callout(page, "solution", title, _body(directive, page, locate), label, collapsed=True)
    anchor = f' id="{html.escape(label)}"' if label else ""
    page.open_gate("</details>", where)
    return f'<details class="solution"{anchor} markdown="1">\n<summary>{title}</summary>'


def _gate_end(directive: Directive, page: PageProse, locate: Locate, where: SourceLocation) -> str:
    closing = page.close_gate()
    if closing is None:
        page.warn(where, f"'{{{directive.name}}}' closes nothing: no exercise or solution is open")
        return ""
    return closing


def _proof(directive: Directive, page: PageProse, locate: Locate, where: SourceLocation) -> str:
    """sphinx-proof's theorems, definitions, proofs...: numbered per kind, as admonitions."""
    kind = directive.name.partition(":")[2] or directive.name
    number = None if kind == "proof" or "nonumber" in directive.options else page.number(kind)
    title = kind.title() + (f" {number}" if number else "") + (f" ({html.escape(directive.argument)})" if directive.argument else "")
    label = str(directive.options.get("label") or "")
    if label:
        page.target(label, kind, directive.argument, number, where)
    return _callout(page, "note myst-proof", title, _body(directive, page, locate), label)


# Tables: a pipe table of Python-Markdown's `tables` extension, captioned and numbered.

def _table(directive: Directive, page: PageProse, locate: Locate, where: SourceLocation) -> str:
    if directive.name == "table":
        rows_markdown = _body(directive, page, locate)
    else:
        rows = _list_rows(directive, page, locate) if directive.name == "list-table" else _csv_rows(directive, page, where)
        if not rows:
            page.warn(where, f"'{{{directive.name}}}' has no rows")
            return ""
        rows_markdown = _pipe_table(rows, _header_rows(directive, rows))
    number = page.number("table")
    label = str(directive.options.get("name") or "")
    if label:
        page.target(label, "table", directive.argument, number, where)
    caption = _numbered(f"Table {number}" if number else "", directive.argument)
    return f'<p class="myst-table-caption"{_id(directive)} markdown="1">{caption}</p>\n\n{rows_markdown}'


def _header_rows(directive: Directive, rows: list[list[str]]) -> int:
    try:
        return int(directive.options.get("header-rows", 1 if directive.options.get("header") else 0))
    except (TypeError, ValueError):
        return 0


def _list_rows(directive: Directive, page: PageProse, locate: Locate) -> list[list[str]]:
    """A list of lists: each item a row, each of its items a cell."""
    lines = directive.body.split("\n")
    tokens = PARSER.parse(directive.body)
    rows: list[list[str]] = []
    depth = 0
    for token in tokens:
        if token.type == "bullet_list_open":
            depth += 1
        elif token.type == "bullet_list_close":
            depth -= 1
        elif token.type == "list_item_open" and depth == 1:
            rows.append([])
        elif token.type == "list_item_open" and depth == 2:
            start, end = span(token)
            cell = re.sub(r"^\s*(?:[-*+]\s+){1,2}", "", "\n".join(lines[start:end]), count=1)
            text = page.translate_part(_dedent(cell), directive.body_offset + start, locate)
            rows[-1].append(text)
    return rows


def _dedent(text: str) -> str:
    lines = text.split("\n")
    indent = min((len(line) - len(line.lstrip()) for line in lines[1:] if line.strip()), default=0)
    return "\n".join([lines[0].strip(), *(line[indent:] for line in lines[1:])]).strip()


def _csv_rows(directive: Directive, page: PageProse, where: SourceLocation) -> list[list[str]]:
    delimiter = str(directive.options.get("delim", ",")).replace("tab", "\t").replace("space", " ") or ","
    text = directive.body
    if directive.options.get("file"):
        text = _file_text(page, str(directive.options["file"]), where, f"'{{csv-table}}' :file: {directive.options['file']}") or ""
    header = [next(csv.reader([str(directive.options["header"])], skipinitialspace=True))] if directive.options.get("header") else []
    return header + [row for row in csv.reader(io.StringIO(text), delimiter=delimiter[0], skipinitialspace=True) if row]


def _pipe_table(rows: list[list[str]], header_rows: int) -> str:
    width = max(len(row) for row in rows)
    cells = [[_cell(text) for text in row] + [""] * (width - len(row)) for row in rows]
    head = cells[0] if header_rows else [""] * width
    body = cells[header_rows:] if header_rows else cells
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * width]
    lines += ["| " + " | ".join(row) + " |" for row in body]
    return "\n".join(lines)


def _cell(text: str) -> str:
    """A cell's Markdown on one line: paragraphs joined by a line break, pipes escaped."""
    paragraphs = [" ".join(line.strip() for line in part.split("\n")) for part in re.split(r"\n\s*\n", text.strip())]
    return "<br>".join(paragraphs).replace("|", "\\|")


# sphinx-design's `:ref-type:` of a {button-ref}, as the reference it makes: `any` and `myst` find a label or a page.
BUTTON_REF_TYPES = {"ref": "ref", "doc": "doc", "any": "link", "myst": "link"}


def _button(directive: Directive, page: PageProse, locate: Locate, where: SourceLocation) -> str:
    """sphinx-design's button: a link drawn as Material's button (attr_list). `{button-ref}` names a label, or with
    `:ref-type:` a page or a MyST link's target, which resolves across the course as its role does; `{button-link}`
    an address, on the web or relative to the page."""
    text = directive.body.strip() or None
    if directive.name == "button-ref":
        ref_type = str(directive.options.get("ref-type") or "ref")
        if ref_type not in BUTTON_REF_TYPES:
            page.warn(where, f"'{{button-ref}}' :ref-type: {ref_type}: one of {', '.join(BUTTON_REF_TYPES)} is meant; read as ref")
        role = BUTTON_REF_TYPES.get(ref_type, "ref")
        return page.reference(role, directive.argument, text, where, attributes="{ .md-button }")
    if re.match(r"^[a-z][a-z0-9+.-]*:", directive.argument, re.IGNORECASE) and not re.match(r"^(https?|mailto):",
                                                                                           directive.argument):
        page.warn(where, f"'{{button-link}}' {directive.argument}: only http(s), mailto and relative addresses are linked")
        return html.escape(text or directive.argument)
    shown = html.escape(text or directive.argument)
    return f'<a class="md-button" href="{html.escape(directive.argument)}">{shown}</a>'


def _embed(directive: Directive, page: PageProse, locate: Locate, where: SourceLocation) -> str:
    """An iframe from an address on the web; a video from one, or a file of the lesson's (served beside the page)."""
    address = directive.argument
    on_the_web = re.match(r"^https?://", address) is not None
    if not on_the_web and (directive.name == "iframe" or re.match(r"^[a-z][a-z0-9+.-]*:|/", address, re.IGNORECASE)):
        page.warn(where, f"'{{{directive.name}}}' {address}: only http(s) addresses"
                  f"{'' if directive.name == 'iframe' else ' and files beside the lesson'} are embedded")
        return ""
    if not on_the_web:
        address = page.link_file(address, where)
    width = str(directive.options.get("width") or "100%")
    width = width if re.fullmatch(r"\d+(\.\d+)?(px|%|em|rem)?", width) else "100%"
    if directive.name == "video":
        return f'<video controls src="{html.escape(address)}" style="max-width: {width}"></video>'
    return f'<iframe src="{html.escape(address)}" width="{width}" height="400" loading="lazy" referrerpolicy="no-referrer"></iframe>'


def _diagram(directive: Directive, page: PageProse, locate: Locate, where: SourceLocation) -> str:
    """A Mermaid diagram as the fenced block Material draws where superfences has a `mermaid` custom fence (a code
    block otherwise)."""
    fence = fence_around(directive.body)
    return f"{fence}mermaid\n{directive.body}\n{fence}"


def _rubric(directive: Directive, page: PageProse, locate: Locate, where: SourceLocation) -> str:
    return f'<p class="rubric"><strong>{html.escape(directive.argument)}</strong></p>'


def _dropped(directive: Directive, page: PageProse, locate: Locate, where: SourceLocation) -> str:
    return ""


# The rule of each group of myst/syntax.py's DIRECTIVE_GROUPS.
RULES: dict[str, Callable[[Directive, PageProse, Locate, SourceLocation], str]] = {
    "admonition": _admonition, "titled admonition": _plain_admonition, "code": _code, "image": _image, "raw": _raw,
    "math": _math, "bibliography": _bibliography, "literalinclude": _literalinclude, "include": _include,
    "glue": _glue, "quote": _quote, "aside": _aside, "container": _container, "tab set": _tab_set, "grid": _grid,
    "card": _card, "exercise": _exercise, "solution": _solution,
    "gated exercise": functools.partial(_exercise, gated=True), "gated solution": functools.partial(_solution, gated=True),
    "gate end": _gate_end, "table": _table, "proof": _proof, "button": _button, "embed": _embed,
    "diagram": _diagram, "rubric": _rubric, "dropped": _dropped, "markdown figure": _markdown_figure,
}

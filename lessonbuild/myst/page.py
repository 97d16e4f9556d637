"""One lesson's MyST prose as the site shows it: blocks through the directives' rules, inline math,
roles and links to labels in place, targets collected for the references of the whole course."""
from __future__ import annotations

import html
import re
from collections import Counter
from pathlib import Path

from lessonbuild.errors import SourceLocation
from lessonbuild.fsutil import inside
from lessonbuild.myst import directives, roles

# pybtex itself is imported only where a course has .bib files.
from lessonbuild.myst.citations import Bibliography, anchor
from lessonbuild.myst.lists import four_space_lists
from lessonbuild.myst.mathml import MathError, labels_in, tag_in, to_mathml
from lessonbuild.myst.parse import PARSER, Locate, directive_of, is_directive, plain_text, span
from lessonbuild.myst.references import CLOSE, OPEN, Reference, Target
from lessonbuild.myst.syntax import served_name

MAX_DEPTH = 50  # directives inside directives: each level is a few frames of Python's stack, which is not endless
# amsmath's environments that take an equation number where they are not starred (a matrix or `split` takes none).
NUMBERED_ENVIRONMENTS = frozenset({"equation", "multline", "gather", "align", "alignat", "flalign", "eqnarray"})
# Block elements whose Markdown, after a blank line, CommonMark (MyST, Jupyter) reads as Markdown, where Python-Markdown
# reads it as HTML unless the element says markdown="1" (md_in_html).
MARKDOWN_HOLDERS = re.compile(r"^(?P<indent>\s*)<(?P<tag>div|section|article|aside|details|center|figure|blockquote|header"
                              r"|footer|main|nav|p)\b(?P<attributes>[^>]*)>", re.IGNORECASE)
INLINE_KINDS = {"math_inline", "math_inline_double", "myst_role", "link_open", "code_inline"}


class PageProse:
    """The prose of one lesson, translated cell by cell, in order: numbers count through the lesson."""

    def __init__(self, lesson: str, title: str = "", bibliography: Bibliography | None = None,
                 folder: Path | None = None, lessons: Path | None = None, numbering: object = True, demote: bool = False,
                 scope: str = "lessons/"):
        self.lesson, self.title, self.bibliography = lesson, title, bibliography
        self.folder, self.lessons = folder, lessons  # the lesson's folder, and lessons/: what the prose may include
        self.scope = scope  # what the messages call `lessons` (a book's folder)
        self.cited: list[str] = []  # the keys the lesson cites, in order, once each
        self.bibliography_at: int | None = None  # the reference that stands for a {bibliography} directive
        self.translated = 0  # texts translated so far: the first is the top of the page
        self.nested = False  # translating inside a list item or a quote
        self.depth = 0  # directives open around the text being translated
        self.numbering = numbering  # MyST's `numbering` front matter: false, or per kind ({figure: false})
        self.demote = demote  # the lesson's sections are level-one headings: each heading goes one level down
        self.counters: Counter[str] = Counter()
        self.targets: list[Target] = []
        self.references: list[Reference] = []
        self.warnings: list[tuple[SourceLocation, str]] = []  # (where, message)
        self.files: list[tuple[str, SourceLocation]] = []  # (path relative to the lesson, where): files the prose links to
        self.looked_at: list[Path] = []  # every file the prose looked for (found or not): its render depends on them
        self.gates: list[tuple[str, SourceLocation]] = []  # exercise-start/solution-start still open: (closing HTML, where)
        self.anchors: set[str] = set()  # the ids of the page's headings so far
        if title:  # the page's title is its first heading, which the template writes
            self.anchors.add(heading_anchor(title, set()))
            self.anchor_target(heading_anchor(title, set()), title, None)

    def translate(self, markdown: str, locate: Locate) -> str:
        self.translated += 1
        translated = four_space_lists(self.translate_part(markdown, 0, locate))
        return _demoted(translated) if self.demote else translated

    def finish(self) -> str:
        """What the lesson's end needs: the closing of gated exercises and solutions left open (each with a warning),
        and the works it cites where it has no `{bibliography}`."""
        closing = []
        while self.gates:
            html_end, where = self.gates.pop()
            self.warn(where, "opened here and never closed: closed at the end of the lesson")
            closing.append(html_end)
        listing = self.bibliography.listing(self.cited) if self.cited and self.bibliography is not None else ""
        if self.bibliography_at is not None:
            where = self.references[self.bibliography_at].where
            self.references[self.bibliography_at] = Reference("verbatim", "", listing, where)
        elif listing:
            closing.append(f"## References\n\n{listing}")
        return "\n\n".join(closing)

    def cite(self, keys: list[str], textual: bool, where: SourceLocation) -> str:
        """A citation: `(Hamilton, 2005; Sargent, 1987)`, or `Hamilton (2005)` in running text, each linked to its entry."""
        shown = []
        for key in keys:
            if self.bibliography is None or key not in self.bibliography:
                self.warn(where, f"citation '{key}' is in no .bib file of the course (lessons/*.bib, lessons/<course>/*.bib): "
                                 "shown as its key")
                shown.append(key)
                continue
            if key not in self.cited:
                self.cited.append(key)
            authors, year = self.bibliography.authors_and_year(key)
            text = f"{authors} ({year})" if textual else f"{authors}, {year}"
            shown.append(f"[{html.escape(text)}](#{anchor(key)})")
        return "; ".join(shown) if textual else f"({'; '.join(shown)})"

    # What the directives and roles use.

    def file(self, name: str) -> Path | None:
        """A file beside the lesson that the prose includes, or None where there is no such file inside lessons/."""
        if self.folder is None or not name:
            return None
        file = (self.folder / name).resolve()
        self.looked_at.append(file)
        return file if (self.lessons is None or inside(file, self.lessons)) and file.is_file() else None

    def warn(self, where: SourceLocation, message: str) -> None:
        self.warnings.append((where, message))

    def link_file(self, path: str, where: SourceLocation) -> str:
        """A file of the lesson's (relative to it) that the prose offers: the site serves it beside the page, at the
        address this gives (syntax.served_name)."""
        self.files.append((path, where))
        return served_name(path)

    def place_bibliography(self, where: SourceLocation) -> str:
        """The placeholder of the `{bibliography}` directive: the works cited, known once the whole lesson is read."""
        self.bibliography_at = len(self.references)
        return self.reference("verbatim", "", None, where)

    def tab_group(self) -> str:
        """A new name for the radio buttons of one tab set (not a number the page shows)."""
        self.counters["tab-set"] += 1
        return f"tabs-{self.lesson}-{self.counters['tab-set']}"

    def open_gate(self, closing_html: str, where: SourceLocation) -> None:
        """An exercise or solution opened by its `-start` directive: its `-end` directive, cells later, closes it."""
        self.gates.append((closing_html, where))

    def close_gate(self) -> str | None:
        """The HTML that closes the innermost open exercise or solution; None where none is open."""
        return self.gates.pop()[0] if self.gates else None

    def number(self, kind: str) -> int | None:
        """The next number of its kind on the page; None where the lesson's `numbering` turns that kind off."""
        if not _numbers_on(self.numbering, kind):
            return None
        self.counters[kind] += 1
        return self.counters[kind]

    def target(self, label: str, kind: str, text: str, number: int | None, where: SourceLocation | None) -> None:
        self.targets.append(Target(label, self.lesson, kind, text, number, where))

    def reference(self, role: str, target: str, text: str | None, where: SourceLocation, attributes: str = "") -> str:
        self.references.append(Reference(role, target, text, where, attributes))
        return f"{OPEN}{len(self.references) - 1}{CLOSE}"

    def display_math(self, latex: str, label: str | None, where: SourceLocation, numbered: bool = False) -> str:
        """An equation on its own line; numbered when labelled (or an unstarred amsmath environment)."""
        labels = ([label] if label else []) + labels_in(latex)
        tag = tag_in(latex)  # `\tag{A}` shows its own mark, and takes no number
        number = self.number("equation") if (labels or numbered) and tag is None else None
        shown = tag or (f"({number})" if number else "")
        for name in labels:
            self.target(name, "equation", shown, number, where)
        anchor = f' id="{html.escape(labels[0])}"' if labels else ""
        eqno = f'<span class="eqno">{html.escape(shown)}</span>' if shown else ""
        return f'<div class="math-display"{anchor}>{self.math(latex, True, where)}{eqno}</div>'

    def math(self, latex: str, display: bool, where: SourceLocation) -> str:
        try:
            mathml = to_mathml(latex, display)
        except MathError as exc:
            self.warn(where, f"math shown as LaTeX ({exc})")
            source = html.escape(latex.strip())
            return f'<pre class="math-source"><code>{source}</code></pre>' if display else f"<code>{source}</code>"
        # Python-Markdown takes <math> for a block-level tag: a line that starts with one would leave its paragraph.
        return mathml if display else f'<span class="math-inline">{mathml}</span>'

    def translate_part(self, markdown: str, offset: int, locate: Locate) -> str:
        """Translate a text whose first line is line `offset + 1` of the cell (a directive's body)."""
        markdown = _unwrapped_environments(markdown)
        lines = markdown.split("\n")
        edits: list[tuple[int, int, str]] = []  # (first line, line after, the lines' new text)
        tokens = PARSER.parse(markdown)
        for index, token in enumerate(tokens):
            if token.map is None:
                continue
            start, end = token.map
            if token.type == "amsmath":
                end += 1  # mdit-py-plugins' amsmath ends its map at the \end line, where other blocks end after theirs
            where = locate(offset + start + 1)
            if token.type == "heading_open" and index + 1 < len(tokens):
                self._heading(tokens[index + 1], where)
            if token.type == "inline":
                new = self._inline(token, lines, offset, locate)
                if new is not None:
                    edits.append((start, end, new))  # the lines as they were, prefixes included, but for the edits
            elif (block := self._block_edit(tokens, index, lines, (start, end), offset, locate)) is not None:
                edits.append((start, end, block))
        for start, end, new in sorted(edits, key=lambda e: e[0], reverse=True):
            lines[start:end] = new.split("\n") if new else []
        return "\n".join(lines)

    def _block_edit(self, tokens, index: int, lines: list[str], span: tuple[int, int], offset: int,
                    locate: Locate) -> str | None:
        """The new text of a block's lines [start, end), its quote's or list's prefix kept; None to keep them."""
        start, end = span
        token, where = tokens[index], locate(offset + start + 1)
        prefix = re.match(r"[ >]*", lines[start]).group()  # type: ignore[union-attr]  # [ >]* always matches
        outer, self.nested = self.nested, self.nested or bool(prefix)
        if token.type == "html_block":
            new = _markdown_inside(token.content, "\n".join(lines[end:]))
        else:
            new = self._block(tokens, index, offset, locate, where)
        self.nested = outer
        if new is None:
            return None
        if new and end < len(lines) and lines[end].strip():
            new += "\n"  # a blank line ends the block before the next one (Python-Markdown's lists need it)
        return "\n".join(prefix + line if line else prefix.rstrip() for line in new.split("\n"))

    def _directive(self, directive, locate: Locate, where: SourceLocation) -> str | None:
        if self.depth >= MAX_DEPTH:
            self.warn(where, f"directives nested more than {MAX_DEPTH} levels deep: this one is shown as written")
            return None
        self.depth += 1
        try:
            return directives.shown(directive, self, locate, where)
        finally:
            self.depth -= 1

    def _inline(self, token, lines: list[str], offset: int, locate: Locate) -> str | None:
        if not any(child.type in INLINE_KINDS for child in token.children or []):
            return None
        start, end = token.map
        return roles.inline("\n".join(lines[start:end]), token.children, self, lambda line: locate(offset + start + line))

    def _block(self, tokens, index: int, offset: int, locate: Locate, where: SourceLocation) -> str | None:
        token = tokens[index]
        if is_directive(token):
            return self._directive(directive_of(token, offset), locate, where)
        if token.type == "math_block_label":
            return self.display_math(token.content, token.info, where)
        if token.type in ("math_block", "math_block_eqno"):
            return self.display_math(token.content, token.info or None, where)
        if token.type == "amsmath":  # mdit-py-plugins names the environment without its star, in meta "numbered"
            numbered = token.meta.get("numbered") != "*" and token.meta.get("environment") in NUMBERED_ENVIRONMENTS
            return self.display_math(token.content, None, where, numbered)
        if token.type == "myst_target":
            return self._target(tokens, index, token.content, where)
        if token.type == "myst_line_comment":
            return ""
        return None

    def _heading(self, inline, where: SourceLocation) -> None:
        """A heading's anchor on the page, as the site's table of contents makes it: a target of links to it
        (`page.md#its-anchor`), named `lesson#anchor`."""
        own = re.search(r"\{\s*#([\w-]+)[^}]*\}\s*$", inline.content)  # attr_list's `## Heading {#id}`
        anchor = own[1] if own else heading_anchor(plain_text(inline), self.anchors)
        self.anchors.add(anchor)
        self.anchor_target(anchor, plain_text(inline), where)

    def anchor_target(self, anchor: str, text: str, where: SourceLocation | None) -> None:
        """An anchor of the page (a heading's, an HTML `<a id>`), a target of links to it named `lesson#anchor`; the
        first of a name only, as a browser goes to the first."""
        label = f"{self.lesson}#{anchor}"
        if not any(target.label == label for target in self.targets):
            self.target(label, "heading", text, None, where)

    def _target(self, tokens, index: int, label: str, where: SourceLocation) -> str:
        """`(label)=` as an anchor; the heading after it names the target, and one at the top of the page its title (the
        page shows the title apart, so the heading is no longer there)."""
        following = tokens[index + 1] if index + 1 < len(tokens) else None
        if following is not None and following.type == "heading_open":
            text = plain_text(tokens[index + 2])
        else:
            text = self.title if self.translated == 1 and index == 0 else ""
        self.target(label, "section", text, None, where)
        return f'<a id="{html.escape(label)}"></a>'


def _markdown_inside(block: str, after: str) -> str | None:
    """An HTML block that opens an element the Markdown after it closes (`<div>`, a blank line, Markdown, `</div>`),
    its first tag saying markdown="1": Python-Markdown then reads that Markdown as CommonMark does."""
    match = MARKDOWN_HOLDERS.match(block)
    if match is None or "markdown=" in match["attributes"]:
        return None
    tag = match["tag"]
    opened = len(re.findall(rf"<{tag}\b", block, re.IGNORECASE)) - len(re.findall(rf"</{tag}\s*>", block, re.IGNORECASE))
    if opened <= 0 or not re.search(rf"</{tag}\s*>", after, re.IGNORECASE):
        return None
    own = f'{match["indent"]}<{tag}{match["attributes"].rstrip("/")} markdown="1">'
    return (own + block[match.end():]).rstrip("\n")


def heading_anchor(text: str, taken: set[str]) -> str:
    """The id Python-Markdown's toc extension gives a heading (the site's engine makes its pages with it)."""
    from markdown.extensions.toc import slugify, unique

    return unique(slugify(text, "-"), set(taken))


# A `$` line, then an amsmath environment: how notebooks wrap one for Jupyter's MathJax.
WRAPPED_ENVIRONMENT = re.compile(r"^[ \t]*\$[ \t]*\n[ \t]*\\begin\{", re.MULTILINE)


def _unwrapped_environments(markdown: str) -> str:
    """The text with the lone `$` lines around a top-level amsmath environment blanked (the line count kept): MyST
    reads the environment itself as display math, and the `$` lines would stay on the page as paragraphs."""
    if not WRAPPED_ENVIRONMENT.search(markdown):
        return markdown  # the common case: no second parse
    lines = markdown.split("\n")
    for token in PARSER.parse(markdown):
        if token.type != "amsmath" or token.map is None:
            continue
        before, after = token.map[0] - 1, token.map[1] + 1  # the map ends at the \end line (see translate_part)
        if before >= 0 and after < len(lines) and lines[before].strip() == "$" == lines[after].strip():
            lines[before] = lines[after] = ""
    return "\n".join(lines)


def _demoted(markdown: str) -> str:
    """Every heading one level down: the page's title is its only level-one heading, and the sections its table of
    contents lists are the level below (Kaggle's lessons write theirs as `# Section #`, Jupyter Book's as `#` too)."""
    lines = markdown.split("\n")
    for token in reversed([t for t in PARSER.parse(markdown) if t.type == "heading_open" and t.map]):
        start, end = span(token)
        level = min(int(token.tag[1]) + 1, 6)
        if token.markup.startswith("#"):
            lines[start] = re.sub(r"^(\s*)#{1,6}", rf"\g<1>{'#' * level}", lines[start], count=1)
        else:  # a setext heading: its text, then a line of = or -
            text = " ".join(line.strip() for line in lines[start:end - 1])
            lines[start:end] = [f"{'#' * level} {text}"]
    return "\n".join(lines)


def _numbers_on(numbering: object, kind: str) -> bool:
    """MyST's `numbering`: `false` for none, or per kind `figure: false` / `figure: {enabled: false}`."""
    if isinstance(numbering, bool):
        return numbering
    setting = numbering.get(kind, True) if isinstance(numbering, dict) else True
    return bool(setting.get("enabled", True)) if isinstance(setting, dict) else bool(setting)

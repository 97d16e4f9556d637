"""MyST's syntax, each rule once: labels, the title a lesson's heading gives, the option block at the top of a
directive or a code cell, the fence and the inline form that show any text as it is (fenced, literal), and every
directive name the build knows, grouped by the rule that shows it.

A leaf: it imports nothing of the build, so reading a lesson (stage 1) and showing its prose (myst/) both
take their rules from here without importing each other.
"""
from __future__ import annotations

import itertools
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Literal

from markdown_it import MarkdownIt

COMMONMARK = MarkdownIt("commonmark")  # plain CommonMark: headings, lists and fences, as Jupyter reads them
LABEL = re.compile(r"^\s*\((?P<label>[^)\s]+)\)=\s*$", re.MULTILINE)  # `(label)=`, on the line before what it names
ROLE = re.compile(r"\{[\w:.-]+\}`([^`<]*?)\s*(?:<[^>]*>)?`")  # {role}`text <target>`: its text
OPENING_HEADING = re.compile(r"^#\s+(?P<title>.+?)(?:\s+#+)?\s*$")  # an H1 line, Kaggle's closing hashes allowed
# A line that may make a level-one heading (ATX `# Title`, or setext's `===`), in a quote or list item too: a text
# with none is not parsed.
HEADING_MARK = re.compile(r"^ {0,3}(?:(?:>|[*+-]|\d{1,9}[.)])[ \t]*)*(#([ \t]|$)|=+[ \t]*$)", re.MULTILINE)


def first_heading(markdown: str) -> str | None:
    """The text of the first level-one heading (as CommonMark reads it: not in a code block), roles as their text.

    This is the title of a lesson, notebook or MyST file that names none in its front matter, as Jupyter
    Book takes it."""
    first = next(_level_one_headings(markdown, in_html=True), None)
    return _heading_text(first[0]) if first is not None else None


def has_level_one_heading(markdown: str) -> bool:
    """Whether the text has a level-one heading (an empty one too) that the page shows as one: then its sections
    are level-one headings."""
    return next(_level_one_headings(markdown, in_html=False), None) is not None


def title_heading(markdown: str) -> tuple[str, int, int] | None:
    """The first level-one heading of the text's own (not in a quote, a list or HTML): its text as `first_heading`
    reads it, and the lines [start, end) it takes, setext's underline too."""
    first = next(_level_one_headings(markdown, in_html=False, nested=False), None)
    return (_heading_text(first[0]) or "", *first[1]) if first is not None and first[1] else None


def _heading_text(raw: str) -> str | None:
    return ROLE.sub(r"\1", raw).strip(" #") or None


def _level_one_headings(markdown: str, in_html: bool, nested: bool = True) -> Iterator[tuple[str, tuple[int, int] | None]]:
    """The level-one headings' texts and lines; then, `in_html`, those written inside HTML blocks (Kaggle's notebooks
    centre their title in `<center>` or `<div>`, where CommonMark reads no Markdown, but a reader still sees a title)."""
    if not HEADING_MARK.search(markdown):
        return  # no line could be one: the parse is skipped
    tokens = COMMONMARK.parse(markdown)
    for opening, inline in itertools.pairwise(tokens):
        if opening.type == "heading_open" and opening.tag == "h1" and (nested or opening.level == 0):
            yield inline.content, (opening.map[0], opening.map[1]) if opening.map else None
    for token in tokens if in_html else ():
        if token.type == "html_block":
            yield from ((match["title"], None) for line in token.content.split("\n")
                        if (match := OPENING_HEADING.match(line.strip())))


BACKTICK_RUN = re.compile(r"`+")


def fence_around(text: str) -> str:
    """A backtick fence longer than any run of backticks in `text`: no line of the text can close it, whether the
    reader closes a fence on a line at least as long (CommonMark) or exactly as long (SuperFences), indented or not;
    and a tilde or colon fence inside is only text within it."""
    return "`" * max(3, 1 + max((len(run) for run in BACKTICK_RUN.findall(text)), default=0))


def fenced(text: str, info: str = "") -> str:
    """`text` as a fenced code block that shows it as it is, whatever it holds (fence_around)."""
    fence = fence_around(text)
    return f"{fence}{info}\n{text}\n{fence}"


# What Markdown, its extensions or HTML may read in running text: links and images, emphasis, code, attribute lists
# (`{onclick=...}`), tags and entities, escapes. Punctuation that numbers and sentences need (`.,%-+/:;?@$`) makes none.
MARKUP_CHARACTERS = re.compile(r"""[!"#&'()*<=>\[\\\]^_`{|}~]""")


def literal(text: str) -> str:
    """`text` as running prose shows it, as it is: every character that could be read as markup (`[a](javascript:`,
    `<script>`, `*`) as an HTML character reference."""
    return MARKUP_CHARACTERS.sub(lambda match: f"&#{ord(match[0])};", text)


@dataclass(frozen=True)
class OptionBlock:
    """The options at the top of a directive's or a code cell's body, as MyST writes them: a YAML block between
    `---` lines, or `:key: value` lines (with `:  more` lines continuing a mapping, as MyST-NB's `:mystnb:`)."""

    style: Literal["yaml", "fields", "none"]
    lines: tuple[str, ...]  # the block's own lines, without the `---` lines
    used: int  # lines of the body the block takes
    closed: bool = True  # False: a `---` block that no `---` line closes

    def yaml(self) -> str:
        """The block as YAML text (a `:key: value` line is YAML once its first colon goes)."""
        return "\n".join(line.strip()[1:] if self.style == "fields" else line for line in self.lines)

    def fields(self) -> dict[str, str]:
        """The `:key: value` lines as MyST-Parser gives a directive's options: every value a string."""
        found = (re.match(r"^:(?P<key>[\w-]+):(?P<value>.*)$", line.strip()) for line in self.lines)
        return {match["key"]: match["value"].strip() for match in found if match}


def option_block(body: list[str], continued: bool = False) -> OptionBlock:
    """The option block that opens `body`, if any. `continued`: a code cell's, whose `:  more` lines continue a
    mapping (MyST-NB); a directive's `:key: value` lines stand alone, each on a line of its own (MyST-Parser)."""
    stripped = [line.strip() for line in body]
    if stripped and stripped[0] == "---":
        if "---" not in stripped[1:]:
            return OptionBlock("yaml", tuple(body[1:]), len(body), closed=False)
        closing = 1 + stripped[1:].index("---")
        return OptionBlock("yaml", tuple(body[1:closing]), closing + 1)
    used = 0
    if continued:  # as MyST-NB reads a cell: from the line's first character
        while used < len(body) and re.match(r"^:(?:[\w-]+:|\s+\S)", body[used]):
            used += 1
    else:  # as MyST-Parser reads a directive: each line stripped
        while used < len(body) and re.match(r"^:[\w-]+:", body[used].strip()):
            used += 1
    return OptionBlock("fields" if used else "none", tuple(body[:used]), used)


# Fences that are cells of a MyST notebook rather than prose.
CELL_DIRECTIVES: dict[str, Literal["code", "raw"]] = {"{code-cell}": "code", "{raw-cell}": "raw"}

# The directives of MyST, MyST-NB, sphinx-design, sphinx-exercise, sphinx-proof, sphinx-togglebutton and
# sphinxcontrib-bibtex that Jupyter Book lessons use, by the rule of myst/directives.py that shows each.
# A name in no group is an unknown directive: shown as prose in a box, with a warning.
DIRECTIVE_GROUPS: dict[str, frozenset[str]] = {
    "admonition": frozenset({
        "note", "tip", "hint", "important", "warning", "caution", "attention", "danger", "error", "seealso",
        "versionadded", "versionchanged", "deprecated",
    }),
    "titled admonition": frozenset({"admonition", "topic", "dropdown"}),
    "code": frozenset({"code-block", "code", "sourcecode"}),
    "image": frozenset({"figure", "image"}),
    "raw": frozenset({"raw"}),
    "math": frozenset({"math"}),
    "bibliography": frozenset({"bibliography", "footbibliography"}),
    "markdown figure": frozenset({"figure-md"}),
    "literalinclude": frozenset({"literalinclude"}),
    "include": frozenset({"include"}),
    "glue": frozenset({"glue", "glue:", "glue:any", "glue:text", "glue:figure", "glue:math", "glue:md"}),
    "quote": frozenset({"epigraph", "pull-quote", "highlights"}),
    "aside": frozenset({"margin", "sidebar"}),
    "container": frozenset({"div", "container", "only", "grid-item", "toggle"}),
    "tab set": frozenset({"tab-set"}),
    "grid": frozenset({"grid"}),
    "card": frozenset({"card", "grid-item-card"}),
    "exercise": frozenset({"exercise"}),
    "solution": frozenset({"solution"}),
    "gated exercise": frozenset({"exercise-start"}),
    "gated solution": frozenset({"solution-start"}),
    "gate end": frozenset({"exercise-end", "solution-end"}),
    "table": frozenset({"list-table", "csv-table", "table"}),
    "proof": frozenset({"proof", "prf:proof", "prf:theorem", "prf:lemma", "prf:definition", "prf:example"}),
    "button": frozenset({"button-link", "button-ref"}),
    "embed": frozenset({"iframe", "video"}),
    "diagram": frozenset({"mermaid"}),
    "rubric": frozenset({"rubric"}),
    "dropped": frozenset({"toctree", "tableofcontents", "index", "contents", "highlight"}),  # a book's organisation
}
# Directives shown only inside another's rule: a tab item inside its tab set.
NESTED_DIRECTIVES = frozenset({"tab-item", "tabbed"})
KNOWN_DIRECTIVES = frozenset().union(*DIRECTIVE_GROUPS.values(), NESTED_DIRECTIVES)


def directive_group(name: str) -> str | None:
    """The group of the rule that shows the directive `name`; None for one the build does not know."""
    if name.startswith("prf:"):
        return "proof"  # sphinx-proof has many kinds, all shown alike
    return next((group for group, names in DIRECTIVE_GROUPS.items() if name in names), None)


# MyST-NB's per-cell `mystnb:` options that say what the page leaves out, as the tags that say the same.
MYSTNB_TAGS = {("remove_code_source", True): "remove-input", ("remove_code_outputs", True): "remove-output",
               ("output_stderr", "remove"): "remove-stderr"}


def mystnb_tags(options: object) -> list[str]:
    """The tags a cell's `mystnb:` options stand for; none where they are no mapping."""
    if not isinstance(options, dict):
        return []
    return [tag for (key, value), tag in MYSTNB_TAGS.items() if options.get(key) == value]


# What a site engine takes for a page of its own: a file the prose offers for download with such a name (a book's
# page offering its own source) is served as text beside the page, as Sphinx serves sources (`_sources/x.md.txt`).
PAGE_SOURCE_SUFFIXES = (".md", ".markdown", ".mdown", ".mkdn", ".mkd")


def served_name(path: str) -> str:
    """The name a file of the lesson's is served by on the site: its own, or with `.txt` after a page's suffix."""
    return f"{path}.txt" if path.lower().endswith(PAGE_SOURCE_SUFFIXES) else path


# A link to a page by its source: `[text](other.ipynb#section "title")` (or a jupytext page's .Rmd), relative to
# the page.
LINK_TEXT = r"(?:[^\[\]]|\[[^\[\]]*\])*"  # a link's text, brackets one deep in it (`[[1]](#notes)`)
LESSON_LINK = re.compile(rf"(?<!!)\[(?P<text>{LINK_TEXT})\]\((?P<target>(?![a-z][a-z0-9+.-]*:|/)[^)\s#]+\.(?:md|ipynb|Rmd))"
                         r"(?P<anchor>#[^)\s]*)?(?P<title>\s+\"[^\"]*\")?\)")
RELATIVE = r"(?![a-z][a-z0-9+.-]*:|/|#)"  # not a URL, not absolute, not an anchor
# An image of the prose: ![alt](src "title") or <img src="src"> (or raw HTML's video); src relative to the lesson's folder, or (in a
# book, as Sphinx reads it) to the book's root where it starts with one "/".
IMAGE_SOURCE = rf"(?:{RELATIVE}|/(?!/))"
PROSE_IMAGE = re.compile(rf"!\[[^\]]*\]\((?P<md>{IMAGE_SOURCE}[^)\s]+)(?:\s+\"[^\"]*\")?\)"
                         rf"|<(?:img|video|audio|source|embed)\b[^>]*\bsrc=[\"'](?P<html>{IMAGE_SOURCE}[^\"']+)[\"']"
                         rf"|^\s*(?:`{{3,}}|:{{3,}})\{{(?:figure|image)\}}\s+(?P<directive>{IMAGE_SOURCE}\S+)")
# Raw HTML's link to a relative address (`<a href="data/table.csv">`), which the site engine leaves as written; one
# to a page's source (LINKED_PAGES) is the page's, any other may be a file served beside the page.
RAW_LINK = re.compile(rf"<a\s[^>]*\bhref=[\"'](?P<href>{RELATIVE}[^\"']+)[\"']")
LINKED_PAGES = (*PAGE_SOURCE_SUFFIXES, ".ipynb", ".rmd")

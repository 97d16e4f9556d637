"""Labels and the references to them, across the lessons of a course.

A lesson's prose is translated before the others' labels are known, so a reference is written as
a placeholder (a private-use character pair around its number) and kept with what it asks for;
once every lesson of the course is translated, `resolve` puts the link in its place, or the text
alone with a warning where the label points nowhere.
"""
from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass, replace

from lessonbuild.errors import SourceLocation

OPEN, CLOSE = "\ue000", "\ue001"  # Unicode private use: never in a lesson's own text
PLACEHOLDER = re.compile(f"{OPEN}(\\d+){CLOSE}")
# How {numref} names each kind of numbered thing when the reference gives no text, as Sphinx does.
NUMREF_FORMAT = {"figure": "Fig. {number}", "table": "Table {number}", "code": "Listing {number}",
                 "equation": "Eq. ({number})", "exercise": "Exercise {number}", "section": "Section {number}"}


@dataclass(frozen=True)
class Target:
    """What a label names: a section, a figure, an equation... of one lesson."""

    label: str
    lesson: str  # the lesson's slug: its page is <slug>.md beside the referring page
    kind: str  # section, figure, table, code, equation, exercise, solution, or the kind of a proof ("theorem")
    text: str  # what {ref} shows: the heading, the caption, the title
    number: int | None = None
    where: SourceLocation | None = None  # of its definition

    @property
    def numbered(self) -> str:
        """`Fig. 2`, `Exercise 1`, `(3)`: the target as it is named by number."""
        if self.number is None:
            return self.text
        kind = NUMREF_FORMAT.get(self.kind, self.kind.title() + " {number}")
        return kind.format(number=self.number)


@dataclass(frozen=True)
class Reference:
    """A reference waiting for its target: a role ({ref}, {numref}, {eq}, {doc}), or a link to a label."""

    # ref, numref, eq, doc, link, path (a page, by its path), title (an exercise's name, for its solution), verbatim
    role: str
    target: str
    text: str | None  # the text the author gave, if any
    where: SourceLocation  # for a warning
    attributes: str = ""  # attr_list's, given to the link where the reference resolves to one (a button)


def lesson_link(lesson: str, current: str, anchor: str = "") -> str:
    """The Markdown address of another lesson's page (or this one's), with an anchor; MkDocs resolves it. A book's
    pages sit in folders (`chapter1/intro`): the address is relative to the current page's folder."""
    page = "" if lesson == current else posixpath.relpath(f"{lesson}.md", posixpath.dirname(current) or ".")
    return f"{page}#{anchor}" if anchor else (page or "#")


def doc_target(target: str, current: str) -> str:
    """The lesson a {doc} names: relative to the current page's folder, or to the book's root where it starts
    with "/", as Sphinx reads it; a suffix may be given."""
    folder = "" if target.startswith("/") else posixpath.dirname(current)
    named = posixpath.normpath(posixpath.join(folder, target.lstrip("/")))
    stem, suffix = posixpath.splitext(named)
    return stem if suffix in (".md", ".ipynb", ".html") else named  # .html: where Sphinx publishes the page


def resolve(text: str, references: list[Reference], targets: dict[str, Target], lessons: dict[str, str],
            current: str, warn) -> str:
    """The text with each placeholder replaced; `lessons` maps each lesson's slug to its title, `warn(where, message)`."""

    def replace(match: re.Match) -> str:
        reference = references[int(match[1])]
        shown = _shown(reference, targets, lessons, current, warn)
        return shown + reference.attributes if reference.attributes and shown.startswith("[") else shown

    return PLACEHOLDER.sub(replace, text)


def _shown(reference: Reference, targets: dict[str, Target], lessons: dict[str, str], current: str, warn) -> str:
    if reference.role == "verbatim":
        return reference.text or ""
    if reference.role == "doc":
        slug = doc_target(reference.target, current)
        if slug not in lessons:  # a course's lessons share one folder: {doc} may name one by its file's name alone
            slug = posixpath.splitext(posixpath.basename(reference.target))[0]
        if slug not in lessons:
            warn(reference.where, f"{{doc}} '{reference.target}' is no lesson of this course: shown as text")
            return _escaped(reference.text or reference.target)
        return f"[{_escaped(reference.text or lessons[slug])}]({lesson_link(slug, current)})"
    if reference.role == "anchor":
        return _anchor_link(reference, targets, current, warn)
    if reference.role == "path":
        return _path_link(reference, targets, lessons, current, warn)
    target = targets.get(reference.target)
    if target is None and reference.role == "link" and (page := doc_target(reference.target, current)) in lessons:
        return f"[{_escaped(reference.text or lessons[page])}]({lesson_link(page, current)})"  # MyST: a page, by its path
    if target is None:
        what = "link to" if reference.role == "link" else f"{{{reference.role}}}"
        warn(reference.where, f"{what} '{reference.target}', which no lesson of this course defines: shown as text")
        return _escaped(reference.text or reference.target)
    if reference.role == "title":
        return _escaped(target.numbered + (f" ({target.text})" if target.text else ""))
    return f"[{_escaped(_text(reference, target))}]({lesson_link(target.lesson, current, target.label)})"


def _path_link(reference: Reference, targets: dict[str, Target], lessons: dict[str, str], current: str, warn) -> str:
    """MyST's link to a page by its path (`/reference/x`, `../intro#part`): to the page (its section), or as written."""
    path, _, anchor = reference.target.partition("#")
    page = doc_target(path, current)
    if page in lessons and anchor:
        return _anchor_link(replace(reference, role="anchor", target=f"{page}#{anchor}"), targets, current, warn)
    if page in lessons:
        return f"[{_escaped(reference.text or lessons[page])}]({lesson_link(page, current)})"
    return f"[{reference.text or reference.target}]({reference.target})"


def _anchor_link(reference: Reference, targets: dict[str, Target], current: str, warn) -> str:
    """A link to a section of a lesson's page (`page.md#anchor`, `#anchor`): to the heading or label it names, found
    as Jupyter names anchors too (`#Big-O-Notation`: the heading's words, their case kept); to the page alone, with a
    warning, where the page has none of that name."""
    page, _, anchor = reference.target.partition("#")
    text = reference.text or ""
    heading = targets.get(f"{page}#{anchor}")
    if not text and heading is not None:  # `[](other.md#part)`: MyST shows the section's heading
        text = _escaped(heading.text)
    label = targets.get(anchor)  # `(label)=`, whose anchor is the label itself
    if label is not None and page == current and label.lesson != page:
        page = label.lesson  # `[](#label)`: MyST (and mystmd) find a label on any page of the project
    if not text and label is not None and label.lesson == page:
        text = _escaped(_text(reference, label))
    found = anchor if f"{page}#{anchor}" in targets or (label is not None and label.lesson == page) else None
    if found is None:
        wanted = _words(anchor)
        found = next((label.partition("#")[2] for label, t in targets.items()
                      if t.kind == "heading" and t.lesson == page and _words(label.partition("#")[2]) == wanted), None)
    if found is None:
        warn(reference.where, f"link to '#{anchor}' on {'this page' if page == current else f'{page}.md'}, "
                              "which has no heading or label of that name: links to the page")
        return f"[{text or _escaped(anchor)}]({lesson_link(page, current) if page != current else '#'})"
    return f"[{text}]({lesson_link(page, current, found)})"


def _words(anchor: str) -> str:
    """An anchor as its words, lower case: `Big-O-Notation`, `big-o-notation` and `big_o_notation` are one."""
    return re.sub(r"[\W_]+", " ", anchor).strip().lower()


def _text(reference: Reference, target: Target) -> str:
    if reference.role == "eq":
        return f"({target.number})" if target.number else target.text or target.label
    if reference.role == "numref":
        if reference.text:
            return reference.text.replace("%s", str(target.number)).replace("{number}", str(target.number)).replace(
                "{name}", target.text)
        return target.numbered
    return reference.text or target.text or target.numbered or target.label


def _escaped(text: str) -> str:
    """Text that Markdown shows as it is, inside a link's brackets too."""
    return re.sub(r"([\\`*_\[\]<>])", r"\\\1", text)

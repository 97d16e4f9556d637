"""The importer: existing lessons into MyST Markdown lesson sources (the `import` command's work).

Two kinds of source: Jupyter notebooks (.ipynb; cells, tags and metadata kept, outputs
dropped) and the flattened text export of a notebook, where `In [...]:` opens a code cell
and `<!--TITLE: ...-->` names the lesson. Where a flattened code cell ends is decided with
Python's own parser: the cell takes the blank-line-separated blocks after the marker for as
long as they still parse together, and ends with the last block that holds code (so a
Markdown heading, which parses as a comment, is not swallowed).
"""
from __future__ import annotations

import ast
import io
import json
import re
import shutil
import tokenize
import warnings
from dataclasses import dataclass, field
from pathlib import Path

import jsonschema
import nbformat
import yaml
from nbformat.warnings import MissingIDFieldWarning

from lessonbuild.book import NAMED_PAGE_SUFFIXES
from lessonbuild.coursefile import (
    SLUG_NUMBER,
    add_lessons,
    course_folder,
    exercise_slug,
    lesson_slug,
    listed_slugs,
    next_slug,
    notebook_slug,
    open_course_file,
    save_course_file,
)
from lessonbuild.errors import SourceError, SourceLocation, SourceWarning, UsageError
from lessonbuild.fsutil import NotText, fresh_folder, read_text, replace_folder, write_atomic
from lessonbuild.importers.book import book_front_matter, is_book, plan_book
from lessonbuild.importers.describe import introduction
from lessonbuild.importers.files import Adopted, adopt_files
from lessonbuild.importers.tracks import TRACK_META, is_track, plan_track
from lessonbuild.model import KAGGLE_HIDING
from lessonbuild.myst.roles import TITLED
from lessonbuild.myst.syntax import LESSON_LINK, LINK_TEXT, first_heading
from lessonbuild.project import COURSE_FILE, Project
from lessonbuild.pycode import without_magics
from lessonbuild.state import names
from lessonbuild.yamldoc import value_or_none

INPUT_MARKER = re.compile(r"^In \[[^\]]*\]:\s*$")
TITLE_MARKER = re.compile(r"^<!--\s*TITLE:\s*(?P<title>.*?)\s*-->\s*$")
MYST_SUFFIXES = (".md", ".myst", ".mystnb")
# A MyST notebook (Jupyter Book's, jupytext's): code cells as {code-cell} fences, or jupytext's header.
MYST_NOTEBOOK = re.compile(r"^(`{3,}|:{3,})\{code-cell\}|^\s*format_name:\s*myst\b", re.MULTILINE)
JINJA_OPENING = re.compile(r"\{\{|\{%|\{##")


# learntools names a lesson's raw notebooks tut1.ipynb and ex1.ipynb: the tutorial and the exercise of lesson 1.
LEARNTOOLS_NAME = re.compile(r"^(?P<role>tut|tutorial|ex|exercise)[_-]?(?P<number>\d+)(?:[_-].*)?$", re.IGNORECASE)

# What the importer reads of a notebook, in the shapes nbformat's schema gives it (the outputs, which it drops,
# are not read): a notebook of another shape is refused at the cell, before any of it is used.
NOTEBOOK_SCHEMA = {
    "type": "object",
    "properties": {
        "metadata": {"type": "object", "properties": {"title": {"type": "string"}}},
        "cells": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "cell_type": {"enum": ["markdown", "code", "raw"]},
                    "source": {"type": ["string", "array"], "items": {"type": "string"}},  # text, or its lines
                    "metadata": {"type": "object", "properties": {"tags": {"type": "array", "items": {"type": "string"}}}},
                    "attachments": {"type": "object"},
                },
                "required": ["cell_type", "source"],
            },
        },
    },
}


@dataclass
class ImportedCell:
    kind: str  # "markdown", "code" or "raw"
    source: str
    metadata: dict = field(default_factory=dict)
    where: SourceLocation = SourceLocation(Path())  # noqa: RUF009 - immutable; where the cell starts, for messages


@dataclass
class ImportedLesson:
    title: str
    cells: list[ImportedCell]
    title_given: bool = True  # False: the title is a guess (the file's name or first heading)
    kaggle: dict = field(default_factory=dict)  # its kernel's own settings, from a learntools track
    verbatim: str | None = None  # a MyST notebook is a lesson as it is: its text, kept whole
    front_matter: dict = field(default_factory=dict)  # what its source says of it besides its title (CARRIED)


@dataclass
class ImportReport:
    written: list[Path]  # the lesson files
    copied: list[str]  # one line per helper module or data file copied into the course
    warnings: list[SourceWarning]


def import_lessons(sources: list[Path], course: str, project: Project, replace: bool = False) -> ImportReport:
    """Write each source as a lesson of `course` (created if need be), listed in its course.yml.

    learntools' tutN/exN notebooks become the tutorial and the exercise of one lesson. The helper
    modules and data files the code uses are copied into the course where they can be found.
    All or nothing: the course is put together in a staging copy, which replaces it at the end.
    A lesson the course has already (the same title) is refused, or replaced in place with `replace`.
    """
    folder = course_folder(project.lessons_dir, course)
    meta = open_course_file(folder, project.relative(folder / COURSE_FILE))
    warnings: list[SourceWarning] = []
    carried: list[Path] = []  # files the course folder takes as they are (a book's .bib files)
    if len(sources) == 1 and is_track(sources[0]):
        lessons = _track_lessons(sources[0], meta, project, warnings)
    elif len(sources) == 1 and is_book(sources[0]):
        lessons, carried = _book_lessons(sources[0], meta, project, warnings)
    else:
        lessons = _lessons_in_order([(source, _titled_by_bold_line(_read_source(source, project))) for source in sources])
        _introduced(meta, sources)
    existing = _existing_by_title(listed_slugs(meta))
    again = [existing[lesson_slug(found[1].title)] for *pair, _ in lessons for found in pair
             if found and lesson_slug(found[1].title) in existing]
    if again and not replace:
        listed = ", ".join(project.relative(folder / f"{slug}.md").as_posix() for slug in again)
        raise UsageError(f"the course has these lessons already: {listed} (import with --replace to write them anew)")
    staging = fresh_folder(project.build_dir / names.IMPORT / course)
    try:
        if folder.is_dir():
            shutil.copytree(folder, staging, dirs_exist_ok=True)
        report = _import_into(staging, lessons, meta, existing, project, project.relative(folder).as_posix())
        for file in carried:
            shutil.copy2(file, staging / file.name)
            report.copied.append(f"copied {project.relative(file).as_posix()} to {project.relative(folder).as_posix()}/")
        replace_folder(staging, folder)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
    return ImportReport([folder / path.name for path in report.written], report.copied, warnings + report.warnings)


def _track_lessons(track: Path, meta, project: Project, warnings: list[SourceWarning]) -> list[tuple]:
    """A learntools track's lessons, as (tutorial, exercise, topic); its course settings go into `meta`."""
    plan = plan_track(track, project.relative(track))
    warnings += plan.warnings
    if not listed_slugs(meta):  # a new course takes the track's name and settings; an author's own stay
        meta["title"] = plan.title
        meta.insert(list(meta).index("lessons"), "kaggle", plan.kaggle)  # the list of lessons stays last
    lessons = []
    for planned in plan.lessons:
        pair: list[tuple[Path, ImportedLesson] | None] = []  # the tutorial's, then the exercise's
        for notebook in (planned.tutorial, planned.exercise):
            if notebook is None:
                pair.append(None)
                continue
            lesson = _read_source(notebook.source, project)
            lesson.title, lesson.title_given, lesson.kaggle = notebook.title, True, notebook.kaggle
            pair.append((notebook.source, lesson))
        if pair != [None, None]:
            lessons.append((*pair, planned.topic))
    return lessons


def _introduced(meta, sources: list[Path]) -> None:
    """A new course takes its title and description from the notebooks' README or index notebook, where they
    have one."""
    found = None if listed_slugs(meta) else introduction(sources)
    if found is not None:
        meta["title"] = found.title
        meta["description"] = meta.get("description") or found.description


# A notebook's title written as a bold line that opens it (`**Tools - NumPy**`), its `#` headings being its sections.
BOLD_TITLE = re.compile(r"\A\s*(?:\*\*|__)(?P<title>[^*_\[\]<>`\n]+?)(?:\*\*|__)[ \t]*(?:\n|\Z)")


def _titled_by_bold_line(lesson: ImportedLesson) -> ImportedLesson:
    """The notebook titled by the bold line that opens its first cell, where no heading comes before it and its
    metadata names no title; the line becomes the front matter's title (the page shows it as its heading)."""
    first = lesson.cells[0] if lesson.cells and lesson.cells[0].kind == "markdown" else None
    match = BOLD_TITLE.match(first.source) if first is not None and not lesson.title_given else None
    if first is None or match is None:
        return lesson
    lesson.title, lesson.title_given = match["title"].strip(), True
    first.source = first.source[match.end():].lstrip("\n")
    if not first.source.strip():
        lesson.cells.remove(first)
    return lesson


def _book_lessons(root: Path, meta, project: Project, warnings: list[SourceWarning]) -> tuple[list[tuple], list[Path]]:
    """A book's pages as lessons, in its toc's order and under its titles; and its .bib files. A new course takes
    the book's title."""
    plan = plan_book(root, project.relative(root))
    warnings += plan.warnings
    if not listed_slugs(meta):
        meta["title"] = plan.book.title
    settings = book_front_matter(plan.book)
    lessons = []
    for source, toc_title in plan.pages:
        lesson = _read_source(source, project, settings.get("substitutions", {}), flatten=True)
        lesson.front_matter = {**settings, **lesson.front_matter}
        own = lesson.front_matter.get("substitutions")
        if settings.get("substitutions") and isinstance(own, dict):  # the page's own over the book's
            lesson.front_matter["substitutions"] = {**settings["substitutions"], **own}
        if toc_title and not lesson.title_given and _heading_title(lesson.cells) is None:
            lesson.title = toc_title  # a page with no heading of its own is called what the toc calls it
        elif toc_title and toc_title != lesson.title:
            lesson.front_matter["short_title"] = toc_title  # the navigation says what the toc says
        lessons.append(((source, lesson), None, None))
    return lessons, plan.bib_files


def _import_into(folder: Path, lessons: list[tuple], meta, existing: dict[str, str], project: Project, shown: str) -> ImportReport:
    """Write the lessons into `folder` (the staging copy of the course), and list the new ones in its course.yml."""
    planned, entries = _slugs(lessons, listed_slugs(meta), existing)
    renamed = {source.resolve(): slug for source, _, slug in planned}
    written, adopted = [], Adopted(shown)
    for source, lesson, slug in planned:
        adopt_files(lesson, source, folder, project, adopted)
        _relink(lesson, source, renamed, adopted)
        write_atomic(folder / f"{slug}.md", to_myst(lesson))
        written.append(folder / f"{slug}.md")
    add_lessons(meta, entries)
    save_course_file(folder, meta)
    return ImportReport(written, adopted.copied, adopted.warnings)


def _slugs(lessons: list[tuple], taken: list[str], existing: dict[str, str]) -> tuple[list[tuple], list]:
    """Each notebook's (source, lesson, slug), known before any is written so that their links to each other can
    name their new files; and the course file's new entries."""
    taken, planned, entries = list(taken), [], []
    for tutorial, exercise, topic in lessons:
        number_slug = next_slug(taken, (tutorial or exercise)[1].title)
        entry = {}
        for role, found in (("tutorial", tutorial), ("exercise", exercise)):
            if found is None:
                continue
            source, lesson = found
            slug = number_slug if role == "tutorial" or tutorial is None else exercise_slug(number_slug, lesson.title)
            slug = existing.get(lesson_slug(lesson.title), slug)  # a lesson imported again keeps its place
            planned.append((source, lesson, slug))
            if slug not in taken:
                entry[role] = {"lesson": slug, "kaggle": lesson.kaggle} if lesson.kaggle else slug
        taken += [notebook_slug(notebook) for notebook in entry.values()]
        if entry and topic:
            entry["topic"] = topic
        if entry:
            entries.append(entry["tutorial"] if list(entry) == ["tutorial"] else entry)
    return planned, entries


def _relink(lesson: ImportedLesson, source: Path, renamed: dict[Path, str], adopted: Adopted) -> None:
    """Links to the other notebooks imported with this one (`02.08-Sorting.ipynb#Big-O-Notation`) as links to
    their lessons' files (`05-sorting.md#Big-O-Notation`, whose anchor the build finds as the site names it); a
    link to a notebook left behind is a warning at its cell."""
    for cell in lesson.cells:
        if cell.kind != "markdown":
            continue

        def relinked(match: re.Match, cell: ImportedCell = cell) -> str:
            slug = renamed.get((source.parent / match["target"]).resolve())
            if slug is None:
                adopted.warnings.append(SourceWarning(cell.where, f"link to '{match['target']}', a notebook not "
                                                      "imported with this one: import it too, or link to it elsewhere"))
                return match[0]
            return f"[{match['text']}]({slug}.md{match['anchor'] or ''}{match['title'] or ''})"

        def role_relinked(match: re.Match) -> str:
            text, target = _role_target(match["content"])
            slug = _imported_page(source.parent, target, renamed)
            if slug is None:
                return match[0]  # no page imported with this one: a file, which adopt_files carried
            new = slug if match["role"] == "doc" else f"{slug}.md"
            return f"{{{match['role']}}}`{f'{text} <{new}>' if text else new}`"

        def button_relinked(match: re.Match) -> str:
            slug = _imported_page(source.parent, match["target"], renamed)
            return match[0] if slug is None else match[0].replace(match["target"], slug, 1)

        def path_relinked(match: re.Match) -> str:
            slug = _imported_page(source.parent, match["target"], renamed)
            return match[0] if slug is None else f"[{match['text']}]({slug}.md{match['anchor'] or ''})"

        cell.source = LESSON_LINK.sub(relinked, cell.source)
        cell.source = PAGE_PATH_LINK.sub(path_relinked, cell.source)
        cell.source = PAGE_ROLE.sub(role_relinked, cell.source)
        cell.source = PAGE_BUTTON.sub(button_relinked, cell.source)


# MyST's link to a page by its path, without its suffix: [the lecture](need_for_speed#section).
PAGE_PATH_LINK = re.compile(rf"(?<!!)\[(?P<text>{LINK_TEXT})\]\((?P<target>[\w.-]+(?:/[\w.-]+)*)(?P<anchor>#[^)\s]*)?\)")
# A role that names a page by its path (relative to the page, suffix left out or not): {doc}`../intro`; and
# sphinx-design's button that does (`:ref-type: doc` among the options after it).
PAGE_ROLE = re.compile(r"\{(?P<role>doc|download)\}`(?P<content>[^`]+)`")
PAGE_BUTTON = re.compile(r"^[ \t]*(?:`{3,}|:{3,})\{button-ref\}[ \t]+(?P<target>\S+)[ \t]*\n(?:[ \t]*:[\w-]+:.*\n)*?"
                         r"[ \t]*:ref-type:[ \t]*doc[ \t]*$", re.MULTILINE)


def _role_target(content: str) -> tuple[str, str]:
    match = TITLED.match(content.strip())
    return (match["text"], match["target"].strip()) if match else ("", content.strip())


def _imported_page(folder: Path, target: str, renamed: dict[Path, str]) -> str | None:
    """The slug of the imported page a path names (relative to the page's folder, its suffix given or not)."""
    if target.startswith("/") or "://" in target:
        return None
    names = [folder / target, *(folder / f"{target}{suffix}" for suffix in NAMED_PAGE_SUFFIXES)]
    return next((renamed[file] for file in (name.resolve() for name in names) if file in renamed), None)


def _existing_by_title(slugs: list[str]) -> dict[str, str]:
    """The course's lessons by the title part of their slugs (01-pooling -> pooling)."""
    return {SLUG_NUMBER.sub("", slug): slug for slug in slugs}


def _lessons_in_order(lessons: list[tuple[Path, ImportedLesson]]) -> list[tuple]:
    """(tutorial, exercise, topic) of each lesson: learntools' numbered pairs by number, then every other source on its own."""
    numbered: dict[int, dict[str, tuple]] = {}
    others = []
    for source, lesson in lessons:
        match = LEARNTOOLS_NAME.match(source.stem)
        if match is None:
            others.append((source, lesson))
            continue
        role = "tutorial" if match["role"].lower().startswith("tut") else "exercise"
        if role in numbered.setdefault(int(match["number"]), {}):
            raise UsageError(f"{source}: a second {role} for lesson {match['number']}")
        numbered[int(match["number"])][role] = (source, lesson)
    pairs = []
    for _, roles in sorted(numbered.items()):
        tutorial, exercise = roles.get("tutorial"), roles.get("exercise")
        if tutorial and exercise and not exercise[1].title_given:
            exercise[1].title = f"Exercise: {tutorial[1].title}"  # as Kaggle Learn names its exercises
        pairs.append((tutorial, exercise, None))
    return pairs + [(found, None, None) for found in others]


def _read_source(source: Path, project: Project, substitutions: dict | None = None, flatten: bool = False) -> ImportedLesson:
    """The lesson a source file holds. With `flatten` (a book's page, which leaves its folder), a MyST or jupytext
    page is read into cells, so that what it names can be carried and rewritten; elsewhere a MyST notebook is kept
    as it is. `substitutions`: names its prose may use as `{{ name }}`, besides its own front matter's."""
    if source.is_dir():
        what = "a learntools track, which is imported alone" if is_track(source) else f"a folder, and no learntools track (no {TRACK_META})"
        raise UsageError(f"{source}: {what}; name the notebooks to import")
    if not source.is_file():
        raise UsageError(f"{source}: no such file")
    shown = project.relative(source)
    text = _source_text(source, shown)
    if source.suffix == ".ipynb":
        _check_notebook_shape(text, shown)
        lesson = _from_notebook(text, source)
    elif flatten and source.suffix in (*MYST_SUFFIXES, ".Rmd"):
        lesson = _from_notebook(_text_as_notebook(text, source, "Rmd" if source.suffix == ".Rmd" else "md:myst"), source)
    elif source.suffix == ".py":
        lesson = _from_notebook(_script_as_notebook(text, source), source)
    elif source.suffix in MYST_SUFFIXES and MYST_NOTEBOOK.search(text):
        return ImportedLesson(_myst_title(text) or source.stem, [], verbatim=text)
    else:
        lesson = from_flattened_export(text, shown)
    own = lesson.front_matter.get("substitutions")
    names = {*(substitutions or {}), *(own if isinstance(own, dict) else {})}
    for cell in lesson.cells:
        if cell.kind == "markdown":
            cell.source = _escape_jinja(cell.source, names)
    return lesson


def _source_text(source: Path, shown: Path) -> str:
    try:
        return read_text(source)
    except NotText as exc:
        raise SourceError(shown, exc.line, str(exc)) from None
    except OSError as exc:
        raise UsageError(f"{source}: {exc.strerror}") from None


def _check_notebook_shape(text: str, shown: Path) -> None:
    """Refuse a notebook whose cells are not what NOTEBOOK_SCHEMA says, at the first cell that is not."""
    try:
        notebook = json.loads(text)
    except ValueError:
        return  # nbformat says why it is no notebook
    error = jsonschema.exceptions.best_match(jsonschema.Draft202012Validator(NOTEBOOK_SCHEMA).iter_errors(notebook))
    if error is None:
        return
    where = list(error.absolute_path)
    cell = where[1] + 1 if where[:1] == ["cells"] and len(where) > 1 else None
    keys = where[2:] if cell is not None else where
    message = f"'{'.'.join(str(key) for key in keys)}': {error.message}" if keys else error.message
    raise SourceError(shown, None, message, cell=cell)


def _escape_jinja(text: str, substitutions: set[str] | frozenset[str] = frozenset()) -> str:
    """Markdown cells are Jinja templates: what Jinja would read as its own ({{, {% or {##) is quoted, but for
    MyST's `{{ name }}` of a substitution the lesson has.

    Code needs nothing of the kind: the build replaces only its own names there."""
    def quoted(match: re.Match) -> str:
        name = SUBSTITUTION.match(text, match.end()) if match[0] == "{{" else None
        return match[0] if name and name["name"] in substitutions else "{{ '" + match[0] + "' }}"

    return JINJA_OPENING.sub(quoted, text)


SUBSTITUTION = re.compile(r"\s*(?P<name>[A-Za-z_]\w*)\s*\}\}")  # what follows `{{` in MyST's `{{ name }}`


def from_flattened_export(text: str, path: Path) -> ImportedLesson:
    lines = text.splitlines()
    title, title_given = path.stem, False
    cells: list[ImportedCell] = []
    prose: list[str] = []
    prose_start = 0
    index = 0
    while index < len(lines):
        line = lines[index]
        if match := TITLE_MARKER.match(line):
            title, title_given = match["title"], True
            index += 1
        elif INPUT_MARKER.match(line):
            cells += _markdown(prose, SourceLocation(path, prose_start + 1))
            start, code, index = _code_after_marker(lines, index + 1, path)
            cells.append(ImportedCell("code", code, where=SourceLocation(path, start + 1)))
            prose, prose_start = [], index
        else:
            prose.append(line)
            index += 1
    cells += _markdown(prose, SourceLocation(path, prose_start + 1))
    return ImportedLesson(title=title, cells=cells, title_given=title_given)


def _code_after_marker(lines: list[str], start: int, path: Path) -> tuple[int, str, int]:
    """The first line of the code cell after the marker line `start - 1`, its code, and the line after it."""
    stop = next((i for i in range(start, len(lines)) if INPUT_MARKER.match(lines[i])), len(lines))
    blocks = _blocks(lines, start, stop)
    taken = None
    for count in range(1, len(blocks) + 1):
        source = "\n".join(lines[blocks[0][0] : blocks[count - 1][1]])
        if not _parses(source):
            break
        if _has_code(lines[blocks[count - 1][0] : blocks[count - 1][1]]):
            taken = count
    if taken is None:
        raise SourceError(path, start, "no Python code after this 'In [ ]:' marker")
    end = blocks[taken - 1][1]
    return blocks[0][0], "\n".join(lines[blocks[0][0] : end]), end


def _blocks(lines: list[str], start: int, stop: int) -> list[tuple[int, int]]:
    """(first, after last) line of each run of non-blank lines."""
    blocks, first = [], None
    for index in range(start, stop):
        if lines[index].strip() and first is None:
            first = index
        elif not lines[index].strip() and first is not None:
            blocks.append((first, index))
            first = None
    if first is not None:
        blocks.append((first, stop))
    return blocks


def _parses(source: str) -> bool:
    try:
        ast.parse(without_magics(source))
    except SyntaxError:
        return False
    return True


def _has_code(block: list[str]) -> bool:
    """True when a block holds more than comments (a Markdown heading parses as a comment)."""
    ignored = {tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE, tokenize.ENDMARKER, tokenize.INDENT, tokenize.DEDENT}
    text = without_magics("\n".join(block)) + "\n"
    try:
        return any(token.type not in ignored for token in tokenize.generate_tokens(io.StringIO(text).readline))
    except (tokenize.TokenError, SyntaxError):
        return True  # part of a larger statement: code


def _markdown(prose: list[str], where: SourceLocation) -> list[ImportedCell]:
    text = "\n".join(prose).strip("\n")
    return [ImportedCell("markdown", text, where=where)] if text.strip() else []


def _script_as_notebook(text: str, source: Path) -> str:
    """A jupytext script (`# %%` cells, or the light format) as notebook JSON, read by jupytext itself."""
    import jupytext  # only `import` of a script needs it

    try:
        return nbformat.writes(jupytext.reads(text, fmt="py"))
    except Exception as exc:  # noqa: BLE001 - jupytext raises several kinds for a script it cannot read
        raise UsageError(f"{source}: not a script jupytext can read ({exc})") from None


def _text_as_notebook(text: str, source: Path, fmt: str) -> str:
    """A MyST or R Markdown page as the notebook jupytext reads it (its front matter in the notebook's metadata)."""
    import jupytext  # only an import of such pages needs it

    try:
        with warnings.catch_warnings():  # a page whose cells name their lexer in two ways is still one page
            warnings.simplefilter("ignore", UserWarning)
            return nbformat.writes(jupytext.reads(text, fmt=fmt))
    except Exception as exc:  # noqa: BLE001 - jupytext raises several kinds for a page it cannot read
        raise UsageError(f"{source}: not a page jupytext can read ({exc})") from None


# What a source says of the lesson besides its title, carried into its front matter (the notebook's metadata, a MyST
# page's front matter): what the build reads of a lesson and a reader sees. Kernels and jupytext's own are the
# project's.
CARRIED = ("description", "author", "authors", "date", "short_title", "substitutions", "numbering", "execution", "mystnb",
           "math", "abbreviations")


def _from_notebook(text: str, source: Path) -> ImportedLesson:
    try:
        with warnings.catch_warnings():  # older notebooks have no cell ids; the lesson source needs none
            warnings.simplefilter("ignore", MissingIDFieldWarning)
            notebook = nbformat.reads(text, as_version=4)
    except Exception as exc:  # noqa: BLE001 - nbformat raises several kinds for unreadable JSON
        raise UsageError(f"{source}: not a readable notebook ({exc})") from None
    cells = []
    for number, cell in enumerate(notebook.cells, start=1):
        metadata = _lesson_metadata(cell)
        if cell.get("attachments"):
            metadata["attachments"] = json.loads(json.dumps(cell.attachments))
        cells.append(ImportedCell(cell.cell_type, cell.source, metadata, where=SourceLocation(source, cell=number)))
    title = notebook.metadata.get("title")
    front_matter = {key: json.loads(json.dumps(notebook.metadata[key])) for key in CARRIED if key in notebook.metadata}
    return ImportedLesson(title=title or _heading_title(cells) or source.stem, cells=cells, title_given=bool(title),
                          front_matter=front_matter)


# Kaggle's own flags for hidden parts of a cell, and the tag that says the same in a lesson.
KAGGLE_HIDING_FLAGS = {flags[0]: tag for tag, flags in KAGGLE_HIDING.items() if tag.startswith("hide-") and len(flags) == 1}
RUN_RECORDS = ("execution",)  # when a cell last ran: the build records its own run


def _lesson_metadata(cell) -> dict:
    """A cell's metadata as plain JSON values, with Kaggle's hiding flags as the tags the site reads too."""
    metadata = {k: v for k, v in json.loads(json.dumps(cell.metadata)).items() if k not in RUN_RECORDS}
    hidden = [tag for flag, tag in KAGGLE_HIDING_FLAGS.items() if metadata.pop(flag, False)]
    if len(hidden) == 2:
        hidden = ["hide-cell"]
    tags = list(metadata.get("tags", []))
    tags += [tag for tag in hidden if tag not in tags]
    if tags:
        metadata["tags"] = tags
    return metadata


def _heading_title(cells: list[ImportedCell]) -> str | None:
    """A notebook's title where its metadata gives none: its first level-one heading's."""
    return next((title for cell in cells if cell.kind == "markdown" and (title := first_heading(cell.source))), None)


def _myst_title(text: str) -> str | None:
    """A MyST notebook's title: its front matter's, or its first heading's. It is imported as it is: a problem in its
    front matter is for `check` to report."""
    front = re.match(r"---\n(.*?)\n---\n", text.replace("\r\n", "\n"), re.DOTALL)
    meta = value_or_none(front[1]) if front else None
    if isinstance(meta, dict) and isinstance(meta.get("title"), str):
        return meta["title"]
    return first_heading(text)


def to_myst(lesson: ImportedLesson) -> str:
    """A lesson source: front matter, then Markdown, with code cells as ```{code-cell}``` fences."""
    if lesson.verbatim is not None:
        return lesson.verbatim
    front = yaml.safe_dump({"title": lesson.title, **lesson.front_matter}, sort_keys=False, allow_unicode=True)
    parts = [f"---\n{front}---\n"]
    previous = None
    for cell in lesson.cells:
        if cell.kind == "markdown":
            metadata = f" {json.dumps(cell.metadata, sort_keys=True)}" if cell.metadata else ""
            if previous == "markdown" or metadata:
                parts.append(f"+++{metadata}\n")
            parts.append(f"{cell.source}\n")
        else:
            parts.append(_fence(cell))
        previous = cell.kind
    return "\n".join(parts)


def _fence(cell: ImportedCell) -> str:
    directive = "{code-cell} ipython3" if cell.kind == "code" else "{raw-cell}"
    fence = "```"
    while fence in cell.source:
        fence += "`"
    options = dict(cell.metadata)
    if options:
        options_text = yaml.safe_dump(options, sort_keys=True, allow_unicode=True)
        return f"{fence}{directive}\n---\n{options_text}---\n{cell.source}\n{fence}\n"
    return f"{fence}{directive}\n{cell.source}\n{fence}\n"

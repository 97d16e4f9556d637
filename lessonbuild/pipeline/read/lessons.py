"""Stage 1, read: lesson sources (MyST Markdown notebooks) and course files into Course values.

A lesson is YAML front matter, then Markdown, with code cells written as
```{code-cell} ipython3``` fences; `+++` splits Markdown cells. Every cell remembers
the source line of each of its lines so that later stages can report `path:line`.
"""
from __future__ import annotations

import difflib
import json
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Literal

from markdown_it import MarkdownIt
from mdit_py_plugins.colon_fence import colon_fence_plugin

from lessonbuild.coursefile import SLUG, CourseFile, read_course_file, with_kernels
from lessonbuild.errors import SourceError, SourceErrors, SourceLocation
from lessonbuild.fsutil import NotText, inside, read_text
from lessonbuild.model import Cell, CellKind, Course, Lesson, Unit
from lessonbuild.myst.syntax import (
    CELL_DIRECTIVES,
    KNOWN_DIRECTIVES,
    first_heading,
    mystnb_tags,
    option_block,
)
from lessonbuild.pipeline.bundle import escaping_links
from lessonbuild.pipeline.read.macros import apply_macros
from lessonbuild.project import COURSE_FILE, Project
from lessonbuild.state.reads import KeptReads
from lessonbuild.yamldoc import load_yaml

# The front matter keys of the formats a lesson may come from: MyST (and the MyST document
# front matter Jupyter Book 2 reads), MyST-NB, jupytext, Jupyter Book 1. Any of them is accepted;
# a key none of them knows is reported, so that a typo is caught.
ANY: dict[str, object] = {}
KNOWN_ELSEWHERE = (
    "abbreviations", "abstract", "affiliations", "aliases", "banner", "bibliography", "content_includes_title",
    "copyright", "doi", "downloads", "edit_url", "enumerator", "exports", "file_format", "github", "html_meta",
    "jupyter", "kernel_info", "keywords", "label", "license", "math", "myst", "mystnb", "numbering", "open_access", "options",
    "parts", "requirements", "settings", "short_title", "site", "source_url", "subject", "subtitle",
    "tags", "thumbnail", "venue",
)
# MyST's authors: a name, or a person with a name (and more: an affiliation, an ORCID), or a list of them. The
# page's byline shows them, so their names must be text.
PERSON = {"anyOf": [{"type": "string"}, {"type": "object", "properties": {"name": {"type": "string"}}}]}
PEOPLE = {"anyOf": [PERSON, {"type": "array", "items": PERSON}]}
LESSON_SCHEMA = {
    "type": "object",
    "properties": {
        "author": PEOPLE,
        "authors": PEOPLE,
        "date": {"type": ["string", "integer"]},
        "title": {"type": "string", "minLength": 1},
        "description": {"type": "string"},
        "timeout": {"type": "integer", "minimum": 1},
        "kernelspec": {
            "type": "object",
            "properties": {"name": {"type": "string"}, "display_name": {"type": "string"}},
            "required": ["name"],
        },
        "jupytext": {"type": "object"},  # written by jupytext; kept out of the notebook
        "substitutions": {"type": "object"},  # MyST's: {{ name }} in prose
        "execution": {  # MyST-NB's own execution settings of a notebook
            "type": "object",
            "properties": {"timeout": {"type": "integer", "minimum": 1}, "allow_errors": {"type": "boolean"}},
        },
        "resources": {  # what the lesson needs to run on; MyST's own `resources` (a list of files) is let through
            "anyOf": [
                {"type": "object", "properties": {"gpu": {"type": "integer", "minimum": 0, "maximum": 1}},
                 "additionalProperties": False},
                {"type": "array"},
            ],
        },
        "lessonbuild": {
            "type": "object",
            "properties": {"jinja_in_code": {"type": "boolean"}, "network": {"type": "boolean"}},
            "additionalProperties": False,
        },
        **dict.fromkeys(KNOWN_ELSEWHERE, ANY),
    },
    "additionalProperties": False,
}

FIGURE_NAME = r"^[A-Za-z0-9][A-Za-z0-9_-]*$"  # a plain file name: figures/<course>/<name>.png

CELL_OPTIONS_SCHEMA = {
    "type": "object",
    "properties": {
        "tags": {"type": "array", "items": {"type": "string"}},
        "figure": {"type": "string", "pattern": FIGURE_NAME},
        "figure_tolerance": {"type": "number", "minimum": 0},  # this figure's own RMS for `figures --check`
        "load": {"type": "string"},
        "mystnb": {"type": "object"},
    },
}

# Fences as MyST reads them: a `+++` inside a colon fence (a card's footer) is the directive's, not a cell break.
FENCE_PARSER = MarkdownIt("commonmark").use(colon_fence_plugin)
CELL_BREAK = re.compile(r"^\+\+\+\s*(?P<metadata>\{.*\})?\s*$")


def read_lesson_courses(project: Project) -> list[Course]:
    """Read every course under lessons/; raise SourceErrors listing every problem found.

    The exception's `partial` holds the courses with the lessons that did read, so that
    `check` can go on to find the problems of the next stage in them too.
    """
    courses, errors = [], []
    for folder in sorted(project.lessons_dir.iterdir()):
        if not _is_course_folder(folder):
            continue
        try:
            course, problems = _read_course(folder, project)
        except SourceError as exc:
            errors.append(exc)
            continue
        courses.append(course)
        errors.extend(problems)
    if errors:
        raise SourceErrors(errors, partial=courses)
    return courses


def _is_course_folder(folder: Path) -> bool:
    if not folder.is_dir() or folder.name.startswith((".", "_")):
        return False
    return (folder / COURSE_FILE).exists() or any(folder.glob("*.md"))


def _read_course(folder: Path, project: Project) -> tuple[Course, list[SourceError]]:
    course_path = folder / COURSE_FILE
    if not course_path.exists():
        raise SourceError(project.relative(course_path), 1, f"missing course file: {folder.name}/ holds lessons but no {COURSE_FILE}")
    if not re.match(SLUG, folder.name):  # the folder's name is part of every page's address
        raise SourceError(project.relative(course_path), None, f"course folder '{folder.name}': its name makes the "
                          "pages' addresses; use letters, digits, '.', '_' and '-'")
    course_file = read_course_file(source_text(course_path, project.relative(course_path)), project.relative(course_path))
    lessons, errors = _read_listed(folder, course_file, project)
    errors.extend(_duplicate_figures(list(lessons.values())))
    errors.extend(_links_out(folder, project))
    listed = {entry.slug for entry in course_file.listed}
    # Hidden files are an editor's (.#lesson.md, a lock file), not lessons.
    for stray in sorted({p.stem for p in folder.glob("*.md") if not p.name.startswith(".")} - listed):
        errors.append(SourceError(project.relative(folder / f"{stray}.md"), 1, f"lesson not listed in {course_file.path.as_posix()}"))
    try:
        kernels = with_kernels(course_file, {slug: lesson for slug, lesson in lessons.items() if lesson.readable})
    except SourceError as exc:
        errors.append(exc)
        kernels = {}
    lessons = {slug: replace(lesson, kernel=kernels.get(slug)) for slug, lesson in lessons.items()}
    return _course(folder, project, course_file, lessons), errors


def _read_listed(folder: Path, course_file: CourseFile, project: Project) -> tuple[dict[str, Lesson], list[SourceError]]:
    """Every lesson file the course file lists, by slug, knowing its role and number.

    A lesson that does not read stays as a stand-in, so that its neighbours' links to it do
    not report problems of their own.
    """
    lessons, errors = {}, []
    kept, relative_folder = KeptReads(project, folder.name), project.relative(folder)
    for entry in course_file.listed:
        lesson_file = folder / f"{entry.slug}.md"
        if not lesson_file.exists():
            errors.append(SourceError(course_file.path, entry.line, f"lesson '{entry.slug}' has no file {entry.slug}.md"))
            continue
        try:
            lesson = _read_kept(kept, lesson_file, relative_folder / lesson_file.name)
        except SourceErrors as exc:
            errors.extend(exc.errors)
            lesson = exc.partial  # the cells that read: their own problems are found when they render
        except SourceError as exc:
            errors.append(exc)
            lesson = Lesson(entry.slug, project.relative(lesson_file), {"title": entry.slug}, (), readable=False)
        lessons[entry.slug] = replace(lesson, role=entry.role, number=entry.number)
    kept.save()
    return lessons, errors


def _read_kept(kept: KeptReads, path: Path, relative: Path) -> Lesson:
    """The lesson as kept, or read anew (and kept, where it read without a problem)."""
    lesson = kept.get(path, relative)
    if lesson is None:
        lesson = read_lesson_file(path, relative)
        kept.put(path, relative, lesson, [path.parent / str(cell.metadata["load"]) for cell in lesson.cells if "load" in cell.metadata])
    return lesson


def _course(folder: Path, project: Project, course_file: CourseFile, lessons: dict[str, Lesson]) -> Course:
    units = []
    for number in range(1, course_file.lesson_count + 1):
        roles = {e.role: lessons[e.slug] for e in course_file.listed if e.number == number and e.slug in lessons}
        tutorial, exercise = roles.get("tutorial"), roles.get("exercise")
        first = tutorial or exercise
        if first is not None:
            topic = course_file.topics.get(number) or first.title
            units.append(Unit(number, topic, tutorial, exercise))
    return Course(
        slug=folder.name,
        path=project.relative(folder),
        title=course_file.title,
        description=course_file.description,
        lessons=tuple(lessons[e.slug] for e in course_file.listed if e.slug in lessons and lessons[e.slug].readable),
        units=tuple(units),
        kaggle=course_file.kaggle,
    )


def _links_out(folder: Path, project: Project) -> list[SourceError]:
    """The course's helper modules and data files that are links leading out of the project, each at its own name."""
    return [SourceError(project.relative(link.parent) / link.name, None,
                        f"a link to {link.resolve()}, outside the project: a course's data and helper modules are "
                        "published in its zips, so each must be a file of the project")
            for link in escaping_links(folder, project.root)]


def _duplicate_figures(lessons: list[Lesson]) -> list[SourceError]:
    """Figure names share one folder per course, so each may be drawn by one cell only."""
    first: dict[str, SourceLocation] = {}
    errors = []
    for lesson in lessons:
        for cell in lesson.cells:
            name = cell.metadata.get("figure")
            if name is None:
                continue
            where = SourceLocation(lesson.path, cell.line)
            if name in first:
                errors.append(SourceError(lesson.path, cell.line, f"figure '{name}' is already drawn at {first[name]}"))
            else:
                first[name] = where
    return errors


def read_lesson_file(path: Path, relative: Path, untitled: str | None = None) -> Lesson:
    """Parse one lesson source; `relative` is how errors name it, `untitled` the title of a page that gives none
    (a book's page is titled by its table of contents or its file name, as Jupyter Book titles it).

    A problem of the front matter is a SourceError. Problems of cells are raised together as
    SourceErrors whose `partial` is the lesson with the cells that did read, so that the next
    stage can find the problems of those too.
    """
    lines = source_text(path, relative).splitlines()  # CRLF ends lines too
    front_matter, body_start = _front_matter(lines, relative)
    try:
        cells = _loaded(_cells(lines, body_start, relative), path.parent, relative)
    except SourceErrors as exc:
        partial = Lesson(slug=path.stem, path=relative, front_matter=front_matter, cells=tuple(exc.partial))
        raise SourceErrors(exc.errors, partial=titled(partial, relative, untitled)) from None
    return titled(Lesson(slug=path.stem, path=relative, front_matter=front_matter, cells=tuple(cells)), relative, untitled)


def _loaded(cells: list[Cell], folder: Path, path: Path) -> list[Cell]:
    """MyST-NB's `:load: file.py`: a code cell whose code is the file's (relative to the lesson), read at every build."""
    result, errors = [], []
    for cell in cells:
        name = cell.metadata.get("load")
        if cell.kind != "code" or name is None:
            result.append(cell)
            continue
        try:
            code = _load(folder, str(name)).rstrip("\n")
        except ValueError as exc:
            errors.append(SourceError(path, cell.line, f"':load: {name}': {exc}"))
            continue
        result.append(replace(cell, source=code, lines=(cell.line,) * (code.count("\n") + 1)))
    if errors:
        raise SourceErrors(errors, partial=result)
    return result


def _load(folder: Path, name: str) -> str:
    """The text of the file a cell loads; ValueError, saying why, where it is none of the lessons' text files."""
    file = folder / name
    if not file.is_file():
        raise ValueError("no such file beside the lesson")
    # The lesson is lessons/<course>/<slug>.md: like {include}, a cell loads only what lessons/ holds, or the build
    # would run and publish any file of the machine (`/proc/self/environ`, `../../build.py`).
    if inside(file, folder.parent) is None:
        raise ValueError(f"the file is outside lessons/ ({file.resolve()}): a cell loads only files of the lessons")
    try:
        return read_text(file)
    except NotText as exc:
        raise ValueError(f"line {exc.line} of the file: {exc}") from None


def source_text(path: Path, relative: Path) -> str:
    """A lesson's or course file's text; a file that is no UTF-8 text is a SourceError at its first line that is none."""
    try:
        return read_text(path)
    except NotText as exc:
        raise SourceError(relative, exc.line, str(exc)) from None


def titled(lesson: Lesson, path: Path, untitled: str | None = None) -> Lesson:
    """The lesson with its title: the front matter's, or else its first level-one heading's, as Jupyter Book takes it."""
    if lesson.front_matter.get("title"):
        return lesson
    heading = next((title for cell in lesson.cells if cell.kind == "markdown" and (title := first_heading(cell.source))), None)
    heading = heading or untitled
    if heading is None:
        raise SourceError(path, 1, "the lesson has no title: give it one in front matter (title: ...) or a # heading")
    return replace(lesson, front_matter={**lesson.front_matter, "title": heading})


def _front_matter(lines: list[str], path: Path) -> tuple[dict, int]:
    if not lines or lines[0].strip() != "---":
        return {}, 0  # no front matter: the title comes from the first heading
    for index in range(1, len(lines)):
        if lines[index].strip() == "---":
            text = "\n".join(lines[1:index])
            return load_yaml(text, path, 2, LESSON_SCHEMA), index + 1
    raise SourceError(path, 1, "front matter opened here is never closed by a '---' line")


@dataclass
class _Draft:
    """A cell as written, before learntools' macros."""

    kind: CellKind
    lines: list[str]
    numbers: list[int]
    first_line: int  # where the cell starts, for a cell that ends up empty
    tags: list[str] = field(default_factory=list)
    metadata: dict = field(default_factory=dict)


def _cells(lines: list[str], body_start: int, path: Path) -> list[Cell]:
    """The body's Markdown and fenced cells in order, after learntools' macros; every problem at once."""
    errors: list[SourceError] = []
    cells = []
    for draft in _drafts(lines, body_start, path, errors):
        try:
            expanded = apply_macros(draft.lines, draft.numbers, path)
        except SourceError as exc:
            errors.append(exc)
            continue
        if expanded.fate == "drop-below":
            break  # learntools' #%%RM_BELOW%%: nothing from here on is published
        body, numbers = _trim_blank(expanded.lines, expanded.numbers)
        if expanded.fate == "drop" or (draft.kind == "markdown" and not body):
            continue
        tags = tuple(draft.tags + [tag for tag in expanded.tags if tag not in draft.tags])
        cells.append(Cell(kind=draft.kind, source="\n".join(body), lines=tuple(numbers) or (draft.first_line,),
                          tags=tags, metadata=draft.metadata))
    if errors:
        raise SourceErrors(errors, partial=cells)
    return cells


def _drafts(lines: list[str], body_start: int, path: Path, errors: list[SourceError]) -> list[_Draft]:
    """Markdown between the cell fences, split at `+++`, and the fenced cells; problems go to `errors`."""
    fences = _top_level_fences(lines, body_start, path, errors)
    drafts, cursor = [], body_start
    for start, end, kind in fences:
        if kind is None:
            continue  # an ordinary fenced block inside the prose
        drafts += _markdown_drafts(lines, cursor, start, fences, path, errors)
        try:
            drafts.append(_fenced_draft(lines, start, end, kind, path))
        except SourceError as exc:
            errors.append(exc)
        cursor = end
    return drafts + _markdown_drafts(lines, cursor, len(lines), fences, path, errors)


def _top_level_fences(lines: list[str], body_start: int, path: Path,
                      errors: list[SourceError]) -> list[tuple[int, int, Literal["code", "raw"] | None]]:
    """(first line, line after the closing fence, cell kind or None) of each top-level fence, 0-based."""
    body = "\n".join(lines[body_start:])
    fences = []
    for token in FENCE_PARSER.parse(body):
        if token.type not in ("fence", "colon_fence") or token.level != 0 or token.map is None:
            continue
        start, end = token.map[0] + body_start, token.map[1] + body_start
        directive = token.info.split()[0] if token.info.strip() else ""
        kind = CELL_DIRECTIVES.get(directive) if token.type == "fence" else None  # a colon fence holds prose
        if kind is None and _misspelt_cell(directive):
            known = ", ".join(CELL_DIRECTIVES)
            errors.append(SourceError(path, start + 1, f"unknown cell directive '{directive}' (lessons use: {known})"))
        if not _is_closing_fence(lines, start, end, token.markup):
            errors.append(SourceError(path, start + 1, f"code fence '{token.markup}' opened here is never closed"))
            kind = None
        fences.append((start, end, kind))
    return fences


def _misspelt_cell(directive: str) -> bool:
    """A `{name}` fence that is no directive of MyST's and nearly says {code-cell} or {raw-cell}: a typo, not prose."""
    name = directive[1:-1] if directive.startswith("{") and directive.endswith("}") else None
    if name is None or name in KNOWN_DIRECTIVES:
        return False
    return bool(difflib.get_close_matches(directive, CELL_DIRECTIVES, n=1, cutoff=0.75))


def _is_closing_fence(lines: list[str], start: int, end: int, markup: str) -> bool:
    if end - 1 <= start or end > len(lines):
        return False
    closing = lines[end - 1].strip()
    return closing.startswith(markup) and set(closing) == {markup[0]}


def _fenced_draft(lines: list[str], start: int, end: int, kind: CellKind, path: Path) -> _Draft:
    body = lines[start + 1 : end - 1]
    numbers = list(range(start + 2, end))  # 1-based line numbers of `body`
    options, consumed = _cell_options(body, numbers, path)
    body, numbers = _trim_blank(body[consumed:], numbers[consumed:])
    tags = list(options.pop("tags", [])) + mystnb_tags(options.get("mystnb"))
    if kind != "code" and "figure" in options:
        raise SourceError(path, start + 1, "only a code cell can draw a figure")
    if "figure_tolerance" in options and "figure" not in options:
        raise SourceError(path, start + 1, "figure_tolerance is for a cell that draws a figure (give it a figure name)")
    return _Draft(kind, body, numbers, start + 1, tags, options)


def _cell_options(body: list[str], numbers: list[int], path: Path) -> tuple[dict, int]:
    """Cell options as `:key: value` lines or a `---` YAML block at the top of a fenced cell."""
    block = option_block(body, continued=True)
    if not block.closed:
        raise SourceError(path, numbers[0], "cell options opened here are never closed by a '---' line")
    if block.style == "none":
        return {}, 0
    first = numbers[0] + (1 if block.style == "yaml" else 0)
    return load_yaml(block.yaml(), path, first, CELL_OPTIONS_SCHEMA), block.used


def _markdown_drafts(lines, start, stop, fences, path: Path, errors: list[SourceError]) -> list[_Draft]:
    """Markdown between two cell fences, split at `+++` lines outside prose code blocks."""
    in_prose_fence = {n for s, e, kind in fences if kind is None for n in range(s, e)}
    drafts: list[_Draft] = []
    chunk: list[str] = []
    numbers: list[int] = []
    metadata: dict = {}
    for index in range(start, stop):
        match = CELL_BREAK.match(lines[index]) if index not in in_prose_fence else None
        if match is None:
            chunk.append(lines[index])
            numbers.append(index + 1)
            continue
        drafts += _markdown_draft(chunk, numbers, metadata)
        chunk, numbers = [], []
        try:
            metadata = _break_metadata(match["metadata"], path, index + 1)
        except SourceError as exc:
            errors.append(exc)
            metadata = {}
    return drafts + _markdown_draft(chunk, numbers, metadata)


def _markdown_draft(chunk: list[str], numbers: list[int], metadata: dict) -> list[_Draft]:
    chunk, numbers = _trim_blank(chunk, numbers)
    return [_Draft("markdown", chunk, numbers, numbers[0], metadata=dict(metadata))] if chunk else []


def _break_metadata(text: str | None, path: Path, line: int) -> dict:
    if not text:
        return {}
    try:
        metadata = json.loads(text)
    except json.JSONDecodeError as exc:
        raise SourceError(path, line, f"cell metadata after '+++' is not valid JSON: {exc.msg}") from None
    if not isinstance(metadata, dict):
        raise SourceError(path, line, "cell metadata after '+++' must be a JSON object")
    return metadata


def _trim_blank(lines: list[str], numbers: list[int]) -> tuple[list[str], list[int]]:
    first = next((i for i, line in enumerate(lines) if line.strip()), len(lines))
    last = next((i for i in range(len(lines) - 1, -1, -1) if lines[i].strip()), -1)
    return lines[first : last + 1], numbers[first : last + 1]

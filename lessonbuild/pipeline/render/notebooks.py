"""Stage 2, render: each lesson through Jinja into an nbformat 4 notebook that validates, for one target.

Every cell is a Jinja template (StrictUndefined), so lesson text can use what the build
provides: `data_path(name)`, `figure(name)`, `lesson`, `course`, `unit`, `target`, the link
functions that learntools' link macros become, and the macros of templates/macros.j2 as
`macros`. Header and footer cells come from templates/lesson/.

Two targets: "site" links lessons to each other's pages and marks hidden cells with tags;
"kaggle" links them to their Kaggle kernels, marks hidden cells with the `_kg_hide-*`
metadata Kaggle reads, and reads data from the course's Kaggle dataset.
"""
from __future__ import annotations

import functools
import html
import os
import re
import urllib.parse
from collections.abc import Callable, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, NamedTuple, get_args

import jinja2
import nbformat

from lessonbuild.errors import (
    LessonTemplateError,
    SourceError,
    SourceErrors,
    SourceLocation,
    SourceWarning,
)
from lessonbuild.fsutil import inside, never_source
from lessonbuild.model import KAGGLE_HIDE_INPUT, KAGGLE_HIDING, Cell, Course, Lesson, RenderedLesson, RenderTarget, Unit
from lessonbuild.myst.page import PageProse
from lessonbuild.myst.parse import PARSER, is_directive
from lessonbuild.myst.references import Target, resolve
from lessonbuild.myst.syntax import (
    LESSON_LINK,
    LINK_TEXT,
    LINKED_PAGES,
    PROSE_IMAGE,
    RAW_LINK,
    has_level_one_heading,
    served_name,
    title_heading,
)
from lessonbuild.pipeline.bundle import files_named, named_candidates
from lessonbuild.pipeline.render.sandbox import refusal
from lessonbuild.pipeline.render.templates import (
    FOOTER,
    HEADER,
    MACROS,
    Templates,
    deepest_template_frame,
    template_error,
)
from lessonbuild.project import DATA, DEFAULT_KERNEL, LESSONS, Project
from lessonbuild.state.renders import RenderCache, Resolvable

if TYPE_CHECKING:
    from lessonbuild.myst.citations import Bibliography

TARGETS: tuple[RenderTarget, ...] = get_args(RenderTarget)
KAGGLE_INPUT = "/kaggle/input"  # where a Kaggle kernel finds the datasets it names
LESSON_TEMPLATES = (HEADER, FOOTER)
CELL_TEMPLATE_NAME = "<template>"  # the file name Jinja gives templates made from strings


# A Markdown link to a .md file, not absolute: [text](target) or [text](target#anchor).
# A link to a notebook (.ipynb) is a link to the lesson of that name, as Jupyter Book links a notebook's page.
IMAGE_PREFERENCE = (".svg", ".png", ".jpg", ".jpeg", ".gif", ".webp")  # for `name.*`: sharpest first
CELL_ID_UNSAFE = re.compile(r"[^A-Za-z0-9_-]")  # what nbformat's cell ids may not hold (a book's slugs have "/")
SAME_PAGE_LINK = re.compile(rf"(?<!!)\[(?P<text>{LINK_TEXT})\]\(#(?P<anchor>[^)\s]+)\)")
# CommonMark's `let\'s`, `\"quoted\"`: Python-Markdown escapes neither quote and would show the backslash. (Other
# punctuation is left alone: `\,` and `\;` are LaTeX too, in environments the prose's own math does not blank.)
QUOTE_ESCAPE = re.compile(r"(?<!\\)\\(['\"])")
# A link to a file of the lesson's that is no page (`[the settings](./myst.yml)`): served beside the page.
FILE_LINK = re.compile(rf"(?<!!)\[(?P<text>{LINK_TEXT})\]\((?P<target>(?![a-z][a-z0-9+.-]*:|/|#)[^)\s#?]+\.\w+)\)")
HTML_ANCHOR = re.compile(r"<a\s[^>]*\b(?:id|name)=[\"'](?P<anchor>[^\"']+)[\"']")  # `<a id="notes"></a>`, as notebooks write one

def render_course(course: Course, project: Project, target: RenderTarget = "site") -> list[RenderedLesson]:
    """Render every lesson of a course for `target` (see TARGETS); raise SourceErrors listing every problem of every lesson."""
    templates = Templates(project)
    environment = templates.environment()
    # In prose, `{#` opens MyST's attributes ({#id}), not a Jinja comment: cells take comments as {## ... ##}.
    cells = templates.environment(comment_start_string="{##", comment_end_string="##}")
    lesson_files = _page_files(project)
    bib_files = _bib_files(course, project)
    shared: list[_CourseProse] = []  # made at the first lesson that is rendered: the .bib files are parsed then
    kept = None
    if target == "site":
        context = repr((templates.digest(), sorted(map(str, lesson_files)), [(str(f), f.stat().st_mtime_ns) for f in bib_files]))
        kept = RenderCache(project, course, context)
    rendered: list[RenderedLesson] = []
    pages: list[PageProse | Resolvable] = []
    errors: list[SourceError] = []
    for lesson in course.lessons:
        if kept is not None and (hit := kept.get(lesson)) is not None:
            rendered.append(hit[0])
            pages.append(hit[1])
            continue
        if not shared:
            shared.append(_CourseProse(lesson_files, _bibliography(bib_files, project) if target == "site" else None))
        try:
            lesson_rendered, page = _render_lesson(templates, (environment, cells), course, lesson, project, target, shared[0])
        except SourceError as exc:
            errors.append(exc)
            continue
        except SourceErrors as exc:
            errors.extend(exc.errors)
            continue
        if kept is not None:
            kept.put(lesson_rendered, Resolvable(page.targets, page.references), page.looked_at)
        rendered.append(lesson_rendered)
        pages.append(page)
    if errors:
        raise SourceErrors(errors)
    if target == "site":
        _resolve_references(course, rendered, pages)
    return rendered


def _resolve_references(course: Course, rendered: list[RenderedLesson], pages: Sequence[PageProse | Resolvable]) -> None:
    """Every lesson's references to labels, once the labels of the whole course are known; a dangling one is a warning."""
    targets: dict[str, Target] = {}
    duplicates: list[SourceWarning] = []
    for page in pages:
        for target in page.targets:
            if target.label in targets:
                message = f"label '{target.label}' is defined twice (first in {targets[target.label].lesson})"
                if target.where is not None:  # every target a page records has its place
                    duplicates.append(SourceWarning(target.where, message))
            else:
                targets[target.label] = target
    titles = {lesson.slug: lesson.title for lesson in course.lessons}
    for lesson, page in zip(rendered, pages, strict=False):
        found: list[SourceWarning] = [w for w in duplicates if w.where.path == lesson.lesson.path]
        for cell in lesson.notebook.cells:
            if cell.cell_type == "markdown":
                cell.source = resolve(cell.source, page.references, targets, titles, lesson.lesson.slug,
                                      lambda where, message, found=found: found.append(SourceWarning(where, message)))
        lesson.warnings = (*lesson.warnings, *found)


class _CourseProse(NamedTuple):
    """What every lesson's prose of a course refers to: the lesson files, and the works its .bib files hold."""

    lesson_files: set[Path]
    bibliography: Bibliography | None


def _with_stored_outputs(cells: list[dict[str, Any]], shown: list[Cell]) -> None:
    """A page the build does not run shows the outputs its notebook holds, as Jupyter Book shows them."""
    for cell, source in zip(cells, shown, strict=False):
        if source.kind == "code":
            cell["outputs"], cell["execution_count"] = [dict(output) for output in source.outputs], source.execution_count


def _named_by_code(cells: list[Cell], folder: Path, root: Path, looked_at: list[Path]) -> list[Path]:
    """The files beside a book's page that its code names (bundle.files_named), relative to the book's root; what
    it looked for goes to `looked_at`, so that a file added later renders the page again."""
    candidates = [path for cell in cells if cell.kind == "code" for path in named_candidates(cell.source, folder)]
    looked_at.extend(candidates)
    return [path.relative_to(root) for path in files_named(candidates, folder, root)]


def _page_files(project: Project) -> set[Path]:
    """The sources a prose link may name as a lesson's page, by the .md name its page has on the site."""
    if project.book is not None:
        return {(project.root / page).with_suffix(".md").resolve() for page in project.book.pages()}
    return {p.resolve() for p in project.lessons_dir.glob("*/*.md")}


def _bib_files(course: Course, project: Project) -> list[Path]:
    """The BibTeX files of lessons/ and of the course's folder; a book's, those its configuration names."""
    if project.book is not None:
        return [project.root / name for name in project.book.bibliography]
    return sorted(project.lessons_dir.glob("*.bib")) + sorted((project.root / course.path).glob("*.bib"))


def _bibliography(files: list[Path], project: Project) -> Bibliography | None:
    """The works the BibTeX files hold; None without any (pybtex is then not imported)."""
    if not files:
        return None
    from lessonbuild.myst.citations import Bibliography, BibliographyError

    try:
        return Bibliography(files)
    except BibliographyError as exc:
        raise SourceError(exc.path.relative_to(project.root), exc.line, f"BibTeX: {exc}") from None


def _render_lesson(templates: Templates, environments: tuple, course: Course, lesson: Lesson, project: Project,
                   target: RenderTarget, shared: _CourseProse) -> tuple[RenderedLesson, PageProse]:
    """`environments`: the one for template files, and the one for lesson cells."""
    environment, cells_environment = environments
    data_files: list[Path] = []
    context = _context(templates, environment, course, lesson, project, target, data_files)
    shown = _shown_once(lesson, target)
    prose = _Prose(project, course, shared, lesson, demote=any(_has_level_one_heading(cell) for cell in shown))
    cells = _rendered_cells(cells_environment, lesson, shown, context, project, target, prose)
    origins: list[tuple[Path, tuple[int, ...]] | None] = [(lesson.path, cell.lines) for cell in shown]
    if not lesson.executes:
        _with_stored_outputs(cells, shown)
    if project.book is not None:
        data_files += _named_by_code(shown, project.root / lesson.path.parent, project.root, prose.page.looked_at)
    if target == "site" and (closing := prose.finish(lesson.path)):
        cells.append(_new_cell("markdown", closing, {}))
        origins.append(None)
    for position, cell in _template_cells(templates, environment, context, project):
        index = len(cells) if position == "end" else int(position)
        cells.insert(index, cell)
        origins.insert(index, None)  # no lesson line to report
    for index, cell in enumerate(cells):
        cell["id"] = f"{CELL_ID_UNSAFE.sub('-', lesson.slug)[:40]}-{index}"  # stable: notebooks stay byte-identical
    notebook = nbformat.from_dict(
        {"nbformat": 4, "nbformat_minor": 5, "metadata": _notebook_metadata(course, lesson, project), "cells": cells}
    )
    try:
        nbformat.validate(notebook)  # once for the whole notebook, not once per cell
    except nbformat.ValidationError as exc:  # a notebook page's stored outputs, which nbformat's schema refuses
        raise SourceError(lesson.path, 1, f"the notebook's stored outputs are not valid nbformat 4: {exc.message}") from None
    rendered = RenderedLesson(course, lesson, notebook, origins, data_files=tuple(sorted(set(data_files))),
                              assets=tuple(sorted(set(prose.assets))), warnings=tuple(prose.warnings))
    return rendered, prose.page


def _rendered_cells(environment, lesson: Lesson, shown: list[Cell], context: dict, project: Project, target: RenderTarget,
                    prose: _Prose) -> list[dict[str, Any]]:
    """The lesson's own cells as notebook cells; SourceErrors with the problems of every cell."""
    jinja_in_code = _jinja_in_code(lesson, project)
    prose_context = {**_substitutions(lesson), **context}  # MyST's substitutions, in Markdown only
    cells, errors = [], []
    for cell in shown:
        try:
            warn = functools.partial(_warn_at, prose.warnings, lesson.path)
            source = _render_cell(environment, cell, context if cell.kind == "code" else prose_context, lesson.path,
                                  jinja_in_code, warn)
            if cell.kind == "markdown":
                source = prose.resolve(source, cell, lesson.path)
            if cell.kind == "markdown" and target == "site":
                source = prose.directives(source, cell, lesson.path)
        except SourceError as exc:  # the next cells may have problems of their own: find them all
            errors.append(exc)
            continue
        cells.append(_notebook_cell(cell, source, target))
    if errors:
        raise SourceErrors(errors)
    return cells


def _warn_at(warnings: list[SourceWarning], path: Path, line: int, message: str) -> None:
    warnings.append(SourceWarning(SourceLocation(path, line), message))


def _template_cells(templates: Templates, environment, context: dict[str, Any], project: Project) -> list[tuple[int | str, dict[str, Any]]]:
    """The cells the build adds, each with where it goes: the header, Kaggle's setup cell, the footer."""
    header, footer = (_render_template_file(templates, environment, name, context).strip() for name in LESSON_TEMPLATES)
    added: list[tuple[int | str, dict[str, Any]]] = []
    if header:
        added.append((0, _new_cell("markdown", header, {"lessonbuild": {"role": "header"}})))
    if context["target"] == "kaggle" and (setup := _kaggle_setup_cell(context["course"], project)) is not None:
        added.append((len(added), setup))
    if footer:
        added.append(("end", _new_cell("markdown", footer, {})))
    return added


def _context(templates: Templates, environment, course, lesson, project: Project, target: RenderTarget,
             data_files: list[Path]) -> dict[str, Any]:
    url_of = _kaggle_url if target == "kaggle" else _page_url
    context = {
        "course": course,
        "lesson": lesson,
        "unit": course.unit(lesson.number),
        "next_unit": course.unit(lesson.number + 1),
        "target": target,
        "data_path": _data_path_function(project.root / course.path, course, target, data_files),
        "figure": _figure_function(lesson),
        "edit_url": project.book.edit_url.replace("{path}", lesson.path.as_posix()) if project.book else "",
        **_link_functions(course, lesson, url_of, target),
    }
    # macros.j2 sees the lesson and its links
    context["macros"] = _render_template_file(templates, environment, MACROS, context, module=True)
    return context


def _data_path_function(course_folder: Path, course: Course, target: RenderTarget, used: list[Path]) -> Callable[[str], str]:
    def data_path(name: str) -> str:
        """The path of a data file or folder as the executing notebook sees it.

        Here the kernel's working folder is the course's. On Kaggle, data/ is in the course's own
        dataset (data_source); without one, data/ mirrors the kernel's inputs, as an imported
        learntools course's does, and the datasets the kernel names hold the files.
        """
        if ".." in Path(name).parts or Path(name).is_absolute():
            raise LessonTemplateError(f"data file '{name}': a path inside {DATA}/ of this course")
        relative = Path(name).as_posix() + ("/" if name.endswith("/") else "")  # a folder's slash stays
        if target == "kaggle" and _kaggle_dataset_folder(course) is None:
            return f"{KAGGLE_INPUT}/{relative}"
        if not (course_folder / DATA / name).exists():
            raise LessonTemplateError(f"data file '{name}' not found in {DATA}/ of this course")
        used.append(course.path / DATA / name)  # the execution cache hashes what a lesson reads
        if target == "kaggle":
            return f"{_kaggle_dataset_folder(course)}/{DATA}/{relative}"
        return f"{DATA}/{relative}"

    return data_path


def _kaggle_dataset_folder(course: Course) -> str | None:
    """Where a Kaggle kernel finds the course's dataset (data/ and the helper modules); None without one."""
    source = (course.kaggle or {}).get("data_source")
    return None if source is None else f"{KAGGLE_INPUT}/{source.split('/')[1]}"


def _kaggle_setup_cell(course: Course, project: Project) -> dict[str, Any] | None:
    """On Kaggle the course's helper modules sit in its dataset, which is not on the import path."""
    folder = _kaggle_dataset_folder(course)
    if folder is None or not any((project.root / course.path).glob("*.py")):
        return None
    code = f"import sys\nsys.path.append({folder!r})  # the course's helper modules"
    return _new_cell("code", code, {KAGGLE_HIDE_INPUT: True, "lessonbuild": {"role": "setup"}})


def _figure_function(lesson: Lesson) -> Callable[..., str]:
    names = [cell.metadata["figure"] for cell in lesson.cells if "figure" in cell.metadata]

    def figure(name: str, alt: str = "", caption: str = "") -> str:
        """Markdown showing a figure drawn by a figure cell; the image itself is attached after execution."""
        if name not in names:
            known = ", ".join(names) or "none"
            raise LessonTemplateError(f"unknown figure '{name}' (figures drawn in this lesson: {known})")
        image = f"![{alt or caption or name}](attachment:{name}.png)"
        return f"{image}\n\n*{caption}*" if caption else image

    return figure


def _page_url(lesson: Lesson) -> str:
    return f"{lesson.slug}.md"  # MkDocs turns a link to a page's source into a link to the page


def _kaggle_url(lesson: Lesson) -> str:
    if not lesson.readable:
        return f"{lesson.slug}.md"  # its own problems are reported; the build stops before anything is written
    if lesson.kernel is None:
        raise LessonTemplateError("links to Kaggle need the course file's kaggle settings")
    # As on Kaggle Learn: a tutorial is read where it is, an exercise is forked to be worked in.
    return lesson.kernel.forking_url if lesson.role == "exercise" else lesson.kernel.url


def _link_functions(course: Course, lesson: Lesson, url_of: Callable[[Lesson], str], target: RenderTarget) -> dict[str, Callable[..., str]]:
    """learntools' link macros: to lesson pages on the site, to Kaggle kernels for Kaggle."""
    links = _Links(course, lesson, url_of, target)
    return {"next_notebook_url": links.next_notebook_url, "tutorial_url": links.tutorial_url,
            "exercise_url": links.exercise_url, "exercise_forking_url": links.exercise_url}


@dataclass(frozen=True)
class _Links:
    """The link macros of one lesson. Each gives the URL; a macro in running text (bare=True) gives a whole
    Markdown link on the site, where a page's address means nothing as text; on Kaggle, the address, as
    learntools does."""

    course: Course
    lesson: Lesson
    url_of: Callable[[Lesson], str]
    target: RenderTarget

    def link(self, linked: Lesson, bare: bool) -> str:
        return f"[{linked.title}]({self.url_of(linked)})" if bare and self.target == "site" else self.url_of(linked)

    def unit(self, number: int | None, macro: str) -> Unit:
        found = self.course.unit(self.lesson.number if number is None else int(number))
        if found is None:
            raise LessonTemplateError(f"{macro}: the course has lessons 1 to {len(self.course.units)}")
        return found

    def tutorial_url(self, number: int | None = None, bare: bool = False) -> str:
        found = self.unit(number, f"#$TUTORIAL_URL({number or ''})$")
        if found.tutorial is None:
            raise LessonTemplateError(f"#$TUTORIAL_URL({number or ''})$: lesson {found.number} has no tutorial")
        return self.link(found.tutorial, bare)

    def exercise_url(self, number: int | None = None, bare: bool = False) -> str:
        found = self.unit(number, f"#$EXERCISE_URL({number or ''})$")
        if found.exercise is None:
            raise LessonTemplateError(f"lesson {found.number} has no exercise (the course file lists none for it)")
        return self.link(found.exercise, bare)

    def next_notebook_url(self, bare: bool = False) -> str:
        current = self.unit(None, "#$NEXT_NOTEBOOK_URL$")
        if self.lesson.role == "tutorial" and current.exercise is not None:
            return self.link(current.exercise, bare)
        following = self.course.unit(self.lesson.number + 1)
        if following is None:
            raise LessonTemplateError("#$NEXT_NOTEBOOK_URL$: this is the course's last lesson")
        return self.link(following.first, bare)


def _render_template_file(templates: Templates, environment, name: str, context: dict, module: bool = False):
    try:
        template = environment.get_template(name)
        return template.make_module(context) if module else template.render(context)
    except Exception as exc:  # noqa: BLE001 - any error raised while the template runs is the template's
        raise template_error(templates, exc, name, _describe) from None


def _shown_once(lesson: Lesson, target: RenderTarget) -> list[Cell]:
    """The lesson's cells; on the site, less the heading that gave the page its title, which the page's header
    shows: wherever it stands (after a label, a raw block or a code cell, as real books open), its labels kept."""
    cells = list(lesson.cells)
    if target != "site":
        return cells
    for index, cell in enumerate(cells):
        if cell.kind != "markdown" or (heading := title_heading(cell.source)) is None:
            continue
        text, start, end = heading
        if text != lesson.title:
            return cells  # the front matter names another title: the page shows both, as written
        lines = list(zip(cell.source.split("\n"), cell.lines, strict=False))
        while end < len(lines) and not lines[end][0].strip():
            end += 1  # the blank lines after the heading go with it
        kept = lines[:start] + lines[end:]
        if not any(line.strip() for line, _ in kept):
            return cells[:index] + cells[index + 1:]
        shorter = replace(cell, source="\n".join(line for line, _ in kept), lines=tuple(n for _, n in kept))
        return [*cells[:index], shorter, *cells[index + 1:]]
    return cells


def _has_level_one_heading(cell: Cell) -> bool:
    return cell.kind == "markdown" and has_level_one_heading(cell.source)


def _substitutions(lesson: Lesson) -> dict[str, Any]:
    """MyST's substitutions of the lesson: `substitutions`, or `myst: {substitutions: ...}`, in front matter."""
    myst = lesson.front_matter.get("myst")
    nested = myst.get("substitutions", {}) if isinstance(myst, dict) else {}
    return {**nested, **lesson.front_matter.get("substitutions", {})}


def _jinja_in_code(lesson: Lesson, project: Project) -> bool:
    own = lesson.front_matter.get("lessonbuild", {}).get("jinja_in_code")
    return project.settings.jinja_in_code if own is None else own


def _render_cell(environment, cell: Cell, context: dict, path: Path, jinja_in_code: bool, warn) -> str:
    """A cell with the build's own `{{ }}` expressions replaced; a Markdown cell that uses Jinja's
    statements (`{% if %}`) rendered through Jinja whole. Braces of any other kind (Python's, LaTeX's
    `{{p_t}}`) stay as they are. `warn(line, message)` hears of prose that names nothing the build has."""
    if cell.kind == "code" and not jinja_in_code:
        return cell.source
    if cell.kind == "code" or "{%" not in cell.source:
        return _render_expressions(environment, cell, context, path, warn)
    try:
        return environment.from_string(cell.source).render(context)
    except jinja2.TemplateSyntaxError as exc:
        raise SourceError(path, cell.source_line(exc.lineno), f"Jinja syntax error: {exc.message}") from None
    except Exception as exc:  # noqa: BLE001 - what the cell's Jinja raises is the lesson's
        _, line = deepest_template_frame(exc, CELL_TEMPLATE_NAME)
        raise SourceError(path, cell.source_line(line), _describe(exc)) from None


# {{ ... }}: evaluated only when it names one of the build's own names (data_path, lesson, ...), or is a quoted string.
BRACES = re.compile(r"\{\{(?P<expression>.*?)\}\}", re.DOTALL)


def _render_expressions(environment, cell: Cell, context: dict, path: Path, warn) -> str:
    """The cell byte for byte but for `{{ build expression }}`: f-strings, format templates, dictionaries
    in braces and LaTeX are not Jinja's. In prose, `{{ name }}` naming nothing is left as written, with a
    warning (as MyST-Parser warns of an unknown substitution), and a call of an unknown function is an error."""
    shown = _shown_text(cell.source, math=True) if cell.kind == "markdown" else None

    def replace(match: re.Match) -> str:
        line = cell.source_line(cell.source.count("\n", 0, match.start()) + 1)
        try:
            parsed = environment.parse(match[0])
        except jinja2.TemplateSyntaxError:
            return match[0]  # not Jinja at all: Python's own braces
        # The names it reads, Jinja's globals (lipsum) too; found without compiling it, which an unknown filter stops.
        names = {node.name for node in parsed.find_all(jinja2.nodes.Name)}
        if not names & context.keys() and not _is_quoted_text(parsed):
            if shown is not None and names and shown[match.start():match.end()] == match[0]:
                _unknown_in_prose(parsed, names, context, path, line, warn)
            return match[0]  # no name of the build's: another language's braces (a misspelt name fails when it runs)
        try:
            return environment.from_string(match[0]).render(context)
        except Exception as exc:  # noqa: BLE001 - what the cell's Jinja raises is the lesson's
            raise SourceError(path, line, _describe(exc)) from None

    return BRACES.sub(replace, cell.source)


def _unknown_in_prose(parsed: jinja2.nodes.Template, names: set[str], context: dict, path: Path, line: int, warn) -> None:
    known = ", ".join(sorted(name for name in context if not name.startswith("_")))
    called = sorted({node.node.name for node in parsed.find_all(jinja2.nodes.Call)
                     if isinstance(node.node, jinja2.nodes.Name) and node.node.name not in context})
    if called:
        raise SourceError(path, line, f"unknown function '{called[0]}' in {{{{ }}}} (the build's names: {known})")
    warn(line, f"'{{{{ {', '.join(sorted(names))} }}}}' names nothing the build or the front matter's substitutions "
               "define: shown as written")


def _is_quoted_text(parsed: jinja2.nodes.Template) -> bool:
    """`{{ '{%' }}`: how Jinja's own text is quoted (the importer writes it so)."""
    (output,) = parsed.body if len(parsed.body) == 1 else (None,)
    return isinstance(output, jinja2.nodes.Output) and all(
        isinstance(node, jinja2.nodes.Const) and isinstance(node.value, str) for node in output.nodes)


# What a page does not show as prose: HTML comments, code blocks and code spans (examples of syntax). A
# fence that opens a MyST directive ({note}, {figure}) holds prose, and stays.
NOT_SHOWN = re.compile(r"<!--.*?-->|`[^`\n]+`", re.DOTALL)
# LaTeX, whose braces are its own: $$...$$ and $...$.
MATH = re.compile(r"\$\$.*?\$\$|(?<![\\$])\$[^$\n]+\$", re.DOTALL)


def _shown_text(source: str, math: bool = False) -> str:
    """The Markdown with what it does not show as prose (and, with `math`, its LaTeX) blanked out, line for line."""
    shown = NOT_SHOWN.sub(_blanked, _without_code_blocks(source))
    return MATH.sub(_blanked, shown) if math else shown


def rebased_sources(markdown: str, up: str) -> str:
    """The Markdown with `up` before each relative address that its raw HTML gives a browser (`<img src>`,
    `<video src>`, `<a href>`), which the site engine leaves as written: a page published as `folder/page/index.html` reads
    its neighbours one folder up. Code and comments are left alone."""
    if not up or ("src=" not in markdown and "href=" not in markdown):
        return markdown
    shown = _shown_text(markdown)
    starts = [match.start("html") for match in PROSE_IMAGE.finditer(shown) if match["html"] and not match["html"].startswith("/")]
    starts = sorted(starts + [match.start("href") for match in RAW_LINK.finditer(shown)])
    for start in reversed(starts):
        markdown = markdown[:start] + up + markdown[start:]
    return markdown


def _outermost(edits: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
    """The edits that no other edit holds (a link's own rewrite wins over one inside its text)."""
    return [edit for edit in edits if not any(other is not edit and other[0] <= edit[0] and edit[1] <= other[1]
                                              for other in edits)]


def _without_code_blocks(source: str) -> str:
    """The Markdown with its code blocks' lines blanked, as MyST's parser finds the blocks (a closing fence is no
    opening one; a block may sit in a list or a directive); a directive's fence holds prose, and stays."""
    lines = source.split("\n")
    for token in PARSER.parse(source):
        if token.type not in ("fence", "code_block", "colon_fence") or not token.map:
            continue
        start, end = token.map
        if not is_directive(token):
            lines[start:end] = [" " * len(line) for line in lines[start:end]]  # offsets into the text hold
            continue
        # A directive's body is text of its own (a list-table's cells hold examples in fences): its blocks too.
        inner = token.content.split("\n")
        for index, line in enumerate(_without_code_blocks(token.content).split("\n")):
            row = start + 1 + index
            if row < end and inner[index].strip() and not line.strip():
                lines[row] = " " * len(lines[row])
    return "\n".join(lines)


def _blanked(match: re.Match) -> str:
    return re.sub(r"[^\n]", " ", match[0])


class _Prose:
    """What a lesson's prose points at: other lessons' pages, and files it shows."""

    def __init__(self, project: Project, course: Course, shared: _CourseProse, lesson: Lesson, demote: bool):
        folder = project.root / lesson.path.parent  # what the prose names, it names relative to its own folder
        self.lessons, self.folder, self.lesson_files = project.lessons_dir.resolve(), folder, shared.lesson_files
        self.course_folder = (project.root / course.path).resolve()
        self.scope = "the book's folder" if project.book else f"{LESSONS}/"
        self.rooted = project.book is not None
        self.page = PageProse(lesson.slug, lesson.title, shared.bibliography, folder, project.lessons_dir,
                              numbering=lesson.front_matter.get("numbering", True), demote=demote, scope=self.scope)
        self.assets: list[Path] = []
        self.warnings: list[SourceWarning] = []

    def directives(self, source: str, cell: Cell, path: Path) -> str:
        """MyST's prose as the site's components (myst/); a file the prose offers for download is checked as an image is."""
        seen = len(self.page.warnings), len(self.page.files)
        shown = self.page.translate(source, lambda line: SourceLocation(path, cell.source_line(line)))
        self.warnings += [SourceWarning(where, message) for where, message in self.page.warnings[seen[0]:]]
        for file, where in self.page.files[seen[1]:]:
            self._asset(file, path, where.line or 1, "file")
        return shown

    def finish(self, path: Path) -> str:
        seen = len(self.page.warnings)
        closing = self.page.finish()
        self.warnings += [SourceWarning(where, message) for where, message in self.page.warnings[seen:]]
        return closing

    def resolve(self, source: str, cell: Cell, path: Path) -> str:
        """The Markdown with each link to a page that is no lesson made plain text (and a warning), and each image
        it shows checked: a missing one is an error."""
        lines, shown = source.split("\n"), _shown_text(source).split("\n")
        for number, (text, visible) in enumerate(zip(lines, shown, strict=False), start=1):
            where = SourceLocation(path, cell.source_line(number))
            for anchor in HTML_ANCHOR.finditer(visible):  # a browser goes to it: links to it are good
                self.page.anchor_target(anchor["anchor"], anchor["anchor"], where)
            edits = [edit for match in PROSE_IMAGE.finditer(visible) if (edit := self._image(match, where)) is not None]
            for link in RAW_LINK.finditer(visible):
                self._raw_link(link["href"], where)
            edits += [(m.start(), m.end(), self._link(m, where)) for m in LESSON_LINK.finditer(visible)]
            edits += [(m.start(), m.end(), self._link(m, where)) for m in SAME_PAGE_LINK.finditer(visible)]
            edits += [(m.start(), m.end(), m[1]) for m in QUOTE_ESCAPE.finditer(visible)]
            edits += [(m.start(), m.end(), self._file_link(m, where)) for m in FILE_LINK.finditer(visible)
                      if not m["target"].endswith((".md", ".ipynb", ".Rmd"))]
            for start, end, new in sorted(_outermost(edits), reverse=True):  # from the right: the left's places hold
                text = text[:start] + new + text[end:]
            lines[number - 1] = text
        return "\n".join(lines)

    def _image(self, match: re.Match, where: SourceLocation) -> tuple[int, int, str] | None:
        """The image's name as the site serves it (its best format, relative to the page), checked to be there."""
        group = next(name for name in ("md", "html", "directive") if match[name])
        if match[group].startswith("/") and not self.rooted:
            return None  # an address on the site's host, as a lesson project writes it
        image = self._best_format(self._relative(match[group]))
        if self.rooted and self._served(image) is None:  # Jupyter Book warns of it and publishes the page
            self.page.looked_at.append(self.folder / image)  # added later, it renders the page again
            self.warnings.append(SourceWarning(where, f"image '{image}' not found beside the page: shown as a placeholder"))
            return match.start(group), match.end(group), missing_image(image)
        self._asset(image, where.path, where.line or 1)
        return match.start(group), match.end(group), image

    def _file_link(self, match: re.Match, where: SourceLocation) -> str:
        """A link to a file beside the page, served with it (checked as an image is); one to no file, its text."""
        name, text = match["target"], match["text"] or Path(match["target"]).name
        if not (self.folder / name).is_file():
            self.warnings.append(SourceWarning(where, f"link to '{name}', which is no file beside the lesson: shown as text"))
            return text
        self._asset(name, where.path, where.line or 1, "file")
        return f"[{text}]({served_name(name)})"

    def _raw_link(self, href: str, where: SourceLocation) -> None:
        """A file that raw HTML links to is served with the page (a page's address, or no file, is left to the
        browser as the author wrote it)."""
        file = None if href.lower().endswith(LINKED_PAGES) else self._served(href)
        if file is not None and not self._hidden(file):
            self._asset(href, where.path, where.line or 1, "file")  # a hidden file (.env) is never served

    def _relative(self, source: str) -> str:
        """A book's `/images/x.png` as the page's folder names it (`../images/x.png`): the site may not be at its
        host's root."""
        if not source.startswith("/"):
            return source
        return Path(os.path.relpath(self.lessons / source.lstrip("/"), self.folder.resolve())).as_posix()

    def _link(self, match: re.Match, where: SourceLocation) -> str:
        """A link to a lesson's page (and to a section of it, checked once the course's headings are known), or to
        a section of this one; a link to a page that is no lesson is its text, with a warning."""
        if match.re is SAME_PAGE_LINK:
            return self.page.reference("anchor", f"{self.page.lesson}#{match['anchor']}", match["text"], where)
        page = str(Path(match["target"]).with_suffix(".md"))
        file = (self.folder / page).resolve()
        if file not in self.lesson_files:
            self.warnings.append(SourceWarning(where, f"link to '{match['target']}', which is no lesson: shown as text"))
            return match["text"]
        if not file.is_relative_to(self.course_folder) or (not match["anchor"] and match["text"]):
            return f"[{match['text']}]({page}{match['anchor'] or ''}{match['title'] or ''})"  # another course's: not known
        slug = file.relative_to(self.course_folder).with_suffix("").as_posix()
        if not match["anchor"]:  # `[](other.md)`: MyST shows the page's title
            return self.page.reference("doc", f"/{slug}", None, where)
        return self.page.reference("anchor", f"{slug}{match['anchor']}", match["text"], where)

    def _best_format(self, source: str) -> str:
        """`images/fish.*`, as Jupyter Book writes an image it has in several formats: the one of the formats present
        that a browser shows best (IMAGE_PREFERENCE); any other name as it is."""
        if not source.endswith(".*"):
            return source
        stem = source[:-2]
        candidates = [self.folder / f"{stem}{suffix}" for suffix in IMAGE_PREFERENCE]
        self.page.looked_at.extend(candidates)  # a format added later makes another choice: the kept render goes
        found = next((suffix for suffix, file in zip(IMAGE_PREFERENCE, candidates, strict=True) if file.is_file()), None)
        return source if found is None else f"{stem}{found}"

    def _served(self, source: str) -> Path | None:
        """The file a relative address names, where it is one inside the project (a book's folder or lessons/)."""
        file = inside(self.folder / source.split("#")[0].split("?")[0], self.lessons)
        return file if file is not None and file.is_file() else None

    def _hidden(self, file: Path) -> bool:
        """Whether the file is in a hidden or build folder (or hidden itself), which the site never publishes."""
        return any(never_source(part) for part in file.relative_to(self.lessons).parts)

    def _asset(self, source: str, path: Path, line: int, kind: str = "image") -> None:
        file = self._served(source)
        if file is None:
            raise SourceError(path, line, f"{kind} '{source}' not found (a file beside the lesson, inside {self.scope})")
        if self._hidden(file):
            raise SourceError(path, line, f"{kind} '{source}' is in a hidden or build folder, which the site never publishes")
        self.assets.append(file.relative_to(self.lessons))


def missing_image(name: str) -> str:
    """An image's address in a book whose file is missing: a grey box saying so, inline, so that the site engine
    has no file to refuse and the learner sees what is not there."""
    label = html.escape(f"image not found: {name}")
    svg = (f"<svg xmlns='http://www.w3.org/2000/svg' width='480' height='48'><rect width='100%' height='100%' "
           f"fill='#eee' stroke='#999'/><text x='12' y='30' font-family='sans-serif' font-size='14'>{label}</text></svg>")
    return "data:image/svg+xml," + urllib.parse.quote(svg, safe="")


def _describe(exc: BaseException) -> str:
    if (refused := refusal(exc)) is not None:
        return refused
    if isinstance(exc, jinja2.UndefinedError):
        return f"undefined name in template: {exc.message}"
    if isinstance(exc, jinja2.TemplateSyntaxError):  # an unknown filter or test, found as the expression compiles
        return f"Jinja syntax error: {exc.message}"
    if isinstance(exc, jinja2.TemplateRuntimeError):  # the same, inside an {% if %}, found only as it runs
        return f"Jinja error: {exc}"
    if isinstance(exc, LessonTemplateError):
        return str(exc)
    return f"template error: {type(exc).__name__}: {exc}"


def _notebook_cell(cell: Cell, source: str, target: RenderTarget) -> dict[str, Any]:
    metadata = dict(cell.metadata)
    if cell.tags:
        metadata["tags"] = list(cell.tags)
    if target == "kaggle":
        metadata.update({flag: True for tag in cell.tags for flag in KAGGLE_HIDING.get(tag, ())})
    return _new_cell(cell.kind, source, metadata)


def _new_cell(kind: str, source: str, metadata: dict[str, Any]) -> dict[str, Any]:
    metadata = dict(metadata)
    attachments = metadata.pop("attachments", None)  # imported notebooks keep theirs in the cell metadata
    cell: dict[str, Any] = {"cell_type": kind, "id": "", "metadata": metadata, "source": source}
    if kind == "code":
        cell.update(execution_count=None, outputs=[])
    elif attachments:
        cell["attachments"] = attachments
    return cell


def _notebook_metadata(course: Course, lesson: Lesson, project: Project) -> dict[str, Any]:
    name = project.settings.kernel
    display_name = "Python 3 (ipykernel)" if name == DEFAULT_KERNEL else name  # as Jupyter itself names it
    kernelspec = {"name": name, "display_name": display_name, "language": "python"}
    kernelspec.update(lesson.front_matter.get("kernelspec", {}))
    return {
        "kernelspec": kernelspec,
        "language_info": {"name": "python"},
        "title": lesson.title,
        "lessonbuild": {"course": course.slug, "lesson": lesson.slug, "source": lesson.path.as_posix()},
        **({"mystnb": lesson.front_matter["mystnb"]} if isinstance(lesson.front_matter.get("mystnb"), dict) else {}),
    }

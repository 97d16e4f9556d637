"""A book's pages, in its table of contents' order, as one course: each page keeps its path in the book, so that
what it names relative to its own folder resolves as it does in Jupyter Book."""
from __future__ import annotations

import re
from dataclasses import replace
from pathlib import Path

from lessonbuild.book import Book, page_slug
from lessonbuild.errors import SourceError, SourceErrors
from lessonbuild.model import Course, Lesson, Unit
from lessonbuild.pipeline.read.lessons import LESSON_SCHEMA, read_lesson_file, titled
from lessonbuild.pipeline.read.notebook_files import JUPYTEXT_SUFFIXES, read_jupytext_file, read_notebook_file
from lessonbuild.project import Project
from lessonbuild.state.reads import KeptReads

BOOK_READS = "_book"  # the name its kept reads go by (no course folder of a project starts with "_")


def read_book(project: Project) -> tuple[Course, list[SourceError]]:
    """The book's pages as a course, and the problems found in them (a page that does not read stays as a
    stand-in, so that links to it do not report problems of their own)."""
    book = project.book
    assert book is not None  # read_courses reads a book only in a book
    titles = book.toc_titles()
    kept, lessons, errors = KeptReads(project, BOOK_READS), [], []
    for number, page in enumerate(book.pages(), start=1):
        try:
            lesson = _read_kept(kept, project.root / page, Path(page), titles.get(page))
        except SourceErrors as exc:
            errors.extend(exc.errors)
            lesson = exc.partial
        except SourceError as exc:
            errors.append(exc)
            lesson = Lesson(page_slug(page), Path(page), {"title": page}, (), readable=False)
        lessons.append(_placed(lesson, page, number, book))
    kept.save()
    return _course(project, book, lessons), errors


def _read_kept(kept: KeptReads, path: Path, relative: Path, toc_title: str | None) -> Lesson:
    lesson = kept.get(path, relative)
    if lesson is None:
        lesson = _read_page(path, relative, toc_title)
        kept.put(path, relative, lesson, [])
    return lesson


def _read_page(path: Path, relative: Path, toc_title: str | None) -> Lesson:
    untitled = toc_title or path.stem.replace("_", " ").replace("-", " ")
    if path.suffix == ".ipynb":
        lesson, _ = read_notebook_file(path, relative, LESSON_SCHEMA)
        return titled(lesson, relative, untitled)
    if path.suffix in JUPYTEXT_SUFFIXES:
        lesson, _ = read_jupytext_file(path, relative, LESSON_SCHEMA)
        return titled(lesson, relative, untitled)
    return read_lesson_file(path, relative, untitled)


def _placed(lesson: Lesson, page: str, number: int, book: Book) -> Lesson:
    """The page as the book places it: named by its path, numbered in toc order, run or not as the book says."""
    stored = any(cell.outputs for cell in lesson.cells)
    executes = book.executes(page) and not (book.execute == "auto" and stored)
    front_matter = lesson.front_matter
    if book.substitutions:  # the book's, under the page's own
        front_matter = {**front_matter, "substitutions": {**book.substitutions, **front_matter.get("substitutions", {})}}
    if book.allow_errors and "allow_errors" not in front_matter.get("execution", {}):
        front_matter = {**front_matter, "execution": {**front_matter.get("execution", {}), "allow_errors": True}}
    return replace(lesson, slug=page_slug(page), number=number, executes=executes, front_matter=front_matter)


def _course(project: Project, book: Book, lessons: list[Lesson]) -> Course:
    readable = tuple(lesson for lesson in lessons if lesson.readable)
    return Course(
        slug=book_slug(project.root),
        path=Path("."),
        title=book.title,
        description="",
        lessons=readable,
        units=tuple(Unit(lesson.number, lesson.title, lesson, None) for lesson in lessons),
        toc=book.toc,
    )


def book_slug(root: Path) -> str:
    """The book's name in the site's addresses: its folder's name, in the letters an address keeps."""
    return re.sub(r"[^A-Za-z0-9_.-]+", "-", root.name).strip("-.") or "book"

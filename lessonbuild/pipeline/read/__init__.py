"""Stage 1, read: lessons/ (or a book's pages, in place) -> Course values, each lesson's cells with the source
lines they start on."""
from __future__ import annotations

from lessonbuild.errors import SourceErrors
from lessonbuild.model import Course
from lessonbuild.pipeline.read.book import read_book
from lessonbuild.pipeline.read.lessons import read_lesson_courses
from lessonbuild.project import Project

__all__ = ["read_courses"]


def read_courses(project: Project) -> list[Course]:
    """Every course of the project, or the book as one; raise SourceErrors listing every problem found, whose
    `partial` holds the courses with the lessons that did read."""
    if project.book is None:
        return read_lesson_courses(project)
    course, errors = read_book(project)
    if errors:
        raise SourceErrors(errors, partial=[course])
    return [course]

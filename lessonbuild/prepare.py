"""Everything short of executing: read and render every lesson, and try every template and setting
that the build will use, so that each problem is reported at once, before any kernel starts."""
from __future__ import annotations

from .errors import SourceError, SourceErrors
from .model import Course, RenderedLesson
from .project import COURSE_FILE, Project, site_name
from .read import read_courses
from .render import render_course

Prepared = list[tuple[Course, list[RenderedLesson]]]


def prepare(project: Project, target: str = "site") -> Prepared:
    """Every course with its rendered lessons for `target`; raise SourceErrors listing every problem.

    For Kaggle, the courses are those whose course file has kaggle settings.
    """
    errors: list[SourceError] = []
    try:
        site_name(project)
    except SourceError as exc:
        errors.append(exc)
    try:
        courses = read_courses(project)
    except SourceErrors as exc:
        errors.extend(exc.errors)
        courses = exc.partial
    if target == "kaggle":
        courses = _kaggle_courses(courses, errors)
    rendered = []
    for course in courses:
        try:
            rendered.append((course, render_course(course, project, target)))
        except SourceErrors as exc:
            errors.extend(exc.errors)
    if target == "site":
        from .publish import preflight

        errors.extend(preflight(rendered, project))
    if errors:
        raise SourceErrors(errors)
    return rendered


def _kaggle_courses(courses: list[Course], errors: list[SourceError]) -> list[Course]:
    on_kaggle = [course for course in courses if course.kaggle is not None]
    if courses and not on_kaggle and not errors:
        message = "no course file has kaggle settings (a 'kaggle:' section with an owner)"
        errors.append(SourceError(courses[0].path / COURSE_FILE, 1, message))
    return on_kaggle

"""Everything short of executing: read and render every lesson, and try every template and setting
that the build will use, so that each problem is reported at once, before any kernel starts."""
from __future__ import annotations

import sys
from pathlib import Path
from typing import TextIO

from lessonbuild.errors import SourceError, SourceErrors, SourceWarning
from lessonbuild.model import Course, RenderedLesson, RenderTarget
from lessonbuild.pipeline.read import read_courses
from lessonbuild.pipeline.render.notebooks import render_course
from lessonbuild.pipeline.site import require_site_engine
from lessonbuild.project import COURSE_FILE, DEFAULT_KERNEL, Project, site_name

Prepared = list[tuple[Course, list[RenderedLesson]]]


def prepare(project: Project, target: RenderTarget = "site", local_kernels: bool = True) -> Prepared:
    """Every course with its rendered lessons for `target`; raise SourceErrors listing every problem.

    For Kaggle, the courses are those whose course file has kaggle settings. With `local_kernels`,
    a kernel that a lesson names must be installed here (a gateway has kernels of its own).
    """
    if target == "site":
        require_site_engine(project)
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
    elif local_kernels:
        errors.extend(_missing_kernels(courses, project))
    rendered = []
    for course in courses:
        try:
            rendered.append((course, render_course(course, project, target)))
        except SourceErrors as exc:
            errors.extend(exc.errors)
    if target == "site":
        from lessonbuild.pipeline.publish.pages import preflight

        errors.extend(preflight(rendered, project))
    if errors:
        raise SourceErrors(errors)
    return rendered


def warnings_of(prepared: Prepared, project: Project) -> list[SourceWarning]:
    """What the lessons' authors should look at that does not stop a build: a book's settings first."""
    settings = list(project.book.warnings) if project.book else []
    return settings + [warning for _, lessons in prepared for rendered in lessons for warning in rendered.warnings]


def report_warnings(prepared: Prepared, project: Project, strict: bool, err: TextIO | None = None) -> None:
    """Print the warnings; with `strict` (as Sphinx's -W), they stop the command as errors do."""
    warnings = warnings_of(prepared, project)
    if strict and warnings:
        raise SourceErrors([warning.as_error() for warning in warnings])
    for warning in warnings:
        print(warning, file=err or sys.stderr, flush=True)


def _missing_kernels(courses: list[Course], project: Project) -> list[SourceError]:
    """A kernelspec naming a kernel that is not installed, at its line: before any kernel is started."""
    named = [(lesson, lesson.front_matter["kernelspec"]["name"]) for course in courses for lesson in course.lessons
             if "kernelspec" in lesson.front_matter and lesson.front_matter["kernelspec"]["name"] != DEFAULT_KERNEL]
    if not named:
        return []  # the default kernel comes with the build (ipykernel); looking the others up takes a tenth of a second
    from jupyter_client.kernelspec import KernelSpecManager

    installed = set(KernelSpecManager().find_kernel_specs()) | {DEFAULT_KERNEL}
    errors = []
    for lesson, name in named:
        if name not in installed:
            line = _kernelspec_line(project.root / lesson.path)
            message = f"kernel '{name}' is not installed here (installed: {', '.join(sorted(installed))})"
            errors.append(SourceError(lesson.path, line, message))
    return errors


def _kernelspec_line(path: Path) -> int:
    """The line of the kernelspec's name in the lesson's front matter."""
    lines = path.read_text(encoding="utf-8-sig").splitlines()
    start = next((n for n, line in enumerate(lines) if line.startswith("kernelspec:")), 0)
    return next((n + 1 for n in range(start, len(lines)) if lines[n].strip().startswith("name:")), start + 1)


def _kaggle_courses(courses: list[Course], errors: list[SourceError]) -> list[Course]:
    on_kaggle = [course for course in courses if course.kaggle is not None]
    if courses and not on_kaggle and not errors:
        message = "no course file has kaggle settings (a 'kaggle:' section with an owner)"
        errors.append(SourceError(courses[0].path / COURSE_FILE, 1, message))
    return on_kaggle

"""The build, stage after stage: read -> render -> execute -> publish -> site."""
from __future__ import annotations

import shutil
import sys
from dataclasses import dataclass, field
from typing import TextIO

from .cache import ExecutionCache
from .errors import CellFailure, SourceError, SourceErrors
from .execute import execute_lesson
from .figures import Drift, check_figures, extract_figures, save_figures
from .model import Course, ExecutedLesson, RenderedLesson
from .project import Project, site_name
from .publish import publish
from .read import read_courses
from .render import render_course
from .site import build_site


@dataclass
class BuildReport:
    lessons: int
    failures: list[CellFailure]
    drifted: list[Drift] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        return 1 if self.failures or self.drifted else 0


def check(project: Project) -> list[tuple[Course, list[RenderedLesson]]]:
    """Read and render every lesson without executing; raise SourceErrors listing every problem."""
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
    rendered = []
    for course in courses:
        try:
            rendered.append((course, render_course(course, project)))
        except SourceErrors as exc:
            errors.extend(exc.errors)
    if errors:
        raise SourceErrors(errors)
    return rendered


def build(project: Project, force: list[str] | None = None, out: TextIO = sys.stdout) -> BuildReport:
    """Build everything; the site is replaced only when every lesson executed.

    `force` names lessons ("course/slug" or "slug") to execute even when cached; an empty
    list forces them all, None forces none.
    """
    executed, figures, report = _execute_and_draw(project, force, out)
    if report.failures:
        return report
    _save(figures, project, out)
    nav = publish(executed, project, site_name(project))
    build_site(nav, project)
    print(f"site: {project.relative(project.site_dir).as_posix()}/ ({report.lessons} lessons)", file=out, flush=True)
    return report


def figures(project: Project, update: bool, out: TextIO = sys.stdout) -> BuildReport:
    """Regenerate every figure; write the changed ones (update) or report those that drifted (check)."""
    _, drawn, report = _execute_and_draw(project, None, out)
    if report.failures:
        return report
    if update:
        _save(drawn, project, out)
        return report
    report.drifted = check_figures(drawn, project)
    for drift in report.drifted:
        print(drift, file=out, flush=True)
    if not report.drifted:
        print(f"{len(drawn)} figures match figures/", file=out, flush=True)
    return report


def _execute_and_draw(project: Project, force: list[str] | None, out: TextIO):
    """Check, then execute or reuse every lesson; then take what its figure cells drew."""
    courses = check(project)
    cache = ExecutionCache(project)
    executed: list[tuple[Course, list[ExecutedLesson]]] = []
    failures: list[CellFailure] = []
    for course, lessons in courses:
        done = []
        for rendered in lessons:
            result = _execute_or_reuse(rendered, cache, _is_forced(rendered, force), out)
            if isinstance(result, CellFailure):
                failures.append(result)
            else:
                done.append(result)
        executed.append((course, done))
    report = BuildReport(lessons=sum(len(lessons) for _, lessons in courses), failures=failures)
    if failures:
        return executed, [], report
    executed, drawn = _extract_figures(executed)
    return executed, drawn, report


def _extract_figures(executed):
    """Attach what the figure cells drew; a figure cell that drew nothing is bad input."""
    errors, result, drawn = [], [], []
    for course, lessons in executed:
        try:
            lessons, figures_of_course = extract_figures(lessons)
        except SourceErrors as exc:
            errors.extend(exc.errors)
            continue
        result.append((course, lessons))
        drawn.extend(figures_of_course)
    if errors:
        raise SourceErrors(errors)
    return result, drawn


def _save(drawn, project: Project, out: TextIO) -> None:
    for path in save_figures(drawn, project):
        print(f"figure: {project.relative(path).as_posix()} updated", file=out, flush=True)


def _execute_or_reuse(rendered: RenderedLesson, cache: ExecutionCache, forced: bool, out: TextIO):
    name = f"{rendered.course.slug}/{rendered.lesson.slug}"
    inputs = cache.inputs(rendered)
    cached = None if forced else cache.lookup(rendered, inputs)
    if cached is not None:
        print(f"{name}: cached (executed on {cached.device} in {cached.seconds:.1f} s)", file=out, flush=True)
        return cached
    why = "forced" if forced else cache.why_executed(rendered, inputs)
    try:
        result = execute_lesson(rendered, cache.project)
    except CellFailure as failure:
        print(f"{name}: failed ({why})", file=out, flush=True)
        return failure
    cache.store(result, inputs)
    print(f"{name}: executed in {result.seconds:.1f} s on {result.device} ({why})", file=out, flush=True)
    return result


def _is_forced(rendered: RenderedLesson, force: list[str] | None) -> bool:
    if force is None:
        return False
    names = {rendered.lesson.slug, f"{rendered.course.slug}/{rendered.lesson.slug}"}
    return not force or bool(names & set(force))


def clean(project: Project) -> None:
    """Remove the build folder (intermediate files and cache); site/ and figures/ stay."""
    shutil.rmtree(project.build_dir, ignore_errors=True)

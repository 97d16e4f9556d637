"""The build, stage after stage: read -> render -> execute -> publish -> site."""
from __future__ import annotations

import os
import shutil
import sys
from concurrent.futures import ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from typing import TextIO

from .cache import ExecutionCache
from .errors import CellFailure, SourceError, SourceErrors
from .execute import ExecutionOptions, execute_lesson
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


@dataclass(frozen=True)
class RunOptions:
    force: list[str] | None = None  # lessons to execute even if cached ("course/slug" or slug); [] all
    jobs: int = 1  # lessons executed at once, each in its own kernel
    device: str = "auto"


def build(project: Project, run: RunOptions = RunOptions(), out: TextIO = sys.stdout) -> BuildReport:
    """Build everything; the site is replaced only when every lesson executed."""
    executed, figures, report = _execute_and_draw(project, run, out)
    if report.failures:
        return report
    _save(figures, project, out)
    nav = publish(executed, project, site_name(project))
    build_site(nav, project)
    print(f"site: {project.relative(project.site_dir).as_posix()}/ ({report.lessons} lessons)", file=out, flush=True)
    return report


def figures(project: Project, update: bool, run: RunOptions = RunOptions(), out: TextIO = sys.stdout) -> BuildReport:
    """Regenerate every figure; write the changed ones (update) or report those that drifted (check)."""
    _, drawn, report = _execute_and_draw(project, run, out)
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


def _execute_and_draw(project: Project, run: RunOptions, out: TextIO):
    """Check, then execute or reuse every lesson; then take what its figure cells drew."""
    courses = check(project)
    results = _execute_all([r for _, lessons in courses for r in lessons], project, run, out)
    failures = [result for result in results.values() if isinstance(result, CellFailure)]
    report = BuildReport(lessons=len(results), failures=failures)
    if failures:
        return [], [], report
    executed = [(course, [results[id(r)] for r in lessons]) for course, lessons in courses]
    executed, drawn = _extract_figures(executed)
    return executed, drawn, report


def _execute_all(lessons: list[RenderedLesson], project: Project, run: RunOptions, out: TextIO) -> dict:
    """Each lesson's ExecutedLesson or CellFailure, by id(rendered); cache hits first, then kernels in parallel."""
    cache = ExecutionCache(project)
    results, pending = {}, []
    for rendered in lessons:
        inputs = cache.inputs(rendered)
        forced = _is_forced(rendered, run.force)
        cached = None if forced else cache.lookup(rendered, inputs)
        if cached is None:
            pending.append((rendered, inputs, "forced" if forced else cache.why_executed(rendered, inputs)))
            continue
        _say(out, rendered, f"cached (executed on {cached.device} in {cached.seconds:.1f} s)")
        results[id(rendered)] = cached
    threads = max(1, (os.cpu_count() or 1) // run.jobs) if run.jobs > 1 else 0
    options = ExecutionOptions(threads=threads, device=run.device)
    with ThreadPoolExecutor(max_workers=max(1, run.jobs), thread_name_prefix="lesson") as pool:
        futures = {pool.submit(execute_lesson, rendered, project, options): (rendered, inputs, why) for rendered, inputs, why in pending}
        try:
            for future in as_completed(futures):
                rendered, inputs, why = futures[future]
                results[id(rendered)] = _finished(future, rendered, inputs, why, cache, out)
        except BaseException:  # Ctrl-C, or a device that is missing: stop every kernel, keep nothing half-done
            options.cancel.set()
            pool.shutdown(wait=True, cancel_futures=True)
            raise
    return results


def _finished(future, rendered: RenderedLesson, inputs, why: str, cache: ExecutionCache, out: TextIO):
    try:
        result = future.result()
    except CellFailure as failure:
        _say(out, rendered, f"failed ({why})")
        return failure
    cache.store(result, inputs)
    _say(out, rendered, f"executed in {result.seconds:.1f} s on {result.device} ({why})")
    return result


def _say(out: TextIO, rendered: RenderedLesson, status: str) -> None:
    print(f"{rendered.course.slug}/{rendered.lesson.slug}: {status}", file=out, flush=True)


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


def _is_forced(rendered: RenderedLesson, force: list[str] | None) -> bool:
    if force is None:
        return False
    names = {rendered.lesson.slug, f"{rendered.course.slug}/{rendered.lesson.slug}"}
    return not force or bool(names & set(force))


def clean(project: Project) -> None:
    """Remove the build folder (intermediate files and cache); site/ and figures/ stay."""
    shutil.rmtree(project.build_dir, ignore_errors=True)

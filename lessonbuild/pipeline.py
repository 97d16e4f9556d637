"""The build, stage after stage: read -> render -> execute -> publish -> site."""
from __future__ import annotations

import hashlib
import json
import os
import shutil
import sys
from pathlib import Path
from concurrent.futures import ThreadPoolExecutor, as_completed
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TextIO

from .cache import ExecutionCache
from .errors import BuildError, CellFailure, SourceError, SourceErrors
from .figures import Drift, check_figures, extract_figures, save_figures
from .fsutil import write_atomic
from .junit import write_junit
from .model import Course, ExecutedLesson, RenderedLesson
from .project import Project, site_name
from .read import read_courses
from .render import render_course
from . import uptodate

# execute, publish and site are imported where they are used: nbclient, nbconvert and MkDocs
# take most of a second to import, and a build with nothing to do should not pay for them.


@dataclass
class BuildReport:
    lessons: int
    failures: list[CellFailure]
    drifted: list[Drift] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        return 1 if self.failures or self.drifted else 0


def check(project: Project, target: str = "site") -> list[tuple[Course, list[RenderedLesson]]]:
    """Read and render every lesson for `target` without executing; raise SourceErrors listing every problem.

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
        on_kaggle = [course for course in courses if course.kaggle is not None]
        if courses and not on_kaggle and not errors:
            message = "no course file has kaggle settings (a 'kaggle:' section with an owner)"
            errors.append(SourceError(courses[0].path / "course.yml", 1, message))
        courses = on_kaggle
    rendered = []
    for course in courses:
        try:
            rendered.append((course, render_course(course, project, target)))
        except SourceErrors as exc:
            errors.extend(exc.errors)
    if errors:
        raise SourceErrors(errors)
    return rendered


SITE_DIGEST = "site.digest"  # in the build folder: the inputs of the site now in site/


@dataclass(frozen=True)
class RunOptions:
    force: list[str] | None = None  # lessons to execute even if cached ("course/slug" or slug); [] all
    jobs: int = 1  # lessons executed at once, each in its own kernel
    device: str = "auto"
    gateway: str | None = None  # execute on this Jupyter Kernel Gateway instead of locally
    uncached: str = "execute"  # a lesson with no cache entry: "execute", "skip" (--no-execute) or "fail"
    shard: tuple[int, int] | None = None  # (K, N): execute only the K-th of N slices, build no site
    junit: Path | None = None  # write one test case per lesson here


class MissingCache(BuildError):
    """--require-cache, and some lessons have no cache entry."""


def build(project: Project, run: RunOptions = RunOptions(), out: TextIO = sys.stdout) -> BuildReport:
    """Build everything; the site is replaced only when every lesson executed."""
    plain = run.force is None and run.uncached == "execute" and run.shard is None
    stamp = uptodate.source_stamp(project)
    if plain and (lines := uptodate.is_current(project, stamp)) is not None:
        print("\n".join(lines), file=out, flush=True)  # nothing changed: not even a lesson is read
        return BuildReport(lessons=len(lines) - 1, failures=[])
    courses = check(project)
    cache = ExecutionCache(project)  # one per build: each lesson's inputs are hashed once
    if run.shard is not None:
        return _build_shard(project, courses, cache, run, out)
    site = project.relative(project.site_dir).as_posix()
    digest = _site_digest(project, courses, cache)
    if plain and _site_is_current(project, digest, courses, cache, out):
        print(f"site: {site}/ is up to date", file=out, flush=True)
        _remember_no_op(project, stamp, courses, cache)
        return BuildReport(lessons=sum(len(lessons) for _, lessons in courses), failures=[])
    executed, figures, report = _execute_and_draw(project, courses, cache, run, out)
    if report.failures or run.uncached == "skip":
        # A site of unexecuted lessons is a preview: it must not pass for the real one next time.
        (project.build_dir / SITE_DIGEST).unlink(missing_ok=True)
        uptodate.forget(project)
    if report.failures:
        return report
    from filelock import FileLock

    from .publish import publish
    from .site import build_site

    # Two builds of one project at once share _build/docs and the site's staging folder: one waits.
    project.build_dir.mkdir(parents=True, exist_ok=True)
    with FileLock(project.build_dir / "publish.lock"):
        _save(figures, project, out)
        nav = publish(executed, project, site_name(project))
        build_site(nav, project)
        write_atomic(project.build_dir / SITE_DIGEST, digest)
    print(f"site: {site}/ ({report.lessons} lessons)", file=out, flush=True)
    if run.uncached != "skip":
        # The stamp is taken before the build: an edit made while it ran makes the next build look again.
        _remember_no_op(project, stamp, courses, cache)
    return report


def _remember_no_op(project: Project, stamp: dict, courses, cache: ExecutionCache) -> None:
    """What a build with nothing to do will print, so that it can print it without reading anything."""
    lines = [f"{r.course.slug}/{r.lesson.slug}: cached ({cache.last_run(r)})" for _, rs in courses for r in rs]
    uptodate.remember(project, stamp, lines + [f"site: {project.relative(project.site_dir).as_posix()}/ is up to date"])


def _build_shard(project: Project, courses, cache: ExecutionCache, run: RunOptions, out: TextIO) -> BuildReport:
    """Execute this runner's slice of the lessons into the cache; the site is built once the caches are merged."""
    index, count = run.shard
    lessons = [r for _, rs in courses for r in rs if _shard_of(r, count) == index - 1]
    results = _execute_all(lessons, project, cache, run, out)
    failures = [result for result in results.values() if isinstance(result, CellFailure)]
    print(f"shard {index}/{count}: {len(lessons)} lessons; no site built (merge the caches, then --require-cache)", file=out)
    return BuildReport(lessons=len(lessons), failures=failures)


def _shard_of(rendered: RenderedLesson, count: int) -> int:
    """A lesson's slice depends on its name alone, so adding a lesson moves no other."""
    name = f"{rendered.course.slug}/{rendered.lesson.slug}".encode()
    return int.from_bytes(hashlib.sha256(name).digest()[:8], "big") % count


def _site_digest(project: Project, courses, cache: ExecutionCache) -> str:
    """What the site is made of: every rendered lesson, what its outputs depend on, the templates and settings."""
    parts = [site_name(project), project.mkdocs_config.read_text(encoding="utf-8")]
    folders = [project.templates_dir, Path(__file__).parent] + [project.root / course.path for course, _ in courses]
    for folder in folders:
        parts += [f"{p.relative_to(folder)}:{hashlib.sha256(p.read_bytes()).hexdigest()}" for p in _source_files(folder)]
    for _, lessons in courses:
        parts += [json.dumps(r.notebook, sort_keys=True) + cache.inputs(r).key for r in lessons]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def _source_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts)


def _site_is_current(project: Project, digest: str, courses, cache: ExecutionCache, out: TextIO) -> bool:
    """True when the last site was built from exactly these inputs and still stands; then say so per lesson."""
    stored = project.build_dir / SITE_DIGEST
    if not (project.site_dir / "index.html").exists() or not stored.exists() or stored.read_text() != digest:
        return False
    for _, lessons in courses:
        for rendered in lessons:
            _say(out, rendered, f"cached ({cache.last_run(rendered)})")
    return True


def figures(project: Project, update: bool, run: RunOptions = RunOptions(), out: TextIO = sys.stdout) -> BuildReport:
    """Regenerate every figure; write the changed ones (update) or report those that drifted (check)."""
    _, drawn, report = _execute_and_draw(project, check(project), ExecutionCache(project), run, out)
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


def _execute_and_draw(project: Project, courses, cache: ExecutionCache, run: RunOptions, out: TextIO):
    """Execute or reuse every lesson; then take what its figure cells drew."""
    results = _execute_all([r for _, lessons in courses for r in lessons], project, cache, run, out)
    failures = [result for result in results.values() if isinstance(result, CellFailure)]
    report = BuildReport(lessons=len(results), failures=failures)
    if failures:
        return [], [], report
    executed = [(course, [results[id(r)] for r in lessons]) for course, lessons in courses]
    executed, drawn = _extract_figures(executed, project)
    return executed, drawn, report


def _execute_all(lessons: list[RenderedLesson], project: Project, cache: ExecutionCache, run: RunOptions, out: TextIO) -> dict:
    """Each lesson's ExecutedLesson or CellFailure, by id(rendered); cache hits first, then kernels in parallel."""
    results, pending = _reuse(lessons, cache, run, out)
    if pending and run.uncached == "fail":
        names = ", ".join(f"{r.course.slug}/{r.lesson.slug}" for r, _, _ in pending)
        raise MissingCache(f"no cache entry for: {names} (--require-cache executes nothing)")
    results.update(_execute_pending(pending, project, cache, run, out))
    if run.junit is not None:
        write_junit(run.junit, [(f"{r.course.slug}/{r.lesson.slug}", results[id(r)]) for r in lessons])
    return results


def _reuse(lessons: list[RenderedLesson], cache: ExecutionCache, run: RunOptions, out: TextIO):
    """The lessons served by the cache (or left unexecuted), and the others with why they must run."""
    results, pending = {}, []
    for rendered in lessons:
        inputs = cache.inputs(rendered)
        forced = _is_forced(rendered, run.force)
        cached = None if forced else cache.lookup(rendered, inputs)
        if cached is not None:
            _say(out, rendered, f"cached (executed on {cached.device} in {cached.seconds:.1f} s)")
            results[id(rendered)] = cached
        elif run.uncached == "skip":
            _say(out, rendered, "not executed (--no-execute)")
            results[id(rendered)] = ExecutedLesson(rendered, rendered.notebook, 0.0, "", ran=False)
        else:
            pending.append((rendered, inputs, "forced" if forced else cache.why_executed(rendered, inputs)))
    return results, pending


def _execute_pending(pending, project: Project, cache: ExecutionCache, run: RunOptions, out: TextIO) -> dict:
    from .execute import ExecutionOptions, execute_lesson

    threads = max(1, (os.cpu_count() or 1) // run.jobs) if run.jobs > 1 else 0
    options = ExecutionOptions(threads=threads, device=run.device, gateway=run.gateway)
    results = {}
    with ThreadPoolExecutor(max_workers=max(1, run.jobs), thread_name_prefix="lesson") as pool:
        futures = {pool.submit(execute_lesson, rendered, project, options): (rendered, inputs, why) for rendered, inputs, why in pending}
        try:
            with progress_display(out, len(futures)) as advance:
                for future in as_completed(futures):
                    rendered, inputs, why = futures[future]
                    results[id(rendered)] = _finished(future, rendered, inputs, why, cache, out)
                    advance()
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


@contextmanager
def progress_display(out: TextIO, total: int):
    """On a terminal, a live bar of the lessons executing above the prompt; in CI and pipes, only the lines."""
    if total == 0 or not out.isatty() or os.environ.get("CI"):
        yield lambda: None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, SpinnerColumn, TextColumn, TimeElapsedColumn

    columns = (SpinnerColumn(), TextColumn("executing lessons"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    with Progress(*columns, console=Console(file=out), transient=True) as progress:
        task = progress.add_task("lessons", total=total)
        yield lambda: progress.advance(task)


def _say(out: TextIO, rendered: RenderedLesson, status: str) -> None:
    print(f"{rendered.course.slug}/{rendered.lesson.slug}: {status}", file=out, flush=True)


def _extract_figures(executed, project: Project):
    """Attach what the figure cells drew; a figure cell that drew nothing is bad input."""
    errors, result, drawn = [], [], []
    for course, lessons in executed:
        try:
            lessons, figures_of_course = extract_figures(lessons, project.figures_dir)
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


def kaggle(project: Project, out: TextIO = sys.stdout) -> list[Path]:
    """Render the courses that have kaggle settings for Kaggle; write one folder per kernel, ready to push."""
    from .kaggle import write_kernels

    written = write_kernels(check(project, target="kaggle"), project)
    for folder, kernel in written:
        print(f"kaggle: {project.relative(folder).as_posix()}/ ({kernel.slug})", file=out, flush=True)
    print(f"{len(written)} kernels; push one with: kaggle kernels push -p FOLDER", file=out, flush=True)
    return [folder for folder, _ in written]


def clean(project: Project) -> None:
    """Remove the build folder (intermediate files and cache); site/ and figures/ stay."""
    shutil.rmtree(project.build_dir, ignore_errors=True)

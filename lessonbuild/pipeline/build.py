"""The build driver: read and render, execute what changed, draw the figures, publish, and build the site.

The commands `build`, `figures` and `serve` are this module asked in different ways (a `BuildRequest`);
it composes the stages and the stores, and prints each lesson's status line. The site is replaced only
when every lesson executed and the site engine accepted the pages. Each stage is imported where it is first
used: a build with nothing to do answers from the stamps alone, and imports none of them.
"""
from __future__ import annotations

import hashlib
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, TextIO, TypeVar

from lessonbuild.errors import CellFailure, SourceErrors, UsageError
from lessonbuild.fsutil import write_atomic
from lessonbuild.model import Course, ExecutedLesson, RenderedLesson
from lessonbuild.pipeline.execute import ExecuteOptions
from lessonbuild.project import Project, setting_error, site_name
from lessonbuild.state import names, uptodate

if TYPE_CHECKING:
    from lessonbuild.pipeline.figures import Drift, Figure
    from lessonbuild.pipeline.prepare import Prepared
    from lessonbuild.state.executions import ExecutionCache

Executed = list[tuple[Course, list[ExecutedLesson]]]
T = TypeVar("T")


@dataclass(frozen=True)
class Shard:
    """The `index`-th (from 1) of `count` stable slices of the lessons."""

    index: int
    count: int

    def holds(self, rendered: RenderedLesson) -> bool:
        """A lesson's slice depends on its name alone, so adding a lesson moves no other."""
        number = int.from_bytes(hashlib.sha256(rendered.name.encode()).digest()[:8], "big")
        return number % self.count == self.index - 1

    def __str__(self) -> str:
        return f"{self.index}/{self.count}"


@dataclass(frozen=True)
class BuildRequest:
    """How a build was asked for.

    `shard`: execute that slice into the cache and build no site. `preview`: build serve's live
    preview in the build folder, leaving site/ as it is. `frozen_figures`: compare the figures with
    figures/ instead of writing them; any drift fails the build."""

    options: ExecuteOptions = field(default_factory=ExecuteOptions)
    shard: Shard | None = None
    junit: Path | None = None
    strict: bool = False
    preview: bool = False
    frozen_figures: bool = False
    keep_going: bool = False  # a lesson that fails is published as failed, as far as it ran; the build still fails

    @property
    def may_take_no_op(self) -> bool:
        """Whether "nothing changed" may be taken from the stamps; a GPU build always asks for the GPU and looks
        at what each entry ran on, and a pushing one offers the store every entry: nothing is taken on trust."""
        options = self.options
        return (options.force is None and options.uncached == "execute" and self.shard is None and not self.preview
                and options.device != "gpu" and not options.cache_push)


@dataclass
class BuildReport:
    lessons: int
    failures: list[CellFailure]
    drifted: list[Drift] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        return 1 if self.failures or self.drifted else 0


def build(project: Project, request: BuildRequest | None = None, out: TextIO = sys.stdout) -> BuildReport:
    """Build everything out of date, as `request` says; the site is replaced only when every lesson executed."""
    request = request or BuildRequest()
    stamp = uptodate.source_stamp(project)
    if request.may_take_no_op and (lines := uptodate.is_current(project, stamp)) is not None:
        print("\n".join(lines), file=out, flush=True)  # nothing changed: not even a lesson is read
        return BuildReport(lessons=len(lines) - 1, failures=[])
    return _healing(lambda: _build(project, request, stamp, out))


def regenerate_figures(project: Project, update: bool, options: ExecuteOptions | None = None,
                       junit: Path | None = None, out: TextIO = sys.stdout) -> BuildReport:
    """Regenerate every figure; write the changed ones (update) or report those that drifted (check)."""
    from lessonbuild.pipeline.figures import check_figures
    from lessonbuild.pipeline.prepare import prepare

    asked = options or ExecuteOptions()

    def regenerate() -> BuildReport:
        cache = execution_cache(project, asked)
        courses = prepare(project)
        _check_forced(courses, asked.force)
        _, drawn, report = _execute_and_draw(project, courses, cache, BuildRequest(asked, junit=junit), out)
        if report.failures:
            return report
        if update:
            _report_redrawn_figures(drawn, project, out)
            return report
        report.drifted = check_figures(drawn, project)
        for drift in report.drifted:
            print(drift, file=out, flush=True)
        if not report.drifted:
            print(f"{len(drawn)} figures match figures/", file=out, flush=True)
        return report

    return _healing(regenerate)


MAX_HEALS = 20  # damaged entries one command heals by starting again, before it gives up with the error


def _healing(action: Callable[[], T]) -> T:
    """`action()`, started again after each cache entry found damaged while it ran.

    A cached notebook is read only when a stage needs it: one found damaged then is removed, so the
    next start runs that lesson. Each start removes one entry, so this ends."""
    from lessonbuild.state.executions import DamagedEntry

    for _ in range(MAX_HEALS):
        try:
            return action()
        except DamagedEntry as exc:
            print(f"warning: {exc}: the lesson runs again", file=sys.stderr, flush=True)
    return action()


def _build(project: Project, request: BuildRequest, stamp: dict, out: TextIO) -> BuildReport:
    from lessonbuild.pipeline.prepare import prepare, report_warnings

    # A kernel a lesson names must be here only where lessons run here: not on a gateway or a Dask cluster, nor with
    # --no-execute.
    here = request.options.gateway is None and request.options.executor == "local"
    courses = prepare(project, local_kernels=here and request.options.uncached != "skip")
    _check_forced(courses, request.options.force)
    report_warnings(courses, project, request.strict)
    cache = execution_cache(project, request.options)  # one per build: each lesson's inputs are hashed once
    if request.shard is not None:
        return _build_shard(project, courses, cache, request, out)
    digest = _site_digest(project, courses, cache)
    if request.may_take_no_op and uptodate.site_is_built_from(project, digest):
        _say_cached(courses, cache, out)
        print(f"site: {_site_folder(project)}/ is up to date", file=out, flush=True)
        _remember_no_op(project, stamp, courses, cache)
        return BuildReport(lessons=sum(len(lessons) for _, lessons in courses), failures=[])
    executed, figures, report = _execute_and_draw(project, courses, cache, request, out)
    if (report.failures or request.options.uncached == "skip") and not request.preview:
        uptodate.forget_site(project)
    if report.failures and request.keep_going and executed:
        _published(project, request, executed, figures, report, (digest, cache), out)
        uptodate.forget_site(project)  # a site with failed pages is never the one the next build may keep
        print(f"{_lessons(len(report.failures))} failed: published as failed (--keep-going)", file=out, flush=True)
    if not report.failures and _published(project, request, executed, figures, report, (digest, cache), out) \
            and request.options.uncached != "skip":
        # The stamp is taken before the build: an edit made while it ran makes the next build look again.
        _remember_no_op(project, stamp, courses, cache)
    return report


def execution_cache(project: Project, options: ExecuteOptions) -> ExecutionCache:
    """The local cache, with a shared store behind it: the one --cache-url or the cache_url setting names, else
    (where the site publishes its cache) the published site's own."""
    from lessonbuild.state.executions import ExecutionCache
    from lessonbuild.state.store import NO_STORE, open_store, published_store, shown

    url = options.cache_url if options.cache_url is not None else project.settings.cache_url
    if options.cache_push and url in ("", NO_STORE):
        raise UsageError("--cache-push: no cache store to push to (give --cache-url, or set cache_url)")
    name = ""
    if options.cache_url is None and not url and project.settings.publish_cache:
        url = published_store(project)
        name = f"{url} (the published site's own: publish_cache is on and cache_url names no store)"
    try:
        return ExecutionCache(project, open_store(url, options.cache_push, project.root, name))
    except UsageError as exc:
        if options.cache_url is not None:
            raise
        raise setting_error(project, "cache_url", str(exc).removeprefix(f"cache_url {shown(url)!r}: ")) from None


def _check_forced(courses: Prepared, force: list[str] | None) -> None:
    """Every name --force gives must name a lesson: one that names none is a slip, and running nothing for it
    would pass for a build that did what was asked."""
    lessons = [rendered for _, rendered_lessons in courses for rendered in rendered_lessons]
    unknown = [name for name in force or [] if not any(name in rendered.known_as for rendered in lessons)]
    if unknown:
        example = f", such as {lessons[0].name}" if lessons else ""
        raise UsageError(f"--force: no lesson named {', '.join(map(repr, unknown))} "
                         f"(name a lesson as course/slug or by its slug{example})")


def _published(project: Project, request: BuildRequest, executed: Executed, figures: list[Figure],
               report: BuildReport, made_of: tuple[str, ExecutionCache], out: TextIO) -> bool:
    """Publish the site (or serve's preview); whether site/ was built. With frozen figures, a drifted figure
    publishes nothing: the committed figures are what the site must show."""
    from lessonbuild.pipeline.figures import check_figures

    if request.frozen_figures:
        report.drifted = check_figures(figures, project)
        for drift in report.drifted:
            print(drift, file=sys.stderr, flush=True)
        if report.drifted:
            return False
    if request.preview:
        _publish_preview(project, executed, figures, out)
        return False
    _publish(project, executed, [] if request.frozen_figures else figures, made_of, out)
    print(f"site: {_site_folder(project)}/ ({_lessons(report.lessons)})", file=out, flush=True)
    return True


def _publish(project: Project, executed: Executed, figures: list[Figure], made_of: tuple[str, ExecutionCache],
             out: TextIO) -> None:
    """site/ made anew from the executed lessons; `made_of`: the site's digest (what it is built from), and the
    cache whose entries it publishes where the project says so."""
    from filelock import FileLock

    from lessonbuild.pipeline.publish import publish
    from lessonbuild.pipeline.site import build_site

    digest, cache = made_of
    entries = [entry for _, lessons in executed for lesson in lessons if lesson.ran
               and (entry := cache.entry_file(lesson.rendered))] if project.settings.publish_cache else []
    # Two builds of one project at once share _build/docs and the site's staging folder: one waits.
    project.build_dir.mkdir(parents=True, exist_ok=True)
    with FileLock(project.build_dir / names.PUBLISH_LOCK), _figures_undone_unless_published(figures, project, out):
        nav = publish(executed, project, site_name(project), entries)  # its thumbnails are the figures just written
        build_site(nav, project)
        uptodate.record_site_digest(project, digest)


def _publish_preview(project: Project, executed: Executed, figures: list[Figure], out: TextIO) -> None:
    from filelock import FileLock

    from lessonbuild.pipeline.publish import publish
    from lessonbuild.pipeline.site import build_preview

    project.build_dir.mkdir(parents=True, exist_ok=True)
    with FileLock(project.build_dir / names.PUBLISH_LOCK), _figures_undone_unless_published(figures, project, out):
        folder = build_preview(publish(executed, project, site_name(project)), project)
    lessons = sum(len(lessons) for _, lessons in executed)
    print(f"preview: {project.relative(folder).as_posix()}/ ({_lessons(lessons)}; site/ is left as it was)",
          file=out, flush=True)


def _execute_and_draw(project: Project, courses: Prepared, cache: ExecutionCache, request: BuildRequest,
                     out: TextIO) -> tuple[Executed, list[Figure], BuildReport]:
    """Execute or reuse every lesson; then take what its figure cells drew. With --keep-going, a lesson that
    failed is kept as far as it ran, to be published as failed."""
    lessons = [rendered for _, rendered_lessons in courses for rendered in rendered_lessons]
    report, results = _execute(lessons, project, cache, request.options, request.junit, out)
    if report.failures and not request.keep_going:
        return [], [], report
    results.update(_failed_as_far_as_they_ran(lessons, report.failures))
    executed = [(course, [results[r.name] for r in rendered_lessons]) for course, rendered_lessons in courses]
    executed, drawn = _extract_figures(executed, project)
    return executed, drawn, report


def _execute(lessons: list[RenderedLesson], project: Project, cache: ExecutionCache, options: ExecuteOptions,
             junit: Path | None, out: TextIO) -> tuple[BuildReport, dict[str, ExecutedLesson]]:
    """Each lesson executed or reused, with the JUnit report where one is asked for."""
    from lessonbuild.pipeline.execute import execute
    from lessonbuild.pipeline.junit import write_junit

    results = execute(lessons, project, cache, options, out)
    if junit is not None:
        write_junit(junit, list(results.items()))
    failures = [result for result in results.values() if isinstance(result, CellFailure)]
    executed = {name: result for name, result in results.items() if isinstance(result, ExecutedLesson)}
    return BuildReport(lessons=len(results), failures=failures), executed


def _failed_as_far_as_they_ran(lessons: list[RenderedLesson], failures: list[CellFailure]) -> dict[str, ExecutedLesson]:
    """Each failed lesson as its page shows it with --keep-going: its cells' outputs up to the error, and why."""
    failed = {}
    for failure in failures:
        rendered = next((r for r in lessons if r.lesson.path == failure.location.path), None)
        if rendered is None:
            continue
        notebook = failure.partial or rendered.notebook
        notebook.metadata.setdefault("lessonbuild", {})["failed"] = f"{failure.location}: {failure.summary}"
        failed[rendered.name] = ExecutedLesson(rendered, notebook, 0.0, "", ran=False)
    return failed


def _extract_figures(executed: Executed, project: Project) -> tuple[Executed, list[Figure]]:
    """Attach what the figure cells drew; a figure cell that drew nothing is bad input."""
    from lessonbuild.pipeline.figures import extract_figures

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


@contextmanager
def _figures_undone_unless_published(drawn: list[Figure], project: Project, out: TextIO) -> Iterator[None]:
    """The figures written for the block; where it fails (the site engine refuses the site, Ctrl-C), put back as they
    were: a build that publishes nothing leaves figures/ as it found it."""
    from lessonbuild.pipeline.figures import save_figures

    before = {figure.path(project): figure.path(project).read_bytes() if figure.path(project).exists() else None
              for figure in drawn}
    saved = save_figures(drawn, project)
    try:
        yield
    except BaseException:
        for path in saved:
            old = before[path]
            if old is None:
                path.unlink(missing_ok=True)
            else:
                write_atomic(path, old)
        raise
    for path in saved:
        print(f"figure: {project.relative(path).as_posix()} updated", file=out, flush=True)


def _report_redrawn_figures(drawn: list[Figure], project: Project, out: TextIO) -> None:
    from lessonbuild.pipeline.figures import save_figures

    for path in save_figures(drawn, project, redraw=True):
        print(f"figure: {project.relative(path).as_posix()} updated", file=out, flush=True)


def _build_shard(project: Project, courses: Prepared, cache: ExecutionCache, request: BuildRequest,
                 out: TextIO) -> BuildReport:
    """Execute this runner's slice of the lessons into the cache; the site is built once the caches are merged."""
    shard = request.shard
    assert shard is not None
    lessons = [r for _, rs in courses for r in rs if shard.holds(r)]
    report, _ = _execute(lessons, project, cache, request.options, request.junit, out)
    print(f"shard {shard}: {_lessons(len(lessons))}; no site built (merge the caches, then --require-cache)", file=out)
    return report


def _site_digest(project: Project, courses: Prepared, cache: ExecutionCache) -> str:
    """What the site is made of: its name, every rendered lesson and what its outputs depend on, and the sources."""
    lessons = [r.digest + cache.inputs(r).key for _, rs in courses for r in rs]
    return uptodate.site_digest(project, [site_name(project), *lessons])


def _say_cached(courses: Prepared, cache: ExecutionCache, out: TextIO) -> None:
    from lessonbuild.pipeline.execute.scheduler import say

    for _, lessons in courses:
        for rendered in lessons:
            say(out, rendered, f"cached ({cache.last_run(rendered)})")


def _remember_no_op(project: Project, stamp: dict, courses: Prepared, cache: ExecutionCache) -> None:
    """What a build with nothing to do will print, so that it can print it without reading anything."""
    lines = [f"{r.name}: cached ({cache.last_run(r)})" for _, rs in courses for r in rs]
    uptodate.remember(project, stamp, [*lines, f"site: {_site_folder(project)}/ is up to date"])


def _site_folder(project: Project) -> str:
    return project.relative(project.site_dir).as_posix()


def _lessons(count: int) -> str:
    return f"{count} lesson" if count == 1 else f"{count} lessons"

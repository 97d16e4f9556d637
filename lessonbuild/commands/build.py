"""`lessonbuild build` (the default command): render, execute what changed, publish, and build site/.

The site is replaced only when every lesson executed and the site engine accepted the pages.
"""
from __future__ import annotations

import argparse
import hashlib
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import TextIO

from lessonbuild.errors import CellFailure, SourceErrors
from lessonbuild.fsutil import write_atomic
from lessonbuild.model import RenderedLesson
from lessonbuild.pipeline.execute.scheduler import ExecuteOptions, execute, say
from lessonbuild.pipeline.figures import (
    Drift,
    Figure,
    check_figures,
    extract_figures,
    save_figures,
)
from lessonbuild.pipeline.junit import write_junit
from lessonbuild.pipeline.prepare import Prepared, prepare, report_warnings
from lessonbuild.pipeline.site import site_is_intact
from lessonbuild.project import Project, in_ci, site_name
from lessonbuild.state import uptodate
from lessonbuild.state.executions import DamagedEntry, ExecutionCache

HELP = "render, execute and publish every lesson that changed, then build site/"
NEEDS_PROJECT = True
EXECUTES = True
SITE_DIGEST = "site.digest"  # in the build folder: the inputs of the site now in site/


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--target", choices=("site", "kaggle"), default="site",
        help="site: execute and publish site/; kaggle: the same as the kaggle command (default: site)",
    )
    skipping = parser.add_mutually_exclusive_group()
    skipping.add_argument(
        "--no-execute", dest="uncached", action="store_const", const="skip", default="execute",
        help="execute nothing: lessons without a cache entry are published without outputs, with the committed figures",
    )
    skipping.add_argument(
        "--require-cache", dest="uncached", action="store_const", const="fail",
        help="build the site from the cache alone; fail, naming them, if some lessons have no entry",
    )
    parser.add_argument("--shard", type=_shard, metavar="K/N",
                        help="execute only the K-th of N stable slices of the lessons; build no site")
    parser.add_argument(
        "--force", nargs="*", metavar="LESSON",
        help="execute these lessons (course/slug or slug) even if cached; with no name, all of them",
    )
    parser.add_argument("--strict", action="store_true", help="warnings are errors too (as Sphinx's -W; for CI)")
    parser.add_argument(
        "--frozen-figures", action=argparse.BooleanOptionalAction, default=None,
        help="never write figures/: a regenerated figure that differs from the committed one fails the build, its "
        "diff image kept in _build/figures-diff/ (default: on where the CI variable is set, as CI services set it)",
    )


def run(project: Project, args: argparse.Namespace) -> int:
    if args.target == "kaggle":
        from lessonbuild.commands import kaggle

        return kaggle.run(project, args)
    frozen = in_ci() if args.frozen_figures is None else args.frozen_figures
    report = build(project, execute_options(args), shard=args.shard, junit=args.junit, strict=args.strict,
                   frozen_figures=frozen)
    print_failures(report.failures)
    return report.exit_code


@dataclass
class BuildReport:
    lessons: int
    failures: list[CellFailure]
    drifted: list[Drift] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        return 1 if self.failures or self.drifted else 0


def execute_options(args: argparse.Namespace) -> ExecuteOptions:
    return ExecuteOptions(force=getattr(args, "force", None), jobs=args.jobs, device=args.device,
                          gateway=args.gateway, uncached=getattr(args, "uncached", "execute"),
                          accept_cpu_cache=args.accept_cpu_cache)


def build(project: Project, options: ExecuteOptions = ExecuteOptions(), shard: tuple[int, int] | None = None,
          junit: Path | None = None, out: TextIO = sys.stdout, strict: bool = False, preview: bool = False,
          frozen_figures: bool = False) -> BuildReport:
    """Build everything out of date; the site is replaced only when every lesson executed.

    `preview`: build serve's live preview in the build folder instead, leaving site/ as it is.
    `frozen_figures`: compare the figures with figures/ instead of writing them; any drift fails the build."""
    run = Run(options, shard, junit, out, strict, preview, frozen_figures)
    return healing(lambda: _build(project, run))


MAX_HEALS = 20  # damaged entries one command heals by starting again, before it gives up with the error


def healing(action):
    """`action()`, started again after each cache entry found damaged while it ran.

    A cached notebook is read only when a stage needs it: one found damaged then is removed, so the
    next start runs that lesson. Each start removes one entry, so this ends."""
    for _ in range(MAX_HEALS):
        try:
            return action()
        except DamagedEntry as exc:
            print(f"warning: {exc}: the lesson runs again", file=sys.stderr, flush=True)
    return action()


@dataclass(frozen=True)
class Run:
    """How this build was asked for."""

    options: ExecuteOptions
    shard: tuple[int, int] | None
    junit: Path | None
    out: TextIO
    strict: bool
    preview: bool
    frozen_figures: bool


def _build(project: Project, run: Run) -> BuildReport:
    options, shard, junit, out = run.options, run.shard, run.junit, run.out
    # A GPU build always asks for the GPU and looks at what each entry ran on: nothing is taken on trust.
    plain = options.force is None and options.uncached == "execute" and shard is None and not run.preview \
        and options.device != "gpu"
    stamp = uptodate.source_stamp(project)
    if plain and (lines := uptodate.is_current(project, stamp)) is not None:
        print("\n".join(lines), file=out, flush=True)  # nothing changed: not even a lesson is read
        return BuildReport(lessons=len(lines) - 1, failures=[])
    courses = prepare(project, local_kernels=options.gateway is None)
    report_warnings(courses, run.strict)
    cache = ExecutionCache(project)  # one per build: each lesson's inputs are hashed once
    if shard is not None:
        return _build_shard(project, courses, cache, options, shard, junit, out)
    digest = _site_digest(project, courses, cache)
    if plain and _site_is_current(project, digest, courses, cache, out):
        print(f"site: {_site_folder(project)}/ is up to date", file=out, flush=True)
        _remember_no_op(project, stamp, courses, cache)
        return BuildReport(lessons=sum(len(lessons) for _, lessons in courses), failures=[])
    executed, figures, report = execute_and_draw(project, courses, cache, options, junit, out)
    if (report.failures or options.uncached == "skip") and not run.preview:
        # A site of unexecuted lessons is a preview: it must not pass for the real one next time.
        (project.build_dir / SITE_DIGEST).unlink(missing_ok=True)
        uptodate.forget(project)
    if report.failures:
        return report
    if run.frozen_figures:
        report.drifted = check_figures(figures, project)
    if report.drifted:
        for drift in report.drifted:
            print(drift, file=sys.stderr, flush=True)
        return report  # nothing published: the committed figures are what the site must show
    if run.preview:
        _publish_preview(project, executed, figures, out)
        return report
    _publish(project, executed, [] if run.frozen_figures else figures, digest, out)
    print(f"site: {_site_folder(project)}/ ({report.lessons} lessons)", file=out, flush=True)
    if options.uncached != "skip":
        # The stamp is taken before the build: an edit made while it ran makes the next build look again.
        _remember_no_op(project, stamp, courses, cache)
    return report


def _publish(project: Project, executed, figures: list[Figure], digest: str, out: TextIO) -> None:
    from filelock import FileLock

    from lessonbuild.pipeline.publish.pages import publish
    from lessonbuild.pipeline.site import build_site

    # Two builds of one project at once share _build/docs and the site's staging folder: one waits.
    project.build_dir.mkdir(parents=True, exist_ok=True)
    with FileLock(project.build_dir / "publish.lock"):
        report_saved_figures(figures, project, out)
        nav = publish(executed, project, site_name(project))
        build_site(nav, project)
        write_atomic(project.build_dir / SITE_DIGEST, digest)


def _publish_preview(project: Project, executed, figures: list[Figure], out: TextIO) -> None:
    from filelock import FileLock

    from lessonbuild.pipeline.publish.pages import publish
    from lessonbuild.pipeline.site import build_preview

    project.build_dir.mkdir(parents=True, exist_ok=True)
    with FileLock(project.build_dir / "publish.lock"):
        report_saved_figures(figures, project, out)
        folder = build_preview(publish(executed, project, site_name(project)), project)
    lessons = sum(len(lessons) for _, lessons in executed)
    print(f"preview: {project.relative(folder).as_posix()}/ ({lessons} lessons; site/ is left as it was)", file=out, flush=True)


def execute_and_draw(project: Project, courses: Prepared, cache: ExecutionCache, options: ExecuteOptions,
                     junit: Path | None, out: TextIO):
    """Execute or reuse every lesson; then take what its figure cells drew."""
    lessons = [rendered for _, rendered_lessons in courses for rendered in rendered_lessons]
    results = execute(lessons, project, cache, options, out)
    if junit is not None:
        write_junit(junit, list(results.items()))
    failures = [result for result in results.values() if isinstance(result, CellFailure)]
    report = BuildReport(lessons=len(results), failures=failures)
    if failures:
        return [], [], report
    executed = [(course, [results[r.name] for r in rendered_lessons]) for course, rendered_lessons in courses]
    executed, drawn = _extract_figures(executed, project)
    return executed, drawn, report


def _extract_figures(executed: list[tuple], project: Project) -> tuple[list, list[Figure]]:
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


def report_saved_figures(drawn: list[Figure], project: Project, out: TextIO) -> None:
    for path in save_figures(drawn, project):
        print(f"figure: {project.relative(path).as_posix()} updated", file=out, flush=True)


def print_failures(failures: list[CellFailure], out: TextIO | None = None) -> None:
    """Each failure's `path:line: message`, then the kernel's traceback mapped to lesson lines."""
    out = out or sys.stderr
    for failure in failures:
        print(failure, file=out)
        if failure.details:
            print(failure.details.rstrip(), file=out)
        elif failure.kernel_log:
            print(f"the kernel's own output is in {failure.kernel_log.as_posix()}", file=out)
    out.flush()


def _build_shard(project: Project, courses: Prepared, cache: ExecutionCache, options: ExecuteOptions,
                 shard: tuple[int, int], junit: Path | None, out: TextIO) -> BuildReport:
    """Execute this runner's slice of the lessons into the cache; the site is built once the caches are merged."""
    index, count = shard
    lessons = [r for _, rs in courses for r in rs if _shard_of(r, count) == index - 1]
    results = execute(lessons, project, cache, options, out)
    if junit is not None:
        write_junit(junit, list(results.items()))
    failures = [result for result in results.values() if isinstance(result, CellFailure)]
    print(f"shard {index}/{count}: {len(lessons)} lessons; no site built (merge the caches, then --require-cache)", file=out)
    return BuildReport(lessons=len(lessons), failures=failures)


def _shard_of(rendered: RenderedLesson, count: int) -> int:
    """A lesson's slice depends on its name alone, so adding a lesson moves no other."""
    return int.from_bytes(hashlib.sha256(rendered.name.encode()).digest()[:8], "big") % count


def _shard(text: str) -> tuple[int, int]:
    index, _, count = text.partition("/")
    if not (index.isdigit() and count.isdigit() and 1 <= int(index) <= int(count)):
        raise argparse.ArgumentTypeError("expected K/N with 1 <= K <= N, such as 2/4")
    return int(index), int(count)


def _site_digest(project: Project, courses: Prepared, cache: ExecutionCache) -> str:
    """What the site is made of: every rendered lesson, what its outputs depend on, the templates and settings."""
    # The installed packages: a change goes through the cache, which runs again only the lessons it touches.
    parts = [site_name(project), project.mkdocs_config.read_text(encoding="utf-8"), *sorted(uptodate.installed_distributions())]
    folders, files = project.sources()
    for folder in folders:
        if folder != project.figures_dir:  # the build writes those itself; the pages take them from the run
            parts += [f"{p.relative_to(folder)}:{_file_digest(p)}" for p in _source_files(folder)]
    parts += [f"{p.name}:{_file_digest(p)}" for p in files if p.exists()]
    for _, lessons in courses:
        parts += [r.digest + cache.inputs(r).key for r in lessons]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def _file_digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _source_files(folder: Path) -> list[Path]:
    return sorted(p for p in folder.rglob("*") if p.is_file() and "__pycache__" not in p.parts)


def _site_is_current(project: Project, digest: str, courses: Prepared, cache: ExecutionCache, out: TextIO) -> bool:
    """True when the last site was built from exactly these inputs and still stands; then say so per lesson."""
    stored = project.build_dir / SITE_DIGEST
    if not stored.exists() or stored.read_text() != digest or not site_is_intact(project):
        return False
    for _, lessons in courses:
        for rendered in lessons:
            say(out, rendered, f"cached ({cache.last_run(rendered)})")
    return True


def _remember_no_op(project: Project, stamp: dict, courses: Prepared, cache: ExecutionCache) -> None:
    """What a build with nothing to do will print, so that it can print it without reading anything."""
    lines = [f"{r.name}: cached ({cache.last_run(r)})" for _, rs in courses for r in rs]
    uptodate.remember(project, stamp, lines + [f"site: {_site_folder(project)}/ is up to date"])


def _site_folder(project: Project) -> str:
    return project.relative(project.site_dir).as_posix()

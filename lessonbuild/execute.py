"""Stage 3, execute: every rendered lesson to an executed one, reusing the cache where its inputs are unchanged.

The lessons the cache cannot serve run in fresh kernels (kernel.py), up to `jobs` at once, each
kernel's thread pools capped to its share of the cores. Ctrl-C, or a missing device, stops every
kernel and keeps nothing half-done. Results are keyed by lesson name (course/slug).
"""
from __future__ import annotations

import os
import sys
from concurrent.futures import ThreadPoolExecutor, as_completed
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TextIO

from .cache import ExecutionCache
from .errors import CellFailure, MissingCache
from .model import ExecutedLesson, RenderedLesson
from .project import Project

Result = ExecutedLesson | CellFailure


@dataclass(frozen=True)
class ExecuteOptions:
    force: list[str] | None = None  # lessons to execute even if cached ("course/slug" or slug); [] all
    jobs: int = 1  # lessons executed at once, each in its own kernel
    device: str = "auto"  # "cpu" hides GPUs; "gpu" requires TensorFlow to see one
    gateway: str | None = None  # execute on this Jupyter Kernel Gateway instead of locally
    uncached: str = "execute"  # a lesson with no cache entry: "execute", "skip" (--no-execute) or "fail"


def execute(lessons: list[RenderedLesson], project: Project, cache: ExecutionCache,
            options: ExecuteOptions = ExecuteOptions(), out: TextIO = sys.stdout) -> dict[str, Result]:
    """Each lesson's ExecutedLesson or CellFailure, by name; one status line per lesson on `out`."""
    results, pending = _reuse(lessons, cache, options, out)
    if pending and options.uncached == "fail":
        names = ", ".join(rendered.name for rendered, _, _ in pending)
        raise MissingCache(f"no cache entry for: {names} (--require-cache executes nothing)")
    if pending and options.gateway:
        from .kernel import require_gateway_client

        require_gateway_client()  # before any kernel starts
    if pending:
        results.update(_run_pending(pending, project, cache, options, out))
    return {rendered.name: results[rendered.name] for rendered in lessons}  # in the lessons' order


def _reuse(lessons: list[RenderedLesson], cache: ExecutionCache, options: ExecuteOptions, out: TextIO):
    """The lessons served by the cache (or left unexecuted), and the others with why they must run."""
    results, pending = {}, []
    for rendered in lessons:
        inputs = cache.inputs(rendered)
        forced = _is_forced(rendered, options.force)
        cached = None if forced else cache.lookup(rendered, inputs)
        if rendered.name in cache.damaged:
            print(f"warning: {cache.damaged[rendered.name]}: the lesson runs again", file=sys.stderr, flush=True)
        if cached is not None:
            say(out, rendered, f"cached (executed on {cached.device} in {cached.seconds:.1f} s)")
            results[rendered.name] = cached
        elif options.uncached == "skip":
            say(out, rendered, "not executed (--no-execute)")
            results[rendered.name] = ExecutedLesson(rendered, rendered.notebook, 0.0, "", ran=False)
        else:
            pending.append((rendered, inputs, "forced" if forced else cache.why_executed(rendered, inputs)))
    return results, pending


def _run_pending(pending, project: Project, cache: ExecutionCache, options: ExecuteOptions, out: TextIO) -> dict:
    from .kernel import KernelOptions, run_notebook

    threads = max(1, (os.cpu_count() or 1) // options.jobs) if options.jobs > 1 else 0
    kernel = KernelOptions(threads=threads, device=options.device, gateway=options.gateway)
    results = {}
    with ThreadPoolExecutor(max_workers=max(1, options.jobs), thread_name_prefix="lesson") as pool:
        futures = {pool.submit(run_notebook, rendered, project, kernel): (rendered, inputs, why)
                   for rendered, inputs, why in pending}
        try:
            with progress_display(out, len(futures)) as advance:
                for future in as_completed(futures):
                    rendered, inputs, why = futures[future]
                    results[rendered.name] = _finished(future, rendered, inputs, why, cache, out)
                    advance()
        except BaseException:  # Ctrl-C, or a device that is missing: stop every kernel, keep nothing half-done
            kernel.cancel.set()
            pool.shutdown(wait=True, cancel_futures=True)
            raise
    return results


def _finished(future, rendered: RenderedLesson, inputs, why: str, cache: ExecutionCache, out: TextIO) -> Result:
    try:
        result = future.result()
    except CellFailure as failure:
        say(out, rendered, f"failed ({why})")
        return failure
    result.outputs = cache.store(result, inputs)
    say(out, rendered, f"executed in {result.seconds:.1f} s on {result.device} ({why})")
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


def say(out: TextIO, rendered: RenderedLesson, status: str) -> None:
    """A lesson's status line: `course/slug: status`."""
    print(f"{rendered.name}: {status}", file=out, flush=True)


def _is_forced(rendered: RenderedLesson, force: list[str] | None) -> bool:
    if force is None:
        return False
    return not force or bool({rendered.lesson.slug, rendered.name} & set(force))

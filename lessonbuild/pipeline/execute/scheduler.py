"""Stage 3, execute: every rendered lesson to an executed one, reusing the cache where its inputs are unchanged.

The lessons the cache cannot serve run in fresh kernels (kernel.py), up to `jobs` at once, each
kernel's thread pools capped to its share of the cores. Ctrl-C, or a missing device, stops every
kernel and keeps nothing half-done. Results are keyed by lesson name (course/slug).
"""
from __future__ import annotations

import os
import sys
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor, as_completed
from contextlib import contextmanager
from dataclasses import dataclass, replace
from enum import Enum
from typing import TextIO

from lessonbuild.errors import CellFailure, DeviceMissing, MissingCache
from lessonbuild.model import ExecutedLesson, RenderedLesson
from lessonbuild.pipeline.execute.devices import (
    Gpu,
    GpuSlots,
    needs_gpu,
    require_gpus,
    uses_tensorflow,
)
from lessonbuild.pipeline.execute.options import ExecuteOptions
from lessonbuild.pipeline.execute.sandbox import Bubblewrap, choose_sandbox
from lessonbuild.project import Project, in_ci
from lessonbuild.state import names
from lessonbuild.state.executions import ExecutionCache, Hit, Inputs, Miss, MissReason

Result = ExecutedLesson | CellFailure


class RunReason(Enum):
    """Why a lesson runs rather than being served by the cache."""

    FORCED = "forced"  # --force named it
    MISSED = "missed"  # the cache has no usable run of its inputs
    REFUSED = "refused"  # its entry ran on a CPU, and a GPU build publishes what ran on a GPU


@dataclass(frozen=True)
class Pending:
    """A lesson to run, and why, in the words of its status line."""

    rendered: RenderedLesson
    inputs: Inputs
    reason: RunReason
    why: str


def execute(lessons: list[RenderedLesson], project: Project, cache: ExecutionCache,
            options: ExecuteOptions = ExecuteOptions(), out: TextIO = sys.stdout) -> dict[str, Result]:
    """Each lesson's ExecutedLesson or CellFailure, by name; one status line per lesson on `out`."""
    elsewhere = options.gateway or ("a Dask cluster" if options.executor == "dask" else None)
    gpus = require_gpus(options.device, elsewhere)  # before the cache: a GPU build without a GPU stops here
    mode = options.sandbox or project.settings.sandbox
    if mode == "bwrap" and elsewhere is None:
        choose_sandbox(mode, say=_warn)  # asked for: missing is an error even when every lesson is cached
    results, pending = _reuse(lessons, project, cache, options, out)
    if pending and options.uncached == "fail":
        raise MissingCache(_missing(pending))
    if pending and options.gateway:
        from lessonbuild.pipeline.execute.kernel import require_gateway_client

        require_gateway_client()  # before any kernel starts
    if pending and options.executor == "dask":
        results.update(_run_on_cluster(pending, project, cache, options, out))
    elif pending:
        sandbox = None if options.gateway else choose_sandbox(mode, say=_warn)
        results.update(_run_pending(pending, project, cache, options, gpus, sandbox, out))
    if pending:
        _report_slowest([results[item.rendered.name] for item in pending], out)
    return {rendered.name: results[rendered.name] for rendered in lessons}  # in the lessons' order


def _reuse(lessons: list[RenderedLesson], project: Project, cache: ExecutionCache, options: ExecuteOptions,
           out: TextIO) -> tuple[dict[str, Result], list[Pending]]:
    """The lessons served by the cache (or left unexecuted), and the others with why they must run."""
    results: dict[str, Result] = _needing_no_run(lessons, options, out)
    pending: list[Pending] = []
    reused: list[Inputs] = []  # the cache's hits
    looked_up = [r for r in lessons if r.name not in results and not _is_forced(r, options.force)]
    for warning in cache.fetch_missing([cache.inputs(rendered) for rendered in looked_up]):
        _warn(warning)
    for rendered in lessons:
        if rendered.name in results:
            continue
        inputs = cache.inputs(rendered)
        forced = _is_forced(rendered, options.force)
        if forced and options.uncached != "skip":  # --no-execute runs nothing, forced or not
            pending.append(Pending(rendered, inputs, RunReason.FORCED, "forced"))
            continue
        found = Miss(MissReason.NO_ENTRY) if forced else cache.lookup(rendered, inputs)
        if isinstance(found, Hit):
            cached = found.executed
            if _ran_on_cpu_for_gpu_build(cached, inputs, project, options) and options.uncached != "skip":
                # --no-execute runs nothing: what the cache has is the preview
                pending.append(Pending(rendered, inputs, RunReason.REFUSED, f"its cache entry ran on {cached.device}, and --device gpu"))
                continue
            fetched = " from the cache store" if inputs.key in cache.fetched else ""
            say(out, rendered, f"cached{fetched} (executed on {cached.device} in {cached.seconds:.1f} s)")
            results[rendered.name] = cached
            reused.append(inputs)
            continue
        if found.reason is MissReason.DAMAGED:
            print(f"warning: {found.detail}: the lesson runs again", file=sys.stderr, flush=True)
        if options.uncached == "skip":
            say(out, rendered, "not executed (--no-execute)")
            results[rendered.name] = ExecutedLesson.unexecuted(rendered)
        else:
            pending.append(Pending(rendered, inputs, RunReason.MISSED, cache.why_executed(rendered, inputs, found)))
    _push_reused(reused, cache, out)
    return results, pending


def _push_reused(reused: list[Inputs], cache: ExecutionCache, out: TextIO) -> None:
    """With --cache-push, what this build found in its local cache goes to the store too, where the store has
    no entry of its key: a cache made before the store was set up, or by a build that did not push, is shared
    without a run (an entry the store has is as good a run, and is left alone)."""
    stored, warnings = cache.push(reused, replace=False)
    for warning in warnings:
        _warn(warning)
    if stored:
        print(f"cache store: {stored} {'lesson' if stored == 1 else 'lessons'} from the local cache put in it",
              file=out, flush=True)


def _needing_no_run(lessons: list[RenderedLesson], options: ExecuteOptions, out: TextIO) -> dict[str, Result]:
    """The lessons that no run and no cache entry are for: pages whose book leaves them unexecuted, and pages of
    prose alone (a book's chapter intro), for which no kernel starts."""
    stored = [rendered for rendered in lessons if not rendered.lesson.executes]
    if stored:  # one line: a book that executes nothing has hundreds of them
        print(f"{len(stored)} of {len(lessons)} pages shown with the outputs their notebooks hold (the book's "
              "execute settings leave them unexecuted)", file=out, flush=True)
    results: dict[str, Result] = {rendered.name: ExecutedLesson.unexecuted(rendered) for rendered in stored}
    if options.uncached != "skip":
        results.update({rendered.name: ExecutedLesson(rendered, rendered.notebook, 0.0, "", ran=True)
                        for rendered in lessons if rendered.lesson.executes and not _has_code(rendered)})
    return results


def _has_code(rendered: RenderedLesson) -> bool:
    return any(cell.cell_type == "code" and cell.source.strip() for cell in rendered.notebook.cells)


def _missing(pending: list[Pending]) -> str:
    """What --require-cache could not find: no entry at all, or none made on a GPU."""
    refused = [item.rendered.name for item in pending if item.reason is RunReason.REFUSED]
    absent = [item.rendered.name for item in pending if item.reason is not RunReason.REFUSED]
    parts = ([f"no cache entry for: {', '.join(absent)}"] if absent else []) + (
        [f"only a cache entry made on a CPU (--device gpu wants one from a GPU) for: {', '.join(refused)}"] if refused else [])
    return "; ".join(parts) + " (--require-cache executes nothing)"


def _ran_on_cpu_for_gpu_build(cached: ExecutedLesson, inputs, project: Project, options: ExecuteOptions) -> bool:
    """A GPU build publishes what ran on a GPU: an entry made on a CPU does not serve a lesson that needs one."""
    if options.device != "gpu" or options.accept_cpu_cache or cached.device.startswith("GPU"):
        return False
    return _wants_gpu(cached.rendered, inputs, project, options)


def _wants_gpu(rendered: RenderedLesson, inputs, project: Project, options: ExecuteOptions) -> bool:
    return options.device != "cpu" and needs_gpu(rendered, _helpers(inputs, project))


def _checked(kernel, rendered: RenderedLesson, inputs, project: Project):
    """The kernel options of a lesson on a GPU: with --device gpu, TensorFlow must see it, where the lesson runs it."""
    return replace(kernel, check_tensorflow=uses_tensorflow(rendered, _helpers(inputs, project)))


def _helpers(inputs, project: Project) -> list:
    return [project.root / path for path in inputs.files if path.endswith(".py")]


def _warn(line: str) -> None:
    print(line, file=sys.stderr, flush=True)


def _run_pending(pending, project: Project, cache: ExecutionCache, options: ExecuteOptions, gpus: list[Gpu],
                 sandbox: Bubblewrap | None, out: TextIO) -> dict:
    """Run the pending lessons: those that want a GPU on the GPUs' slots (when there are GPUs), the others on
    `jobs` CPU slots beside them."""
    from lessonbuild.pipeline.execute.kernel import KernelOptions, run_notebook

    slots = GpuSlots(gpus, project.settings.kernels_per_gpu)
    on_gpu = [item for item in pending if slots.count and _wants_gpu(item.rendered, item.inputs, project, options)]
    on_cpu = [item for item in pending if item not in on_gpu]
    # Each kernel's share of the cores follows from the slots alone, not from how many lessons happen to run now:
    # a lesson's threads (and so the order of its floating-point sums) must not depend on what else changed.
    kernels = options.jobs + slots.count
    threads = max(1, (os.cpu_count() or 1) // kernels) if kernels > 1 else 0
    kernel = KernelOptions(threads=threads, device=options.device, gateway=options.gateway,
                           hide_gpus=options.gateway is None, sandbox=sandbox)
    # On a gateway the GPUs are the gateway's: a lesson that wants one is checked in its kernel there.
    remote = {item.rendered.name for item in on_cpu
              if options.gateway and _wants_gpu(item.rendered, item.inputs, project, options)}
    results = {}
    with ThreadPoolExecutor(max_workers=max(1, options.jobs), thread_name_prefix="lesson") as cpu, \
            ThreadPoolExecutor(max_workers=max(1, slots.count), thread_name_prefix="gpu-lesson") as gpu:
        futures = {cpu.submit(run_notebook, item.rendered, project,
                              _checked(kernel, item.rendered, item.inputs, project) if item.rendered.name in remote else kernel):
                   item for item in on_cpu}
        futures.update({gpu.submit(_run_on_gpu, slots, item.rendered, project,
                                   _checked(kernel, item.rendered, item.inputs, project)): item for item in on_gpu})
        try:
            with progress_display(out, len(futures)) as advance:
                for future in as_completed(futures):
                    item = futures[future]
                    results[item.rendered.name] = _finished(future.result, item, cache, out)
                    advance()
        except BaseException:  # Ctrl-C, or a device that is missing: stop every kernel, keep nothing half-done
            kernel.cancel.set()
            for pool in (cpu, gpu):
                pool.shutdown(wait=True, cancel_futures=True)
            raise
    return results


def _run_on_cluster(pending: list[Pending], project: Project, cache: ExecutionCache, options: ExecuteOptions,
                    out: TextIO) -> dict[str, Result]:
    """Run the pending lessons as tasks of a Dask cluster (cluster.py); those that want a GPU on workers that
    offer one, where any does."""
    from lessonbuild.pipeline.execute.cluster import Cluster

    results: dict[str, Result] = {}
    with Cluster(options.scheduler) as cluster:
        gpus = cluster.offers_gpus()
        if options.device == "gpu" and not gpus:
            raise DeviceMissing(f"--device gpu, but no worker of the Dask cluster at {cluster.address} offers the "
                                "resource GPU (start GPU workers with --resources GPU=N)")
        mode = options.sandbox or project.settings.sandbox
        tasks = {}
        for item in pending:
            on_gpu = gpus and _wants_gpu(item.rendered, item.inputs, project, options)
            checks = on_gpu and uses_tensorflow(item.rendered, _helpers(item.inputs, project))
            task = cluster.task(item.rendered, project, options.device, checks, on_gpu, mode)
            tasks[item.rendered.name] = (task, cache.last_seconds(item.rendered))
        by_name = {item.rendered.name: item for item in pending}
        with progress_display(out, len(tasks)) as advance:
            for name, outcome in cluster.run(tasks, project):
                results[name] = _finished(outcome, by_name[name], cache, out)
                advance()
    return results


def _run_on_gpu(slots: GpuSlots, rendered: RenderedLesson, project: Project, kernel) -> ExecutedLesson:
    from lessonbuild.pipeline.execute.kernel import run_notebook

    placed = slots.take()
    try:
        return run_notebook(rendered, project, replace(kernel, gpu=placed))
    finally:
        slots.give_back(placed)


def _report_slowest(results: list[Result], out: TextIO, count: int = 5) -> None:
    """The lessons this build executed that took longest: where a runner's time goes."""
    executed = sorted((r for r in results if isinstance(r, ExecutedLesson)), key=lambda r: -r.seconds)[:count]
    if len(executed) > 1:
        listed = "; ".join(f"{r.rendered.name} {r.seconds:.1f} s on {r.device}" for r in executed)
        print(f"slowest: {listed}", file=out, flush=True)


def _finished(outcome: Callable[[], ExecutedLesson], item: Pending, cache: ExecutionCache, out: TextIO) -> Result:
    """A finished run (`outcome()` gives it, or raises its CellFailure) kept in the cache, with its status line."""
    try:
        result = outcome()
    except CellFailure as failure:
        say(out, item.rendered, f"failed ({item.why})")
        return failure
    result = result.recorded(outputs=cache.store(result, item.inputs))
    wrote = f"; wrote {', '.join(result.written)} in {names.SCRATCH}/" if result.written else ""
    say(out, item.rendered, f"executed in {result.seconds:.1f} s on {result.device} ({item.why}){wrote}")
    for warning in cache.push([item.inputs])[1]:
        _warn(warning)
    return result


@contextmanager
def progress_display(out: TextIO, total: int):
    """On a terminal, a live bar of the lessons executing above the prompt; in CI and pipes, only the lines."""
    if total == 0 or not out.isatty() or in_ci():
        yield lambda: None
        return
    from rich.console import Console
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        SpinnerColumn,
        TextColumn,
        TimeElapsedColumn,
    )

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
    return not force or bool(rendered.known_as & set(force))

"""Lessons executed as Dask tasks on a cluster (`--executor dask --scheduler ADDRESS`): both sides of a task.

The build submits each lesson that must run as one task, longest first by its last recorded run: the rendered
notebook, the project's settings and a zip of the files the lesson may use (the ones a local kernel's scratch
copy gets) go with it. On the worker the same kernel code runs it (kernel.py: a fresh kernel in a scratch copy,
its timeouts, thread caps, sandbox and GPU placement), and the task returns the executed notebook, its record
and the kernel's log; the build writes the cache and the site as for a local run. A lesson that wants a GPU asks
for the worker resource `GPU` (workers started with `--resources GPU=N`), and the worker places it on one of
its GPUs. A worker lost mid-lesson is Dask's to recover: the task runs again elsewhere. Ctrl-C cancels every
task, and a Dask event tells the workers' kernels to stop.

Dask runs what a client sends: the scheduler's address comes from the command line or Dask's own configuration
(DASK_SCHEDULER_ADDRESS), never from the project's settings, which a pull request can edit; and a cluster is
for a trusted network (or Dask's TLS), as the workers run whatever reaches the scheduler.
"""
from __future__ import annotations

import functools
import io
import os
import threading
import uuid
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from lessonbuild.errors import CellFailure, DeviceMissing, MissingExtra, UsageError
from lessonbuild.fsutil import scratch_folder
from lessonbuild.model import ExecutedLesson, RenderedLesson
from lessonbuild.pipeline.bundle import expanded, lesson_files
from lessonbuild.pipeline.execute.workspace import kernel_log_file
from lessonbuild.project import Project, SandboxMode

CONNECT_SECONDS = 10
GPU_RESOURCE = "GPU"
SCHEMES = ("tcp", "tls", "ws", "wss")  # how a build reaches a scheduler elsewhere (inproc is in-process, ucx needs its extra)


def _check_address(address: str, named_by: str) -> None:
    """A scheduler's address as distributed reads it, [SCHEME://]HOST:PORT with a scheme of SCHEMES; else UsageError."""
    from distributed.comm.addressing import parse_address, parse_host_port

    try:
        scheme, location = parse_address(address)
        if scheme not in SCHEMES:
            raise ValueError(f"a scheduler is reached by {', '.join(f'{known}://' for known in SCHEMES)}")
        parse_host_port(location)
    except ValueError as exc:
        raise UsageError(f"{named_by}: not a scheduler's address, as tcp://HOST:8786 ({exc})") from None


@dataclass(frozen=True)
class LessonTask:
    """What a worker needs to run one lesson, and nothing of the build's machine."""

    rendered: RenderedLesson
    project: Project  # its root is the worker's own folder once there
    files: bytes  # zip of the files the lesson may use, by their paths in the project
    device: str
    check_tensorflow: bool
    wants_gpu: bool
    sandbox: SandboxMode
    cancelled: str  # the Dask event that says the build was stopped


class Cluster:
    """A connection to a Dask scheduler for one build; use as a context manager."""

    def __init__(self, address: str | None):
        try:
            import dask.config
            from distributed import Client
        except ImportError:
            raise MissingExtra("--executor dask", "dask", "distributed") from None
        self.address = address or dask.config.get("scheduler-address", None)
        if not self.address:
            raise UsageError("--executor dask: no scheduler to submit to (give --scheduler ADDRESS, or set "
                             "DASK_SCHEDULER_ADDRESS)")
        named_by = f"--scheduler {self.address}" if address else f"DASK_SCHEDULER_ADDRESS {self.address}"
        _check_address(self.address, named_by)
        try:
            self.client = Client(self.address, timeout=CONNECT_SECONDS)
        except (OSError, TimeoutError) as exc:
            raise UsageError(f"{named_by}: no Dask scheduler answers there ({exc})") from None
        except (TypeError, ValueError) as exc:  # distributed's word for TLS with no certificates configured
            raise UsageError(f"{named_by}: Dask cannot connect as configured ({exc}); tls:// takes Dask's TLS "
                             "settings: distributed.comm.tls.ca-file, .client.cert and .client.key "
                             "(DASK_DISTRIBUTED__COMM__TLS__CA_FILE and so on)") from None
        self.cancelled = f"lessonbuild-cancel-{uuid.uuid4().hex}"
        self.futures: dict[Any, Any] = {}

    def __enter__(self) -> Cluster:
        return self

    def __exit__(self, exc_type, exc, traceback) -> None:
        from distributed import Event

        try:
            if exc_type is not None and self.futures:  # Ctrl-C, or a failure of the build's own: stop every task
                Event(self.cancelled, client=self.client).set()
                self.client.cancel(list(self.futures), force=True)
        finally:
            self.client.close()

    def offers_gpus(self) -> bool:
        """Whether a worker of the cluster has the resource GPU."""
        workers = self.client.scheduler_info().get("workers", {}).values()
        return any(worker.get("resources", {}).get(GPU_RESOURCE) for worker in workers)

    def task(self, rendered: RenderedLesson, project: Project, device: str, check_tensorflow: bool, wants_gpu: bool,
             sandbox: SandboxMode) -> LessonTask:
        return LessonTask(rendered, project, _lesson_zip(rendered, project), device, check_tensorflow, wants_gpu,
                          sandbox, self.cancelled)

    def run(self, tasks: dict[Any, tuple[LessonTask, float]], project: Project) -> Iterator[tuple[Any, Callable[[], ExecutedLesson]]]:
        """Submit every task (item -> (task, its last run's seconds)), longest first; yield each item as its task
        ends, with what gives its ExecutedLesson or raises its CellFailure."""
        from distributed import as_completed

        for item, (task, seconds) in sorted(tasks.items(), key=lambda pair: -pair[1][1]):
            resources = {GPU_RESOURCE: 1} if task.wants_gpu else None
            future = self.client.submit(execute_on_worker, task, key=f"lesson-{task.rendered.name}-{uuid.uuid4().hex[:8]}",
                                        resources=resources, priority=round(seconds), pure=False)
            self.futures[future] = (item, task)
        for future in as_completed(list(self.futures)):
            item, task = self.futures[future]
            yield item, functools.partial(_outcome, future, task.rendered, project)


def _lesson_zip(rendered: RenderedLesson, project: Project) -> bytes:
    """The files the lesson may use, by their paths relative to the project: laid out alike on the worker."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as bundle:
        for path in expanded(lesson_files(rendered, project.root)):
            bundle.write(path, path.relative_to(project.root).as_posix())
    return buffer.getvalue()


def _outcome(future: Any, rendered: RenderedLesson, project: Project) -> ExecutedLesson:
    """The task's outcome as the build's own: its kernel log written where a local kernel's goes."""
    import nbformat

    outcome = future.result()  # a worker's error (a device missing there) is raised here, as Dask sends it back

    log = kernel_log_file(project, rendered)
    log.parent.mkdir(parents=True, exist_ok=True)
    log.write_text(outcome.get("log", ""), encoding="utf-8")
    if "failure" in outcome:
        location, summary, details, partial = outcome["failure"]
        notebook = nbformat.reads(partial, as_version=4) if partial else None
        raise CellFailure(location, summary, details, project.relative(log), notebook)
    notebook = nbformat.reads(outcome["notebook"], as_version=4)
    return ExecutedLesson(rendered, notebook, outcome["seconds"], outcome["device"], written=tuple(outcome["written"]))


def execute_on_worker(task: LessonTask) -> dict:
    """On a Dask worker: run the lesson in a project folder of the worker's own, and say how it went."""
    import nbformat

    from lessonbuild.pipeline.execute.kernel import KernelOptions, run_notebook
    from lessonbuild.pipeline.execute.sandbox import choose_sandbox

    with scratch_folder("lessonbuild-task-") as folder:
        project = replace(task.project, root=folder)
        with zipfile.ZipFile(io.BytesIO(task.files)) as bundle:
            bundle.extractall(folder)
        cancel = threading.Event()
        stop_watching = _watch_for_cancel(task.cancelled, cancel)
        gpu = _take_gpu(task)
        options = KernelOptions(threads=_threads_per_kernel(), device=task.device, gpu=gpu, check_tensorflow=task.check_tensorflow,
                                hide_gpus=True, sandbox=choose_sandbox(task.sandbox, say=lambda line: None), cancel=cancel)
        log = kernel_log_file(project, task.rendered)
        try:
            executed = run_notebook(task.rendered, project, options)
        except CellFailure as failure:
            partial = nbformat.writes(failure.partial) if failure.partial is not None else None
            return {"failure": (failure.location, failure.summary, failure.details, partial), "log": _text(log)}
        except KeyboardInterrupt:  # the build was stopped and its kernel shut down: not the worker's end
            return {"cancelled": True}
        finally:
            stop_watching.set()
            _give_back_gpu(task, gpu)
        return {"notebook": nbformat.writes(executed.notebook), "seconds": executed.seconds, "device": executed.device,
                "written": list(executed.written), "log": _text(log)}


def _text(path: Path) -> str:
    return path.read_text(encoding="utf-8", errors="replace") if path.is_file() else ""


def _threads_per_kernel() -> int:
    """Each kernel's share of the worker's cores, as a local build shares its cores between its slots."""
    from distributed import get_worker

    slots = get_worker().state.nthreads
    return max(1, (os.cpu_count() or 1) // slots) if slots > 1 else 0


def _watch_for_cancel(name: str, cancel: threading.Event) -> threading.Event:
    """Set `cancel` (the kernel shuts down) when the build sets the Dask event `name`; until the returned event is set."""
    from distributed import Event, get_client

    stop = threading.Event()
    event = Event(name, client=get_client())

    def watch() -> None:
        while not stop.is_set():
            if event.wait(timeout=1):
                cancel.set()
                return

    threading.Thread(target=watch, daemon=True, name="lessonbuild-cancel").start()
    return stop


_WORKER_GPUS_LOCK = threading.Lock()


@functools.cache
def _free_gpus(per_gpu: int) -> list[Any]:
    """This worker's free GPU places, found at its first lesson that wants one: taken and given back in place."""
    from lessonbuild.pipeline.execute.devices import find_gpus

    return [gpu for _ in range(per_gpu) for gpu in find_gpus()]


def _take_gpu(task: LessonTask):
    """One of this worker's GPUs for a lesson that wants one (the GPU resource says one is free); None for the others."""
    if not task.wants_gpu:
        return None
    with _WORKER_GPUS_LOCK:
        free = _free_gpus(task.project.settings.kernels_per_gpu)
        if free:
            return free.pop(0)
    if task.device == "gpu":
        raise DeviceMissing(f"{task.rendered.name}: --device gpu, but the worker that offers the resource GPU has "
                            "no GPU (neither NVML nor nvidia-smi found one there)")
    return None


def _give_back_gpu(task: LessonTask, gpu) -> None:
    if gpu is not None:
        with _WORKER_GPUS_LOCK:
            _free_gpus(task.project.settings.kernels_per_gpu).append(gpu)

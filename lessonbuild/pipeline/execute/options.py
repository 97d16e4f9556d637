"""How the execute stage is asked to run lessons: the options every executing command turns its arguments into.

Kept apart from the scheduler so that a command reads them without importing the kernels' libraries."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Literal, get_args

from lessonbuild.project import Executor, SandboxMode

Device = Literal["auto", "cpu", "gpu"]  # cpu hides GPUs; gpu stops without one, and asks that TensorFlow see it
Uncached = Literal["execute", "skip", "fail"]  # a lesson with no cache entry: run it, publish it unexecuted, or stop
DEVICES: tuple[Device, ...] = get_args(Device)
EXECUTORS: tuple[Executor, ...] = get_args(Executor)


@dataclass(frozen=True)
class ExecuteOptions:
    force: list[str] | None = None  # lessons to execute even if cached ("course/slug" or slug); [] all
    jobs: int = 1  # lessons executed at once, each in its own kernel
    device: Device = "auto"
    gateway: str | None = None  # execute on this Jupyter Kernel Gateway instead of locally
    uncached: Uncached = "execute"  # "skip" is --no-execute, "fail" --require-cache
    accept_cpu_cache: bool = False  # with device "gpu": let entries made on a CPU serve lessons that need a GPU
    sandbox: SandboxMode | None = None  # where local kernels run (sandbox.py); None: the project's setting
    cache_url: str | None = None  # the shared cache store (state/store.py); None: the project's cache_url
    cache_push: bool = False  # put what runs here in that store
    executor: Executor = "local"  # "dask": lessons run as tasks of a Dask cluster (cluster.py)
    scheduler: str | None = None  # that cluster's scheduler; None: Dask's configuration (DASK_SCHEDULER_ADDRESS)

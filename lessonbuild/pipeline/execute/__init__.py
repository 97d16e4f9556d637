"""Stage 3, execute: rendered notebooks -> executed ones, from the cache or in kernels placed on CPUs and GPUs."""
from lessonbuild.pipeline.execute.options import ExecuteOptions

__all__ = ["ExecuteOptions", "execute"]


def __getattr__(name: str):
    # The scheduler brings nbclient and jupyter_client: imported when a lesson is to be executed, not before.
    if name == "execute":
        from lessonbuild.pipeline.execute.scheduler import execute

        return execute
    raise AttributeError(name)

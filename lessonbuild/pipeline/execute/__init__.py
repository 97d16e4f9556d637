"""Stage 3, execute: rendered notebooks -> executed ones, from the cache or in kernels placed on CPUs and GPUs."""
from lessonbuild.pipeline.execute.scheduler import ExecuteOptions, execute

__all__ = ["ExecuteOptions", "execute"]

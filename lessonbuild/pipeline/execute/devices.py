"""The GPUs of the machine the build runs on, and which lessons need one: what the execute stage places kernels on.

GPUs are found through NVML (the `nvidia-ml-py` package) where it is installed, else through
`nvidia-smi`; a machine with neither has none. A runner that sets CUDA_VISIBLE_DEVICES keeps the
build to the GPUs it names. `find_gpus` is the one place that asks: a test replaces it to
simulate a runner's GPUs.

A lesson needs a GPU when its front matter says so (`resources: {gpu: 1}`), or, unless it says
`gpu: 0`, when its code or the course's helper modules it imports use a deep-learning library.
Each kernel placed on a GPU sees that GPU alone (CUDA_VISIBLE_DEVICES) and takes its memory as it
grows, so several kernels can share one; every other kernel sees no GPU, so that it cannot take a
GPU's memory from the kernels placed there.
"""
from __future__ import annotations

import os
import queue
import shutil
import subprocess
from dataclasses import dataclass, field
from pathlib import Path

from lessonbuild.errors import DeviceMissing
from lessonbuild.model import RenderedLesson
from lessonbuild.pycode import imported_modules

GPU_LIBRARIES = {"tensorflow", "keras", "torch", "jax"}
# A kernel's variables on its GPU: numbered as NVML and nvidia-smi number them (CUDA's own order puts the fastest
# first), and memory taken as it is needed (TensorFlow and JAX otherwise map nearly all of it in the first kernel).
ON_GPU = {"CUDA_DEVICE_ORDER": "PCI_BUS_ID", "TF_FORCE_GPU_ALLOW_GROWTH": "true", "XLA_PYTHON_CLIENT_PREALLOCATE": "false"}
NO_GPU = {"CUDA_VISIBLE_DEVICES": "-1"}


@dataclass(frozen=True)
class Gpu:
    index: int  # as nvidia-smi numbers it
    name: str
    uuid: str = field(default="", compare=False)  # GPU-..., where the driver says

    def __str__(self) -> str:
        return f"GPU {self.index}: {self.name}"

    @property
    def environment(self) -> dict[str, str]:
        """The variables of a kernel placed on this GPU."""
        return {"CUDA_VISIBLE_DEVICES": self.uuid or str(self.index), **ON_GPU}


def find_gpus() -> list[Gpu]:
    """This machine's NVIDIA GPUs, as far as the build may use them."""
    found = _nvml()
    if found is None:
        found = _nvidia_smi()
    return _visible(found, os.environ.get("CUDA_VISIBLE_DEVICES"))


def _visible(found: list[Gpu], setting: str | None) -> list[Gpu]:
    """The GPUs a runner's CUDA_VISIBLE_DEVICES leaves, read as CUDA reads it: indices or UUIDs (GPU-..., a prefix
    is enough), up to the first entry that names none, so "-1" or "" leave none."""
    if setting is None:
        return found
    visible = []
    for entry in (part.strip() for part in setting.split(",")):
        gpu = next((g for g in found if (entry.isdigit() and g.index == int(entry))
                    or (entry.startswith("GPU-") and g.uuid.startswith(entry))), None)
        if gpu is None:
            break
        if gpu not in visible:  # "0,0" is one GPU, not two
            visible.append(gpu)
    return visible


def require_gpus(device: str, elsewhere: str | None) -> list[Gpu]:
    """The GPUs to place kernels on; with --device gpu, DeviceMissing (exit 1) when there is none.

    Asked before the cache is looked at, so that a GPU build on a machine without one stops even
    when every lesson is cached. Where kernels run `elsewhere` (a gateway's URL, a Dask scheduler), the GPUs
    are theirs: they say so.
    """
    if elsewhere is not None or device == "cpu":
        return []
    gpus = find_gpus()
    if device == "gpu" and not gpus:
        raise DeviceMissing("--device gpu, but this machine has no GPU (neither NVML nor nvidia-smi found one)")
    return gpus


def needs_gpu(rendered: RenderedLesson, helpers: list[Path]) -> bool:
    """Whether the lesson should run on a GPU: its front matter's `resources: {gpu: N}`, else what its code and the
    course's helper modules it imports (`helpers`) import."""
    resources = rendered.lesson.front_matter.get("resources")
    if isinstance(resources, dict) and "gpu" in resources:
        return resources["gpu"] > 0
    return bool(imported_libraries(rendered, helpers) & GPU_LIBRARIES)


def uses_tensorflow(rendered: RenderedLesson, helpers: list[Path]) -> bool:
    """Whether the lesson runs TensorFlow (or Keras on it): then, on a GPU, TensorFlow must see that GPU."""
    return bool(imported_libraries(rendered, helpers) & {"tensorflow", "keras"})


def imported_libraries(rendered: RenderedLesson, helpers: list[Path]) -> set[str]:
    """The top-level modules the lesson's code and its helper modules import."""
    code = [cell.source for cell in rendered.notebook.cells if cell.cell_type == "code"]
    code += [path.read_text(encoding="utf-8", errors="replace") for path in helpers]
    return {name.partition(".")[0] for source in code for name, _ in imported_modules(source)}


class GpuSlots:
    """The GPU places kernels may take: `per_gpu` on each GPU, handed out so that kernels spread over the GPUs."""

    def __init__(self, gpus: list[Gpu], per_gpu: int):
        self.count = len(gpus) * per_gpu
        self._free: queue.Queue[Gpu] = queue.Queue()
        for _ in range(per_gpu):
            for gpu in gpus:
                self._free.put(gpu)

    def take(self) -> Gpu:
        return self._free.get()

    def give_back(self, gpu: Gpu) -> None:
        self._free.put(gpu)


def _nvml() -> list[Gpu] | None:
    try:
        import pynvml
    except ImportError:
        return None
    try:
        pynvml.nvmlInit()
    except pynvml.NVMLError:
        return []  # the library without a driver: no GPU
    try:
        handles = [pynvml.nvmlDeviceGetHandleByIndex(i) for i in range(pynvml.nvmlDeviceGetCount())]
        return [Gpu(i, _text(pynvml.nvmlDeviceGetName(h)), _text(pynvml.nvmlDeviceGetUUID(h))) for i, h in enumerate(handles)]
    except pynvml.NVMLError:
        return None  # a GPU lost or not ours to query: nvidia-smi says what it can
    finally:
        pynvml.nvmlShutdown()


def _nvidia_smi() -> list[Gpu]:
    command = shutil.which("nvidia-smi")
    if command is None:
        return []
    try:
        result = subprocess.run([command, "--query-gpu=index,name,uuid", "--format=csv,noheader"],
                                check=False, capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        return []
    gpus = []
    for line in result.stdout.splitlines() if result.returncode == 0 else []:
        index, name, uuid = ([*line.split(","), "", ""])[:3]
        if index.strip().isdigit():
            gpus.append(Gpu(int(index), name.strip(), uuid.strip()))
    return gpus


def _text(value: bytes | str) -> str:
    return value.decode() if isinstance(value, bytes) else value


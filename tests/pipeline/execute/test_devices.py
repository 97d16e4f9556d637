"""The runner's GPUs as the build finds them, which lessons want one, and how the places on them are handed out."""
import os
import stat

import nbformat
import pytest

from lessonbuild.errors import DeviceMissing
from lessonbuild.model import Course, Lesson, RenderedLesson
from lessonbuild.pipeline.execute import devices
from lessonbuild.pipeline.execute.devices import (
    Gpu,
    GpuSlots,
    find_gpus,
    needs_gpu,
    require_gpus,
    uses_tensorflow,
)

TWO_GPUS = "0, NVIDIA H100 80GB HBM3, GPU-5d2c0a1e-aaaa\n1, NVIDIA H100 80GB HBM3, GPU-9b7f3e2d-bbbb\n"


@pytest.fixture
def nvidia_smi(tmp_path, monkeypatch):
    """A runner whose nvidia-smi lists two GPUs (this machine has none), found on PATH as the real one is."""
    folder = tmp_path / "bin"
    folder.mkdir()
    script = folder / "nvidia-smi"
    script.write_text(f"#!/bin/sh\n[ \"$1\" = --query-gpu=index,name,uuid ] || exit 9\nprintf '{TWO_GPUS}'\n")
    script.chmod(script.stat().st_mode | stat.S_IEXEC)
    monkeypatch.setenv("PATH", f"{folder}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.delenv("CUDA_VISIBLE_DEVICES", raising=False)
    monkeypatch.setattr(devices, "_nvml", lambda: None)  # as where nvidia-ml-py is not installed
    return script


def test_the_gpus_nvidia_smi_lists_and_the_ones_cuda_visible_devices_leaves(nvidia_smi, monkeypatch):
    assert find_gpus() == [Gpu(0, "NVIDIA H100 80GB HBM3"), Gpu(1, "NVIDIA H100 80GB HBM3")]
    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "1")  # the runner gives the build one of them
    assert find_gpus() == [Gpu(1, "NVIDIA H100 80GB HBM3")]
    assert str(find_gpus()[0]) == "GPU 1: NVIDIA H100 80GB HBM3"
    assert find_gpus()[0].environment["CUDA_VISIBLE_DEVICES"] == "GPU-9b7f3e2d-bbbb"  # pinned by its UUID
    monkeypatch.setenv("CUDA_VISIBLE_DEVICES", "GPU-9b7f,0,0")  # a UUID's prefix, as CUDA takes it; 0 once
    assert [gpu.index for gpu in find_gpus()] == [1, 0]
    for hidden in ("-1", "", "7"):  # CUDA stops at the first entry that names no GPU: these leave none
        monkeypatch.setenv("CUDA_VISIBLE_DEVICES", hidden)
        assert find_gpus() == []


def test_a_machine_without_nvidia_smi_has_no_gpu_and_a_gpu_build_stops_there(monkeypatch, tmp_path):
    monkeypatch.setenv("PATH", str(tmp_path))
    monkeypatch.setattr(devices, "_nvml", lambda: None)
    assert find_gpus() == []
    assert require_gpus("auto", None) == []
    with pytest.raises(DeviceMissing, match="--device gpu, but this machine has no GPU"):
        require_gpus("gpu", None)
    assert require_gpus("gpu", "http://127.0.0.1:8888") == []  # a gateway's kernels find their own GPUs


def test_a_kernel_on_a_gpu_sees_that_one_alone_and_grows_its_memory():
    environment = Gpu(1, "NVIDIA H100").environment
    assert environment["CUDA_VISIBLE_DEVICES"] == "1" and environment["TF_FORCE_GPU_ALLOW_GROWTH"] == "true"
    assert environment["CUDA_DEVICE_ORDER"] == "PCI_BUS_ID"  # numbered as nvidia-smi numbers them


def test_places_spread_over_the_gpus_and_come_back():
    first, second = Gpu(0, "A"), Gpu(1, "B")
    slots = GpuSlots([first, second], per_gpu=2)
    assert slots.count == 4
    taken = [slots.take() for _ in range(4)]
    assert taken == [first, second, first, second]  # the second kernel goes to the other GPU, not beside the first
    slots.give_back(second)
    assert slots.take() == second


def rendered(code: str, front_matter: dict | None = None) -> RenderedLesson:
    lesson = Lesson(slug="l", path=None, front_matter={"title": "L", **(front_matter or {})}, cells=())
    course = Course(slug="c", path=None, title="C", description="", lessons=(lesson,))
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(code)])
    return RenderedLesson(course, lesson, notebook, [None])


def test_a_lesson_wants_a_gpu_when_it_says_so_or_uses_a_deep_learning_library(tmp_path):
    assert needs_gpu(rendered("import tensorflow as tf"), [])
    assert needs_gpu(rendered("from keras import layers"), [])
    assert not needs_gpu(rendered("import numpy"), [])
    assert needs_gpu(rendered("import numpy", {"resources": {"gpu": 1}}), [])
    assert not needs_gpu(rendered("import tensorflow", {"resources": {"gpu": 0}}), [])  # its own word counts
    helper = tmp_path / "visiontools.py"
    helper.write_text("import tensorflow as tf\n")
    assert needs_gpu(rendered("import visiontools"), [helper])  # through the course's helper module
    assert uses_tensorflow(rendered("import visiontools"), [helper]) and not uses_tensorflow(rendered("import torch"), [])

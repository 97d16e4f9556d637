"""Stage 4 for the `kaggle` target: notebooks rendered for Kaggle, each in a folder ready for `kaggle kernels push`.

    _build/kaggle/<course>/<lesson>/<lesson>.ipynb
    _build/kaggle/<course>/<lesson>/kernel-metadata.json

Nothing is executed: Kaggle runs a kernel when it is pushed. The figures that figure cells
draw are attached from figures/, as committed, so the notebooks show them without running.
"""
from __future__ import annotations

import json
from pathlib import Path

import nbformat

from lessonbuild.fsutil import fresh_folder, replace_folder, write_atomic
from lessonbuild.model import Course, ExecutedLesson, KaggleKernel, RenderedLesson
from lessonbuild.pipeline.figures import extract_figures
from lessonbuild.project import Project
from lessonbuild.state import names


def write_kernels(courses: list[tuple[Course, list[RenderedLesson]]], project: Project) -> list[tuple[Path, KaggleKernel]]:
    """Write every lesson's notebook and kernel-metadata.json; return each kernel with its folder.

    The folders are written beside the last ones and swapped in at the end, so a failure leaves
    the last set whole.
    """
    staging = fresh_folder(project.build_dir / names.KAGGLE_STAGING)
    written: list[tuple[Path, KaggleKernel]] = []
    for course, rendered in courses:
        unexecuted = [ExecutedLesson.unexecuted(r) for r in rendered]
        shown, _ = extract_figures(unexecuted, project.figures_dir)
        for lesson in shown:
            kernel = lesson.rendered.lesson.kernel
            if kernel is None:  # the kaggle target prepares only the courses whose course file has kaggle settings
                raise ValueError(f"{lesson.rendered.lesson.path}: no kaggle kernel (its course file has no kaggle settings)")
            written.append((_write_kernel(lesson, kernel, staging / course.slug), kernel))
    target = project.build_dir / names.KAGGLE
    replace_folder(staging, target)
    return [(target / folder.relative_to(staging), kernel) for folder, kernel in written]


def _write_kernel(executed: ExecutedLesson, kernel: KaggleKernel, course_folder: Path) -> Path:
    lesson = executed.rendered.lesson
    folder = course_folder / lesson.slug
    notebook_name = f"{lesson.slug}.ipynb"
    write_atomic(folder / notebook_name, nbformat.writes(executed.notebook))
    metadata = _kernel_metadata(kernel, notebook_name)
    write_atomic(folder / "kernel-metadata.json", json.dumps(metadata, indent=2, sort_keys=True) + "\n")
    return folder


def _kernel_metadata(kernel: KaggleKernel, code_file: str) -> dict:
    """The kernel-metadata.json that `kaggle kernels push` reads, for a notebook beside it."""
    metadata = {
        "id": kernel.slug,
        "title": kernel.title,
        "code_file": code_file,
        "language": "python",
        "kernel_type": "notebook",
        **kernel.settings,
    }
    if kernel.id is not None:
        metadata["id_no"] = kernel.id  # Kaggle prefers it to the slug: a renamed kernel is still found
    return metadata

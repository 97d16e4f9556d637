"""`lessonbuild kaggle` (also `build --target kaggle`): the courses with Kaggle settings, rendered for Kaggle
into _build/kaggle/, one folder per kernel with its kernel-metadata.json; nothing is executed."""
from __future__ import annotations

import argparse

from lessonbuild.commands import lesson_project
from lessonbuild.project import Project

HELP = "render the courses that have Kaggle settings into _build/kaggle/, one folder per kernel, ready to push"
NEEDS_PROJECT = True
EXECUTES = False


def run(project: Project, args: argparse.Namespace) -> int:
    from lessonbuild.pipeline.kaggle import write_kernels  # imported here: see commands/check.py
    from lessonbuild.pipeline.prepare import prepare

    written = write_kernels(prepare(lesson_project(project, "kaggle"), target="kaggle"), project)
    for folder, kernel in written:
        print(f"kaggle: {project.relative(folder).as_posix()}/ ({kernel.slug})", flush=True)
    print(f"{len(written)} kernels; push one with: kaggle kernels push -p FOLDER", flush=True)
    return 0

"""`lessonbuild clean`: remove the build folder and its execution cache; site/ and figures/ stay."""
from __future__ import annotations

import argparse
import shutil

from lessonbuild.errors import UsageError
from lessonbuild.project import Project

HELP = "remove the build folder and its execution cache (not site/ or figures/)"
NEEDS_PROJECT = True
EXECUTES = False


def run(project: Project, args: argparse.Namespace) -> int:
    build = project.build_dir
    if build.is_symlink() or build.is_file():  # not the build's folder: a file, or a link to somewhere else
        build.unlink()
    else:
        shutil.rmtree(build, ignore_errors=True)
    if build.exists():
        raise UsageError(f"{project.relative(build).as_posix()}/: could not be removed (is it read-only?)")
    return 0

"""`lessonbuild clean`: remove the build folder and its execution cache; site/ and figures/ stay."""
from __future__ import annotations

import argparse
import shutil

from lessonbuild.project import Project

HELP = "remove the build folder and its execution cache (not site/ or figures/)"
NEEDS_PROJECT = True
EXECUTES = False


def run(project: Project, args: argparse.Namespace) -> int:
    shutil.rmtree(project.build_dir, ignore_errors=True)
    return 0

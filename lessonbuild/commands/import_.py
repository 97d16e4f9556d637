"""`lessonbuild import SRC... --course SLUG`: notebooks or flattened exports as lessons of a course."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from ..importer import import_lessons
from ..project import Project

HELP = "write notebooks (.ipynb) or flattened text exports as lessons of a course, listed in its course.yml"
NEEDS_PROJECT = True
EXECUTES = False


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("sources", nargs="+", type=Path, metavar="SRC")
    parser.add_argument("--course", required=True, help="the course folder under lessons/ (created if need be)")
    parser.add_argument("--replace", action="store_true",
                        help="write lessons the course has already (the same title) anew, in their places")


def run(project: Project, args: argparse.Namespace) -> int:
    report = import_lessons(args.sources, args.course, project, replace=args.replace)
    for line in report.copied:
        print(line)
    for warning in report.warnings:
        print(warning, file=sys.stderr)
    for path in report.written:
        print(f"imported {project.relative(path).as_posix()}")
    return 0

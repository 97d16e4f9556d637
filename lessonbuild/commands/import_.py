"""`lessonbuild import SRC... [--course SLUG]`: notebooks, flattened exports or a learntools track as lessons of a course."""
from __future__ import annotations

import argparse
import sys
from pathlib import Path

from lessonbuild.commands import lesson_project
from lessonbuild.errors import UsageError
from lessonbuild.project import Project

HELP = ("write notebooks (.ipynb), flattened text exports, a learntools track folder (with its track_meta.py), or a "
        "Jupyter Book or mystmd project's folder as lessons of a course, listed in its course.yml")
NEEDS_PROJECT = True
EXECUTES = False


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("sources", nargs="+", type=Path, metavar="SRC")
    parser.add_argument("--course", help="the course folder under lessons/ (created if need be); "
                        "for a track or a book, its folder's name by default")
    parser.add_argument("--replace", action="store_true",
                        help="write lessons the course has already (the same title) anew, in their places")


def run(project: Project, args: argparse.Namespace) -> int:
    from lessonbuild.importers.notebooks import import_lessons  # imported here: see commands/check.py

    report = import_lessons(args.sources, _course(args), lesson_project(project, "import"), replace=args.replace)
    for line in report.copied:
        print(line)
    for warning in report.warnings:
        print(warning, file=sys.stderr)
    for path in report.written:
        print(f"imported {project.relative(path).as_posix()}")
    return 0


def _course(args: argparse.Namespace) -> str:
    from lessonbuild.importers.book import is_book
    from lessonbuild.importers.tracks import is_track

    if args.course:
        return args.course
    if len(args.sources) == 1 and (is_track(args.sources[0]) or is_book(args.sources[0])):
        return args.sources[0].resolve().name.replace("_", "-")
    raise UsageError("--course SLUG names the course the lessons go to (only a track or a book has a name of its own)")

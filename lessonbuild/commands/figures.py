"""`lessonbuild figures`: regenerate what the figure cells draw; write it to figures/, or compare it with what is there."""
from __future__ import annotations

import argparse

from lessonbuild.commands import execute_options, print_failures
from lessonbuild.pipeline.build import regenerate_figures
from lessonbuild.project import Project

HELP = "regenerate the figures that figure cells draw into figures/ (--check compares instead)"
NEEDS_PROJECT = True
EXECUTES = True


def add_arguments(parser: argparse.ArgumentParser) -> None:
    mode = parser.add_mutually_exclusive_group()
    mode.add_argument("--check", action="store_true", help="compare with the committed figures; exit 1 naming those that drifted")
    mode.add_argument("--update", action="store_true", help="write the regenerated figures (the default)")
    parser.add_argument("--force", nargs="*", metavar="LESSON",
                        help="execute these lessons (course/slug or slug), or all, instead of taking their figures from the cache")


def run(project: Project, args: argparse.Namespace) -> int:
    report = regenerate_figures(project, update=not args.check, options=execute_options(args, project), junit=args.junit)
    print_failures(report.failures)
    return report.exit_code

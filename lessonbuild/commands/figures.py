"""`lessonbuild figures`: regenerate what the figure cells draw; write it to figures/, or compare it with what is there."""
from __future__ import annotations

import argparse
import sys
from typing import TextIO

from lessonbuild.commands.build import (
    BuildReport,
    execute_and_draw,
    execute_options,
    healing,
    print_failures,
    report_saved_figures,
)
from lessonbuild.pipeline.execute.scheduler import ExecuteOptions
from lessonbuild.pipeline.figures import check_figures
from lessonbuild.pipeline.prepare import prepare
from lessonbuild.project import Project
from lessonbuild.state.executions import ExecutionCache

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
    report = healing(lambda: regenerate(project, update=not args.check, options=execute_options(args), junit=args.junit))
    print_failures(report.failures)
    return report.exit_code


def regenerate(project: Project, update: bool, options: ExecuteOptions = ExecuteOptions(),
               junit=None, out: TextIO = sys.stdout) -> BuildReport:
    """Regenerate every figure; write the changed ones (update) or report those that drifted (check)."""
    _, drawn, report = execute_and_draw(project, prepare(project), ExecutionCache(project), options, junit, out)
    if report.failures:
        return report
    if update:
        report_saved_figures(drawn, project, out)
        return report
    report.drifted = check_figures(drawn, project)
    for drift in report.drifted:
        print(drift, file=out, flush=True)
    if not report.drifted:
        print(f"{len(drawn)} figures match figures/", file=out, flush=True)
    return report

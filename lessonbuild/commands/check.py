"""`lessonbuild check`: read and render every lesson and try every template, executing nothing; list every problem."""
from __future__ import annotations

import argparse

from lessonbuild.project import Project

HELP = "read and render every lesson and try every template, without executing anything"
NEEDS_PROJECT = True
EXECUTES = False


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--target", choices=("site", "kaggle"), default="site",
                        help="render as for this target (default: site)")
    parser.add_argument("--strict", action="store_true", help="warnings are errors too (as Sphinx's -W; for CI)")


def run(project: Project, args: argparse.Namespace) -> int:
    # Imported here, as in every command: the CLI imports every command to list them, and a no-op build imports none of the stages.
    from lessonbuild.pipeline.prepare import prepare, report_warnings, warnings_of

    courses = prepare(project, target=args.target)
    report_warnings(courses, project, args.strict)
    lessons = sum(len(rendered) for _, rendered in courses)
    warnings = len(warnings_of(courses, project))
    noted = f" ({_count(warnings, 'warning')})" if warnings else ""
    print(f"{_count(lessons, 'lesson')} in {_count(len(courses), 'course')}: no problems{noted}")
    return 0


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'s' if number != 1 else ''}"

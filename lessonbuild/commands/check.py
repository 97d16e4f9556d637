"""`lessonbuild check`: read and render every lesson and try every template, executing nothing; list every problem."""
from __future__ import annotations

import argparse
import io
import sys

from lessonbuild.project import Project

HELP = "read and render every lesson and try every template, without executing anything"
NEEDS_PROJECT = True
EXECUTES = False


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--target", choices=("site", "kaggle"), default="site",
                        help="render as for this target (default: site)")
    parser.add_argument("--strict", action="store_true", help="warnings are errors too (as Sphinx's -W; for CI)")


def run(project: Project, args: argparse.Namespace) -> int:
    from lessonbuild.state import names, uptodate

    asked = f"check --target {args.target}{' --strict' if args.strict else ''}"
    stamp = uptodate.source_stamp(project, asked)
    found = uptodate.recalled(project, stamp, names.CHECK_STAMP) or _checked(project, args, stamp)
    for warning in found["warnings"]:
        print(warning, file=sys.stderr, flush=True)
    print("\n".join(found["lines"]), flush=True)
    return 0


def _checked(project: Project, args: argparse.Namespace, stamp: dict) -> dict:
    """Read and render every lesson: what check says of them, remembered with the stamp of the files it read, so that
    a check with no file changed says it again reading none (and importing none of the stages)."""
    # Imported here, as in every command: the CLI imports every command to list them, and a no-op imports none of the stages.
    from lessonbuild.pipeline.prepare import prepare, report_warnings
    from lessonbuild.state import names, uptodate

    courses = prepare(project, target=args.target)
    printed = io.StringIO()
    report_warnings(courses, project, args.strict, err=printed)
    warnings = printed.getvalue().splitlines()
    lessons = sum(len(rendered) for _, rendered in courses)
    noted = f" ({_count(len(warnings), 'warning')})" if warnings else ""
    found = {"lines": [f"{_count(lessons, 'lesson')} in {_count(len(courses), 'course')}: no problems{noted}"],
             "warnings": warnings}
    uptodate.remember(project, stamp, found["lines"], names.CHECK_STAMP, warnings=found["warnings"])
    return found


def _count(number: int, noun: str) -> str:
    return f"{number} {noun}{'s' if number != 1 else ''}"

"""`lessonbuild serve`: build, serve site/ on 127.0.0.1 with live reload, and rebuild on every change."""
from __future__ import annotations

import argparse
import sys

from ..project import Project
from .build import build, execute_options, print_failures

HELP = "build, serve site/ on 127.0.0.1 with live reload, and rebuild on every change"
NEEDS_PROJECT = True
EXECUTES = True


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--port", type=int, default=8000, help="the port on 127.0.0.1; 0 picks a free one (default: %(default)s)")


def run(project: Project, args: argparse.Namespace) -> int:
    from ..cli import report_errors
    from ..server import serve

    options = execute_options(args)

    def rebuild() -> None:
        def build_and_report() -> None:
            print_failures(build(project, options).failures, sys.stdout)

        report_errors(build_and_report, debug=args.debug, err=sys.stdout)  # the author watches one stream

    serve(project, rebuild, port=args.port)
    return 0

"""`lessonbuild serve`: build a preview, serve it on 127.0.0.1 with live reload, and rebuild it on every change.

The preview is built in the build folder, incrementally (see site.build_preview); site/, which only
`build` makes, is left as it is.
"""
from __future__ import annotations

import argparse
import sys

from lessonbuild.commands import execute_options, file_errors_reported, print_failures
from lessonbuild.errors import report_errors
from lessonbuild.pipeline.build import BuildRequest, build
from lessonbuild.project import Project

HELP = "build a preview of the site, serve it on 127.0.0.1 with live reload, and rebuild it on every change"
NEEDS_PROJECT = True
EXECUTES = True
MAX_PORT = 65535


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--port", type=_port, default=8000, help="the port on 127.0.0.1; 0 picks a free one (default: %(default)s)")


def run(project: Project, args: argparse.Namespace) -> int:
    from lessonbuild.pipeline.site import preview_folder
    from lessonbuild.server import serve

    request = BuildRequest(execute_options(args, project), preview=True)

    def rebuild() -> None:
        def build_and_report() -> None:
            with file_errors_reported(project):
                print_failures(build(project, request).failures, sys.stdout)

        report_errors(build_and_report, debug=args.debug, err=sys.stdout)  # the author watches one stream

    serve(project, preview_folder(project), rebuild, port=args.port)
    return 0


def _port(text: str) -> int:
    if not text.isdigit() or int(text) > MAX_PORT:
        raise argparse.ArgumentTypeError(f"expected a port from 0 to {MAX_PORT}, not {text!r}")
    return int(text)

"""One module per command, each with HELP, NEEDS_PROJECT, EXECUTES, run(project, args) -> exit code and, if it
takes options of its own, add_arguments(parser). A command turns its arguments into a call of the pipeline and
prints what came of it; commands compose the stages, and stages never call commands.

What follows is shared by the commands that execute lessons (build, figures, serve).
"""
from __future__ import annotations

import argparse
import sys
from typing import TextIO

from lessonbuild.errors import CellFailure
from lessonbuild.pipeline.execute import ExecuteOptions


def execute_options(args: argparse.Namespace) -> ExecuteOptions:
    """The execution options (cli's, and a command's --force and --no-execute) as the execute stage takes them."""
    return ExecuteOptions(force=getattr(args, "force", None), jobs=args.jobs, device=args.device,
                          gateway=args.gateway, uncached=getattr(args, "uncached", "execute"),
                          accept_cpu_cache=args.accept_cpu_cache)


def print_failures(failures: list[CellFailure], out: TextIO | None = None) -> None:
    """Each failure's `path:line: message`, then the kernel's traceback mapped to lesson lines."""
    out = out or sys.stderr
    for failure in failures:
        print(failure, file=out)
        if failure.details:
            print(failure.details.rstrip(), file=out)
        elif failure.kernel_log:
            print(f"the kernel's own output is in {failure.kernel_log.as_posix()}", file=out)
    out.flush()

"""One module per command, each with HELP, NEEDS_PROJECT, EXECUTES, run(project, args) -> exit code and, if it
takes options of its own, add_arguments(parser). A command turns its arguments into a call of the pipeline and
prints what came of it; commands compose the stages, and stages never call commands.

What follows is shared by the commands that execute lessons (build, figures, serve), and by every command: how
a file that the machine will not let the build write is reported.
"""
from __future__ import annotations

import argparse
import errno
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TextIO

from lessonbuild.errors import CellFailure, UsageError
from lessonbuild.pipeline.execute import ExecuteOptions
from lessonbuild.project import Project

GATEWAY_PROBE = "/api/kernelspecs"  # what a Jupyter gateway's client asks first
GATEWAY_TIMEOUT = 10  # seconds
# What the machine, not the build, gets wrong about a file: a read-only folder, a file where a folder goes, a full disk.
MACHINE_ERRNOS = frozenset({errno.EACCES, errno.EPERM, errno.EROFS, errno.ENOSPC, errno.EDQUOT, errno.ENOTDIR,
                            errno.EISDIR, errno.EEXIST, errno.ENAMETOOLONG})


def execute_options(args: argparse.Namespace, project: Project) -> ExecuteOptions:
    """The execution options (cli's, and a command's --force and --no-execute) as the execute stage takes them."""
    executor = args.executor or project.settings.executor
    if executor == "dask" and args.gateway:
        raise UsageError("--gateway and --executor dask: lessons run on one or the other")
    return ExecuteOptions(force=getattr(args, "force", None), jobs=args.jobs, device=args.device,
                          gateway=answering_gateway(args.gateway), uncached=getattr(args, "uncached", "execute"),
                          accept_cpu_cache=args.accept_cpu_cache, sandbox=args.sandbox, cache_url=args.cache_url,
                          cache_push=args.cache_push, executor=executor, scheduler=args.scheduler)


def answering_gateway(url: str | None) -> str | None:
    """`url`, once something answers there as a Jupyter gateway does: before any lesson is read, not at each
    lesson's kernel in turn. An answer that refuses us (a gateway that wants a token) is an answer."""
    if url is None:
        return None
    import urllib.error
    import urllib.request

    probe = url.rstrip("/") + GATEWAY_PROBE
    direct = urllib.request.build_opener(urllib.request.ProxyHandler({}))  # the gateway's client uses no proxy either
    try:
        direct.open(probe, timeout=GATEWAY_TIMEOUT).close()
    except urllib.error.HTTPError as exc:
        if exc.code == 404:
            raise UsageError(f"--gateway {url}: a server answers, but not as a Jupyter gateway ({probe}: HTTP 404)") from None
    except OSError as exc:  # refused, no such host, timed out: URLError is one
        reason = getattr(exc, "reason", exc)
        raise UsageError(f"--gateway {url}: no gateway answers there ({getattr(reason, 'strerror', None) or reason})") from None
    return url


@contextmanager
def file_errors_reported(project: Project | None) -> Iterator[None]:
    """An OSError that MACHINE_ERRNOS says is the machine's as a UsageError: one line naming the file, relative to
    the project, instead of an internal error."""
    try:
        yield
    except OSError as exc:
        if exc.errno not in MACHINE_ERRNOS:
            raise
        raise UsageError(_file_error_line(exc, project)) from exc


def _file_error_line(exc: OSError, project: Project | None) -> str:
    """The file to look at: a file standing where a folder must be, a folder that a new file could not be made in,
    or else the file (or the two of a rename) that the system named."""
    def shown(path: Path) -> str:
        return (project.relative(path) if project is not None else path).as_posix()

    if exc.filename is None:
        return str(exc.strerror)  # a full disk, found while writing
    path = Path(str(exc.filename))
    in_the_way = next((parent for parent in path.parents if parent.is_file()), None)
    if exc.errno == errno.ENOTDIR and in_the_way is not None:
        return f"{shown(in_the_way)}: a file stands where the build needs a folder (to write {shown(path)})"
    if not path.exists() and exc.filename2 is None:
        return f"{shown(path.parent)}/: {exc.strerror} (could not write {path.name} in it)"
    names = [shown(Path(str(name))) for name in (exc.filename, exc.filename2) if name is not None]
    return f"{' -> '.join(names)}: {exc.strerror}"


def lesson_project(project: Project, command: str) -> Project:
    """The project, where it is a lesson project: a book read in place lists its pages in its own table of
    contents, which `new`, `import` and `kaggle` do not write."""
    if project.book is not None:
        raise UsageError(f"`{command}` works on a lesson project (lessons/<course>/ with course.yml); "
                         f"{project.root} is a book read in place: add pages to its {project.book.toc_file.as_posix()}")
    return project


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

"""The build's exceptions: what went wrong, and where in the sources; and how each reaches the user (report_errors)."""
from __future__ import annotations

import os
import signal
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO


class BuildError(Exception):
    """Base of every error the build reports without a Python traceback."""

    exit_code = 1


@dataclass(frozen=True)
class SourceLocation:
    """Where in the sources something is: a file's line, or a notebook's cell (a notebook has no lines)."""

    path: Path  # relative to the project root
    line: int | None = 1  # None: the file as a whole
    cell: int | None = None  # the cell's number, from 1, where `path` is a notebook

    def __str__(self) -> str:
        if self.cell is not None:
            return f"{self.path.as_posix()}: cell {self.cell}"
        return self.path.as_posix() if self.line is None else f"{self.path.as_posix()}:{self.line}"

    def moved(self, lines: int) -> SourceLocation:
        """The location `lines` lines further down (a notebook's cell stays where it is: it has no lines)."""
        if self.cell is not None or self.line is None:
            return self
        return SourceLocation(self.path, self.line + lines)

    def as_json(self) -> dict[str, object]:
        """The location as JSON values, for what the build writes into a notebook and reads back."""
        return {"path": self.path.as_posix(), "line": self.line, "cell": self.cell}

    @classmethod
    def from_json(cls, value: dict) -> SourceLocation:
        line = value.get("line")
        return cls(Path(value["path"]), None if line is None else int(line), value.get("cell"))


class SourceError(BuildError):
    """Bad input: a problem in a file an author wrote, reported as `path:line: message`."""

    exit_code = 2

    def __init__(self, path: Path, line: int | None, message: str, cell: int | None = None):
        self.location = SourceLocation(Path(path), line, cell)
        self.message = message
        super().__init__(str(self))

    @classmethod
    def at(cls, location: SourceLocation, message: str) -> SourceError:
        return cls(location.path, location.line, message, location.cell)

    def __str__(self) -> str:
        return f"{self.location}: {self.message}"


class SourceErrors(BuildError):
    """Several independent problems found in one pass, so the author can fix them all at once."""

    exit_code = 2

    def __init__(self, errors: Sequence[SourceError], partial: Any = None):
        self.errors = list(errors)
        self.partial = partial  # what could be made despite the errors, so later checks can go on
        super().__init__("\n".join(str(e) for e in errors))


class UsageError(BuildError):
    """The command line or project layout is wrong (not a lesson's fault)."""

    exit_code = 2


class CellFailure(BuildError):
    """A lesson's code raised, timed out or killed its kernel while executing."""

    exit_code = 1

    def __init__(self, location: SourceLocation, summary: str, details: str = "", kernel_log: Path | None = None,
                 partial: Any = None):
        self.location = location
        self.summary = summary
        self.details = details
        self.kernel_log = kernel_log  # where the kernel's own stderr went
        self.partial = partial  # the notebook as far as it ran, the failing cell's error its last output
        super().__init__(f"{location}: {summary}")

    def with_kernel_log(self, kernel_log: Path | None) -> CellFailure:
        return CellFailure(self.location, self.summary, self.details, kernel_log, self.partial)

    def with_hint(self, hint: str) -> CellFailure:
        """The failure with `hint` (what the author can do about it) after its summary."""
        return CellFailure(self.location, self.summary + hint, self.details, self.kernel_log, self.partial) if hint else self

    def with_partial(self, notebook: Any) -> CellFailure:
        return CellFailure(self.location, self.summary, self.details, self.kernel_log, notebook)


@dataclass(frozen=True)
class SourceWarning:
    """Something an author should look at that does not stop the command: `where: warning: message`."""

    where: SourceLocation
    message: str

    def __str__(self) -> str:
        return f"{self.where}: warning: {self.message}"

    def as_error(self) -> SourceError:
        """The warning as an error (`--strict`), reported in the same words."""
        return SourceError.at(self.where, f"warning: {self.message}")


class NotAProject(UsageError):
    """The folder a command runs in holds no lesson project."""

    def __init__(self, root: Path):
        self.root = root
        super().__init__(f"{root}: not a lesson project (it has no lessons/ folder); "
                         f"start one with `lessonbuild init DIR`, or name one with --project DIR")


class MissingExtra(UsageError):
    """An option needs packages that are an optional part of lessonbuild and are not installed."""

    def __init__(self, option: str, extra: str, missing: str):
        super().__init__(f"{option} needs {missing}, which is not installed: pip install 'lessonbuild[{extra}]'")


class LessonTemplateError(Exception):
    """Raised by the build's own template functions; reported at the calling template line."""


class MissingCache(BuildError):
    """--require-cache, and some lessons have no cache entry."""


class DeviceMissing(BuildError):
    """--device gpu, but TensorFlow in the kernel sees no GPU: no lesson should run on the wrong device."""


class SiteBuildError(BuildError):
    """The site engine refused the generated site: what the lessons or mkdocs.yml say, as bad input is."""

    exit_code = 2


def report_errors(action: Callable[[], int | None], debug: bool = False, err: TextIO | None = None) -> int:
    """Run `action`, printing what a user can act on instead of a traceback; return the exit code.

    `serve` runs each rebuild through this too, so that a rebuild reports as a build does.
    """
    err = err or sys.stderr
    try:
        return action() or 0
    except KeyboardInterrupt:
        print("interrupted; site/, figures/ and the cache are as they were", file=err)
        return 130
    except SourceErrors as exc:
        for error in exc.errors:
            print(error, file=err, flush=True)
        return exc.exit_code
    except BuildError as exc:
        if debug:
            raise
        print(exc, file=err, flush=True)
        return exc.exit_code
    except Exception as exc:  # a bug of the build itself: one line, the traceback only on request
        if isinstance(exc, BrokenPipeError) and _output_closed():
            # `lessonbuild | head`: the reader of the output is gone, so the build stops, as a shell's commands do;
            # its files are whole, as after Ctrl-C. stdout goes nowhere, so that Python's exit reports nothing more.
            os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
            return 128 + signal.SIGPIPE
        if debug:
            raise
        print(f"internal error: {type(exc).__name__}: {exc} (run with --debug for the traceback)", file=err)
        return 1


def _output_closed() -> bool:
    """Whether standard output is a pipe whose reader has closed it (poll says so of the pipe's writing end)."""
    try:
        import select

        poller = select.poll()
        poller.register(sys.stdout.fileno(), select.POLLOUT)
        return any(event & select.POLLERR for _, event in poller.poll(0))
    except (OSError, ValueError, AttributeError):  # no file descriptor, or no poll (Windows)
        return False

"""The build's exceptions: what went wrong, and where in the sources."""
from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


class BuildError(Exception):
    """Base of every error the build reports without a Python traceback."""

    exit_code = 1


@dataclass
class SourceLocation:
    path: Path  # relative to the project root
    line: int

    def __str__(self) -> str:
        return f"{self.path.as_posix()}:{self.line}"


class SourceError(BuildError):
    """Bad input: a problem in a file an author wrote, reported as `path:line: message`."""

    exit_code = 2

    def __init__(self, path: Path, line: int, message: str):
        self.location = SourceLocation(Path(path), line)
        self.message = message
        super().__init__(str(self))

    def __str__(self) -> str:
        return f"{self.location}: {self.message}"


class SourceErrors(BuildError):
    """Several independent problems found in one pass, so the author can fix them all at once."""

    exit_code = 2

    def __init__(self, errors: list[SourceError], partial=None):
        self.errors = errors
        self.partial = partial  # what could be made despite the errors, so later checks can go on
        super().__init__("\n".join(str(e) for e in errors))


class UsageError(BuildError):
    """The command line or project layout is wrong (not a lesson's fault)."""

    exit_code = 2


class CellFailure(BuildError):
    """A lesson's code raised, timed out or killed its kernel while executing."""

    exit_code = 1

    def __init__(self, location: SourceLocation, summary: str, details: str = ""):
        self.location = location
        self.summary = summary
        self.details = details
        self.kernel_log: Path | None = None  # where the kernel's own stderr went
        super().__init__(f"{location}: {summary}")

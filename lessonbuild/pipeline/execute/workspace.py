"""Where a local kernel runs: a scratch copy of its course's files, so that running a lesson changes nothing.

What a lesson writes (`%%file`, `savefig`, a checkpoint, even a changed data file) lands in the
copy, never in lessons/, the learners' zip or the next cache key. The copy holds what a lesson's
code may use of its course (bundle.course_files: helper modules and packages, data/), the same
files the learners' zips carry and the cache follows, so a lesson that runs here runs for them.
It lives at `_build/scratch/<course>/<lesson>/`, the same path at every run, so that paths a
lesson prints do not change between runs. Runs of one lesson take turns there (two builds at once wait for
each other). When a run ends, the copies it left untouched are removed: the folder keeps what
the run wrote, for the author to look at.
"""
from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import Self

from filelock import FileLock

from lessonbuild.fsutil import file_stamp, fresh_folder, walk_files
from lessonbuild.model import RenderedLesson
from lessonbuild.pipeline.bundle import expanded, lesson_files
from lessonbuild.project import Project
from lessonbuild.state import names


class Workspace:
    """Use as a context manager: the folder is the run's while the block runs."""

    def __init__(self, project: Project, rendered: RenderedLesson):
        self.course_folder = project.root / rendered.course.path
        self.files = lesson_files(rendered, project.root)
        self.folder = project.build_dir / names.SCRATCH / rendered.course.slug / rendered.lesson.slug
        # A book's page runs in its own folder of the copy, as it runs in its own folder of the book.
        self.cwd = self.folder / (project.root / rendered.lesson.path).parent.relative_to(self.course_folder)
        self.folder.parent.mkdir(parents=True, exist_ok=True)
        self._turn = FileLock(self.folder.parent / f".{self.folder.name}.lock")
        self.before: dict[str, str] = {}
        self._written: list[str] | None = None

    def __enter__(self) -> Self:
        self._turn.acquire()
        fresh_folder(self.folder)
        for path in expanded(self.files):
            target = self.folder / path.relative_to(self.course_folder)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, target)
        self.cwd.mkdir(parents=True, exist_ok=True)
        self.before = _listing(self.folder)
        return self

    def __exit__(self, *exc_info) -> None:
        try:
            self.written()  # after a failure too: the folder keeps what the run wrote, not the whole copy
        finally:
            self._turn.release()

    def written(self) -> list[str]:
        """What the run wrote (new or changed files); the untouched copies are removed, leaving those alone."""
        if self._written is not None:
            return self._written  # asked again as the run's block ends: the folder was tidied already
        after = _listing(self.folder)
        written = sorted(name for name, stamp in after.items() if self.before.get(name) != stamp)
        for name in set(after) - set(written):
            (self.folder / name).unlink()
        for directory, _, _ in sorted(os.walk(self.folder), key=lambda entry: -len(entry[0])):
            if directory != str(self.folder) and not os.listdir(directory):
                os.rmdir(directory)
        self._written = written
        return written

    def as_course_folder(self, text: str) -> str:
        """`text` (a traceback) with the copy's paths as the course's own."""
        return text.replace(f"{self.folder}{os.sep}", f"{self.course_folder}{os.sep}")


def kernel_log_file(project: Project, rendered: RenderedLesson) -> Path:
    """Where the kernel that runs the lesson writes its own output (stderr, stdout)."""
    return project.build_dir / names.LOGS / rendered.course.slug / f"{rendered.lesson.slug}.kernel.log"


def _listing(folder: Path) -> dict[str, str]:
    return {path.relative_to(folder).as_posix(): file_stamp(path) for path in walk_files(folder)}

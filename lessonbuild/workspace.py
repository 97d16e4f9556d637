"""Where a local kernel runs: a scratch copy of its course's helper modules and data, so that running changes nothing.

What a lesson writes (`%%file`, `savefig`, a checkpoint) lands in the copy, never in lessons/, the
learners' zip or the next cache key. Each run has a folder of its own (two builds may run one
lesson at once); when it ends the folder becomes `_build/scratch/<course>/<lesson>/`, replacing
the one of the run before, so the author can look at what the last run wrote.
"""
from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from .bundle import course_files
from .fsutil import replace_folder
from .model import RenderedLesson
from .project import Project

SCRATCH = "scratch"  # in the build folder


class Workspace:
    def __init__(self, project: Project, rendered: RenderedLesson):
        self.course_folder = project.root / rendered.course.path
        self.kept = project.build_dir / SCRATCH / rendered.course.slug / rendered.lesson.slug
        self.kept.parent.mkdir(parents=True, exist_ok=True)
        self.folder = Path(tempfile.mkdtemp(dir=self.kept.parent, prefix=f".{rendered.lesson.slug}-"))
        for path in course_files(self.course_folder):
            target = self.folder / path.relative_to(self.course_folder)
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(path, target)
        self.before = _listing(self.folder)

    def keep(self) -> list[str]:
        """Keep the run's folder as the lesson's scratch folder; return what the run wrote there (new or changed)."""
        after = _listing(self.folder)
        written = sorted(name for name, stamp in after.items() if self.before.get(name) != stamp)
        replace_folder(self.folder, self.kept)
        return written

    def as_course_folder(self, text: str) -> str:
        """`text` (a traceback) with the copy's paths as the course's own."""
        return text.replace(f"{self.folder}{os.sep}", f"{self.course_folder}{os.sep}")


def _listing(folder: Path) -> dict[str, tuple[int, int]]:
    stamps = {}
    for directory, subdirectories, names in os.walk(folder):
        subdirectories[:] = [d for d in subdirectories if d != "__pycache__"]
        for name in names:
            status = os.stat(os.path.join(directory, name))
            stamps[os.path.relpath(os.path.join(directory, name), folder)] = (status.st_size, status.st_mtime_ns)
    return stamps

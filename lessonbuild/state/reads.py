"""The read stage's store: each course's lessons as read, so that a prose edit parses one lesson.

A lesson is kept by the SHA-256 of its file; one whose cells `:load:` files is kept with their sizes and
times too, and read again when one of them changed. What another version of the build kept is not used.
"""
from __future__ import annotations

import pickle
from pathlib import Path

from lessonbuild.fsutil import file_sha256, file_stamp, write_atomic
from lessonbuild.model import Lesson
from lessonbuild.project import Project, code_stamp
from lessonbuild.state import names


class KeptReads:
    """The kept lessons of one course: `get` one, `put` one read anew, `save` once the course is read."""

    def __init__(self, project: Project, course: str):
        self.path = project.build_dir / names.READ / f"{course}.pickle"
        try:
            kept = pickle.loads(self.path.read_bytes())
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, ValueError, TypeError):
            kept = {}
        if not isinstance(kept, dict) or kept.get("code") != code_stamp():
            kept = {"code": code_stamp()}  # read by another version of the build: nothing of it is used
        self.kept: dict = kept
        self.digests: dict[str, str] = {}
        self.changed = False

    def get(self, path: Path, relative: Path) -> Lesson | None:
        """The lesson as read before, where neither its file nor a file it loads has changed since."""
        digest = self.digests[relative.as_posix()] = file_sha256(path)
        kept = self.kept.get(relative.as_posix())
        if kept is not None and kept[0] == digest and all(file_stamp(Path(f)) == s for f, s in kept[1].items()):
            return kept[2]
        return None

    def put(self, path: Path, relative: Path, lesson: Lesson, loaded: list[Path]) -> None:
        """Keep a lesson that read without a problem, with the files its cells loaded."""
        digest = self.digests.get(relative.as_posix()) or file_sha256(path)
        self.kept[relative.as_posix()] = (digest, {str(f): file_stamp(f) for f in loaded}, lesson)
        self.changed = True

    def save(self) -> None:
        if self.changed:
            write_atomic(self.path, pickle.dumps(self.kept, protocol=pickle.HIGHEST_PROTOCOL))

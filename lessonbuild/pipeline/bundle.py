"""A course's own files (helper modules and data/): what a kernel runs beside, and as one zip for learners and remote kernels."""
from __future__ import annotations

import io
import zipfile
from pathlib import Path

from lessonbuild.fsutil import inside, python_files, walk_files
from lessonbuild.project import DATA


def course_files(folder: Path) -> list[Path]:
    """What a lesson's code may use of its course: the helper modules and packages beside it, and data/; of those,
    the files inside the project, links followed (escaping_links names the links that lead out of it)."""
    return [path for path in _candidates(folder) if inside(path, _project_of(folder))]


def escaping_links(folder: Path) -> list[Path]:
    """The links among the course's files that lead out of the project (`data/x -> /etc/passwd`): the zips, the
    site and the kernel's copy never carry what they lead to, and reading the course reports each."""
    outside = [path for path in _candidates(folder) if not inside(path, _project_of(folder))]
    return list(dict.fromkeys(_first_link(path, folder) for path in outside))


def _candidates(folder: Path) -> list[Path]:
    packages = [p.parent for p in folder.glob("*/__init__.py")]
    modules = list(folder.glob("*.py")) + [p for package in packages for p in python_files(package)]
    data = list(walk_files(folder / DATA))
    return sorted(p for p in modules + data if p.is_file())


def _project_of(course_folder: Path) -> Path:
    return course_folder.parent.parent  # a course is lessons/<course>/ in its project


def _first_link(path: Path, folder: Path) -> Path:
    """The link on the way from the course's folder to `path` that leads out: a linked folder (`data -> /etc`) is
    one problem, not one for each file in it."""
    steps = [folder / part for part in reversed(path.relative_to(folder).parents[:-1])] + [path]
    return next((step for step in steps if step.is_symlink() and not inside(step, _project_of(folder))), path)


def course_bundle(folder: Path, prefix: str = "") -> bytes | None:
    """Zip bytes of the course's files (course_files); None when it has none.

    Entries carry a fixed date, so the same files give the same bytes.
    """
    files = course_files(folder)
    if not files:
        return None
    return _zip((prefix + path.relative_to(folder).as_posix(), path.read_bytes()) for path in files)


def lesson_bundle(folder: Path, notebook_name: str, notebook: bytes, prefix: str) -> bytes:
    """A lesson as a learner runs it: its notebook beside the course's files, all in the folder `prefix`."""
    entries = [(prefix + notebook_name, notebook)]
    entries += [(prefix + path.relative_to(folder).as_posix(), path.read_bytes()) for path in course_files(folder)]
    return _zip(entries)


def _zip(entries) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries:
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data)
    return buffer.getvalue()

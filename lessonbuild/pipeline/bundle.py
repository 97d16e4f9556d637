"""A course's own files (helper modules and data/): what a kernel runs beside, and as one zip for learners and remote
kernels; and, for a book's page, the files beside it that its code names."""
from __future__ import annotations

import io
import os
import zipfile
from pathlib import Path

from lessonbuild.fsutil import inside, never_source, python_files, walk_files
from lessonbuild.model import RenderedLesson
from lessonbuild.project import DATA
from lessonbuild.pycode import imported_modules, string_literals

PAGE_SUFFIXES = (".md", ".ipynb")


def course_files(folder: Path, root: Path) -> list[Path]:
    """What a lesson's code may use of its course: the helper modules and packages beside it, and data/; of those,
    the files inside the project at `root`, links followed (escaping_links names the links that lead out of it)."""
    return [path for path in _candidates(folder) if inside(path, root)]


def escaping_links(folder: Path, root: Path) -> list[Path]:
    """The links among the course's files that lead out of the project (`data/x -> /etc/passwd`): the zips, the
    site and the kernel's copy never carry what they lead to, and reading the course reports each."""
    outside = [path for path in _candidates(folder) if not inside(path, root)]
    return list(dict.fromkeys(_first_link(path, folder, root) for path in outside))


def named_candidates(code: str, folder: Path) -> list[Path]:
    """What a book page's code may name beside it, whether it is there or not: each string literal that could be a
    relative file name (`"data/x.csv"`, `"../figures"`), and the module files of what it imports."""
    named = [folder / value for value, _ in string_literals(code) if _may_name_file(value)]
    return named + [path for name, _ in imported_modules(code) for path in (folder / f"{name}.py", folder / name / "__init__.py")]


def files_named(candidates: list[Path], folder: Path, root: Path) -> list[Path]:
    """Of the `candidates` (named_candidates), the files and folders that are there: what the page's kernel copy and
    its download carry. Only what lies inside the book, in no hidden or build folder, counts; a folder that holds
    pages (the page's own, the book's root) is never taken whole; a package is taken by its folder."""
    there = [path.parent if path.name == "__init__.py" else path for path in candidates]
    return sorted({found for path in there if (found := _usable(path, folder, root)) is not None})


def _may_name_file(value: str) -> bool:
    return 0 < len(value) < 256 and "\n" not in value and not value.startswith(("/", "~")) and "://" not in value


def _usable(path: Path, folder: Path, root: Path) -> Path | None:
    """`path` as a name inside the book (`..` taken away), where the page's code may be given it."""
    try:
        real = inside(path, root) if path.exists() else None
    except (OSError, ValueError):  # a name the file system refuses (NUL, too long)
        return None
    if real is None or real == root.resolve():
        return None
    named = Path(os.path.normpath(path))
    if not named.is_relative_to(root) or any(never_source(part) for part in named.relative_to(root).parts):
        return None
    if real.is_dir() and (folder.resolve().is_relative_to(real) or any(p.suffix in PAGE_SUFFIXES for p in walk_files(real))):
        return None
    return named


def lesson_files(rendered: RenderedLesson, root: Path) -> list[Path]:
    """Every file a lesson's code may use: its course's (course_files), and the data it names, each once."""
    named = [root / path for path in rendered.data_files]
    return list(dict.fromkeys([*course_files(root / rendered.course.path, root), *named]))


def _candidates(folder: Path) -> list[Path]:
    packages = [p.parent for p in folder.glob("*/__init__.py")]
    modules = list(folder.glob("*.py")) + [p for package in packages for p in python_files(package)]
    data = list(walk_files(folder / DATA))
    return sorted(p for p in modules + data if p.is_file())


def _first_link(path: Path, folder: Path, root: Path) -> Path:
    """The link on the way from the course's folder to `path` that leads out: a linked folder (`data -> /etc`) is
    one problem, not one for each file in it."""
    steps = [folder / part for part in reversed(path.relative_to(folder).parents[:-1])] + [path]
    return next((step for step in steps if step.is_symlink() and not inside(step, root)), path)


def course_bundle(folder: Path, root: Path, prefix: str = "") -> bytes | None:
    """Zip bytes of the course's files (course_files); None when it has none.

    Entries carry a fixed date, so the same files give the same bytes.
    """
    files = course_files(folder, root)
    if not files:
        return None
    return _zip((prefix + path.relative_to(folder).as_posix(), path.read_bytes()) for path in files)


def lesson_bundle(folder: Path, files: list[Path], notebook_name: str, notebook: bytes, prefix: str) -> bytes:
    """A lesson as a learner runs it: its notebook (named by its place in `folder`) beside `files` (lesson_files),
    all in the folder `prefix`."""
    entries = [(prefix + notebook_name, notebook)]
    entries += [(prefix + path.relative_to(folder).as_posix(), path.read_bytes()) for path in expanded(files)]
    return _zip(entries)


def expanded(paths: list[Path]) -> list[Path]:
    """The files of `paths`, a folder by its files, each once."""
    files = [file for path in paths for file in (sorted(walk_files(path)) if path.is_dir() else [path]) if file.is_file()]
    return list(dict.fromkeys(files))


def _zip(entries) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for name, data in entries:
            info = zipfile.ZipInfo(name, date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, data)
    return buffer.getvalue()

"""Files as the build writes and recognises them: atomic writes (a temporary name, then a rename), the one
walk, stamp and hash that every stage and store uses, and how a source file is read: as UTF-8 text, and only
where its links lead to a file inside the folder it may come from."""
from __future__ import annotations

import contextlib
import hashlib
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

_UMASK = os.umask(0)
os.umask(_UMASK)
FILE_MODE = 0o666 & ~_UMASK  # what open() would have given; mkstemp alone gives 0600


def write_atomic(path: Path, data: bytes | str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    payload = data.encode("utf-8") if isinstance(data, str) else data
    descriptor, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(payload)
        os.chmod(temporary, FILE_MODE)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def write_if_changed(path: Path, data: bytes | str) -> bool:
    """Write the file only where its bytes differ, so that what reads the folder again (the site engine) sees
    only what really changed; whether it was written."""
    payload = data.encode("utf-8") if isinstance(data, str) else data
    try:
        if path.stat().st_size == len(payload) and path.read_bytes() == payload:
            return False
    except OSError:
        pass  # not there yet
    write_atomic(path, payload)
    return True


def replace_folder(new: Path, target: Path) -> None:
    """Put the finished folder `new` where `target` is, keeping `target` whole until the last moment."""
    old = target.with_name(f".{target.name}.old")
    _remove(old)
    if target.exists() or target.is_symlink():
        os.replace(target, old)
    os.replace(new, target)
    _remove(old)


def _remove(path: Path) -> None:
    """A folder, a file or a link that stood where a folder goes: gone, whichever it was."""
    if path.is_symlink() or path.is_file():
        path.unlink()
    else:
        shutil.rmtree(path, ignore_errors=True)


def fresh_folder(path: Path) -> Path:
    shutil.rmtree(path, ignore_errors=True)
    path.mkdir(parents=True)
    return path


OWNER_FILE = ".lessonbuild-owner"  # locked for as long as the process that made its folder lives
ABANDONED_SECONDS = 60  # a folder younger than this may be one whose owner is about to lock it


@contextlib.contextmanager
def scratch_folder(prefix: str) -> Iterator[Path]:
    """A folder in the system's temporary folder for as long as the block runs, removed after it, as
    TemporaryDirectory makes. A process killed outright (SIGKILL, out of memory) cannot remove its own, so each
    holds a lock for its owner's lifetime, which the kernel drops as the process dies: making a new one removes
    the abandoned folders of the same prefix, whose lock anyone can take."""
    _remove_abandoned(prefix)
    folder = Path(tempfile.mkdtemp(prefix=prefix))
    owner = _locked(folder / OWNER_FILE, wait=True)
    try:
        yield folder
    finally:
        if owner is not None:
            os.close(owner)
        shutil.rmtree(folder, ignore_errors=True)


def _remove_abandoned(prefix: str) -> None:
    for folder in Path(tempfile.gettempdir()).glob(f"{prefix}*"):
        try:
            if time.time() - folder.stat().st_mtime < ABANDONED_SECONDS or not (folder / OWNER_FILE).is_file():
                continue
        except OSError:  # removed meanwhile
            continue
        if (lock := _locked(folder / OWNER_FILE, wait=False)) is not None:
            shutil.rmtree(folder, ignore_errors=True)
            os.close(lock)


def _locked(path: Path, wait: bool) -> int | None:
    """A descriptor of `path` holding its exclusive lock; None where another process holds it, or where this
    system has no such locks (Windows, whose temporary folders its own cleaner empties)."""
    try:
        import fcntl
    except ImportError:
        return None
    try:
        descriptor = os.open(path, os.O_RDWR | os.O_CREAT, FILE_MODE)
    except OSError:
        return None
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | (0 if wait else fcntl.LOCK_NB))
    except OSError:
        os.close(descriptor)
        return None
    return descriptor


def file_stamp(path: Path) -> str:
    """A file as a stage saw it, without reading it: absent, a folder, or a file of this size and time."""
    if not os.path.exists(path):
        return "absent"
    size, time = size_and_time(path)
    return "folder" if os.path.isdir(path) else f"{size}:{time}"


def size_and_time(path: Path | str) -> tuple[int, int]:
    """A file's size and modification time in nanoseconds; a link to nothing's own (an editor's lock file)."""
    status = os.stat(path) if os.path.exists(path) else os.lstat(path)
    return status.st_size, status.st_mtime_ns


def walk_files(folder: Path, skip: Callable[[str], bool] | None = None) -> Iterator[Path]:
    """Every file under `folder`, __pycache__ left out (what Python writes beside the code is not a source), and
    the folders whose names `skip` says."""
    for directory, subdirectories, names in os.walk(folder):
        subdirectories[:] = [d for d in subdirectories if d != "__pycache__" and not (skip and skip(d))]
        for name in names:
            yield Path(directory) / name


BUILD_FOLDER = "_build"  # the build folder's name (project.BUILD): what the build writes is never a source


def never_source(name: str) -> bool:
    """A folder name under which no source lives: a hidden one (.git, .ipynb_checkpoints) or the build's own, which a
    book's pages share their root with."""
    return name.startswith(".") or name == BUILD_FOLDER


def python_files(folder: Path) -> list[Path]:
    """The modules of a Python package (a course's helper package), in order."""
    return sorted(p for p in walk_files(folder) if p.suffix == ".py" and p.is_file())


def file_sha256(path: Path) -> str:
    """A file by its content; a folder by its files' names and contents; "absent" for nothing (or a link to nothing)."""
    if os.path.isdir(path):
        sha = hashlib.sha256()
        for file in sorted(f for f in walk_files(path) if f.is_file()):  # not a link to nothing, a socket, a FIFO
            sha.update(file.relative_to(path).as_posix().encode() + b"\0" + _content_sha256(file).digest())
        return sha.hexdigest()
    return _content_sha256(path).hexdigest() if os.path.exists(path) else "absent"


def _content_sha256(path: Path) -> hashlib._Hash:
    try:
        return hashlib.sha256(Path(path).read_bytes())
    except FileNotFoundError:  # a link to nothing
        return hashlib.sha256(b"")


def inside(path: Path, folder: Path) -> Path | None:
    """`path` with every link on its way followed, where that lies inside `folder` (its own links followed too);
    None where it leads elsewhere: a name with `..`, an absolute name or a link must not reach the rest of the
    machine (`/proc/self/environ`, `/etc/passwd`), whose files the build would publish."""
    real = Path(path).resolve()
    return real if real.is_relative_to(Path(folder).resolve()) else None


class NotText(ValueError):
    """A file that is no UTF-8 text, and where: `line`, the line of its first byte that is no text."""

    def __init__(self, reason: str, line: int):
        super().__init__(reason)
        self.line = line


UTF16_MARKS = (b"\xff\xfe", b"\xfe\xff")


def read_text(path: Path) -> str:
    """The file's text, read as UTF-8 (a byte order mark is no text); NotText for a binary file (one with a NUL
    byte) or text in another encoding."""
    data = Path(path).read_bytes()
    if data.startswith(UTF16_MARKS):
        raise NotText("UTF-16 text, not UTF-8; save it as UTF-8", 1)
    if b"\0" in data:
        raise NotText("a binary file (it holds NUL bytes), not text", data[: data.index(b"\0")].count(b"\n") + 1)
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise NotText(f"not UTF-8 text (byte {data[exc.start]:#04x}); save it as UTF-8", line) from None

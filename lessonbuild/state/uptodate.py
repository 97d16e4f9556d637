"""The fast path of a no-op build: when no source file changed since the last good build, nothing is read.

A stamp lists the size and modification time of every file the build reads (lessons, templates,
figures, settings, the build's own code) and the installed distributions; make and ninja trust
the same facts. When the stamp differs, the build goes on as usual, and content hashes decide
what really changed.
"""
from __future__ import annotations

import hashlib
import json
import os
import sys
import time
from pathlib import Path

from lessonbuild.fsutil import file_sha256, size_and_time, walk_files, write_atomic
from lessonbuild.project import Project
from lessonbuild.state import names

RACY_NS = 2_000_000_000  # the coarsest common file-time resolution (FAT, old HFS+), in nanoseconds


def source_stamp(project: Project, asked: str = "") -> dict:
    """The digest of every source file's size and time (and of `asked`, what the command was asked to do), and the
    newest of those times."""
    entries: list[tuple[str, int, int]] = []
    folders, files = project.sources()
    for folder in folders:
        entries += [_entry(path, project.root) for path in project.walk_sources(folder)]
    entries += [_entry(path, project.root) for path in files if path.exists()]
    newest = max((mtime for _, _, mtime in entries), default=0)
    stamped = [entries, sorted(installed_distributions()), asked]
    return {"digest": hashlib.sha256(json.dumps(stamped).encode()).hexdigest(), "newest": newest}


def is_current(project: Project, stamp: dict) -> list[str] | None:
    """The lines of the last good build when its stamp is `stamp` and its site still stands; else None."""
    stored = recalled(project, stamp, names.SOURCES_STAMP)
    if stored is None:
        return None
    return stored["lines"] if site_is_intact(project) else None  # site/ is walked only when all else holds


def recalled(project: Project, stamp: dict, name: str) -> dict | None:
    """What was remembered under `name` with this same stamp, where that stamp can be trusted; else None."""
    path = project.build_dir / name
    try:
        stored = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None  # none yet, or a damaged one: the command does its work and writes it again
    # A file written just before the stamp was taken could change again within the file system's
    # time resolution and keep its size: such a stamp is not trusted (git's "racy" rule).
    if stored.get("digest") != stamp["digest"] or stored["newest"] >= stored["taken"] - RACY_NS:
        return None
    return stored


def remember(project: Project, stamp: dict, lines: list[str], name: str = names.SOURCES_STAMP, **more: list[str]) -> None:
    """Store `lines` (and `more` lists) under `name` with the stamp they came from, for recalled() to give back."""
    record = {**stamp, "taken": time.time_ns(), "lines": lines, **more}
    write_atomic(project.build_dir / name, json.dumps(record))


def forget(project: Project) -> None:
    (project.build_dir / names.SOURCES_STAMP).unlink(missing_ok=True)


def _entry(path: Path, root: Path) -> tuple[str, int, int]:
    return (os.path.relpath(path, root), *size_and_time(path))


def installed_distributions() -> set[str]:
    """Installed distributions by their metadata folders' names, which carry name and version: found without
    reading any metadata."""
    found: set[str] = set()
    for entry in sys.path:
        if os.path.isdir(entry):
            found.update(name for name in os.listdir(entry) if name.endswith((".dist-info", ".egg-info")))
    return found


def remember_site(project: Project) -> None:
    """Record site/ as it stands, as the build left it."""
    write_atomic(project.build_dir / names.SITE_FINGERPRINT, _fingerprint(project.site_dir))


def site_is_intact(project: Project) -> bool:
    """Whether site/ is still exactly as the last build left it: no file removed, added or changed since."""
    recorded = project.build_dir / names.SITE_FINGERPRINT
    if not recorded.exists() or not (project.site_dir / "index.html").exists():
        return False
    return recorded.read_text(encoding="utf-8") == _fingerprint(project.site_dir)


def _fingerprint(folder: Path) -> str:
    """Every file's path, size and modification time: what a hand edit or a removal changes, found without reading."""
    entries = [_entry(path, folder) for path in walk_files(folder)]
    return hashlib.sha256(json.dumps(sorted(entries)).encode()).hexdigest()


def site_digest(project: Project, inputs: list[str]) -> str:
    """What the site is made of: `inputs` (its name, each rendered lesson and what its outputs depend on), and every
    source but figures/ (the build writes those itself; the pages take them from the run), templates and settings."""
    # The installed packages: a change goes through the cache, which runs again only the lessons it touches.
    parts = [project.mkdocs_config.read_text(encoding="utf-8"), *sorted(installed_distributions())]
    folders, files = project.sources()
    for folder in folders:
        if folder != project.figures_dir:
            # A file only: not a link to nothing (an editor's lock file), a socket or a FIFO.
            parts += [f"{p.relative_to(folder)}:{file_sha256(p)}" for p in sorted(project.walk_sources(folder)) if p.is_file()]
    parts += [f"{p.name}:{file_sha256(p)}" for p in files if p.exists()]
    return hashlib.sha256("\n".join([*parts, *inputs]).encode()).hexdigest()


def site_is_built_from(project: Project, digest: str) -> bool:
    """Whether the last site was built from exactly these inputs and still stands."""
    stored = project.build_dir / names.SITE_DIGEST
    return stored.exists() and stored.read_text() == digest and site_is_intact(project)


def record_site_digest(project: Project, digest: str) -> None:
    write_atomic(project.build_dir / names.SITE_DIGEST, digest)


def forget_site(project: Project) -> None:
    """A site of unexecuted or failed lessons is a preview: it must not pass for the real one next time."""
    (project.build_dir / names.SITE_DIGEST).unlink(missing_ok=True)
    forget(project)

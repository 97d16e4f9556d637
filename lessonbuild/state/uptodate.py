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

from lessonbuild.fsutil import walk_files, write_atomic
from lessonbuild.pipeline.site import site_is_intact
from lessonbuild.project import Project

STAMP = "sources.stamp"  # in the build folder
RACY_NS = 2_000_000_000  # the coarsest common file-time resolution (FAT, old HFS+), in nanoseconds


def source_stamp(project: Project) -> dict:
    """The digest of every source file's size and time, and the newest of those times."""
    entries = []
    folders, files = project.sources()
    for folder in folders:
        entries += [_entry(path, project.root) for path in walk_files(folder)]
    entries += [_entry(path, project.root) for path in files if path.exists()]
    newest = max((mtime for _, _, mtime in entries), default=0)
    entries.append(sorted(installed_distributions()))
    return {"digest": hashlib.sha256(json.dumps(entries).encode()).hexdigest(), "newest": newest}


def is_current(project: Project, stamp: dict) -> list[str] | None:
    """The lines of the last good build when its stamp is `stamp` and its site still stands; else None."""
    path = project.build_dir / STAMP
    if not path.exists():
        return None
    stored = json.loads(path.read_text(encoding="utf-8"))
    # A file written just before the stamp was taken could change again within the file system's
    # time resolution and keep its size: such a stamp is not trusted (git's "racy" rule).
    if stored.get("digest") != stamp["digest"] or stored["newest"] >= stored["taken"] - RACY_NS:
        return None
    return stored["lines"] if site_is_intact(project) else None  # site/ is walked only when all else holds


def remember(project: Project, stamp: dict, lines: list[str]) -> None:
    write_atomic(project.build_dir / STAMP, json.dumps({**stamp, "taken": time.time_ns(), "lines": lines}))


def forget(project: Project) -> None:
    (project.build_dir / STAMP).unlink(missing_ok=True)


def _entry(path: Path, root: Path) -> tuple[str, int, int]:
    # A link to nothing (an editor's lock file, .#lesson.md) is stamped as the link it is.
    status = os.stat(path) if os.path.exists(path) else os.lstat(path)
    return (os.path.relpath(path, root), status.st_size, status.st_mtime_ns)


def installed_distributions() -> set[str]:
    """Installed distributions by their metadata folders' names, which carry name and version: found without
    reading any metadata."""
    found = set()
    for entry in sys.path:
        if os.path.isdir(entry):
            found.update(name for name in os.listdir(entry) if name.endswith((".dist-info", ".egg-info")))
    return found

"""The publish stage's store: the docs folder as the last publish left it, so that an unchanged page is not made
again and a file no page makes any more is removed.

Each page (and the course zip) is recorded by the key of what it was made of, with the files it wrote.
"""
from __future__ import annotations

import json
from pathlib import Path

from lessonbuild.fsutil import write_atomic, write_if_changed
from lessonbuild.project import Project
from lessonbuild.state import names


class PublishedPages:
    """Which pages can stay as they are, what this publish wrote, and what is stale. `salt` is part of every
    page's key: what makes pages besides their lessons (the templates, nbconvert, the build's own code)."""

    def __init__(self, project: Project, salt: str):
        self.docs, self.record, self.salt = project.build_dir / names.DOCS, project.build_dir / names.PUBLISHED, salt
        try:
            self.last = json.loads(self.record.read_text(encoding="utf-8")) if self.docs.is_dir() else {}
        except (OSError, ValueError):
            self.last = {}  # a damaged record: every page is made again
        self.now: dict[str, dict] = {}
        self.kept: set[Path] = set()

    def unchanged(self, name: str, key: str) -> bool:
        """Whether the page `name` was made from `key` and its files are all there; then they stay."""
        entry = self.last.get(name)
        if entry is None or entry.get("key") != key or not all((self.docs / f).is_file() for f in entry["files"]):
            return False
        self.now[name] = entry
        self.kept.update(self.docs / f for f in entry["files"])
        return True

    def made(self, name: str, key: str, files: list[Path]) -> None:
        self.now[name] = {"key": key, "files": sorted(f.relative_to(self.docs).as_posix() for f in files)}
        self.kept.update(files)

    def write(self, path: Path, data: bytes | str) -> Path:
        """Write a file of the docs folder (only where its bytes change, so the site engine sees what changed)."""
        write_if_changed(path, data)
        self.kept.add(path)
        return path

    def finish(self, assets: Path) -> None:
        """Remove what no page made this time (a lesson taken out, an image no longer shown); record the pages."""
        for file in [p for p in self.docs.rglob("*") if p.is_file()]:
            if file not in self.kept and not file.is_relative_to(assets):
                file.unlink()
        write_atomic(self.record, json.dumps(self.now, sort_keys=True))

"""The site's own cache store (publish_cache): the entries of its lessons under _cache/, for clones to read.

It is laid out as any store (state/store.py), so that `cache_url = "https://<site>/_cache/"` reads it. An entry
is linked from the local cache, not copied, where the file system allows; it and its record are made again
only when the entry changed.
"""
from __future__ import annotations

import os
import shutil
from collections.abc import Sequence
from pathlib import Path

from lessonbuild.state.pages import PublishedPages
from lessonbuild.state.store import MARKER, SITE_FOLDER, entry_name, marker, record_of


def write_cache_store(entries: Sequence[tuple[str, Path]], published: PublishedPages) -> None:
    """Each (key, local entry) into the docs folder's _cache/, with its record, and the store's marker."""
    root = published.docs / SITE_FOLDER
    published.write(root / MARKER, marker())
    for key, entry in entries:
        files = [root / entry_name(key, ".ipynb"), root / entry_name(key, ".json")]
        state = entry.stat()
        made_of = f"{key} {state.st_size} {state.st_mtime_ns}"  # a forced run rewrites an entry under its key
        if published.unchanged(f"{SITE_FOLDER}/{key}", made_of):
            continue
        files[0].parent.mkdir(parents=True, exist_ok=True)
        files[0].unlink(missing_ok=True)
        _link_or_copy(entry, files[0])
        published.write(files[1], record_of(entry.read_bytes()))
        published.made(f"{SITE_FOLDER}/{key}", made_of, files)


def _link_or_copy(source: Path, target: Path) -> None:
    try:
        os.link(source, target)
    except OSError:  # another file system, or one without hard links
        shutil.copy2(source, target)

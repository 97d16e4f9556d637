"""The execution cache, beside the execute stage: a lesson runs again only when its inputs changed.

An entry is keyed by the SHA-256 of everything that can change a lesson's outputs: its code
cells as rendered, its kernel, the data files it names, and the course's helper modules it
imports (directly or through each other). The installed packages count through what the
lesson imported: its run records the distributions of the modules it loaded (and Python's
version), and a lookup runs it again only when one of those changed, saying which. The CPU and
GPU builds of TensorFlow count as one, so a cache filled on a GPU runner serves a CPU-only
build. Entries hold no absolute paths, are written under a temporary name and renamed, and can
be copied between machines.
"""
from __future__ import annotations

import functools
import hashlib
import json
import platform
import re
from dataclasses import dataclass
from enum import Enum
from functools import cache
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING

import nbformat

from lessonbuild.errors import BuildError
from lessonbuild.fsutil import file_sha256, python_files, write_atomic
from lessonbuild.model import ExecutedLesson, RenderedLesson
from lessonbuild.project import DEFAULT_KERNEL, Project
from lessonbuild.pycode import imported_modules
from lessonbuild.state import names

if TYPE_CHECKING:
    from lessonbuild.state.store import RemoteStore

FORMAT = 3  # bump when what an entry holds changes
# Distributions that differ between a CPU and a GPU runner without changing a lesson's outputs.
DEVICE_VARIANTS = {"tensorflow-cpu": "tensorflow", "tensorflow-gpu": "tensorflow", "tensorflow-intel": "tensorflow"}
DEVICE_ONLY_PREFIXES = ("nvidia-", "tensorrt")


@dataclass(frozen=True)
class Inputs:
    """What a lesson's outputs depend on, each part hashed."""

    cells: tuple[tuple[int, str], ...]  # (source line, hash) of each code cell
    files: dict[str, str]  # path relative to the project -> hash
    environment: str
    kernel: str

    @property
    def key(self) -> str:
        # Lines are left out: prose added above a cell moves it without changing what it computes.
        code = [digest for _, digest in self.cells]
        text = json.dumps([FORMAT, code, self.files, self.environment, self.kernel], sort_keys=True)
        return hashlib.sha256(text.encode()).hexdigest()

    def changes_since(self, previous: dict | None) -> str:
        if previous is None:
            return "first run"
        changes = []
        old_cells = {digest for _, digest in map(tuple, previous.get("cells", []))}
        edited = [line for line, digest in self.cells if digest not in old_cells]
        if edited or len(self.cells) != len(previous.get("cells", [])):
            where = f" in the cell{'s' if len(edited) > 1 else ''} at line {', '.join(map(str, edited))}" if edited else ""
            changes.append(f"code changed{where}")
        old_files = previous.get("files", {})
        for path in sorted(set(self.files) | set(old_files)):
            if self.files.get(path) != old_files.get(path):
                changes.append(f"{path} changed")
        if self.environment != previous.get("environment"):
            changes.append("installed packages changed")
        if self.kernel != previous.get("kernel"):
            changes.append("kernel changed")
        return "; ".join(changes) or "no cache entry"


class DamagedEntry(BuildError):
    """A cache entry that cannot be read: the message names it, and says why. It is removed when found."""


class MissReason(Enum):
    """Why the cache has no run for a lesson's inputs."""

    NO_ENTRY = "no entry"  # these inputs never ran (or their entry was removed)
    DAMAGED = "damaged"  # the entry cannot be read; it is removed, and the lesson runs again and rewrites it
    OUTDATED = "outdated"  # a distribution the lesson imported changed since the run


@dataclass(frozen=True)
class Hit:
    executed: ExecutedLesson


@dataclass(frozen=True)
class Miss:
    reason: MissReason
    detail: str = ""  # DAMAGED: the warning that names the entry; OUTDATED: what changed ("numpy 2.4 -> 2.5")


Lookup = Hit | Miss


class ExecutionCache:
    """The local cache, and the shared store behind it where there is one (store.py): entries the local cache
    lacks are fetched from the store before the lookups, and the entries of this build are pushed to it."""

    def __init__(self, project: Project, shared: RemoteStore | None = None):
        self.project, self.shared = project, shared
        self.folder = project.build_dir / names.CACHE
        self._inputs: dict[str, Inputs] = {}
        self.fetched: set[str] = set()  # keys this build brought from the store

    def fetch_missing(self, wanted: list[Inputs]) -> list[str]:
        """Bring from the store the entries of `wanted` that the local cache lacks; the warnings to print."""
        if self.shared is None:
            return []
        missing = {inputs.key: self._entry(inputs.key) for inputs in wanted if not self._entry(inputs.key).exists()}
        fetched = self.shared.fetch(missing)
        self.fetched.update(fetched.keys)
        return fetched.warnings

    def push(self, ran: list[Inputs], replace: bool = True) -> tuple[int, list[str]]:
        """Put the local entries of `ran` in the store, where the build pushes, but for those it brought from
        there; `replace`: also over an entry of the same key with other bytes. How many were stored, and the
        warnings."""
        if self.shared is None:
            return 0, []
        entries = {inputs.key: self._entry(inputs.key) for inputs in ran if inputs.key not in self.fetched}
        return self.shared.upload(entries, replace)

    def entry_file(self, rendered: RenderedLesson) -> tuple[str, Path] | None:
        """The key and local file of the entry that serves the lesson's inputs now, where there is one."""
        key = self.inputs(rendered).key
        return (key, self._entry(key)) if self._entry(key).is_file() else None

    def inputs(self, rendered: RenderedLesson) -> Inputs:
        """What the lesson's outputs depend on; computed once per lesson for this cache's life (one build)."""
        if rendered.name not in self._inputs:
            self._inputs[rendered.name] = self._hash_inputs(rendered)
        return self._inputs[rendered.name]

    def _hash_inputs(self, rendered: RenderedLesson) -> Inputs:
        code = [(i, c) for i, c in enumerate(rendered.notebook.cells) if c.cell_type == "code"]
        cells = tuple((_first_line(rendered, i), _digest(_cell_identity(c))) for i, c in code)
        course_folder = self.project.root / rendered.course.path
        modules = _helper_modules([c.source for _, c in code], course_folder)
        files = {p.as_posix(): file_sha256(self.project.root / p) for p in rendered.data_files}
        files.update({self.project.relative(p).as_posix(): file_sha256(p) for p in modules})
        kernel = rendered.notebook.metadata.kernelspec.name
        # The default kernel runs in the build's own environment: its entries record the distributions the lesson
        # imported, and only a change to one of those runs it again (checked at lookup). Another kernel's
        # environment is not ours to read, so its entries are keyed by everything installed here.
        environment = "" if kernel == DEFAULT_KERNEL else environment_digest()
        if rendered.lesson.front_matter.get("execution", {}).get("allow_errors"):
            kernel += " (errors allowed)"  # a run that may fail is another run than one that may not
        return Inputs(cells, files, environment, kernel)

    def lookup(self, rendered: RenderedLesson, inputs: Inputs) -> Lookup:
        """The cached run of these inputs, or why there is none.

        When the lesson's manifest describes this very entry, the entry itself is read only when a stage
        looks at the notebook: a build that publishes one page reads one entry.
        """
        entry = self._entry(inputs.key)
        if not entry.exists():
            return Miss(MissReason.NO_ENTRY)
        manifest = self._manifest(rendered)
        notebook: nbformat.NotebookNode | None = None
        if manifest and manifest.get("key") == inputs.key and manifest.get("bytes") == entry.stat().st_size:
            info, outputs = manifest.get("execution"), str(manifest.get("sha256"))
        else:  # an older entry (the lesson changed back), or a manifest of another format: the entry tells
            try:
                text = entry.read_bytes()
                notebook = self._load(rendered, entry, text)
            except DamagedEntry as exc:
                return Miss(MissReason.DAMAGED, str(exc))
            info, outputs = notebook.metadata["lessonbuild"].get("execution"), hashlib.sha256(text).hexdigest()
            if isinstance(info, dict):  # this entry is now the lesson's last run: the next lookup reads no more
                self._write_manifest(rendered, inputs, info, text)
        if not isinstance(info, dict):
            return Miss(MissReason.DAMAGED, self._damage(entry, "no execution record"))
        try:
            if not inputs.environment and (changed := changed_distributions(info["distributions"], info["python"])):
                return Miss(MissReason.OUTDATED, changed)
            seconds, device = float(info["seconds"]), str(info["device"])
        except (KeyError, TypeError, ValueError) as exc:
            return Miss(MissReason.DAMAGED, self._damage(entry, type(exc).__name__))
        load = notebook if notebook is not None else functools.partial(self._load, rendered, entry)
        return Hit(ExecutedLesson(rendered, load, seconds, device, outputs=outputs))

    def _load(self, rendered: RenderedLesson, entry: Path, text: bytes | None = None) -> nbformat.NotebookNode:
        """The rendered notebook with the entry's outputs. An entry that cannot be read is removed, so that the
        next build runs the lesson again: it is the cache's own file, not the author's."""
        try:
            text = entry.read_bytes() if text is None else text
            # The cache's own writing: read by nbformat's v4 reader (lines joined again) but not validated again,
            # which costs more than the rest of a lookup; what is not an entry fails below.
            return with_outputs(rendered.notebook, nbformat.v4.reads(text.decode("utf-8")))
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:  # truncated, not JSON, not an entry
            reason = type(exc).__name__ if isinstance(exc, (KeyError, TypeError, AttributeError)) else str(exc).split("\n")[0]
            entry.unlink(missing_ok=True)
            raise DamagedEntry(self._damage(entry, reason)) from None

    def _damage(self, entry: Path, reason: str) -> str:
        return f"{self.project.relative(entry).as_posix()}: damaged cache entry ({reason[:120]})"

    def why_executed(self, rendered: RenderedLesson, inputs: Inputs, miss: Miss) -> str:
        """What the lesson's status line says of why it runs again."""
        if miss.reason is MissReason.DAMAGED:
            return "its cache entry was damaged"
        if miss.reason is MissReason.OUTDATED:
            return miss.detail
        return inputs.changes_since(self._manifest(rendered))

    def store(self, executed: ExecutedLesson, inputs: Inputs) -> str:
        """Keep the run; return the digest of its outputs (what ExecutedLesson.outputs names)."""
        text = nbformat.writes(executed.notebook).encode()
        write_atomic(self._entry(inputs.key), text)
        return self._write_manifest(executed.rendered, inputs, executed.notebook.metadata["lessonbuild"]["execution"], text)

    def _write_manifest(self, rendered: RenderedLesson, inputs: Inputs, execution: dict, entry: bytes) -> str:
        """Record the lesson's last run: its inputs (to say what changed next time), and which entry it wrote
        with what it ran on, so that a lookup of that entry reads nothing more. Return the entry's digest."""
        manifest = {
            "cells": inputs.cells, "files": inputs.files, "environment": inputs.environment, "kernel": inputs.kernel,
            "device": execution["device"], "seconds": round(float(execution["seconds"]), 2),
            "key": inputs.key, "bytes": len(entry), "sha256": hashlib.sha256(entry).hexdigest(), "execution": execution,
        }
        write_atomic(self._last(rendered), json.dumps(manifest, indent=1, sort_keys=True))
        return manifest["sha256"]

    def last_seconds(self, rendered: RenderedLesson) -> float:
        """How long the lesson's last run took (0 where it never ran): what a cluster schedules the longest by."""
        try:
            return float((self._manifest(rendered) or {}).get("seconds", 0))
        except (TypeError, ValueError):
            return 0.0

    def last_run(self, rendered: RenderedLesson) -> str:
        """How the lesson's last execution went, from its small manifest (no notebook is loaded)."""
        last = self._manifest(rendered)
        if last is None:
            return "executed earlier"
        return f"executed on {last.get('device')} in {float(last.get('seconds', 0)):.1f} s"

    def _manifest(self, rendered: RenderedLesson) -> dict | None:
        """The lesson's last manifest; None where there is none or it cannot be read (it is rewritten at the next run)."""
        try:
            manifest = json.loads(self._last(rendered).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None
        return manifest if isinstance(manifest, dict) else None

    def _entry(self, key: str) -> Path:
        return self.project.build_dir / names.CACHE_ENTRIES / key[:2] / f"{key}.ipynb"

    def _last(self, rendered: RenderedLesson) -> Path:
        return self.project.build_dir / names.CACHE_MANIFESTS / rendered.course.slug / f"{rendered.lesson.slug}.json"


def _first_line(rendered: RenderedLesson, index: int) -> int:
    location = rendered.location(index)
    return location.line or 0 if location else 0


def _cell_identity(cell) -> str:
    # Only a tag that changes how the cell runs belongs in the key; hide-* tags change the page alone.
    return json.dumps([cell.source, "raises-exception" in cell.metadata.get("tags", [])])


def with_outputs(rendered: nbformat.NotebookNode, cached: nbformat.NotebookNode) -> nbformat.NotebookNode:
    """The freshly rendered notebook (its prose may be newer) with the cached code cells' results: a new notebook
    that shares the rendered one's Markdown cells."""
    cached_code = iter([c for c in cached.cells if c.cell_type == "code"])
    cells = []
    for cell in rendered.cells:
        if cell.cell_type == "code" and (old := next(cached_code, None)) is not None:
            metadata = {**cell.metadata, **({"lessonbuild": old.metadata["lessonbuild"]} if "lessonbuild" in old.metadata else {})}
            cell = nbformat.NotebookNode({**cell, "outputs": old.outputs, "execution_count": old.execution_count,
                                          "metadata": nbformat.NotebookNode(metadata)})
        cells.append(cell)
    lessonbuild = nbformat.NotebookNode({**rendered.metadata["lessonbuild"], "execution": cached.metadata["lessonbuild"]["execution"]})
    metadata = nbformat.NotebookNode({**rendered.metadata, "lessonbuild": lessonbuild,
                                      "language_info": cached.metadata.get("language_info", rendered.metadata.get("language_info"))})
    return nbformat.NotebookNode({**rendered, "cells": cells, "metadata": metadata})


def _helper_modules(sources: list[str], course_folder: Path) -> list[Path]:
    """The course's own modules that the code imports, directly or through each other."""
    files: set[Path] = set()
    seen: set[str] = set()
    pending = [name for source in sources for name, _ in imported_modules(source)]
    while pending:
        name = pending.pop()
        if name in seen:
            continue
        seen.add(name)
        for path in _module_files(name, course_folder):
            files.add(path)
            pending.extend(name for name, _ in imported_modules(path.read_text(encoding="utf-8", errors="replace")))
    return sorted(files)


def _module_files(name: str, course_folder: Path) -> list[Path]:
    module = course_folder / f"{name}.py"
    if module.is_file():
        return [module]
    package = course_folder / name
    if (package / "__init__.py").is_file():
        return python_files(package)
    return []


def changed_distributions(recorded: dict[str, str], python: str) -> str:
    """How the distributions a lesson imported (name: version, as its run recorded them), and Python, differ from
    what is installed now: "numpy 2.4.6 -> 2.5.0, Python 3.11.7 -> 3.12.1"; empty when nothing does."""
    changes = []
    for name, version in sorted(recorded.items()):
        identity = package_identity(name, version)
        if identity is None:
            continue  # a device-only package: a GPU runner's cache serves a CPU build
        family = identity.partition("==")[0]
        if (now := installed_version(family)) != version:
            changes.append(f"{family} {version} -> {now or 'not installed'}")
    if python != platform.python_version():
        changes.append(f"Python {python} -> {platform.python_version()}")
    return ", ".join(changes)


@cache
def installed_version(family: str) -> str | None:
    """The installed version of a distribution by the name it counts as (TensorFlow's CPU and GPU builds as one).

    Looked up by name, once per build: reading every installed distribution's metadata would cost more than
    the rest of a lookup."""
    for name in [family, *(variant for variant, same in DEVICE_VARIANTS.items() if same == family)]:
        try:
            return metadata.version(name)
        except metadata.PackageNotFoundError:
            continue
    return None


@cache
def environment_digest() -> str:
    """Python's version and every installed distribution's, with device-only packages left out."""
    packages = {package_identity(d.metadata["Name"] or "", d.version) for d in metadata.distributions()}
    packages.discard(None)
    return _digest(json.dumps([platform.python_implementation(), platform.python_version(), sorted(packages)]))


def package_identity(name: str, version: str) -> str | None:
    """How a distribution counts in the environment: None where it only serves one kind of device."""
    name = re.sub(r"[-_.]+", "-", name).lower()  # PEP 503: how the installers compare names
    if not name or name.startswith(DEVICE_ONLY_PREFIXES):
        return None
    return f"{DEVICE_VARIANTS.get(name, name)}=={version}"


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()

"""The values that flow between the stages: read -> render -> execute -> publish -> site."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import nbformat


@dataclass(frozen=True)
class Cell:
    """One cell of a lesson source, with the source-file line of each of its lines."""

    kind: str  # "markdown", "code" or "raw"
    source: str
    lines: tuple[int, ...]
    tags: tuple[str, ...] = ()
    metadata: dict[str, Any] = field(default_factory=dict)

    @property
    def line(self) -> int:
        return self.lines[0]


@dataclass(frozen=True)
class Lesson:
    slug: str  # the file name without .md, e.g. "03-maximum-pooling"
    path: Path  # relative to the project root
    front_matter: dict[str, Any]
    cells: tuple[Cell, ...]

    @property
    def title(self) -> str:
        return self.front_matter["title"]

    @property
    def description(self) -> str:
        return self.front_matter.get("description", "")


@dataclass(frozen=True)
class Course:
    slug: str  # the folder name under lessons/
    path: Path  # the folder, relative to the project root
    title: str
    description: str
    lessons: tuple[Lesson, ...]


@dataclass
class RenderedLesson:
    """A lesson as an nbformat 4 notebook, and where each notebook cell's lines came from."""

    course: Course
    lesson: Lesson
    notebook: nbformat.NotebookNode
    # For each notebook cell, the (path, line) of each of its source lines; None for template cells.
    cell_origins: list[tuple[Path, tuple[int, ...]] | None]
    # The data files its cells named through data_path(), relative to the project root.
    data_files: tuple[Path, ...] = ()


@dataclass
class ExecutedLesson:
    rendered: RenderedLesson
    notebook: nbformat.NotebookNode  # with outputs and execution metadata
    seconds: float
    device: str
    ran: bool = True  # False: not executed (--no-execute); the notebook has no outputs


@dataclass(frozen=True)
class Page:
    """A Markdown page written into the site's docs folder."""

    title: str
    path: str  # relative to the docs folder, POSIX
    children: tuple["Page", ...] = ()

"""The values that flow between the stages: read -> render -> execute -> publish -> site."""
from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from lessonbuild.book import TocEntry
from lessonbuild.errors import SourceLocation

if TYPE_CHECKING:
    import nbformat

    from lessonbuild.errors import SourceWarning


CellKind = Literal["markdown", "code", "raw"]
Role = Literal["tutorial", "exercise"]  # a lesson is read where it is, or an exercise worked in
RenderTarget = Literal["site", "kaggle"]  # what a lesson is rendered for: the site's pages, or Kaggle's kernels


@dataclass(frozen=True)
class Cell:
    """One cell of a lesson source, with the source-file line of each of its lines."""

    kind: CellKind
    source: str
    lines: tuple[int, ...]
    tags: tuple[str, ...] = ()
    metadata: dict[str, Any] = field(default_factory=dict)
    outputs: tuple[dict[str, Any], ...] = ()  # a notebook page's stored outputs: shown where it is not executed
    execution_count: int | None = None

    @property
    def line(self) -> int:
        return self.lines[0]

    def source_line(self, line_in_cell: int | None) -> int:
        """The source-file line of a line of the cell (from 1); the cell's first line where none is known."""
        return _line_of(self.lines, line_in_cell)


def _line_of(lines: tuple[int, ...], line_in_cell: int | None) -> int:
    if line_in_cell is None or not 1 <= line_in_cell <= len(lines):
        return lines[0]
    return lines[line_in_cell - 1]


KAGGLE = "https://www.kaggle.com"
# The tags that hide part of a cell, and the metadata flags that say the same on Kaggle. Kaggle has no way to
# leave a cell out: a removed cell still runs there, so it is folded away instead.
KAGGLE_HIDE_INPUT, KAGGLE_HIDE_OUTPUT = "_kg_hide-input", "_kg_hide-output"
KAGGLE_HIDING: dict[str, tuple[str, ...]] = {
    "hide-input": (KAGGLE_HIDE_INPUT,),
    "remove-input": (KAGGLE_HIDE_INPUT,),
    "hide-output": (KAGGLE_HIDE_OUTPUT,),
    "remove-output": (KAGGLE_HIDE_OUTPUT,),
    "hide-cell": (KAGGLE_HIDE_INPUT, KAGGLE_HIDE_OUTPUT),
    "remove-cell": (KAGGLE_HIDE_INPUT, KAGGLE_HIDE_OUTPUT),
}


@dataclass(frozen=True)
class KaggleKernel:
    """What Kaggle needs to know of one notebook: its kernel, and how that kernel runs."""

    slug: str  # "owner/name", the kernel's address on Kaggle
    title: str  # Kaggle derives the slug of a new kernel from this, and allows 50 characters
    id: int | None  # the numeric id of a kernel that exists; the forking link needs it
    settings: dict[str, Any]  # enable_gpu, enable_internet, is_private and the *_sources lists

    @property
    def url(self) -> str:
        return f"{KAGGLE}/code/{self.slug}"

    @property
    def forking_url(self) -> str:
        """Where a learner gets an editable copy: the fork link, or the kernel's page (it has "Copy & Edit")."""
        return f"{KAGGLE}/kernels/fork/{self.id}" if self.id is not None else self.url


@dataclass(frozen=True)
class Lesson:
    """One notebook of a course: the tutorial of a lesson, or its exercise."""

    slug: str  # the file name without .md, e.g. "03-maximum-pooling"
    path: Path  # relative to the project root
    front_matter: dict[str, Any]
    cells: tuple[Cell, ...]
    role: Role = "tutorial"
    number: int = 1  # the lesson's place in its course, from 1; a tutorial and its exercise share it
    kernel: KaggleKernel | None = None  # None when the course file has no kaggle settings
    readable: bool = True  # False: a stand-in for a lesson whose file has problems, so links to it still resolve
    executes: bool = True  # False: published as it is, with a notebook's stored outputs (a book's execute settings)

    @property
    def title(self) -> str:
        return self.front_matter["title"]

    @property
    def description(self) -> str:
        return self.front_matter.get("description", "")

    @property
    def short_title(self) -> str:
        """What the navigation calls the lesson: MyST's `short_title`, or its title."""
        return str(self.front_matter.get("short_title") or self.title)

    @property
    def byline(self) -> str:
        """Who wrote the lesson and when, from MyST's `author`/`authors` and `date`: "A. Author, B. Author · 2024-05-01"."""
        people = self.front_matter.get("authors", self.front_matter.get("author", []))
        names = [p.get("name", "") if isinstance(p, dict) else str(p) for p in (people if isinstance(people, list) else [people])]
        parts = [", ".join(name for name in names if name), str(self.front_matter.get("date") or "")]
        return " · ".join(part for part in parts if part)


@dataclass(frozen=True)
class Unit:
    """A lesson as its course file lists it: a tutorial, an exercise, or both."""

    number: int  # from 1
    topic: str  # what the lesson is about, for link texts ("Maximum Pooling")
    tutorial: Lesson | None
    exercise: Lesson | None

    @property
    def first(self) -> Lesson:
        first = self.tutorial or self.exercise
        if first is None:  # the build makes a unit only of a lesson with a tutorial, an exercise or both
            raise ValueError(f"lesson {self.number} ({self.topic}) has neither a tutorial nor an exercise")
        return first


@dataclass(frozen=True)
class Course:
    slug: str  # the folder name under lessons/
    path: Path  # the folder, relative to the project root
    title: str
    description: str
    lessons: tuple[Lesson, ...]  # every notebook in course order: each tutorial, then its exercise
    units: tuple[Unit, ...] = ()
    kaggle: dict[str, Any] | None = None  # the course file's kaggle settings (owner, course_url, ...)
    toc: tuple[TocEntry, ...] = ()  # a book's table of contents, which its navigation follows (a course lists units)

    @property
    def site_folder(self) -> str:
        """Where the course's pages are in the site: its own folder; a book's pages are the site's own, so that
        what they name relative to their folders resolves as in the book."""
        return "" if self.toc else self.slug

    def unit(self, number: int) -> Unit | None:
        return next((unit for unit in self.units if unit.number == number), None)


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
    # The files its prose shows (images), relative to lessons/: the site serves them beside the pages.
    assets: tuple[Path, ...] = ()
    # What an author should look at that does not stop the build (a link to a page that is no lesson).
    warnings: tuple[SourceWarning, ...] = ()

    @property
    def name(self) -> str:
        """course/slug: how the build names the lesson in its lines, and the key of its results."""
        return f"{self.course.slug}/{self.lesson.slug}"

    @property
    def known_as(self) -> frozenset[str]:
        """The names a command line may give the lesson by (--force): course/slug, or its slug alone."""
        return frozenset((self.name, self.lesson.slug))

    def location(self, index: int, line_in_cell: int | None = None) -> SourceLocation | None:
        """Where a line of notebook cell `index` is in the lesson source (its first line where `line_in_cell` is
        None or unknown); None for a cell the templates added, which has no lesson line."""
        origin = self.cell_origins[index]
        if origin is None:
            return None
        path, lines = origin
        return SourceLocation(Path(path), _line_of(lines, line_in_cell))

    @cached_property
    def digest(self) -> str:
        """The SHA-256 of the rendered notebook, taken once: the site and its pages are keyed by it."""
        return hashlib.sha256(json.dumps(self.notebook, sort_keys=True).encode()).hexdigest()


class ExecutedLesson:
    """A rendered lesson with its outputs and execution metadata.

    The notebook may be given as a function that makes it: a lesson served by the cache is read
    from its entry only when a stage looks at its notebook, so an unchanged page costs no read.
    `outputs` names the outputs without loading them (the cache key they came from), for the
    stages that only need to know whether they changed.
    """

    def __init__(self, rendered: RenderedLesson, notebook: nbformat.NotebookNode | Callable[[], nbformat.NotebookNode],
                 seconds: float, device: str, ran: bool = True, outputs: str = "", written: tuple[str, ...] = ()):
        self.rendered, self.seconds, self.device, self.ran = rendered, seconds, device, ran
        self.outputs = outputs
        self.written = written  # what the run wrote in its working folder (a run of this build only)
        self._notebook = notebook

    @classmethod
    def unexecuted(cls, rendered: RenderedLesson) -> ExecutedLesson:
        """The lesson as rendered, without outputs: what `--no-execute`, the kaggle target and a template's trial
        publish."""
        return cls(rendered, rendered.notebook, 0.0, "", ran=False)

    @property
    def notebook(self) -> nbformat.NotebookNode:
        if callable(self._notebook):
            self._notebook = self._notebook()
        return self._notebook

    def with_notebook(self, change: Callable[[nbformat.NotebookNode], nbformat.NotebookNode], outputs: str) -> ExecutedLesson:
        """The same run with its notebook changed by `change` when it is looked at; `outputs` names the result."""
        return ExecutedLesson(self.rendered, lambda: change(self.notebook), self.seconds, self.device, self.ran, outputs,
                              self.written)

    def recorded(self, outputs: str = "", written: tuple[str, ...] | None = None) -> ExecutedLesson:
        """The same run, its outputs named (once the cache keeps them) or what it wrote recorded."""
        return ExecutedLesson(self.rendered, self._notebook, self.seconds, self.device, self.ran,
                              outputs or self.outputs, self.written if written is None else written)


@dataclass(frozen=True)
class Page:
    """A Markdown page written into the site's docs folder."""

    title: str
    path: str  # relative to the docs folder, POSIX; "" for a group of pages that has no page of its own
    children: tuple[Page, ...] = ()
    source: str = ""  # the lesson source it is made from (relative to the project), for the site engine's complaints

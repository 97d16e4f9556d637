"""`build.py import`: existing lessons into MyST Markdown lesson sources.

Two kinds of source: Jupyter notebooks (.ipynb; cells, tags and metadata kept, outputs
dropped) and the flattened text export of a notebook, where `In [...]:` opens a code cell
and `<!--TITLE: ...-->` names the lesson. Where a flattened code cell ends is decided with
Python's own parser: the cell takes the blank-line-separated blocks after the marker for as
long as they still parse together, and ends with the last block that holds code (so a
Markdown heading, which parses as a comment, is not swallowed).
"""
from __future__ import annotations

import ast
import io
import json
import re
import tokenize
from dataclasses import dataclass, field
from pathlib import Path

import nbformat
import yaml

from .errors import SourceError, UsageError
from .fsutil import write_atomic
from .project import Project
from .scaffold import course_file, list_lessons, next_slug

INPUT_MARKER = re.compile(r"^In \[[^\]]*\]:\s*$")
TITLE_MARKER = re.compile(r"^<!--\s*TITLE:\s*(?P<title>.*?)\s*-->\s*$")


@dataclass
class ImportedCell:
    kind: str  # "markdown", "code" or "raw"
    source: str
    metadata: dict = field(default_factory=dict)


@dataclass
class ImportedLesson:
    title: str
    cells: list[ImportedCell]


def import_lessons(sources: list[Path], course: str, project: Project) -> list[Path]:
    """Write each source as a lesson of `course` (created if need be), listed in its course.yml."""
    folder, meta = course_file(project, course)
    written = []
    for source in sources:
        lesson = _read_source(source, project)
        path = folder / f"{next_slug(meta['lessons'] + [p.stem for p in written], lesson.title)}.md"
        if path.exists():
            raise UsageError(f"{project.relative(path).as_posix()} exists already; remove it to import again")
        write_atomic(path, to_myst(lesson))
        written.append(path)
    list_lessons(folder, meta, [path.stem for path in written])
    return written


def _read_source(source: Path, project: Project) -> ImportedLesson:
    if not source.is_file():
        raise UsageError(f"{source}: no such file")
    text = source.read_text(encoding="utf-8")
    if source.suffix == ".ipynb":
        return _from_notebook(text, source)
    return from_flattened_export(text, project.relative(source))


def from_flattened_export(text: str, path: Path) -> ImportedLesson:
    lines = text.splitlines()
    title = path.stem
    cells, prose = [], []
    index = 0
    while index < len(lines):
        line = lines[index]
        if match := TITLE_MARKER.match(line):
            title = match["title"]
            index += 1
        elif INPUT_MARKER.match(line):
            cells += _markdown(prose)
            prose = []
            code, index = _code_after_marker(lines, index + 1, path)
            cells.append(ImportedCell("code", code))
        else:
            prose.append(line)
            index += 1
    cells += _markdown(prose)
    return ImportedLesson(title=title, cells=cells)


def _code_after_marker(lines: list[str], start: int, path: Path) -> tuple[str, int]:
    """The code cell that starts at `start`, and the index of the first line after it."""
    stop = next((i for i in range(start, len(lines)) if INPUT_MARKER.match(lines[i])), len(lines))
    blocks = _blocks(lines, start, stop)
    taken = None
    for count in range(1, len(blocks) + 1):
        source = "\n".join(lines[blocks[0][0] : blocks[count - 1][1]])
        if not _parses(source):
            break
        if _has_code(lines[blocks[count - 1][0] : blocks[count - 1][1]]):
            taken = count
    if taken is None:
        raise SourceError(path, start, "no Python code after this 'In [ ]:' marker")
    end = blocks[taken - 1][1]
    return "\n".join(lines[blocks[0][0] : end]), end


def _blocks(lines: list[str], start: int, stop: int) -> list[tuple[int, int]]:
    """(first, after last) line of each run of non-blank lines."""
    blocks, first = [], None
    for index in range(start, stop):
        if lines[index].strip() and first is None:
            first = index
        elif not lines[index].strip() and first is not None:
            blocks.append((first, index))
            first = None
    if first is not None:
        blocks.append((first, stop))
    return blocks


def _parses(source: str) -> bool:
    python = "\n".join("pass" if line.lstrip().startswith(("%", "!")) else line for line in source.splitlines())
    try:
        ast.parse(python)
    except SyntaxError:
        return False
    return True


def _has_code(block: list[str]) -> bool:
    """True when a block holds more than comments (a Markdown heading parses as a comment)."""
    ignored = {tokenize.COMMENT, tokenize.NL, tokenize.NEWLINE, tokenize.ENDMARKER, tokenize.INDENT, tokenize.DEDENT}
    text = "\n".join("pass" if line.lstrip().startswith(("%", "!")) else line for line in block) + "\n"
    try:
        return any(token.type not in ignored for token in tokenize.generate_tokens(io.StringIO(text).readline))
    except (tokenize.TokenError, SyntaxError):
        return True  # part of a larger statement: code


def _markdown(prose: list[str]) -> list[ImportedCell]:
    text = "\n".join(prose).strip("\n")
    return [ImportedCell("markdown", text)] if text.strip() else []


def _from_notebook(text: str, source: Path) -> ImportedLesson:
    try:
        notebook = nbformat.reads(text, as_version=4)
    except Exception as exc:  # nbformat raises several kinds for unreadable JSON
        raise UsageError(f"{source}: not a readable notebook ({exc})") from None
    cells = []
    for cell in notebook.cells:
        metadata = {k: v for k, v in cell.metadata.items() if k not in ("execution", "collapsed", "scrolled")}
        if cell.get("attachments"):
            metadata["attachments"] = cell.attachments
        cells.append(ImportedCell(cell.cell_type, cell.source, metadata))
    title = notebook.metadata.get("title") or _first_heading(cells) or source.stem
    return ImportedLesson(title=title, cells=cells)


def _first_heading(cells: list[ImportedCell]) -> str | None:
    for cell in cells:
        if cell.kind == "markdown":
            for line in cell.source.splitlines():
                if line.startswith("# "):
                    return line.strip("# ").strip()
    return None


def to_myst(lesson: ImportedLesson) -> str:
    """A lesson source: front matter, then Markdown, with code cells as ```{code-cell}``` fences."""
    front = yaml.safe_dump({"title": lesson.title}, sort_keys=False, allow_unicode=True)
    parts = [f"---\n{front}---\n"]
    previous = None
    for cell in lesson.cells:
        if cell.kind == "markdown":
            metadata = f" {json.dumps(cell.metadata, sort_keys=True)}" if cell.metadata else ""
            if previous == "markdown" or metadata:
                parts.append(f"+++{metadata}\n")
            parts.append(f"{cell.source}\n")
        else:
            parts.append(_fence(cell))
        previous = cell.kind
    return "\n".join(parts)


def _fence(cell: ImportedCell) -> str:
    directive = "{code-cell} ipython3" if cell.kind == "code" else "{raw-cell}"
    fence = "```"
    while fence in cell.source:
        fence += "`"
    options = dict(cell.metadata)
    if options:
        options_text = yaml.safe_dump(options, sort_keys=True, allow_unicode=True)
        return f"{fence}{directive}\n---\n{options_text}---\n{cell.source}\n{fence}\n"
    return f"{fence}{directive}\n{cell.source}\n{fence}\n"

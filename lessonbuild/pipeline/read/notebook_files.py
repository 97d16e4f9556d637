"""A Jupyter notebook (.ipynb) as a lesson, where a book has its pages as notebooks: its cells, tags, metadata and
stored outputs, each line of each cell at its own line of the notebook's JSON, so that a problem in a notebook
is `page.ipynb:line` as it is in a MyST file (an editor opens the JSON at that line)."""
from __future__ import annotations

import bisect
import json
import re
import warnings
from dataclasses import replace
from pathlib import Path
from typing import Any

import nbformat
from nbformat.warnings import MissingIDFieldWarning

from lessonbuild.errors import SourceError
from lessonbuild.model import Cell, Lesson
from lessonbuild.myst.syntax import mystnb_tags
from lessonbuild.pipeline.read.lessons import source_text
from lessonbuild.yamldoc import load_yaml

SOURCE_KEY = re.compile(r'"source"\s*:\s*')
FRONT_MATTER = re.compile(r"\A---\s*\n(?P<yaml>.*?)\n---\s*(\n|\Z)", re.DOTALL)
PYTHON_KERNEL = re.compile(r"^(python|ipython|conda-.*py|py)", re.IGNORECASE)


def read_notebook_file(path: Path, relative: Path, front_matter_schema: dict[str, Any]) -> tuple[Lesson, dict]:
    """The notebook's cells as a lesson's, and its front matter (a first raw cell of YAML between `---` lines, as
    MyST-NB reads it; its kernelspec where it names no Python kernel, for the kernel check)."""
    return read_notebook_text(source_text(path, relative), relative, front_matter_schema)


def read_notebook_text(text: str, relative: Path, front_matter_schema: dict[str, Any]) -> tuple[Lesson, dict]:
    """As read_notebook_file, of a notebook's JSON text."""
    notebook = _parse(text, relative)
    lines = _source_lines(text, [_source(cell) for cell in notebook.cells])
    cells, front_matter = [], {}
    for index, cell in enumerate(notebook.cells):
        source = _source(cell)
        if index == 0 and cell.cell_type == "raw" and (match := FRONT_MATTER.match(source)):
            front_matter = load_yaml(match["yaml"], relative, lines[index][0] + 1, front_matter_schema)
            continue
        if cell.cell_type == "markdown" and not source.strip():
            continue
        cells.append(_cell(cell, source, lines[index]))
    kernelspec = notebook.metadata.get("kernelspec") or {}
    if kernelspec.get("name") and not _is_python(kernelspec):
        front_matter.setdefault("kernelspec", {"name": str(kernelspec["name"])})
    lesson = Lesson(slug=relative.stem, path=relative, front_matter=front_matter, cells=tuple(cells))
    return lesson, dict(notebook.metadata)


JUPYTEXT_SUFFIXES = {".Rmd": "Rmd", ".py": "py:percent"}  # the notebook formats a book's toc may name by jupytext


def read_jupytext_file(path: Path, relative: Path, front_matter_schema: dict[str, Any]) -> tuple[Lesson, dict]:
    """A jupytext page (R Markdown, a percent script), read by jupytext itself; each cell line at the line of the
    file it was read from (jupytext keeps a cell's text, a script's Markdown behind its `# `)."""
    import jupytext

    text = source_text(path, relative)
    fmt = JUPYTEXT_SUFFIXES[path.suffix] if "# %%" in text or path.suffix != ".py" else "py:light"
    try:
        notebook = jupytext.reads(text, fmt=fmt)
    except Exception as exc:  # noqa: BLE001 - jupytext raises what its readers raise
        raise SourceError(relative, 1, f"jupytext cannot read it as a notebook: {exc}") from None
    as_json = nbformat.writes(notebook)
    lesson, metadata = read_notebook_text(as_json, relative, front_matter_schema)
    lines = _lines_in_script(text.splitlines(), [cell.source for cell in lesson.cells])
    cells = tuple(replace(cell, lines=tuple(found)) for cell, found in zip(lesson.cells, lines, strict=True))
    return replace(lesson, cells=cells), metadata


def _lines_in_script(file_lines: list[str], sources: list[str]) -> list[list[int]]:
    """For each cell, the file line of each of its lines, found in order (a line as written, or behind a `# `)."""
    shown = [re.sub(r"^#'? ?", "", line).strip() for line in file_lines]
    exact = [line.strip() for line in file_lines]
    position, found = 0, []
    for source in sources:
        lines, last = [], position + 1
        for line in source.split("\n"):
            wanted = line.strip()
            at = next((n for n in range(position, min(position + 200, len(file_lines)))
                       if wanted and wanted in (exact[n], shown[n])), None)
            if at is not None:
                position, last = at + 1, at + 1
            lines.append(last)
        found.append(lines)
    return found


def _parse(text: str, relative: Path) -> nbformat.NotebookNode:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise SourceError(relative, exc.lineno, f"not a notebook: invalid JSON ({exc.msg})") from None
    except RecursionError:  # JSON nested deeper than Python's stack: no notebook is
        raise SourceError(relative, 1, "not a notebook: its JSON is nested too deep to read") from None
    cells = data.get("cells") if isinstance(data, dict) else None
    if not isinstance(cells, list) or not all(isinstance(c, dict) and c.get("cell_type") in ("markdown", "code", "raw")
                                              and isinstance(c.get("source", ""), (str, list)) for c in cells):
        raise SourceError(relative, 1, "not a notebook: its cells are not markdown, code or raw cells")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", MissingIDFieldWarning)
            return nbformat.reads(text, as_version=4)
    except Exception as exc:  # noqa: BLE001 - nbformat raises several kinds for a file that is no notebook
        raise SourceError(relative, 1, f"not a notebook nbformat reads: {exc}") from None


def _source(cell: dict) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else str(source)


def _is_python(kernelspec: dict) -> bool:
    """A notebook's own kernel that is Python (`python3`, `conda-env-x-py`, "Python 3 (ipykernel)"): it runs in the
    project's kernel, as the name of an author's environment means nothing on another machine."""
    language = str(kernelspec.get("language", ""))
    return language.lower() == "python" or bool(PYTHON_KERNEL.match(str(kernelspec.get("name", ""))))


def _cell(cell: dict, source: str, lines: list[int]) -> Cell:
    metadata = {key: value for key, value in (cell.get("metadata") or {}).items() if key != "tags"}
    tags = cell.get("metadata", {}).get("tags") or []
    if cell.get("attachments"):
        metadata["attachments"] = cell["attachments"]  # as imported notebooks keep them
    tags = list(tags) + mystnb_tags(metadata.get("mystnb"))
    kind = cell["cell_type"]
    outputs = tuple(cell.get("outputs", ())) if kind == "code" else ()
    return Cell(kind=kind, source=source, lines=tuple(lines), tags=tuple(str(t) for t in tags),
                metadata=metadata, outputs=outputs, execution_count=cell.get("execution_count"))


def _source_lines(text: str, sources: list[str]) -> list[list[int]]:
    """For each cell, the JSON line of each line of its source. A `"source"` key found elsewhere (in metadata or
    an output) is passed over: only one whose value is the cell's source counts."""
    newlines = [match.start() for match in re.finditer("\n", text)]
    decoder = json.JSONDecoder()
    found, position = [], 0

    def line_at(offset: int) -> int:
        return bisect.bisect_left(newlines, offset) + 1

    for source in sources:
        lines = None
        while lines is None and (match := SOURCE_KEY.search(text, position)):
            position = match.end()
            try:
                value, end = decoder.raw_decode(text, position)
            except json.JSONDecodeError:
                continue
            if ("".join(value) if isinstance(value, list) else value) == source:
                lines, position = _element_lines(text, position, value, line_at, decoder), end
        found.append(lines or [line_at(position)] * (source.count("\n") + 1))
    return found


def _element_lines(text: str, start: int, value: Any, line_at, decoder: json.JSONDecoder) -> list[int]:
    """The line of each line of a source written as a JSON list of lines (nbformat's way) or as one string."""
    if not isinstance(value, list):
        return [line_at(start)] * (value.count("\n") + 1)
    lines, position, last = [], start + 1, line_at(start)
    for item in value:
        while text[position] in " \t\r\n,":
            position += 1
        last = line_at(position)
        lines += [last] * item.count("\n")
        _, position = decoder.raw_decode(text, position)
    return [*lines, last]

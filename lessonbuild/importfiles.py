"""What an imported lesson's code needs besides itself: the course's helper modules and data files.

A notebook written for Kaggle or for someone's own machine reads its data from an absolute
path (`/kaggle/input/...`, `/home/me/...`) and imports helper modules that sit beside it.
Imported into a course, such a path becomes `{{ data_path("name") }}` with the file copied
into the course's data/, and each helper module is copied into the course folder. Files are
looked for where the path says, beside the source, and in the project's other courses.
"""
from __future__ import annotations

import ast
import importlib.util
import io
import shutil
import sys
import tokenize
from pathlib import Path, PurePosixPath

from .project import Project
from .render import DATA_FOLDER

KAGGLE_INPUTS = ("/kaggle/input/", "../input/")  # where Kaggle kernels find their datasets


def adopt_files(lesson, source: Path, folder: Path, project: Project) -> list[str]:
    """Copy what the lesson's code cells use into the course `folder`; rewrite its data paths.

    Returns one line per file copied, and a `where: warning: ...` line for each thing not found.
    """
    notes = []
    for cell in lesson.cells:
        if cell.kind != "code":
            continue
        notes += _adopt_modules(cell, source, folder, project)
        cell.source, data_notes = _adopt_data(cell, source, folder, project)
        notes += data_notes
    return notes


def _adopt_modules(cell, source: Path, folder: Path, project: Project) -> list[str]:
    notes = []
    for name, line in _imported_modules(cell.source):
        if _is_available(name, folder):
            continue
        candidates = [source.parent / f"{name}.py", *sorted(project.lessons_dir.glob(f"*/{name}.py"))]
        found = next((path for path in candidates if path.is_file()), None)
        if found is None:
            notes.append(f"{_where(cell, line)}: warning: module '{name}' is neither installed nor found beside "
                         f"the source or in another course: put {name}.py in {project.relative(folder).as_posix()}/")
            continue
        shutil.copy2(found, folder / found.name)
        notes.append(f"copied {project.relative(found).as_posix()} to {project.relative(folder).as_posix()}/ (imported by the lesson)")
    return notes


def _imported_modules(code: str) -> list[tuple[str, int]]:
    """(top-level module, line in the cell) of each absolute import; nothing for code that does not parse."""
    try:
        tree = ast.parse(without_magics(code))
    except SyntaxError:
        return []
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(alias.name.split(".")[0], node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.module.split(".")[0], node.lineno))
    return list(dict.fromkeys(found))


def _is_available(name: str, folder: Path) -> bool:
    if name in sys.stdlib_module_names or (folder / f"{name}.py").is_file() or (folder / name).is_dir():
        return True
    return importlib.util.find_spec(name) is not None  # installed where the kernel runs: this environment


def _adopt_data(cell, source: Path, folder: Path, project: Project) -> tuple[str, list[str]]:
    """The cell with each string literal that names a data file turned into data_path(); notes."""
    lines = cell.source.split("\n")
    notes = []
    for row, start, end, path in reversed(_path_literals(cell.source)):
        name = PurePosixPath(path).name
        found = _find_data(path, name, source, folder, project)
        if found is None and not path.startswith(KAGGLE_INPUTS):
            notes.append(f"{_where(cell, row)}: warning: '{path}' is not in the project; left as it is")
            continue
        if found is None:
            notes.append(f"{_where(cell, row)}: warning: '{name}' not found: put it in {project.relative(folder).as_posix()}/{DATA_FOLDER}/")
        elif found != folder / DATA_FOLDER / name:
            (folder / DATA_FOLDER).mkdir(parents=True, exist_ok=True)
            shutil.copy2(found, folder / DATA_FOLDER / name)
            notes.append(f"copied {project.relative(found).as_posix()} to {project.relative(folder).as_posix()}/{DATA_FOLDER}/ (read by the lesson)")
        text = lines[row - 1]
        quote = text[start]
        lines[row - 1] = f'{text[:start]}{quote}{{{{ data_path("{name}") }}}}{quote}{text[end:]}'
    return "\n".join(lines), list(reversed(notes))


def _path_literals(code: str) -> list[tuple[int, int, int, str]]:
    """(line, start column, end column, value) of each plain string literal holding an absolute or Kaggle input path."""
    found = []
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(without_magics(code) + "\n").readline))
    except (tokenize.TokenError, SyntaxError):
        return []
    for token in tokens:
        if token.type != tokenize.STRING or token.start[0] != token.end[0] or token.string[0] not in "'\"":
            continue  # prefixed (f, b, r) and multi-line strings are not file names
        value = ast.literal_eval(token.string)
        if (value.startswith("/") or value.startswith(KAGGLE_INPUTS)) and "." in PurePosixPath(value).name:
            found.append((token.start[0], token.start[1], token.end[1], value))
    return found


def _find_data(path: str, name: str, source: Path, folder: Path, project: Project) -> Path | None:
    candidates = [folder / DATA_FOLDER / name, Path(path), source.parent / name, *sorted(source.parent.glob(f"*/{name}"))]
    candidates += sorted(project.lessons_dir.glob(f"*/{DATA_FOLDER}/**/{name}"))
    return next((candidate for candidate in candidates if candidate.is_file()), None)


def without_magics(code: str) -> str:
    """IPython's %magics and !commands as `pass`, so Python's own tools can read the rest (line numbers kept)."""
    return "\n".join("pass" if line.lstrip().startswith(("%", "!")) else line for line in code.split("\n"))


def _where(cell, line_in_cell: int) -> str:
    """`path:line` of a line of an imported cell; for a notebook, which has no lines, `path: cell N`."""
    path, _, line = cell.where.rpartition(":")
    if line.isdigit():
        return f"{path}:{int(line) + line_in_cell - 1}"
    return cell.where

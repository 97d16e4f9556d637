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
import os
import re
import shutil
import sys
import tokenize
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from lessonbuild.book import JB_TOC, MYST_CONFIG
from lessonbuild.errors import SourceLocation, SourceWarning
from lessonbuild.fsutil import inside
from lessonbuild.importers.book import is_book
from lessonbuild.myst.syntax import LINKED_PAGES, PROSE_IMAGE, RAW_LINK
from lessonbuild.project import DATA, Project
from lessonbuild.pycode import imported_modules, without_magics

if TYPE_CHECKING:
    from lessonbuild.importers.notebooks import ImportedCell

KAGGLE_INPUTS = ("/kaggle/input/", "../input/")  # where Kaggle kernels find their datasets


@dataclass
class Adopted:
    """What importing brought along: one line per file copied, and what it could not find."""

    shown: str  # the course folder as its author knows it (the files go to a staging copy of it first)
    copied: list[str] = field(default_factory=list)
    warnings: list[SourceWarning] = field(default_factory=list)


def adopt_files(lesson, source: Path, folder: Path, project: Project, adopted: Adopted) -> None:
    """Copy what the lesson's code cells use, and the images its prose shows, into the course `folder`; rewrite
    its data paths and image names where the copies' places differ.

    A MyST notebook is kept as its author wrote it: nothing in it is rewritten."""
    code = [cell for cell in lesson.cells if cell.kind == "code"]
    links = {link: target for cell in code for link, target in _links_made(cell.source).items()}
    for cell in code:
        _adopt_modules(cell, source, folder, project, adopted)
        cell.source = _adopt_data(cell, source, folder, project, adopted, links)
    for cell in lesson.cells:
        if cell.kind == "markdown":
            cell.source = _adopt_shown(cell, source, folder, adopted)


# A file the prose offers for download, by its name (a page's own source is a lesson, and notebooks.py relinks it),
# and one it includes.
DOWNLOAD = re.compile(r"\{download\}`(?:[^`<]*<)?(?P<file>[^`<>]+?)>?`")
INCLUDE = re.compile(r"^\s*(?:`{3,}|:{3,})\{(?:include|literalinclude)\}\s+(?P<file>\S+)", re.MULTILINE)
PAGE_SUFFIXES = (".md", ".ipynb", ".Rmd", ".myst", ".mystnb")


def _adopt_shown(cell, source: Path, folder: Path, adopted: Adopted) -> str:
    """The cell's Markdown with each image it shows, and each file it offers to download or links to, from beside the source
    copied into the course: at the same relative place, or without its `../` steps where it was above the notebook
    (`../images/x.png` is `images/x.png` beside the lesson), the Markdown naming the copy."""
    text = cell.source
    named = [(offset + match.start(group), offset + match.end(group), "image")
             for offset, line in _lines(text)  # a directive's image opens its line: PROSE_IMAGE reads lines
             for match in PROSE_IMAGE.finditer(line) for group in ("md", "html", "directive") if match[group]]
    named += [(match.start("file"), match.end("file"), "file") for match in DOWNLOAD.finditer(text)
              if "://" not in match["file"] and not match["file"].endswith(PAGE_SUFFIXES)]
    named += [(match.start("file"), match.end("file"), "file") for match in INCLUDE.finditer(text)]
    named += [(match.start("href"), match.end("href"), "file") for match in RAW_LINK.finditer(text)  # a file's, not a page's
              if not match["href"].lower().endswith(LINKED_PAGES) and (source.parent / match["href"].split("#")[0]).is_file()]
    for start, end, kind in sorted(named, reverse=True):
        name = text[start:end].split("#")[0].split("?")[0]
        if name.startswith("/") and not is_book(source_root(source.parent)):
            continue  # an address on the site's host
        shown = _adopt_file(name, kind, cell.where, source, folder, adopted)
        if shown != name:
            text = text[:start] + shown + text[end:]
    return text


def _lines(text: str) -> list[tuple[int, str]]:
    """Each line of the text, with the offset it starts at."""
    offsets = [0, *(index + 1 for index, character in enumerate(text) if character == "\n")]
    return list(zip(offsets, text.split("\n"), strict=True))


def _adopt_file(name: str, kind: str, where: SourceLocation, source: Path, folder: Path, adopted: Adopted) -> str:
    """The file (or every format of `fish.*`) copied into the course; the name the lesson gives the copy. A book's
    `/images/x.png` is its root's, as Sphinx reads it."""
    base = source_root(source.parent) if name.startswith("/") else source.parent
    name = name.lstrip("/")
    shown = _beside(name)
    files = _image_files(base, name)
    if not files and not (folder / shown).exists():
        adopted.warnings.append(SourceWarning(where, f"{kind} '{name}' not found beside {source.name}: put it "
                                              f"in {adopted.shown}/{shown}"))
    for found in files:
        target = folder / PurePosixPath(shown).parent / found.name  # each format of `fish.*` beside the others
        if not target.exists():
            _copy(found, target)
            why = "shown by the lesson" if kind == "image" else "offered by the lesson"
            adopted.copied.append(f"copied {found} to {adopted.shown}/{target.relative_to(folder).as_posix()} ({why})")
    return shown


def _image_files(base: Path, name: str) -> list[Path]:
    """The files an image's name stands for beside the notebook: the file, or every format of `fish.*`."""
    if name.endswith(".*"):
        root = source_root(base)
        pattern = PurePosixPath(name)  # globbed in its own folder: a pattern may not climb (`../images/fish.*`)
        return sorted(p.resolve() for p in (base / pattern.parent).resolve().glob(pattern.name) if p.is_file() and inside(p, root))
    file = base / name
    hidden = any(part.startswith(".") and part not in (".", "..") for part in PurePosixPath(name).parts)
    return [file.resolve()] if file.is_file() and not hidden and inside(file, source_root(base)) else []


def source_root(folder: Path) -> Path:
    """What a notebook in `folder` may take files from: its book or its repository (the nearest folder above it
    that holds a book's toc or .git), else the folder itself. A name that climbs out of it
    (`../../../etc/passwd`) is no file of the notebook's."""
    folder = folder.resolve()
    return next((parent for parent in (folder, *folder.parents)
                 if any((parent / name).exists() for name in (".git", JB_TOC, MYST_CONFIG))), folder)


def _beside(name: str) -> str:
    """A relative name without the `..` steps that climb out of the notebook's folder."""
    return PurePosixPath(*[part for part in PurePosixPath(os.path.normpath(name)).parts if part != ".."]).as_posix()


def _adopt_modules(cell, source: Path, folder: Path, project: Project, adopted: Adopted) -> None:
    for name, line in imported_modules(cell.source):
        if _is_available(name, folder):
            continue
        candidates = [source.parent / f"{name}.py", *sorted(project.lessons_dir.glob(f"*/{name}.py"))]
        found = next((path for path in candidates if path.is_file()), None)
        if found is None:
            adopted.warnings.append(SourceWarning(_where(cell, line), f"module '{name}' is neither installed nor found "
                                    f"beside the source or in another course: put {name}.py in {adopted.shown}/"))
            continue
        shutil.copy2(found, folder / found.name)
        adopted.copied.append(f"copied {project.relative(found).as_posix()} to {adopted.shown}/ (imported by the lesson)")


def _is_available(name: str, folder: Path) -> bool:
    if name in sys.stdlib_module_names or (folder / f"{name}.py").is_file() or (folder / name).is_dir():
        return True
    return importlib.util.find_spec(name) is not None  # installed where the kernel runs: this environment


def _adopt_data(cell, source: Path, folder: Path, project: Project, adopted: Adopted, links: dict[str, str]) -> str:
    """The cell with each string literal that names a data file or folder turned into data_path().

    A Kaggle input keeps its place under the inputs (`../input/wine-reviews/x.csv` is
    `data_path("wine-reviews/x.csv")`), so two datasets' files of one name stay two files and
    data/ mirrors what a Kaggle kernel sees; another absolute path keeps its file's name.
    """
    lines = cell.source.split("\n")
    copied: list[str] = []
    warnings: list[SourceWarning] = []
    for row, start, end, path in reversed(_path_literals(cell.source, source.parent)):
        relative = _relative_data(path, source.parent)
        if relative is not None:
            lines[row - 1] = _adopt_beside(lines[row - 1], (start, end), relative, folder, adopted.shown, copied)
            continue
        path = links.get(path, path)  # a link the lesson makes to a dataset's file reads that file
        name = _data_name(path)
        found = _find_data(path, name, source, folder, project)
        target = folder / DATA / name
        if found is None and not path.startswith(KAGGLE_INPUTS):
            warnings.append(SourceWarning(_where(cell, row), f"'{path}' is not in the project; left as it is"))
            continue
        if found is None:
            warnings.append(SourceWarning(_where(cell, row), f"'{name}' not found: put it in {adopted.shown}/{DATA}/"))
        elif found != target and target.exists() and not _same_content(found, target):
            message = f"'{path}': another file is {adopted.shown}/{DATA}/{name} already; left as it is"
            warnings.append(SourceWarning(_where(cell, row), message))
            continue
        elif found != target:
            _copy(found, target)
            copied.append(f"copied {project.relative(found).as_posix()} to {adopted.shown}/{DATA}/{name} (read by the lesson)")
        text = lines[row - 1]
        quote = text[start]
        lines[row - 1] = f'{text[:start]}{quote}{{{{ data_path("{name}") }}}}{quote}{text[end:]}'
    adopted.copied += reversed(copied)  # found last to first: each replacement leaves earlier columns in place
    adopted.warnings += reversed(warnings)
    return "\n".join(lines)


def _adopt_beside(text: str, span: tuple[int, int], relative: tuple[Path, str], folder: Path, shown: str,
                  copied: list[str]) -> str:
    """A file beside the notebook, copied into data/, and the line naming it by data_path (so that the execution
    cache follows it): `"data/x.csv"` and `"../data/x.csv"` are `data_path("x.csv")`."""
    found, name = relative
    target = folder / DATA / name
    if not target.exists():
        _copy(found, target)
        copied.append(f"copied {found} to {shown}/{DATA}/{name} (read by the lesson)")
    start, end = span
    return f'{text[:start]}{text[start]}{{{{ data_path("{name}") }}}}{text[start]}{text[end:]}'


def _relative_data(path: str, base: Path) -> tuple[Path, str] | None:
    """A relative name of a file or folder beside the notebook (`data/x.csv`, `../data/y.csv`, `figures/`): where it
    is, and its name under the course's data/ (its `..` steps and a leading data/ taken away); None for anything
    else, a folder that holds notebooks (the notebook's own) included."""
    if path.startswith(("/", "~")) or "://" in path or "\n" in path or not 0 < len(path) < 256 or path.startswith(KAGGLE_INPUTS):
        return None
    try:
        found = (base / path).resolve()
        exists = found.exists() and inside(found, source_root(base)) is not None
    except (OSError, ValueError):
        return None
    name = _beside(path).removeprefix(f"{DATA}/")
    if not exists or name in ("", ".", DATA) or any(part.startswith(".") for part in PurePosixPath(name).parts):
        return None
    if found.is_dir() and (base.resolve().is_relative_to(found) or any(found.rglob("*.ipynb"))):
        return None
    return found, name + ("/" if path.endswith("/") else "")


def _path_literals(code: str, base: Path | None = None) -> list[tuple[int, int, int, str]]:
    """(line, start column, end column, value) of each plain string literal holding an absolute or Kaggle input path,
    or (with `base`, the notebook's folder) the relative name of a file or folder there."""
    found = []
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(without_magics(code) + "\n").readline))
    except (tokenize.TokenError, SyntaxError):
        return []
    made = _paths_the_code_makes(code)
    for token in tokens:
        if token.type != tokenize.STRING or token.start[0] != token.end[0] or token.string[0] not in "'\"":
            continue  # prefixed (f, b, r) and multi-line strings are not file names
        if token.start in made:
            continue
        value = ast.literal_eval(token.string)
        kaggle = value.startswith(KAGGLE_INPUTS) and _data_name(value)
        beside = base is not None and _relative_data(value, base) is not None
        if kaggle or beside or (value.startswith("/") and "." in PurePosixPath(value).name):
            found.append((token.start[0], token.start[1], token.end[1], value))
    return found


def _paths_the_code_makes(code: str) -> set[tuple[int, int]]:
    """(line, column) of the literals naming a link the code makes, and of the checks whether it is there yet.

    learntools' exercises link a dataset's file to where its checking code looks
    (`os.symlink("../input/set/train.csv", "../input/train.csv")`): that place is no data of the
    lesson's, and stays as it is written.
    """
    made = set()
    for _, argument, _ in _calls(code, ("symlink", "exists")):
        made.add((argument.lineno, argument.col_offset))
    return made


def _links_made(code: str) -> dict[str, str]:
    """The links the code makes with os.symlink(target, link), as {link: target}."""
    return {link: node.args[0].value for node, _, link in _calls(code, ("symlink",))
            if isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)}


def _calls(code: str, methods: tuple[str, ...]) -> list[tuple[ast.Call, ast.Constant, str]]:
    """The calls of `module.method(...)` for these methods whose argument of interest is a string literal.

    Each comes with that argument, and the string it holds."""
    try:
        tree = ast.parse(without_magics(code))
    except SyntaxError:
        return []
    calls = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr in methods:
            index = 1 if node.func.attr == "symlink" else 0
            argument = node.args[index] if len(node.args) > index else None
            if isinstance(argument, ast.Constant) and isinstance(argument.value, str):
                calls.append((node, argument, argument.value))
    return calls


def _data_name(path: str) -> str:
    """The path of a data file or folder under the course's data/."""
    for prefix in KAGGLE_INPUTS:
        if path.startswith(prefix):
            rest = PurePosixPath(path[len(prefix):].strip("/")).as_posix().removeprefix(".")
            return rest + "/" if rest and path.endswith("/") else rest  # code may add a file's name to a folder's
    return PurePosixPath(path).name


def _find_data(path: str, name: str, source: Path, folder: Path, project: Project) -> Path | None:
    """Where the data is: in the course already, at the path itself, beside the source, or in another course.

    A Kaggle input is looked for under its own dataset's name in other courses; another path by
    its file's name anywhere in their data/, as the source says nothing more of it.
    """
    base = PurePosixPath(name).name
    # The path itself only where it lies in the notebook's own repository: a stranger's notebook that names
    # `/root/.ssh/id_rsa.pub` must not have it copied into the course, and published.
    own = [Path(path)] if inside(Path(path), source_root(source.parent)) else []
    candidates = [folder / DATA / name, *own, source.parent / name, source.parent / base,
                  *sorted(source.parent.glob(f"*/{base}")), *sorted(project.lessons_dir.glob(f"*/{DATA}/{name}"))]
    if not path.startswith(KAGGLE_INPUTS):
        candidates += sorted(project.lessons_dir.glob(f"*/{DATA}/**/{base}"))
    return next((candidate for candidate in candidates if candidate.exists() and not candidate.is_symlink()), None)


def _copy(found: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    if found.is_dir():
        shutil.copytree(found, target, dirs_exist_ok=True)
    else:
        shutil.copy2(found, target)


def _same_content(one: Path, other: Path) -> bool:
    return one.is_file() and other.is_file() and one.read_bytes() == other.read_bytes()


def _where(cell: ImportedCell, line_in_cell: int) -> SourceLocation:
    """Where a line of an imported cell is; for a notebook, which has no lines, its cell."""
    return cell.where.moved(line_in_cell - 1)

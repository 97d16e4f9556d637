"""`lessonbuild init DIR`: a new project that builds at once, with a sample course and no TensorFlow needed.

It writes the sample course, mkdocs.yml (the packaged site settings), pyproject.toml with the
[tool.lessonbuild] settings at their defaults, a .gitignore, a GitHub Actions workflow and the
requirements CI installs. Where any of those exist already, or the folder holds lessons, it
refuses and writes nothing.
"""
from __future__ import annotations

import argparse
import json
from pathlib import Path

from lessonbuild.errors import UsageError
from lessonbuild.fsutil import walk_files, write_atomic
from lessonbuild.project import (
    DEFAULT_MKDOCS,
    LESSONS,
    MKDOCS_FILE,
    PACKAGE,
    PYPROJECT,
    SETTINGS,
    SETTINGS_TABLE,
)

HELP = "start a new lesson project in DIR (default: the current folder), with a sample course"
NEEDS_PROJECT = False
EXECUTES = False
SKELETON = PACKAGE / "defaults" / "project"
DOT_PREFIX = "dot-"  # dotfiles are shipped under another name, so that no packaging tool leaves them out
RENDERED = ".j2"  # a skeleton file with this suffix is a Jinja template; the others are copied as they are


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("directory", nargs="?", type=Path, default=Path("."), metavar="DIR",
                        help="the project's folder, created if need be (default: the current folder)")
    parser.add_argument("--site-name", metavar="NAME", help="the site's name (default: from the folder's name)")


def run(project, args: argparse.Namespace) -> int:
    root = args.directory.resolve()
    existing = next(folder for folder in (root, *root.parents) if folder.exists())
    if not existing.is_dir():
        raise UsageError(f"{existing}: a file, not a folder; init cannot make a project in {root}")
    site_name = args.site_name or root.name.replace("-", " ").replace("_", " ").title() or "Lessons"
    files = project_files(site_name)
    taken = sorted(path for path in files if (root / path).exists())
    if (root / LESSONS).exists() and Path(LESSONS) not in taken:
        taken.insert(0, Path(LESSONS))
    if taken:
        names = ", ".join(path.as_posix() for path in taken)
        raise UsageError(f"{root}: a project is there already ({names}); init writes only into a new project")
    try:
        _write_all(root, files)
    except OSError as exc:  # a folder that cannot hold a project (/proc, a read-only mount, a full disk)
        raise UsageError(f"{root}: init cannot write a project there ({exc.strerror})") from None
    print(f"wrote a lesson project in {root}:")
    for path in sorted(files):
        print(f"  {path.as_posix()}")
    where = "" if root == Path.cwd().resolve() else f"cd {args.directory} && "
    print(f"build it with: {where}lessonbuild   (then open site/index.html, or run `lessonbuild serve`)")
    print("commit figures/ with the lessons: CI compares the figures it draws with the committed ones")
    return 0


def _write_all(root: Path, files: dict[Path, str]) -> None:
    """Every file, or none: a project left half written would be refused by the next init."""
    written: list[Path] = []
    try:
        for path, content in files.items():
            write_atomic(root / path, content)
            written.append(root / path)
    except BaseException:
        for path in written:
            path.unlink(missing_ok=True)
        raise


def project_files(site_name: str) -> dict[Path, str]:
    """Every file of a new project, by its path in the project."""
    from lessonbuild import __version__

    context = {"site_name": site_name, "version": __version__}
    files = {}
    for source in sorted(walk_files(SKELETON)):
        path, text = _skeleton_file(source, context)
        files[path] = text
    files[Path(MKDOCS_FILE)] = f"site_name: {json.dumps(site_name)}\n" + _without_header(DEFAULT_MKDOCS.read_text(encoding="utf-8"))
    files[Path(PYPROJECT)] = settings_file(site_name)
    return files


def _skeleton_file(source: Path, context: dict) -> tuple[Path, str]:
    parts = [part.replace(DOT_PREFIX, ".", 1) if part.startswith(DOT_PREFIX) else part
             for part in source.relative_to(SKELETON).parts]
    text = source.read_text(encoding="utf-8")
    if parts[-1].endswith(RENDERED):
        import jinja2  # imported here: see commands/check.py

        parts[-1] = parts[-1][: -len(RENDERED)]
        text = jinja2.Template(text, undefined=jinja2.StrictUndefined, keep_trailing_newline=True).render(context)
    return Path(*parts), text


def _without_header(text: str) -> str:
    """The packaged settings less their opening comment, which speaks of projects without a mkdocs.yml."""
    lines = text.splitlines(keepends=True)
    while lines and lines[0].startswith("#"):
        lines.pop(0)
    return "".join(lines)


def settings_file(site_name: str) -> str:
    """pyproject.toml with the site's name, and every other setting commented out at its default."""
    lines = [
        "# lessonbuild reads its settings from this table; each commented line shows a setting at its default.",
        f"[{SETTINGS_TABLE}]",
    ]
    for setting in SETTINGS:
        value = site_name if setting.name == "site_name" else setting.default
        line = f"{setting.name} = {_toml_value(value)}"
        lines.append(f"# {setting.help}")
        lines.append(line if setting.name == "site_name" else f"# {line}")
    return "\n".join(lines) + "\n"


def _toml_value(value) -> str:
    if isinstance(value, (tuple, list)):
        return "[" + ", ".join(_toml_value(item) for item in value) + "]"
    if isinstance(value, bool):
        return "true" if value else "false"
    return json.dumps(value)  # strings and numbers: JSON's form is TOML's

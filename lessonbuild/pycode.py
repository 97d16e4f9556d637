"""What lesson code imports: the one reading of Python source that the cache and the importer share."""
from __future__ import annotations

import ast
import io
import re
import tokenize

FROM_LINE = re.compile(r"^\s*from\s+([A-Za-z_]\w*)")
IMPORT_LINE = re.compile(r"^\s*import\s+([\w., ]+)")


def without_magics(code: str) -> str:
    """IPython's %magics and !commands as `pass`, so Python's own tools can read the rest (line numbers kept)."""
    return "\n".join("pass" if line.lstrip().startswith(("%", "!")) else line for line in code.split("\n"))


def imported_modules(code: str) -> list[tuple[str, int]]:
    """(top-level module, line) of each absolute import, in order, each module once.

    Code that does not parse (IPython-only syntax somewhere) is read line by line instead.
    """
    if "import" not in code:  # every import statement says so: most cells are not parsed at all
        return []
    python = without_magics(code)
    try:
        tree = ast.parse(python)
    except SyntaxError:
        return _imports_by_line(python)
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(alias.name.split(".")[0], node.lineno) for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            found.append((node.module.split(".")[0], node.lineno))
    return _first_of_each(sorted(found, key=lambda item: item[1]))


def _imports_by_line(python: str) -> list[tuple[str, int]]:
    found = []
    for number, line in enumerate(python.splitlines(), start=1):
        if match := FROM_LINE.match(line):
            found.append((match[1], number))
        elif match := IMPORT_LINE.match(line):
            found += [(part.split()[0].split(".")[0], number) for part in match[1].split(",") if part.strip()]
    return _first_of_each(found)


def _first_of_each(found: list[tuple[str, int]]) -> list[tuple[str, int]]:
    seen: dict[str, int] = {}
    for name, line in found:
        seen.setdefault(name, line)
    return list(seen.items())


def string_literals(code: str) -> list[tuple[str, int]]:
    """(value, line) of each plain one-line string literal: the file names code may read (`"data/x.csv"`).
    Prefixed strings (f, b, r) and strings over several lines are left out; code that does not tokenize gives none."""
    try:
        tokens = list(tokenize.generate_tokens(io.StringIO(without_magics(code) + "\n").readline))
    except (tokenize.TokenError, SyntaxError):
        return []
    found = []
    for token in tokens:
        if token.type == tokenize.STRING and token.start[0] == token.end[0] and token.string[0] in "'\"":
            value = ast.literal_eval(token.string)
            if isinstance(value, str):
                found.append((value, token.start[0]))
    return found

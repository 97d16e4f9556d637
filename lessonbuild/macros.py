"""The learntools cell magics (`#$HIDE_INPUT$` and kin) found in code cells, turned into standard cell tags."""
from __future__ import annotations

import re
from pathlib import Path

from .errors import SourceError

# learntools' cell magics and the Jupyter Book / nbconvert tag each one stands for.
CELL_MAGIC_TAGS = {
    "HIDE_INPUT": "hide-input",
    "HIDE_OUTPUT": "hide-output",
    "HIDE": "hide-cell",
}

MAGIC_LINE = re.compile(r"^\s*#\$(?P<name>[A-Za-z_]+)(?:\((?P<argument>[^)]*)\))?\$\s*$")


def strip_cell_magics(
    lines: list[str], line_numbers: list[int], path: Path
) -> tuple[list[str], list[int], list[str]]:
    """Remove magic lines from a code cell; return the kept lines, their line numbers, and the tags they set."""
    kept, kept_numbers, tags = [], [], []
    for text, number in zip(lines, line_numbers):
        match = MAGIC_LINE.match(text)
        if match is None:
            kept.append(text)
            kept_numbers.append(number)
            continue
        name = match["name"]
        if name not in CELL_MAGIC_TAGS:
            known = ", ".join(f"#${m}$" for m in CELL_MAGIC_TAGS)
            raise SourceError(path, number, f"unknown magic '#${name}$' (known in code cells: {known})")
        if CELL_MAGIC_TAGS[name] not in tags:
            tags.append(CELL_MAGIC_TAGS[name])
    return kept, kept_numbers, tags

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


# learntools' cell macros: a line that removes its whole cell (or every cell from it on) from the
# published lesson. Both targets this build makes (the site and Kaggle) are learntools' PROD.
CELL_MACRO = re.compile(r"^\s*#%%(?P<name>[A-Z_]+(?:\([A-Z]+\))?)%%\s*$")
CELL_MACROS = {"RM": "drop", "RM_IF(PROD)": "drop", "RM_BELOW": "drop-below"}
# Line macros end a line of code and say what becomes of it.
LINE_MACRO = re.compile(r"\s*#_(?P<name>[A-Z_]+(?:\([A-Z]+\))?)_\s*$")
LINE_MACROS = ("RM", "RM_IF(PROD)", "COMMENT_IF(PROD)", "UNCOMMENT", "UNCOMMENT_IF(PROD)")
# Text and link macros in Markdown become calls of the build's template functions, so that each
# target resolves them its own way and an error still names the line.
TEXT_MACRO = re.compile(r"#\$(?P<name>[A-Z_]+)(?:\((?P<argument>[^)]*)\))?\$")
TEXT_MACROS = {
    "NEXT_NOTEBOOK_URL": "{{{{ next_notebook_url({bare}) }}}}",
    "TUTORIAL_URL": "{{{{ tutorial_url({argument}{bare}) }}}}",
    "EXERCISE_URL": "{{{{ exercise_url({argument}{bare}) }}}}",
    "EXERCISE_FORKING_URL": "{{{{ exercise_forking_url({bare}) }}}}",
    "YOURTURN": "{{{{ macros.your_turn() }}}}",
    "KEEP_GOING": "{{{{ macros.keep_going() }}}}",
}
URL_CONTEXT = ("(", '"', "'", "<")  # a link macro right after one of these is a link's target, not text


def cell_fate(lines: list[str], line_numbers: list[int], path: Path) -> str:
    """'keep', 'drop' (this cell) or 'drop-below' (this cell and every one after it)."""
    fates = set()
    for text, number in zip(lines, line_numbers):
        match = CELL_MACRO.match(text)
        if match is None:
            continue
        if match["name"] not in CELL_MACROS:
            raise SourceError(path, number, f"unknown cell macro '#%%{match['name']}%%' (known: {', '.join(CELL_MACROS)})")
        fates.add(CELL_MACROS[match["name"]])
    return next((fate for fate in ("drop-below", "drop") if fate in fates), "keep")


def apply_line_macros(lines: list[str], line_numbers: list[int], path: Path) -> tuple[list[str], list[int]]:
    kept, kept_numbers = [], []
    for text, number in zip(lines, line_numbers):
        match = LINE_MACRO.search(text)
        if match is None:
            kept.append(text)
            kept_numbers.append(number)
            continue
        name = match["name"]
        if name not in LINE_MACROS:
            raise SourceError(path, number, f"unknown line macro '#_{name}_' (known: {', '.join(f'#_{m}_' for m in LINE_MACROS)})")
        if name.startswith("RM"):
            continue
        code = text[: match.start()]
        if name.startswith("UNCOMMENT"):
            code = re.sub(r"^(\s*)#\s?", r"\1", code, count=1)
        elif name == "COMMENT_IF(PROD)":
            code = re.sub(r"^(\s*)", r"\1# ", code, count=1)
        kept.append(code)
        kept_numbers.append(number)
    return kept, kept_numbers


def text_macros_to_template(lines: list[str], line_numbers: list[int], path: Path) -> list[str]:
    """Markdown lines with each `#$MACRO$` replaced by the template call that resolves it."""

    def replace(match: re.Match, number: int) -> str:
        template = TEXT_MACROS.get(match["name"])
        if template is None:
            known = ", ".join(f"#${m}$" for m in TEXT_MACROS)
            raise SourceError(path, number, f"unknown macro '#${match['name']}$' in Markdown (known: {known})")
        # A link macro in running text becomes a whole link, titled with the notebook it reaches.
        argument = match["argument"] or ""
        bare = ""
        if not match.string[: match.start()].endswith(URL_CONTEXT):
            bare = ", bare=True" if argument else "bare=True"
        return template.format(argument=argument, bare=bare)

    return [TEXT_MACRO.sub(lambda m: replace(m, number), text) for text, number in zip(lines, line_numbers)]

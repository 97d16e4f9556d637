"""learntools' macro language, applied as Kaggle Learn's own renderer applies it in PROD mode.

Every cell, Markdown or code, is read the same way, in this order:

- a cell that holds nothing but `#%%RM_BELOW%%` ends the notebook: it and every cell after it go;
- a cell macro on the cell's first line, `#%%RM%%` or `#%%RM_IF(COND)%%`, removes the cell;
- a line macro is a line of its own, `#_NAME_` or `#_NAME(COND)_`, and acts on the line after
  it: `RM` removes it, `COMMENT` puts `#` before it, `UNCOMMENT` takes its first `#` away; the
  `_IF(COND)` forms act only when COND holds. The macro line itself always goes;
- expanding macros `#$NAME$` may stand anywhere: `HIDE_INPUT`, `HIDE_OUTPUT` and `HIDE` hide
  part of the cell (they become tags, and a line left empty goes), the link and text macros
  become calls of the template functions that resolve them for each target.

Both targets this build makes, the site and Kaggle, are PROD: `PROD` and `NOTDAILY` hold,
`DAILY` does not.
"""
from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from lessonbuild.errors import SourceError

CONDITIONS = {"PROD": True, "DAILY": False, "NOTDAILY": True}
RM_BELOW = "#%%RM_BELOW%%"
CELL_MACRO = re.compile(r"^#%%(?P<name>.+)%%\s*$")
LINE_MACRO = re.compile(r"^\s*#_(?P<name>.+)_\s*$")
EXPANDING_MACRO = re.compile(r"#\$(?P<name>[^$(]+)(?:\((?P<argument>[^)$]*)\))?\$")
# The expanding macros that hide part of a cell, and the tag each one stands for.
HIDING_TAGS = {"HIDE_INPUT": "hide-input", "HIDE_OUTPUT": "hide-output", "HIDE": "hide-cell"}
# The other expanding macros, as the template calls that resolve them; {argument} is the lesson number.
TEMPLATE_CALLS = {
    "NEXT_NOTEBOOK_URL": "next_notebook_url({bare})",
    "TUTORIAL_URL": "tutorial_url({argument}{bare})",
    "EXERCISE_URL": "exercise_url({argument}{bare})",
    "EXERCISE_FORKING_URL": "exercise_forking_url({argument}{bare})",
    "YOURTURN": "macros.your_turn()",
    "KEEP_GOING": "macros.keep_going()",
    "SUBMIT_TO_COMP": "macros.submit_to_comp()",
}
TAKES_LESSON = ("TUTORIAL_URL", "EXERCISE_URL", "EXERCISE_FORKING_URL")
URL_CONTEXT = ("(", '"', "'", "<")  # a link macro right after one of these is a link's target, not text


@dataclass
class Expanded:
    """A cell after its macros: what stays of it, and what becomes of the cell."""

    lines: list[str]
    numbers: list[int]  # the source line of each line
    tags: list[str] = field(default_factory=list)
    fate: str = "keep"  # or "drop" (this cell), or "drop-below" (this cell and every one after it)


def apply_macros(lines: list[str], numbers: list[int], path: Path) -> Expanded:
    """The cell's lines (with their source line numbers) after learntools' macros."""
    if "\n".join(lines).strip() == RM_BELOW:
        return Expanded([], [], fate="drop-below")
    if lines and _cell_macro_removes(lines[0], numbers[0], path):
        return Expanded([], [], fate="drop")
    lines, numbers = _apply_line_macros(lines, numbers, path)
    lines, numbers, tags = _apply_hiding_macros(lines, numbers, path)
    return Expanded([_expanding_to_template(line, number, path) for line, number in zip(lines, numbers, strict=False)], numbers, tags)


def _cell_macro_removes(first_line: str, number: int, path: Path) -> bool:
    match = CELL_MACRO.match(first_line)
    if match is None:
        return False
    name, condition = _name_and_condition(match["name"], number, path, f"#%%{match['name']}%%")
    if name == "RM_BELOW":
        raise SourceError(path, number, f"{RM_BELOW} stands alone in its cell: everything from that cell on is removed")
    if name != "RM":
        raise SourceError(path, number, f"unknown cell macro '#%%{match['name']}%%' (known: #%%RM%%, #%%RM_IF(COND)%%, {RM_BELOW})")
    return condition


def _apply_line_macros(lines: list[str], numbers: list[int], path: Path) -> tuple[list[str], list[int]]:
    kept, kept_numbers, index = [], [], 0
    while index < len(lines):
        match = LINE_MACRO.match(lines[index])
        if match is None:
            kept.append(lines[index])
            kept_numbers.append(numbers[index])
            index += 1
            continue
        macro = f"#_{match['name']}_"
        if index + 1 == len(lines):
            raise SourceError(path, numbers[index], f"line macro '{macro}' acts on the line after it, and there is none")
        result = _line_macro(match["name"], lines[index + 1], numbers[index], path, macro)
        if result is not None:
            kept.append(result)
            kept_numbers.append(numbers[index + 1])
        index += 2  # the macro line, and the line it acted on
    return kept, kept_numbers


LINE_MACROS = ("RM", "COMMENT", "UNCOMMENT")


def _line_macro(macro_name: str, line: str, number: int, path: Path, macro: str) -> str | None:
    """What `line` becomes under the macro on the line before it (number); None: removed."""
    name, condition = _name_and_condition(macro_name, number, path, macro)
    if name not in LINE_MACROS:
        known = ", ".join(f"#_{m}_" for m in LINE_MACROS)
        raise SourceError(path, number, f"unknown line macro '{macro}' (known: {known}, each also as #_NAME_IF(COND)_)")
    if not condition:
        return line
    if name == "RM":
        return None
    if name == "COMMENT":
        return "#" + line
    if not re.match(r"\s*#", line):
        raise SourceError(path, number + 1, f"'{macro}' on the line before uncomments this line, which is no comment")
    return line.replace("#", "", 1)


def _name_and_condition(text: str, number: int, path: Path, macro: str) -> tuple[str, bool]:
    """NAME -> (NAME, True); NAME_IF(COND) -> (NAME, whether COND holds in PROD)."""
    match = re.fullmatch(r"(?P<name>[A-Z_]+?)(?:_IF\((?P<condition>[^)]*)\))?", text)
    if match is None:
        raise SourceError(path, number, f"'{macro}' is no macro (a name in capitals, then _IF(COND) or nothing)")
    condition = match["condition"]
    if condition is None:
        return match["name"], True
    if condition.strip() not in CONDITIONS:
        raise SourceError(path, number, f"unknown condition '{condition}' in '{macro}' (known: {', '.join(CONDITIONS)})")
    return match["name"], CONDITIONS[condition.strip()]


def _apply_hiding_macros(lines: list[str], numbers: list[int], path: Path) -> tuple[list[str], list[int], list[str]]:
    kept, kept_numbers, tags = [], [], []
    for line, number in zip(lines, numbers, strict=False):
        hiding = [m for m in EXPANDING_MACRO.finditer(line) if m["name"] in HIDING_TAGS]
        for match in hiding:
            if HIDING_TAGS[match["name"]] not in tags:
                tags.append(HIDING_TAGS[match["name"]])
        if hiding:
            line = EXPANDING_MACRO.sub(lambda m: "" if m["name"] in HIDING_TAGS else m[0], line)
            if not line.strip():
                continue  # a line that held only the macro: learntools leaves it blank, the build drops it
        kept.append(line)
        kept_numbers.append(number)
    return kept, kept_numbers, tags


def _expanding_to_template(line: str, number: int, path: Path) -> str:
    """`line` with each expanding macro replaced by the template call that resolves it."""

    def replace(match: re.Match) -> str:
        name, argument = match["name"], (match["argument"] or "").strip()
        if name not in TEMPLATE_CALLS:
            known = ", ".join(f"#${m}$" for m in [*TEMPLATE_CALLS, *HIDING_TAGS])
            raise SourceError(path, number, f"unknown macro '#${name}$' (known: {known})")
        if argument and (name not in TAKES_LESSON or not argument.isdigit()):
            raise SourceError(path, number, f"'#${name}({argument})$': only {', '.join(TAKES_LESSON)} take an argument, a lesson number")
        # In running text, a link macro stands for a link, not a bare address (each target decides how it shows).
        bare = "" if line[: match.start()].endswith(URL_CONTEXT) else "bare=True"
        call = TEMPLATE_CALLS[name].format(argument=argument, bare=f", {bare}" if argument and bare else bare)
        return "{{ " + call + " }}"

    return EXPANDING_MACRO.sub(replace, line)

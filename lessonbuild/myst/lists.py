"""CommonMark's lists as Python-Markdown reads them.

CommonMark (MyST, Jupyter) continues a list item at the column where its text starts: two spaces
after `- `, three after `1. `. Python-Markdown, which MkDocs uses, wants four, so a nested list,
a second paragraph or a block inside an item indented less would leave the item. Each item's
continuation lines are moved to four spaces, nested lists in turn.
"""
from __future__ import annotations

import re

from lessonbuild.myst.syntax import COMMONMARK

MARKER = re.compile(r"^(?P<indent> {0,3})(?P<marker>[-*+]|\d{1,9}[.)])(?P<gap>[ \t]+|$)")


def four_space_lists(text: str) -> str:
    lines = text.split("\n")
    if not any(MARKER.match(line) for line in lines):
        return text  # no line could open a list item: most prose, spared a parse
    items = [token.map for token in COMMONMARK.parse(text) if token.type == "list_item_open" and token.level == 1 and token.map]
    for start, end in reversed(items):
        item = _item(lines[start:end])
        if len(item) > 1 and item[-1] and end < len(lines) and lines[end].strip():
            item.append("")  # else Python-Markdown reads the next item as more of this one's last paragraph
        lines[start:end] = item
    return "\n".join(lines)


def _item(lines: list[str]) -> list[str]:
    match = MARKER.match(lines[0])
    if match is None:
        return lines
    gap = len(match["gap"].expandtabs(4)) if match["gap"] else 1
    offset = len(match["indent"]) + len(match["marker"]) + (gap if gap <= 4 else 1)  # past four: indented code
    content = [lines[0][min(offset, len(lines[0])):]]
    content += [line[offset:] if not line[:offset].strip() else line.lstrip() for line in lines[1:]]
    inner = four_space_lists("\n".join(content)).split("\n")
    head = f"{match['marker']} {inner[0]}".rstrip() if inner[0] else match["marker"]
    return [head, *(f"    {line}" if line.strip() else "" for line in inner[1:])]

"""What a folder of notebooks says of itself, for the course it is imported as: the title and first paragraph of its
README or index notebook (a textbook's repository has one), in place of a title made from the folder's name."""
from __future__ import annotations

import json
from pathlib import Path
from typing import NamedTuple

from lessonbuild.fsutil import inside
from lessonbuild.importers.files import source_root
from lessonbuild.myst.parse import PARSER
from lessonbuild.myst.syntax import first_heading

# The files a folder introduces itself with, in the order they are looked for: beside the notebooks, then in the
# folder above them (a textbook's `notebooks/` is described by its repository's README), inside their repository.
INTRODUCTIONS = ("README.md", "readme.md", "index.md", "index.ipynb", "Index.ipynb")
# A paragraph shorter than this is a byline or a badge ("*Jake VanderPlas*"), not what the course is about.
FEWEST_WORDS = 8
LONGEST_DESCRIPTION = 400


class Introduction(NamedTuple):
    title: str
    description: str
    source: Path


def introduction(sources: list[Path]) -> Introduction | None:
    """The title (its first level-one heading) and description (the first paragraph after it of a sentence's
    length) of the first introduction found for the notebooks' folder; None where there is none with a title."""
    for file in _candidates(sources):
        text = _markdown_of(file)
        title = first_heading(text) if text else None
        if title:
            return Introduction(title, _first_paragraph(text), file)
    return None


def _candidates(sources: list[Path]) -> list[Path]:
    folders = {source.resolve().parent for source in sources}
    if len(folders) != 1:
        return []  # notebooks from several folders: none of them speaks for the course
    (folder,) = folders
    root = source_root(folder)
    above = [folder] if folder == root else [folder, folder.parent]
    # A README that is a link out of the repository (to ~/.ssh/...) is no introduction: its words would go into course.yml.
    return [place / name for place in above for name in INTRODUCTIONS
            if (place / name).is_file() and inside(place / name, root) is not None]


def _markdown_of(file: Path) -> str:
    """A README's text, or an index notebook's Markdown cells; nothing where it cannot be read."""
    try:
        text = file.read_text(encoding="utf-8")
        if file.suffix != ".ipynb":
            return text
        cells = json.loads(text).get("cells", [])
        return "\n\n".join("".join(cell.get("source", "")) for cell in cells if cell.get("cell_type") == "markdown")
    except (OSError, UnicodeDecodeError, ValueError, AttributeError, TypeError):
        return ""  # an introduction that is no text, or no notebook, says nothing of the course


def _first_paragraph(text: str) -> str:
    tokens = PARSER.parse(text)
    after_title = next((index for index, token in enumerate(tokens) if token.type == "heading_close" and token.tag == "h1"), None)
    if after_title is None:
        return ""
    for opening, inline in zip(tokens[after_title:], tokens[after_title + 1:], strict=False):
        if opening.type != "paragraph_open" or inline.type != "inline":
            continue
        words = " ".join(_plain(inline).split())
        if len(words.split()) >= FEWEST_WORDS:
            return _shortened(words)
    return ""


def _plain(inline) -> str:
    """A paragraph's words as a reader sees them: links as their text, no images, no raw HTML."""
    kept = ("text", "code_inline", "softbreak", "hardbreak")
    return "".join(" " if child.type.endswith("break") else child.content
                   for child in inline.children or [] if child.type in kept)


def _shortened(words: str) -> str:
    if len(words) <= LONGEST_DESCRIPTION:
        return words
    cut = words.rfind(". ", 0, LONGEST_DESCRIPTION)
    return words[:cut + 1] if cut > 0 else words[:LONGEST_DESCRIPTION].rsplit(" ", 1)[0] + " …"

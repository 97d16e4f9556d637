"""A Jupyter Book or a mystmd project as one course of a lesson project (`lessonbuild import BOOK`), for a team that
moves: its pages in the toc's order and under the toc's titles, its folders flattened into the course's. What the
pages name (images, data, helper modules, files to download) comes along, and links, `{doc}`s and `{download}`s
between pages become links between the lessons (notebooks.py does that for every import)."""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from lessonbuild.book import JB_TOC, MYST_CONFIG, Book, find_book
from lessonbuild.errors import SourceError, SourceLocation, SourceWarning


@dataclass
class BookPlan:
    book: Book
    pages: list[tuple[Path, str | None]]  # each page's file, and the title the toc gives it
    bib_files: list[Path]
    warnings: list[SourceWarning] = field(default_factory=list)


def is_book(folder: Path) -> bool:
    return folder.is_dir() and ((folder / JB_TOC).is_file() or (folder / MYST_CONFIG).is_file())


def plan_book(folder: Path, shown: Path) -> BookPlan:
    """What importing the book at `folder` (`shown` as the author named it) brings: its problems as SourceErrors at
    its files, as `check` names them inside the book."""
    try:
        book = find_book(folder)
    except SourceError as exc:
        raise SourceError(shown / exc.location.path, exc.location.line, exc.message) from None
    assert book is not None  # is_book said it is one
    titles = book.toc_titles()
    pages = [(folder / page, titles.get(page)) for page in book.pages()]
    warnings = [SourceWarning(SourceLocation(shown / w.where.path, w.where.line), w.message) for w in book.warnings]
    warnings += _not_carried(book, shown)
    return BookPlan(book, pages, [folder / name for name in book.bibliography], warnings)


def book_front_matter(book: Book) -> dict:
    """What every page of the book takes from its settings, as a lesson's front matter says it."""
    execution = {key: value for key, value in (("timeout", book.timeout), ("allow_errors", book.allow_errors)) if value}
    return {**({"substitutions": dict(book.substitutions)} if book.substitutions else {}),
            **({"execution": execution} if execution else {})}


def _not_carried(book: Book, shown: Path) -> list[SourceWarning]:
    """What a lesson project does not do as the book says, named once each."""
    config = SourceLocation(shown / book.config_file, 1)
    toc = SourceLocation(shown / book.toc_file, 1)
    notes = []
    if book.execute == "off" or book.not_executed:
        notes.append(SourceWarning(config, "the book leaves some pages unexecuted; a lesson project executes every "
                                   "lesson, and the imported lessons keep no stored outputs"))
    if any(entry.file is None and entry.url is None for entry in book.toc) or any(e.numbered for e in book.entries()):
        notes.append(SourceWarning(toc, "the toc's parts and numbers are not carried: a course lists its lessons in one "
                                   "sequence, in the toc's order"))
    if any(entry.url for entry in book.entries()):
        notes.append(SourceWarning(toc, "the toc's links to other sites are not carried: link to them from a lesson"))
    return notes

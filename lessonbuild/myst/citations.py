"""Citations ({cite}`key`) and the bibliography they list, from the BibTeX files of a course, as
sphinxcontrib-bibtex gives them in Jupyter Book: in author-year style, each linked to its entry.

pybtex reads the `.bib` files and formats the entries (its `plain` style); a lesson lists the
works it cites where its `{bibliography}` stands, or at its end.
"""
from __future__ import annotations

import html
from pathlib import Path


class BibliographyError(ValueError):
    """A .bib file that cannot be read: its path, its line and what is wrong."""

    def __init__(self, path: Path, line: int, message: str):
        super().__init__(message)
        self.path, self.line = path, line


class Bibliography:
    """The works of every `.bib` file given, by key."""

    def __init__(self, files: list[Path]):
        # Imported here: only a course with .bib files needs pybtex.
        from pybtex.database import BibliographyData, parse_file
        from pybtex.scanner import PybtexError, PybtexSyntaxError

        self.data = BibliographyData()
        for file in files:
            try:
                entries = parse_file(str(file), "bibtex").entries
            except PybtexSyntaxError as exc:
                raise BibliographyError(file, exc.lineno or 1, str(exc).split(": ", 1)[-1]) from None
            except PybtexError as exc:
                raise BibliographyError(file, 1, str(exc)) from None
            for key, entry in entries.items():
                if key not in self.data.entries:
                    self.data.entries[key] = entry

    def __contains__(self, key: str) -> bool:
        return key in self.data.entries

    def authors_and_year(self, key: str) -> tuple[str, str]:
        """("Hamilton and Smith", "2005"), or "Sargent et al." for three authors or more."""
        entry = self.data.entries[key]
        people = entry.persons.get("author") or entry.persons.get("editor") or []
        names = [" ".join(person.last_names) for person in people]
        authors = f"{names[0]} et al." if len(names) > 2 else " and ".join(names) or entry.fields.get("title", key)
        return _plain(authors), str(entry.fields.get("year", "n.d."))

    def listing(self, keys: list[str]) -> str:
        """The works cited, as one line of HTML (a raw block Python-Markdown passes as it is)."""
        from pybtex.style.formatting.plain import Style

        entries = [self.data.entries[key] for key in keys]
        items = []
        formatted = {entry.key: entry for entry in Style().format_entries(entries)}  # the style sorts them its own way
        for key in keys:
            authors, year = self.authors_and_year(key)
            text = formatted[key].text.render_as("html").replace("\n", " ")
            items.append(f'<dt id="{anchor(key)}">{html.escape(authors)}, {html.escape(year)}</dt><dd>{text}</dd>')
        return f'<dl class="myst-bibliography">{"".join(items)}</dl>'


def anchor(key: str) -> str:
    return "cite-" + "".join(c if c.isalnum() or c in "-_" else "-" for c in key)


def _plain(text: str) -> str:
    """BibTeX's braces (which protect capitals) left out."""
    return text.replace("{", "").replace("}", "")

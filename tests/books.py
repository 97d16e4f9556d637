"""Fixture books written by the project: a Jupyter Book 1 book of each toc format and a mystmd project, laid out
as their authors lay them out (nested folders, images beside and above the pages, a root .bib, notebooks)."""
from __future__ import annotations

import base64
import textwrap
from pathlib import Path

import nbformat

PNG = base64.b64decode(  # a 1x1 PNG, a real image the site's image checks accept
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==")
SVG = b'<svg xmlns="http://www.w3.org/2000/svg" width="1" height="1"/>'

JB_CONFIG = """\
title: A Fixture Book
author: The Project
logo: images/logo.png
exclude_patterns: [drafts/*]
bibtex_bibfiles:
  - references.bib
execute:
  execute_notebooks: cache
  timeout: 120
  exclude_patterns: [chapter2/stored.ipynb]
parse:
  myst_enable_extensions: [amsmath, dollarmath, substitution]
  myst_substitutions: {edition: "second"}
repository:
  url: https://github.com/example/book
  path_to_book: book
  branch: main
launch_buttons:
  colab_url: https://colab.research.google.com
made_up_setting: 1
sphinx:
  config:
    html_theme: sphinx_book_theme
"""

JB_BOOK_TOC = """\
format: jb-book
root: intro
parts:
  - caption: Basics
    numbered: true
    chapters:
      - file: chapter1/index
        sections:
          - file: chapter1/reading
          - glob: chapter1/more/*
  - caption: Notebooks
    chapters:
      - file: chapter2/computing
        title: Computing, as the toc calls it
      - file: chapter2/stored
      - url: https://example.org/elsewhere
        title: Elsewhere
"""

JB_ARTICLE_TOC = """\
format: jb-article
root: intro
sections:
  - file: chapter1/index
  - file: chapter1/reading
"""

REFERENCES = """\
@book{knuth1984,
  author = {Donald E. Knuth},
  title = {The TeXbook},
  year = {1984},
  publisher = {Addison-Wesley},
}
"""

INTRO = """\
# A Fixture Book

The book starts here; see [the reading](chapter1/reading.md) and {cite}`knuth1984`.

![logo](images/logo.png)

<img src="images/logo.png" alt="raw logo">

```{bibliography}
```
"""

CHAPTER1 = """\
# Chapter One

The chapter's picture, in its best format: ![fish](../images/fish.*)

And rooted at the book: ![logo](/images/logo.png). Next: {doc}`reading`, in the {{ edition }} edition.
"""

READING = """\
---
kernelspec:
  name: python3
  display_name: Python 3
---

(reading-data)=

# Reading Data

This page offers itself: {download}`reading.md`.

<div class="aside">

**Raw HTML** holds Markdown after a blank line, and a picture: <img src="../images/logo.png" width="10">

</div>

```{button-ref} index
:ref-type: doc
Back to the chapter
```

```{code-cell} ipython3
import helper
with open("data/values.csv") as handle:
    print(helper.total(handle.read()))
```

Back to [the chapter](index.md#chapter-one), on to [computing](../chapter2/computing.ipynb).

The numbers are <a href="data/values.csv">a file</a> too.
"""

MORE = "# More {n}\n\nA page found by a glob.\n"


def write_jupyter_book(root: Path, toc: str = JB_BOOK_TOC) -> Path:
    """A Jupyter Book 1 book at `root`, as `jupyter-book build root` would read it."""
    files = {
        "_config.yml": JB_CONFIG, "_toc.yml": toc, "references.bib": REFERENCES, "intro.md": INTRO,
        "chapter1/index.md": CHAPTER1, "chapter1/reading.md": READING,
        "chapter1/helper.py": "def total(text):\n    return sum(int(x) for x in text.split(','))\n",
        "chapter1/data/values.csv": "1,2,3\n", "chapter1/more/b.md": MORE.format(n="B"),
        "chapter1/more/a.md": MORE.format(n="A"), "drafts/unfinished.md": "# Unfinished\n",
    }
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(textwrap.dedent(text), encoding="utf-8")
    (root / "images").mkdir(exist_ok=True)
    (root / "images" / "logo.png").write_bytes(PNG)
    (root / "images" / "fish.png").write_bytes(PNG)
    (root / "images" / "fish.svg").write_bytes(SVG)
    _write_notebooks(root / "chapter2")
    return root


def _write_notebooks(folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    computing = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_markdown_cell("# Computing\n\nA notebook page."),
        nbformat.v4.new_code_cell("print(6 * 7)"),
    ], metadata={"kernelspec": {"name": "conda-env-course-py", "display_name": "Course", "language": "python"}})
    stored = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_markdown_cell("# Stored Outputs"),
        nbformat.v4.new_code_cell("print('never run by the build')", execution_count=1, outputs=[
            nbformat.v4.new_output("stream", name="stdout", text="as the author ran it\n")]),
    ])
    nbformat.write(computing, folder / "computing.ipynb")
    nbformat.write(stored, folder / "stored.ipynb")


MYST_YML = """\
version: 1
project:
  title: A mystmd Project
  authors:
    - name: The Project
  bibliography: [references.bib]
  github: example/mystbook
  exports:
    - format: pdf
  toc:
    - file: index.md
    - title: Part One
      children:
        - file: part1/page.md
        - pattern: part1/extra/*.md
    - file: part2/notebook.ipynb
site:
  template: book-theme
"""


def write_myst_project(root: Path) -> Path:
    """A mystmd (Jupyter Book 2) project at `root`."""
    files = {
        "myst.yml": MYST_YML, "references.bib": REFERENCES,
        "index.md": "# Welcome\n\nStart with [the page](part1/page.md).\n",
        "part1/page.md": "---\ntitle: The Page\n---\n\nProse, and ![a figure](../images/logo.png).\n",
        "part1/extra/one.md": "# Extra One\n", "part1/extra/two.md": "# Extra Two\n",
    }
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    (root / "images").mkdir(exist_ok=True)
    (root / "images" / "logo.png").write_bytes(PNG)
    (root / "part2").mkdir(exist_ok=True)
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# A Notebook"),
                                               nbformat.v4.new_code_cell("print(1 + 1)")])
    nbformat.write(notebook, root / "part2" / "notebook.ipynb")
    return root

"""What a learner downloads from a lesson's page: a notebook that runs wherever it is opened.

The notebook offered alone (and the one Colab opens) starts, when the project says where its
site is published (mkdocs.yml's `site_url`), with a setup cell. Where the course's helper
modules and data are not beside the notebook, that cell fetches the course's files from the
site and unpacks them there; where they are, it does nothing. A fetch that fails says in one
line what to download by hand. The page itself never shows the cell.
"""
from __future__ import annotations

import nbformat

# The setup cell's code: plain standard library, so that it runs in any kernel a learner has.
SETUP_CODE = '''\
# Setup: this lesson's helper modules and data, fetched from the course's site when they are not
# beside this notebook (opened on its own, or in Colab). Where they are, this cell does nothing.
import io, pathlib, urllib.request, zipfile

COURSE_FILES = {url!r}
missing = [name for name in {needed!r} if not pathlib.Path(name).exists()]
if missing:
    try:
        with urllib.request.urlopen(COURSE_FILES, timeout=60) as response:
            archive = zipfile.ZipFile(io.BytesIO(response.read()))
        for member in archive.infolist():
            name = member.filename.partition("/")[2]  # the archive's top folder is the course's
            if name in missing:  # a file the learner already has (and may have edited) stays as it is
                pathlib.Path(name).parent.mkdir(parents=True, exist_ok=True)
                pathlib.Path(name).write_bytes(archive.read(member))
    except Exception as error:
        raise SystemExit(f"Could not fetch this lesson's files ({{error}}): download {{COURSE_FILES}} "
                         "and unzip it beside this notebook.") from None
'''


def with_setup_cell(notebook: nbformat.NotebookNode, files_url: str, needed: list[str]) -> nbformat.NotebookNode:
    """The notebook with the setup cell before its first code cell: a new notebook sharing the others' cells."""
    cell = nbformat.v4.new_code_cell(SETUP_CODE.format(url=files_url, needed=needed),
                                     metadata={"tags": ["remove-cell"], "lessonbuild": {"role": "setup"}})
    cell["id"] = "lessonbuild-setup"
    cells = list(notebook.cells)
    first_code = next((index for index, c in enumerate(cells) if c.cell_type == "code"), len(cells))
    return nbformat.NotebookNode({**notebook, "cells": [*cells[:first_code], cell, *cells[first_code:]]})

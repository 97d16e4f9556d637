"""A notebook page read as a lesson: its cells, tags, stored outputs and front matter, each line at its JSON line."""
import json

import nbformat
import pytest

from lessonbuild.errors import SourceError
from lessonbuild.pipeline.read.lessons import LESSON_SCHEMA
from lessonbuild.pipeline.read.notebook_files import read_notebook_file


def write(path, cells, metadata=None):
    notebook = nbformat.v4.new_notebook(cells=cells, metadata=metadata or {})
    nbformat.write(notebook, path)
    return path.read_text()


def test_each_line_of_each_cell_is_at_its_own_line_of_the_json(tmp_path):
    path = tmp_path / "page.ipynb"
    text = write(path, [
        nbformat.v4.new_markdown_cell("# Title\n\nProse with \"source\": in it."),
        nbformat.v4.new_code_cell("x = 1\nprint(x)", metadata={"source": "a key that is no cell's source", "tags": ["hide-input"]}),
    ])
    lesson, _ = read_notebook_file(path, path.relative_to(tmp_path), LESSON_SCHEMA)
    lines = text.splitlines()
    for cell in lesson.cells:
        for number, line in zip(cell.lines, cell.source.split("\n"), strict=True):
            assert json.dumps(line)[1:-1] in lines[number - 1]
    assert lesson.cells[1].tags == ("hide-input",) and "tags" not in lesson.cells[1].metadata


def test_stored_outputs_and_a_raw_front_matter_cell_are_read(tmp_path):
    path = tmp_path / "page.ipynb"
    write(path, [
        nbformat.v4.new_raw_cell("---\ntitle: From the front matter\nexecution:\n  timeout: 30\n---"),
        nbformat.v4.new_code_cell("print(1)", execution_count=3, outputs=[nbformat.v4.new_output("stream", text="1\n")]),
    ])
    lesson, _ = read_notebook_file(path, path.relative_to(tmp_path), LESSON_SCHEMA)
    assert lesson.front_matter == {"title": "From the front matter", "execution": {"timeout": 30}}
    assert [cell.kind for cell in lesson.cells] == ["code"]
    assert lesson.cells[0].outputs[0]["text"] == "1\n" and lesson.cells[0].execution_count == 3


def test_a_python_kernel_of_the_authors_machine_runs_in_the_projects_kernel_and_another_is_kept(tmp_path):
    path = tmp_path / "page.ipynb"
    write(path, [nbformat.v4.new_markdown_cell("# T")],
          {"kernelspec": {"name": "conda-env-course-py", "display_name": "Course", "language": "python"}})
    assert "kernelspec" not in read_notebook_file(path, path.relative_to(tmp_path), LESSON_SCHEMA)[0].front_matter
    write(path, [nbformat.v4.new_markdown_cell("# T")], {"kernelspec": {"name": "ir", "display_name": "R", "language": "R"}})
    assert read_notebook_file(path, path.relative_to(tmp_path), LESSON_SCHEMA)[0].front_matter == {"kernelspec": {"name": "ir"}}


@pytest.mark.parametrize(("text", "expected"), [
    ('{"cells": [\n  {"cell_type": "code", \n', "page.ipynb:3: not a notebook: invalid JSON"),
    ('{"cells": [{"cell_type": "picture", "source": ""}], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}',
     "page.ipynb:1: not a notebook: its cells are not markdown, code or raw cells"),
    ("\x00binary", "page.ipynb:1: a binary file"),
    ("[" * 100_000, "page.ipynb:1: not a notebook: its JSON is nested too deep"),
])
def test_a_file_that_is_no_notebook_is_one_error(tmp_path, text, expected):
    path = tmp_path / "page.ipynb"
    path.write_text(text)
    with pytest.raises(SourceError) as raised:
        read_notebook_file(path, path.relative_to(tmp_path), LESSON_SCHEMA)
    assert str(raised.value).startswith(expected)


def test_a_jupytext_page_is_read_by_jupytext_with_each_cell_at_its_lines(tmp_path):
    from lessonbuild.pipeline.read.notebook_files import read_jupytext_file

    path = tmp_path / "page.Rmd"
    path.write_text("---\njupyter:\n  kernelspec:\n    display_name: Python\n    name: python3\n---\n\n# R Markdown\n\nSome prose.\n\n"
                    "```{python}\nx = 6 * 7\nprint(x)\n```\n")
    lesson, _ = read_jupytext_file(path, path.relative_to(tmp_path), LESSON_SCHEMA)
    assert [(cell.kind, cell.lines) for cell in lesson.cells] == [("markdown", (8, 8, 10)), ("code", (13, 14))]
    script = tmp_path / "page.py"
    script.write_text("# %% [markdown]\n# # A Script\n#\n# Prose.\n\n# %%\nprint(1)\n")
    lesson, _ = read_jupytext_file(script, script.relative_to(tmp_path), LESSON_SCHEMA)
    assert [(cell.kind, cell.source, cell.lines[0]) for cell in lesson.cells] == [
        ("markdown", "# A Script\n\nProse.", 2), ("code", "print(1)", 7)]

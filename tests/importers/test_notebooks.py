import json
from pathlib import Path

import nbformat
import pytest

from lessonbuild.importers.notebooks import from_flattened_export, to_myst
from lessonbuild.pipeline.read import read_courses
from lessonbuild.pipeline.read.lessons import read_lesson_file
from lessonbuild.pipeline.render.notebooks import render_course
from lessonbuild.project import load_project
from tests.conftest import LEARNTOOLS, SEED_TEXT, run_build


def seed_code_cells() -> list[str]:
    """The seed's three code cells, cut out by hand: from the line after each marker to a known last line."""
    lines = SEED_TEXT.splitlines()
    markers = [i for i, line in enumerate(lines) if line == "In [None]:"]
    last_lines = ["])", "plt.show();", "plt.show();"]
    assert len(markers) == len(last_lines) == 3
    cells = []
    for marker, last in zip(markers, last_lines, strict=True):
        end = lines.index(last, marker)
        cells.append("\n".join(lines[marker + 1 : end + 1]))
    return cells


def imported(text: str):
    return from_flattened_export(text, Path("x.txt"))


def test_the_seed_comes_out_with_exactly_its_three_code_cells():
    lesson = imported(SEED_TEXT)
    assert lesson.title == "Maximum Pooling"
    code = [cell.source for cell in lesson.cells if cell.kind == "code"]
    assert code == seed_code_cells()


def test_all_the_seeds_prose_is_in_markdown_cells_in_order():
    lesson = imported(SEED_TEXT)
    markdown = "\n".join(cell.source for cell in lesson.cells if cell.kind == "markdown").splitlines()
    code = "\n".join(seed_code_cells()).splitlines()
    prose = [line for line in SEED_TEXT.splitlines() if line.strip() and line not in code and line != "In [None]:"]
    prose = [line for line in prose if not line.startswith("<!--TITLE:")]
    assert [line for line in markdown if line.strip()] == prose
    assert [cell.kind for cell in lesson.cells] == ["markdown", "code"] * 3 + ["markdown"]


def test_blank_lines_inside_code_and_headings_after_it():
    text = "Intro.\n\nIn [1]:\nx = 1\n\n\ndef f():\n    return x\n\n# A comment inside\n\ny = f()\n\n# Heading #\n\nProse after.\n"
    lesson = imported(text)
    assert [c.kind for c in lesson.cells] == ["markdown", "code", "markdown"]
    assert lesson.cells[1].source == "x = 1\n\n\ndef f():\n    return x\n\n# A comment inside\n\ny = f()"
    assert lesson.cells[2].source == "# Heading #\n\nProse after."


def test_prose_that_would_not_parse_ends_the_cell_even_without_a_heading():
    lesson = imported("In [ ]:\nprint('hi')\n\nThat printed a greeting.\n\nIn [ ]:\n%matplotlib inline\nplot()\n")
    assert [c.source for c in lesson.cells] == ["print('hi')", "That printed a greeting.", "%matplotlib inline\nplot()"]


def test_the_imported_seed_reads_as_a_lesson_with_the_magic_as_a_tag(tmp_path):
    path = tmp_path / "lesson.md"
    path.write_text(to_myst(imported(SEED_TEXT)))
    lesson = read_lesson_file(path, Path("lessons/imported/01-maximum-pooling.md"))
    code = [cell for cell in lesson.cells if cell.kind == "code"]
    assert [cell.tags for cell in code] == [(), ("hide-input",), ()]
    assert code[1].source == seed_code_cells()[1].removeprefix("#$HIDE_INPUT$\n")
    assert lesson.title == "Maximum Pooling"


def test_a_notebook_round_trips_with_tags_metadata_and_attachments(tmp_path):
    png = "iVBORw0KGgo="
    cells = [
        nbformat.v4.new_markdown_cell("# Title\n\nText.", attachments={"a.png": {"image/png": png}}),
        nbformat.v4.new_markdown_cell("Second cell.", metadata={"slide": True}),
        nbformat.v4.new_code_cell("x = 1\n\n\ny = '```'", metadata={"tags": ["hide-input"], "custom": 3}),
        nbformat.v4.new_raw_cell("raw text"),
    ]
    cells[2].outputs = [nbformat.v4.new_output("stream", text="dropped")]
    source = tmp_path / "note.ipynb"
    nbformat.write(nbformat.v4.new_notebook(cells=cells), source)
    root = tmp_path / "project"
    (root / "lessons").mkdir(parents=True)
    result = run_build(root, "import", str(source), "--course", "notes")
    assert result.returncode == 0, result.stderr
    assert result.stdout == "imported lessons/notes/01-title.md\n"
    lesson = read_lesson_file(root / "lessons" / "notes" / "01-title.md", Path("l.md"))
    assert lesson.title == "Title"
    assert [(c.kind, c.source) for c in lesson.cells] == [(c.cell_type, c.source) for c in cells]
    assert lesson.cells[2].tags == ("hide-input",) and lesson.cells[2].metadata == {"custom": 3}
    assert lesson.cells[0].metadata == {"attachments": {"a.png": {"image/png": png}}}
    assert lesson.cells[1].metadata == {"slide": True}
    assert "lessons:\n- 01-title\n" in (root / "lessons" / "notes" / "course.yml").read_text()


def test_learntools_notebooks_become_tutorials_and_exercises_with_their_files(learntools_root):
    course = learntools_root / "lessons" / "pooling"
    assert (course / "course.yml").read_text() == (
        "title: Pooling\ndescription: ''\nlessons:\n"
        "- tutorial: 01-pooling-by-hand\n  exercise: 01-exercise-pooling-by-hand\n- 02-strides\n"
    )
    assert (course / "pooltools.py").read_bytes() == (LEARNTOOLS / "pooltools.py").read_bytes()
    assert (course / "data" / "pooling-data" / "grid.txt").read_bytes() == (LEARNTOOLS / "grid.txt").read_bytes()
    exercise = read_lesson_file(course / "01-exercise-pooling-by-hand.md", Path("l.md"))
    assert exercise.title == "Exercise: Pooling by Hand"  # learntools' name for the exercise of a tutorial
    # The Kaggle input keeps its dataset's name: data/ mirrors what the kernel sees under /kaggle/input.
    assert "np.loadtxt('{{ data_path(\"pooling-data/grid.txt\") }}')" in (course / "01-pooling-by-hand.md").read_text()


def test_text_that_jinja_would_read_survives_import_and_render(tmp_path):
    cells = [
        nbformat.v4.new_markdown_cell("# Braces\n\nA set is written {1, 2}; Jinja writes {{ x }}, {% if %} and {# #}."),
        nbformat.v4.new_code_cell("name = 'x'\nprint(f'{{{name}}}')  # {% not a tag %}"),
    ]
    source = tmp_path / "braces.ipynb"
    nbformat.write(nbformat.v4.new_notebook(cells=cells), source)
    root = tmp_path / "project"
    (root / "lessons").mkdir(parents=True)
    assert run_build(root, "import", str(source), "--course", "c").returncode == 0
    project = load_project(root)
    (course,) = read_courses(project)
    (rendered,) = render_course(course, project)
    body = rendered.notebook.cells[1:-1]  # between the header and the footer
    assert rendered.notebook.cells[0].source.startswith("# Braces\n")  # the title, once, in the header
    assert body[0].source == cells[0].source.removeprefix("# Braces\n\n")
    assert [(c.cell_type, c.source) for c in body[1:]] == [(c.cell_type, c.source) for c in cells[1:]]


def snapshot(folder):
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


def test_nested_cell_metadata_round_trips_and_kaggles_flags_become_tags(learntools_root):
    exercise = read_lesson_file(learntools_root / "lessons" / "pooling" / "01-exercise-pooling-by-hand.md", Path("l.md"))
    raw = nbformat.read(LEARNTOOLS / "ex1.ipynb", as_version=4).cells[1].metadata
    imports = next(cell for cell in exercise.cells if cell.kind == "code")
    assert imports.tags == ("hide-cell",)  # _kg_hide-input and _kg_hide-output: the site hides the cell too
    assert imports.metadata == {"jupyter": raw["jupyter"], "papermill": raw["papermill"]}  # a past run's record goes


def test_importing_the_same_lessons_again_is_refused_unless_replace(learntools_root):
    course = learntools_root / "lessons" / "pooling"
    before = snapshot(course)
    sources = [str(LEARNTOOLS / f"{name}.ipynb") for name in ("tut1", "ex1")]
    again = run_build(learntools_root, "import", *sources, "--course", "pooling")
    assert again.returncode == 2
    assert again.stderr == ("the course has these lessons already: lessons/pooling/01-pooling-by-hand.md, "
                            "lessons/pooling/01-exercise-pooling-by-hand.md (import with --replace to write them anew)\n")
    assert snapshot(course) == before
    (course / "01-pooling-by-hand.md").write_text("edited by hand\n")
    replaced = run_build(learntools_root, "import", *sources, "--course", "pooling", "--replace")
    assert replaced.returncode == 0, replaced.stderr
    assert snapshot(course) == before  # the same files in the same places, the course file unchanged


@pytest.mark.parametrize("course", ["second", "pooling"])  # a new course, and lessons written anew in an existing one
def test_a_failing_import_leaves_the_lessons_folder_as_it_was(learntools_root, monkeypatch, course):
    from lessonbuild.importers import notebooks as importer
    from lessonbuild.project import load_project

    before = snapshot(learntools_root / "lessons")
    written = []

    def fail_on_the_second(lesson):
        written.append(lesson.title)
        if len(written) == 2:
            raise RuntimeError("disk full")
        return importer.to_myst.__wrapped__(lesson)

    fail_on_the_second.__wrapped__ = importer.to_myst
    monkeypatch.setattr(importer, "to_myst", fail_on_the_second)
    new_sources = [LEARNTOOLS / "tut2.ipynb", LEARNTOOLS / "tut1.ipynb", LEARNTOOLS / "ex1.ipynb"]
    with pytest.raises(RuntimeError):
        importer.import_lessons(new_sources, course, load_project(learntools_root), replace=True)
    assert snapshot(learntools_root / "lessons") == before  # no half-written course, no lesson file
    assert not (learntools_root / "_build" / "import" / course).exists()


def test_a_myst_notebook_is_kept_as_it_is(tmp_path):
    text = ("---\njupytext:\n  text_representation:\n    format_name: myst\nkernelspec:\n  name: python3\n  display_name: Python 3\n---\n"
            "# Lecture One\n\nSome {math}`x^2` and a [link](https://example.org).\n\n```{code-cell} ipython3\nprint(f'{{1}}')\n```\n")
    source = tmp_path / "lecture.md"
    source.write_bytes(text.encode("utf-8"))
    root = tmp_path / "project"
    (root / "lessons").mkdir(parents=True)
    result = run_build(root, "import", str(source), "--course", "lectures")
    assert result.returncode == 0, result.stderr
    assert result.stdout == "imported lessons/lectures/01-lecture-one.md\n"
    assert (root / "lessons" / "lectures" / "01-lecture-one.md").read_text() == text


@pytest.mark.parametrize("script", [
    "# %% [markdown]\n# # Growth\n#\n# Prose with $x$.\n\n# %% tags=[\"hide-input\"]\nprint(1.05 ** 10)\n",
    "# # Growth\n#\n# Prose with $x$.\n\n# + tags=[\"hide-input\"]\nprint(1.05 ** 10)\n",
], ids=["percent", "light"])
def test_a_jupytext_script_becomes_a_lesson(tmp_path, script):
    source = tmp_path / "growth.py"
    source.write_text(script)
    root = tmp_path / "project"
    (root / "lessons").mkdir(parents=True)
    result = run_build(root, "import", str(source), "--course", "scripts")
    assert result.returncode == 0, result.stderr
    lesson = (root / "lessons" / "scripts" / "01-growth.md").read_text()
    assert "title: Growth" in lesson and "Prose with $x$." in lesson
    assert "```{code-cell} ipython3\n---\ntags:\n- hide-input\n---\nprint(1.05 ** 10)\n```" in lesson
    assert run_build(root, "check").returncode == 0


def notebook_json(cell: dict, **metadata) -> str:
    return json.dumps({"nbformat": 4, "nbformat_minor": 5, "metadata": metadata,
                       "cells": [{"cell_type": "markdown", "metadata": {}, "source": "# Fine"}, cell]})


@pytest.mark.parametrize(("content", "problem"), [
    (notebook_json({"cell_type": "code", "metadata": {}, "source": 5}), ": cell 2: 'source': 5 is not of type 'string', 'array'"),
    (notebook_json({"cell_type": "code", "metadata": {}, "source": ["x = 1\n", None]}),
     ": cell 2: 'source.1': None is not of type 'string'"),
    (notebook_json({"cell_type": "code", "metadata": {"tags": "hide-input"}, "source": "x"}),
     ": cell 2: 'metadata.tags': 'hide-input' is not of type 'array'"),
    (notebook_json({"cell_type": "markdown", "source": "x"}, title=2024), ": 'metadata.title': 2024 is not of type 'string'"),
    (notebook_json({"cell_type": "markdown", "metadata": {}, "source": "café"}).replace("\\u00e9", "é").encode("latin-1"),
     ":1: not UTF-8 text (byte 0xe9); save it as UTF-8"),
])
def test_a_notebook_of_another_shape_or_encoding_is_one_line_and_nothing_is_written(tmp_path, content, problem):
    root = tmp_path / "project"
    (root / "lessons").mkdir(parents=True)
    source = root / "incoming" / "odd.ipynb"
    source.parent.mkdir()
    source.write_bytes(content if isinstance(content, bytes) else content.encode())
    result = run_build(root, "import", str(source), "--course", "odd")
    assert (result.returncode, result.stderr, result.stdout) == (2, f"incoming/odd.ipynb{problem}\n", "")
    assert not (root / "lessons" / "odd").exists()


def test_a_folder_that_is_no_track_is_refused_naming_what_import_takes(tmp_path):
    root = tmp_path / "project"
    (root / "lessons").mkdir(parents=True)
    (tmp_path / "notebooks").mkdir()
    result = run_build(root, "import", str(tmp_path / "notebooks"), "--course", "c")
    assert (result.returncode, result.stderr) == (
        2, f"{tmp_path / 'notebooks'}: a folder, and no learntools track (no track_meta.py); name the notebooks to import\n")

import re
from pathlib import Path

import pytest

from lessonbuild.errors import SourceError, SourceErrors
from lessonbuild.pipeline.read import read_courses
from lessonbuild.pipeline.read.lessons import read_lesson_file
from lessonbuild.project import load_project
from tests.conftest import REPOSITORY, SEED_TEXT, make_project, run_build


def read_text(tmp_path: Path, text: str):
    path = tmp_path / "lesson.md"
    path.write_text(text)
    return read_lesson_file(path, Path("lessons/c/lesson.md"))


def error_of(tmp_path: Path, text: str) -> SourceError:
    """The first problem of the lesson (a front matter problem comes alone; cell problems all at once)."""
    with pytest.raises((SourceError, SourceErrors)) as caught:
        read_text(tmp_path, text)
    return caught.value.errors[0] if isinstance(caught.value, SourceErrors) else caught.value


def test_cells_keep_their_source_lines(tmp_path):
    lesson = read_text(tmp_path,
                       "---\ntitle: T\n---\n\nIntro.\n\n```{code-cell} ipython3\n:tags: [hide-output]\nx = 1\n\ny = 2\n```\nAfter.\n")
    kinds = [(cell.kind, cell.line) for cell in lesson.cells]
    assert kinds == [("markdown", 5), ("code", 9), ("markdown", 13)]
    code = lesson.cells[1]
    assert code.source == "x = 1\n\ny = 2"
    assert code.lines == (9, 10, 11)
    assert code.tags == ("hide-output",)


def test_magic_lines_become_tags_and_leave_the_source(tmp_path):
    lesson = read_text(tmp_path, "---\ntitle: T\n---\n```{code-cell} ipython3\n#$HIDE_INPUT$\nprint(1)\n```\n")
    (cell,) = lesson.cells
    assert cell.tags == ("hide-input",)
    assert cell.source == "print(1)"
    assert cell.lines == (6,)


def test_yaml_block_options_and_cell_breaks(tmp_path):
    text = "---\ntitle: T\n---\nOne.\n+++ {\"slide\": true}\nTwo.\n```{code-cell} ipython3\n---\ntags: [a, b]\nextra: 1\n---\npass\n```\n"
    lesson = read_text(tmp_path, text)
    one, two, code = lesson.cells
    assert (one.source, two.source, two.metadata) == ("One.", "Two.", {"slide": True})
    assert code.tags == ("a", "b") and code.metadata == {"extra": 1} and code.line == 12


def test_prose_code_blocks_stay_in_markdown(tmp_path):
    text = "---\ntitle: T\n---\nSee:\n\n```python\n+++\nprint('not a cell')\n```\n"
    (cell,) = read_text(tmp_path, text).cells
    assert cell.kind == "markdown" and "+++" in cell.source


def test_a_cards_footer_in_a_colon_fence_is_no_cell_break(tmp_path):
    text = "---\ntitle: T\n---\n::::{grid}\n:::{grid-item-card} A\nBody\n+++\nFooter\n:::\n::::\n+++\nNext cell.\n"
    card, following = read_text(tmp_path, text).cells
    assert card.source.endswith("Footer\n:::\n::::") and following.source == "Next cell."


@pytest.mark.parametrize(
    "text, line, words",
    [
        ("Prose, and neither front matter nor a heading.\n", 1, "the lesson has no title"),
        ("---\ntitle: T\n\nbody\n", 1, "never closed"),
        ("---\ntitle: T\ndescription: [unclosed\n---\n", 3, "invalid YAML"),
        ("---\ntitle: T\ntitel: typo\n---\n", 3, "unknown key 'titel'"),
        ("---\ndescription: no title\n---\nProse.\n", 1, "the lesson has no title"),
        ("---\ntitle: T\ntimeout: soon\n---\n", 3, "timeout"),
        ("---\ntitle: T\n---\ntext\n\n```{code-cell} ipython3\nx = 1\n", 6, "never closed"),
        ("---\ntitle: T\n---\n```{code-cell} ipython3\nx = 1\n#$SHOW_ME$\n```\n", 6, "unknown macro '#$SHOW_ME$'"),
        ("---\ntitle: T\n---\n\n```{code-cel} ipython3\nx\n```\n", 5, "unknown cell directive"),
        ("---\ntitle: T\n---\nA\n+++ {not json}\nB\n", 5, "not valid JSON"),
    ],
)
def test_bad_input_names_the_line(tmp_path, text, line, words):
    error = error_of(tmp_path, text)
    assert error.location.line == line
    assert words in error.message
    assert str(error).startswith(f"lessons/c/lesson.md:{line}: ")


def test_course_file_problems_are_all_reported(tmp_path):
    root = make_project(tmp_path, {"01-a": "---\ntitle: A\n---\n", "02-b": "---\ntitle: [\n---\n"})
    course = root / "lessons" / "tiny"
    (course / "course.yml").write_text("title: T\nlessons:\n  - 01-a\n  - 02-b\n  - 03-missing\n")
    (course / "04-stray.md").write_text("---\ntitle: S\n---\n")
    with pytest.raises(SourceErrors) as caught:
        read_courses(load_project(root))
    reported = sorted(str(e) for e in caught.value.errors)
    assert reported[0].startswith("lessons/tiny/02-b.md:2: invalid YAML: ")
    assert "lessons/tiny/04-stray.md:1: lesson not listed in lessons/tiny/course.yml" in reported
    assert "lessons/tiny/course.yml:5: lesson '03-missing' has no file 03-missing.md" in reported


def test_the_maximum_pooling_lesson_keeps_the_seed_text():
    """Every prose line and code line of the seed is in the hand-converted lesson, but for the TODOs and image path."""
    seed = SEED_TEXT.splitlines()
    lesson = (REPOSITORY / "lessons" / "computer-vision" / "03-maximum-pooling.md").read_text().splitlines()
    # The hosted diagrams became figure cells; the image path comes from data_path().
    replaced = ("**TODO**", "<!--TITLE:", "In [None]:", "#$HIDE_INPUT$", "image_path = ", "# image_path = ",
                "<figure>", "</figure>", "<!-- <img", "<img src=")
    missing = [line for line in seed if line.strip() and not line.startswith(replaced) and line not in lesson]
    assert missing == []
    assert not any("TODO" in line for line in lesson)


def test_figure_names_must_be_plain_file_names(tmp_path):
    error = error_of(tmp_path, "---\ntitle: T\n---\n```{code-cell} ipython3\n:figure: ../x\nplot()\n```\n")
    assert error.location.line == 5 and "'figure'" in error.message and "does not match" in error.message


def test_two_cells_may_not_draw_one_figure(tmp_path):
    cell = "```{code-cell} ipython3\n:figure: same\nplot()\n```\n"
    root = make_project(tmp_path, {"01-a": "---\ntitle: A\n---\n" + cell, "02-b": "---\ntitle: B\n---\n\n" + cell})
    with pytest.raises(SourceErrors) as caught:
        read_courses(load_project(root))
    assert [str(e) for e in caught.value.errors] == ["lessons/tiny/02-b.md:7: figure 'same' is already drawn at lessons/tiny/01-a.md:6"]


@pytest.mark.parametrize("text", [
    "# Pooling #\n\nProse.\n",  # Jupyter Book's way: no front matter, the first heading is the title
    ("\ufeff---\r\ntitle: Pooling\r\nfile_format: mystnb\r\nauthor: A. Author\r\nmyst: {enable_extensions: [colon_fence]}\r\n"
     "---\r\n# Pooling\r\n\r\nProse.\r\n"),
])
def test_the_title_as_jupyter_book_takes_it(tmp_path, text):
    lesson = read_text(tmp_path, text)
    assert lesson.title == "Pooling"
    assert [(cell.kind, cell.source.split("\n")[-1]) for cell in lesson.cells] == [("markdown", "Prose.")]


def test_the_keys_of_myst_mystnb_and_jupyter_book_are_accepted_and_a_typo_is_not(tmp_path):
    keys = ("substitutions: {x: 1}\nexecution: {timeout: 30, allow_errors: true}\nnumbering: {figure: true}\n"
            "short_title: P\ndate: 2024-01-01\n")
    assert read_text(tmp_path, f"---\ntitle: T\n{keys}---\n").front_matter["short_title"] == "P"
    assert "unknown key 'short_titel'" in str(error_of(tmp_path, "---\ntitle: T\nshort_titel: P\n---\n"))


def test_a_label_before_the_first_heading_and_directives_of_other_extensions(tmp_path):
    text = ("(cobweb)=\n# The {index}`Cobweb <single: Cobweb>` Model\n\n```{prf:remark}\nA remark.\n```\n\n"
            "```{code-cell} ipython3\nx = 1\n```\n")
    lesson = read_text(tmp_path, text)
    assert lesson.title == "The Cobweb Model"
    assert [cell.kind for cell in lesson.cells] == ["markdown", "code"]


def test_mystnb_load_reads_a_cells_code_from_a_file_and_a_missing_one_is_an_error(tmp_path):
    (tmp_path / "snippet.py").write_text("x = 1\nprint(x)\n")
    text = "# T\n\n```{code-cell} ipython3\n:load: snippet.py\n```\n\n```{code-cell} ipython3\n:load: gone.py\n```\n"
    with pytest.raises(SourceErrors) as caught:
        read_text(tmp_path, text)
    assert [str(e) for e in caught.value.errors] == ["lessons/c/lesson.md:7: ':load: gone.py': no such file beside the lesson"]
    (loaded,) = [cell for cell in caught.value.partial.cells if cell.kind == "code"]
    assert loaded.source == "x = 1\nprint(x)" and loaded.lines == (3, 3)


def test_mystnb_cell_options_that_remove_parts_are_the_tags_that_do(tmp_path):
    text = ("# T\n\n```{code-cell} ipython3\n---\nmystnb:\n  remove_code_source: true\n  output_stderr: remove\n"
            "  code_prompt_show: Show\n---\npass\n```\n")
    (_, code) = read_text(tmp_path, text).cells
    assert code.tags == ("remove-input", "remove-stderr") and code.metadata["mystnb"]["code_prompt_show"] == "Show"
    colon_block = "# T\n\n```{code-cell} ipython3\n:tags: [hide-cell]\n:mystnb:\n:  remove_code_outputs: true\n\npass\n```\n"
    (_, code) = read_text(tmp_path, colon_block).cells
    assert code.tags == ("hide-cell", "remove-output") and code.source == "pass"


def test_an_unchanged_lesson_is_not_parsed_again_but_a_changed_one_or_its_loaded_file_is(tmp_path, monkeypatch):
    import os

    from lessonbuild.pipeline.read import lessons as read
    from lessonbuild.project import load_project
    from tests.conftest import make_project

    root = make_project(tmp_path / "p", {"01-a": "# A\n\n```{code-cell} ipython3\n:load: code.py\n```\n", "02-b": "# B\n\nProse.\n"})
    loaded = root / "lessons" / "tiny" / "code.py"
    loaded.write_text("print('first')\n")
    parsed = []
    real = read.read_lesson_file
    monkeypatch.setattr(read, "read_lesson_file", lambda path, relative: parsed.append(path.stem) or real(path, relative))

    def code_of(slug):
        (course,) = read.read_lesson_courses(load_project(root))
        lesson = next(lesson for lesson in course.lessons if lesson.slug == slug)
        return [cell.source for cell in lesson.cells if cell.kind == "code"]

    assert code_of("01-a") == ["print('first')"] and parsed == ["01-a", "02-b"]
    parsed.clear()
    assert code_of("01-a") == ["print('first')"] and parsed == []  # kept, as read
    loaded.write_text("print('second')\n")
    os.utime(loaded, ns=(1, 1))
    (root / "lessons" / "tiny" / "02-b.md").write_text("# B\n\nOther prose.\n")
    assert code_of("01-a") == ["print('second')"] and sorted(parsed) == ["01-a", "02-b"]


LOADS = """\
# Loads

```{code-cell} ipython3
:load: /proc/self/environ
```

```{code-cell} ipython3
:load: ../../mkdocs.yml
```

```{code-cell} ipython3
:load: latin.py
```

```{code-cell} ipython3
:load: blob.bin
```

```{code-cell} ipython3
:load: alias.py
```
"""


def test_what_a_course_reads_or_publishes_stays_in_the_project_and_is_text_or_check_says_where(tmp_path):
    root = make_project(tmp_path / "p", {"01-loads": LOADS, "02-utf16": "# placeholder\n", "03-latin": "# placeholder\n"})
    course = root / "lessons" / "tiny"
    (course / "latin.py").write_bytes('name = "\u00e9"\n'.encode("latin-1"))
    (course / "blob.bin").write_bytes(b"x = 1\n\0\1\2")
    (course / "alias.py").symlink_to("helper.py")  # a link that stays inside the course is fine
    (tmp_path / "passwd").write_text("root:x:0:0\n")  # a file of the machine, outside the project
    (course / "data" / "passwd").symlink_to(tmp_path / "passwd")
    (course / "data" / "same.txt").symlink_to("values.txt")
    (course / "02-utf16.md").write_bytes("# Title\n".encode("utf-16"))
    (course / "03-latin.md").write_bytes("# Title\n\nCaf\u00e9.\n".encode("latin-1"))
    result = run_build(root, "check")
    assert result.returncode == 2
    lines = result.stderr.splitlines()
    assert re.fullmatch(r"lessons/tiny/01-loads\.md:3: ':load: /proc/self/environ': the file is outside lessons/ "
                        r"\(/proc/\d+/environ\): a cell loads only files of the lessons", lines[0])
    assert lines[1:] == [
        f"lessons/tiny/01-loads.md:7: ':load: ../../mkdocs.yml': the file is outside lessons/ ({root.resolve()}/mkdocs.yml): "
        "a cell loads only files of the lessons",
        "lessons/tiny/01-loads.md:11: ':load: latin.py': line 1 of the file: not UTF-8 text (byte 0xe9); save it as UTF-8",
        "lessons/tiny/01-loads.md:15: ':load: blob.bin': line 2 of the file: a binary file (it holds NUL bytes), not text",
        "lessons/tiny/02-utf16.md:1: UTF-16 text, not UTF-8; save it as UTF-8",
        "lessons/tiny/03-latin.md:3: not UTF-8 text (byte 0xe9); save it as UTF-8",
        f"lessons/tiny/data/passwd: a link to {(tmp_path / 'passwd').resolve()}, outside the project: a course's data and "
        "helper modules are published in its zips, so each must be a file of the project",
    ]


@pytest.mark.parametrize("name", ["a#b", "a?b", "a b", "%20"])
def test_a_course_folder_whose_name_breaks_addresses_is_an_error(tmp_path, name):
    project = load_project(make_project(tmp_path, {"01-x": "---\ntitle: T\n---\nText.\n"}, course=name))
    with pytest.raises(SourceErrors) as caught:
        read_courses(project)
    (error,) = caught.value.errors
    assert str(error).startswith(f"lessons/{name}/course.yml: course folder '{name}': its name makes the pages' addresses")


@pytest.mark.parametrize("people, line", [("authors: [{name: [1]}]", 3), ("author: {name: 5}", 3), ("authors: 7", 3)])
def test_a_byline_that_is_no_text_is_an_error_at_the_lessons_line_not_the_templates(tmp_path, people, line):
    project = load_project(make_project(tmp_path, {"01-x": f"---\ntitle: T\n{people}\n---\nText.\n"}))
    with pytest.raises(SourceErrors) as caught:
        read_courses(project)
    (error,) = caught.value.errors
    assert str(error).startswith(f"lessons/tiny/01-x.md:{line}: '{people.split(':')[0]}"), str(error)


def test_myst_authors_as_names_or_people_read(tmp_path):
    body = "---\ntitle: T\nauthors:\n  - A. Author\n  - {name: B. Author, affiliation: Somewhere}\ndate: 2024-05-01\n---\nText.\n"
    project = load_project(make_project(tmp_path, {"01-x": body}))
    ((lesson,),) = [course.lessons for course in read_courses(project)]
    assert lesson.byline == "A. Author, B. Author · 2024-05-01"

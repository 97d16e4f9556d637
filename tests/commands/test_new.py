import pytest

from tests.conftest import run_build


def ok(result):
    assert result.returncode == 0, result.stderr
    return result


@pytest.mark.kernel
def test_new_lesson_is_listed_and_builds(tiny_root):
    course = tiny_root / "lessons" / "tiny" / "course.yml"
    course.write_text("# The tiny course, kept by hand.\n" + course.read_text().replace("  - 01-plots\n", "  - 01-plots  # first\n"))
    result = ok(run_build(tiny_root, "new", "tiny", "Loops & Lists"))
    assert result.stdout == "wrote lessons/tiny/02-loops-lists.md\n"
    # The author's comments and list style stay as they were; the new lesson follows the last.
    assert course.read_text() == (
        "# The tiny course, kept by hand.\ntitle: Tiny Course\ndescription: A course for tests.\n"
        "lessons:\n  - 01-plots  # first\n  - 02-loops-lists\n"
    )
    assert ok(run_build(tiny_root, "check")).stdout == "2 lessons in 1 course: no problems\n"
    ok(run_build(tiny_root))
    assert "Loops &amp; Lists" in (tiny_root / "site" / "tiny" / "02-loops-lists" / "index.html").read_text()


def test_new_course_folder_is_created(tiny_root):
    ok(run_build(tiny_root, "new", "fresh-course", "First Steps"))
    course = (tiny_root / "lessons" / "fresh-course" / "course.yml").read_text()
    assert course == "title: Fresh Course\ndescription: ''\nlessons:\n- 01-first-steps\n"
    assert (tiny_root / "lessons" / "fresh-course" / "01-first-steps.md").read_text().startswith('---\ntitle: "First Steps"\n')


def test_a_course_name_that_is_no_folder_name_is_refused(tiny_root):
    result = run_build(tiny_root, "new", "../elsewhere", "Escape")
    assert (result.returncode, result.stderr) == (2, "course '../elsewhere': use letters, digits, '.', '_' and '-'\n")
    assert not (tiny_root / "elsewhere").exists()


@pytest.mark.kernel
def test_new_exercise_is_listed_beside_its_tutorial_and_builds(tiny_root):
    course = tiny_root / "lessons" / "tiny" / "course.yml"
    course.write_text(course.read_text().replace("  - ", "- "))  # items flush with the key: kept so
    ok(run_build(tiny_root, "new", "tiny", "Loops"))
    result = ok(run_build(tiny_root, "new", "tiny", "Exercise: Plots", "--exercise-of", "01-plots"))
    assert result.stdout == "wrote lessons/tiny/01-exercise-plots.md\n"
    assert course.read_text().endswith("lessons:\n- tutorial: 01-plots\n  exercise: 01-exercise-plots\n- 02-loops\n")
    again = run_build(tiny_root, "new", "tiny", "Exercise: Again", "--exercise-of", "01-plots")
    assert (again.returncode, again.stderr) == (2, "lesson '01-plots' has an exercise already\n")
    ok(run_build(tiny_root))
    page = (tiny_root / "site" / "tiny" / "01-exercise-plots" / "index.html").read_text()
    assert 'href="../01-plots/"' in page and 'href="../02-loops/"' in page  # its tutorial, and #$KEEP_GOING$


def test_a_broken_course_file_or_new_lesson_template_is_one_line_and_nothing_is_written(tiny_root):
    course = tiny_root / "lessons" / "tiny" / "course.yml"
    course.write_text(course.read_text() + "  - [unclosed\n")
    before = course.read_text()
    result = run_build(tiny_root, "new", "tiny", "More")
    assert (result.returncode, result.stderr.split(": invalid YAML")[0]) == (2, "lessons/tiny/course.yml:6")
    assert course.read_text() == before and not (tiny_root / "lessons" / "tiny" / "02-more.md").exists()
    course.write_text(before.replace("  - [unclosed\n", ""))
    template = tiny_root / "templates" / "new" / "lesson.md.j2"
    template.parent.mkdir(parents=True)
    template.write_text("---\ntitle: {{ title | yaml_string }}\n---\n{{ nothing_here }}\n")
    result = run_build(tiny_root, "new", "tiny", "More")
    assert (result.returncode, result.stderr) == (
        2, "templates/new/lesson.md.j2:4: template error: UndefinedError: 'nothing_here' is undefined\n")
    assert not (tiny_root / "lessons" / "tiny" / "02-more.md").exists()


@pytest.mark.parametrize(("args", "message"), [
    (["tiny", ""], 'the lesson needs a title, such as "Loops and Lists"'),
    (["tiny", "   "], 'the lesson needs a title, such as "Loops and Lists"'),
    (["tiny", "Two\nLines"], "title 'Two\\nLines': a title is one line, without control characters"),
    (["tiny/../x", "T"], "course 'tiny/../x': use letters, digits, '.', '_' and '-'"),
    (["tiny ", "T"], "course 'tiny ': use letters, digits, '.', '_' and '-'"),
    (["a#b?c%", "T"], "course 'a#b?c%': use letters, digits, '.', '_' and '-'"),
    (["notes.txt", "T"], "course 'notes.txt': lessons/notes.txt is a file, not a folder"),
])
def test_an_empty_title_or_a_course_name_that_is_no_folder_is_refused_and_nothing_is_written(tiny_root, args, message):
    (tiny_root / "lessons" / "notes.txt").write_text("mine\n")
    before = sorted(path for path in tiny_root.rglob("*"))
    result = run_build(tiny_root, "new", *args)
    assert (result.returncode, result.stderr, result.stdout) == (2, message + "\n", "")
    assert sorted(path for path in tiny_root.rglob("*")) == before


def test_new_strips_the_spaces_around_a_title(tiny_root):
    assert ok(run_build(tiny_root, "new", "tiny", "  Loops  ")).stdout == "wrote lessons/tiny/02-loops.md\n"
    assert (tiny_root / "lessons" / "tiny" / "02-loops.md").read_text().startswith('---\ntitle: "Loops"\n')

from tests.conftest import run_build


def test_new_lesson_is_listed_and_builds(tiny_root):
    result = run_build(tiny_root, "new", "tiny", "Loops & Lists")
    assert result.returncode == 0, result.stderr
    assert result.stdout == "wrote lessons/tiny/02-loops-lists.md\n"
    assert (tiny_root / "lessons" / "tiny" / "course.yml").read_text().endswith("lessons:\n- 01-plots\n- 02-loops-lists\n")
    assert run_build(tiny_root, "check").stdout == "2 lessons in 1 course: no problems\n"
    build = run_build(tiny_root)
    assert build.returncode == 0, build.stderr
    assert "Loops &amp; Lists" in (tiny_root / "site" / "tiny" / "02-loops-lists" / "index.html").read_text()


def test_new_course_folder_is_created(tiny_root):
    assert run_build(tiny_root, "new", "fresh-course", "First Steps").returncode == 0
    course = (tiny_root / "lessons" / "fresh-course" / "course.yml").read_text()
    assert course.startswith("title: Fresh Course\n") and "- 01-first-steps" in course


def test_new_exercise_is_listed_beside_its_tutorial_and_builds(tiny_root):
    run_build(tiny_root, "new", "tiny", "Loops")
    result = run_build(tiny_root, "new", "tiny", "Exercise: Plots", "--exercise-of", "01-plots")
    assert result.returncode == 0, result.stderr
    assert result.stdout == "wrote lessons/tiny/01-exercise-plots.md\n"
    course = (tiny_root / "lessons" / "tiny" / "course.yml").read_text()
    assert course.endswith("lessons:\n- tutorial: 01-plots\n  exercise: 01-exercise-plots\n- 02-loops\n")
    again = run_build(tiny_root, "new", "tiny", "Exercise: Again", "--exercise-of", "01-plots")
    assert (again.returncode, again.stderr) == (2, "lesson '01-plots' has an exercise already\n")
    build = run_build(tiny_root)
    assert build.returncode == 0, build.stderr
    page = (tiny_root / "site" / "tiny" / "01-exercise-plots" / "index.html").read_text()
    assert 'href="../01-plots/"' in page and 'href="../02-loops/"' in page  # its tutorial, and #$KEEP_GOING$

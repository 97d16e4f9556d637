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

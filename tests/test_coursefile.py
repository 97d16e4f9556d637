from pathlib import Path

import pytest

from lessonbuild.coursefile import open_course_file, read_course_file, with_kernels
from lessonbuild.errors import SourceError
from lessonbuild.model import Lesson

PATH = Path("lessons/c/course.yml")
COURSE = """\
title: T
kaggle:
  owner: team
  data_source: team/course-data
  enable_gpu: true
  dataset_sources: [team/extra]
lessons:
  - 01-first
  - tutorial: 02-second
    exercise:
      lesson: 02-exercise-second
      kaggle: {id: 77, enable_internet: true, kernel_sources: [01-first, other/kernel]}
    topic: the second thing
  - exercise: 03-practice
"""


def lesson(slug: str, title: str) -> Lesson:
    return Lesson(slug=slug, path=Path(f"lessons/c/{slug}.md"), front_matter={"title": title}, cells=())


def test_each_notebook_is_listed_with_its_role_number_and_line():
    listed = read_course_file(COURSE, PATH).listed
    assert [(e.slug, e.role, e.number, e.line) for e in listed] == [
        ("01-first", "tutorial", 1, 8),
        ("02-second", "tutorial", 2, 9),
        ("02-exercise-second", "exercise", 2, 10),
        ("03-practice", "exercise", 3, 14),
    ]
    assert read_course_file(COURSE, PATH).topics == {2: "the second thing"}


def test_kernels_take_the_course_defaults_their_own_settings_and_the_data_source():
    course_file = read_course_file(COURSE, PATH)
    lessons = {s: lesson(s, t) for s, t in [("01-first", "First Steps"), ("02-exercise-second", "Exercise: Second")]}
    kernels = with_kernels(course_file, lessons)
    first, exercise = kernels["01-first"], kernels["02-exercise-second"]
    assert (first.slug, first.title, first.id) == ("team/first-steps", "First Steps", None)
    assert first.settings["enable_gpu"] is True and first.settings["enable_internet"] is False
    assert first.settings["dataset_sources"] == ["team/course-data", "team/extra"]
    assert exercise.slug == "team/exercise-second" and exercise.id == 77
    assert exercise.settings["enable_internet"] is True
    assert exercise.settings["kernel_sources"] == ["other/kernel", "team/first-steps"]  # a lesson stands for its kernel
    assert first.url == "https://www.kaggle.com/code/team/first-steps"
    assert exercise.forking_url == "https://www.kaggle.com/kernels/fork/77"
    assert first.forking_url == first.url  # no id yet: the kernel's page, which has "Copy & Edit"


def test_no_kaggle_settings_no_kernels():
    course_file = read_course_file("title: T\nlessons: [01-a]\n", PATH)
    assert course_file.kaggle is None
    assert with_kernels(course_file, {"01-a": lesson("01-a", "A")}) == {}


@pytest.mark.parametrize(
    "text, line, message",
    [
        ("title: T\nlessons:\n  - 01-a\n  - tutorial: 01-a\n", 4, "lesson '01-a' is listed twice (first at line 3)"),
        ("title: T\nlessons:\n  - tutorial: 01-a\n    exercize: 01-b\n", 4,
         "unknown key 'exercize' (expected one of: exercise, topic, tutorial)"),
        ("title: T\nlessons:\n  - topic: nothing\n", 3, "a lesson names its tutorial, its exercise or both"),
        ("title: T\nkaggle:\n  ownr: x\nlessons: [a]\n", 3, "unknown key 'ownr'"),
        ("title: T\nkaggle:\n  owner: x\n  enable_gpu: yes please\nlessons: [a]\n", 4, "'kaggle.enable_gpu'"),
        ("title: T\nlessons:\n  - 01-a\n  - tutorial: 02-b\n    exercise: index\n", 5,
         "a lesson cannot be named 'index': its page would be the course's own page"),
    ],
)
def test_mistakes_name_their_line(text, line, message):
    with pytest.raises(SourceError) as caught:
        read_course_file(text, PATH)
    assert str(caught.value).startswith(f"lessons/c/course.yml:{line}: ")
    assert message in str(caught.value)


def test_kernel_titles_over_kaggles_limit_and_kernels_without_owner_are_reported():
    course_file = read_course_file("title: T\nkaggle: {owner: team}\nlessons:\n  - 01-a\n", PATH)
    with pytest.raises(SourceError, match=r"course.yml:4: Kaggle allows kernel titles of 50 characters; 'x{60}' has 60"):
        with_kernels(course_file, {"01-a": lesson("01-a", "x" * 60)})
    course_file = read_course_file("title: T\nkaggle: {enable_gpu: true}\nlessons:\n  - 01-a\n", PATH)
    with pytest.raises(SourceError, match=r"course.yml:4: lesson '01-a' needs a kaggle slug, or the course's kaggle settings an owner"):
        with_kernels(course_file, {"01-a": lesson("01-a", "A")})


def test_two_notebooks_with_one_kaggle_slug_is_an_error_at_the_second():
    text = ("title: T\nkaggle: {owner: team}\nlessons:\n  - 01-a\n  - tutorial:\n      lesson: 02-b\n"
            "      kaggle: {slug: team/a}\n")
    course_file = read_course_file(text, PATH)
    with pytest.raises(SourceError) as caught:
        with_kernels(course_file, {"01-a": lesson("01-a", "A"), "02-b": lesson("02-b", "B")})
    assert str(caught.value) == (f"{PATH.as_posix()}:5: kaggle slug 'team/a' is the kernel of line 4 too: "
                                 "each push would overwrite the other (give one a slug or a title)")


BOMB = "".join(f"  a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9) if i else ', '.join('x' * 9)}]\n" for i in range(9))


@pytest.mark.parametrize("text", [
    f"title: T\ndescription:\n{BOMB}lessons: [01-first]\n",  # a string is expected there: the bomb must not be built
    "title: T\nlessons: " + "[" * 3000 + "]" * 3000 + "\n",
])
def test_an_alias_bomb_or_deep_nesting_is_one_line_for_check_and_for_the_commands_that_edit(tmp_path, text):
    folder = tmp_path / "c"
    folder.mkdir()
    (folder / "course.yml").write_text(text)
    for read in (lambda: read_course_file(text, PATH), lambda: open_course_file(folder, PATH)):
        with pytest.raises(SourceError) as caught:
            read()
        assert str(caught.value) in ("lessons/c/course.yml:8: YAML aliases here expand to 597,871 values, more than the "
                                     "100,000 a document may hold (an alias bomb?)",
                                     "lessons/c/course.yml:2: YAML nested more than 100 levels deep")


def test_the_commands_that_edit_refuse_lessons_they_could_not_read(tmp_path):
    (tmp_path / "course.yml").write_text("title: T\nlessons:\n  - tutorial: [01-first]\n")
    with pytest.raises(SourceError) as caught:
        open_course_file(tmp_path, PATH)
    assert str(caught.value) == "lessons/c/course.yml:3: 'lessons.0.tutorial': ['01-first'] is not valid under any of the given schemas"
    (tmp_path / "course.yml").write_text("title: T\nlessons: []  # none yet\n")
    assert open_course_file(tmp_path, PATH)["lessons"] == []

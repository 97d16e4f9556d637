"""A learntools track imported in one command: its track_meta.py read as data, its course as learntools renders it."""
import json
import shutil

import pytest

from lessonbuild.importers.tracks import plan_track
from tests.conftest import FIXTURES, LEARNTOOLS, REPOSITORY, run_build

TRACK = FIXTURES / "learntools-track"
LONG_TITLE = "Strides and the Sliding Window of a Very Long Lesson Name"


@pytest.fixture
def track(tmp_path):
    """The track folder as learntools keeps one: track_meta.py, its configurations, raw/ notebooks."""
    folder = tmp_path / "pooling_basics"
    shutil.copytree(TRACK, folder)
    raw = folder / "raw"
    raw.mkdir()
    for name, fixture in (("pooling", "tut1"), ("pooling-exercise", "ex1"), ("strides", "tut2"),
                          ("prepare", "tut2"), ("scratch", "tut2")):
        shutil.copy(LEARNTOOLS / f"{fixture}.ipynb", raw / f"{name}.ipynb")
    for helper in ("pooltools.py", "grid.txt"):
        shutil.copy(LEARNTOOLS / helper, raw / helper)
    return folder


@pytest.fixture
def imported(track, tmp_path):
    root = tmp_path / "project"
    (root / "lessons").mkdir(parents=True)
    shutil.copy(REPOSITORY / "mkdocs.yml", root / "mkdocs.yml")
    result = run_build(root, "import", str(track))
    assert result.returncode == 0, result.stderr
    return root, result


def test_the_plan_follows_track_meta(track):
    plan = plan_track(track, track)
    assert plan.title == "Pooling Basics"
    assert plan.kaggle == {"owner": "learn-team", "course_url": "https://www.kaggle.com/learn/pooling-basics",
                           "forum_url": "https://www.kaggle.com/learn/pooling-basics/discussion", "is_private": False}
    first, second = plan.lessons
    assert (first.topic, first.tutorial.title, first.exercise.title) == ("pooling by hand", "Pooling by Hand", "Exercise: Pooling by Hand")
    assert first.exercise.kaggle == {
        "slug": "learn-team/exercise-pooling-by-hand", "id": 2000, "enable_internet": True,
        "dataset_sources": ["learn-team/pooling-data"],
        "kernel_sources": ["learn-team/pooling-by-hand", "learn-team/prepare-the-grids"],  # files resolved to kernels
    }
    assert second.exercise is None and second.tutorial.title == LONG_TITLE
    assert second.tutorial.kaggle["title"] == LONG_TITLE[:49]  # Kaggle takes 50 characters; learntools cuts at 49
    assert second.tutorial.kaggle["slug"] == "learn-team/" + "-".join(LONG_TITLE[:49].lower().split())
    assert [str(w).split(": warning: ")[1] for w in plan.warnings] == [
        "an 'extra' notebook of the track, not a lesson: not imported", "not listed in track_meta.py: not imported"]


def test_one_command_imports_the_track_as_a_course(imported):
    root, result = imported
    assert result.stdout.splitlines()[-3:] == [
        "imported lessons/pooling-basics/01-pooling-by-hand.md",
        "imported lessons/pooling-basics/01-exercise-pooling-by-hand.md",
        "imported lessons/pooling-basics/02-strides-and-the-sliding-window-of-a-very-long-lesson-name.md",
    ]
    course = (root / "lessons" / "pooling-basics" / "course.yml").read_text()
    assert course.startswith("title: Pooling Basics\n")
    assert "  topic: pooling by hand\n" in course and "      id: 2000\n" in course
    assert run_build(root, "check").returncode == 0


def test_the_kaggle_kernels_are_learntools_own(imported):
    root, _ = imported
    built = run_build(root, "kaggle")
    assert built.returncode == 0, built.stderr
    kernels = root / "_build" / "kaggle" / "pooling-basics"
    exercise = json.loads((kernels / "01-exercise-pooling-by-hand" / "kernel-metadata.json").read_text())
    assert (exercise["id"], exercise["id_no"], exercise["title"], exercise["is_private"]) == (
        "learn-team/exercise-pooling-by-hand", 2000, "Exercise: Pooling by Hand", False)
    assert exercise["kernel_sources"] == ["learn-team/pooling-by-hand", "learn-team/prepare-the-grids"]
    strides = json.loads((kernels / "02-strides-and-the-sliding-window-of-a-very-long-lesson-name" / "kernel-metadata.json").read_text())
    assert strides["title"] == LONG_TITLE[:49] and strides["id_no"] == 1001
    notebook = json.loads((kernels / "01-pooling-by-hand" / "01-pooling-by-hand.ipynb").read_text())
    text = "\n".join("".join(cell["source"]) for cell in notebook["cells"])
    assert "https://www.kaggle.com/kernels/fork/2000" in text  # #$EXERCISE_FORKING_URL$ reaches the exercise's kernel
    # Without a dataset of the course's own, the data paths are the kernel's own inputs again.
    assert "np.loadtxt('/kaggle/input/pooling-data/grid.txt')" in text


@pytest.mark.parametrize("code, expected", [
    ("import os\ntrack = {}\n", "track_meta.py:1: track_meta.py is read as data, not run: a statement of kind Import is not read"),
    ("track = dict()\nlessons = open('x').read()\n",
     "track_meta.py:2: track_meta.py is read as data, not run: the name 'open', which the file does not set, is not read"),
    ("track = {}\nlessons = ''.join(['a'])\n", "track_meta.py:2: track_meta.py is read as data, not run: the method str.join is not read"),
    ("track = {}\nlessons = []\nnotebooks = [lessons[3]]\n", "track_meta.py:3: track_meta.py: IndexError: list index out of range"),
    ("track = {}\nlessons = []\n", "track_meta.py:1: track_meta.py sets no 'notebooks'"),
])
def test_track_meta_is_read_as_data_and_anything_else_is_refused_at_its_line(tmp_path, code, expected):
    from lessonbuild.errors import SourceError
    from lessonbuild.importers.trackmeta import read_track_meta

    (tmp_path / "track_meta.py").write_text(code)
    with pytest.raises(SourceError) as caught:
        read_track_meta(tmp_path / "track_meta.py", tmp_path.relative_to(tmp_path) / "track_meta.py")
    assert str(caught.value) == expected

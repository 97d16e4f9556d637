"""A course's own files: what a lesson's code may use, and the zips learners download."""
import io
import zipfile

from lessonbuild.pipeline.bundle import course_bundle, course_files, escaping_links, lesson_bundle


def course(tmp_path):
    folder = tmp_path / "course"
    (folder / "data" / "deep").mkdir(parents=True)
    (folder / "data" / "deep" / "values.csv").write_text("1,2\n")
    (folder / "helper.py").write_text("X = 1\n")
    (folder / "shapes").mkdir()
    (folder / "shapes" / "__init__.py").write_text("")
    (folder / "shapes" / "__pycache__").mkdir()
    (folder / "shapes" / "__pycache__" / "x.pyc").write_bytes(b"\0")
    (folder / "notes").mkdir()  # a folder that is no package: not the code's
    (folder / "notes" / "todo.py").write_text("")
    (folder / "01-lesson.md").write_text("# L\n")
    return folder


def test_the_helpers_their_packages_and_data_and_nothing_else(tmp_path):
    folder = course(tmp_path)
    names = [p.relative_to(folder).as_posix() for p in course_files(folder)]
    assert names == ["data/deep/values.csv", "helper.py", "shapes/__init__.py"]
    assert course_files(tmp_path) == [] and course_bundle(tmp_path) is None


def test_the_same_files_give_the_same_bytes_and_a_lesson_zip_is_one_folder(tmp_path):
    folder = course(tmp_path)
    first = course_bundle(folder, prefix="c/")
    assert first == course_bundle(folder, prefix="c/")  # fixed dates: a republished zip is byte for byte the same
    lesson = zipfile.ZipFile(io.BytesIO(lesson_bundle(folder, "01-lesson.ipynb", b"{}", prefix="01-lesson/")))
    assert sorted(lesson.namelist()) == ["01-lesson/01-lesson.ipynb", "01-lesson/data/deep/values.csv",
                                         "01-lesson/helper.py", "01-lesson/shapes/__init__.py"]
    assert lesson.read("01-lesson/01-lesson.ipynb") == b"{}"


def test_links_out_of_the_project_are_never_carried_and_are_named_once_each(tmp_path):
    folder = course(tmp_path / "project" / "lessons")  # lessons/course/ in its project
    data = folder / "data"
    outside = tmp_path / "elsewhere"  # the machine's own files (/etc/passwd), here ones the test may read
    (outside / "more").mkdir(parents=True)
    (outside / "passwd").write_text("root:x:0:0\n")
    (data / "passwd").symlink_to(outside / "passwd")
    (folder / "evil.py").symlink_to(outside / "passwd")
    (data / "same.csv").symlink_to("deep/values.csv")  # a link that stays inside the course is its file
    (outside / "more" / "secret.txt").write_text("not the course's\n")
    (data / "linked").symlink_to(outside)  # os.walk does not follow a linked folder: nothing in it is carried
    names = [p.relative_to(folder).as_posix() for p in course_files(folder)]
    assert names == ["data/deep/values.csv", "data/same.csv", "helper.py", "shapes/__init__.py"]
    assert escaping_links(folder) == [data / "passwd", folder / "evil.py"]
    with zipfile.ZipFile(io.BytesIO(course_bundle(folder, prefix="c/"))) as archive:
        assert "c/data/passwd" not in archive.namelist() and "c/evil.py" not in archive.namelist()


def test_a_data_folder_that_is_a_link_out_of_the_project_is_one_link(tmp_path):
    folder = tmp_path / "project" / "lessons" / "course"
    folder.mkdir(parents=True)
    outside = tmp_path / "elsewhere"
    (outside / "deep").mkdir(parents=True)
    for name in ("a.txt", "b.txt", "deep/c.txt"):
        (outside / name).write_text("x\n")
    (folder / "data").symlink_to(outside)
    assert course_files(folder) == [] and course_bundle(folder) is None
    assert escaping_links(folder) == [folder / "data"]

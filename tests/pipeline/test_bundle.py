"""A course's own files: what a lesson's code may use, and the zips learners download."""
import io
import zipfile

from lessonbuild.pipeline.bundle import course_bundle, course_files, lesson_bundle


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

"""A course's own files: what a lesson's code may use, and the zips learners download."""
import io
import zipfile

from lessonbuild.pipeline.bundle import (
    course_bundle,
    course_files,
    escaping_links,
    files_named,
    lesson_bundle,
    named_candidates,
)


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
    names = [p.relative_to(folder).as_posix() for p in course_files(folder, tmp_path)]
    assert names == ["data/deep/values.csv", "helper.py", "shapes/__init__.py"]
    assert course_files(tmp_path, tmp_path) == [] and course_bundle(tmp_path, tmp_path) is None


def test_the_same_files_give_the_same_bytes_and_a_lesson_zip_is_one_folder(tmp_path):
    folder = course(tmp_path)
    first = course_bundle(folder, tmp_path, prefix="c/")
    assert first == course_bundle(folder, tmp_path, prefix="c/")  # fixed dates: a republished zip is byte for byte the same
    files = course_files(folder, tmp_path)
    lesson = zipfile.ZipFile(io.BytesIO(lesson_bundle(folder, files, "01-lesson.ipynb", b"{}", prefix="01-lesson/")))
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
    names = [p.relative_to(folder).as_posix() for p in course_files(folder, tmp_path / "project")]
    assert names == ["data/deep/values.csv", "data/same.csv", "helper.py", "shapes/__init__.py"]
    assert escaping_links(folder, tmp_path / "project") == [data / "passwd", folder / "evil.py"]
    with zipfile.ZipFile(io.BytesIO(course_bundle(folder, tmp_path / "project", prefix="c/"))) as archive:
        assert "c/data/passwd" not in archive.namelist() and "c/evil.py" not in archive.namelist()


def test_a_data_folder_that_is_a_link_out_of_the_project_is_one_link(tmp_path):
    folder = tmp_path / "project" / "lessons" / "course"
    folder.mkdir(parents=True)
    outside = tmp_path / "elsewhere"
    (outside / "deep").mkdir(parents=True)
    for name in ("a.txt", "b.txt", "deep/c.txt"):
        (outside / name).write_text("x\n")
    (folder / "data").symlink_to(outside)
    assert course_files(folder, tmp_path / "project") == [] and course_bundle(folder, tmp_path / "project") is None
    assert escaping_links(folder, tmp_path / "project") == [folder / "data"]


def book(tmp_path):
    """A book whose chapter reads data beside it and in a sibling folder, and imports a helper beside it."""
    (tmp_path / "chapter" / "data").mkdir(parents=True)
    (tmp_path / "chapter" / "data" / "x.csv").write_text("1\n")
    (tmp_path / "chapter" / "page.md").write_text("# P\n")
    (tmp_path / "chapter" / "helper.py").write_text("X = 1\n")
    (tmp_path / "shared").mkdir()
    (tmp_path / "shared" / "big.csv").write_text("2\n")
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "config").write_text("[remote]\n")
    (tmp_path / "intro.md").write_text("# I\n")
    return tmp_path / "chapter"


def test_a_book_page_carries_the_files_its_code_names_beside_it_and_nothing_hidden_or_holding_pages(tmp_path):
    folder = book(tmp_path)
    code = ("import helper, numpy\nopen('data/x.csv')\npd.read_csv('../shared/big.csv')\nopen('../.git/config')\n"
            "os.listdir('.')\nos.listdir('..')\nprint('hello world')\nopen('/etc/passwd')\nopen('../../outside.txt')")
    (tmp_path.parent / "outside.txt").write_text("not the book's\n")
    found = files_named(named_candidates(code, folder), folder, tmp_path)
    assert [p.relative_to(tmp_path).as_posix() for p in found] == ["chapter/data/x.csv", "chapter/helper.py", "shared/big.csv"]
    zipped = lesson_bundle(tmp_path, found, "chapter/page.ipynb", b"{}", prefix="page/")
    assert sorted(zipfile.ZipFile(io.BytesIO(zipped)).namelist()) == [
        "page/chapter/data/x.csv", "page/chapter/helper.py", "page/chapter/page.ipynb", "page/shared/big.csv"]


def test_a_book_page_may_name_a_data_folder_but_not_one_that_holds_pages(tmp_path):
    folder = book(tmp_path)
    found = files_named(named_candidates("glob('../shared')\nglob('data')\nglob('../chapter')", folder), folder, tmp_path)
    assert [p.relative_to(tmp_path).as_posix() for p in found] == ["chapter/data", "shared"]

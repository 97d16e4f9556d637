"""A run's scratch copy of its course: what it holds, what a run wrote there, and where it is kept."""
from lessonbuild.prepare import prepare
from lessonbuild.workspace import Workspace


def test_a_copy_of_the_helpers_and_data_alone_and_what_the_run_wrote_in_it(tiny_project):
    course_folder = tiny_project.root / "lessons" / "tiny"
    package = course_folder / "shapes"
    package.mkdir()
    (package / "__init__.py").write_text("from .draw import square\n")
    (package / "draw.py").write_text("def square():\n    return 4\n")
    (rendered,) = [r for _, lessons in prepare(tiny_project) for r in lessons]
    workspace = Workspace(tiny_project, rendered)
    copied = sorted(p.relative_to(workspace.folder).as_posix() for p in workspace.folder.rglob("*") if p.is_file())
    assert copied == ["data/values.txt", "helper.py", "shapes/__init__.py", "shapes/draw.py"]  # no lesson, no course.yml
    (workspace.folder / "out.txt").write_text("new")
    (workspace.folder / "data" / "values.txt").write_text("changed")
    traceback = f'File "{workspace.folder}/helper.py", line 2'
    assert workspace.as_course_folder(traceback) == f'File "{course_folder}/helper.py", line 2'
    assert workspace.keep() == ["data/values.txt", "out.txt"]
    kept = tiny_project.build_dir / "scratch" / "tiny" / "01-plots"
    assert (kept / "out.txt").read_text() == "new" and not workspace.folder.exists()
    assert (course_folder / "data" / "values.txt").read_text() == "1 3 2 5 4\n"  # the course's own file as it was
    again = Workspace(tiny_project, rendered)
    assert again.keep() == [] and not (kept / "out.txt").exists()  # the last run's folder replaces the one before

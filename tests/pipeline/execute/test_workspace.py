"""A run's scratch copy of its course: what it holds, what a run wrote there, and where it is kept."""
from lessonbuild.pipeline.execute.workspace import Workspace
from lessonbuild.pipeline.prepare import prepare


def test_a_copy_of_what_the_code_may_use_and_what_the_run_wrote_in_it(tiny_project):
    course_folder = tiny_project.root / "lessons" / "tiny"
    (course_folder / "shapes").mkdir()
    (course_folder / "shapes" / "__init__.py").write_text("from .draw import square\n")
    (course_folder / "images").mkdir()
    (course_folder / "images" / "logo.svg").write_text("<svg/>")
    (rendered,) = [r for _, lessons in prepare(tiny_project) for r in lessons]
    with Workspace(tiny_project, rendered) as workspace:
        folder = workspace.folder
        copied = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())
        # What the learners' zips carry and the cache follows: no lesson, no course.yml, no images of the prose
        assert copied == ["data/values.txt", "helper.py", "shapes/__init__.py"]
        (folder / "out.txt").write_text("new")
        (folder / "data" / "values.txt").write_text("changed")
        traceback = f'File "{folder}/helper.py", line 2'
        assert workspace.as_course_folder(traceback) == f'File "{course_folder}/helper.py", line 2'
        assert workspace.written() == ["data/values.txt", "out.txt"]
    assert folder == tiny_project.build_dir / "scratch" / "tiny" / "01-plots"  # the same path at every run
    kept = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())
    assert kept == ["data/values.txt", "out.txt"]  # what the run wrote, and nothing it left as it was
    assert (course_folder / "data" / "values.txt").read_text() == "1 3 2 5 4\n"  # the course's own file as it was
    with Workspace(tiny_project, rendered) as again:
        assert not (again.folder / "out.txt").exists() and again.written() == []  # each run starts from the course

"""Execution in a real kernel (no TensorFlow here: these stay fast)."""
import pytest

from lessonbuild.errors import CellFailure
from lessonbuild.pipeline.execute.kernel import run_notebook
from lessonbuild.pipeline.read import read_courses
from lessonbuild.pipeline.render.notebooks import render_course
from lessonbuild.project import Settings, load_project
from tests.conftest import make_project

pytestmark = [pytest.mark.kernel]


def rendered_lesson(tmp_path, body, front="title: T\n", settings=None):
    project = load_project(make_project(tmp_path, {"01-x": f"---\n{front}---\n{body}"}))
    if settings is not None:
        project = type(project)(root=project.root, settings=settings)
    (course,) = read_courses(project)
    return render_course(course, project)[0], project


def execute(tmp_path, body, **kwargs):
    rendered, project = rendered_lesson(tmp_path, body, **kwargs)
    return run_notebook(rendered, project)


def failure_of(tmp_path, body, **kwargs) -> CellFailure:
    with pytest.raises(CellFailure) as caught:
        execute(tmp_path, body, **kwargs)
    return caught.value


def test_outputs_helpers_and_data_resolve_from_the_course_folder(tiny_project):
    (course,) = read_courses(tiny_project)
    executed = run_notebook(render_course(course, tiny_project)[0], tiny_project)
    code = [cell for cell in executed.notebook.cells if cell.cell_type == "code"]
    assert code[0].outputs[0].text == "hello from the helper\n"
    assert "image/png" in code[1].outputs[0].data
    recorded = [cell.metadata.lessonbuild for cell in code]  # each cell's wall time, as a number
    wall = "seconds"
    assert [sorted(entry) for entry in recorded] == [[wall]] * len(code)
    values = [entry[wall] for entry in recorded]
    assert all(isinstance(value, float) and value >= 0 for value in values)
    info = executed.notebook.metadata.lessonbuild.execution
    assert info["device"] == "CPU" and executed.device == "CPU"
    assert info["python"].count(".") == 2 and "tensorflow" not in info


def test_a_failing_cell_names_the_lesson_line_that_raised(tmp_path):
    body = ("```{code-cell} ipython3\ndef explode():\n    raise ValueError('bad value')\n```\n\n"
            "Text.\n\n```{code-cell} ipython3\nx = 1\nexplode()\n```\n")
    failure = failure_of(tmp_path, body)
    # The deepest lesson frame is the raise inside explode(), line 6 of the source.
    assert str(failure) == "lessons/tiny/01-x.md:6: ValueError: bad value"
    assert "lessons/tiny/01-x.md:13" in failure.details  # the call, mapped too
    assert "Cell In[" not in failure.details


def test_a_cell_tagged_raises_exception_may_raise(tmp_path):
    body = "```{code-cell} ipython3\n:tags: [raises-exception]\n1 / 0\n```\n```{code-cell} ipython3\nprint('after')\n```\n"
    executed = execute(tmp_path, body)
    outputs = [cell.outputs for cell in executed.notebook.cells if cell.cell_type == "code"]
    assert outputs[0][0].ename == "ZeroDivisionError"
    assert outputs[1][0].text == "after\n"


def test_a_cell_past_its_timeout_is_stopped_and_named(tmp_path):
    body = "```{code-cell} ipython3\nimport time\n```\n```{code-cell} ipython3\ntime.sleep(30)\n```\n"
    failure = failure_of(tmp_path, body, front="title: T\ntimeout: 1\n")
    assert str(failure) == "lessons/tiny/01-x.md:9: cell timed out after 1 s"


def test_a_dead_kernel_is_reported_as_such(tmp_path):
    failure = failure_of(tmp_path, "```{code-cell} ipython3\nimport os\nos._exit(3)\n```\n")
    assert str(failure).startswith("lessons/tiny/01-x.md:5: the kernel died while running this cell")
    assert failure.kernel_log.as_posix() == "_build/logs/tiny/01-x.kernel.log"


def test_lesson_code_cannot_read_the_builds_secrets(tmp_path, monkeypatch):
    monkeypatch.setenv("LESSONBUILD_TEST_TOKEN", "s3cret")
    monkeypatch.setenv("LESSONBUILD_ALLOWED", "visible")
    body = ("```{code-cell} ipython3\nimport os\n"
            "print(os.environ.get('LESSONBUILD_TEST_TOKEN'), os.environ.get('LESSONBUILD_ALLOWED'))\n```\n")
    executed = execute(tmp_path, body, settings=Settings(kernel_env=("LESSONBUILD_ALLOWED",)))
    (cell,) = [c for c in executed.notebook.cells if c.cell_type == "code"]
    assert cell.outputs[0].text == "None visible\n"


def test_mystnb_execution_settings_of_the_notebook_are_honoured(tmp_path):
    body = "```{code-cell} ipython3\nraise ValueError('shown, not fatal')\n```\n```{code-cell} ipython3\nprint('after')\n```\n"
    executed = execute(tmp_path / "a", body, front="title: T\nexecution: {allow_errors: true}\n")
    code = [cell for cell in executed.notebook.cells if cell.cell_type == "code"]
    assert code[0].outputs[0].ename == "ValueError" and code[1].outputs[0].text == "after\n"
    slow = "```{code-cell} ipython3\nimport time\ntime.sleep(30)\n```\n"
    assert failure_of(tmp_path / "b", slow, front="title: T\nexecution: {timeout: 1}\n").summary == "cell timed out after 1 s"


def test_published_outputs_name_no_folder_of_the_machine_that_ran_them(tmp_path):
    import json
    import sys

    body = ("```{code-cell} ipython3\nimport os, pathlib, json\nprint(os.getcwd())\npathlib.Path(os.getcwd())\n```\n\n"
            "```{code-cell} ipython3\n:tags: [raises-exception]\njson.loads('{')\n```\n\n"
            "```{code-cell} ipython3\n:tags: [raises-exception]\nopen(os.path.join(os.getcwd(), 'missing.csv'))\n```\n")
    executed = execute(tmp_path, body)
    code = [cell for cell in executed.notebook.cells if cell.cell_type == "code"]
    assert code[0].outputs[0].text == ".\n" and code[0].outputs[1].data["text/plain"] == "PosixPath('.')"
    traceback = "\n".join(code[1].outputs[0].traceback)
    assert "JSONDecodeError" in traceback and "python/json/" in traceback
    assert code[2].outputs[0].evalue == "[Errno 2] No such file or directory: './missing.csv'"
    published = json.dumps(executed.notebook)
    for folder in (str(tmp_path), sys.prefix, sys.base_prefix):
        assert folder not in published


def test_a_kernel_that_dies_as_it_starts_is_one_line_and_its_log(tmp_path):
    import json

    from tests.conftest import author_environment, problems, run_build

    spec = tmp_path / "jupyter" / "kernels" / "dies"
    spec.mkdir(parents=True)
    argv = ["python3", "-c", "import sys; print('no kernel here', file=sys.stderr); sys.exit(3)", "{connection_file}"]
    (spec / "kernel.json").write_text(json.dumps({"argv": argv, "display_name": "dies", "language": "python"}))
    lesson = "---\ntitle: T\nkernelspec: {name: dies, display_name: dies}\n---\n\n```{code-cell} ipython3\nprint(1)\n```\n"
    root = make_project(tmp_path / "p", {"01-x": lesson})
    result = run_build(root, env={**author_environment(), "JUPYTER_PATH": str(tmp_path / "jupyter")})
    assert result.returncode == 1
    assert problems(result.stderr) == ["lessons/tiny/01-x.md:1: the kernel died as it started, before any cell ran",
                                       "the kernel's own output is in _build/logs/tiny/01-x.kernel.log"]
    assert "no kernel here" in (root / "_build" / "logs" / "tiny" / "01-x.kernel.log").read_text()

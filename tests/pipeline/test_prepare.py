"""Everything short of executing, as `check` and every build do it first."""
import pytest

from lessonbuild.errors import SourceErrors
from lessonbuild.pipeline.prepare import prepare
from lessonbuild.project import load_project
from tests.conftest import make_project


def test_a_kernel_that_is_not_installed_is_an_error_at_its_line_unless_a_gateway_runs_it(tmp_path):
    front = "---\ntitle: T\nkernelspec:\n  display_name: Julia\n  name: julia-1.9\n---\nProse.\n"
    project = load_project(make_project(tmp_path, {"01-x": front}))
    with pytest.raises(SourceErrors) as caught:
        prepare(project)
    (error,) = caught.value.errors
    assert str(error).startswith("lessons/tiny/01-x.md:5: kernel 'julia-1.9' is not installed here (installed: ")
    assert [rendered.lesson.slug for _, lessons in prepare(project, local_kernels=False) for rendered in lessons] == ["01-x"]

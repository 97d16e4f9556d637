"""The executed notebooks the tests keep (tests/fixtures/executed/) are what the lessons give when they run now."""
import nbformat
import pytest

from lessonbuild.pipeline.execute.kernel import run_notebook
from lessonbuild.project import load_project
from tests.conftest import EXECUTED, FIXTURE_LESSONS, executed_from_fixtures, make_project


def shape(notebook: nbformat.NotebookNode) -> list[list[tuple[str, str]]]:
    """Each code cell's outputs by kind and text; images by their kind alone (their bytes follow the libraries)."""
    def output(o) -> tuple[str, str]:
        text = o.get("text") or o.get("data", {}).get("text/plain", "")
        return o.output_type, "" if "image/png" in o.get("data", {}) else "".join(text)
    return [[output(o) for o in cell.outputs] for cell in notebook.cells if cell.cell_type == "code"]


@pytest.mark.kernel
def test_the_kept_runs_are_what_the_lessons_give_now(tmp_path):
    project = load_project(make_project(tmp_path / "project", FIXTURE_LESSONS))
    for _, lessons in executed_from_fixtures(project):
        for kept in lessons:
            assert shape(run_notebook(kept.rendered, project).notebook) == shape(kept.notebook), (
                f"{EXECUTED} is stale: run tests/fixtures/executed/make.py")


def test_every_kept_run_has_its_outputs(tiny_project):
    [(_, [kept])] = executed_from_fixtures(tiny_project)
    kinds = [[o.output_type for o in cell] for cell in (c.outputs for c in kept.notebook.cells if c.cell_type == "code")]
    assert kinds == [["stream"], ["display_data"], ["display_data"]] and kept.device == "CPU"

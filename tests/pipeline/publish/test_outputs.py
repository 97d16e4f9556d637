"""Large outputs: files beside the page, left out of the download; every other output as it was."""
import nbformat
import pytest

from lessonbuild.pipeline.publish.outputs import LARGE_OUTPUT, externalized, for_download
from tests.conftest import make_project, run_build

LOG = "".join(f"step {n:7d}: loss {1 / (n + 1):.12f}\n" for n in range(40_000))  # over LARGE_OUTPUT


def notebook_with(*outputs):
    cells = nbformat.v4
    return cells.new_notebook(cells=[cells.new_markdown_cell("# T"), cells.new_code_cell("run()", outputs=list(outputs)),
                                     cells.new_code_cell("small()", outputs=[cells.new_output("stream", text="ok\n")])])


def test_a_large_stream_in_pieces_is_one_file_and_the_page_shows_its_ends_and_a_link():
    half = LOG.index("step   20000")
    notebook = notebook_with(nbformat.v4.new_output("stream", text=LOG[:half]), nbformat.v4.new_output("stream", text=LOG[half:]))
    page, files = externalized(notebook, "t_files", "../")
    assert len(LOG) > LARGE_OUTPUT and files == {"t_files/output-1-0.txt": LOG.encode()}
    excerpt, link = page.cells[1].outputs
    assert excerpt.text.startswith("step       0:") and "… 39,920 lines more …\nstep   39980:" in excerpt.text
    assert excerpt.text.endswith("step   39999: loss 0.000025000000\n")
    assert '<a href="../t_files/output-1-0.txt">The whole output</a> (40,000 lines, ' in link.data["text/html"]
    assert page.cells[2] is notebook.cells[2] and notebook.cells[1].outputs[0].text == LOG[:half]  # the original kept


def test_a_large_html_output_is_its_own_page_in_a_frame_and_left_out_of_the_download():
    animation = "<div id='anim'>" + "x" * LARGE_OUTPUT + "</div><script>play()</script>"
    output = nbformat.v4.new_output("display_data", data={"text/html": animation, "text/plain": "<HTML object>"})
    notebook = notebook_with(output)
    page, files = externalized(notebook, "t_files", "")
    (name, data), = files.items()
    assert name == "t_files/output-1-0.html" and animation in data.decode() and data.startswith(b"<!doctype html>")
    assert page.cells[1].outputs[0].data == {"text/html": page.cells[1].outputs[0].data["text/html"]}
    assert 'class="output-frame" src="t_files/output-1-0.html"' in page.cells[1].outputs[0].data["text/html"]
    download = for_download(notebook)
    assert download.cells[1].outputs[0].data["text/plain"].startswith("An output of 0.5 MB, left out of this download")
    assert for_download(notebook_with(nbformat.v4.new_output("stream", text="small\n"))) .cells[1].outputs[0].text == "small\n"


def test_nothing_large_leaves_the_notebook_itself():
    notebook = notebook_with(nbformat.v4.new_output("stream", text="x" * 1000))
    assert externalized(notebook, "t_files", "../") == (notebook, {}) and for_download(notebook) is notebook


@pytest.mark.kernel
def test_a_lesson_printing_a_long_log_publishes_a_small_page_the_whole_log_and_a_small_notebook(tmp_path):
    lesson = "# Log\n\n```{code-cell} ipython3\nfor n in range(40_000):\n    print(f'step {n:7d}: loss {1 / (n + 1):.12f}')\n```\n"
    root = make_project(tmp_path, {"01-log": lesson})
    assert run_build(root).returncode == 0
    site = root / "site" / "tiny"
    (whole,) = (site / "01-log_files").glob("output-*.txt")  # the cell's place among the page's cells names it
    assert whole.read_text() == LOG
    page = (site / "01-log" / "index.html").read_text()
    assert len(page) < 100_000 and f'href="../01-log_files/{whole.name}"' in page and "step   39999" in page
    download = nbformat.read(site / "01-log.ipynb", as_version=4)
    (code,) = [cell for cell in download.cells if cell.cell_type == "code"]
    assert code.outputs[0].text.endswith("(the whole output, 40,000 lines, is on the lesson's page)\n")

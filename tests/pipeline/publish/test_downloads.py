"""What a learner downloads, run as a learner runs it: in an empty folder, in a fresh kernel."""
import shutil
import zipfile

import nbformat
import pytest
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

from tests.conftest import run_build, served

pytestmark = pytest.mark.kernel


def run_all(notebook_path):
    """Run All, in the notebook's folder, as Jupyter would after opening it there."""
    notebook = nbformat.read(notebook_path, as_version=4)
    NotebookClient(notebook, kernel_name="python3", timeout=120, resources={"metadata": {"path": str(notebook_path.parent)}}).execute()
    return notebook


def test_each_lessons_download_runs_where_it_is_unzipped(tiny_root, tmp_path):
    assert run_build(tiny_root).returncode == 0
    downloads = sorted(p for p in (tiny_root / "site" / "tiny").glob("*.zip") if p.name != "tiny-files.zip")
    assert [p.name for p in downloads] == ["01-plots.zip"]
    for download in downloads:
        folder = tmp_path / download.stem
        folder.mkdir()
        with zipfile.ZipFile(download) as archive:
            archive.extractall(folder)
        notebook = run_all(folder / download.stem / f"{download.stem}.ipynb")
        printed = [o.get("text", "") for c in notebook.cells if c.cell_type == "code" for o in c.outputs]
        assert "hello from the helper\n" in printed


def test_a_notebook_opened_alone_fetches_its_files_from_the_site_and_says_what_to_do_when_it_cannot(tiny_root, tmp_path):
    with served(tiny_root / "site") as url:  # the server reads site/ at each request: built below, it is there
        (tiny_root / "mkdocs.yml").write_text((tiny_root / "mkdocs.yml").read_text() + f"site_url: {url}/\n")
        result = run_build(tiny_root)
        assert result.returncode == 0, result.stderr
        page = (tiny_root / "site" / "tiny" / "01-plots" / "index.html").read_text()
        assert "Setup:" not in page and "COURSE_FILES" not in page  # the setup cell is the notebook's, not the page's
        alone = tmp_path / "alone"
        alone.mkdir()
        shutil.copy(tiny_root / "site" / "tiny" / "01-plots.ipynb", alone)
        run_all(alone / "01-plots.ipynb")
        assert (alone / "helper.py").exists() and (alone / "data" / "values.txt").read_text() == "1 3 2 5 4\n"
        zipped = tiny_root / "site" / "tiny" / "tiny-files.zip"
        kept = zipped.read_bytes()
        zipped.unlink()  # with the files beside it, the setup cell fetches nothing: the zip is not needed
        run_all(alone / "01-plots.ipynb")
        zipped.write_bytes(kept)
        (alone / "helper.py").write_text((alone / "helper.py").read_text() + "# the learner's note\n")
        (alone / "data" / "values.txt").unlink()  # one file missing: fetched, and the edited helper left as it is
        run_all(alone / "01-plots.ipynb")
        assert (alone / "data" / "values.txt").exists() and "# the learner's note" in (alone / "helper.py").read_text()
    offline = tmp_path / "offline"
    offline.mkdir()
    shutil.copy(tiny_root / "site" / "tiny" / "01-plots.ipynb", offline)
    with pytest.raises(CellExecutionError) as caught:
        run_all(offline / "01-plots.ipynb")
    assert caught.value.ename == "SystemExit"
    assert f"download {url}/tiny/tiny-files.zip and unzip it beside this notebook." in caught.value.evalue
    assert list(offline.iterdir()) == [offline / "01-plots.ipynb"]

"""A folder of notebooks' own introduction: the course it is imported as is named and described by it."""
import re

import nbformat

from lessonbuild.importers.describe import introduction
from tests.conftest import run_build

README = ("# Data Handbook\n\n[![Binder](https://mybinder.org/badge.svg)](https://mybinder.org)\n\n*Ann Author*\n\n"
          "This repository holds the whole handbook as free [Jupyter](https://jupyter.org) notebooks, `one` per section.\n")


def textbook(root):
    notebooks = root / "notebooks"
    notebooks.mkdir(parents=True)
    (root / ".git").mkdir()
    cells = nbformat.v4
    nbformat.write(cells.new_notebook(cells=[
        cells.new_markdown_cell("**Tools - NumPy**\n\n*NumPy is the library.*"),
        cells.new_markdown_cell("# Creating Arrays\n\nText."), cells.new_code_cell("print(1)"),
        cells.new_markdown_cell("# Reshaping\n\nMore.")]), notebooks / "tools_numpy.ipynb")
    nbformat.write(cells.new_notebook(cells=[
        cells.new_markdown_cell("**[Course Home Page](https://example.org/learn)**\n\n# Pooling\n\nText.")]),
        notebooks / "pooling.ipynb")
    return notebooks


def test_the_readme_above_the_notebooks_names_and_describes_them(tmp_path):
    notebooks = textbook(tmp_path)
    (tmp_path / "README.md").write_text(README)
    found = introduction([notebooks / "tools_numpy.ipynb", notebooks / "pooling.ipynb"])
    assert found.title == "Data Handbook" and found.source == tmp_path / "README.md"
    assert found.description == "This repository holds the whole handbook as free Jupyter notebooks, one per section."


def test_an_index_notebook_beside_them_comes_first_and_outside_the_repository_nothing_counts(tmp_path):
    notebooks = textbook(tmp_path / "repo")
    (tmp_path / "README.md").write_text(README)  # above the repository's root: not the textbook's
    assert introduction([notebooks / "pooling.ipynb"]) is None
    index = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell("# Notebooks\n\n*Welcome!*")])
    nbformat.write(index, notebooks / "index.ipynb")
    (tmp_path / "repo" / "README.md").write_text(README)
    found = introduction([notebooks / "pooling.ipynb"])
    assert (found.title, found.description) == ("Notebooks", "")  # a line of welcome is no description
    assert introduction([notebooks / "pooling.ipynb", tmp_path / "elsewhere.ipynb"]) is None  # two folders: neither


def test_an_imported_folder_is_named_by_its_readme_and_a_bold_opening_line_titles_a_notebook(tmp_path):
    notebooks = textbook(tmp_path / "repo")
    (tmp_path / "repo" / "README.md").write_text(README)
    root = tmp_path / "project"
    (root / "lessons").mkdir(parents=True)
    result = run_build(root, "import", str(notebooks / "tools_numpy.ipynb"), str(notebooks / "pooling.ipynb"),
                       "--course", "dh")
    assert result.returncode == 0, result.stderr
    course = (root / "lessons" / "dh" / "course.yml").read_text()
    assert course.startswith("title: Data Handbook\ndescription: This repository holds the whole handbook")
    numpy = (root / "lessons" / "dh" / "01-tools-numpy.md").read_text()
    assert numpy.startswith("---\ntitle: Tools - NumPy\n---\n\n*NumPy is the library.*") and "**Tools" not in numpy
    pooling = (root / "lessons" / "dh" / "02-pooling.md").read_text()  # a bold link is no title: the heading is
    assert pooling.startswith("---\ntitle: Pooling\n---\n\n**[Course Home Page]")
    assert run_build(root, "build", "--no-execute").returncode == 0
    page = (root / "site" / "dh" / "01-tools-numpy" / "index.html").read_text()
    assert re.findall(r"<(h[12]) id=\"[^\"]+\">([^<]+)", page) == [
        ("h1", "Tools - NumPy"), ("h2", "Creating Arrays"), ("h2", "Reshaping")]


def test_a_readme_that_links_out_of_the_repository_says_nothing_of_the_course(tmp_path):
    notebooks = textbook(tmp_path / "repo")
    secret = tmp_path / "home" / "notes.md"
    secret.parent.mkdir()
    secret.write_text("# Private notes\n\nThe token for the deploy account is written down here in full.\n")
    (tmp_path / "repo" / "README.md").symlink_to(secret)
    assert introduction([notebooks / "pooling.ipynb"]) is None

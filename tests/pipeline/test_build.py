"""The build driver, through the command line: what it refuses before any lesson executes."""
from tests.conftest import problems, run_build


def test_a_forced_name_that_names_no_lesson_stops_the_build_before_anything_runs(tiny_root):
    for args in (["--force", "01-plots", "tiny/02-nothing", "plot"], ["figures", "--force", "tiny/02-nothing", "plot"]):
        result = run_build(tiny_root, *args)
        assert (result.returncode, result.stderr, result.stdout) == (
            2, "--force: no lesson named 'tiny/02-nothing', 'plot' (name a lesson as course/slug or by its slug, "
            "such as tiny/01-plots)\n", ""), args
    assert not (tiny_root / "site").exists()


def _files(root):
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in root.rglob("*")
            if p.is_file() and "_build" not in p.relative_to(root).parts}


def _nav(root) -> list:
    import json

    return json.loads((root / "_build" / "lessonbuild" / "mkdocs.yml").read_text().split("\nnav: ", 1)[1])


def test_a_jupyter_book_builds_in_place_as_its_toc_lays_it_out_and_no_file_of_it_changes(tmp_path):
    from tests.books import READING, write_jupyter_book

    root = write_jupyter_book(tmp_path / "book")
    before = _files(root)
    result = run_build(root, "build")
    assert result.returncode == 0, result.stderr
    assert _files(root) == before  # nothing moved, renamed or written outside _build/
    assert problems(result.stderr) == [
        "_config.yml:20: warning: 'made_up_setting' is no setting of Jupyter Book's _config.yml: ignored",
        "_config.yml:21: warning: 'sphinx' is read only by Sphinx, which this build does not run: not applied"]
    assert "1 of 7 pages shown with the outputs their notebooks hold" in result.stdout
    site = root / "_build" / "site"
    reading = (site / "chapter1" / "reading" / "index.html").read_text()
    assert "6" in reading.split("Reading Data", 1)[1]  # its helper and its data beside it, from its own folder
    assert 'href="../../chapter2/computing/"' in reading and 'href="../#chapter-one"' in reading
    assert 'href="../reading.md.txt"' in reading and (site / "chapter1" / "reading.md.txt").read_text() == READING
    assert '<a href="../data/values.csv">' in reading and (site / "chapter1" / "data" / "values.csv").read_text() == "1,2,3\n"
    assert reading.count('Reading Data<a class="headerlink"') == 1  # the title once, its label before it kept
    assert '<strong>Raw HTML</strong>' in reading and '<img src="../../images/logo.png" width="10">' in reading
    assert '<a class="md-button" href="../">Back to the chapter</a>' in reading
    assert "https://github.com/example/book/edit/main/book/chapter1/reading.md" in reading
    chapter = (site / "chapter1" / "index.html").read_text()
    assert 'src="../images/fish.svg"' in chapter and 'src="../images/logo.png"' in chapter  # .* and a rooted path
    assert "in the second edition" in chapter  # the book's substitutions
    assert (site / "images" / "fish.svg").is_file() and not (site / "drafts").exists()
    computing = (site / "chapter2" / "computing" / "index.html").read_text()
    assert "42" in computing and "colab.research.google.com/github/example/book/blob/main/book/chapter2/computing.ipynb" in computing
    assert "as the author ran it" in (site / "chapter2" / "stored" / "index.html").read_text()
    assert "Knuth" in (site / "index.html").read_text()  # the root page is the home, its citation resolved
    assert '<img src="images/logo.png" alt="raw logo">' in (site / "index.html").read_text()  # raw HTML, from each place
    assert '<img src="../images/logo.png" alt="raw logo">' in (site / "intro" / "index.html").read_text()
    assert '<img src="../../images/logo.png" alt="logo">' in (site / "chapter2" / "stored" / "index.html").read_text()  # the theme's
    assert [next(iter(entry)) for entry in _nav(root)] == ["A Fixture Book", "Basics", "Notebooks"]
    basics = _nav(root)[1]["Basics"]
    assert list(basics[0]) == ["1 Chapter One"]
    assert [next(iter(e)) for e in basics[0]["1 Chapter One"][1:]] == ["1.1 Reading Data", "1.2 More A", "1.3 More B"]
    assert _nav(root)[2]["Notebooks"][0] == {"Computing, as the toc calls it": "chapter2/computing.md"}


def test_a_myst_project_builds_in_place(tmp_path):
    from tests.books import write_myst_project

    root = write_myst_project(tmp_path / "mystbook")
    before = _files(root)
    result = run_build(root, "build")
    assert result.returncode == 0, result.stderr
    assert _files(root) == before
    assert problems(result.stderr) == [
        "myst.yml:8: warning: 'project.exports' (PDF, Word, LaTeX) are not made by this build: ignored"]
    site = root / "_build" / "site"
    assert "2" in (site / "part2" / "notebook" / "index.html").read_text().split("A Notebook", 1)[1]
    assert 'src="../../images/logo.png"' in (site / "part1" / "page" / "index.html").read_text()
    assert [next(iter(entry)) for entry in _nav(root)] == ["Welcome", "Part One", "A Notebook"]


def test_keep_going_publishes_a_failed_page_as_far_as_it_ran_and_still_fails(tmp_path):
    from tests.books import write_jupyter_book

    root = write_jupyter_book(tmp_path / "book")
    (root / "chapter1" / "more" / "a.md").write_text(
        "# More A\n\n```{code-cell} ipython3\nprint('before')\n```\n\n```{code-cell} ipython3\nimport no_such_module\n```\n")
    stopped = run_build(root, "build")
    assert stopped.returncode == 1 and not (root / "_build" / "site").exists()
    result = run_build(root, "build", "--keep-going")
    assert result.returncode == 1
    assert "chapter1/more/a.md:8: ModuleNotFoundError: No module named 'no_such_module'" in result.stderr
    assert "1 lesson failed: published as failed (--keep-going)" in result.stdout
    page = (root / "_build" / "site" / "chapter1" / "more" / "a" / "index.html").read_text()
    assert "This page failed to execute" in page and "before" in page
    assert "42" in (root / "_build" / "site" / "chapter2" / "computing" / "index.html").read_text()
    again = run_build(root, "build")  # a site published with failures is not taken for a good one
    assert again.returncode == 1 and "failed" in again.stdout


def test_commands_that_write_lessons_refuse_a_book_and_write_nothing(tmp_path):
    from tests.books import write_jupyter_book

    root = write_jupyter_book(tmp_path / "book")
    before = _files(root)
    for args in (["new", "course", "A Title"], ["import", str(root / "chapter2" / "computing.ipynb"), "--course", "c"],
                 ["kaggle"]):
        result = run_build(root, *args)
        assert result.returncode == 2 and "is a book read in place: add pages to its _toc.yml" in result.stderr, args
    assert _files(root) == before

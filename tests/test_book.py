"""A book's layout and settings: Jupyter Book 1's _config.yml and _toc.yml, and mystmd's myst.yml."""
import re

import pytest

from lessonbuild.book import find_book, read_jupyter_book, read_myst_project
from lessonbuild.errors import SourceError
from tests.books import JB_ARTICLE_TOC, write_jupyter_book, write_myst_project


def outline(entries, depth=0):
    lines = []
    for entry in entries:
        lines.append("  " * depth + f"{entry.title or ''}|{entry.file or entry.url or ''}|{'n' if entry.numbered else ''}")
        lines += outline(entry.children, depth + 1)
    return lines


def test_a_jb_book_toc_reads_as_parts_chapters_and_sections_with_globs_and_links(tmp_path):
    book = read_jupyter_book(write_jupyter_book(tmp_path))
    assert outline(book.toc) == [
        "|intro.md|",
        "Basics||n",
        "  |chapter1/index.md|n",
        "    |chapter1/reading.md|n",
        "    |chapter1/more/a.md|n",  # a glob's pages in name order
        "    |chapter1/more/b.md|n",
        "Notebooks||",
        "  Computing, as the toc calls it|chapter2/computing.ipynb|",
        "  |chapter2/stored.ipynb|",
        "  Elsewhere|https://example.org/elsewhere|",
    ]
    assert book.pages()[0] == "intro.md" and "drafts/unfinished.md" not in book.pages()


def test_a_jb_article_toc_is_the_root_then_its_sections(tmp_path):
    root = write_jupyter_book(tmp_path, toc=JB_ARTICLE_TOC)
    assert read_jupyter_book(root).pages() == ["intro.md", "chapter1/index.md", "chapter1/reading.md"]


def test_the_config_settings_the_build_honours(tmp_path):
    book = read_jupyter_book(write_jupyter_book(tmp_path))
    assert (book.title, book.author, book.logo, book.execute, book.timeout) == (
        "A Fixture Book", "The Project", "images/logo.png", "cache", 120)
    assert book.bibliography == ("references.bib",)
    assert not book.executes("chapter2/stored.ipynb") and book.executes("chapter2/computing.ipynb")
    assert book.colab_url == "https://colab.research.google.com/github/example/book/blob/main/book/{notebook}"
    assert book.edit_url == "https://github.com/example/book/edit/main/book/{path}"


def test_unknown_keys_and_sphinx_settings_are_warnings_at_their_lines(tmp_path):
    book = read_jupyter_book(write_jupyter_book(tmp_path))
    assert [str(w) for w in book.warnings] == [
        "_config.yml:20: warning: 'made_up_setting' is no setting of Jupyter Book's _config.yml: ignored",
        "_config.yml:21: warning: 'sphinx' is read only by Sphinx, which this build does not run: not applied",
    ]


@pytest.mark.parametrize(("toc", "expected"), [
    ("format: jb-book\nroot: intro\nchapters:\n  - file: nowhere\n",
     "_toc.yml:4: page 'nowhere' not found (looked for nowhere.md, nowhere.ipynb, nowhere.Rmd, nowhere.py)"),
    ("format: jb-book\nroot: intro\nchapters:\n  - file: intro\n", "_toc.yml:4: page 'intro.md' is listed twice in the table of contents"),
    ("format: jb-book\nroot: intro\nchapters:\n  - file: ../outside\n", "_toc.yml:4: page '../outside' is outside the book's folder"),
    ("format: jb-book\nchapters: []\n", "_toc.yml:1: _toc.yml names no root page (root: intro)"),
    ("format: sphinx-book\nroot: intro\n", "_toc.yml:1: toc format 'sphinx-book' is neither jb-book nor jb-article"),
    ("format: jb-book\nroot: intro\nchapters:\n  - title: no file\n", "_toc.yml:4: a toc entry needs one of file, glob, url or caption"),
    ("format: jb-book\nroot: intro\nchapters:\n  - glob: none/*\n", "_toc.yml:4: glob 'none/*' names no page"),
    ("format: jb-book\nroot: intro\nchapters:\n  - file: intro.ipynb\n",
     "_toc.yml:4: pages 'intro.md' and 'intro.ipynb' would both be intro/ on the site: list one of them"),
    ("format: jb-book\nroot: intro\nchapters:\n  - glob: /etc/*\n", "_toc.yml:4: glob '/etc/*' must name pages inside the book's folder"),
    ("format: jb-book\nroot: intro\nchapters:\n  - glob: ''\n", "_toc.yml:4: glob '' must name pages inside the book's folder"),
    ("format: jb-book\nroot: intro\nchapters:\n  - glob: ../*\n", "_toc.yml:4: glob '../*' must name pages inside the book's folder"),
])
def test_a_broken_toc_is_one_error_at_its_line(tmp_path, toc, expected):
    root = write_jupyter_book(tmp_path)
    (tmp_path.parent / "outside.md").write_text("# Outside\n")
    (root / "_toc.yml").write_text(toc)
    (root / "intro.ipynb").write_text("{}")
    with pytest.raises(SourceError) as raised:
        read_jupyter_book(root)
    assert str(raised.value) == expected


def test_execute_notebooks_off_as_yaml_reads_it_and_a_bad_mode_is_an_error(tmp_path):
    root = write_jupyter_book(tmp_path)
    config = (root / "_config.yml").read_text()
    (root / "_config.yml").write_text(config.replace("execute_notebooks: cache", "execute_notebooks: off"))
    assert read_jupyter_book(root).execute == "off" and not read_jupyter_book(root).executes("intro.md")
    (root / "_config.yml").write_text(config.replace("execute_notebooks: cache", "execute_notebooks: sometimes"))
    with pytest.raises(SourceError, match=r"_config.yml:8: execute_notebooks: 'sometimes' is none of"):
        read_jupyter_book(root)


def test_a_myst_project_reads_its_toc_title_bibliography_and_warns_of_exports(tmp_path):
    book = read_myst_project(write_myst_project(tmp_path))
    assert outline(book.toc) == ["|index.md|", "Part One||", "  |part1/page.md|", "  |part1/extra/one.md|",
                                 "  |part1/extra/two.md|", "|part2/notebook.ipynb|"]
    assert (book.title, book.author, book.bibliography) == ("A mystmd Project", "The Project", ("references.bib",))
    assert book.edit_url == "https://github.com/example/mystbook/edit/main/{path}"
    assert [str(w) for w in book.warnings] == [
        "myst.yml:8: warning: 'project.exports' (PDF, Word, LaTeX) are not made by this build: ignored"]


def test_a_myst_project_without_a_toc_takes_every_page_its_index_first(tmp_path):
    root = write_myst_project(tmp_path)
    text = (root / "myst.yml").read_text()
    (root / "myst.yml").write_text(text[:text.index("  toc:")] + "site:\n  template: book-theme\n")
    assert read_myst_project(root).pages() == [
        "index.md", "part1/extra/one.md", "part1/extra/two.md", "part1/page.md", "part2/notebook.ipynb"]


def test_find_book_knows_each_layout_and_a_toc_without_its_config(tmp_path):
    assert find_book(tmp_path) is None
    assert find_book(write_myst_project(tmp_path / "m")).kind == "mystmd"
    root = write_jupyter_book(tmp_path / "j")
    assert find_book(root).kind == "jupyter-book"
    (root / "_config.yml").unlink()
    with pytest.raises(SourceError, match=r"needs its _config\.yml"):
        find_book(root)


def test_a_contributors_book_reaches_no_file_outside_it_nor_the_builds_own(tmp_path):
    root = write_jupyter_book(tmp_path / "book")
    (tmp_path / "secret.md").write_text("# Not the book's\n")
    (root / "chapter1" / "linked.md").symlink_to(tmp_path / "secret.md")
    (root / "_build" / "site").mkdir(parents=True)
    (root / "_build" / "site" / "old.md").write_text("# A page the build wrote\n")
    (root / "_toc.yml").write_text("format: jb-book\nroot: intro\nchapters:\n  - file: chapter1/linked\n")
    with pytest.raises(SourceError, match=re.escape("_toc.yml:4: page 'chapter1/linked' is outside the book's folder")):
        read_jupyter_book(root)
    (root / "_toc.yml").write_text("format: jb-book\nroot: intro\nchapters:\n  - glob: '**/*'\n")
    globbed = read_jupyter_book(root).pages()
    assert "chapter1/reading.md" in globbed and not [p for p in globbed if p.startswith(("_build", "chapter1/linked"))]
    config = (root / "_config.yml").read_text()
    (root / "_config.yml").write_text(config.replace("  - references.bib", "  - ../secret.md"))
    with pytest.raises(SourceError, match=re.escape("_config.yml:6: '../secret.md' is no file inside the book's folder")):
        read_jupyter_book(root)

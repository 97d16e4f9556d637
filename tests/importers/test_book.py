"""A Jupyter Book imported as one course: its pages in the toc's order, what they name carried, links relinked, and
the lesson project's site showing what the book built in place shows."""
import re

import yaml

from tests.books import write_jupyter_book
from tests.conftest import problems, run_build


def imported_book(tmp_path):
    book = write_jupyter_book(tmp_path / "book")
    root = tmp_path / "project"
    (root / "lessons").mkdir(parents=True)
    return book, root, run_build(root, "import", str(book))


def test_a_book_becomes_a_course_in_its_tocs_order_with_what_its_pages_name(tmp_path):
    _, root, result = imported_book(tmp_path)
    assert result.returncode == 0, result.stderr
    course = root / "lessons" / "book"
    listed = yaml.safe_load((course / "course.yml").read_text())
    assert listed["title"] == "A Fixture Book"
    assert listed["lessons"] == ["01-a-fixture-book", "02-chapter-one", "03-reading-data", "04-more-a", "05-more-b",
                                 "06-computing", "07-stored-outputs"]
    assert {p.relative_to(course).as_posix() for p in course.rglob("*") if p.is_file() and p.suffix != ".md"} == {
        "course.yml", "references.bib", "helper.py", "data/values.csv", "images/logo.png", "images/fish.png",
        "images/fish.svg"}
    chapter = (course / "02-chapter-one.md").read_text()
    assert "![fish](images/fish.*)" in chapter and "![logo](images/logo.png)" in chapter  # above it, and at the root
    assert "{doc}`03-reading-data`" in chapter and "the {{ edition }} edition" in chapter  # a substitution stays one
    reading = (course / "03-reading-data.md").read_text()
    assert "{download}`03-reading-data.md`" in reading and "```{button-ref} 02-chapter-one\n" in reading
    assert "[the chapter](02-chapter-one.md#chapter-one)" in reading and "[computing](06-computing.md)" in reading
    front = yaml.safe_load((course / "06-computing.md").read_text().split("---\n")[1])
    assert front["title"] == "Computing" and front["short_title"] == "Computing, as the toc calls it"
    assert front["substitutions"] == {"edition": "second"} and front["execution"] == {"timeout": 120}
    assert [line.split(": warning: ")[1][:40] for line in problems(result.stderr)] == [
        "'made_up_setting' is no setting of Jupyt", "'sphinx' is read only by Sphinx, which t",
        "the book leaves some pages unexecuted; a", "the toc's parts and numbers are not carr",
        "the toc's links to other sites are not c"]


def test_the_imported_course_shows_the_pages_the_book_shows_in_place(tmp_path):
    book, root, result = imported_book(tmp_path)
    assert result.returncode == 0, result.stderr
    for folder in (book, root):
        built = run_build(folder, "build", "--no-execute")
        assert built.returncode == 0, built.stderr
    in_place = _pages(book / "_build" / "site", ["intro", "chapter1", "chapter1/reading", "chapter2/computing"])
    moved = _pages(root / "site" / "book", ["01-a-fixture-book", "02-chapter-one", "03-reading-data", "06-computing"])
    assert moved == in_place


def _pages(site, names: list[str]) -> list[tuple]:
    """Each page's headings, images (by file name) and the number of its links, as the learner sees them."""
    shown = []
    for name in names:
        article = re.search(r"<article.*?</article>", (site / name / "index.html").read_text(), re.DOTALL)[0]
        headings = [re.sub(r"<[^>]+>|¶", "", h) for h in re.findall(r"<h[1-6][^>]*>(.*?)</h[1-6]>", article)]
        images = sorted(src.rsplit("/", 1)[-1] for src in re.findall(r'<img[^>]*src="([^"]+)"', article))
        shown.append((headings, images))
    return shown


def test_paths_to_pages_without_their_suffix_and_included_files_come_along(tmp_path):
    book = tmp_path / "lectures"
    (book / "_parts").mkdir(parents=True)
    (book / "_config.yml").write_text("title: Lectures\n")
    (book / "_toc.yml").write_text("format: jb-book\nroot: intro\nchapters:\n- file: speed\n")
    (book / "intro.md").write_text("# Intro\n\nSee [the lecture on speed](speed#vectorization).\n\n"
                                   "```{include} _parts/note.md\n```\n")
    (book / "_parts" / "note.md").write_text("A note.\n")
    (book / "speed.md").write_text("# Speed\n\n## Vectorization\n")
    root = tmp_path / "project"
    (root / "lessons").mkdir(parents=True)
    result = run_build(root, "import", str(book))
    assert result.returncode == 0, result.stderr
    intro = (root / "lessons" / "lectures" / "01-intro.md").read_text()
    assert "[the lecture on speed](02-speed.md#vectorization)" in intro and "{include} _parts/note.md" in intro
    assert (root / "lessons" / "lectures" / "_parts" / "note.md").read_text() == "A note.\n"
    checked = run_build(root, "check")
    assert checked.returncode == 0 and problems(checked.stderr) == [], checked.stderr

"""References across the lessons of a course: resolved once every lesson is translated."""
from pathlib import Path

from lessonbuild.errors import SourceLocation
from lessonbuild.myst.page import PageProse
from lessonbuild.myst.references import Reference, Target, resolve
from lessonbuild.pipeline.read import read_courses
from lessonbuild.pipeline.render.notebooks import render_course
from lessonbuild.project import load_project
from tests.conftest import make_project

TARGETS = {
    "intro": Target("intro", "01-a", "section", "Getting Started"),
    "fig-a": Target("fig-a", "02-b", "figure", "A curve", 2),
    "eq-a": Target("eq-a", "01-a", "equation", "(3)", 3),
    "ex-a": Target("ex-a", "02-b", "exercise", "Pooling", 1),
}
TITLES = {"01-a": "Lesson A", "02-b": "Lesson B"}


def shown(role: str, target: str, text: str | None = None, current: str = "01-a") -> tuple[str, list]:
    warnings = []
    page = PageProse(current)
    placeholder = page.reference(role, target, text, SourceLocation(Path("lessons/c/01-a.md"), 4))
    result = resolve(f"<{placeholder}>", page.references, TARGETS, TITLES, current,
                     lambda where, message: warnings.append((str(where), message)))
    return result[1:-1], warnings


def test_each_role_links_to_its_target_on_this_page_or_another():
    assert shown("ref", "intro") == ("[Getting Started](#intro)", [])
    assert shown("ref", "intro", current="02-b") == ("[Getting Started](01-a.md#intro)", [])
    assert shown("ref", "fig-a", "the curve") == ("[the curve](02-b.md#fig-a)", [])
    assert shown("numref", "fig-a") == ("[Fig. 2](02-b.md#fig-a)", [])
    assert shown("numref", "fig-a", "Figure %s shows {name}") == ("[Figure 2 shows A curve](02-b.md#fig-a)", [])
    assert shown("eq", "eq-a") == ("[(3)](#eq-a)", [])
    assert shown("doc", "02-b") == ("[Lesson B](02-b.md)", [])
    assert shown("link", "ex-a", "this") == ("[this](02-b.md#ex-a)", [])
    assert shown("title", "ex-a") == ("Exercise 1 (Pooling)", [])


def test_in_a_book_links_and_docs_are_relative_to_the_page_folder():
    targets = {**TARGETS, "deep": Target("deep", "part2/chapter/b", "section", "Deep")}
    titles = {"part1/a": "A", "part2/chapter/b": "B", "index": "Home"}

    def book(role: str, target: str, current: str) -> str:
        page = PageProse(current)
        placeholder = page.reference(role, target, None, SourceLocation(Path(f"{current}.md"), 1))
        return resolve(placeholder, page.references, targets, titles, current, lambda *_: None)

    assert book("ref", "deep", "part1/a") == "[Deep](../part2/chapter/b.md#deep)"
    assert book("ref", "deep", "index") == "[Deep](part2/chapter/b.md#deep)"
    assert book("doc", "../part2/chapter/b", "part1/a") == "[B](../part2/chapter/b.md)"
    assert book("doc", "/index.md", "part2/chapter/b") == "[Home](../../index.md)"
    assert book("doc", "a.ipynb", "part1/a") == "[A](#)"
    assert book("link", "../part2/chapter/b", "part1/a") == "[B](../part2/chapter/b.md)"  # MyST's link to a page by path
    assert book("path", "/part1/a", "part2/chapter/b") == "[A](../../part1/a.md)"  # [](/part1/a), from the root
    assert book("path", "/elsewhere/x", "part1/a") == "[/elsewhere/x](/elsewhere/x)"  # no page: the link as written
    assert book("path", "/part2/chapter/b.md#deep", "part1/a") == "[Deep](../part2/chapter/b.md#deep)"
    assert book("path", "../part2/chapter/b.html#deep", "part1/a") == "[Deep](../part2/chapter/b.md#deep)"  # as Sphinx served it


def test_a_buttons_attributes_go_to_its_link_and_not_to_the_text_of_one_that_is_not_found():
    def button(role: str, target: str) -> str:
        page = PageProse("01-a")
        placeholder = page.reference(role, target, "Go", SourceLocation(Path("lessons/c/01-a.md"), 1), "{ .md-button }")
        return resolve(placeholder, page.references, TARGETS, TITLES, "01-a", lambda *_: None)

    assert button("doc", "02-b") == "[Go](02-b.md){ .md-button }"
    assert button("ref", "nowhere") == "Go"


def test_a_dangling_reference_is_its_text_and_a_warning():
    assert shown("ref", "nowhere", "the *text*") == ("the \\*text\\*", [
        ("lessons/c/01-a.md:4", "{ref} 'nowhere', which no lesson of this course defines: shown as text")])
    assert shown("doc", "03-later")[1] == [("lessons/c/01-a.md:4", "{doc} '03-later' is no lesson of this course: shown as text")]


def test_labels_are_shared_by_the_lessons_of_a_course_and_a_label_defined_twice_is_a_warning(tmp_path):
    first = "# A\n\n(shared)=\n## Shared section\n\n$$\nx\n$$ (eq-x)\n\nSee {ref}`later` and {eq}`eq-x`.\n"
    second = "# B\n\n(later)=\n## Later\n\n(shared)=\n## Again\n\nBack to {ref}`shared`, {numref}`Equation %s <eq-x>` and {ref}`gone`.\n"
    root = make_project(tmp_path, {"01-a": first, "02-b": second})
    project = load_project(root)
    (course,) = read_courses(project)
    a, b = render_course(course, project, target="site")
    assert "See [Later](02-b.md#later) and [(1)](#eq-x)." in a.notebook.cells[1].source
    assert "Back to [Shared section](01-a.md#shared), [Equation 1](01-a.md#eq-x) and gone." in b.notebook.cells[1].source
    assert [str(w) for w in b.warnings] == [
        "lessons/tiny/02-b.md:6: warning: label 'shared' is defined twice (first in 01-a)",
        "lessons/tiny/02-b.md:9: warning: {ref} 'gone', which no lesson of this course defines: shown as text"]
    assert a.warnings == ()


def test_a_reference_keeps_the_line_it_came_from():
    page = PageProse("x")
    page.translate("one\n\ntwo {ref}`a`", lambda line: SourceLocation(Path("x.md"), line + 10))
    assert page.references == [Reference("ref", "a", None, SourceLocation(Path("x.md"), 13))]


def test_a_same_page_link_to_a_label_of_another_page_goes_there_and_an_empty_one_keeps_words():
    warnings = []
    page = PageProse("01-a")
    where = SourceLocation(Path("lessons/c/01-a.md"), 2)
    texts = [page.reference("anchor", "01-a#fig-a", None, where), page.reference("anchor", "01-a#nowhere", None, where)]
    shown = [resolve(t, page.references, TARGETS, TITLES, "01-a", lambda w, m: warnings.append(m)) for t in texts]
    assert shown == ["[A curve](02-b.md#fig-a)", "[nowhere](#)"]  # MyST finds a label on any page; no word vanishes
    assert len(warnings) == 1

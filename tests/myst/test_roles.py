"""Inline MyST: math, roles and links to labels, found in the source where markdown-it found them."""
from pathlib import Path

from lessonbuild.errors import SourceLocation
from lessonbuild.myst.page import PageProse
from lessonbuild.myst.references import CLOSE, OPEN


def warnings_of(page: PageProse) -> list[tuple[str, str]]:
    """The page's warnings, each at `path:line`."""
    return [(str(where), message) for where, message in page.warnings]


def translate(text: str) -> tuple[str, PageProse]:
    page = PageProse("lesson")
    return page.translate(text, lambda line: SourceLocation(Path("lesson.md"), line)), page


def test_math_and_roles_in_code_spans_stay_as_written():
    shown, page = translate("Costs `$5` and ``{ref}`x` `` but $y$ is math.")
    assert shown.startswith("Costs `$5` and ``{ref}`x` `` but <span class=\"math-inline\"><math")
    assert page.references == [] and page.warnings == []


def test_math_across_the_lines_of_a_list_item_is_found():
    shown, _ = translate("- a list item with $x +\n  y$ spread over two lines\n")
    assert shown.startswith("- a list item with <span class=\"math-inline\"><math") and "$" not in shown


def test_references_become_placeholders_with_what_they_ask_for():
    shown, page = translate("See {ref}`the intro <intro>`, {numref}`fig-a`, {eq}`e1`, {doc}`../other/02-next`, [x](lbl) and [](lbl2).")
    assert shown == f"See {OPEN}0{CLOSE}, {OPEN}1{CLOSE}, {OPEN}2{CLOSE}, {OPEN}3{CLOSE}, {OPEN}4{CLOSE} and {OPEN}5{CLOSE}."
    asked = [(r.role, r.target, r.text) for r in page.references]
    assert asked == [("ref", "intro", "the intro"), ("numref", "fig-a", None), ("eq", "e1", None), ("doc", "../other/02-next", None),
                     ("link", "lbl", "x"), ("link", "lbl2", None)]
    assert {str(r.where) for r in page.references} == {"lesson.md:1"}


def test_links_to_files_and_sites_are_not_references():
    shown, page = translate("[a](other.md), [b](https://example.org), [c](#here), [d](images/x.png)")
    assert shown == "[a](other.md), [b](https://example.org), [c](#here), [d](images/x.png)" and page.references == []


def test_text_roles_and_an_unknown_role():
    shown, page = translate("H{sub}`2`O, {abbr}`MDP (Markov decision process)`, {kbd}`Ctrl`, {py:func}`len`, {term}`x <y>`\n\n{foo}`bar`")
    assert shown == ('H<sub>2</sub>O, <abbr title="Markov decision process">MDP</abbr>, <kbd>Ctrl</kbd>, `len`, x\n\n'
                     "bar")
    assert warnings_of(page) == [("lesson.md:3", "unknown role '{foo}': its text is shown as it is")]


def test_math_that_cannot_be_converted_is_shown_as_latex_with_a_warning():
    shown, page = translate("Bad $\\frac{1}{$ here.")
    assert shown == "Bad <code>\\frac{1}{</code> here."
    assert str(page.warnings[0][0]) == "lesson.md:1" and page.warnings[0][1].startswith("math shown as LaTeX")


def test_a_download_is_a_link_and_its_file_is_recorded():
    shown, page = translate("Get {download}`the data <data/x.csv>`.")
    assert shown == "Get [the data](data/x.csv)." and [(file, str(where)) for file, where in page.files] == [("data/x.csv", "lesson.md:1")]
    assert translate("{nb-download}`the notebook <x.ipynb>`")[0] == "[the notebook](lesson.ipynb)"
    shown, page = translate("{download}`https://example.org/d/x.xlsx`")
    assert shown == "[x.xlsx](https://example.org/d/x.xlsx)" and page.files == []

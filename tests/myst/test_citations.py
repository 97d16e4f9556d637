"""Citations and bibliographies from a course's BibTeX files (pybtex)."""
import pytest

from lessonbuild.myst.citations import Bibliography, BibliographyError
from tests.conftest import make_project, run_build

BIB = """\
@article{hamilton2005,
  author = {Hamilton, James D. and Smith, A.},
  title = {What's real about the business cycle?},
  journal = {Review}, year = {2005}}
@book{sargent, author = {Sargent, Thomas J.}, title = {Macroeconomic {T}heory}, publisher = {Academic Press}, year = 1987}
@misc{many, author = {A, B. and C, D. and E, F.}, title = {Three}, year = 2020}
"""


def test_authors_and_year_and_a_listing_in_the_order_cited(tmp_path):
    (tmp_path / "refs.bib").write_text(BIB)
    works = Bibliography([tmp_path / "refs.bib"])
    assert works.authors_and_year("hamilton2005") == ("Hamilton and Smith", "2005")
    assert works.authors_and_year("many") == ("A et al.", "2020")
    listing = works.listing(["sargent", "hamilton2005"])
    assert listing.index('id="cite-sargent"') < listing.index('id="cite-hamilton2005"')
    assert listing.split("</dd>")[0].endswith("Academic Press, 1987.")  # each entry beside its own key


def test_a_bib_file_that_does_not_parse_is_an_error_at_its_line(tmp_path):
    (tmp_path / "bad.bib").write_text("@article{ok, title={T}, year=1}\n\n@article{broken, title = {never closed\n")
    with pytest.raises(BibliographyError) as error:
        Bibliography([tmp_path / "bad.bib"])
    assert error.value.path == tmp_path / "bad.bib" and error.value.line >= 3


def test_citations_link_to_the_lessons_bibliography_or_to_references_at_its_end(tmp_path):
    lessons = {"01-a": "# A\n\nAs {cite}`hamilton2005` and {cite:t}`sargent` say; {cite}`nobody`.\n\n```{bibliography}\n```\n\nAfter.\n",
               "02-b": "# B\n\nOnly {cite:p}`sargent,hamilton2005`.\n"}
    root = make_project(tmp_path, lessons)
    (root / "lessons" / "tiny" / "refs.bib").write_text(BIB)
    result = run_build(root, "--no-execute")
    assert result.returncode == 0, result.stderr
    assert "lessons/tiny/01-a.md:3: warning: citation 'nobody' is in no .bib file of the course" in result.stderr
    first = (root / "site" / "tiny" / "01-a" / "index.html").read_text()
    assert ('As (<a href="#cite-hamilton2005">Hamilton and Smith, 2005</a>) and <a href="#cite-sargent">Sargent (1987)</a> say; '
            "(nobody).") in first
    assert first.index('<dl class="myst-bibliography">') < first.index("After.")
    second = (root / "site" / "tiny" / "02-b" / "index.html").read_text()
    assert '(<a href="#cite-sargent">Sargent, 1987</a>; <a href="#cite-hamilton2005">Hamilton and Smith, 2005</a>)' in second
    assert second.index('id="references"') < second.index('<dt id="cite-sargent">') < second.index('<dt id="cite-hamilton2005">')


def test_a_broken_bib_file_stops_check_with_its_line(tmp_path):
    root = make_project(tmp_path, {"01-a": "# A\n\n{cite}`x`\n"})
    (root / "lessons" / "tiny" / "refs.bib").write_text("@article{x, title = {open\n")
    checked = run_build(root, "check")
    assert checked.returncode == 2 and checked.stderr.startswith("lessons/tiny/refs.bib:")
    assert "BibTeX:" in checked.stderr and "Traceback" not in checked.stderr

"""A course written as Jupyter Book writes it (tests/fixtures/myst/), executed and built, read as HTML and in a
real browser: headless Chromium, the site served on 127.0.0.1."""
from __future__ import annotations

import re
import shutil

import pytest

from tests.conftest import FIXTURES, make_project, run_build, served

pytestmark = pytest.mark.kernel
RAW_SYNTAX = re.compile(r"```\{|:::\{|\{(ref|eq|numref|doc|math)\}`|\$\$|\(basics\)=|\[\^why\]")


@pytest.fixture(scope="module")
def myst_site(tmp_path_factory):
    lessons = {path.stem: path.read_text() for path in sorted((FIXTURES / "myst").glob("*.md"))}
    root = make_project(tmp_path_factory.mktemp("myst"), lessons, course="growth", title="Growth")
    shutil.copytree(FIXTURES / "myst" / "images", root / "lessons" / "growth" / "images")
    result = run_build(root, "--strict")
    assert result.returncode == 0, result.stderr
    return root / "site"


def html(site, slug: str) -> str:
    return (site / "growth" / slug / "index.html").read_text()


def test_short_title_names_the_lesson_in_the_navigation_and_authors_and_date_are_shown(myst_site):
    page = html(myst_site, "01-basics")
    assert '<p class="lesson-byline">A. Author, B. Author · 2026-01-15</p>' in page
    assert re.search(r'<a href="\.\./01-basics/" class="md-nav__link">\s*<span class="md-ellipsis">\s*Basics', html(myst_site, "02-more"))
    assert page.count("<h1") == 1 and "<h1 id=\"growth-and-decay\">Growth and Decay" in page  # the page keeps the full title


def test_no_myst_syntax_reaches_a_page(myst_site):
    for slug in ("01-basics", "02-more"):
        article = html(myst_site, slug).split("<article", 1)[1].split("</article>", 1)[0]
        text = re.sub(r"<pre.*?</pre>", "", article, flags=re.DOTALL)  # code is shown as written
        assert RAW_SYNTAX.findall(text) == []


def test_math_is_mathml_and_labelled_equations_are_numbered(myst_site):
    page = html(myst_site, "01-basics")
    assert page.count("<math ") >= 12
    assert re.search(r'<div class="math-display" id="growth"><math [^>]*display="block">.*?<span class="eqno">\(1\)</span>', page)
    assert '<div class="math-display" id="decay">' in page and '<span class="eqno">(2)</span>' in page
    assert '<a href="#growth">(1)</a>' in page and '<a href="#decay">(2)</a>' in page


def test_references_land_on_their_targets_across_lessons(myst_site):
    first, second = html(myst_site, "01-basics"), html(myst_site, "02-more")
    assert '<a href="../02-more/#fig-curve">Fig. 1</a>' in first and '<a href="../02-more/">the next lesson</a>' in first
    assert '<a href="#ex-double">the exercise</a>' in first and '<a href="#basics">Growth and Decay</a>' in first
    assert '<a href="../01-basics/#basics">Growth and Decay</a>' in second
    assert '<a href="#tbl-rates">Table 1</a>' in second and '<a href="../01-basics/#ex-double">Exercise 1</a>' in second
    assert 'id="fig-curve"' in second and 'id="tbl-rates"' in second


def test_outputs_as_mystnb_shows_them(myst_site):
    page = html(myst_site, "01-basics")
    assert "<summary>Show the source</summary>" in page  # the cell's mystnb code_prompt_show
    assert '<div class="output-scroll">' in page  # the cell tagged scroll-output
    assert '<div class="output-stderr">' in page and "a warning" in page
    assert '<div class="output-ansi"><pre><code><span class="ansi-red-fg">red</span> text</code></pre></div>' in page
    assert re.search(r'<div class="math-display output-latex"><math [^>]*>.*?<mfrac>', page)


def test_footnotes_definitions_exercises_and_dropdowns(myst_site):
    first, second = html(myst_site, "01-basics"), html(myst_site, "02-more")
    assert 'class="footnote"' in first and "Otherwise the quantity grows." in first
    assert "<dt>Growth rate</dt>" in first
    assert '<p class="admonition-title">Exercise 1 (Doubling time)</p>' in first
    assert re.search(r'<details class="solution">\s*<summary>Solution to Exercise 1 \(Doubling time\)</summary>', first)
    assert re.search(r'<details class="note">\s*<summary>A closer look</summary>', second)


def test_glued_values_are_pasted_and_kept_off_their_cell(myst_site):
    second = html(myst_site, "02-more")
    assert "The rate is 5.1%, the doubling time follows from" in second
    assert re.search(r'<div class="math-display" id="eq-rule"><math [^>]*>.*?<mfrac>.*?<span class="eqno">\(1\)</span>', second)
    figure = second.split('id="fig-glued"', 1)[1].split("</figure>", 1)[0]
    assert 'src="data:image/png;base64,' in figure and "Fig. 2: Growth at 5%" in figure
    assert '<a href="#fig-glued">Fig. 2</a> and <a href="#eq-rule">(1)</a>' in second
    assert second.count("data:image/png") == 1 and "0.0512345" not in second.split("</code></pre>")[-1]


def test_cards_and_a_gated_solution_around_a_code_cell(myst_site):
    second = html(myst_site, "02-more")
    assert second.count('<div class="card">') == 2 and '<a href="../01-basics/">Growth</a>' in second
    assert '<p class="admonition-title">Exercise 1 (Simulate)</p>' in second
    solution = second.split('<details class="solution">', 1)[1].split("</details>", 1)[0]
    assert "Solution to Exercise 1 (Simulate)" in solution and "1.05, 1.1, 1.16" in solution  # the code cell's output, folded


@pytest.mark.browser
def test_in_the_browser_math_is_typeset_solutions_and_tabs_open_and_nothing_is_fetched_elsewhere(myst_site, browser):
    with served(myst_site) as url:
        page = browser.new_page(viewport={"width": 1200, "height": 900})
        hosts = set()
        page.on("request", lambda request: hosts.add(request.url.split("/")[2]))
        page.goto(f"{url}/growth/01-basics/")
        page.wait_for_load_state("networkidle")
        fraction = page.locator("div.output-latex mfrac").bounding_box()
        assert fraction["height"] > fraction["width"] / 4 > 0  # laid out as a fraction, not a line of text
        body = page.inner_text("article")
        assert RAW_SYNTAX.findall(body.replace("{ref}`", "")) == []
        solution = page.locator("details.solution")
        assert not solution.locator("p").first.is_visible()
        solution.locator("summary").click()
        assert solution.locator("p").first.is_visible()
        code_tab = page.locator(".myst-tab-item").nth(1)
        assert not page.get_by_text("Run the cell below.").is_visible()
        code_tab.locator("label").click()
        assert page.get_by_text("Run the cell below.").is_visible()
        assert not page.get_by_text("The closed form is").is_visible()
        page.get_by_role("link", name="Fig. 1").first.click()
        page.wait_for_load_state("networkidle")
        assert page.url.endswith("/growth/02-more/#fig-curve")
        assert page.locator("#fig-curve").is_visible()
        image = page.locator("#fig-curve img")
        assert image.evaluate("i => i.complete && i.naturalWidth") > 0
        page.close()
    assert hosts == {url.split("/")[2]}

"""One lesson's prose: numbers that count through the lesson, headings one level down, the page's own settings."""
from pathlib import Path

from lessonbuild.errors import SourceLocation
from lessonbuild.myst.page import PageProse


def translate(page: PageProse, text: str) -> str:
    return page.translate(text, lambda line: SourceLocation(Path("lesson.md"), line))


def test_equations_count_through_the_cells_of_a_lesson_and_only_labelled_ones_take_a_number():
    page = PageProse("lesson")
    first = translate(page, "$$\na\n$$ (one)\n\n$$\nb\n$$\n")
    second = translate(page, "```{math}\n:label: two\nc\n```\n")
    assert '<span class="eqno">(1)</span>' in first and first.count("eqno") == 1
    assert 'id="two"' in second and '<span class="eqno">(2)</span>' in second
    assert [(t.label, t.number) for t in page.targets] == [("one", 1), ("two", 2)]


def test_a_label_at_the_top_of_the_page_names_the_lessons_title():
    page = PageProse("lesson", title="Maximum Pooling")
    translate(page, "(top)=\n\nThe title heading was shown apart.\n")
    assert page.targets[0].text == "Maximum Pooling"


def test_headings_one_level_down_atx_and_setext_but_not_in_code():
    page = PageProse("lesson", demote=True)
    assert translate(page, "# A #\n\nB\n---\n\n```\n# not a heading\n```\n###### Six") == (
        "## A #\n\n### B\n\n```\n# not a heading\n```\n###### Six")


def numbers(numbering: object, kind: str) -> list[int | None]:
    page = PageProse("lesson", numbering=numbering)
    return [page.number(kind), page.number(kind)]


def test_numbering_turned_off_whole_or_per_kind():
    assert numbers(True, "figure") == [1, 2] and numbers(False, "figure") == [None, None]
    assert numbers({"figure": False}, "figure") == [None, None] and numbers({"figure": False}, "table") == [1, 2]
    assert numbers({"equation": {"enabled": False}}, "equation") == [None, None]
    page = PageProse("lesson", numbering={"equation": False})
    assert "eqno" not in translate(page, "$$\na\n$$ (one)\n")


def test_directives_nest_deep_and_deeper_than_the_bound_is_a_warning_not_a_crash():
    from lessonbuild.myst.page import MAX_DEPTH

    def nested(levels: int) -> str:
        opening = "".join(":" * (levels + 3 - i) + "{note}\n" for i in range(levels))
        return opening + "deep\n" + "".join(":" * (4 + i) + "\n" for i in range(levels))

    page = PageProse("l")
    shown = translate(page, nested(MAX_DEPTH))
    assert shown.count('class="admonition note"') == MAX_DEPTH and not page.warnings
    page = PageProse("l")
    translate(page, nested(300))  # Python's stack allows about 200
    (warning,) = page.warnings
    assert warning[0].line == MAX_DEPTH + 1 and "nested more than" in warning[1]


def test_amsmath_at_the_top_level_as_myst_reads_it():
    source = ("Before.\n\n\\begin{align*}\na &= b \\\\\nc &= d\n\\end{align*}\n\nBetween.\n\n"
              "\\begin{equation}\nE = mc^2\n\\end{equation}\n\n\\begin{bmatrix}\n1 & 2 \\\\\n3 & 4\n\\end{bmatrix}\n\n"
              "$\\begin{align*}\ny &= 2\n\\end{align*}$\n\nAfter.\n")
    page = PageProse("l")
    shown = translate(page, source)
    assert "\\end{" not in shown and "\\begin{" not in shown and "$" not in shown  # no source line left as text
    assert shown.count('<div class="math-display">') == 3 and shown.count('display="block"') == 4
    assert shown.count('<span class="eqno">') == 1 and '<span class="eqno">(1)</span>' in shown  # the equation alone
    matrix = shown[shown.index("<mtable><mtr><mtd><mn>1"):]
    assert '<mo stretchy="true">&#x0005B;</mo>' in shown and '</mtable><mo stretchy="true">&#x0005D;</mo>' in matrix
    assert shown.startswith("Before.") and "Between." in shown and shown.rstrip().endswith("After.")


def test_an_environment_between_lone_dollar_lines_leaves_no_dollar_on_the_page_and_an_example_stays():
    wrapped = "$\n\\begin{align*}\na &= b\n\\end{align*}\n$\n"
    page = PageProse("l")
    shown = translate(page, f"Text.\n{wrapped}\nMore.\n\n```\n{wrapped}```\n")
    before_example, example = shown.split("```\n", 1)
    assert "$" not in before_example and before_example.count('<div class="math-display">') == 1
    assert example == wrapped + "```\n"  # an example in a code block is left as written


def test_inline_math_that_starts_a_line_stays_in_its_paragraph_on_the_built_page(tmp_path):
    import markdown

    page = PageProse("l")
    shown = translate(page, "$x$ starts a paragraph.\n\nA line\n$y$ in the middle.\n")
    built = markdown.markdown(shown, extensions=["md_in_html", "attr_list"])  # what MkDocs makes of it
    assert built.count("<p>") == 2 and built.startswith('<p><span class="math-inline"><math')
    assert "<math" in built.split("<p>")[2].split("</p>")[0]  # the second math inside the second paragraph


def test_a_tagged_equation_shows_its_tag_takes_no_number_and_references_show_the_tag():
    from lessonbuild.myst.references import resolve

    page = PageProse("lesson")
    shown = translate(page, "$$\nx = 1 \\tag{A} \\label{first}\n$$\n\n$$\ny = 2\n$$ (second)\n\nSee {eq}`first`.\n")
    assert '<span class="eqno">(A)</span>' in shown and '<span class="eqno">(1)</span>' in shown
    targets = {t.label: t for t in page.targets}
    assert resolve(shown.split("See ")[1], page.references, targets, {}, "lesson", print).strip() == "[(A)](#first)."


def test_markdown_inside_an_html_element_is_read_as_commonmark_reads_it():
    page = PageProse("lesson")
    assert translate(page, '<div class="note">\n\n**Bold**\n\n</div>\n') == '<div class="note" markdown="1">\n\n**Bold**\n\n</div>\n'
    assert translate(page, "<details>\n<summary>More</summary>\n\nText\n\n</details>") == (
        '<details markdown="1">\n<summary>More</summary>\n\nText\n\n</details>')
    kept = ["<div>\n*raw, as CommonMark keeps it*\n</div>\n", "<div>\n\nnever closed\n", '<div markdown="0">\n\nx\n\n</div>',
            "<span>\n\ninline\n\n</span>"]
    assert [translate(page, text) for text in kept] == kept

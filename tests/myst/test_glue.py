"""MyST-NB's glue: values glued by code cells, pasted into the prose once the lesson has run."""
import html
from pathlib import Path

import markdown
import nbformat
import pytest

from lessonbuild.errors import SourceLocation
from lessonbuild.myst.glue import GLUE_PREFIX, marker, paste

LINE_1, LINE_3 = SourceLocation(Path("a.md"), 1), SourceLocation(Path("a.md"), 3)


def executed(*markdown: str, display: bool = False) -> nbformat.NotebookNode:
    prefix = "" if display else GLUE_PREFIX
    outputs = [
        nbformat.v4.new_output("display_data", {prefix + "text/plain": "0.0512345"},
                               metadata={"scrapbook": {"name": "rate", "mime_prefix": prefix}}),
        nbformat.v4.new_output("display_data", {prefix + "text/plain": "'Growth'", prefix + "text/markdown": "**Growth**"},
                               metadata={"scrapbook": {"name": "word", "mime_prefix": prefix}}),
        nbformat.v4.new_output("display_data", {prefix + "image/png": "iVBORw0KGgo=", prefix + "text/plain": "<Figure>"},
                               metadata={"scrapbook": {"name": "plot", "mime_prefix": prefix}}),
        nbformat.v4.new_output("stream", name="stdout", text="printed\n"),
    ]
    code = nbformat.v4.new_code_cell("glue(...)", outputs=outputs)
    return nbformat.v4.new_notebook(cells=[code, *(nbformat.v4.new_markdown_cell(text) for text in markdown)])


def test_each_kind_of_paste():
    text = (f"Rate {marker('rate:.1%', 'text', LINE_1)}, raw {marker('rate', 'any', LINE_1)}, "
            f"name {marker('word', 'any', LINE_1)}, md {marker('word', 'md', LINE_1)}.\n\n{marker('plot', 'figure', LINE_3)}")
    pasted, problems = paste(executed(text))
    assert problems == []
    assert pasted.cells[1].source == "Rate 5.1%, raw 0.0512345, name Growth, md **Growth**.\n\n![plot](data:image/png;base64,iVBORw0KGgo=)"


def test_values_glued_without_display_leave_the_cell_and_displayed_ones_stay():
    hidden, _ = paste(executed("x"))
    assert [o.output_type for o in hidden.cells[0].outputs] == ["stream"]
    shown, _ = paste(executed("x", display=True))
    assert len(shown.cells[0].outputs) == 4
    assert executed("x").cells[0].outputs[0].data  # the notebook itself is left as it ran


@pytest.mark.parametrize("name, kind, message", [
    ("missing", "any", "glue 'missing': no cell of the lesson glued a value of that name"),
    ("word:.2f", "text", "glue 'word': format '.2f' does not apply to 'Growth'"),
])
def test_a_marker_that_cannot_be_filled_is_a_problem_at_its_line(name, kind, message):
    pasted, problems = paste(executed(marker(name, kind, SourceLocation(Path("lessons/c/a.md"), 7))))
    assert [str(p.where) for p in problems] == ["lessons/c/a.md:7"] and str(problems[0]).startswith(message)
    assert pasted.cells[1].source == name.split(":")[0]


def test_glued_text_and_images_show_as_what_they_are_never_as_markup():
    hostile = {"text/plain": repr("[click](javascript:alert(1)) <script>alert(2)</script> {onclick=alert(3)} 5.1%")}
    outputs = [
        nbformat.v4.new_output("display_data", hostile, metadata={"scrapbook": {"name": "link", "mime_prefix": ""}}),
        nbformat.v4.new_output("display_data", {"image/png": "iVBORw0KGgo=) <script>alert(4)</script> (",
                                                "text/plain": "<Figure>"},
                               metadata={"scrapbook": {"name": "plot", "mime_prefix": ""}}),
        nbformat.v4.new_output("display_data", {"text/plain": "'```\\n<script>alert(5)</script>\\n```'"},
                               metadata={"scrapbook": {"name": "block", "mime_prefix": ""}}),
    ]
    prose = f"Inline {marker('link', 'text', LINE_1)}.\n\n{marker('block', 'block', LINE_3)}\n\n{marker('plot', 'figure', LINE_3)}"
    notebook = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell("glue(...)", outputs=outputs),
                                               nbformat.v4.new_markdown_cell(prose)])
    pasted, problems = paste(notebook)
    assert [str(problem) for problem in problems] == ["glue 'plot': its image/png data is not valid base64"]
    page = markdown.markdown(pasted.cells[1].source, extensions=["attr_list", "md_in_html", "pymdownx.superfences"])
    assert "<script>" not in page and "<a " not in page and "onclick=" not in page
    assert "Inline [click](javascript:alert(1)) <script>alert(2)</script> {onclick=alert(3)} 5.1%." in html.unescape(page)
    assert "&lt;script&gt;alert(5)&lt;/script&gt;" in page  # inside its code block

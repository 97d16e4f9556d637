"""LaTeX as MathML at build time."""
import pytest

from lessonbuild.myst.mathml import MathError, labels_in, output_mathml, to_mathml


def test_markdown_syntax_in_math_is_written_as_character_references():
    mathml = to_mathml(r"a_1 * b_2 * \text{x_y [z]}", display=False)
    assert mathml.startswith('<math xmlns="http://www.w3.org/1998/Math/MathML" display="inline">')
    assert "&#95;" in mathml and "&#91;z&#93;" in mathml  # `_`, `[` and `]` in text: Markdown would read them
    assert "*" not in mathml and "\n" not in mathml


def test_aligned_and_plain_tex_rows_become_a_table_and_latex_numbering_is_left_to_the_build():
    mathml = to_mathml("\\begin{aligned} a &= b \\cr c &= d \\end{aligned}", display=True)
    assert mathml.count("<mtr>") == 2 and "<mi>&amp;</mi>" not in mathml
    numbered = to_mathml("\\begin{align} a &= b \\label{eq:a} \\end{align}", display=True)
    assert "(1)" not in numbered and "label" not in numbered
    assert labels_in("x \\label{eq:a} \\\\ y \\label{eq:b}") == ["eq:a", "eq:b"]


@pytest.mark.parametrize("latex", [r"\frac{1}{", r"\unknownmacro{x}", "   "])
def test_what_cannot_be_shown_as_math_is_an_error(latex):
    with pytest.raises(MathError):
        to_mathml(latex, display=False)


def test_an_outputs_latex_loses_its_delimiters():
    assert "<mfrac>" in output_mathml(r"$\displaystyle \frac{1}{2}$")
    assert "<mfrac>" in output_mathml(r"$$\frac{1}{2}$$")
    assert output_mathml(r"\begin{tabular}{cc} a & b \end{tabular}") == ""


@pytest.mark.parametrize("latex", [
    r"$\text{<script>alert(1)</script>}$",
    r"$\href{javascript:alert(1)}{x}$",
    r"$\style{position:fixed;inset:0}{x}$",
    r"$\class{md-header}{x}$",
])
def test_an_outputs_latex_that_makes_markup_of_its_own_is_shown_as_its_text(latex):
    assert "<math" in to_mathml(latex.strip("$"), display=False)  # prose may: its author writes HTML as well
    assert output_mathml(latex) == ""  # an output may not: the page shows it as text, in a code block


@pytest.mark.parametrize("latex", [
    r"\begin{alignat}{2} a &= b & c &= d \end{alignat}",
    r"\begin{eqnarray} a &=& b \\ c &=& d \end{eqnarray}",
    r"\begin{flalign*} a &= b \end{flalign*}",
])
def test_amsmath_environments_latex2mathml_lacks_are_drawn_as_ones_of_the_same_columns(latex):
    assert "<mtable" in to_mathml(latex, display=True)


def test_a_tag_is_the_mark_an_equation_shows():
    from lessonbuild.myst.mathml import tag_in

    assert (tag_in(r"x = 1 \tag{A}"), tag_in(r"x = 1 \tag*{B.1}"), tag_in("x = 1")) == ("(A)", "B.1", None)
    assert "A" not in to_mathml(r"x = 1 \tag{A}", display=True)

"""MyST parsed as MyST-Parser parses it: directives with their options and body, and a heading's plain text."""
from lessonbuild.myst.parse import PARSER, directive_of, is_directive, plain_text


def only_directive(text: str, offset: int = 0):
    (token,) = [t for t in PARSER.parse(text) if is_directive(t)]
    return directive_of(token, offset)


def test_options_as_colon_lines_or_a_yaml_block_and_where_the_body_starts():
    directive = only_directive("Prose.\n\n```{figure} a.png\n:name: fig\n:width: 50%\n\nThe caption.\n```\n", offset=10)
    assert (directive.name, directive.argument) == ("figure", "a.png")
    assert directive.options == {"name": "fig", "width": "50%"} and directive.body == "The caption."
    assert directive.body_offset == 10 + 6  # the caption is line 7 of the text: six lines, past the offset, before it
    block = only_directive(":::{note} Title\n---\nclass: dropdown\n---\nHidden.\n:::\n")
    assert block.options == {"class": "dropdown"} and block.body == "Hidden." and block.body_offset == 4


def test_fences_that_are_not_directives_and_nested_fences():
    assert [t for t in PARSER.parse("```python\nx = 1\n```\n") if is_directive(t)] == []
    outer = only_directive("````{admonition} Outer\n```{note}\nInner.\n```\n````\n")
    assert outer.body == "```{note}\nInner.\n```"


def test_a_headings_plain_text_leaves_markup_and_role_targets_out():
    tokens = PARSER.parse("# The `code` of {ref}`Pooling <pool>` and $x$\n")
    assert plain_text(tokens[1]) == "The code of Pooling and x"

"""MyST's syntax rules, each in one place: the title rule, the option block, the directive names and their rules."""
import pytest

from lessonbuild.myst.directives import RULES
from lessonbuild.myst.syntax import (
    DIRECTIVE_GROUPS,
    KNOWN_DIRECTIVES,
    directive_group,
    fence_around,
    fenced,
    first_heading,
    literal,
    option_block,
    title_heading,
)


@pytest.mark.parametrize("markdown, title", [
    ("Intro\n\n# Maximum Pooling #\n", "Maximum Pooling"),  # Kaggle's closing hashes
    ("Custom Convnets\n===============\n\nText", "Custom Convnets"),  # setext
    ("```python\n# a comment, not a heading\n```\n\n# The Title", "The Title"),
    ("# Using {math}`x^2` and {ref}`the intro <intro>`", "Using x^2 and the intro"),
    ("## Only a section\n\nText", None),
    ("No heading at all", None),
])
def test_the_first_level_one_heading_is_the_title(markdown, title):
    assert first_heading(markdown) == title


def test_the_title_heading_is_the_first_of_the_texts_own_with_its_lines():
    assert title_heading("(top)=\n\n# Pooling\n\nText") == ("Pooling", 2, 3)
    assert title_heading("Text first\n\nCustom Convnets\n===\n") == ("Custom Convnets", 2, 4)
    assert title_heading("> # Quoted\n\n- # Listed\n") is None  # the page shows these where they are
    assert title_heading("```\n# a comment\n```\n") is None


def test_an_option_block_as_yaml_or_fields_and_an_unclosed_one():
    block = option_block(["---", "tags: [a, b]", "---", "print(1)"])
    assert (block.style, block.yaml(), block.used, block.closed) == ("yaml", "tags: [a, b]", 3, True)
    block = option_block([":tags: [a]", ":mystnb:", ":  code_prompt_show: Show", "print(1)"], continued=True)
    assert (block.style, block.used) == ("fields", 3)
    assert block.yaml() == "tags: [a]\nmystnb:\n  code_prompt_show: Show"
    assert option_block([":caption: A: B", "body"]).fields() == {"caption": "A: B"}  # a directive's values stay text
    assert not option_block(["---", "never closed"]).closed
    assert option_block(["print(1)"]).style == "none"


def test_every_group_of_directive_names_has_its_rule_and_every_rule_its_names():
    assert set(DIRECTIVE_GROUPS) == set(RULES)
    assert all(directive_group(name) is not None for names in DIRECTIVE_GROUPS.values() for name in names)
    assert directive_group("prf:corollary") == "proof" and directive_group("eval-rst") is None
    assert "tab-item" in KNOWN_DIRECTIVES and directive_group("tab-item") is None  # shown inside its tab set only


@pytest.mark.parametrize("markdown", ["> # Quoted Title\n\nText", "- # Quoted Title\n", "<center>\n# Quoted Title\n</center>\n"])
def test_a_title_in_a_quote_a_list_item_or_an_html_block_is_found(markdown):
    assert first_heading(markdown) == "Quoted Title"


def test_a_directives_options_stand_one_a_line_and_a_cells_may_continue():
    assert option_block([": text", "body"]).used == 0  # no `:key:`: the body's own first line
    assert option_block([":class: x", ":  more", "body"]).used == 1
    assert option_block(["  :tags: [a]", "print(1)"], continued=True).style == "none"  # indented: code
    assert option_block([":tags: [a]", ":  more: 1", "x"], continued=True).used == 2


@pytest.mark.parametrize("text, fence", [
    ("plain", "```"),
    ("```\n<script>", "````"),
    ("  ``````  indented, or `inline`", "```````"),
    ("~~~\n:::{note}\n:::", "```"),  # tildes and colons close no backtick fence
])
def test_a_fence_is_longer_than_any_run_of_backticks_inside(text, fence):
    assert fence_around(text) == fence
    assert fenced(text, "text") == f"{fence}text\n{text}\n{fence}"


def test_literal_text_leaves_nothing_for_markdown_or_html_to_read():
    assert literal("[a](javascript:x) <b>*c*</b> {d} 5.1% & `e`") == (
        "&#91;a&#93;&#40;javascript:x&#41; &#60;b&#62;&#42;c&#42;&#60;/b&#62; &#123;d&#125; 5.1% &#38; &#96;e&#96;")

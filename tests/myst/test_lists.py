"""CommonMark's list indentation as Python-Markdown needs it."""
import markdown
import pytest

from lessonbuild.myst.lists import four_space_lists


@pytest.mark.parametrize("commonmark, expected", [
    ("- a\n  - b\n", "- a\n    - b\n"),
    ("1. one\n\n   second paragraph\n2. two\n", "1. one\n\n    second paragraph\n\n2. two\n"),
    ("10. ten\n    ```python\n    x = 1\n    ```\n", "10. ten\n    ```python\n    x = 1\n    ```\n"),
    ("- lazy\ncontinuation\n", "- lazy\n    continuation\n"),
    ("Not a list.\n\n    indented code\n", "Not a list.\n\n    indented code\n"),
    ("> - in a quote\n>   - nested\n", "> - in a quote\n>   - nested\n"),  # a quote's lists are left as they are
])
def test_continuations_move_to_four_spaces(commonmark, expected):
    assert four_space_lists(commonmark) == expected


def test_python_markdown_then_nests_what_commonmark_nests():
    html = markdown.markdown(four_space_lists("- a\n  - b\n\n  more of a\n- c\n"))
    assert html == "<ul>\n<li>\n<p>a</p>\n<ul>\n<li>b</li>\n</ul>\n<p>more of a</p>\n</li>\n<li>\n<p>c</p>\n</li>\n</ul>"

"""learntools' macro language, as its renderer applies it in PROD mode."""
from pathlib import Path

import pytest

from lessonbuild.errors import SourceError
from lessonbuild.pipeline.read.macros import apply_macros

PATH = Path("l.md")


def expand(*lines: str, first: int = 1):
    return apply_macros(list(lines), list(range(first, first + len(lines))), PATH)


def error(*lines: str) -> str:
    with pytest.raises(SourceError) as caught:
        expand(*lines, first=10)
    return str(caught.value)


def test_a_line_macro_stands_alone_and_acts_on_the_next_line():
    cell = expand(
        "q1.check()",
        "#_COMMENT_IF(PROD)_",
        "q1.solution()",
        "    #_UNCOMMENT_IF(PROD)_",
        "    #____ = q1.answer()",
        "#_RM_",
        "print('for the author only')",
        "#_RM_IF(PROD)_",
        "debug = True",
        "#_UNCOMMENT_",
        "# kept = 1",
        "#_COMMENT_",
        "x = 2",
    )
    assert cell.lines == ["q1.check()", "#q1.solution()", "    ____ = q1.answer()", " kept = 1", "#x = 2"]
    assert cell.numbers == [1, 3, 5, 11, 13] and cell.fate == "keep"


def test_conditions_as_prod_sees_them():
    assert expand("#_RM_IF(DAILY)_", "a", "#_RM_IF(NOTDAILY)_", "b", "#_COMMENT_IF(DAILY)_", "c").lines == ["a", "c"]


def test_a_macro_at_the_end_of_a_code_line_is_an_ordinary_comment():
    lines = ["answer = 42  #_RM_", "q1.hint()  #_COMMENT_IF(PROD)_"]
    assert expand(*lines).lines == lines


def test_line_macros_act_in_markdown_too():
    assert expand("Some prose.", "#_RM_IF(PROD)_", "A note for the testing copy.", "More.").lines == ["Some prose.", "More."]


def test_cell_macros_on_the_first_line_remove_the_cell_in_either_kind():
    assert expand("#%%RM%%", "x = 1").fate == "drop"
    assert expand("#%%RM_IF(PROD)%%", "A Markdown note.").fate == "drop"
    assert expand("#%%RM_IF(DAILY)%%", "x = 1").lines == ["#%%RM_IF(DAILY)%%", "x = 1"]
    assert expand("x = 1", "#%%RM%%").fate == "keep"  # learntools reads the first line only
    assert expand("  #%%RM_BELOW%%  ").fate == "drop-below"


def test_expanding_macros_anywhere():
    cell = expand("#$HIDE_INPUT$", "import numpy as np  #$HIDE_OUTPUT$", "#$HIDE$")
    assert (cell.lines, cell.numbers, cell.tags) == (["import numpy as np  "], [2], ["hide-input", "hide-output", "hide-cell"])
    cell = expand("See [lesson 2](#$TUTORIAL_URL(2)$) and #$EXERCISE_FORKING_URL(3)$.", "#$SUBMIT_TO_COMP$",
                  "<a href=\"#$EXERCISE_FORKING_URL$\">fork</a>, then #$NEXT_NOTEBOOK_URL$", "#$YOURTURN$ #$KEEP_GOING$")
    assert cell.lines == [
        "See [lesson 2]({{ tutorial_url(2) }}) and {{ exercise_forking_url(3, bare=True) }}.",
        "{{ macros.submit_to_comp() }}",
        '<a href="{{ exercise_forking_url() }}">fork</a>, then {{ next_notebook_url(bare=True) }}',
        "{{ macros.your_turn() }} {{ macros.keep_going() }}",
    ]


@pytest.mark.parametrize("lines, expected", [
    (["x", "#_RM_"], "l.md:11: line macro '#_RM_' acts on the line after it, and there is none"),
    (["#_DELETE_", "x"], "l.md:10: unknown line macro '#_DELETE_'"),
    (["#_RM_IF(DEV)_", "x"], "l.md:10: unknown condition 'DEV' in '#_RM_IF(DEV)_'"),
    (["#_UNCOMMENT_", "x = 1"], "l.md:11: '#_UNCOMMENT_' on the line before uncomments this line, which is no comment"),
    (["#%%KEEP%%", "x"], "l.md:10: unknown cell macro '#%%KEEP%%'"),
    (["#%%RM_BELOW%%", "x = 1"], "l.md:10: #%%RM_BELOW%% stands alone in its cell"),
    (["ok", "#$SURPRISE$"], "l.md:11: unknown macro '#$SURPRISE$'"),
    (["#$YOURTURN(2)$"], "l.md:10: '#$YOURTURN(2)$': only TUTORIAL_URL, EXERCISE_URL, EXERCISE_FORKING_URL take an argument"),
])
def test_mistakes_are_errors_at_their_line(lines, expected):
    assert error(*lines).startswith(expected)

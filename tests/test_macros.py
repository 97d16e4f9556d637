from pathlib import Path

import pytest

from lessonbuild.errors import SourceError
from lessonbuild.macros import strip_cell_magics


def test_each_cell_magic_sets_its_tag_once():
    lines = ["#$HIDE$", "x = 1", "  #$HIDE_OUTPUT$", "#$HIDE$"]
    kept, numbers, tags = strip_cell_magics(lines, [10, 11, 12, 13], Path("l.md"))
    assert kept == ["x = 1"] and numbers == [11]
    assert tags == ["hide-cell", "hide-output"]


def test_ordinary_comments_are_code():
    lines = ["# $HIDE$ is how you hide", "#$ not a magic", "x = '#$HIDE$'"]
    kept, _, tags = strip_cell_magics(lines, [1, 2, 3], Path("l.md"))
    assert kept == lines and tags == []


def test_unknown_magic_is_an_error_at_its_line():
    with pytest.raises(SourceError) as caught:
        strip_cell_magics(["x = 1", "#$HIDE_ALL$"], [7, 8], Path("l.md"))
    assert str(caught.value).startswith("l.md:8: unknown magic '#$HIDE_ALL$'")


from lessonbuild.macros import apply_line_macros, cell_fate, text_macros_to_template


def test_line_macros_remove_comment_and_uncomment_lines():
    lines = [
        "a = 1  #_RM_",
        "b = 2 #_RM_IF(PROD)_",
        "c = 3  #_COMMENT_IF(PROD)_",
        "    # d = 4 #_UNCOMMENT_",
        "#e = 5 #_UNCOMMENT_IF(PROD)_",
        "f = 6",
    ]
    kept, numbers = apply_line_macros(lines, [1, 2, 3, 4, 5, 6], Path("l.md"))
    assert kept == ["# c = 3", "    d = 4", "e = 5", "f = 6"]
    assert numbers == [3, 4, 5, 6]


def test_unknown_line_macro_is_an_error_at_its_line():
    with pytest.raises(SourceError) as caught:
        apply_line_macros(["x = 1 #_RM_IF(DEV)_"], [12], Path("l.md"))
    assert str(caught.value).startswith("l.md:12: unknown line macro '#_RM_IF(DEV)_'")


def test_cell_macros():
    assert cell_fate(["x = 1"], [1], Path("l.md")) == "keep"
    assert cell_fate(["#%%RM%%", "x"], [1, 2], Path("l.md")) == "drop"
    assert cell_fate(["#%%RM_IF(PROD)%%"], [1], Path("l.md")) == "drop"
    assert cell_fate(["#%%RM%%", "#%%RM_BELOW%%"], [1, 2], Path("l.md")) == "drop-below"
    with pytest.raises(SourceError) as caught:
        cell_fate(["#%%KEEP%%"], [4], Path("l.md"))
    assert str(caught.value).startswith("l.md:4: unknown cell macro '#%%KEEP%%'")


def test_text_macros_become_template_calls():
    lines = ["See [next](#$NEXT_NOTEBOOK_URL$) or [lesson 2](#$TUTORIAL_URL(2)$).", "#$YOURTURN$",
             "Go on at #$NEXT_NOTEBOOK_URL$ or #$EXERCISE_URL(1)$, or <a href=\"#$EXERCISE_FORKING_URL$\">fork</a>."]
    assert text_macros_to_template(lines, [3, 4, 5], Path("l.md")) == [
        "See [next]({{ next_notebook_url() }}) or [lesson 2]({{ tutorial_url(2) }}).",
        "{{ macros.your_turn() }}",
        "Go on at {{ next_notebook_url(bare=True) }} or {{ exercise_url(1, bare=True) }}, "
        "or <a href=\"{{ exercise_forking_url() }}\">fork</a>.",
    ]
    with pytest.raises(SourceError) as caught:
        text_macros_to_template(["ok", "#$SURPRISE$"], [8, 9], Path("l.md"))
    assert str(caught.value).startswith("l.md:9: unknown macro '#$SURPRISE$' in Markdown")

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

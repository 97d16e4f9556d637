"""YAML documents checked against a schema, each problem at its own line."""
from pathlib import Path

import pytest

from lessonbuild.errors import SourceError
from lessonbuild.yamldoc import load_yaml, value_or_none

SCHEMA = {"type": "object", "properties": {"title": {"type": "string"}, "tags": {"type": "array"}},
          "additionalProperties": False}


def problem(text: str) -> str:
    with pytest.raises(SourceError) as caught:
        load_yaml(text, Path("f.md"), 2, SCHEMA)
    return str(caught.value)


def test_a_valid_document_reads_and_an_empty_one_is_a_mapping():
    assert load_yaml("title: T\ntags: [a]\n", Path("f.md"), 2, SCHEMA) == {"title": "T", "tags": ["a"]}
    assert load_yaml("", Path("f.md"), 2, SCHEMA) == {}


def test_each_problem_is_at_its_line_of_the_file():
    assert problem("title: T\n\nextra: 1\n") == "f.md:4: unknown key 'extra' (expected one of: tags, title)"
    assert problem("title: T\ntags: 3\n") == "f.md:3: 'tags': 3 is not of type 'array'"
    assert problem("title: T\ntags: [a\n") == ("f.md:4: invalid YAML: expected ',' or ']', but got '<stream end>' "
                                               "(while parsing a flow sequence at line 3)")
    assert problem("- a list\n") == "f.md:2: expected a YAML mapping of keys to values"


def alias_bomb(levels: int = 9) -> str:
    """A "billion laughs": each level a list of nine aliases of the one above, 9**9 values once expanded."""
    lines = ["a0: &a0 [x, x, x, x, x, x, x, x, x]"]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, levels)]
    return "tags:\n" + "".join(f"  - {line}\n" for line in lines)


def test_an_alias_bomb_is_refused_at_once_at_the_line_where_it_grows_too_big():
    assert problem("title: T\n" + alias_bomb()) == (
        "f.md:9: YAML aliases here expand to 597,871 values, more than the 100,000 a document may hold (an alias bomb?)")
    assert load_yaml("title: T\n" + alias_bomb(levels=3), Path("f.md"), 2, SCHEMA)["tags"][2]["a2"][0][0][0] == "x"  # a small one reads


def test_an_alias_inside_its_own_anchor_is_refused():
    assert problem("title: T\ntags: &t\n  - *t\n") == "f.md:3: a YAML alias refers to the value that holds it"


@pytest.mark.parametrize("nested", [
    "[" * 3000 + "]" * 3000,  # past libyaml's own limit
    "[" * 3000 + "]" * 2999,  # and not even closed
    "[" * 900 + "]" * 900,  # within libyaml's, but not within what the later stages can walk
    "\n" + "- " * 3000 + "x",
])
def test_nesting_deeper_than_any_stage_walks_is_one_line_not_a_recursion_error(nested):
    assert problem(f"title: T\ntags: {nested}\n") in ("f.md:3: YAML nested more than 100 levels deep",
                                                      "f.md:4: YAML nested more than 100 levels deep")


def test_a_date_is_read_as_the_text_written():
    assert load_yaml("title: 2024-01-01\ntags: [2024-01-01 10:00:00]\n", Path("f.md"), 2, SCHEMA) == {
        "title": "2024-01-01", "tags": ["2024-01-01 10:00:00"]}


def test_keys_that_are_not_strings_and_characters_yaml_refuses_are_one_line():
    assert problem("title: T\n1: a\nextra: b\n") == "f.md:3: unknown key '1' (expected one of: tags, title)"
    assert problem("title: T\ntags: [a\x07]\n") == (
        "f.md:3: invalid YAML: unacceptable character #x0007: special characters are not allowed")
    assert problem("title: T\ntags: {? [a] : b}\n").startswith("f.md:3: invalid YAML: found unhashable key")


def test_a_lenient_reader_gets_none_for_what_is_no_yaml_or_out_of_bounds():
    assert value_or_none("title: 2024-01-01\n") == {"title": "2024-01-01"}
    assert value_or_none("title: [unclosed\n") is None
    assert value_or_none(alias_bomb()) is None
    assert value_or_none("[" * 3000 + "]" * 3000) is None

"""YAML documents checked against a schema, each problem at its own line."""
from pathlib import Path

import pytest

from lessonbuild.errors import SourceError
from lessonbuild.yamldoc import load_yaml

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

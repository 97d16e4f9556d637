"""YAML documents (front matter, course files) checked against a schema, errors at the offending line."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import jsonschema
import yaml

from lessonbuild.errors import SourceError

# libyaml's loader where PyYAML has it (ten times faster on a course's hundreds of front matters), else Python's.
LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
_VALIDATORS: dict[int, jsonschema.Draft202012Validator] = {}


def _validator(schema: dict[str, Any]) -> jsonschema.Draft202012Validator:
    """One validator per schema: building one costs more than validating a small document."""
    if id(schema) not in _VALIDATORS:
        _VALIDATORS[id(schema)] = jsonschema.Draft202012Validator(schema)
    return _VALIDATORS[id(schema)]


def load_yaml(text: str, path: Path, first_line: int, schema: dict[str, Any]) -> dict[str, Any]:
    """Parse `text`, which starts at line `first_line` of `path`, and validate it against `schema`."""
    try:
        data = yaml.load(text, Loader=LOADER)
    except yaml.YAMLError:
        data = None  # libyaml says where less precisely: Python's parser reports it, below
    try:
        if data is None:
            data = yaml.load(text, Loader=yaml.SafeLoader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line = first_line + (mark.line if mark else 0)
        message = f"invalid YAML: {exc.problem or exc.context}"
        if exc.context and exc.context_mark and exc.problem_mark:
            message += f" ({exc.context} at line {first_line + exc.context_mark.line})"
        raise SourceError(path, line, message) from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise SourceError(path, first_line, "expected a YAML mapping of keys to values")
    error = jsonschema.exceptions.best_match(_validator(schema).iter_errors(data))
    if error is not None:
        root = yaml.compose(text, Loader=LOADER)  # the tree with lines, needed only to say where the problem is
        keys = list(error.absolute_path)
        message = error.message
        if error.validator == "additionalProperties":
            extra = sorted(set(error.instance) - set(error.schema.get("properties", {})))
            keys.append(extra[0])
            allowed = ", ".join(sorted(error.schema.get("properties", {})))
            message = f"unknown key '{extra[0]}' (expected one of: {allowed})"
        elif keys:
            message = f"'{'.'.join(str(k) for k in keys)}': {message}"
        raise SourceError(path, first_line + node_line(root, keys), message)
    return data


def node_line(node: yaml.Node | None, keys: list[Any]) -> int:
    """Walk `keys` down the composed YAML tree; the last key's own line, or the deepest one reached."""
    line = node.start_mark.line if node is not None else 0
    for key in keys:
        if isinstance(node, yaml.MappingNode):
            pair = next(((k, v) for k, v in node.value if k.value == str(key)), None)
            if pair is None:
                break
            line, node = pair[0].start_mark.line, pair[1]
        elif isinstance(node, yaml.SequenceNode) and isinstance(key, int) and key < len(node.value):
            node = node.value[key]
            line = node.start_mark.line
        else:
            break
    return line

"""YAML documents (front matter, course files) checked against a schema, errors at the offending line.

A document is composed first, and its tree measured before any Python value is built from it: an
alias bomb ("billion laughs"), an alias that holds itself, or nesting deeper than any stage can walk
is one `path:line` error, in milliseconds, instead of a hang or a RecursionError later on.
"""
from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from lessonbuild.errors import SourceError

if TYPE_CHECKING:
    import jsonschema  # imported where a document is checked: reading the project's settings needs none of it

# libyaml's loader where PyYAML has it (ten times faster on a course's hundreds of front matters), else Python's.
LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
# Far beyond what front matter or a course file holds, and far below Python's recursion limit, which the stages
# that walk these values (pickle, JSON, deepcopy) share with the code that calls them.
MAX_DEPTH = 100
MAX_VALUES = 100_000  # what a document may hold once its aliases are expanded
LIBYAML_TOO_DEEP = "exceeded maximum nesting depth"  # libyaml's refusal past its own limit of 1,000 levels
TIMESTAMP_TAG = "tag:yaml.org,2002:timestamp"
_VALIDATORS: dict[int, jsonschema.Draft202012Validator] = {}


class _Constructor(LOADER):  # type: ignore[valid-type,misc]  # a class chosen at import time
    """Builds values from a composed tree. A date is read as the text written: `title: 2024-01-01` means that
    text, and these values end up in JSON (notebook metadata), which has no dates."""


_Constructor.add_constructor(TIMESTAMP_TAG, yaml.SafeLoader.construct_yaml_str)


def _validator(schema: dict[str, Any]) -> jsonschema.Draft202012Validator:
    """One validator per schema: building one costs more than validating a small document."""
    import jsonschema

    if id(schema) not in _VALIDATORS:
        _VALIDATORS[id(schema)] = jsonschema.Draft202012Validator(schema)
    return _VALIDATORS[id(schema)]


def load_yaml(text: str, path: Path, first_line: int, schema: dict[str, Any]) -> dict[str, Any]:
    """Parse `text`, which starts at line `first_line` of `path`, and validate it against `schema`."""
    return load_yaml_tree(text, path, first_line, schema)[0]


def load_yaml_tree(text: str, path: Path, first_line: int, schema: dict[str, Any]) -> tuple[dict[str, Any], yaml.Node | None]:
    """As load_yaml, with the composed tree too, whose nodes say at which line each value is (see node_line)."""
    data, root = _bounded_value(text, path, first_line)
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise SourceError(path, first_line, "expected a YAML mapping of keys to values")
    from jsonschema.exceptions import best_match

    error = best_match(_validator(schema).iter_errors(data))
    if error is not None:
        raise _schema_error(error, root, path, first_line)
    return data, root


def value_or_none(text: str) -> Any:
    """The value `text` holds, within the bounds load_yaml keeps; None where it is no YAML or out of bounds (for
    readers that take what is no YAML for text, as MyST takes a directive's options)."""
    try:
        return _bounded_value(text, Path(), 1)[0]
    except SourceError:
        return None


def check_bounds(text: str, path: Path) -> None:
    """Raise SourceError where `text` nests deeper or expands further than load_yaml allows: for YAML that another
    reader loads (MkDocs reads mkdocs.yml, with its own tags), which would hang on an alias bomb."""
    root = _compose(text, path, 1)
    if root is not None:
        _measure(root, path, 1)


def _bounded_value(text: str, path: Path, first_line: int) -> tuple[Any, yaml.Node | None]:
    root = _compose(text, path, first_line)
    if root is not None:
        _measure(root, path, first_line)
    return _construct(root, path, first_line), root


def _compose(text: str, path: Path, first_line: int) -> yaml.Node | None:
    """The document's tree, with libyaml; where it refuses the text, Python's parser says where more precisely."""
    try:
        return yaml.compose(text, Loader=LOADER)
    except (yaml.YAMLError, RecursionError) as exc:
        fast_error: Exception = exc
    too_deep = _nested_too_deep(text, fast_error)
    if too_deep is not None:  # refused for that anyway, and Python's parser would take seconds to get that deep
        raise _depth_error(path, first_line + too_deep.line)
    try:
        return yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        raise _invalid(exc, text, path, first_line) from None
    except RecursionError:  # Python's parser recurses once a level; libyaml stops at a depth, and says where
        raise _invalid(fast_error, text, path, first_line) from None


def _nested_too_deep(text: str, refusal: Exception) -> yaml.Mark | None:
    """Where a text that libyaml refused opens a collection deeper than MAX_DEPTH levels, as far as it read it."""
    if isinstance(refusal, yaml.MarkedYAMLError) and refusal.problem == LIBYAML_TOO_DEEP:
        return refusal.problem_mark
    depth = 0
    try:
        for event in yaml.parse(text, Loader=LOADER):
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > MAX_DEPTH:
                    return event.start_mark
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
    except yaml.YAMLError:
        pass  # the refusal, which _compose reports
    return None


def _depth_error(path: Path, line: int) -> SourceError:
    return SourceError(path, line, f"YAML nested more than {MAX_DEPTH} levels deep")


def _invalid(exc: Exception, text: str, path: Path, first_line: int) -> SourceError:
    """A parser's or constructor's error as `path:line: invalid YAML: ...`."""
    if isinstance(exc, yaml.MarkedYAMLError):
        mark = exc.problem_mark or exc.context_mark
        message = f"invalid YAML: {exc.problem or exc.context}"
        if exc.context and exc.context_mark and exc.problem_mark:
            message += f" ({exc.context} at line {first_line + exc.context_mark.line})"
        return SourceError(path, first_line + (mark.line if mark else 0), message)
    if isinstance(exc, yaml.reader.ReaderError):  # a character YAML does not allow: it knows where, in characters
        line = first_line + text.count("\n", 0, exc.position)
        return SourceError(path, line, f"invalid YAML: unacceptable character #x{exc.character:04x}: {exc.reason}")
    if isinstance(exc, RecursionError):
        return _depth_error(path, first_line)
    return SourceError(path, first_line, f"invalid YAML: {exc}")


def _construct(root: yaml.Node | None, path: Path, first_line: int) -> Any:
    if root is None:
        return None
    constructor = _Constructor("")
    try:
        return constructor.construct_document(root)
    except yaml.YAMLError as exc:  # an unhashable key, a bad !!binary: the constructor's errors are marked too
        raise _invalid(exc, "", path, first_line) from None
    finally:
        constructor.dispose()


def _measure(root: yaml.Node, path: Path, first_line: int) -> None:
    """Refuse a tree that expands, through its aliases, beyond MAX_VALUES values or MAX_DEPTH levels, or holds itself.

    An alias is the node it names, so the tree is a graph: each node's expanded size and height are counted
    once, children first, without recursion, in time proportional to what was written, not to what it expands to."""
    size: dict[int, int] = {}
    height: dict[int, int] = {}
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    open_nodes: set[int] = set()  # on the path from the root: meeting one again is an alias inside its own anchor
    while stack:
        node, children_done = stack.pop()
        if children_done:
            open_nodes.discard(id(node))
            children = _children(node)
            size[id(node)] = 1 + sum(size[id(child)] for child in children)
            height[id(node)] = 1 + max((height[id(child)] for child in children), default=0)
            _check_measure(node, size[id(node)], height[id(node)], path, first_line)
            continue
        if id(node) in size:
            continue
        if id(node) in open_nodes:
            raise SourceError(path, first_line + node.start_mark.line, "a YAML alias refers to the value that holds it")
        open_nodes.add(id(node))
        stack.append((node, True))
        stack.extend((child, False) for child in _children(node))


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    return list(node.value) if isinstance(node, yaml.SequenceNode) else []


def _check_measure(node: yaml.Node, size: int, height: int, path: Path, first_line: int) -> None:
    """Called children first, so the line named is the innermost one where the document grows past a limit."""
    line = first_line + node.start_mark.line
    if size > MAX_VALUES:
        raise SourceError(path, line, f"YAML aliases here expand to {size:,} values, more than the {MAX_VALUES:,} "
                          "a document may hold (an alias bomb?)")
    if height > MAX_DEPTH:
        raise _depth_error(path, line)


def _schema_error(error: jsonschema.ValidationError, root: yaml.Node | None, path: Path, first_line: int) -> SourceError:
    keys = list(error.absolute_path)
    message = error.message
    if error.validator == "additionalProperties":
        extra = sorted(set(error.instance) - set(error.schema.get("properties", {})), key=str)  # keys need not be strings
        keys.append(extra[0])
        allowed = ", ".join(sorted(error.schema.get("properties", {})))
        message = f"unknown key '{extra[0]}' (expected one of: {allowed})"
    elif keys:
        message = f"'{'.'.join(str(k) for k in keys)}': {message}"
    return SourceError(path, first_line + node_line(root, keys), message)


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

"""A learntools track's `track_meta.py`, read as data: never imported, never executed.

Kaggle Learn describes each course (a track) in a Python file that builds three values:
`track` (the course's name, URLs and author), `lessons` (each lesson's topic) and `notebooks`
(each notebook's file, lesson, type, kernel id and sources). The files build them with a small
part of Python: literals, `dict(...)`, comprehensions, loops that fill in keys, `.append`,
`str.format`. This module evaluates exactly that part over Python's own syntax tree, with a
step limit, and refuses anything else at its line: no name outside the file and the few safe
functions below is reachable, so reading a track can run none of its code.
"""
from __future__ import annotations

import ast
import operator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lessonbuild.errors import SourceError

STEP_LIMIT = 200_000  # a track's file takes a few thousand; a loop that never ends takes them all
FUNCTIONS = {"dict": dict, "list": list, "enumerate": enumerate, "zip": zip, "range": range, "len": len,
             "sorted": sorted, "str": str, "int": int}
METHODS = {(str, "format"), (str, "lower"), (str, "upper"), (str, "strip"), (str, "title"), (str, "replace"),
           (list, "append"), (list, "extend"), (dict, "copy"), (dict, "get"), (dict, "update"), (dict, "setdefault")}
BINARY = {ast.Add: operator.add, ast.Sub: operator.sub, ast.Mult: operator.mul, ast.Mod: operator.mod}
COMPARE = {ast.Eq: operator.eq, ast.NotEq: operator.ne, ast.Lt: operator.lt, ast.LtE: operator.le, ast.Gt: operator.gt,
           ast.GtE: operator.ge, ast.In: lambda a, b: a in b, ast.NotIn: lambda a, b: a not in b,
           ast.Is: operator.is_, ast.IsNot: operator.is_not}


@dataclass(frozen=True)
class TrackMeta:
    track: dict[str, Any]
    lessons: list[dict[str, Any]]
    notebooks: list[dict[str, Any]]


def read_track_meta(path: Path, shown: Path) -> TrackMeta:
    """The track, lessons and notebooks that `path` builds; SourceError (naming `shown`) where it does more."""
    text = path.read_text(encoding="utf-8")
    try:
        tree = ast.parse(text, filename=str(shown))
    except SyntaxError as exc:
        raise SourceError(shown, exc.lineno or 1, f"invalid Python: {exc.msg}") from None
    names = _Evaluator(shown).run(tree)
    for name in ("track", "lessons", "notebooks"):
        if name not in names:
            raise SourceError(shown, 1, f"track_meta.py sets no '{name}'")
    return TrackMeta(names["track"], names["lessons"], names["notebooks"])


class _Evaluator:
    def __init__(self, shown: Path):
        self.shown = shown
        self.names: dict[str, Any] = {}
        self.steps = 0

    def run(self, tree: ast.Module) -> dict[str, Any]:
        for statement in tree.body:
            self.statement(statement)
        return self.names

    def refuse(self, node: ast.AST, what: str) -> SourceError:
        return SourceError(self.shown, getattr(node, "lineno", 1), f"track_meta.py is read as data, not run: {what} is not read")

    def step(self, node: ast.AST) -> None:
        self.steps += 1
        if self.steps > STEP_LIMIT:
            raise SourceError(self.shown, getattr(node, "lineno", 1), "track_meta.py takes too long to read as data")

    def statement(self, node: ast.stmt) -> None:
        self.step(node)
        if isinstance(node, ast.Assign):
            value = self.value(node.value)
            for target in node.targets:
                self.assign(target, value)
        elif isinstance(node, ast.AugAssign) and type(node.op) in BINARY:
            self.assign(node.target, BINARY[type(node.op)](self.value(node.target), self.value(node.value)))
        elif isinstance(node, (ast.For, ast.If)) and not (isinstance(node, ast.For) and node.orelse):
            self.block(node)
        elif isinstance(node, ast.Expr) and isinstance(node.value, (ast.Call, ast.Constant)):
            self.value(node.value)  # a method call for its effect, or a string standing as a comment
        elif not isinstance(node, ast.Pass):
            raise self.refuse(node, f"a statement of kind {type(node).__name__}")

    def block(self, node: ast.For | ast.If) -> None:
        """A loop (without `else`) or a condition: its statements, as many times as they run."""
        if isinstance(node, ast.If):
            for statement in node.body if self.value(node.test) else node.orelse:
                self.statement(statement)
            return
        for item in self.value(node.iter):
            self.assign(node.target, item)
            for statement in node.body:
                self.statement(statement)

    def assign(self, target: ast.expr, value: Any) -> None:
        if isinstance(target, ast.Name):
            self.names[target.id] = value
        elif isinstance(target, (ast.Tuple, ast.List)):
            items = list(value)
            if len(items) != len(target.elts):
                raise self.refuse(target, "unpacking into a different number of names")
            for element, item in zip(target.elts, items, strict=False):
                self.assign(element, item)
        elif isinstance(target, ast.Subscript):
            self.value(target.value)[self.value(target.slice)] = value
        else:
            raise self.refuse(target, f"assigning to {type(target).__name__}")

    def value(self, node: ast.expr) -> Any:
        self.step(node)
        reader = getattr(self, f"_{type(node).__name__}", None)
        if reader is None:
            raise self.refuse(node, f"an expression of kind {type(node).__name__}")
        try:
            return reader(node)
        except SourceError:
            raise
        except Exception as exc:  # noqa: BLE001 - what Python would raise running it: an error of the file
            raise SourceError(self.shown, node.lineno, f"track_meta.py: {type(exc).__name__}: {exc}") from None

    def _Constant(self, node):
        return node.value

    def _Name(self, node):
        if node.id in self.names:
            return self.names[node.id]
        if node.id in FUNCTIONS:
            return FUNCTIONS[node.id]
        raise self.refuse(node, f"the name '{node.id}', which the file does not set,")

    def _List(self, node):
        return [item for element in node.elts for item in self.element(element)]

    def _Tuple(self, node):
        return tuple(item for element in node.elts for item in self.element(element))

    def element(self, node: ast.expr) -> list:
        return list(self.value(node.value)) if isinstance(node, ast.Starred) else [self.value(node)]

    def _Dict(self, node):
        result = {}
        for key, value in zip(node.keys, node.values, strict=False):
            if key is None:
                result.update(self.value(value))
            else:
                result[self.value(key)] = self.value(value)
        return result

    def _Subscript(self, node):
        return self.value(node.value)[self.value(node.slice)]

    def _Slice(self, node):
        bounds = (node.lower, node.upper, node.step)
        return slice(*(None if bound is None else self.value(bound) for bound in bounds))

    def _BinOp(self, node):
        if type(node.op) not in BINARY:
            raise self.refuse(node, f"the operator {type(node.op).__name__}")
        return BINARY[type(node.op)](self.value(node.left), self.value(node.right))

    def _UnaryOp(self, node):
        operand = self.value(node.operand)
        if isinstance(node.op, ast.Not):
            return not operand
        if isinstance(node.op, ast.USub):
            return -operand
        raise self.refuse(node, f"the operator {type(node.op).__name__}")

    def _BoolOp(self, node):
        result = None
        for operand in node.values:
            result = self.value(operand)
            if (isinstance(node.op, ast.And) and not result) or (isinstance(node.op, ast.Or) and result):
                break
        return result

    def _Compare(self, node):
        left = self.value(node.left)
        for op, comparator in zip(node.ops, node.comparators, strict=False):
            right = self.value(comparator)
            if not COMPARE[type(op)](left, right):
                return False
            left = right
        return True

    def _IfExp(self, node):
        return self.value(node.body) if self.value(node.test) else self.value(node.orelse)

    def _JoinedStr(self, node):
        parts = []
        for part in node.values:
            if isinstance(part, ast.FormattedValue):
                if part.format_spec is not None or part.conversion != -1:
                    raise self.refuse(part, "a formatted value with a format")
                parts.append(str(self.value(part.value)))
            else:
                parts.append(self.value(part))
        return "".join(parts)

    def _ListComp(self, node):
        results: list = []
        self.comprehension(node.generators, lambda: results.append(self.value(node.elt)))
        return results

    def comprehension(self, generators: list[ast.comprehension], produce) -> None:
        first, *rest = generators
        saved = dict(self.names)  # a comprehension's names are its own
        try:
            for item in self.value(first.iter):
                self.assign(first.target, item)
                if all(self.value(condition) for condition in first.ifs):
                    self.comprehension(rest, produce) if rest else produce()
        finally:
            self.names = saved

    def _Call(self, node):
        arguments = [item for argument in node.args for item in self.element(argument)]
        keywords = {}
        for keyword in node.keywords:
            if keyword.arg is None:
                keywords.update(self.value(keyword.value))
            else:
                keywords[keyword.arg] = self.value(keyword.value)
        if isinstance(node.func, ast.Attribute):
            owner = self.value(node.func.value)
            if (type(owner), node.func.attr) not in METHODS:
                raise self.refuse(node, f"the method {type(owner).__name__}.{node.func.attr}")
            return getattr(owner, node.func.attr)(*arguments, **keywords)
        function = self.value(node.func)
        if function not in FUNCTIONS.values():
            raise self.refuse(node, "calling anything but " + ", ".join(FUNCTIONS))
        result = function(*arguments, **keywords)
        return list(result) if isinstance(result, (enumerate, zip, range)) else result

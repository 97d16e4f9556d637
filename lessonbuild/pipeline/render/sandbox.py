"""The Jinja sandbox every template and lesson cell runs in: lesson text comes from contributors.

Jinja's own ImmutableSandboxedEnvironment refuses the attributes that reach Python's internals
(`lipsum.__globals__`, `cycler.__init__`) and the methods that change a value. On top of it, a
render is bounded, so that a template can neither hang the build nor fill its memory:

- every `{% for %}` of one render counts against MAX_ITERATIONS, and the render against a deadline;
- `*`, `**`, `+` and `~` refuse results longer than MAX_TEXT, as do the filters;
- widths and counts handed to the filters and string methods that make text of that size stay under MAX_NUMBER
  (`center(10**9)`), and so do format widths;
- a path object shows its name and parts, never the files around it (`lesson.path.read_text()`).

A refusal is a SecurityError, which the render stage reports at the template's or the cell's line.
"""
from __future__ import annotations

import contextvars
import functools
import re
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path, PurePath
from typing import Any

import jinja2
import jinja2.filters
from jinja2 import nodes
from jinja2.compiler import CodeGenerator
from jinja2.sandbox import ImmutableSandboxedEnvironment, SecurityError

MAX_ITERATIONS = 1_000_000  # loop steps in one render: a course's templates take thousands
MAX_TEXT = 10_000_000  # characters (or items) of one value: ten times the largest real lesson
MAX_NUMBER = 100_000  # a width or a count handed to a filter or a method that makes text of that size
SIZING_FILTERS = frozenset({"center", "indent", "wordwrap", "truncate", "batch", "slice"})
SIZING_METHODS = frozenset({"center", "ljust", "rjust", "zfill", "expandtabs"})  # of str
MAX_EXPONENT = 1_000
RENDER_SECONDS = 20.0
PATH_ATTRIBUTES = frozenset({"name", "stem", "suffix", "suffixes", "parts", "parent", "as_posix"})
WIDE_FORMAT = re.compile(r"\d{6,}")  # a %-format or str.format width of a million characters or more


class TemplateLimitError(SecurityError):
    """A template went past one of the sandbox's bounds."""


def refusal(exc: BaseException) -> str | None:
    """How an error report says that the sandbox refused something; None for any other error."""
    return f"refused by the template sandbox: {exc}" if isinstance(exc, SecurityError) else None


class OutsideTemplateFolder(SecurityError):
    """A template file that is a link to a file outside its folder (a contributor's way to read any file)."""


@dataclass
class _Budget:
    deadline: float
    steps: int = 0
    seen: set[int] = field(default_factory=set)

    def step(self) -> None:
        self.steps += 1
        if self.steps > MAX_ITERATIONS:
            raise TemplateLimitError(f"loops ran more than {MAX_ITERATIONS:,} steps in one template")
        if self.steps % 1024 == 0 and time.monotonic() > self.deadline:
            raise TemplateLimitError(f"the template ran for more than {RENDER_SECONDS:.0f} s")


_BUDGET: contextvars.ContextVar[_Budget | None] = contextvars.ContextVar("lessonbuild_template_budget", default=None)


@contextmanager
def _one_render() -> Iterator[None]:
    """A fresh budget for a render; a template that another includes spends its includer's."""
    if _BUDGET.get() is not None:
        yield
        return
    token = _BUDGET.set(_Budget(time.monotonic() + RENDER_SECONDS))
    try:
        yield
    finally:
        _BUDGET.reset(token)


def _spend() -> None:
    budget = _BUDGET.get()
    if budget is not None:
        budget.step()


def _bounded_size(value: Any, limit: int = MAX_TEXT) -> Any:
    if isinstance(value, str | list | tuple | bytes) and len(value) > limit:
        raise TemplateLimitError(f"a value of {len(value):,} characters or items (at most {limit:,})")
    return value


def _bounded_number(value: Any) -> None:
    if isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_NUMBER:
        raise TemplateLimitError(f"the number {value} is too large for a template (at most {MAX_NUMBER:,})")


def _bounded_format(text: Any) -> None:
    """A format string (`%` or str.format) whose widths stay small: `'%999999999s' % x` makes a gigabyte."""
    if isinstance(text, str) and WIDE_FORMAT.search(text):
        raise TemplateLimitError("a format width of a million characters or more")


class BoundedTemplate(jinja2.Template):
    """A template whose every render has its own budget and whose output is bounded."""

    def render(self, *args: Any, **kwargs: Any) -> str:
        with _one_render():
            limit = getattr(self.environment, "max_text", MAX_TEXT)
            return "".join(_bounded_output(super().generate(*args, **kwargs), limit))

    def make_module(self, *args: Any, **kwargs: Any) -> Any:
        with _one_render():
            return super().make_module(*args, **kwargs)


def _bounded_output(chunks: Iterable[str], limit: int) -> Iterator[str]:
    length = 0
    for chunk in chunks:
        length += len(chunk)
        if length > limit:
            raise TemplateLimitError(f"the template's output is longer than {limit:,} characters")
        yield chunk


class _BoundedCodeGenerator(CodeGenerator):
    """Jinja's compiler, with each loop's iterable and each `~` passed through the environment's bounds."""

    def visit_For(self, node: nodes.For, frame: Any) -> None:
        if not getattr(node, "lessonbuild_bounded", False):
            node.iter = nodes.Call(nodes.EnvironmentAttribute("bounded_loop"), [node.iter], [], None, None)
            node.lessonbuild_bounded = True  # type: ignore[attr-defined]
        super().visit_For(node, frame)

    def visit_Concat(self, node: nodes.Concat, frame: Any) -> None:
        self.write("environment.bounded_text(")
        super().visit_Concat(node, frame)
        self.write(")")


class LessonSandbox(ImmutableSandboxedEnvironment):
    """The environment of every template the build renders (see the module's docstring)."""

    code_generator_class = _BoundedCodeGenerator
    template_class = BoundedTemplate
    intercepted_binops = frozenset({"*", "**", "+", "%"})
    max_text = MAX_TEXT

    def __init__(self, **options: Any):
        super().__init__(**options)
        self.filters = {name: _bounded_filter(function, sizing=name in SIZING_FILTERS, format_string=name == "format")
                        for name, function in self.filters.items()}

    def bounded_loop(self, iterable: Any) -> Iterator[Any]:
        for item in iterable:
            _spend()
            yield item

    def bounded_text(self, text: Any) -> Any:
        return _bounded_size(text, self.max_text)

    def is_safe_attribute(self, obj: Any, attr: str, value: Any) -> bool:
        if isinstance(obj, PurePath):
            return attr in PATH_ATTRIBUTES
        return super().is_safe_attribute(obj, attr, value)

    def call(__self, __context: Any, __obj: Any, *args: Any, **kwargs: Any) -> Any:
        method, owner = getattr(__obj, "__name__", ""), getattr(__obj, "__self__", None)
        if isinstance(owner, str) and method in SIZING_METHODS:
            for value in (*args, *kwargs.values()):
                _bounded_number(value)
        if method in ("format", "format_map"):
            _bounded_format(owner)
        return _bounded_size(super().call(__context, __obj, *args, **kwargs), __self.max_text)

    def call_binop(self, context: Any, operator_name: str, left: Any, right: Any) -> Any:
        if operator_name == "*":
            _bounded_repeat(left, right)
        elif operator_name == "**":
            _bounded_power(left, right)
        elif operator_name == "%":
            _bounded_format(left)
        return _bounded_size(super().call_binop(context, operator_name, left, right), self.max_text)


def _bounded_repeat(left: Any, right: Any) -> None:
    for sequence, count in ((left, right), (right, left)):
        if isinstance(sequence, str | list | tuple) and isinstance(count, int) and len(sequence) * count > MAX_TEXT:
            raise TemplateLimitError(f"repeating {len(sequence):,} characters or items {count:,} times is too long")


def _bounded_power(base: Any, exponent: Any) -> None:
    if isinstance(base, int) and isinstance(exponent, int) and abs(exponent) > MAX_EXPONENT and abs(base) > 1:
        raise TemplateLimitError(f"the power {base} ** {exponent} is too large for a template")


def _bounded_filter(function: Any, sizing: bool, format_string: bool) -> Any:
    @functools.wraps(function)  # keeps Jinja's pass_context/pass_environment marks
    def bounded(*args: Any, **kwargs: Any) -> Any:
        for value in (*args, *kwargs.values()):
            if sizing:
                _bounded_number(value)
            if format_string:
                _bounded_format(value)
        return _bounded_size(function(*args, **kwargs))

    return bounded


class PageSandbox(LessonSandbox):
    """The sandbox of nbconvert's page templates (the project's may override them): a page holds a notebook's
    outputs, so its text may be far longer than a lesson's own."""

    max_text = 512 * 2**20


def sandboxed_like(environment: jinja2.Environment) -> PageSandbox:
    """A PageSandbox with what `environment` (nbconvert's own) has: its loader, extensions, filters and globals."""
    sandbox = PageSandbox(loader=environment.loader, extensions=list(environment.extensions))
    own = {name: function for name, function in environment.filters.items() if name not in jinja2.filters.FILTERS}
    sandbox.filters.update({name: _bounded_filter(function, False, False) for name, function in own.items()})
    sandbox.globals.update({name: value for name, value in environment.globals.items() if name not in sandbox.globals})
    return sandbox


class ConfinedLoader(jinja2.FileSystemLoader):
    """Jinja's loader over one folder, refusing a template whose file (after symlinks) lies outside it."""

    def get_source(self, environment: jinja2.Environment, template: str) -> tuple[str, str, Any]:
        source, filename, uptodate = super().get_source(environment, template)
        if not any(Path(filename).resolve().is_relative_to(Path(folder).resolve()) for folder in self.searchpath):
            raise OutsideTemplateFolder(f"template '{template}' is a link to a file outside its folder")
        return source, filename, uptodate


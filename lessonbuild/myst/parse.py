"""MyST Markdown parsed as MyST-Parser parses it: markdown-it-py with mdit-py-plugins' colon fences,
dollar and amsmath math, roles, targets and comments."""
from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from markdown_it import MarkdownIt
from markdown_it.token import Token
from mdit_py_plugins.amsmath import amsmath_plugin
from mdit_py_plugins.colon_fence import colon_fence_plugin
from mdit_py_plugins.dollarmath import dollarmath_plugin
from mdit_py_plugins.myst_blocks import myst_block_plugin
from mdit_py_plugins.myst_role import myst_role_plugin

from lessonbuild.errors import SourceLocation
from lessonbuild.myst.syntax import option_block
from lessonbuild.yamldoc import value_or_none

PARSER = (MarkdownIt("commonmark").use(colon_fence_plugin).use(dollarmath_plugin, double_inline=True)
          .use(amsmath_plugin).use(myst_role_plugin).use(myst_block_plugin))


Locate = Callable[[int], SourceLocation]  # a line of the text being translated (from 1) -> where it is in the lesson


@dataclass
class Directive:
    name: str
    argument: str
    options: dict = field(default_factory=dict)
    body: str = ""
    body_offset: int = 0  # lines of the text before the body's first line


def is_directive(token) -> bool:
    return token.type in ("fence", "colon_fence") and token.info.startswith("{") and "}" in token.info


def span(token: Token) -> tuple[int, int]:
    """The lines (from 0, end excluded) of the source that a block token stands for."""
    if token.map is None:  # markdown-it maps every block token; an inline one is no block
        raise ValueError(f"a {token.type} token has no place in the source")
    return token.map[0], token.map[1]


def first_line(token: Token) -> int:
    """The line (from 1) a block token starts on."""
    return span(token)[0] + 1


def directive_of(token: Token, offset: int) -> Directive:
    """The directive a fence token opens; `offset`: lines of the text before the one the token was parsed from."""
    name, _, argument = token.info[1:].partition("}")
    lines = token.content.rstrip("\n").split("\n")
    options, used = _options(lines)
    body = lines[used:]
    skipped = used + (len(body) - len("\n".join(body).lstrip("\n").split("\n")) if body else 0)
    return Directive(name.strip(), argument.strip(), options, "\n".join(body).strip("\n"),
                     offset + first_line(token) + skipped)


def _options(lines: list[str]) -> tuple[dict, int]:
    """A directive's options and how many lines they take; options that are no YAML mapping are none, as MyST
    leaves them."""
    block = option_block(lines)
    if block.style != "yaml":
        return block.fields(), block.used
    if not block.closed:
        return {}, 0  # a body that opens with `---` and never closes it is prose
    value = value_or_none(block.yaml())  # bounded: an alias bomb or a deep nesting is no options
    return (value if isinstance(value, dict) else {}), block.used


def plain_text(inline_token) -> str:
    """What an inline token reads as, without its markup: a heading's text for a reference to it."""
    parts = []
    for child in inline_token.children or []:
        if child.type in ("text", "code_inline", "math_inline"):
            parts.append(child.content)
        elif child.type == "myst_role":
            parts.append(re.sub(r"\s*<[^>]*>$", "", child.content))
        elif child.type in ("softbreak", "hardbreak"):
            parts.append(" ")
    return "".join(parts).strip()

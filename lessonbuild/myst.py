"""MyST's prose directives as the site's own components: what Jupyter Book lessons write, as MkDocs pages show it.

Directives are found with markdown-it-py and mdit-py-plugins' colon fences, as MyST-Parser finds
them: in backtick fences (```` ```{note} ````) and colon fences (`:::{tip}`), nested to any depth.
Admonitions become Material's admonitions, a dropdown a collapsed `<details>`, `{figure}` and
`{image}` Markdown images, `{code-block}` a fenced code block, `{raw} html` its HTML; directives that
only organise a book (`{toctree}`, `{index}`) go. Another directive's content is shown as prose in a
box of its own, never as raw syntax. `(label)=` targets become anchors.
"""
from __future__ import annotations

import html
import re
from dataclasses import dataclass, field

import yaml
from markdown_it import MarkdownIt
from mdit_py_plugins.colon_fence import colon_fence_plugin

ADMONITIONS = {
    "note": "Note", "tip": "Tip", "hint": "Hint", "important": "Important", "warning": "Warning",
    "caution": "Caution", "attention": "Attention", "danger": "Danger", "error": "Error", "seealso": "See also",
    "admonition": "Note",
}
DROPPED = {"toctree", "tableofcontents", "index", "bibliography"}  # a book's organisation, not a page's content
CODE = {"code-block", "code", "sourcecode"}
IMAGES = {"figure", "image"}
LABEL = re.compile(r"^\s*\((?P<label>[^)\s]+)\)=\s*$", re.MULTILINE)  # `(label)=`, on the line before what it names
PARSER = MarkdownIt("commonmark").use(colon_fence_plugin)


@dataclass
class Directive:
    name: str
    argument: str
    options: dict = field(default_factory=dict)
    body: str = ""


def to_site(markdown: str) -> tuple[str, list[tuple[int, str]]]:
    """The Markdown with its MyST directives and targets as the site shows them, and (line, name) of
    each directive it does not know, by the line where it opens (from 1)."""
    unknown: list[tuple[int, str]] = []
    return _translate(markdown, 0, unknown), unknown


def _translate(markdown: str, offset: int, unknown: list[tuple[int, str]]) -> str:
    lines = markdown.split("\n")
    for token in reversed([t for t in PARSER.parse(markdown) if _is_directive(t)]):
        start, end = token.map
        directive = _directive(token)
        body = _translate(directive.body, offset + start + 1, unknown)
        if directive.name not in KNOWN:
            unknown.append((offset + start + 1, directive.name))
        # A directive in a list item or a quote keeps that place: its lines take the fence's own prefix.
        prefix = lines[start][: lines[start].index(token.markup)]
        lines[start:end] = [prefix + line if line else prefix.rstrip() for line in _shown(directive, body).split("\n")]
    return LABEL.sub(lambda m: f'<a id="{html.escape(m["label"])}"></a>', "\n".join(lines))


def _is_directive(token) -> bool:
    return token.type in ("fence", "colon_fence") and token.info.startswith("{") and "}" in token.info


def _directive(token) -> Directive:
    name, _, argument = token.info[1:].partition("}")
    lines = token.content.rstrip("\n").split("\n")
    options: dict = {}
    if lines and lines[0].strip() == "---" and "---" in (line.strip() for line in lines[1:]):
        closing = 1 + [line.strip() for line in lines[1:]].index("---")
        options = _yaml("\n".join(lines[1:closing]))
        lines = lines[closing + 1:]
    else:
        while lines and re.match(r"^:[\w-]+:", lines[0]):
            key, _, value = lines.pop(0)[1:].partition(":")
            options[key] = value.strip()
    return Directive(name.strip(), argument.strip(), options, "\n".join(lines).strip("\n"))


def _yaml(text: str) -> dict:
    try:
        value = yaml.safe_load(text)
    except yaml.YAMLError:
        return {}
    return value if isinstance(value, dict) else {}


def _shown(directive: Directive, body: str) -> str:
    name = directive.name
    if name in ADMONITIONS or name == "dropdown":
        return _admonition(directive, body)
    if name in CODE:
        return f"```{directive.argument or 'text'}\n{directive.body}\n```"
    if name in IMAGES:
        alt = directive.options.get("alt") or (body.split("\n")[0] if body else "")
        caption = f"\n\n*{body}*" if name == "figure" and body else ""
        return f"![{alt}]({directive.argument}){caption}"
    if name == "raw":
        return directive.body if directive.argument.strip().lower() == "html" else ""
    if name in DROPPED:
        return ""
    css = re.sub(r"[^a-z0-9-]+", "-", name.lower())
    return f'<div class="myst-{css}" markdown="1">\n\n{body}\n\n</div>'


def _admonition(directive: Directive, body: str) -> str:
    kind = directive.name if directive.name in ADMONITIONS and directive.name != "admonition" else "note"
    title = directive.argument or ADMONITIONS.get(directive.name, "Details")
    classes = str(directive.options.get("class", "")).split()
    if directive.name == "dropdown" or "dropdown" in classes:
        return f'<details class="{kind}" markdown="1">\n<summary>{html.escape(title)}</summary>\n\n{body}\n\n</details>'
    return (f'<div class="admonition {kind}" markdown="1">\n<p class="admonition-title">{html.escape(title)}</p>\n\n'
            f"{body}\n\n</div>")


KNOWN = set(ADMONITIONS) | DROPPED | CODE | IMAGES | {"dropdown", "raw"}

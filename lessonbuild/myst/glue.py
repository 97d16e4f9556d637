"""MyST-NB's glue: values a code cell glues (`myst_nb.glue("name", value)`) pasted into the prose.

A lesson's prose is translated before it runs, so a `{glue}` role or directive becomes a marker
(an HTML comment, invisible where it is left); once the lesson has run, `paste` replaces each
marker with the glued output, as MyST-NB shows it: text (formatted as `{glue:text}` asks), an
image, math, Markdown or HTML. Outputs glued with `display=False` are kept off the page.
"""
from __future__ import annotations

import base64
import copy
import html
import json
import re
from ast import literal_eval
from collections.abc import Callable

from lessonbuild.errors import SourceLocation
from lessonbuild.myst.mathml import output_mathml
from lessonbuild.myst.references import doc_target
from lessonbuild.myst.syntax import fenced, literal

GLUE_PREFIX = "application/papermill.record/"  # MyST-NB's prefix of an output glued with display=False
MARKER = re.compile(r"<!-- lessonbuild-glue (?P<json>\{.*?\}) -->")
IMAGES = ("image/png", "image/jpeg", "image/svg+xml", "image/gif")


class GlueError(ValueError):
    """A marker that the executed notebook cannot fill: where it stands and why."""

    def __init__(self, where: SourceLocation, message: str):
        super().__init__(message)
        self.where = where


def marker(name: str, kind: str, where: SourceLocation, doc: str = "") -> str:
    """What stands for a glued value until the lesson has run. `kind`: any, text, md (inline), or block, figure, math.
    `doc`: the lesson that glued it, where that is another (MyST-NB's `:doc:`, or `page.ipynb::name` in a role)."""
    key, _, spec = name.partition(":") if kind == "text" else (name, "", "")
    wanted = {"name": key.strip(), "kind": kind, "format": spec, "where": where.as_json(), **({"doc": doc} if doc else {})}
    return f"<!-- lessonbuild-glue {json.dumps(wanted)} -->"


def glue_doc(argument: str, option: object, current: str) -> str:
    """The lesson a glued value comes from: the `:doc:` option's (a page's path, relative to this one) or the
    part before `::` in `page.ipynb::name`; "" for this lesson."""
    named = str(option or "") or (argument.split("::")[0].strip() if "::" in argument else "")
    doc = doc_target(named, current) if named else ""
    return "" if doc == current else doc


def glued_elsewhere(notebook) -> set[str]:
    """The lessons whose glued values the notebook's prose pastes: what its page depends on besides itself."""
    return {json.loads(match["json"]).get("doc", "") for cell in notebook.cells if cell.cell_type == "markdown"
            for match in MARKER.finditer(cell.source)} - {""}


def paste(notebook, elsewhere: Callable[[str], object | None] = lambda doc: None) -> tuple[object, list[GlueError]]:
    """A copy of the executed notebook with every marker filled and the outputs glued with display=False left out;
    and the markers it could not fill. `elsewhere(lesson)` is another executed lesson's notebook, or None."""
    pasted = copy.deepcopy(notebook)
    glued = _glued(pasted)
    others: dict[str, dict[str, dict] | None] = {}
    problems: list[GlueError] = []

    def fill(match: re.Match) -> str:
        wanted = json.loads(match["json"])
        doc = wanted.get("doc")
        if doc and doc not in others:
            other = elsewhere(doc)
            others[doc] = None if other is None else _glued(copy.deepcopy(other))
        try:
            if doc and others[doc] is None:
                raise GlueError(SourceLocation.from_json(wanted["where"]), f"glue '{wanted['name']}': :doc: '{doc}' is "
                                "no lesson of this course")
            return _shown(others[doc] if doc else glued, wanted)  # type: ignore[arg-type]
        except GlueError as exc:
            problems.append(exc)
            return html.escape(wanted["name"])

    for cell in pasted.cells:
        if cell.cell_type == "markdown" and "lessonbuild-glue" in cell.source:
            cell.source = MARKER.sub(fill, cell.source)
    return pasted, problems


def _glued(notebook) -> dict[str, dict]:
    """Each glued value's output data by name, its MyST-NB prefix taken off."""
    glued = {}
    for cell in notebook.cells:
        if cell.cell_type != "code":
            continue
        kept = []
        for output in cell.get("outputs", []):
            scrapbook = output.get("metadata", {}).get("scrapbook")
            if scrapbook is None:
                kept.append(output)
                continue
            prefix = len(scrapbook.get("mime_prefix", ""))
            glued[scrapbook["name"]] = {key[prefix:]: value for key, value in output.get("data", {}).items()}
            if not prefix:
                kept.append(output)
        cell.outputs = kept
    return glued


def _shown(glued: dict[str, dict], wanted: dict) -> str:
    name, kind, where = wanted["name"], wanted["kind"], SourceLocation.from_json(wanted["where"])
    if name not in glued:
        whose = f"of {wanted['doc']}" if wanted.get("doc") else "of the lesson"
        raise GlueError(where, f"glue '{name}': no cell {whose} glued a value of that name")
    data = glued[name]
    if kind in ("figure", "block", "any") and (image := next((m for m in IMAGES if m in data), None)):
        return f"![{html.escape(name)}](data:{image};base64,{_base64(data[image], image, where, name)})"
    if kind == "math" or (kind in ("block", "any") and "text/latex" in data):
        mathml = output_mathml(data.get("text/latex", ""))
        if mathml:
            return mathml
    if kind in ("md", "block") and "text/markdown" in data:
        return data["text/markdown"]
    if kind == "block" and "text/html" in data:
        return data["text/html"]
    if "text/plain" not in data:
        raise GlueError(where, f"glue '{name}': its value has no text to show here ({', '.join(data)})")
    text = _formatted(data["text/plain"], wanted.get("format", ""), where, name)
    return fenced(text, "text") if kind == "block" else literal(text)


def _base64(data: object, image: str, where: SourceLocation, name: str) -> str:
    """A glued image's data as base64 of nothing but its alphabet: what the lesson printed cannot end the link
    it stands in (`) <script>...`)."""
    if image == "image/svg+xml":
        return base64.b64encode(str(data).encode()).decode()
    try:
        return base64.b64encode(base64.b64decode("".join(str(data).split()), validate=True)).decode()
    except ValueError:  # binascii.Error is one
        raise GlueError(where, f"glue '{name}': its {image} data is not valid base64") from None


def _formatted(text: str, spec: str, where: SourceLocation, name: str) -> str:
    """text/plain as MyST-NB's {glue:text} formats it: the value's repr read back, then Python's format()."""
    try:
        value = literal_eval(text)
    except (SyntaxError, ValueError):
        value = text
    if not spec:
        return str(value)
    try:
        kind = spec[-1]
        value = str(value) if kind == "s" else int(value) if kind in "bcdoxX" else float(value) if kind in "eEfFgGn%" else value
        return format(value, spec)
    except (TypeError, ValueError) as exc:
        raise GlueError(where, f"glue '{name}': format '{spec}' does not apply to {text}: {exc}") from None

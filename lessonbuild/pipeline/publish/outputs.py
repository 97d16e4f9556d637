"""Outputs too large to inline in a page (a JavaScript animation of several MB, a training log of 20 MB): written
beside the page as files it loads or links to, so that the page stays small for the site engine, its search
index and the learner's browser; the notebook learners download leaves them out, so that each is stored once."""
from __future__ import annotations

import html
from collections.abc import Callable
from typing import Any

import nbformat

# Above this, an HTML output is its own file, shown in a frame; a stream, its first and last lines and a link.
LARGE_OUTPUT = 512 * 1024
STREAM_HEAD, STREAM_TAIL = 60, 20  # lines a large stream shows on the page
FRAME = ('<iframe class="output-frame" src="{src}" loading="lazy" title="Output of the code above" '
         "onload=\"if(this.contentDocument)this.style.height=(this.contentDocument.documentElement.scrollHeight+24)+'px'\">"
         "</iframe>")  # a page opened from disk may not read its frame's height: the frame keeps its CSS height
STANDALONE = '<!doctype html>\n<html><head><meta charset="utf-8"></head><body>\n{body}\n</body></html>\n'


def externalized(notebook: Any, folder: str, up: str) -> tuple[Any, dict[str, bytes]]:
    """The page's copy of the notebook with each large output replaced by what loads it, and the files (named
    relative to the page's folder, under `folder`); the same notebook and no file where none is large. `up` leads
    from where the page is published to its folder."""
    files: dict[str, bytes] = {}
    shown = _each_large(notebook, lambda output, name: _replaced(output, f"{folder}/{name}", up, files))
    return shown, files


def for_download(notebook: Any) -> Any:
    """The notebook learners download, each large output left out but for what says so (a stream keeps its first
    and last lines): the page holds the whole of it, once; running the cell makes it again."""
    return _each_large(notebook, lambda output, name: _left_out(output))


def _each_large(notebook: Any, replace: Callable[[Any, str], list[Any]]) -> Any:
    """The notebook with each large output replaced by what `replace(output, name)` gives; the same notebook
    where none is large."""
    cells, changed = [], False
    for index, cell in enumerate(notebook.cells):
        outputs = _merged_streams(cell.get("outputs") or []) if cell.cell_type == "code" else None
        if not outputs or not any(_is_large(output) for output in outputs):
            cells.append(cell)
            continue
        shown = []
        for number, output in enumerate(outputs):
            shown += replace(output, f"output-{index}-{number}") if _is_large(output) else [output]
        cells.append(nbformat.NotebookNode({**cell, "outputs": shown}))
        changed = True
    return nbformat.NotebookNode({**notebook, "cells": cells}) if changed else notebook


def _merged_streams(outputs: list[Any]) -> list[Any]:
    """The outputs with each run of one stream's pieces as one (a kernel sends a long print in many), as MyST-NB
    merges them: a log is one log."""
    merged: list[Any] = []
    for output in outputs:
        previous = merged[-1] if merged else None
        if previous is not None and output.get("output_type") == "stream" == previous.get("output_type") \
                and output.get("name") == previous.get("name"):
            merged[-1] = nbformat.NotebookNode({**previous, "text": previous["text"] + output["text"]})
        else:
            merged.append(output)
    return merged


def _is_large(output: Any) -> bool:
    if output.get("output_type") == "stream":
        return len(output.get("text", "")) > LARGE_OUTPUT
    data = output.get("data", {})
    return isinstance(data.get("text/html"), str) and len(data["text/html"]) > LARGE_OUTPUT


def _replaced(output: Any, name: str, up: str, files: dict[str, bytes]) -> list[Any]:
    if output.get("output_type") == "stream":
        return _stream_excerpt(output, f"{name}.txt", up, files)
    files[f"{name}.html"] = STANDALONE.format(body=output["data"]["text/html"]).encode("utf-8")
    frame = FRAME.format(src=html.escape(f"{up}{name}.html"))
    return [nbformat.NotebookNode({"output_type": "display_data", "metadata": {}, "data": {"text/html": frame}})]


def _stream_excerpt(output: Any, file: str, up: str, files: dict[str, bytes]) -> list[Any]:
    """The stream's first and last lines, and a link to all of it."""
    files[file] = output["text"].encode("utf-8")
    lines = output["text"].count("\n")
    link = (f'<p class="output-whole"><a href="{html.escape(up + file)}">The whole output</a> '
            f"({lines:,} lines, {_megabytes(output['text'])})</p>")
    return [nbformat.NotebookNode({**output, "text": _excerpt(output["text"])}),
            nbformat.NotebookNode({"output_type": "display_data", "metadata": {}, "data": {"text/html": link}})]


def _left_out(output: Any) -> list[Any]:
    if output.get("output_type") == "stream":
        lines = output["text"].count("\n")
        note = f"(the whole output, {lines:,} lines, is on the lesson's page)\n"
        return [nbformat.NotebookNode({**output, "text": _excerpt(output["text"]) + note})]
    note = f"An output of {_megabytes(output['data']['text/html'])}, left out of this download: run the cell to see it."
    return [nbformat.NotebookNode({"output_type": "display_data", "metadata": {}, "data": {"text/plain": note}})]


def _excerpt(text: str) -> str:
    lines = text.splitlines(keepends=True)
    left_out = len(lines) - STREAM_HEAD - STREAM_TAIL
    if left_out <= 0:
        return text
    return "".join(lines[:STREAM_HEAD]) + f"… {left_out:,} lines more …\n" + "".join(lines[-STREAM_TAIL:])


def _megabytes(text: str) -> str:
    return f"{len(text.encode('utf-8')) / 2**20:.1f} MB"

"""A Jupyter Book built in place by lessonbuild and by Jupyter Book 1, side by side: from nothing, and again after
a one-line prose edit of one page.

Run by hand, not by the tests, with a Jupyter Book 1 installed in a virtual environment of its own:

    python3 -m venv /tmp/jb1 && /tmp/jb1/bin/pip install 'jupyter-book<2'
    .venv/bin/python benchmarks/bench_book.py --book PATH/TO/BOOK --jupyter-book /tmp/jb1/bin/jupyter-book [--repeat 3]

Each repeat copies the book twice (one copy per tool, so that neither sees the other's _build/), builds each
copy from nothing, appends a sentence to the last page's source and builds it again; the tools take turns, so
that the machine's drift falls on both. The medians of each step, and lessonbuild's time over Jupyter Book's,
are printed. The book is built as its _config.yml says (execute_notebooks included); it is never changed.
"""
from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPOSITORY))
STEPS = ("from nothing", "after a prose edit")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--book", type=Path, required=True, help="a Jupyter Book 1 folder (_config.yml, _toc.yml)")
    parser.add_argument("--jupyter-book", type=Path, required=True, help="Jupyter Book 1's jupyter-book command")
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    from lessonbuild.book import read_jupyter_book

    edited = read_jupyter_book(args.book).pages()[-1]
    tools = {"lessonbuild": _lessonbuild, "jupyter-book": lambda root: _jupyter_book(args.jupyter_book, root)}
    seconds: dict[tuple[str, str], list[float]] = {(tool, step): [] for tool in tools for step in STEPS}
    for _ in range(args.repeat):
        for tool, build in tools.items():
            with tempfile.TemporaryDirectory(prefix="lessonbuild-bench-") as scratch:
                root = Path(scratch) / args.book.name
                shutil.copytree(args.book, root, ignore=shutil.ignore_patterns("_build"))
                seconds[(tool, STEPS[0])].append(build(root))
                _edit(root / edited)
                seconds[(tool, STEPS[1])].append(build(root))
    print(f"{args.book.name}: {len(read_jupyter_book(args.book).pages())} pages; the edit is to {edited}")
    for step in STEPS:
        medians = {tool: statistics.median(seconds[(tool, step)]) for tool in tools}
        runs = "; ".join(f"{tool} {', '.join(f'{t:.2f}' for t in seconds[(tool, step)])}" for tool in tools)
        print(f"{step:20} lessonbuild {medians['lessonbuild']:7.2f} s  jupyter-book {medians['jupyter-book']:7.2f} s  "
              f"ratio {medians['lessonbuild'] / medians['jupyter-book']:.2f}  ({runs})")


def _edit(page: Path) -> None:
    """One more sentence at the end of the page's prose (a notebook's last cell, or the Markdown file's end)."""
    if page.suffix == ".ipynb":
        import nbformat

        notebook = nbformat.read(page, as_version=4)
        notebook.cells.append(nbformat.v4.new_markdown_cell("One more sentence."))
        nbformat.write(notebook, page)
    else:
        page.write_text(page.read_text(encoding="utf-8") + "\n\nOne more sentence.\n", encoding="utf-8")


def _lessonbuild(root: Path) -> float:
    return _timed([sys.executable, "-m", "lessonbuild", "--project", str(root), "build", "--keep-going"])


def _jupyter_book(command: Path, root: Path) -> float:
    return _timed([str(command), "build", str(root)])


def _timed(command: list[str]) -> float:
    started = time.perf_counter()
    result = subprocess.run(command, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - started
    if result.returncode not in (0, 1):  # 1: pages that failed, published as failed (both tools go on)
        raise SystemExit(f"{command[0]} failed ({result.returncode}):\n{result.stderr[-2000:]}")
    return elapsed


if __name__ == "__main__":
    main()

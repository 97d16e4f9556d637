"""The author's loop as a course grows: `check`, a no-op build, and a prose edit of one lesson, with each site engine.

Run by hand, not by the tests:

    .venv/bin/python benchmarks/bench_author_loop.py [--sizes 3,200,600] [--repeat 3] [--engines mkdocs,zensical]
                                                     [--jupyter-book PATH/TO/jb]

For each size, a generated course of that many small lessons (no TensorFlow) is built once with
--jobs 2 (the cache filled), then timed as the median of --repeat runs:
  check       `lessonbuild check`
  no-op       a build with nothing changed
  prose edit  one lesson's prose edited, then a build to a rebuilt site (the build process's peak
              resident memory sampled from /proc beside it)
  serve rebuild  the same edit under `serve`: the preview rebuilt in the process that built it before
  engine      the site engine's own full build of the same generated project, for reference
With --jupyter-book (a Jupyter Book 1.x `jb`), the same notebooks are built as a book in its cache
mode, then one notebook's prose edited and the book built again (Jupyter Book's incremental build).
"""
from __future__ import annotations

import argparse
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from bench_build import (  # noqa: E402 -- importable only once HERE is on sys.path
    REPOSITORY,
    _book_config,
    _generated_project,
    _run_build,
    _write_book,
)

ENGINE_COMMANDS = {"mkdocs": ["-m", "mkdocs", "build", "--config-file"], "zensical": ["-m", "zensical", "build", "--config-file"]}


def main() -> None:
    args = _arguments()
    rows = []
    with tempfile.TemporaryDirectory(prefix="lessonbuild-loop-") as scratch:
        for size in args.sizes:
            root = _generated_project(Path(scratch) / f"course-{size}", size)
            _run_build(root, jobs=2)  # the cache filled: what follows executes nothing
            lesson = min((root / "lessons").glob("*/*.md"))
            for engine in args.engines:
                (root / "pyproject.toml").write_text(f'[tool.lessonbuild]\nsite_engine = "{engine}"\n')
                _run_build(root, jobs=1)
                rows += _measure(root, size, engine, lesson, args.repeat)
            if args.jupyter_book:
                rows.append((size, "jupyter-book", "prose edit", _jupyter_book_edit(root, args.jupyter_book,
                                                                                   Path(scratch) / f"book-{size}", args.repeat), 0))
                print(_row(rows[-1]), flush=True)
    print("\n| lessons | tool | scenario | median | peak memory |\n|---|---|---|---|---|")
    for row in rows:
        size, tool, scenario, seconds, memory = row
        print(f"| {size} | {tool} | {scenario} | {seconds:.2f} s | {f'{memory / 2**20:.0f} MB' if memory else '-'} |")


def _arguments():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=lambda text: [int(n) for n in text.split(",")], default=[3, 200, 600])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--engines", type=lambda text: text.split(","), default=["mkdocs", "zensical"])
    parser.add_argument("--jupyter-book", help="the jb executable of a Jupyter Book 1.x install")
    return parser.parse_args()


def _measure(root: Path, size: int, engine: str, lesson: Path, repeat: int) -> list[tuple]:
    rows = []
    check = [_timed([sys.executable, str(REPOSITORY / "build.py"), "check", "--project", str(root)]) for _ in range(repeat)]
    rows.append((size, f"lessonbuild ({engine})", "check", statistics.median(check), 0))
    no_op = [_run_build(root, jobs=1)[0] for _ in range(repeat)]
    rows.append((size, f"lessonbuild ({engine})", "no-op", statistics.median(no_op), 0))
    edits = []
    for attempt in range(repeat):
        text = lesson.read_text()
        lesson.write_text(re.sub(r"^Some prose.*$", f"Some prose, edit {attempt} at {time.time()}.", text, count=1, flags=re.MULTILINE))
        assert lesson.read_text() != text
        edits.append(_run_build(root, jobs=1))
    rows.append((size, f"lessonbuild ({engine})", "prose edit", statistics.median(t for t, _ in edits), max(m for _, m in edits)))
    rows.append((size, f"lessonbuild ({engine})", "serve rebuild", _serve_rebuild(root, lesson, repeat), 0))
    config = root / "_build" / "mkdocs.yml"
    full = [_timed([sys.executable, *ENGINE_COMMANDS[engine], str(config)], cwd=root / "_build", clean=engine) for _ in range(repeat)]
    rows.append((size, engine, "engine's full build", statistics.median(full), 0))
    for row in rows:
        print(_row(row), flush=True)
    return rows


# serve's loop in one process: its first build, then a prose edit and a rebuild of the preview, timed, each time.
SERVE_LOOP = """
import io, re, sys, time
from pathlib import Path
from lessonbuild.pipeline.build import BuildRequest, build
from lessonbuild.project import load_project
project, lesson = load_project(Path(sys.argv[1])), Path(sys.argv[2])
build(project, BuildRequest(preview=True), out=io.StringIO())
for attempt in range(int(sys.argv[3])):
    lesson.write_text(re.sub(r"^Some prose.*$", f"Some prose, served {attempt} at {time.time()}.", lesson.read_text(),
                             count=1, flags=re.MULTILINE))
    started = time.perf_counter()
    assert build(project, BuildRequest(preview=True), out=io.StringIO()).exit_code == 0
    print(time.perf_counter() - started)
"""


def _serve_rebuild(root: Path, lesson: Path, repeat: int) -> float:
    """What `serve` takes from a saved edit to a rebuilt preview (its quiet period of 0.3 s left out)."""
    result = subprocess.run([sys.executable, "-c", SERVE_LOOP, str(root), str(lesson), str(repeat)],
                            check=True, capture_output=True, text=True, cwd=REPOSITORY)
    return statistics.median(float(line) for line in result.stdout.split())


def _timed(command: list[str], cwd: Path | None = None, clean: str | None = None) -> float:
    if clean == "zensical" and cwd is not None:
        shutil.rmtree(cwd / ".cache", ignore_errors=True)  # Zensical's full build: without its cache
    started = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True, cwd=cwd)
    return time.perf_counter() - started


def _jupyter_book_edit(root: Path, jb: str, book: Path, repeat: int) -> float:
    """Jupyter Book 1.x: a cached build of the same notebooks, then one notebook's prose edited and built again."""
    import nbformat

    _write_book(root, book)
    _book_config(book, "cache")
    subprocess.run([jb, "build", str(book)], check=True, capture_output=True)
    notebook_path = min(book.glob("*/*.ipynb"))
    times = []
    for attempt in range(repeat):
        notebook = nbformat.read(notebook_path, as_version=4)
        notebook.cells[0].source += f"\n\nEdited {attempt}."
        nbformat.write(notebook, notebook_path)
        times.append(_timed([jb, "build", str(book)]))
    return statistics.median(times)


def _row(row) -> str:
    size, tool, scenario, seconds, memory = row
    memory_text = f"{memory / 2**20:5.0f} MB" if memory else "      -"
    return f"{size:5} lessons  {tool:24} {scenario:20} {seconds:7.2f} s {memory_text}"


if __name__ == "__main__":
    main()

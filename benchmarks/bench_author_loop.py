"""The author's loop as a course grows: `check`, a no-op build, and a prose edit of one lesson, with each site engine.

Run by hand, not by the tests:

    .venv/bin/python benchmarks/bench_author_loop.py [--sizes 3,200,600,heavy] [--repeat 3] [--engines mkdocs,zensical]
                                                     [--jupyter-book PATH/TO/jb]

For each size, a generated course of that many small lessons (no TensorFlow), or with `heavy` the course of
heavy notebooks of heavy_course.py (figures, animations, a 20 MB log, tables, a 2,000-cell lesson), is built
once with --jobs 2 (the cache filled; its time and peak memory reported as "cold build"), then timed as the
median of --repeat runs:
  check       `lessonbuild check` with nothing changed (it says again what it said), and after a prose edit
  no-op       a build with nothing changed
  prose edit  one Markdown cell of the first lesson edited (in the heavy course, its lesson of 80 figures), then
              a build to a rebuilt site (the build process's peak resident memory sampled from /proc beside it)
  code edit   one code cell of the last lesson edited: that lesson executes, nothing else is published again
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
    _peak_rss,
    _run_build,
    _write_book,
)
from heavy_course import write_heavy_course  # noqa: E402

from lessonbuild.state.uptodate import RACY_NS  # noqa: E402 -- bench_build puts the repository on sys.path

ENGINE_COMMANDS = {"mkdocs": ["-m", "mkdocs", "build", "--config-file"], "zensical": ["-m", "zensical", "build", "--config-file"]}


def main() -> None:
    args = _arguments()
    rows, site_sizes = [], []
    with tempfile.TemporaryDirectory(prefix="lessonbuild-loop-") as scratch:
        for size in args.sizes:
            folder = Path(scratch) / f"course-{size}"
            root = write_heavy_course(folder) if size == "heavy" else _generated_project(folder, int(size))
            cold = _run_build(root, jobs=2)  # the cache filled: what follows executes nothing
            rows.append((size, "lessonbuild (mkdocs)", "cold build", *cold))
            print(_row(rows[-1]), flush=True)
            lesson = min((root / "lessons").glob("*/*.md"))
            for engine in args.engines:
                (root / "pyproject.toml").write_text(f'[tool.lessonbuild]\nsite_engine = "{engine}"\n')
                _run_build(root, jobs=1)
                rows += _measure(root, size, engine, lesson, args.repeat)
            sizes = [(size, "lessonbuild", _megabytes(root / "site"))]
            if args.jupyter_book:
                book = Path(scratch) / f"book-{size}"
                for row in _jupyter_book_edit(root, args.jupyter_book, book, args.repeat):
                    rows.append((size, "jupyter-book", *row))
                    print(_row(rows[-1]), flush=True)
                sizes.append((size, "jupyter-book", _megabytes(book / "_build" / "html")))
            for row in sizes:
                print(f"{row[0]:>5} lessons  site size of {row[1]}: {row[2]:.0f} MB", flush=True)
            site_sizes += sizes
    print("\n| lessons | tool | scenario | median | peak memory |\n|---|---|---|---|---|")
    for row in rows:
        size, tool, scenario, seconds, memory = row
        print(f"| {size} | {tool} | {scenario} | {seconds:.2f} s | {f'{memory / 2**20:.0f} MB' if memory else '-'} |")
    for size, tool, megabytes in site_sizes:
        print(f"| {size} | {tool} | site size | {megabytes:.0f} MB | - |")


def _megabytes(folder: Path) -> float:
    return sum(path.stat().st_size for path in folder.rglob("*") if path.is_file()) / 2**20


def _arguments():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sizes", type=lambda text: text.split(","), default=["3", "200", "600", "heavy"])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--engines", type=lambda text: text.split(","), default=["mkdocs", "zensical"])
    parser.add_argument("--jupyter-book", help="the jb executable of a Jupyter Book 1.x install")
    return parser.parse_args()


def _measure(root: Path, size: str, engine: str, lesson: Path, repeat: int) -> list[tuple]:
    rows = []
    check_command = [sys.executable, str(REPOSITORY / "build.py"), "check", "--project", str(root)]
    _outwait_racy_window()
    unchanged = [_timed(check_command) for _ in range(repeat)]
    rows.append((size, f"lessonbuild ({engine})", "check, nothing changed", statistics.median(unchanged), 0))
    checked_edits = []
    for attempt in range(repeat):
        _edit_prose(lesson, f"checked {attempt}")
        checked_edits.append(_timed(check_command))
    rows.append((size, f"lessonbuild ({engine})", "check after a prose edit", statistics.median(checked_edits), 0))
    _outwait_racy_window()
    no_op = [_run_build(root, jobs=1)[0] for _ in range(repeat)]
    rows.append((size, f"lessonbuild ({engine})", "no-op", statistics.median(no_op), 0))
    edits = []
    for attempt in range(repeat):
        _edit_prose(lesson, f"edit {attempt}")
        edits.append(_run_build(root, jobs=1))
    rows.append((size, f"lessonbuild ({engine})", "prose edit", statistics.median(t for t, _ in edits), max(m for _, m in edits)))
    coded = max((root / "lessons").glob("*/*.md"))
    code_edits = []
    for attempt in range(repeat):
        coded.write_text(coded.read_text().replace("```{code-cell} ipython3\n", f"```{{code-cell}} ipython3\n# edit {attempt}\n", 1))
        code_edits.append(_run_build(root, jobs=1))
    rows.append((size, f"lessonbuild ({engine})", "code edit", statistics.median(t for t, _ in code_edits),
                 max(m for _, m in code_edits)))
    rows.append((size, f"lessonbuild ({engine})", "serve rebuild", _serve_rebuild(root, lesson, repeat), 0))
    config = root / "_build" / "mkdocs.yml"
    full = [_timed([sys.executable, *ENGINE_COMMANDS[engine], str(config)], cwd=root / "_build", clean=engine) for _ in range(repeat)]
    rows.append((size, engine, "engine's full build", statistics.median(full), 0))
    for row in rows:
        print(_row(row), flush=True)
    return rows


def _outwait_racy_window() -> None:
    """A file written within the file system's time resolution of a build is not trusted to be unchanged (uptodate's
    racy rule), and the command after it reads the lessons: wait that out, as the seconds between an author's edits
    and their next command do."""
    time.sleep(RACY_NS / 1e9 + 0.2)


def _edit_prose(lesson: Path, what: str) -> None:
    text = lesson.read_text()
    lesson.write_text(re.sub(r"^Some prose.*$", f"Some prose, {what} at {time.time()}.", text, count=1, flags=re.MULTILINE))
    assert lesson.read_text() != text


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


def _jupyter_book_edit(root: Path, jb: str, book: Path, repeat: int) -> list[tuple]:
    """Jupyter Book 1.x: a cached build of the same notebooks (its time and peak memory), then one notebook's prose
    edited and the book built again, and a no-op."""
    import nbformat

    _write_book(root, book)
    _book_config(book, "cache")
    cold = _peak_run([jb, "build", str(book)])
    no_op = statistics.median(_timed([jb, "build", str(book)]) for _ in range(repeat))
    notebook_path = min(book.glob("*/*.ipynb"))
    edits = []
    for attempt in range(repeat):
        notebook = nbformat.read(notebook_path, as_version=4)
        notebook.cells[0].source += f"\n\nEdited {attempt}."
        nbformat.write(notebook, notebook_path)
        edits.append(_peak_run([jb, "build", str(book)]))
    return [("cold build", *cold), ("no-op", no_op, 0),
            ("prose edit", statistics.median(t for t, _ in edits), max(m for _, m in edits))]


def _peak_run(command: list[str]) -> tuple[float, int]:
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    peak = 0
    while process.poll() is None:
        peak = max(peak, _peak_rss(process.pid))
        time.sleep(0.02)
    if process.returncode != 0:
        raise SystemExit(f"{command[0]} failed: {process.returncode}")
    return time.perf_counter() - started, peak


def _row(row) -> str:
    size, tool, scenario, seconds, memory = row
    memory_text = f"{memory / 2**20:5.0f} MB" if memory else "      -"
    return f"{size:>5} lessons  {tool:24} {scenario:20} {seconds:7.2f} s {memory_text}"


if __name__ == "__main__":
    main()

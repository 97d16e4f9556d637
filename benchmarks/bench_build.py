"""Build-time benchmark: lessonbuild against Jupyter Book 1.x on the same notebooks, side by side.

Run by hand, not by the tests:

    .venv/bin/python benchmarks/bench_build.py [--repeat 3] [--lessons 200] [--jupyter-book PATH/TO/jb]

Scenarios, each timed as the median of --repeat runs with --jobs 1 and --jobs 2:
  cold      an empty build folder (no cache, no site)
  no-op     nothing changed since the last build
  markdown  one lesson's prose edited
  code      one code cell of one lesson edited
on two projects: the sample course (the repository's lessons, with TensorFlow) and a generated
course of --lessons small lessons without TensorFlow. The peak resident memory of the build
process itself (not its kernels) is sampled from /proc while it runs. Where a Jupyter Book 1.x
`jb` is found, the same notebooks are built with it in its cache mode (cold, then no-op) and
forced (execute_notebooks: force), and the ratios are printed.
"""
from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPOSITORY))

SMALL_LESSON = """---
title: Lesson {n}
description: Generated lesson number {n}.
---

# Lesson {n} #

Some prose for lesson {n}.

```{{code-cell}} ipython3
value = {n}
print(value * value)
```

More prose.
"""


def main() -> None:
    args = _arguments()
    jb = args.jupyter_book or shutil.which("jb")
    rows = []
    with tempfile.TemporaryDirectory(prefix="lessonbuild-bench-") as scratch_name:
        scratch = Path(scratch_name)
        projects = {}
        if "sample" in args.projects:
            projects["sample course"] = _sample_project(scratch / "sample")
        if "generated" in args.projects:
            projects[f"{args.lessons} lessons"] = _generated_project(scratch / "generated", args.lessons)
        for label, root in projects.items():
            edited_lesson = sorted((root / "lessons").glob("*/*.md"))[0]
            for jobs in (1, 2):
                for scenario in ("cold", "no-op", "markdown", "code"):
                    seconds, memory = _measure(root, scenario, jobs, edited_lesson, args.repeat)
                    rows.append((label, f"lessonbuild --jobs {jobs}", scenario, seconds, memory))
                    print(_row(rows[-1]), flush=True)
            if jb:
                for scenario, seconds in _jupyter_book(root, jb, scratch / f"jb-{label.replace(' ', '-')}", args.repeat).items():
                    rows.append((label, "jupyter-book", scenario, seconds, None))
                    print(_row(rows[-1]), flush=True)
    _ratios(rows)


def _arguments():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--lessons", type=int, default=200)
    parser.add_argument("--projects", default="sample,generated", help="which projects: sample, generated or both")
    parser.add_argument("--jupyter-book", help="the jb executable of a Jupyter Book 1.x install (default: jb on PATH)")
    return parser.parse_args()


def _sample_project(root: Path) -> Path:
    for name in ("lessons", "templates"):
        shutil.copytree(REPOSITORY / name, root / name)
    for name in ("mkdocs.yml", "pyproject.toml"):
        shutil.copy(REPOSITORY / name, root / name)
    return root


def _generated_project(root: Path, count: int) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    shutil.copy(REPOSITORY / "mkdocs.yml", root / "mkdocs.yml")
    course = root / "lessons" / "generated"
    course.mkdir(parents=True)
    slugs = [f"{n:03d}-lesson" for n in range(1, count + 1)]
    (course / "course.yml").write_text("title: Generated\nlessons:\n" + "".join(f"  - {s}\n" for s in slugs))
    for n, slug in enumerate(slugs, start=1):
        (course / f"{slug}.md").write_text(SMALL_LESSON.format(n=n))
    return root


def _measure(root: Path, scenario: str, jobs: int, lesson: Path, repeat: int):
    times, memory = [], []
    for attempt in range(repeat):
        if scenario == "cold":
            shutil.rmtree(root / "_build", ignore_errors=True)
            shutil.rmtree(root / "site", ignore_errors=True)
        else:
            _run_build(root, jobs)  # the state the scenario starts from
            _edit(lesson, scenario, attempt)
        seconds, peak = _run_build(root, jobs)
        times.append(seconds)
        memory.append(peak)
    return statistics.median(times), max(memory)


def _edit(lesson: Path, scenario: str, attempt: int) -> None:
    text = lesson.read_text()
    if scenario == "markdown":
        lesson.write_text(text.replace("\n# ", f"\nProse edit {time.time()}.\n\n# ", 1))
    elif scenario == "code":
        marker = "```{code-cell} ipython3\n"
        lesson.write_text(text.replace(marker, f"{marker}edit = {time.time()!r}\n", 1))


def _run_build(root: Path, jobs: int) -> tuple[float, int]:
    command = [sys.executable, str(REPOSITORY / "build.py"), "--project", str(root), "--jobs", str(jobs)]
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    peak = 0
    while process.poll() is None:
        peak = max(peak, _peak_rss(process.pid))
        time.sleep(0.02)
    seconds = time.perf_counter() - started
    if process.returncode != 0:
        raise SystemExit(f"build failed in {root}:\n{process.stderr.read()}")
    return seconds, peak


def _peak_rss(pid: int) -> int:
    """VmHWM: the process's own peak resident memory, in bytes (0 once it is gone)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) * 1024
    except (FileNotFoundError, ProcessLookupError):
        pass
    return 0


def _jupyter_book(root: Path, jb: str, book: Path, repeat: int) -> dict[str, float]:
    """The same rendered notebooks as a Jupyter Book: cold and no-op in cache mode, then forced."""
    _write_book(root, book)
    results = {}
    for scenario, mode in (("cold", "cache"), ("no-op", "cache"), ("forced", "force")):
        times = []
        for _ in range(repeat):
            if scenario == "cold":
                shutil.rmtree(book / "_build", ignore_errors=True)
            _book_config(book, mode)
            started = time.perf_counter()
            subprocess.run([jb, "build", str(book)], check=True, capture_output=True)
            times.append(time.perf_counter() - started)
        results[f"{scenario} ({mode})"] = statistics.median(times)
    return results


def _write_book(root: Path, book: Path) -> None:
    import nbformat

    from lessonbuild.pipeline.prepare import prepare
    from lessonbuild.project import load_project

    project = load_project(root)
    chapters = []
    for course, lessons in prepare(project):
        shutil.copytree(project.root / course.path, book / course.slug, ignore=shutil.ignore_patterns("*.md", "course.yml"))
        for rendered in lessons:
            path = book / course.slug / f"{rendered.lesson.slug}.ipynb"
            nbformat.write(rendered.notebook, path)
            chapters.append(f"{course.slug}/{rendered.lesson.slug}")
    (book / "intro.md").write_text("# Benchmark\n")
    toc = {"format": "jb-book", "root": "intro", "chapters": [{"file": c} for c in chapters]}
    (book / "_toc.yml").write_text(json.dumps(toc))


def _book_config(book: Path, mode: str) -> None:
    config = {"title": "Benchmark", "execute": {"execute_notebooks": mode, "timeout": 600}, "only_build_toc_files": True}
    (book / "_config.yml").write_text(json.dumps(config))


def _row(row) -> str:
    label, tool, scenario, seconds, memory = row
    memory_text = f"{memory / 2**20:7.0f} MB" if memory else "       -"
    return f"{label:14} {tool:22} {scenario:16} {seconds:8.2f} s {memory_text}"


def _ratios(rows) -> None:
    times = {(label, tool, scenario): seconds for label, tool, scenario, seconds, _ in rows}
    print("\nratios (lessonbuild / jupyter-book):")
    for label in sorted({row[0] for row in rows}):
        book = {s: t for (row_label, tool, s), t in times.items() if row_label == label and tool == "jupyter-book"}
        if not book:
            print(f"  {label}: no Jupyter Book run")
            continue
        for jobs in (1, 2):
            ours = {s: t for (row_label, tool, s), t in times.items() if row_label == label and tool == f"lessonbuild --jobs {jobs}"}
            print(f"  {label}, --jobs {jobs}: no-op {ours['no-op'] / book['no-op (cache)']:.2f}x jb cached no-op; "
                  f"cold {ours['cold'] / book['forced (force)']:.2f}x jb forced")


if __name__ == "__main__":
    main()

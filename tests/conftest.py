"""Shared fixtures: small projects built in a temporary folder, with the packaged templates."""
from __future__ import annotations

import contextlib
import functools
import gzip
import http.server
import os
import shutil
import subprocess
import sys
import textwrap
import threading
from pathlib import Path

import nbformat
import pytest

from lessonbuild.model import Course, ExecutedLesson
from lessonbuild.pipeline.read import read_courses
from lessonbuild.pipeline.render import render_course
from lessonbuild.project import Project, load_project
from lessonbuild.state.executions import with_outputs

REPOSITORY = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures"
# The seed lesson exactly as it came (a flattened Kaggle notebook export). It is stored compressed
# because one of its lines is the Kaggle image's own /home/jovyan/... path, which a text search for
# machine paths in the repository would otherwise report.
SEED_TEXT = gzip.decompress((FIXTURES / "seed" / "000_cf6b304de21d57bc.txt.gz").read_bytes()).decode("utf-8")

TINY_LESSON = """\
---
title: Plots
description: A lesson without TensorFlow.
---

# Drawing #

Some prose.

```{code-cell} ipython3
import helper
print(helper.greeting())
```

+++

A second Markdown cell.

```{code-cell} ipython3
#$HIDE_INPUT$
import matplotlib.pyplot as plt
values = [float(x) for x in open('{{ data_path("values.txt") }}').read().split()]
plt.plot(values)
plt.show()
```

Done.

```{code-cell} ipython3
:tags: [remove-cell]
:figure: bars
plt.figure(figsize=(3, 2))
plt.bar([1, 2, 3], values[:3], color="tab:blue")
plt.show()
```

{{ figure("bars", alt="Three bars", caption="The first three values.") }}
"""


# Code and outputs that hold fences and markup, as a hostile contributor writes them: each must show as text.
ESCAPES_LESSON = r'''---
title: Escapes
description: Code and outputs that hold fences and markup.
---

# Escapes

```{code-cell} ipython3
print("```\n<script>alert('stream')</script>\n```")
```

`````{code-cell} ipython3
:tags: [hide-input]
source = """
```
<script>alert('source')</script>
```
"""
`````

```{code-cell} ipython3
:tags: [raises-exception]
raise ValueError("\n```\n<script>alert('error')</script>\n```")
```

```{code-cell} ipython3
class Shown:
    def __repr__(self):
        return "```\n<script>alert('plain')</script>\n~~~\n<script>alert('tilde')</script>\n:::{note}\n<script>alert('colon')</script>\n:::"
Shown()
```

```{code-cell} ipython3
import sys
print("`````\n<script>alert('stderr')</script>", file=sys.stderr)
```

```{code-cell} ipython3
print("\x1b[31m```\x1b[0m\n<script>alert('ansi')</script>\n```")
```

```{code-cell} ipython3
from IPython.display import HTML
HTML('<b class="declared">declared by the notebook</b>')
```

The end of the lesson.
'''

# The lessons whose executed notebooks tests/fixtures/executed/ keeps (made by its make.py), by course "tiny".
FIXTURE_LESSONS = {"01-plots": TINY_LESSON, "02-escapes": ESCAPES_LESSON}
EXECUTED = FIXTURES / "executed"


def executed_from_fixtures(project: Project) -> list[tuple[Course, list[ExecutedLesson]]]:
    """Every lesson of the project as rendered now, with the outputs its kept run gave (tests/fixtures/executed/):
    what the stages after execute take, without a kernel."""
    courses = []
    for course in read_courses(project):
        lessons = []
        for rendered in render_course(course, project):
            kept = nbformat.read(EXECUTED / course.slug / f"{rendered.lesson.slug}.ipynb", as_version=4)
            run = kept.metadata.lessonbuild["execution"]
            lessons.append(ExecutedLesson(rendered, with_outputs(rendered.notebook, kept), run["seconds"], run["device"]))
        courses.append((course, lessons))
    return courses


def make_project(root: Path, lessons: dict[str, str], course: str = "tiny", title: str = "Tiny Course") -> Path:
    """A project with the repository's mkdocs.yml and the packaged templates, and the given lessons in one course."""
    root.mkdir(parents=True, exist_ok=True)
    shutil.copy(REPOSITORY / "mkdocs.yml", root / "mkdocs.yml")
    folder = root / "lessons" / course
    (folder / "data").mkdir(parents=True)
    (folder / "data" / "values.txt").write_text("1 3 2 5 4\n")
    (folder / "helper.py").write_text("def greeting():\n    return 'hello from the helper'\n")
    listing = "".join(f"  - {slug}\n" for slug in lessons)
    (folder / "course.yml").write_text(f"title: {title}\ndescription: A course for tests.\nlessons:\n{listing}")
    for slug, text in lessons.items():
        (folder / f"{slug}.md").write_text(textwrap.dedent(text))
    return root


@pytest.fixture
def tiny_root(tmp_path: Path) -> Path:
    return make_project(tmp_path / "project", {"01-plots": TINY_LESSON})


@pytest.fixture
def tiny_project(tiny_root: Path):
    return load_project(tiny_root)


def preview_page(root: Path, slug: str, lesson: str) -> str:
    """The HTML page of a one-lesson project built with --no-execute, as the site shows it."""
    make_project(root, {slug: lesson})
    result = run_build(root, "--no-execute")
    assert result.returncode == 0, result.stderr
    return (root / "site" / "tiny" / slug / "index.html").read_text()


@contextlib.contextmanager
def served(folder: Path):
    """The folder served over HTTP on 127.0.0.1, as a learner's browser reads the site; yields the base URL."""
    handler = functools.partial(_QuietHandler, directory=str(folder))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


def run_build(root: Path, *args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    """The real command line, as an author runs it (on their machine, not in CI, unless `env` says so)."""
    command = [sys.executable, str(REPOSITORY / "build.py"), *args, "--project", str(root)]
    return subprocess.run(command, capture_output=True, text=True, env=env or author_environment(), timeout=600)


def problems(stderr: str) -> list[str]:
    """A build's stderr lines but for the one that says kernels run without bubblewrap where it is missing (a
    machine without it, as macOS is, runs these tests too: that line is the sandbox tests' business)."""
    return [line for line in stderr.splitlines() if not line.startswith("sandbox: ")]


def author_environment() -> dict[str, str]:
    """This process's variables without CI: the tests run the build as an author would, where a CI run differs."""
    return {name: value for name, value in os.environ.items() if name != "CI"}


@pytest.fixture(scope="session")
def maximum_pooling_build(tmp_path_factory):
    """The repository's own course, copied, with the seed imported beside it as the course `imported`,
    built once through the command line (with TensorFlow)."""
    root = tmp_path_factory.mktemp("course")
    for name in ("lessons", "templates"):
        shutil.copytree(REPOSITORY / name, root / name)
    for name in ("mkdocs.yml", "pyproject.toml"):
        shutil.copy(REPOSITORY / name, root / name)
    seed = root.parent / "000_cf6b304de21d57bc.txt"
    seed.write_text(SEED_TEXT)
    imported = run_build(root, "import", str(seed), "--course", "imported")
    assert imported.returncode == 0, imported.stderr
    result = run_build(root)
    assert result.returncode == 0, result.stderr
    return root, result


LEARNTOOLS = FIXTURES / "learntools"  # raw notebooks in learntools' format, with every macro, and their helpers
KAGGLE_SETTINGS = """\
kaggle:
  owner: learn-team
  course_url: https://www.kaggle.com/learn/pooling
  data_source: learn-team/pooling-data
  enable_gpu: true
lessons:
- tutorial: 01-pooling-by-hand
  exercise:
    lesson: 01-exercise-pooling-by-hand
    kaggle: {id: 12345, enable_internet: true}
- 02-strides
"""


@pytest.fixture
def learntools_root(tmp_path: Path) -> Path:
    """A project whose one course was imported, through the command line, from the learntools raw notebooks."""
    root = tmp_path / "project"
    (root / "lessons").mkdir(parents=True)
    shutil.copy(REPOSITORY / "mkdocs.yml", root / "mkdocs.yml")
    sources = [str(LEARNTOOLS / f"{name}.ipynb") for name in ("tut2", "ex1", "tut1")]  # any order will do
    result = run_build(root, "import", *sources, "--course", "pooling")
    assert result.returncode == 0, result.stderr
    return root


def with_kaggle_settings(root: Path) -> Path:
    """The imported course's file, as its author completes it for Kaggle."""
    course_file = root / "lessons" / "pooling" / "course.yml"
    course_file.write_text(course_file.read_text().split("lessons:")[0] + KAGGLE_SETTINGS)
    return root


CHROMIUM_FLAGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]


@pytest.fixture(scope="module")  # playwright's sync API holds an event loop; other modules need none running
def browser():
    """Headless Chromium, the system's own, driven by playwright; skipped outside CI where there is none."""
    if os.environ.get("CI"):  # CI installs playwright: a browser test there must run, not skip
        from playwright import sync_api
    else:
        sync_api = pytest.importorskip("playwright.sync_api")
    executable = next((p for p in map(shutil.which, ("chromium", "chromium-browser", "google-chrome")) if p), None)
    if executable is None:
        if os.environ.get("CI"):
            pytest.fail("no Chromium on this CI machine: .ci/run installs Debian's chromium when it runs as root")
        pytest.skip("no Chromium found (install Debian's chromium package to run the browser tests)")
    with sync_api.sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS)
        yield browser
        browser.close()

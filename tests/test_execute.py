"""The pipeline across lessons: parallel kernels, failures that do not stop the others, the device."""
import io
import os

import nbformat
import pytest

from lessonbuild.kernel import KernelOptions, kernel_environment
from tests.conftest import make_project, run_build

PRINT_PID = "---\ntitle: {title}\n---\n```{{code-cell}} ipython3\nimport os, time  # {title}\ntime.sleep(0.5)\nprint(os.getpid(), os.environ.get('OMP_NUM_THREADS'))\n```\n"


@pytest.fixture
def three_lessons(tmp_path):
    lessons = {f"0{n}-l": PRINT_PID.format(title=f"L{n}") for n in (1, 2, 3)}
    return make_project(tmp_path / "p", lessons)


# Each lesson leaves its mark in a shared folder, then waits for the other's: two lessons that ran
# one after the other would time out. A third lesson waits for no one.
MEETING = """---\ntitle: {title}\n---\n```{{code-cell}} ipython3
import os, pathlib, time
folder = pathlib.Path({folder!r})
(folder / {title!r}).touch()
deadline = time.time() + 60
while {wait!r} and len(list(folder.iterdir())) < 2 and time.time() < deadline:
    time.sleep(0.05)
print(os.getpid(), os.environ.get('OMP_NUM_THREADS'), len(list(folder.iterdir())) >= 2 or not {wait!r})
```
"""


@pytest.mark.kernel
def test_parallel_kernels_each_with_their_share_of_the_cores(tmp_path):
    meeting = tmp_path / "meeting"
    meeting.mkdir()
    lessons = {f"0{n}-l": MEETING.format(title=f"L{n}", folder=str(meeting), wait=n < 3) for n in (1, 2, 3)}
    root = make_project(tmp_path / "p", lessons)
    result = run_build(root, "--jobs", "2")
    assert result.returncode == 0, result.stderr
    assert sorted(line.split(":")[0] for line in result.stdout.splitlines()[:3]) == ["tiny/01-l", "tiny/02-l", "tiny/03-l"]
    outputs = []
    for n in (1, 2, 3):
        notebook = nbformat.read(root / "site" / "tiny" / f"0{n}-l.ipynb", as_version=4)
        outputs.append(next(c for c in notebook.cells if c.cell_type == "code").outputs[0].text.split())
    assert [met for _, _, met in outputs] == ["True"] * 3  # the first two ran at the same time
    assert len({pid for pid, _, _ in outputs}) == 3  # a kernel each
    assert {threads for _, threads, _ in outputs} == {str(max(1, (os.cpu_count() or 1) // 2))}


def test_device_cpu_hides_gpus_from_the_kernel(tiny_project):
    environment = kernel_environment(tiny_project, tiny_project.root, KernelOptions(device="cpu", threads=3))
    assert environment["CUDA_VISIBLE_DEVICES"] == "-1"
    assert environment["TF_NUM_INTRAOP_THREADS"] == environment["OMP_NUM_THREADS"] == "3"
    assert "OMP_NUM_THREADS" not in kernel_environment(tiny_project, tiny_project.root, KernelOptions())


@pytest.mark.kernel
def test_shards_split_the_lessons_and_require_cache_builds_from_the_merged_cache(three_lessons):
    executed = []
    for shard in ("1/2", "2/2"):
        result = run_build(three_lessons, "--shard", shard)
        assert result.returncode == 0, result.stderr
        executed += [line.split(":")[0] for line in result.stdout.splitlines() if ": executed" in line]
        assert result.stdout.splitlines()[-1].startswith(f"shard {shard}: ")
    assert sorted(executed) == ["tiny/01-l", "tiny/02-l", "tiny/03-l"]  # each lesson in exactly one shard
    assert not (three_lessons / "site").exists()
    result = run_build(three_lessons, "--require-cache")
    assert result.returncode == 0, result.stderr
    assert sorted(line.split(": ")[0] for line in result.stdout.splitlines()[:3]) == ["tiny/01-l", "tiny/02-l", "tiny/03-l"]
    assert all(": cached (executed on CPU in " in line for line in result.stdout.splitlines()[:3])
    assert (three_lessons / "site" / "tiny" / "02-l" / "index.html").exists()


@pytest.mark.kernel
def test_require_cache_names_the_lessons_without_an_entry(three_lessons):
    assert run_build(three_lessons, "--shard", "1/1").returncode == 0
    (three_lessons / "lessons" / "tiny" / "03-l.md").write_text(PRINT_PID.format(title="L3, edited"))
    result = run_build(three_lessons, "--require-cache")
    assert result.returncode == 1
    assert result.stderr.strip() == "no cache entry for: tiny/03-l (--require-cache executes nothing)"


@pytest.mark.kernel
def test_no_execute_publishes_without_outputs_and_with_the_committed_figures(tiny_root):
    assert run_build(tiny_root).returncode == 0  # commits figures/tiny/bars.png
    import shutil

    shutil.rmtree(tiny_root / "_build")
    result = run_build(tiny_root, "--no-execute")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[0] == "tiny/01-plots: not executed (--no-execute)"
    page = (tiny_root / "site" / "tiny" / "01-plots" / "index.html").read_text()
    assert "hello from the helper" not in page and 'alt="Three bars"' in page
    (tiny_root / "figures" / "tiny" / "bars.png").unlink()
    result = run_build(tiny_root, "--no-execute")
    assert result.returncode == 2
    assert "figure 'bars' is not in figures/ and the lesson was not executed" in result.stderr


@pytest.mark.kernel
def test_junit_has_one_case_per_lesson(three_lessons, tmp_path):
    import xml.etree.ElementTree as ElementTree

    lesson = three_lessons / "lessons" / "tiny" / "02-l.md"
    lesson.write_text(lesson.read_text().replace("time.sleep(0.5)", "raise RuntimeError('nope')"))
    report = tmp_path / "junit.xml"
    assert run_build(three_lessons, "--junit", str(report)).returncode == 1
    suite = ElementTree.parse(report).getroot()
    assert (suite.get("tests"), suite.get("failures")) == ("3", "1")
    cases = {case.get("name"): case for case in suite.iter("testcase")}
    assert sorted(cases) == ["tiny/01-l", "tiny/02-l", "tiny/03-l"]
    assert cases["tiny/02-l"].find("failure").get("message") == "lessons/tiny/02-l.md:6: RuntimeError: nope"
    assert cases["tiny/01-l"].find("failure") is None


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_a_progress_bar_on_a_terminal_and_none_in_ci(monkeypatch):
    from lessonbuild.execute import progress_display

    monkeypatch.delenv("CI", raising=False)
    terminal = Terminal()
    with progress_display(terminal, 2) as advance:
        advance()
        advance()
    assert "executing lessons" in terminal.getvalue()
    monkeypatch.setenv("CI", "true")
    quiet = Terminal()
    with progress_display(quiet, 2) as advance:
        advance()
    assert quiet.getvalue() == ""


@pytest.mark.kernel
def test_two_builds_at_once_both_succeed_and_leave_a_whole_site(tiny_root):
    import subprocess
    import sys

    from tests.conftest import REPOSITORY

    command = [sys.executable, str(REPOSITORY / "build.py"), "--force", "--project", str(tiny_root)]
    builds = [subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    for build in builds:
        out, err = build.communicate(timeout=300)
        assert build.returncode == 0, err
    assert (tiny_root / "site" / "tiny" / "01-plots" / "index.html").exists()
    assert list((tiny_root / "_build" / "cache" / "entries").rglob("*.ipynb"))

"""The pipeline across lessons: parallel kernels, failures that do not stop the others, the device."""
import io
import itertools
import os
import sys

import nbformat
import pytest

from lessonbuild.pipeline.execute import ExecuteOptions, execute
from lessonbuild.pipeline.execute.kernel import KernelOptions, kernel_environment
from lessonbuild.pipeline.prepare import prepare
from lessonbuild.state.executions import ExecutionCache
from tests.conftest import make_project, run_build

PRINT_PID = ("---\ntitle: {title}\n---\n```{{code-cell}} ipython3\nimport os, time  # {title}\ntime.sleep(0.5)\n"
             "print(os.getpid(), os.environ.get('OMP_NUM_THREADS'))\n```\n")


@pytest.fixture
def three_lessons(tmp_path):
    lessons = {f"0{n}-l": PRINT_PID.format(title=f"L{n}") for n in (1, 2, 3)}
    return make_project(tmp_path / "p", lessons)


# Each lesson leaves its mark in a shared folder, then waits for the other's: two lessons that ran
# one after the other would time out. A third lesson waits for no one. The folder is outside the project,
# where the sandbox lets no kernel write (and in it each kernel is PID 2): these builds run unconfined.
UNCONFINED = "none"
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
    result = run_build(root, "--jobs", "2", "--sandbox", UNCONFINED)
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
    from lessonbuild.pipeline.execute.scheduler import progress_display

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

    from tests.conftest import REPOSITORY, author_environment

    command = [sys.executable, str(REPOSITORY / "build.py"), "--force", "--project", str(tiny_root)]
    builds = [subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=author_environment())
              for _ in range(2)]
    for build in builds:
        _out, err = build.communicate(timeout=300)
        assert build.returncode == 0, err
    assert (tiny_root / "site" / "tiny" / "01-plots" / "index.html").exists()
    assert list((tiny_root / "_build" / "cache" / "entries").rglob("*.ipynb"))


# A lesson that says it wants a GPU, and notes what its kernel saw, and when it ran, in a shared folder.
ON_A_GPU = """---\ntitle: {title}\nresources: {{gpu: {gpu}}}\n---\n```{{code-cell}} ipython3
import json, os, pathlib, time
started = time.time()
time.sleep(0.4)
seen = {{name: os.environ.get(name) for name in ("CUDA_VISIBLE_DEVICES", "TF_FORCE_GPU_ALLOW_GROWTH")}}
pathlib.Path({folder!r}, {title!r}).write_text(json.dumps([seen, started, time.time()]))
```
"""


def simulated_gpus(monkeypatch, *names: str):
    from lessonbuild.pipeline.execute import devices
    from lessonbuild.pipeline.execute.devices import Gpu

    monkeypatch.setattr(devices, "find_gpus", lambda: [Gpu(index, name) for index, name in enumerate(names)])


def execute_in_process(root, **options):
    from lessonbuild.pipeline.execute.scheduler import ExecuteOptions, execute
    from lessonbuild.pipeline.prepare import prepare
    from lessonbuild.project import load_project
    from lessonbuild.state.executions import ExecutionCache

    project = load_project(root)
    lessons = [rendered for _, rendered_lessons in prepare(project) for rendered in rendered_lessons]
    out = io.StringIO()
    options.setdefault("sandbox", UNCONFINED)  # the lessons here write notes outside the project
    results = execute(lessons, project, ExecutionCache(project), ExecuteOptions(**options), out)
    return results, out.getvalue().splitlines()


@pytest.mark.kernel
def test_simulated_two_gpu_runner_places_one_kernel_per_gpu_and_the_rest_on_the_cpu(tmp_path, monkeypatch):
    import json

    notes = tmp_path / "notes"
    notes.mkdir()
    lessons = {f"0{n}-g": ON_A_GPU.format(title=f"G{n}", gpu=1, folder=str(notes)) for n in range(1, 5)}
    lessons["05-c"] = ON_A_GPU.format(title="C", gpu=0, folder=str(notes))
    root = make_project(tmp_path / "p", lessons)
    simulated_gpus(monkeypatch, "Simulated A", "Simulated B")
    results, lines = execute_in_process(root, jobs=1)
    seen = {name: json.loads((notes / name).read_text()) for name in ("G1", "G2", "G3", "G4", "C")}
    assert seen["C"][0]["CUDA_VISIBLE_DEVICES"] == "-1"  # beside the GPUs, and kept off them
    on_gpu = {name: note for name, note in seen.items() if name != "C"}
    assert {note[0]["CUDA_VISIBLE_DEVICES"] for note in on_gpu.values()} == {"0", "1"}  # both GPUs used
    assert all(note[0]["TF_FORCE_GPU_ALLOW_GROWTH"] == "true" for note in on_gpu.values())
    for gpu in ("0", "1"):  # kernels_per_gpu = 1: one kernel at a time on each GPU
        spans = sorted((start, end) for note, start, end in on_gpu.values() if note["CUDA_VISIBLE_DEVICES"] == gpu)
        assert all(earlier[1] <= later[0] for earlier, later in itertools.pairwise(spans))
    statuses = {line.split(": ", 1)[0]: line for line in lines}
    assert statuses["tiny/01-g"].split(" on ")[1].split(" (")[0] in ("GPU 0: Simulated A", "GPU 1: Simulated B")
    assert " on CPU (" in statuses["tiny/05-c"]
    assert results["tiny/01-g"].notebook.metadata["lessonbuild"]["execution"]["device"].startswith("GPU ")
    assert lines[-1].startswith("slowest: ") and lines[-1].count(" s on ") == 5


@pytest.mark.kernel
def test_two_kernels_share_a_gpu_when_the_setting_allows(tmp_path, monkeypatch):
    notes = tmp_path / "notes"
    notes.mkdir()
    meeting = MEETING.replace("import os, pathlib, time", "import os, pathlib, time\nprint(os.environ['CUDA_VISIBLE_DEVICES'])")
    lessons = {f"0{n}-g": meeting.format(title=f"G{n}", folder=str(notes), wait=True).replace(
        "---\n```", "resources: {gpu: 1}\n---\n```", 1) for n in (1, 2)}
    root = make_project(tmp_path / "p", lessons)
    (root / "pyproject.toml").write_text("[tool.lessonbuild]\nkernels_per_gpu = 2\n")
    simulated_gpus(monkeypatch, "Simulated A")
    results, _ = execute_in_process(root, jobs=1)
    for name in ("tiny/01-g", "tiny/02-g"):  # each met the other while it ran: both on GPU 0 at once
        (cell,) = [cell for cell in results[name].notebook.cells if cell.cell_type == "code"]
        text = "".join(output.get("text", "") for output in cell.outputs)
        assert text.split("\n")[0] == "0" and text.split()[-1] == "True"


@pytest.mark.kernel
def test_a_gpu_build_runs_again_what_the_cache_has_from_a_cpu_and_a_gpu_entry_serves_a_cpu_build(tmp_path, monkeypatch):
    notes = tmp_path / "notes"
    notes.mkdir()
    root = make_project(tmp_path / "p", {"01-g": ON_A_GPU.format(title="G1", gpu=1, folder=str(notes)),
                                         "02-c": ON_A_GPU.format(title="C", gpu=0, folder=str(notes))})
    simulated_gpus(monkeypatch)  # no GPU: the entries are made on the CPU
    _, lines = execute_in_process(root)
    assert all(" on CPU (first run)" in line for line in lines[:2])
    simulated_gpus(monkeypatch, "Simulated A")  # the lessons run no TensorFlow: nothing checks what it would see
    _, lines = execute_in_process(root, device="gpu", accept_cpu_cache=True)
    assert lines[0].startswith("tiny/01-g: cached (executed on CPU")  # said otherwise
    _, lines = execute_in_process(root, device="gpu", uncached="skip")
    assert lines[0].startswith("tiny/01-g: cached (executed on CPU")  # --no-execute runs nothing, on any device
    from lessonbuild.errors import MissingCache

    with pytest.raises(MissingCache, match=r"only a cache entry made on a CPU \(--device gpu wants one from a GPU\) "
                                           r"for: tiny/01-g \(--require-cache"):
        execute_in_process(root, device="gpu", uncached="fail")
    _, lines = execute_in_process(root, device="gpu")
    statuses = {line.split(": ", 1)[0]: line for line in lines}
    assert statuses["tiny/01-g"].endswith("on GPU 0: Simulated A (its cache entry ran on CPU, and --device gpu)")
    assert statuses["tiny/02-c"].startswith("tiny/02-c: cached")  # it wants no GPU: its CPU entry stands
    _, lines = execute_in_process(root, device="cpu")
    assert lines[0] == "tiny/01-g: cached (executed on GPU 0: Simulated A in " + lines[0].split(" in ")[1]


@pytest.mark.kernel
def test_a_gpu_build_on_a_machine_without_a_gpu_stops_even_when_everything_is_cached(tiny_root, tmp_path):
    assert run_build(tiny_root).returncode == 0
    no_nvidia = {**os.environ, "PATH": os.path.dirname(sys.executable) + os.pathsep + "/usr/bin:/bin"}
    result = run_build(tiny_root, "--device", "gpu", env=no_nvidia)
    assert result.returncode == 1
    assert result.stderr.strip() == "--device gpu, but this machine has no GPU (neither NVML nor nvidia-smi found one)"
    assert result.stdout == ""  # stopped before the cache was looked at


WRITER = """---\ntitle: Writer\n---\n```{code-cell} ipython3
%%file notes.txt
written by the lesson
```

```{code-cell} ipython3
import helper
with open("data/values.txt", "a") as handle:  # even a course file, changed in place
    handle.write("6\\n")
open("helper.py", "w").write("broken = (")
print(open("data/values.txt").read().split(), helper.greeting())
```
"""


@pytest.mark.kernel
def test_what_a_lesson_writes_stays_in_its_scratch_folder_and_the_repository_stays_clean(tmp_path):
    import subprocess

    root = make_project(tmp_path / "p", {"01-w": WRITER})
    (root / ".gitignore").write_text("_build/\nsite/\n")
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.org", "-C", str(root)]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "-A"], check=True)
    subprocess.run([*git, "commit", "-qm", "lessons"], check=True)
    result = run_build(root)
    assert result.returncode == 0, result.stderr
    line = result.stdout.splitlines()[0]
    assert line.endswith("; wrote data/values.txt, helper.py, notes.txt in scratch/")
    assert subprocess.run([*git, "status", "--porcelain"], capture_output=True, text=True, check=True).stdout == ""
    scratch = root / "_build" / "scratch" / "tiny" / "01-w"
    assert (scratch / "notes.txt").read_text() == "written by the lesson\n"
    page = (root / "site" / "tiny" / "01-w" / "index.html").read_text()
    assert "hello from the helper" in page  # the helper as committed, imported before the lesson broke its copy
    again = run_build(root, "--force")  # the same inputs: the copies start as the course's files again
    assert again.returncode == 0 and "['1', '3', '2', '5', '4', '6']" in (root / "_build" / "docs" / "tiny" / "01-w.md").read_text()
    assert run_build(root).stdout.startswith("tiny/01-w: cached")  # what the run wrote is not in the cache key


@pytest.mark.tensorflow
def test_a_gpu_build_stops_when_tensorflow_in_the_kernel_placed_on_a_gpu_sees_none(tmp_path, monkeypatch):
    from lessonbuild.errors import DeviceMissing

    lesson = "# T\n\n```{code-cell} ipython3\nimport tensorflow as tf\nprint(tf.__version__)\n```\n"
    root = make_project(tmp_path / "p", {"01-t": lesson})
    simulated_gpus(monkeypatch, "Simulated A")  # as if nvidia-smi listed one: this machine's TensorFlow sees none
    with pytest.raises(DeviceMissing, match=r"tiny/01-t: --device gpu, but TensorFlow [\d.]+ in the kernel placed on "
                                            r"GPU 0: Simulated A sees no GPU"):
        execute_in_process(root, device="gpu")
    _, lines = execute_in_process(root, device="auto")  # without --device gpu, the same lesson runs, on what it has
    assert lines[0].startswith("tiny/01-t: executed in ") and lines[0].endswith(" on CPU (first run)")


@pytest.mark.kernel
def test_a_lesson_that_breaks_the_builds_probe_is_a_failure_at_its_file_not_an_internal_error(tmp_path):
    root = make_project(tmp_path / "p", {"01-l": "# L\n\n```{code-cell} ipython3\nimport sys\nsys.modules['json'] = None\n```\n"})
    result = run_build(root)
    assert result.returncode == 1
    assert result.stderr.startswith("lessons/tiny/01-l.md:1: the kernel did not answer the build's probe (")
    assert "internal error" not in result.stderr


def test_no_execute_runs_nothing_even_what_force_names(tiny_project):
    [(_, [rendered])] = prepare(tiny_project)
    out = io.StringIO()
    results = execute([rendered], tiny_project, ExecutionCache(tiny_project), ExecuteOptions(force=[], uncached="skip"), out)
    assert not results[rendered.name].ran and out.getvalue() == "tiny/01-plots: not executed (--no-execute)\n"

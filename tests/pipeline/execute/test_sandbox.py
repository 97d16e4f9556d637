"""Kernels in bubblewrap's sandbox, tried as a hostile lesson would: a real bwrap, real kernels, real builds."""
import http.server
import json
import os
import shutil
import subprocess
import threading
import uuid
from pathlib import Path

import nbformat
import pytest

from lessonbuild.pipeline.execute.sandbox import _working_bubblewrap
from tests.conftest import author_environment, make_project, run_build

pytestmark = [pytest.mark.kernel]
USABLE, WHY_NOT = _working_bubblewrap()
# CI installs bubblewrap (.ci/run): there, a missing one fails these tests instead of skipping them.
needs_bwrap = pytest.mark.skipif(USABLE is None and not os.environ.get("CI"), reason=f"no bubblewrap: {WHY_NOT}")
SECRET = "hunter2-" + uuid.uuid4().hex


def lesson(code: str, front: str = "") -> str:
    return f"---\ntitle: Probe\n{front}---\n\n```{{code-cell}} ipython3\n{code}\n```\n"


def build(root: Path, *args: str) -> subprocess.CompletedProcess:
    return run_build(root, "build", "--sandbox", "bwrap", "-j", "1", *args,
                     env={**author_environment(), "LESSONBUILD_TEST_TOKEN": SECRET})


def printed(root: Path, slug: str = "01-probe") -> str:
    notebook = nbformat.read(root / "site" / "tiny" / f"{slug}.ipynb", as_version=4)
    return "".join(output.get("text", "") for cell in notebook.cells if cell.cell_type == "code" for output in cell.outputs)


@needs_bwrap
def test_no_process_of_the_build_and_no_secret_is_visible(tmp_path):
    (tmp_path / ".git").mkdir()
    (tmp_path / ".git" / "config").write_text(f"[http]\n\textraheader = AUTHORIZATION: basic {SECRET}\n")
    code = ("import glob, os\n"
            "seen = []\n"
            "for name in glob.glob('/proc/[0-9]*/environ') + glob.glob(os.path.expanduser('~/**'), recursive=True):\n"
            "    try:\n        seen.append(open(name, errors='replace').read())\n    except OSError:\n        pass\n"
            f"print(len(glob.glob('/proc/[0-9]*')), 'processes;', 'leaked' if any({SECRET[:7]!r} in text for text in seen) else 'clean')\n"
            "print(os.listdir('../../../../.git'))")
    result = build(make_project(tmp_path, {"01-probe": lesson(code)}))
    assert result.returncode == 0, result.stderr
    count, verdict = printed(tmp_path).split("\n")[0].split(" processes; ")
    assert verdict == "clean" and int(count) <= 4  # bubblewrap's init, the kernel and its threads' helpers
    assert printed(tmp_path).split("\n")[1] == "[]"  # the project's .git, which holds a CI checkout's token, is empty
    assert SECRET not in (tmp_path / "site" / "tiny" / "01-probe.ipynb").read_text()


@needs_bwrap
def test_writes_outside_the_scratch_folder_are_refused(tmp_path):
    root = make_project(tmp_path, {"01-probe": ""})
    targets = [root / "lessons" / "tiny" / "helper.py", root / "figures" / "planted.png", root / "mkdocs.yml"]
    code = ("import os\n"
            f"for target in {[str(t) for t in targets]!r}:\n"
            "    try:\n        open(target, 'w').write('owned')\n        print('wrote')\n"
            "    except OSError as error:\n        print(error.strerror)\n"
            "open('result.txt', 'w').write('fine')\nprint('scratch ok')")
    (root / "lessons" / "tiny" / "01-probe.md").write_text(lesson(code))
    (root / "figures").mkdir()
    before = {target: target.read_bytes() if target.exists() else None for target in targets}
    result = build(root)
    assert result.returncode == 0, result.stderr
    assert printed(root).split("\n")[:4] == ["Read-only file system"] * 3 + ["scratch ok"]
    assert {target: target.read_bytes() if target.exists() else None for target in targets} == before
    assert "wrote result.txt in scratch/" in result.stdout


@needs_bwrap
def test_a_daemon_a_cell_starts_ends_with_its_kernel(tmp_path):
    marker = f"lessonbuild-daemon-{uuid.uuid4().hex}"
    code = ("import os, subprocess, sys\n"
            f"subprocess.Popen([sys.executable, '-c', 'import time; time.sleep(600)', {marker!r}], start_new_session=True)\n"
            "if os.fork() == 0:\n    os.setsid()\n    if os.fork() == 0:\n"
            f"        os.execv('/bin/sleep', ['sleep', '600', {marker!r}])\n    os._exit(0)\n"
            "print('started')")
    result = build(make_project(tmp_path, {"01-probe": lesson(code)}))
    assert result.returncode == 0, result.stderr
    assert printed(tmp_path).startswith("started")
    assert not [pid for pid in os.listdir("/proc") if pid.isdigit() and marker in _command_line(pid)]


def _command_line(pid: str) -> str:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().decode(errors="replace")
    except OSError:
        return ""


@pytest.fixture
def local_server():
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), http.server.SimpleHTTPRequestHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()


@needs_bwrap
def test_a_lesson_that_needs_the_network_fails_with_a_clear_line_unless_it_asks(tmp_path, local_server):
    code = f"import urllib.request\nprint(urllib.request.urlopen({local_server!r}, timeout=10).status)"
    root = make_project(tmp_path, {"01-probe": lesson(code)})
    refused = build(root)
    assert refused.returncode == 1
    first = refused.stderr.splitlines()[0]
    assert first.startswith("lessons/tiny/01-probe.md:7: URLError") and "lessonbuild: {network: true}" in first, first
    (root / "lessons" / "tiny" / "01-probe.md").write_text(lesson(code, front="lessonbuild:\n  network: true\n"))
    allowed = build(root)
    assert allowed.returncode == 0, allowed.stderr
    assert printed(root).strip() == "200"


def test_asking_for_bwrap_where_there_is_none_is_one_line(tmp_path):
    root = make_project(tmp_path, {"01-probe": lesson("print(1)")})
    bare = tmp_path / "bin"
    bare.mkdir()
    env = {**author_environment(), "PATH": str(bare)}
    asked = run_build(root, "build", "--sandbox", "bwrap", env=env)
    assert asked.returncode == 2 and asked.stderr.strip().count("\n") == 0, asked.stderr
    assert asked.stderr.startswith('sandbox = "bwrap", but bubblewrap (bwrap) is not installed')
    assert not (root / "site").exists()


def test_auto_says_once_that_it_runs_kernels_unconfined(tmp_path):
    root = make_project(tmp_path, {"01-probe": lesson("print(1)"), "02-more": lesson("print(2)")})
    bare = tmp_path / "bin"
    bare.mkdir()
    result = run_build(root, "build", "--sandbox", "auto", env={**author_environment(), "PATH": str(bare)})
    assert result.returncode == 0, result.stderr
    said = [line for line in result.stderr.splitlines() if line.startswith("sandbox:")]
    assert said == ['sandbox: bubblewrap (bwrap) is not installed; kernels run without one '
                    '(install bubblewrap, or set sandbox = "none" to say so)']


@pytest.mark.skipif(shutil.which("bwrap") is None, reason="no bubblewrap")
def test_the_kernels_command_line_confines_it():
    from lessonbuild.pipeline.execute.sandbox import Bubblewrap, Confinement

    confinement = Confinement(Path("/p"), Path("/p/_build/scratch/c/l"), Path("/tmp/s"), (), network=False)
    command = Bubblewrap("bwrap", as_root=True).command(["python", "-m", "ipykernel_launcher"], confinement)
    text = json.dumps(command)
    assert command[-3:] == ["python", "-m", "ipykernel_launcher"]
    for flag in ("--unshare-pid", "--die-with-parent", "--unshare-net", "--cap-drop"):
        assert flag in command, text
    # The scratch folder is bound writable over the read-only project, and the project over the hidden /tmp.
    assert command.index("--bind") > command.index("/p") > command.index("/tmp")


@needs_bwrap
def test_a_cell_that_fails_after_an_earlier_one_could_not_reach_the_network_says_so(tmp_path, local_server):
    trying = ("import urllib.request\ntry:\n"
              f"    urllib.request.urlopen({local_server!r}, timeout=10)\n"
              "except OSError as error:  # as pip does: say so, and go on\n    print('could not install:', repr(error))")
    body = (f"---\ntitle: Probe\n---\n\n```{{code-cell}} ipython3\n{trying}\n```\n\n"
            "```{code-cell} ipython3\nimport a_package_the_first_cell_would_have_installed\n```\n")
    root = make_project(tmp_path, {"01-probe": body})
    result = build(root)
    assert result.returncode == 1
    first = result.stderr.splitlines()[0]
    assert first.startswith("lessons/tiny/01-probe.md:14: ModuleNotFoundError") and "an earlier cell printed" in first, first

"""Execution on a real Jupyter Kernel Gateway, started on 127.0.0.1 as a team would run one."""
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import nbformat
import pytest

from tests.conftest import run_build

pytestmark = [pytest.mark.gateway, pytest.mark.kernel]


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture(scope="module")
def gateway(tmp_path_factory):
    jupyter = Path(sys.executable).with_name("jupyter")
    if not jupyter.exists() or shutil.which("jupyter-kernelgateway", path=str(jupyter.parent)) is None:
        pytest.fail("jupyter-kernel-gateway is not installed; it is in requirements/base.txt")
    port = free_port()
    folder = tmp_path_factory.mktemp("gateway")  # the gateway's own working folder: not the project's
    command = [str(jupyter), "kernelgateway", "--KernelGatewayApp.ip=127.0.0.1", f"--KernelGatewayApp.port={port}"]
    process = subprocess.Popen(command, cwd=folder, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            urllib.request.urlopen(f"{url}/api/kernelspecs", timeout=1)
            break
        except OSError:
            time.sleep(0.1)
    else:
        process.kill()
        pytest.fail("the kernel gateway did not start")
    yield url
    process.terminate()
    process.wait(timeout=30)


def test_a_lesson_builds_through_the_gateway_with_its_files_shipped(gateway, tiny_root):
    lesson = tiny_root / "lessons" / "tiny" / "01-plots.md"
    checked = "import os\nprint(helper.greeting(), os.getcwd() != {!r})".format(str(tiny_root / "lessons" / "tiny"))
    lesson.write_text(lesson.read_text().replace("print(helper.greeting())", checked))
    result = run_build(tiny_root, "--gateway", gateway)
    assert result.returncode == 0, result.stderr
    notebook = nbformat.read(tiny_root / "site" / "tiny" / "01-plots.ipynb", as_version=4)
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    assert code[0].outputs[0].text == "hello from the helper True\n"  # the helper came in the shipped files
    assert "image/png" in code[1].outputs[0].data  # and so did data/values.txt
    assert (tiny_root / "figures" / "tiny" / "bars.png").exists()


def test_a_failure_on_the_gateway_names_the_lesson_line(gateway, tiny_root):
    lesson = tiny_root / "lessons" / "tiny" / "01-plots.md"
    lesson.write_text(lesson.read_text().replace("print(helper.greeting())", "print(helper.farewell())"))
    result = run_build(tiny_root, "--gateway", gateway)
    assert result.returncode == 1
    assert result.stderr.splitlines()[0] == "lessons/tiny/01-plots.md:12: AttributeError: module 'helper' has no attribute 'farewell'"

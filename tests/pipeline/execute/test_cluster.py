"""Lessons as tasks of a real Dask cluster: a scheduler and two workers started as their own processes on 127.0.0.1
(one offering the resource GPU, its GPU simulated by an nvidia-smi on its PATH, as the device tests do)."""
import contextlib
import os
import signal
import socket
import stat
import subprocess
import sys
import time

import pytest

from tests.conftest import REPOSITORY, author_environment, make_project, problems, run_build

distributed = pytest.importorskip("distributed")
trustme = pytest.importorskip("trustme")

PLAIN = "---\ntitle: Plain\n---\n\n# Plain\n\n```{code-cell} ipython3\nprint('plain', 2 + 2)\n```\n"
ON_GPU = "---\ntitle: On a GPU\nresources: {gpu: 1}\n---\n\n# On a GPU\n\n```{code-cell} ipython3\nprint('wants a GPU')\n```\n"
SLOW = "---\ntitle: Slow\n---\n\n# Slow\n\n```{code-cell} ipython3\nimport time\ntime.sleep(8)\nprint('slow done')\n```\n"


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


SCHEDULER = [sys.executable, "-m", "distributed.cli.dask_scheduler", "--host", "127.0.0.1", "--no-dashboard"]
WORKER = [sys.executable, "-m", "distributed.cli.dask_worker", "--nthreads", "1", "--no-nanny", "--no-dashboard"]


@contextlib.contextmanager
def running(scheduler: list[str], workers: list[tuple[list[str], dict]], address: str, client_security=None):
    """A scheduler and its workers as processes of their own, once every worker has registered; stopped after."""
    processes = [subprocess.Popen(scheduler, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)]
    try:
        for command, env in workers:
            processes.append(subprocess.Popen(command, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        with distributed.Client(address, timeout=60, security=client_security) as client:
            client.wait_for_workers(len(workers), timeout=120)
        yield address
    finally:
        for process in reversed(processes):
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:  # a worker still closing its connections: not the test's business
                process.kill()
                process.wait(timeout=10)


@pytest.fixture
def cluster(tmp_path):
    """The scheduler's address, with a CPU worker and a GPU worker registered; all stopped after the test."""
    port = free_port()
    address = f"tcp://127.0.0.1:{port}"
    bin_folder = tmp_path / "gpu-bin"
    bin_folder.mkdir()
    smi = bin_folder / "nvidia-smi"
    smi.write_text("#!/bin/sh\nprintf '0, Simulated A, GPU-5d2c0a1e-aaaa\\n'\n")
    smi.chmod(smi.stat().st_mode | stat.S_IEXEC)
    gpu_env = {**author_environment(), "PATH": f"{bin_folder}{os.pathsep}{os.environ['PATH']}"}
    gpu_env.pop("CUDA_VISIBLE_DEVICES", None)
    workers = [([*WORKER, address, "--name", "cpu-worker"], author_environment()),
               ([*WORKER, address, "--name", "gpu-worker", "--resources", "GPU=1"], gpu_env)]
    with running([*SCHEDULER, "--port", str(port)], workers, address):
        yield address


@pytest.mark.kernel
def test_lessons_run_as_tasks_and_the_one_that_wants_a_gpu_runs_on_the_gpu_worker(tmp_path, cluster):
    root = make_project(tmp_path / "p", {"01-plain": PLAIN, "02-gpu": ON_GPU})
    result = run_build(root, "--executor", "dask", "--scheduler", cluster)
    assert result.returncode == 0, result.stderr
    lines = sorted(line for line in result.stdout.splitlines() if line.startswith("tiny/"))
    assert lines[0].startswith("tiny/01-plain: executed in ") and lines[0].endswith(" on CPU (first run)")
    assert lines[1].startswith("tiny/02-gpu: executed in ") and lines[1].endswith(" on GPU 0: Simulated A (first run)")
    assert "plain 4" in (root / "site" / "tiny" / "01-plain" / "index.html").read_text()
    assert (root / "_build" / "logs" / "tiny" / "02-gpu.kernel.log").is_file()  # the worker's kernel log, brought back
    again = run_build(root, "--executor", "dask", "--scheduler", cluster)
    assert again.stdout.startswith("tiny/01-plain: cached")  # the cache is the build's own, wherever lessons ran


@pytest.mark.kernel
def test_a_worker_killed_during_a_lesson_is_survived_and_every_lesson_executes_once(tmp_path, cluster):
    root = make_project(tmp_path / "p", {"01-slow": SLOW, "02-plain": PLAIN, "03-plain": PLAIN.replace("2 + 2", "3 + 3")})
    command = [sys.executable, str(REPOSITORY / "build.py"), "--project", str(root), "--executor", "dask",
               "--scheduler", cluster]
    build = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=author_environment())
    with distributed.Client(cluster, timeout=60) as client:
        worker = _worker_running(client, "lesson-tiny/01-slow")
        time.sleep(3)  # its kernel started (in under a second) and is in the lesson's 8 s sleep
        pid = client.run(os.getpid, workers=[worker])[worker]
        os.kill(pid, signal.SIGKILL)
    stdout, stderr = build.communicate(timeout=600)
    assert build.returncode == 0, stderr
    executed = [line.split(":")[0] for line in stdout.splitlines() if ": executed in " in line]
    assert sorted(executed) == ["tiny/01-slow", "tiny/02-plain", "tiny/03-plain"]
    assert "slow done" in (root / "site" / "tiny" / "01-slow" / "index.html").read_text()


def _worker_running(client, prefix: str) -> str:
    """The address of the worker that is running the task whose key starts with `prefix`."""
    for _ in range(1200):
        for worker, keys in client.processing().items():
            if any(str(key).startswith(prefix) for key in keys):
                return worker
        time.sleep(0.05)
    raise AssertionError(f"no worker ran {prefix}")


@pytest.fixture
def tls_cluster(tmp_path):
    """A scheduler that speaks only TLS and asks every peer for a certificate of its CA, with one worker; and the
    variables that give a build such a certificate, through Dask's own configuration."""
    ca = trustme.CA()
    files = {name: tmp_path / f"{name}.pem" for name in ("ca", "node")}
    ca.cert_pem.write_to_path(files["ca"])
    ca.issue_cert("127.0.0.1").private_key_and_cert_chain_pem.write_to_path(files["node"])
    tls = ["--tls-ca-file", str(files["ca"]), "--tls-cert", str(files["node"]), "--tls-key", str(files["node"])]
    port = free_port()
    address = f"tls://127.0.0.1:{port}"
    security = distributed.security.Security(tls_ca_file=str(files["ca"]), tls_client_cert=str(files["node"]),
                                             tls_client_key=str(files["node"]), require_encryption=True)
    with running([*SCHEDULER, "--port", str(port), "--protocol", "tls", *tls],
                 [([*WORKER, address, *tls], author_environment())], address, security):
        yield address, {"DASK_DISTRIBUTED__COMM__TLS__CA_FILE": str(files["ca"]),
                        "DASK_DISTRIBUTED__COMM__TLS__CLIENT__CERT": str(files["node"]),
                        "DASK_DISTRIBUTED__COMM__TLS__CLIENT__KEY": str(files["node"])}


@pytest.mark.kernel
def test_a_tls_cluster_runs_lessons_for_a_build_with_its_certificate_and_refuses_one_without(tiny_root, tmp_path, tls_cluster):
    address, certificate = tls_cluster
    stranger = tmp_path / "stranger.pem"
    trustme.CA().issue_cert("127.0.0.1").private_key_and_cert_chain_pem.write_to_path(stranger)
    for env, problem in [({}, "tls:// takes Dask's TLS settings"),
                         ({**certificate, "DASK_DISTRIBUTED__COMM__TLS__CLIENT__CERT": str(stranger),
                           "DASK_DISTRIBUTED__COMM__TLS__CLIENT__KEY": str(stranger)}, "no Dask scheduler answers there")]:
        refused = run_build(tiny_root, "--executor", "dask", "--scheduler", address, env={**author_environment(), **env})
        assert refused.returncode == 2 and problems(refused.stderr) == [
            line for line in problems(refused.stderr) if line.startswith(f"--scheduler {address}: ") and problem in line]
    result = run_build(tiny_root, "--executor", "dask", "--scheduler", address, env={**author_environment(), **certificate})
    assert result.returncode == 0 and result.stdout.startswith("tiny/01-plots: executed in "), result.stderr


@pytest.mark.parametrize(("address", "problem"), [
    ("http://127.0.0.1:8786", "a scheduler is reached by tcp://, tls://, ws://, wss://"),
    ("inproc://scheduler", "a scheduler is reached by"),
    ("tcp://127.0.0.1:87x6", "invalid literal"),
    ("tcp://127.0.0.1", "missing port number"),
])
def test_an_address_that_is_no_schedulers_is_one_line(tiny_root, address, problem):
    result = run_build(tiny_root, "--executor", "dask", "--scheduler", address)
    (line,) = problems(result.stderr)
    assert result.returncode == 2 and line.startswith(f"--scheduler {address}: not a scheduler's address") and problem in line


def test_the_scheduler_never_comes_from_the_settings(tiny_root):
    (tiny_root / "pyproject.toml").write_text('[tool.lessonbuild]\nexecutor = "dask"\nscheduler = "tcp://10.0.0.1:8786"\n')
    result = run_build(tiny_root, "check")
    assert result.returncode == 2 and "unknown setting 'scheduler'" in result.stderr


@pytest.mark.kernel
def test_ctrl_c_cancels_every_task_and_stops_its_kernel_but_not_the_workers(tmp_path, cluster):
    root = make_project(tmp_path / "p", {"01-slow": SLOW.replace("time.sleep(8)", "time.sleep(120)")})
    command = [sys.executable, str(REPOSITORY / "build.py"), "--project", str(root), "--executor", "dask",
               "--scheduler", cluster]
    build = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=author_environment())
    with distributed.Client(cluster, timeout=60) as client:
        worker = _worker_running(client, "lesson-tiny/01-slow")
        time.sleep(3)  # its kernel is in the lesson's sleep
        build.send_signal(signal.SIGINT)
        _, stderr = build.communicate(timeout=60)
        assert build.returncode == 130 and "interrupted" in stderr
        pid = client.run(os.getpid, workers=[worker])[worker]  # the worker is still there
        for _ in range(200):
            if not _children(pid):
                break
            time.sleep(0.1)
        assert _children(pid) == []  # its kernel was shut down, not left to sleep out its two minutes
        assert not client.processing()[worker]


def _children(pid: int) -> list[int]:
    import psutil  # distributed's own dependency

    return [child.pid for child in psutil.Process(pid).children()]

"""What a Dask cluster costs over local kernels: the generated course executed on a local cluster of two workers
against `--jobs 2` on this machine, side by side.

Run by hand, not by the tests:

    .venv/bin/python benchmarks/bench_cluster.py [--lessons 200] [--repeat 3]

A scheduler and two workers (one thread each) are started as their own processes on 127.0.0.1. Each run
is a cold build (no _build/, no site/) of the same generated course of --lessons small lessons, alternately
on the cluster and locally; the medians and their ratio (the cluster's overhead) are printed.
"""
from __future__ import annotations

import argparse
import shutil
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path
from tempfile import TemporaryDirectory

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from bench_build import REPOSITORY, _generated_project  # noqa: E402 -- importable only once HERE is on sys.path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--lessons", type=int, default=200)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with TemporaryDirectory(prefix="lessonbuild-cluster-") as scratch:
        root = _generated_project(Path(scratch) / "course", args.lessons)
        address, processes = _local_cluster()
        try:
            runs = {"local, --jobs 2": ["--jobs", "2"], "dask, 2 workers": ["--executor", "dask", "--scheduler", address]}
            times: dict[str, list[float]] = {name: [] for name in runs}
            for _ in range(args.repeat):
                for name, extra in runs.items():
                    shutil.rmtree(root / "_build", ignore_errors=True)
                    shutil.rmtree(root / "site", ignore_errors=True)
                    times[name].append(_timed_build(root, extra))
        finally:
            for process in processes:
                process.terminate()
    for name, seconds in times.items():
        print(f"{args.lessons} lessons  {name:18} {statistics.median(seconds):7.2f} s  ({', '.join(f'{s:.1f}' for s in seconds)})")
    ratio = statistics.median(times["dask, 2 workers"]) / statistics.median(times["local, --jobs 2"])
    print(f"the cluster takes {ratio:.2f}x the local build's time")


def _local_cluster() -> tuple[str, list[subprocess.Popen]]:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    address = f"tcp://127.0.0.1:{port}"
    quiet = {"stdout": subprocess.DEVNULL, "stderr": subprocess.DEVNULL}
    processes = [subprocess.Popen([sys.executable, "-m", "distributed.cli.dask_scheduler", "--host", "127.0.0.1",
                                   "--port", str(port), "--no-dashboard"], **quiet)]
    for number in (1, 2):
        processes.append(subprocess.Popen([sys.executable, "-m", "distributed.cli.dask_worker", address, "--nthreads", "1",
                                           "--no-nanny", "--no-dashboard", "--name", f"worker-{number}"], **quiet))
    from distributed import Client

    with Client(address, timeout=60) as client:
        client.wait_for_workers(2, timeout=120)
    return address, processes


def _timed_build(root: Path, extra: list[str]) -> float:
    command = [sys.executable, str(REPOSITORY / "build.py"), "--project", str(root), *extra]
    started = time.perf_counter()
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        raise SystemExit(f"build failed:\n{result.stderr}")
    return time.perf_counter() - started


if __name__ == "__main__":
    main()

"""A fresh clone's first site: built from a published site's cache store, against executing every lesson.

Run by hand, not by the tests:

    .venv/bin/python benchmarks/bench_store.py [--repeat 3] [--jobs 2]

The repository's own course (its lessons, templates and settings; TensorFlow) is built once with
publish_cache, and its site served by `python -m http.server` on 127.0.0.1. Then, --repeat times each,
side by side, a fresh copy of the sources (no _build/, no site/) is built to a full site:
  from the store   with --cache-url http://127.0.0.1:PORT/_cache/ (no kernel should start: checked)
  executing        with no store, every lesson executed with --jobs
The medians, and the ratio, are printed.
"""
from __future__ import annotations

import argparse
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
from bench_build import REPOSITORY, _sample_project  # noqa: E402 -- importable only once HERE is on sys.path


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--jobs", type=int, default=2)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="lessonbuild-store-") as scratch_name:
        scratch = Path(scratch_name)
        origin = _sample_project(scratch / "origin")
        _set(origin, "publish_cache = true")
        _build(origin, args.jobs)
        port = _free_port()
        server = subprocess.Popen([sys.executable, "-m", "http.server", str(port), "--bind", "127.0.0.1",
                                   "--directory", str(origin / "site")], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            time.sleep(1)
            rows = _side_by_side(origin, scratch, f"http://127.0.0.1:{port}/_cache/", args)
        finally:
            server.terminate()
    for name, seconds in rows.items():
        print(f"{name:30} {statistics.median(seconds):7.2f} s  (median of {len(seconds)})")
    ratio = statistics.median(rows["executing"]) / statistics.median(rows["from the store"])
    print(f"from the store is {ratio:.1f}x faster to a full site")


def _side_by_side(origin: Path, scratch: Path, url: str, args) -> dict[str, list[float]]:
    rows: dict[str, list[float]] = {"from the store": [], "executing": []}
    for attempt in range(args.repeat):
        for name in rows:
            clone = _fresh_copy(origin, scratch / f"clone-{attempt}-{name.replace(' ', '-')}")
            extra = ["--cache-url", url] if name == "from the store" else []
            seconds, output = _build(clone, args.jobs, extra)
            if name == "from the store" and "executed in" in output:
                raise SystemExit(f"a lesson executed in a build from the store:\n{output}")
            rows[name].append(seconds)
            shutil.rmtree(clone)
    return rows


def _fresh_copy(origin: Path, target: Path) -> Path:
    target.mkdir(parents=True)
    for name in ("lessons", "templates", "figures"):
        if (origin / name).is_dir():
            shutil.copytree(origin / name, target / name)
    for name in ("mkdocs.yml", "pyproject.toml"):
        shutil.copy(origin / name, target / name)
    return target


def _set(root: Path, line: str) -> None:
    """A setting of the project, as `line` says (the repository's own settings may have it already)."""
    settings = root / "pyproject.toml"
    text = settings.read_text()
    name = line.split("=")[0].strip()
    kept = "".join(old for old in text.splitlines(keepends=True) if old.split("=")[0].strip() != name)
    settings.write_text(kept.replace("[tool.lessonbuild]\n", f"[tool.lessonbuild]\n{line}\n", 1))


def _build(root: Path, jobs: int, extra: list[str] | None = None) -> tuple[float, str]:
    command = [sys.executable, str(REPOSITORY / "build.py"), "--project", str(root), "--jobs", str(jobs), *(extra or [])]
    started = time.perf_counter()
    result = subprocess.run(command, capture_output=True, text=True)
    if result.returncode != 0:
        raise SystemExit(f"build failed in {root}:\n{result.stderr}")
    return time.perf_counter() - started, result.stdout


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


if __name__ == "__main__":
    main()

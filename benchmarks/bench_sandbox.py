"""What bubblewrap's sandbox costs a build: the same lessons executed with `--sandbox none` and `--sandbox bwrap`.

Run by hand, not by the tests:

    .venv/bin/python benchmarks/bench_sandbox.py [--repeat 5] [--lessons 8]

A generated course of --lessons small lessons (one draws a matplotlib figure, so its font list is read) is
built with --force --jobs 1 once per mode and repeat, the modes taking turns so that the machine's drift falls
on both; the median of each mode, the ratio and the cost per lesson are printed.
"""
from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPOSITORY = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPOSITORY))

LESSON = """---
title: Lesson {n}
---

```{{code-cell}} ipython3
import matplotlib.pyplot as plt
plt.figure(figsize=(2, 2))
plt.plot([1, {n}, 2])
plt.show()
print({n} * {n})
```
"""
MODES = ("none", "bwrap")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--lessons", type=int, default=8)
    args = parser.parse_args()
    from tests.conftest import make_project

    with tempfile.TemporaryDirectory(prefix="lessonbuild-bench-") as scratch:
        root = make_project(Path(scratch) / "p", {f"{n:02d}-l": LESSON.format(n=n) for n in range(1, args.lessons + 1)})
        _build(root, "none")  # a first build: the site, the figures, the caches of the readers
        seconds: dict[str, list[float]] = {mode: [] for mode in MODES}
        for _ in range(args.repeat):
            for mode in MODES:
                seconds[mode].append(_build(root, mode))
    medians = {mode: statistics.median(times) for mode, times in seconds.items()}
    for mode in MODES:
        print(f"--sandbox {mode:5}  median {medians[mode]:6.2f} s  ({', '.join(f'{t:.2f}' for t in seconds[mode])})")
    extra = (medians["bwrap"] - medians["none"]) / args.lessons
    print(f"ratio bwrap/none {medians['bwrap'] / medians['none']:.3f}; {extra:+.3f} s per lesson")


def _build(root: Path, mode: str) -> float:
    command = [sys.executable, str(REPOSITORY / "build.py"), "--project", str(root), "--force", "--jobs", "1",
               "--sandbox", mode]
    started = time.perf_counter()
    subprocess.run(command, check=True, capture_output=True)
    return time.perf_counter() - started


if __name__ == "__main__":
    main()

"""`check` with nothing kept (every lesson read and rendered), this checkout against another, side by side.

Run by hand, not by the tests:

    .venv/bin/python benchmarks/bench_check.py [--lessons 600] [--repeat 5] [--baseline PATH/TO/OTHER/CHECKOUT]

A generated course of --lessons small lessons whose prose and code use the build's names in `{{ }}` and a
`{% for %}` (so every lesson goes through the template sandbox) is checked with `_build/` removed before each
run, so no read or render is kept. With --baseline, the same project is checked by that checkout too (run with
PYTHONPATH set to it), the two taking turns; the medians and their ratio are printed.
"""
from __future__ import annotations

import argparse
import os
import shutil
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
substitutions:
  topic: pooling
---

# Lesson {n}

About {{{{ topic }}}} in {{{{ lesson.title }}}}, lesson {{{{ lesson.number }}}} of {{{{ course.units | length }}}}.

{{% for step in ["read", "run", "change"] %}}
- {{{{ loop.index }}}}. {{{{ step | capitalize }}}} the code.
{{% endfor %}}

```{{code-cell}} ipython3
values = [float(x) for x in open('{{{{ data_path("values.txt") }}}}').read().split()]
print(f"{{{{ lesson.title }}}}: {{sum(values)}}")
```
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--lessons", type=int, default=600)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--baseline", type=Path, help="another checkout of lessonbuild, checked side by side")
    args = parser.parse_args()
    from tests.conftest import make_project

    checkouts = {"this checkout": REPOSITORY, **({"baseline": args.baseline.resolve()} if args.baseline else {})}
    with tempfile.TemporaryDirectory(prefix="lessonbuild-bench-") as scratch:
        root = make_project(Path(scratch) / "p", {f"{n:03d}-l": LESSON.format(n=n) for n in range(1, args.lessons + 1)})
        seconds: dict[str, list[float]] = {name: [] for name in checkouts}
        for _ in range(args.repeat):
            for name, checkout in checkouts.items():
                seconds[name].append(_check(root, checkout))
    medians = {name: statistics.median(times) for name, times in seconds.items()}
    for name, median in medians.items():
        print(f"{name:14} median {median:6.2f} s  ({', '.join(f'{t:.2f}' for t in seconds[name])})")
    if args.baseline:
        print(f"ratio this/baseline {medians['this checkout'] / medians['baseline']:.3f}")


def _check(root: Path, checkout: Path) -> float:
    shutil.rmtree(root / "_build", ignore_errors=True)  # nothing kept: every lesson read and rendered
    env = {**os.environ, "PYTHONPATH": str(checkout)}
    started = time.perf_counter()
    result = subprocess.run([sys.executable, "-m", "lessonbuild", "--project", str(root), "check"],
                            capture_output=True, text=True, env=env, cwd=checkout)
    elapsed = time.perf_counter() - started
    if result.returncode != 0:
        raise SystemExit(f"check failed in {checkout}:\n{result.stdout}{result.stderr}")
    return elapsed


if __name__ == "__main__":
    main()

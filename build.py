#!/usr/bin/env python3
"""Build this repository's course: `python build.py` is `lessonbuild --project <this folder>`. See --help."""
import sys
from pathlib import Path

from lessonbuild.cli import main

if __name__ == "__main__":
    sys.exit(main(default_root=Path(__file__).resolve().parent, prog="build.py"))

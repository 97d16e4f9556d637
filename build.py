#!/usr/bin/env python3
"""Build the course: `python build.py` renders, executes and publishes every lesson. See --help."""
import sys
from pathlib import Path

from lessonbuild.cli import main

if __name__ == "__main__":
    sys.exit(main(default_root=Path(__file__).resolve().parent))

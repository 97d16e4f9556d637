"""`python -m lessonbuild`: the same as the `lessonbuild` command."""
import sys

from lessonbuild.cli import main

if __name__ == "__main__":
    sys.exit(main(prog="lessonbuild"))

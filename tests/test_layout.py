"""The package's layers, as pyproject.toml's import-linter contracts draw them, and what importing a stage costs."""
import subprocess
import sys
from pathlib import Path

from tests.conftest import REPOSITORY

LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def test_the_layers_hold():
    result = subprocess.run([str(LINT_IMPORTS), "--no-cache"], capture_output=True, text=True, cwd=REPOSITORY)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "4 kept, 0 broken" in result.stdout


def test_reading_lessons_imports_neither_the_myst_pages_nor_latex2mathml():
    code = ("import sys, lessonbuild.pipeline.read; "
            "print(sorted(m for m in sys.modules if m.startswith(('latex2mathml', 'lessonbuild.myst.page', 'nbclient'))))")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert result.stdout.strip() == "[]"

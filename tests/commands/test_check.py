"""`lessonbuild check`: a check with no file changed says again what the last one said, reading no lesson."""
import os
import subprocess
import sys

from tests.conftest import author_environment, run_build

CHECK_IMPORTS = """
import sys
from lessonbuild.cli import main
code = main(["--project", sys.argv[1], "check", *sys.argv[2:]])
print(code, "nbformat" in sys.modules, "jinja2" in sys.modules, file=sys.stderr)
"""


def checked_in_process(root, *args: str) -> tuple[str, str, str]:
    """What check printed (stdout, stderr), and whether it imported nbformat and Jinja."""
    result = subprocess.run([sys.executable, "-c", CHECK_IMPORTS, str(root), *args],
                            capture_output=True, text=True, env=author_environment(), timeout=600)
    *printed, imports = result.stderr.splitlines()
    return result.stdout, "\n".join(printed), imports


def backdate(root):
    """Files written seconds ago are too new for their times to be trusted (uptodate's racy rule): make them older."""
    for path in root.rglob("*"):
        os.utime(path, (path.stat().st_atime - 60, path.stat().st_mtime - 60))


def test_a_check_with_nothing_changed_repeats_its_warnings_without_reading_a_lesson(tiny_root):
    lesson = tiny_root / "lessons" / "tiny" / "01-plots.md"
    lesson.write_text(lesson.read_text().replace("Some prose.", "Some prose, and [a page elsewhere](../other/intro.md)."))
    backdate(tiny_root)
    first = checked_in_process(tiny_root)
    again = checked_in_process(tiny_root)
    assert first[:2] == again[:2] and "1 warning" in first[0] and "no lesson: shown as text" in first[1]
    assert (first[2], again[2]) == ("0 True True", "0 False False")
    assert checked_in_process(tiny_root, "--strict")[2].startswith("2 True")  # asked differently: checked again


def test_a_check_after_an_edit_reads_the_lessons_again(tiny_root):
    backdate(tiny_root)
    assert run_build(tiny_root, "check").returncode == 0
    lesson = tiny_root / "lessons" / "tiny" / "01-plots.md"
    lesson.write_text(lesson.read_text().replace("Some prose.", "Some prose.\n\n![A figure](missing.png)"))
    result = run_build(tiny_root, "check")
    assert result.returncode == 2 and result.stderr.startswith("lessons/tiny/01-plots.md:"), result.stderr

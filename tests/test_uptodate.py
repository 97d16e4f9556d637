import json
import os
import time

from lessonbuild import uptodate
from tests.conftest import run_build


def test_stamp_follows_size_time_and_new_files(tiny_project):
    first = uptodate.source_stamp(tiny_project)
    assert uptodate.source_stamp(tiny_project) == first
    lesson = tiny_project.lessons_dir / "tiny" / "01-plots.md"
    os.utime(lesson, ns=(time.time_ns(), time.time_ns() + 10**9))
    assert uptodate.source_stamp(tiny_project)["digest"] != first["digest"]
    (tiny_project.templates_dir / "extra.j2").write_text("x")
    assert uptodate.source_stamp(tiny_project)["newest"] >= first["newest"]


def test_a_stamp_taken_right_after_an_edit_is_not_trusted(tiny_project):
    tiny_project.site_dir.mkdir()
    (tiny_project.site_dir / "index.html").write_text("site")
    stamp = uptodate.source_stamp(tiny_project)
    uptodate.remember(tiny_project, stamp, ["line"])
    assert uptodate.is_current(tiny_project, stamp) is None  # the lesson files were written moments ago
    stored = json.loads((tiny_project.build_dir / uptodate.STAMP).read_text())
    stored["taken"] = stored["newest"] + 3 * 10**9
    (tiny_project.build_dir / uptodate.STAMP).write_text(json.dumps(stored))
    assert uptodate.is_current(tiny_project, stamp) == ["line"]


def test_a_touched_but_unchanged_lesson_is_still_a_no_op(tiny_root):
    assert run_build(tiny_root).returncode == 0
    lesson = tiny_root / "lessons" / "tiny" / "01-plots.md"
    os.utime(lesson)
    result = run_build(tiny_root)
    assert result.stdout.splitlines()[-1] == "site: site/ is up to date"
    assert "cached" in result.stdout.splitlines()[0]

import json
import os

import pytest

from lessonbuild.state import names, uptodate
from lessonbuild.state.uptodate import remember_site
from tests.conftest import run_build


def test_stamp_follows_time_size_and_new_and_removed_files(tiny_project):
    first = uptodate.source_stamp(tiny_project)
    assert uptodate.source_stamp(tiny_project) == first
    lesson = tiny_project.lessons_dir / "tiny" / "01-plots.md"
    later = lesson.stat().st_mtime_ns + 10**9
    os.utime(lesson, ns=(later, later))
    touched = uptodate.source_stamp(tiny_project)
    assert touched["digest"] != first["digest"]
    lesson.write_text(lesson.read_text() + "x")  # the size alone changes: the time is put back
    os.utime(lesson, ns=(later, later))
    resized = uptodate.source_stamp(tiny_project)
    assert resized["digest"] != touched["digest"]
    extra = tiny_project.templates_dir / "extra.j2"
    extra.parent.mkdir()
    extra.write_text("x")
    os.utime(extra, ns=(10**9, 10**9))  # an old file: only its arrival can change the stamp
    added = uptodate.source_stamp(tiny_project)
    assert added["digest"] != resized["digest"] and added["newest"] == resized["newest"]
    extra.unlink()
    assert uptodate.source_stamp(tiny_project)["digest"] == resized["digest"]


def test_a_stamp_taken_right_after_an_edit_is_not_trusted_nor_one_whose_site_changed(tiny_project):
    tiny_project.site_dir.mkdir()
    (tiny_project.site_dir / "index.html").write_text("site")
    (tiny_project.site_dir / "page.html").write_text("page")
    remember_site(tiny_project)
    stamp = uptodate.source_stamp(tiny_project)
    uptodate.remember(tiny_project, stamp, ["line"])
    assert uptodate.is_current(tiny_project, stamp) is None  # the lesson files were written moments ago
    stored = json.loads((tiny_project.build_dir / names.SOURCES_STAMP).read_text())
    stored["taken"] = stored["newest"] + 3 * 10**9
    (tiny_project.build_dir / names.SOURCES_STAMP).write_text(json.dumps(stored))
    assert uptodate.is_current(tiny_project, stamp) == ["line"]
    (tiny_project.site_dir / "page.html").unlink()
    assert uptodate.is_current(tiny_project, stamp) is None


@pytest.mark.kernel
def test_a_touched_but_unchanged_lesson_is_still_a_no_op(tiny_root):
    assert run_build(tiny_root).returncode == 0
    lesson = tiny_root / "lessons" / "tiny" / "01-plots.md"
    os.utime(lesson)
    result = run_build(tiny_root)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1] == "site: site/ is up to date"
    assert "cached" in result.stdout.splitlines()[0]


def test_a_link_to_nothing_among_the_lessons_is_stamped_not_an_error(tiny_project):
    import os

    from lessonbuild.state.uptodate import source_stamp

    before = source_stamp(tiny_project)["digest"]
    os.symlink("/nowhere/at/all", tiny_project.lessons_dir / "tiny" / ".#01-plots.md")  # as Emacs leaves one
    assert source_stamp(tiny_project)["digest"] != before
    from lessonbuild.pipeline.read import read_courses

    assert [lesson.slug for lesson in read_courses(tiny_project)[0].lessons] == ["01-plots"]  # no stray lesson either


def test_an_editors_lock_file_leaves_the_sites_digest_as_it_was(tiny_project):
    before = uptodate.site_digest(tiny_project, ["x"])
    (tiny_project.lessons_dir / "tiny" / ".#01-plots.md").symlink_to("nobody@host.1234")  # as Emacs leaves it
    assert uptodate.site_digest(tiny_project, ["x"]) == before

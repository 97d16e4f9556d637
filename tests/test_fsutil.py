"""How the build reads a source file: as UTF-8 text, and only where its links lead inside the folder it may come
from; and the scratch folders that a killed process leaves, removed by the next one."""
import os
import signal
import subprocess
import sys
import tempfile

import pytest

from lessonbuild.fsutil import ABANDONED_SECONDS, NotText, inside, read_text, scratch_folder

HOLDER = """
import sys, time
from lessonbuild.fsutil import scratch_folder
with scratch_folder("lessonbuild-test-") as folder:
    (folder / "data.bin").write_bytes(b"a lesson's files")
    print(folder, flush=True)
    time.sleep(600)
"""


def test_text_is_utf8_without_its_byte_order_mark_and_anything_else_says_what_and_where(tmp_path):
    files = {"bom.md": "\ufeff# Title\n".encode(), "latin.md": "# T\n\nCaf\u00e9\n".encode("latin-1"),
             "utf16.md": "# T\n".encode("utf-16"), "image.png": b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR"}
    for name, data in files.items():
        (tmp_path / name).write_bytes(data)
    assert read_text(tmp_path / "bom.md") == "# Title\n"
    problems = {}
    for name in ("latin.md", "utf16.md", "image.png"):
        with pytest.raises(NotText) as caught:
            read_text(tmp_path / name)
        problems[name] = (caught.value.line, str(caught.value))
    assert problems == {"latin.md": (3, "not UTF-8 text (byte 0xe9); save it as UTF-8"),
                        "utf16.md": (1, "UTF-16 text, not UTF-8; save it as UTF-8"),
                        "image.png": (3, "a binary file (it holds NUL bytes), not text")}


def test_inside_follows_links_and_names_with_dots_before_it_decides(tmp_path):
    lessons = tmp_path / "lessons"
    (lessons / "c").mkdir(parents=True)
    (lessons / "c" / "code.py").write_text("x = 1\n")
    (lessons / "c" / "alias.py").symlink_to("code.py")
    (tmp_path / "secret.txt").write_text("not the lessons'\n")
    (lessons / "c" / "passwd").symlink_to(tmp_path / "secret.txt")
    assert inside(lessons / "c" / "alias.py", lessons) == (lessons / "c" / "code.py").resolve()
    assert inside(lessons / "c" / "../c/code.py", lessons) is not None
    assert inside(lessons / "c" / "passwd", lessons) is None
    assert inside(lessons / "c" / "../../outside.py", lessons) is None
    assert inside(lessons / "c" / "/proc/self/environ", lessons) is None


def holding(tmp_path) -> tuple[subprocess.Popen, str]:
    """A process inside scratch_folder, and its folder (in tmp_path, as the system's temporary folder)."""
    holder = subprocess.Popen([sys.executable, "-c", HOLDER], stdout=subprocess.PIPE, text=True,
                              env={**os.environ, "TMPDIR": str(tmp_path)})
    return holder, holder.stdout.readline().strip()


def test_a_killed_process_s_scratch_folder_is_removed_by_the_next_and_a_live_one_s_is_kept(tmp_path, monkeypatch):
    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    killed, abandoned = holding(tmp_path)
    alive, kept = holding(tmp_path)
    try:
        killed.send_signal(signal.SIGKILL)
        killed.wait(timeout=30)
        old = os.stat(abandoned).st_mtime - ABANDONED_SECONDS - 1
        for folder in (abandoned, kept):
            os.utime(folder, (old, old))
        with scratch_folder("lessonbuild-test-") as mine:
            assert not os.path.exists(abandoned) and os.path.isdir(kept) and mine.is_dir()
        assert not mine.exists()
    finally:
        alive.kill()
        alive.wait(timeout=30)

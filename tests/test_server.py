"""`build.py serve` as an author uses it: a real server, a real browser, an edit, a reload."""
import queue
import signal
import subprocess
import sys
import threading

import pytest

from tests.conftest import REPOSITORY

pytestmark = [pytest.mark.kernel, pytest.mark.browser]


@pytest.fixture
def server(tiny_root):
    command = [sys.executable, str(REPOSITORY / "build.py"), "serve", "--port", "0", "--project", str(tiny_root)]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line.rstrip("\n")) for line in process.stdout], daemon=True).start()
    assert next_line(lines, "preview: ").startswith("preview: _build/preview/ (1 lesson")  # the first build, before serving
    url = next_line(lines, "serving on ").split()[2]
    yield url, lines
    process.send_signal(signal.SIGINT)
    process.wait(timeout=30)


def next_line(lines: queue.Queue, prefix: str, timeout: float = 120) -> str:
    while True:
        line = lines.get(timeout=timeout)
        if line.startswith(prefix):
            return line


def test_a_prose_edit_reloads_the_page_without_running_a_kernel(server, browser, tiny_root):
    url, lines = server
    page = browser.new_page()
    page.goto(f"{url}tiny/01-plots/")
    assert page.locator("article").inner_text().count("Some prose.") == 1
    lesson = tiny_root / "lessons" / "tiny" / "01-plots.md"
    lesson.write_text(lesson.read_text().replace("Some prose.", "Some prose, edited while serving."))
    assert next_line(lines, "tiny/01-plots: ").startswith("tiny/01-plots: cached")  # no kernel started
    page.wait_for_function("document.body.innerText.includes('edited while serving')", timeout=60_000)
    page.close()
    assert not (tiny_root / "site").exists()  # the preview is not the published site: only `build` makes that


def test_a_broken_lesson_is_reported_and_the_last_site_stays_served(server, browser, tiny_root):
    url, lines = server
    lesson = tiny_root / "lessons" / "tiny" / "01-plots.md"
    lesson.write_text(lesson.read_text().replace("title: Plots", "title: [Plots"))
    assert next_line(lines, "lessons/tiny/01-plots.md:").startswith("lessons/tiny/01-plots.md:3: invalid YAML")
    page = browser.new_page()
    page.goto(f"{url}tiny/01-plots/")
    assert "Some prose." in page.locator("article").inner_text()
    page.close()

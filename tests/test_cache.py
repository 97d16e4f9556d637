"""The execution cache, through the real command line: what runs again, and what does not."""
import pytest

from lessonbuild.cache import _imported_names, _package_identity
from tests.conftest import run_build


def status(root, *args) -> str:
    result = run_build(root, *args)
    assert result.returncode == 0, result.stderr
    return result.stdout.splitlines()[0]


def edit(path, old, new):
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))


@pytest.fixture
def built(tiny_root):
    assert "(first run)" in status(tiny_root)
    return tiny_root


def test_an_unchanged_lesson_is_not_executed_again(built):
    assert status(built).startswith("tiny/01-plots: cached (executed on CPU in ")


def test_a_markdown_edit_starts_no_kernel_and_still_updates_the_page(built):
    log = built / "_build" / "logs" / "tiny" / "01-plots.kernel.log"
    log.unlink()
    edit(built / "lessons" / "tiny" / "01-plots.md", "Some prose.", "Some newer prose,\n\nover more lines.")
    assert status(built).startswith("tiny/01-plots: cached")
    assert not log.exists()  # no kernel started
    assert "over more lines." in (built / "site" / "tiny" / "01-plots" / "index.html").read_text()


def test_hiding_a_cell_does_not_execute_it_again(built):
    edit(built / "lessons" / "tiny" / "01-plots.md", "#$HIDE_INPUT$", "#$HIDE_OUTPUT$")
    assert status(built).startswith("tiny/01-plots: cached")


def test_a_code_edit_executes_again_and_says_where(built):
    edit(built / "lessons" / "tiny" / "01-plots.md", "plt.plot(values)", "plt.plot(values, 'o')")
    assert status(built).endswith("(code changed in the cell at line 21)")


def test_a_data_file_change_executes_again(built):
    (built / "lessons" / "tiny" / "data" / "values.txt").write_text("5 4 3\n")
    assert status(built).endswith("(lessons/tiny/data/values.txt changed)")


def test_a_helper_module_change_executes_again_also_through_another_helper(built):
    course = built / "lessons" / "tiny"
    (course / "words.py").write_text("HELLO = 'hello from the helper'\n")
    (course / "helper.py").write_text("import words\n\ndef greeting():\n    return words.HELLO\n")
    assert status(built).endswith("(lessons/tiny/helper.py changed; lessons/tiny/words.py changed)")
    (course / "words.py").write_text("HELLO = 'hi'\n")
    assert status(built).endswith("(lessons/tiny/words.py changed)")


def test_force_and_clean(built):
    assert status(built, "--force").endswith("(forced)")
    assert status(built, "--force", "tiny/01-plots").endswith("(forced)")
    assert status(built, "--force", "other-lesson").startswith("tiny/01-plots: cached")
    assert run_build(built, "clean").returncode == 0
    assert status(built).endswith("(first run)")


def test_entries_hold_no_path_of_this_machine(built):
    entries = list((built / "_build" / "cache").rglob("*.ipynb")) + list((built / "_build" / "cache").rglob("*.json"))
    assert entries
    for entry in entries:
        assert str(built) not in entry.read_text()


def test_imports_are_found_past_ipython_syntax():
    source = "%matplotlib inline\nimport os, helper.sub\nfrom words import HELLO\nfrom . import x\nresult = !ls\n"
    assert _imported_names(source) == {"os", "helper", "words"}  # the shell assignment forces the line-by-line reading


def test_cpu_and_gpu_builds_of_tensorflow_count_as_one_environment():
    assert _package_identity("tensorflow_cpu", "2.21.0") == _package_identity("tensorflow", "2.21.0")
    assert _package_identity("nvidia-cudnn-cu12", "9.3") is None
    assert _package_identity("numpy", "2.4.6") == "numpy==2.4.6"


def test_a_no_op_build_leaves_the_site_alone_and_a_missing_site_is_rebuilt(built):
    index = built / "site" / "index.html"
    stamp = index.stat().st_mtime_ns
    result = run_build(built)
    assert result.stdout.splitlines() == ["tiny/01-plots: " + result.stdout.split(": ", 1)[1].splitlines()[0], "site: site/ is up to date"]
    assert result.stdout.startswith("tiny/01-plots: cached (executed on CPU in ")
    assert index.stat().st_mtime_ns == stamp
    (built / "templates" / "site" / "home.md.j2").write_text("# Home, edited\n")
    assert run_build(built).stdout.splitlines()[-1] == "site: site/ (1 lessons)"  # a template edit rebuilds
    import shutil

    shutil.rmtree(built / "site")
    assert run_build(built).stdout.splitlines()[-1] == "site: site/ (1 lessons)"
    assert index.exists()

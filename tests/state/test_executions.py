"""The execution cache, through the real command line: what runs again, and what does not."""
import copy
import json
import os
import platform
import re
import shutil

import pytest

from lessonbuild.model import ExecutedLesson
from lessonbuild.pipeline.prepare import prepare
from lessonbuild.state.executions import ExecutionCache, Hit, Miss, MissReason, package_identity
from tests.conftest import run_build


def status_lines(root, *args) -> list[str]:
    result = run_build(root, *args)
    assert result.returncode == 0, result.stderr
    return result.stdout.splitlines()


def status(root, *args) -> str:
    return status_lines(root, *args)[0]


def edit(path, old, new):
    text = path.read_text()
    assert old in text
    path.write_text(text.replace(old, new))


@pytest.fixture
def built(tiny_root):
    assert "(first run)" in status(tiny_root)
    return tiny_root


@pytest.mark.kernel
def test_an_unchanged_lesson_is_not_executed_again(built):
    assert status(built).startswith("tiny/01-plots: cached (executed on CPU in ")


@pytest.mark.kernel
def test_a_markdown_edit_starts_no_kernel_and_still_updates_the_page(built):
    log = built / "_build" / "logs" / "tiny" / "01-plots.kernel.log"
    log.unlink()
    edit(built / "lessons" / "tiny" / "01-plots.md", "Some prose.", "Some newer prose,\n\nover more lines.")
    assert status(built).startswith("tiny/01-plots: cached")
    assert not log.exists()  # no kernel started
    assert "over more lines." in (built / "site" / "tiny" / "01-plots" / "index.html").read_text()


@pytest.mark.kernel
def test_hiding_a_cell_does_not_execute_it_again(built):
    edit(built / "lessons" / "tiny" / "01-plots.md", "#$HIDE_INPUT$", "#$HIDE_OUTPUT$")
    assert status(built).startswith("tiny/01-plots: cached")


@pytest.mark.kernel
def test_a_code_edit_executes_again_and_says_where(built):
    edit(built / "lessons" / "tiny" / "01-plots.md", "plt.plot(values)", "plt.plot(values, 'o')")
    assert status(built).endswith("(code changed in the cell at line 21)")


@pytest.mark.kernel
def test_a_data_file_change_executes_again(built):
    (built / "lessons" / "tiny" / "data" / "values.txt").write_text("5 4 3\n")
    assert status(built).endswith("(lessons/tiny/data/values.txt changed)")


@pytest.mark.kernel
def test_a_helper_module_change_executes_again_also_through_another_helper(built):
    course = built / "lessons" / "tiny"
    (course / "words.py").write_text("HELLO = 'hello from the helper'\n")
    (course / "helper.py").write_text("import words\n\ndef greeting():\n    return words.HELLO\n")
    assert status(built).endswith("(lessons/tiny/helper.py changed; lessons/tiny/words.py changed)")
    (course / "words.py").write_text("HELLO = 'hi'\n")
    assert status(built).endswith("(lessons/tiny/words.py changed)")


@pytest.mark.kernel
def test_force_and_clean(built):
    assert status(built, "--force").endswith("(forced)")
    assert status(built, "--force", "tiny/01-plots").endswith("(forced)")
    assert status(built, "--force", "01-plots").endswith("(forced)")  # by its slug alone
    unknown = run_build(built, "--force", "other-lesson")  # a name that is no lesson's: said, before anything runs
    assert unknown.returncode == 2 and unknown.stderr.startswith("--force: no lesson named 'other-lesson'")
    assert run_build(built, "clean").returncode == 0
    assert status(built).endswith("(first run)")


@pytest.mark.kernel
def test_entries_hold_no_path_of_this_machine(built):
    entries = list((built / "_build" / "cache").rglob("*.ipynb")) + list((built / "_build" / "cache").rglob("*.json"))
    assert entries
    for entry in entries:
        assert str(built) not in entry.read_text()


def test_cpu_and_gpu_builds_of_tensorflow_count_as_one_environment():
    assert package_identity("tensorflow_cpu", "2.21.0") == package_identity("tensorflow", "2.21.0")
    assert package_identity("nvidia-cudnn-cu12", "9.3") is None
    assert package_identity("numpy", "2.4.6") == "numpy==2.4.6"


@pytest.mark.kernel
def test_a_no_op_build_leaves_the_site_alone_and_a_missing_site_is_rebuilt(built):
    index = built / "site" / "index.html"
    stamp = index.stat().st_mtime_ns
    result = run_build(built)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert len(lines) == 2 and re.fullmatch(r"tiny/01-plots: cached \(executed on CPU in \d+\.\d s\)", lines[0])
    assert lines[1] == "site: site/ is up to date"
    assert index.stat().st_mtime_ns == stamp
    (built / "templates" / "site").mkdir(parents=True)
    (built / "templates" / "site" / "home.md.j2").write_text("# Home, edited\n")
    assert status_lines(built)[-1] == "site: site/ (1 lesson)"  # a template edit rebuilds
    shutil.rmtree(built / "site")
    assert status_lines(built)[-1] == "site: site/ (1 lesson)"
    assert index.exists()


@pytest.mark.kernel
def test_a_settings_change_republishes_without_executing(built):
    (built / "pyproject.toml").write_text(
        '[tool.lessonbuild]\ncolab_url = "https://colab.research.google.com/github/o/r/blob/main/{notebook}"\n'
    )
    lines = status_lines(built)
    assert lines[0].startswith("tiny/01-plots: cached") and lines[-1] == "site: site/ (1 lesson)"
    assert "Open in Colab" in (built / "site" / "tiny" / "01-plots" / "index.html").read_text()


@pytest.mark.kernel
@pytest.mark.parametrize("damage", [
    lambda text: text[: len(text) // 2],  # truncated
    lambda text: "not a notebook at all",
    lambda text: '{"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": []}',  # a notebook, not an entry
], ids=["truncated", "not-json", "not-an-entry"])
def test_a_damaged_entry_is_a_warning_and_runs_again_then_serves(built, damage):
    (entry,) = (built / "_build" / "cache" / "entries").rglob("*.ipynb")
    entry.write_text(damage(entry.read_text()))
    (built / "_build" / "cache" / "last" / "tiny" / "01-plots.json").write_text("{trunc")
    edit(built / "lessons" / "tiny" / "01-plots.md", "Some prose.", "Some edited prose.")  # the page needs the cache
    result = run_build(built)
    assert result.returncode == 0, result.stderr
    (warning,) = [line for line in result.stderr.splitlines() if line.startswith("warning:")]
    assert warning.startswith(f"warning: {entry.relative_to(built).as_posix()}: damaged cache entry (")
    assert warning.endswith("): the lesson runs again")
    assert result.stdout.splitlines()[0].startswith("tiny/01-plots: executed in ") and "(its cache entry was damaged)" in result.stdout
    assert status(built).startswith("tiny/01-plots: cached")  # rewritten


@pytest.mark.kernel
def test_a_site_changed_by_hand_is_rebuilt_by_the_next_build(built):
    page = built / "site" / "tiny" / "01-plots" / "index.html"
    page.unlink()
    assert status_lines(built)[-1] == "site: site/ (1 lesson)" and page.exists()
    text = page.read_text()
    page.write_text(text.replace("Drawing", "Scribbling"))
    assert status_lines(built)[-1] == "site: site/ (1 lesson)" and "Scribbling" not in page.read_text()
    assert status_lines(built)[-1] == "site: site/ is up to date"


@pytest.mark.kernel
def test_an_upgrade_of_a_package_the_lesson_imported_runs_it_again_and_says_which(built):
    import nbformat

    (entry,) = (built / "_build" / "cache" / "entries").rglob("*.ipynb")
    notebook = nbformat.read(entry, as_version=4)
    recorded = notebook.metadata["lessonbuild"]["execution"]["distributions"]
    assert "matplotlib" in recorded and "numpy" in recorded  # what the lesson imported, found after it ran
    installed = recorded["matplotlib"]
    recorded["matplotlib"] = "0.0.1"  # as if it ran with an older matplotlib than the one installed now
    nbformat.write(notebook, entry)
    manifest = built / "_build" / "cache" / "last" / "tiny" / "01-plots.json"  # the entry's record, read instead of it
    record = json.loads(manifest.read_text())
    record["execution"]["distributions"]["matplotlib"], record["bytes"] = "0.0.1", entry.stat().st_size
    manifest.write_text(json.dumps(record))
    edit(built / "lessons" / "tiny" / "01-plots.md", "Some prose.", "Some edited prose.")  # the page needs the cache
    line = status(built)
    assert line.startswith("tiny/01-plots: executed in ") and line.endswith(f"(matplotlib 0.0.1 -> {installed})")


@pytest.mark.kernel
def test_installing_a_package_no_lesson_imports_runs_nothing(built, tmp_path):
    extra = tmp_path / "site-packages"
    info = extra / "unrelated_package-1.0.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: unrelated-package\nVersion: 1.0\n")
    result = run_build(built, env={**os.environ, "PYTHONPATH": str(extra)})
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("tiny/01-plots: cached") and lines[-1] == "site: site/ (1 lesson)"


def test_a_gpu_runners_record_of_tensorflow_matches_the_cpu_build_and_python_counts():
    import platform

    from lessonbuild.state.executions import changed_distributions, installed_version

    version = installed_version("tensorflow")  # the pinned environment has TensorFlow's CPU build
    python = platform.python_version()
    assert changed_distributions({"tensorflow-gpu": version, "nvidia-cudnn-cu12": "9.1"}, python) == ""
    assert changed_distributions({"tensorflow": "0.1"}, "2.7.0") == f"tensorflow 0.1 -> {version}, Python 2.7.0 -> {python}"
    assert changed_distributions({"gone-package": "1.0"}, python) == "gone-package 1.0 -> not installed"


def _stored_run(tiny_project, python: str | None = None):
    """The tiny lesson, rendered, and a run of it kept in the cache as a kernel's run would be (no kernel started)."""
    rendered = prepare(tiny_project)[0][1][0]
    cache = ExecutionCache(tiny_project)
    notebook = copy.deepcopy(rendered.notebook)
    notebook.metadata.lessonbuild["execution"] = {"device": "CPU", "seconds": 1.5, "distributions": {},
                                                  "python": python or platform.python_version()}
    cache.store(ExecutedLesson(rendered, notebook, 1.5, "CPU"), cache.inputs(rendered))
    return rendered, ExecutionCache(tiny_project)  # a new build's cache: nothing of the first one's memory


def test_a_lookup_is_a_hit_with_the_run_or_a_miss_that_says_why(tiny_project):
    fresh = ExecutionCache(tiny_project)
    rendered = prepare(tiny_project)[0][1][0]
    assert fresh.lookup(rendered, fresh.inputs(rendered)) == Miss(MissReason.NO_ENTRY)
    rendered, cache = _stored_run(tiny_project)
    found = cache.lookup(rendered, cache.inputs(rendered))
    assert isinstance(found, Hit) and found.executed.device == "CPU" and found.executed.outputs  # the run it kept


def test_a_damaged_entry_is_a_miss_that_names_it_and_is_removed(tiny_project):
    rendered, cache = _stored_run(tiny_project)
    [entry] = cache.folder.rglob("*.ipynb")
    entry.write_text("{ not a notebook")
    found = cache.lookup(rendered, cache.inputs(rendered))
    assert isinstance(found, Miss) and found.reason is MissReason.DAMAGED
    assert entry.name in found.detail and "damaged cache entry" in found.detail and not entry.exists()
    assert cache.why_executed(rendered, cache.inputs(rendered), found) == "its cache entry was damaged"


def test_a_run_on_another_python_is_outdated_and_says_what_changed(tiny_project):
    rendered, cache = _stored_run(tiny_project, python="3.0.1")
    found = cache.lookup(rendered, cache.inputs(rendered))
    assert isinstance(found, Miss) and found.reason is MissReason.OUTDATED and "Python 3.0.1 ->" in found.detail

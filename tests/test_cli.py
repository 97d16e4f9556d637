"""End to end through the real command line, on a tiny course without TensorFlow."""
import os
import signal
import subprocess
import sys

import nbformat
import pytest

from tests.conftest import REPOSITORY, author_environment, make_project, problems, run_build


def snapshot(folder):
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.mark.kernel
def test_build_makes_the_site_with_one_line_per_lesson(tiny_root):
    result = run_build(tiny_root)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].startswith("tiny/01-plots: executed in ") and lines[0].endswith(" on CPU (first run)")
    assert lines[-1] == "site: site/ (1 lesson)"
    html = (tiny_root / "site" / "tiny" / "01-plots" / "index.html").read_text()
    assert "hello from the helper" in html and "Show code" in html
    notebook = nbformat.read(tiny_root / "site" / "tiny" / "01-plots.ipynb", as_version=4)
    assert notebook.cells[2].outputs[0].text == "hello from the helper\n"
    assert problems(result.stderr) == []


def rebuild_after_edit(root, old: str, new: str):
    """Build, edit the lesson, build again: the second result and the site as the first build left it."""
    assert run_build(root).returncode == 0
    before = snapshot(root / "site")
    lesson = root / "lessons" / "tiny" / "01-plots.md"
    lesson.write_text(lesson.read_text().replace(old, new))
    return run_build(root), before


@pytest.mark.kernel
def test_broken_front_matter_is_one_line_exit_2_and_the_site_stays(tiny_root):
    result, before = rebuild_after_edit(tiny_root, "title: Plots", "title: [Plots")
    assert result.returncode == 2
    assert result.stderr.splitlines() == [result.stderr.strip()]
    assert result.stderr.startswith("lessons/tiny/01-plots.md:3: invalid YAML: expected ',' or ']'")
    assert "(while parsing a flow sequence at line 2)" in result.stderr
    assert "Traceback" not in result.stderr and result.stdout == ""
    assert snapshot(tiny_root / "site") == before


@pytest.mark.kernel
def test_a_failing_cell_exits_1_names_the_line_and_keeps_the_site(tiny_root):
    result, before = rebuild_after_edit(tiny_root, "print(helper.greeting())", "print(helper.farewell())")
    assert result.returncode == 1
    first = result.stderr.splitlines()[0]
    assert first == "lessons/tiny/01-plots.md:12: AttributeError: module 'helper' has no attribute 'farewell'"
    assert "tiny/01-plots: failed (code changed in the cell at line 11)" in result.stdout
    assert snapshot(tiny_root / "site") == before


def test_check_reports_every_problem_without_executing(tiny_root):
    lesson = tiny_root / "lessons" / "tiny" / "01-plots.md"
    lesson.write_text(lesson.read_text().replace("Done.", "```{code-cell} ipython3\n#$NOT_A_MAGIC$\n```\nDone."))
    (tiny_root / "lessons" / "tiny" / "02-more.md").write_text("---\ntitle: More\n---\n{{ lesson.undefined_thing }}\n")
    course = tiny_root / "lessons" / "tiny" / "course.yml"
    course.write_text(course.read_text() + "  - 02-more\n")
    result = run_build(tiny_root, "check")
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        "lessons/tiny/01-plots.md:28: unknown macro '#$NOT_A_MAGIC$' (known: #$NEXT_NOTEBOOK_URL$, #$TUTORIAL_URL$, "
        "#$EXERCISE_URL$, #$EXERCISE_FORKING_URL$, #$YOURTURN$, #$KEEP_GOING$, #$SUBMIT_TO_COMP$, #$HIDE_INPUT$, "
        "#$HIDE_OUTPUT$, #$HIDE$)",
        "lessons/tiny/02-more.md:4: undefined name in template: 'lessonbuild.model.Lesson object' has no attribute 'undefined_thing'",
    ]
    assert not (tiny_root / "_build" / "logs").exists()


@pytest.mark.kernel
def test_check_passes_on_a_good_project_and_clean_removes_the_build_folder(tiny_root):
    result = run_build(tiny_root, "check")
    assert (result.returncode, result.stdout) == (0, "1 lesson in 1 course: no problems\n")
    assert run_build(tiny_root).returncode == 0
    assert run_build(tiny_root, "clean").returncode == 0
    assert not (tiny_root / "_build").exists() and (tiny_root / "site").exists()


def test_bad_usage_exits_2(tiny_root):
    result = run_build(tiny_root, "--no-such-option")
    assert result.returncode == 2 and "usage:" in result.stderr


@pytest.mark.kernel
def test_ctrl_c_stops_cleanly_and_loses_nothing(tiny_root):
    import time

    assert run_build(tiny_root).returncode == 0
    before_site = snapshot(tiny_root / "site")
    before_cache = snapshot(tiny_root / "_build" / "cache")
    lesson = tiny_root / "lessons" / "tiny" / "01-plots.md"
    marker = tiny_root / "_build" / "scratch" / "tiny" / "01-plots" / "started"  # the one folder the lesson may write
    lesson.write_text(lesson.read_text().replace(
        "import helper\n", "import helper, time\nopen('started', 'w').close()\ntime.sleep(60)\n"))
    command = [sys.executable, str(REPOSITORY / "build.py"), "--project", str(tiny_root)]
    build = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=author_environment())
    for _ in range(600):
        if marker.exists() or build.poll() is not None:
            break
        time.sleep(0.1)
    assert marker.exists(), build.communicate()
    build.send_signal(signal.SIGINT)
    out, err = build.communicate(timeout=60)
    assert build.returncode == 130, (out, err)
    assert problems(err) == ["interrupted; site/, figures/ and the cache are as they were"]
    assert snapshot(tiny_root / "site") == before_site
    assert snapshot(tiny_root / "_build" / "cache") == before_cache


def test_a_build_whose_output_is_closed_stops_as_a_piped_command_does_and_leaves_the_site_whole(tmp_path):
    root = make_project(tmp_path / "p", {"01-prose": "---\ntitle: Prose\n---\n\n# Prose\n\nSome prose.\n"})
    assert run_build(root, "--no-execute").returncode == 0
    before = snapshot(root / "site")
    lesson = root / "lessons" / "tiny" / "01-prose.md"
    lesson.write_text(lesson.read_text().replace("Some prose.", "Other prose."))
    read, write = os.pipe()
    os.close(read)  # as `lessonbuild | head -0` leaves it
    try:
        build = subprocess.run([sys.executable, str(REPOSITORY / "build.py"), "--project", str(root), "--no-execute"],
                               stdout=write, stderr=subprocess.PIPE, text=True, env=author_environment(), timeout=600)
    finally:
        os.close(write)
    assert build.returncode == 128 + signal.SIGPIPE and problems(build.stderr) == []
    assert snapshot(root / "site") == before  # it stopped at its first line of output, before the site


def test_global_options_work_before_and_after_the_command(tiny_root, tmp_path):
    for args in (["--project", str(tiny_root), "check"], ["check", "--project", str(tiny_root)],
                 [f"--project={tiny_root}", "--debug", "check"]):
        result = subprocess.run([sys.executable, "-m", "lessonbuild", *args], capture_output=True, text=True, cwd=tmp_path)
        assert (result.returncode, result.stdout) == (0, "1 lesson in 1 course: no problems\n"), (args, result.stderr)


def test_with_no_command_it_builds_and_a_lesson_may_share_a_commands_name(tiny_root):
    from lessonbuild.cli import with_default_command

    assert with_default_command([]) == ["build"]
    assert with_default_command(["--project", "x", "-j", "2"]) == ["--project", "x", "build", "-j", "2"]
    assert with_default_command(["--force", "check"]) == ["build", "--force", "check"]
    assert with_default_command(["--debug", "figures", "--check"]) == ["--debug", "figures", "--check"]
    assert with_default_command(["--help"]) == ["--help"]


def test_help_lists_every_command():
    result = subprocess.run([sys.executable, "-m", "lessonbuild", "--help"], capture_output=True, text=True)
    assert result.returncode == 0
    commands = result.stdout.split("  COMMAND\n", 1)[1].split("\noptions:")[0]
    listed = [line.split()[0] for line in commands.splitlines() if line.startswith("    ") and line[4] != " "]
    assert listed == ["build", "check", "figures", "serve", "new", "import", "kaggle", "init", "clean"]


def test_gateway_without_its_extra_is_one_line_naming_it(monkeypatch):
    from lessonbuild.errors import MissingExtra
    from lessonbuild.pipeline.execute.kernel import require_gateway_client

    monkeypatch.setitem(sys.modules, "jupyter_server.gateway.managers", None)  # as if not installed
    with pytest.raises(MissingExtra) as caught:
        require_gateway_client()
    assert str(caught.value) == "--gateway needs jupyter_server, which is not installed: pip install 'lessonbuild[gateway]'"
    assert caught.value.exit_code == 2


def test_warnings_are_printed_and_strict_makes_them_errors(tiny_root):
    lesson = tiny_root / "lessons" / "tiny" / "01-plots.md"
    lesson.write_text(lesson.read_text().replace("Some prose.", "Some prose, and [a page elsewhere](../other/intro.md)."))
    warning = "lessons/tiny/01-plots.md:8: warning: link to '../other/intro.md', which is no lesson: shown as text"
    checked = run_build(tiny_root, "check")
    assert (checked.returncode, checked.stderr, checked.stdout) == (0, warning + "\n", "1 lesson in 1 course: no problems (1 warning)\n")
    strict = run_build(tiny_root, "check", "--strict")
    assert (strict.returncode, strict.stderr) == (2, warning + "\n")


@pytest.mark.kernel
def test_an_image_the_prose_shows_is_served_beside_the_page(tiny_root):
    (tiny_root / "lessons" / "images").mkdir()
    (tiny_root / "lessons" / "images" / "cool.svg").write_text('<svg xmlns="http://www.w3.org/2000/svg" width="4" height="4"/>')
    lesson = tiny_root / "lessons" / "tiny" / "01-plots.md"
    lesson.write_text(lesson.read_text().replace("Some prose.", "Some prose.\n\n![Cool](../images/cool.svg)"))
    result = run_build(tiny_root)
    assert result.returncode == 0, result.stderr
    assert (tiny_root / "site" / "images" / "cool.svg").read_text().startswith("<svg")
    assert 'src="../../images/cool.svg"' in (tiny_root / "site" / "tiny" / "01-plots" / "index.html").read_text()


def usage_error(result) -> str:
    """argparse's own report of a bad option value: usage lines, then the one line that says what is wrong."""
    assert result.returncode == 2 and "Traceback" not in result.stderr, result.stderr
    return result.stderr.splitlines()[-1]


@pytest.mark.parametrize(("args", "line"), [
    (["-j", "0"], "argument --jobs/-j: expected a whole number of at least 1, not '0'"),
    (["-j", "many"], "argument --jobs/-j: expected a whole number of at least 1, not 'many'"),
    (["--gateway", "gateway.example:8888"],
     "argument --gateway: expected an http:// or https:// URL, such as http://127.0.0.1:8888, not 'gateway.example:8888'"),
    (["--gateway", "http://127.0.0.1:99999"],
     "argument --gateway: expected an http:// or https:// URL, such as http://127.0.0.1:8888, not 'http://127.0.0.1:99999'"),
])
def test_an_option_value_of_the_wrong_shape_is_refused_before_anything_is_read(tiny_root, args, line):
    assert usage_error(run_build(tiny_root, *args)) == f"build.py build: error: {line}"


def test_a_junit_file_that_cannot_be_written_is_refused_before_the_lessons_run(tiny_root, tmp_path):
    (tmp_path / "reports").mkdir()
    (tmp_path / "a-file").write_text("")
    assert usage_error(run_build(tiny_root, "--junit", str(tmp_path / "reports"))) == (
        f"build.py build: error: argument --junit: {tmp_path / 'reports'} is a folder; "
        f"name the file to write in it, such as {tmp_path / 'reports' / 'lessons.xml'}")
    assert usage_error(run_build(tiny_root, "figures", "--junit", str(tmp_path / "a-file" / "x.xml"))) == (
        f"build.py figures: error: argument --junit: {tmp_path / 'a-file'} is a file, not a folder: "
        f"{tmp_path / 'a-file' / 'x.xml'} cannot be written")


def free_port() -> int:
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def test_a_gateway_where_nothing_answers_is_one_line_before_any_lesson_is_read(tiny_root):
    url = f"http://127.0.0.1:{free_port()}"
    result = run_build(tiny_root, "--gateway", url, "--force")
    assert (result.returncode, result.stderr, result.stdout) == (
        2, f"--gateway {url}: no gateway answers there (Connection refused)\n", "")


def test_a_gateway_url_where_another_kind_of_server_answers_is_one_line(tiny_root, tmp_path):
    from tests.conftest import served

    with served(tmp_path) as url:  # a plain file server: /api/kernelspecs is not there
        result = run_build(tiny_root, "--gateway", url, "--force")
    assert (result.returncode, result.stderr) == (
        2, f"--gateway {url}: a server answers, but not as a Jupyter gateway ({url}/api/kernelspecs: HTTP 404)\n")


def test_a_gateway_that_answers_lets_the_build_go_on(tmp_path):
    from tests.conftest import make_project, served

    root = make_project(tmp_path / "project", {"01-prose": "---\ntitle: Prose\n---\n\nOnly prose.\n"})
    (tmp_path / "gateway" / "api").mkdir(parents=True)
    (tmp_path / "gateway" / "api" / "kernelspecs").write_text('{"default": "python3", "kernelspecs": {}}')
    with served(tmp_path / "gateway") as url:
        result = run_build(root, "--gateway", url, "--no-execute")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["tiny/01-prose: not executed (--no-execute)", "site: site/ (1 lesson)"]


def test_a_file_where_the_build_folder_goes_is_one_line_not_an_internal_error(tiny_root):
    (tiny_root / "_build").write_text("not a folder\n")
    result = run_build(tiny_root, "check")
    assert (result.returncode, result.stderr) == (
        2, "_build: a file stands where the build needs a folder (to write _build/read)\n")


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes into a read-only folder all the same")
def test_a_read_only_build_folder_is_one_line_not_an_internal_error(tiny_root):
    (tiny_root / "_build").mkdir()
    (tiny_root / "_build").chmod(0o555)
    try:
        result = run_build(tiny_root, "check")
    finally:
        (tiny_root / "_build").chmod(0o755)
    assert result.returncode == 2 and result.stderr.startswith("_build/: Permission denied (could not write "), result.stderr
    assert len(result.stderr.splitlines()) == 1


# What the stages bring, none of which a build with nothing to do needs (python -X importtime shows their cost).
STAGE_LIBRARIES = ("nbformat", "nbclient", "nbconvert", "jupyter_client", "jsonschema", "jinja2", "markdown_it",
                   "PIL", "ruamel", "yaml", "latex2mathml", "lessonbuild.pipeline.prepare",
                   "lessonbuild.pipeline.execute.scheduler")
NO_OP_IMPORTS = """
import sys
from lessonbuild.cli import main
code = main(["--project", sys.argv[1], "--no-execute" if sys.argv[2] == "skip" else "build"])
print(code, " ".join(sorted(m for m in sys.modules if m.split(".")[0] in sys.argv[3].split() or m in sys.argv[3].split())))
"""


def test_a_no_op_build_imports_none_of_the_stages_and_a_real_build_does(tiny_root):
    assert run_build(tiny_root, "build").returncode == 0  # it writes figures/, which the stamp covers: built again
    for path in tiny_root.rglob("*"):  # written seconds ago, a file is too new for its time to be trusted (uptodate)
        os.utime(path, (path.stat().st_atime - 60, path.stat().st_mtime - 60))
    assert run_build(tiny_root, "build").returncode == 0

    def imported(mode: str) -> list[str]:
        result = subprocess.run([sys.executable, "-c", NO_OP_IMPORTS, str(tiny_root), mode, " ".join(STAGE_LIBRARIES)],
                                capture_output=True, text=True, env=author_environment(), timeout=600)
        code, *modules = result.stdout.splitlines()[-1].split(" ")
        assert code == "0", result.stderr
        return [module for module in modules if module]

    assert imported("build") == []
    assert "nbformat" in imported("skip")  # --no-execute reads the lessons: the stages are there when needed

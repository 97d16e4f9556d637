"""A project's settings: one declaration each, every mistake at its own line, mkdocs.yml optional."""
import pytest

from lessonbuild.errors import NotAProject, SourceError
from lessonbuild.project import (
    DEFAULT_MKDOCS,
    SETTINGS,
    Settings,
    load_project,
    site_name,
)
from tests.conftest import run_build

PYPROJECT = """\
[project]
name = "course"

[tool.lessonbuild]
site_name = "Our Lessons"
timeout = {timeout}
figure_tolerance = 0.5

[tool.other]
timeout = "not ours"
"""


def test_each_setting_has_its_default_and_help():
    defaults = Settings()
    for setting in SETTINGS:
        assert getattr(defaults, setting.name) == setting.default and setting.help


def test_settings_are_read_from_pyproject(tiny_root):
    (tiny_root / "pyproject.toml").write_text(PYPROJECT.format(timeout=30))
    settings = load_project(tiny_root).settings
    assert (settings.site_name, settings.timeout, settings.figure_tolerance, settings.kernel) == ("Our Lessons", 30, 0.5, "python3")


@pytest.mark.parametrize("replacement, expected", [
    ("timeout = 0", "pyproject.toml:6: tool.lessonbuild.timeout: 0 is less than the minimum of 1"),
    ('timeout = "ten"', "pyproject.toml:6: tool.lessonbuild.timeout: 'ten' is not of type 'integer'"),
    ("timout = 10", "pyproject.toml:6: tool.lessonbuild: unknown setting 'timout' (known: site_name, timeout, "
                    "kernel, kernel_env, colab_url, figure_tolerance, jinja_in_code, kernels_per_gpu, sandbox, "
                    "kernel_network, kernel_paths, executor, cache_url, publish_cache, site_engine)"),
    ("timeout = \"ten", "pyproject.toml:6: invalid TOML"),
])
def test_a_bad_setting_is_reported_at_its_own_line(tiny_root, replacement, expected):
    (tiny_root / "pyproject.toml").write_text(PYPROJECT.format(timeout=30).replace("timeout = 30", replacement))
    with pytest.raises(SourceError) as caught:
        load_project(tiny_root)
    assert str(caught.value).startswith(expected)


def test_without_mkdocs_yml_the_packaged_site_settings_and_the_settings_name(tiny_root):
    (tiny_root / "mkdocs.yml").unlink()
    (tiny_root / "pyproject.toml").write_text(PYPROJECT.format(timeout=30))
    project = load_project(tiny_root)
    assert project.mkdocs_config == DEFAULT_MKDOCS
    assert site_name(project) == "Our Lessons"


def test_a_folder_without_lessons_is_no_project(tmp_path):
    with pytest.raises(NotAProject) as caught:
        load_project(tmp_path)
    assert "lessonbuild init" in str(caught.value) and caught.value.exit_code == 2


@pytest.mark.parametrize("text, expected", [
    ("site_name: [Lessons\n", "mkdocs.yml:2: invalid YAML"),
    ("site_name: Lessons\ndocs_dir: elsewhere\n",
     "mkdocs.yml:2: 'docs_dir' is set by the build (pages come from lessons/); remove it here"),
    ("- a list\n", "mkdocs.yml:1: expected a YAML mapping of MkDocs settings"),
])
def test_a_bad_mkdocs_yml_is_one_line_from_check_and_build_before_any_kernel(tiny_root, text, expected):
    (tiny_root / "mkdocs.yml").write_text(text)
    for command in (["check"], ["build"]):
        result = run_build(tiny_root, *command)
        assert result.returncode == 2 and result.stderr.startswith(expected), (command, result.stderr)
        assert len(result.stderr.splitlines()) == 1 and result.stdout == ""
    assert not (tiny_root / "_build" / "logs").exists()


def test_a_bad_setting_stops_check_and_build_alike(tiny_root):
    (tiny_root / "pyproject.toml").write_text("[tool.lessonbuild]\nkernel_env = 'HOME'\n")
    for command in ("check", "build"):
        result = run_build(tiny_root, command)
        assert (result.returncode, result.stderr) == (2, "pyproject.toml:2: tool.lessonbuild.kernel_env: 'HOME' is not of type 'array'\n")


@pytest.mark.parametrize("value, expected", [("true", True), ("1", True), ("false", False), ("0", False), ("", False), (None, False)])
def test_ci_is_what_the_ci_variable_says(monkeypatch, value, expected):
    from lessonbuild.project import in_ci

    if value is None:
        monkeypatch.delenv("CI", raising=False)
    else:
        monkeypatch.setenv("CI", value)
    assert in_ci() is expected

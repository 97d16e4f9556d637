"""`lessonbuild init`: a project that builds at once, and a refusal that changes nothing."""
import subprocess
import sys

import pytest

from lessonbuild.project import SETTINGS, load_settings
from tests.conftest import author_environment

LESSONBUILD = [sys.executable, "-m", "lessonbuild"]


def lessonbuild(*args, cwd):
    return subprocess.run([*LESSONBUILD, *args], capture_output=True, text=True, cwd=cwd, timeout=600, env=author_environment())


def snapshot(folder):
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture
def initialized(tmp_path):
    result = lessonbuild("init", "my-course", cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    return tmp_path / "my-course"


def test_init_writes_a_whole_project(initialized):
    assert sorted(snapshot(initialized)) == [
        ".github/workflows/lessons.yml", ".gitignore", "lessons/getting-started/01-sampling-a-wave.md",
        "lessons/getting-started/course.yml", "mkdocs.yml", "pyproject.toml", "requirements.txt",
    ]
    assert (initialized / "mkdocs.yml").read_text().startswith('site_name: "My Course"\ntheme:\n  name: material\n')
    assert (initialized / ".gitignore").read_text().splitlines()[1:3] == ["/_build/", "/site/"]


def test_the_settings_file_has_every_setting_at_its_default(initialized):
    text = (initialized / "pyproject.toml").read_text()
    for setting in SETTINGS:
        assert setting.help in text
    settings = load_settings(initialized / "pyproject.toml")
    assert settings.site_name == "My Course" and settings.timeout == 600
    # Uncommenting every line gives the defaults back: the commented values are TOML of the right type.
    uncommented = "\n".join(line[2:] if line.startswith("# ") and " = " in line else line for line in text.splitlines())
    (initialized / "pyproject.toml").write_text(uncommented)
    assert load_settings(initialized / "pyproject.toml") == settings


def test_check_passes_on_the_new_project(initialized):
    result = lessonbuild("check", cwd=initialized)
    assert (result.returncode, result.stdout, result.stderr) == (0, "1 lesson in 1 course: no problems\n", "")


@pytest.mark.kernel
def test_the_new_project_builds_with_its_figure(initialized):
    result = lessonbuild(cwd=initialized)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[1:] == ["figure: figures/getting-started/wave.png updated", "site: site/ (1 lesson)"]
    page = (initialized / "site" / "getting-started" / "01-sampling-a-wave" / "index.html").read_text()
    assert "Show code" in page and 'alt="Forty samples on one period of a sine wave"' in page
    assert (initialized / "figures" / "getting-started" / "wave.png").read_bytes().startswith(b"\x89PNG")
    assert "My Course" in (initialized / "site" / "index.html").read_text()


@pytest.mark.parametrize("existing", ["mkdocs.yml", "lessons/notes.md", ".github/workflows/lessons.yml"])
def test_init_into_an_existing_project_refuses_and_changes_nothing(tmp_path, existing):
    (tmp_path / existing).parent.mkdir(parents=True, exist_ok=True)
    (tmp_path / existing).write_text("mine\n")
    before = snapshot(tmp_path)
    result = lessonbuild("init", cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr.startswith(f"{tmp_path}: a project is there already (")
    assert existing.split("/")[0] in result.stderr and result.stdout == ""
    assert snapshot(tmp_path) == before


def test_outside_a_project_it_says_so_and_names_init(tmp_path):
    result = lessonbuild(cwd=tmp_path)
    assert result.returncode == 2
    assert result.stderr == (f"{tmp_path}: not a lesson project (it has no lessons/ folder); "
                             "start one with `lessonbuild init DIR`, or name one with --project DIR\n")


@pytest.mark.parametrize("directory", ["notes.txt", "notes.txt/course"])
def test_init_where_the_folder_or_one_above_it_is_a_file_is_one_line(tmp_path, directory):
    (tmp_path / "notes.txt").write_text("mine\n")
    result = lessonbuild("init", directory, cwd=tmp_path)
    assert (result.returncode, result.stderr, result.stdout) == (
        2, f"{tmp_path / 'notes.txt'}: a file, not a folder; init cannot make a project in {tmp_path / directory}\n", "")
    assert snapshot(tmp_path) == {"notes.txt": b"mine\n"}


def test_init_where_the_system_makes_no_folder_is_one_line(tmp_path):
    result = lessonbuild("init", "/proc/no-such-process/course", cwd=tmp_path)  # procfs makes no folder
    assert (result.returncode, result.stdout) == (2, "")
    assert result.stderr == "/proc/no-such-process/course: init cannot write a project there (No such file or directory)\n"

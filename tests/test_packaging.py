"""lessonbuild as another course team gets it: a wheel built from this checkout, installed into a new
virtual environment, run from a folder outside the repository."""
import os
import subprocess
import sys
import sysconfig
import venv
import zipfile
from pathlib import Path

import pytest

from tests.conftest import REPOSITORY

pytestmark = [pytest.mark.packaging]


def run(*command, cwd, env=None):
    result = subprocess.run([str(c) for c in command], capture_output=True, text=True, cwd=cwd, env=env, timeout=600)
    assert result.returncode == 0, (command, result.stdout, result.stderr)
    return result


def untracked(folder: Path) -> str:
    return run("git", "status", "--porcelain", "--untracked-files=all", "--ignored", cwd=folder).stdout


@pytest.fixture(scope="module")
def wheel(tmp_path_factory):
    """The wheel, built as pip builds it for `pip install <checkout>`; the checkout gains no file."""
    out = tmp_path_factory.mktemp("dist")
    before = untracked(REPOSITORY)
    run(sys.executable, "-m", "pip", "wheel", "--no-deps", "--no-build-isolation", "--wheel-dir", out, REPOSITORY, cwd=out)
    assert untracked(REPOSITORY) == before
    (path,) = out.glob("lessonbuild-*.whl")
    return path


@pytest.fixture(scope="module")
def installed(wheel, tmp_path_factory):
    """A new venv holding only the wheel; the tool's dependencies are borrowed from this one's site-packages,
    so no download is needed, while lessonbuild itself can only come from the wheel."""
    environment = tmp_path_factory.mktemp("venv")
    venv.create(environment, with_pip=False)
    python = environment / "bin" / "python"
    own_site = run(python, "-c", "import sysconfig; print(sysconfig.get_path('purelib'))", cwd=environment).stdout.strip()
    Path(own_site, "borrowed.pth").write_text(sysconfig.get_path("purelib") + "\n")
    run(sys.executable, "-m", "pip", "--python", python, "install", "--quiet", "--no-deps", wheel, cwd=environment)
    return environment / "bin"


def test_the_wheel_holds_the_templates_and_the_project_skeleton(wheel):
    names = set(zipfile.ZipFile(wheel).namelist())
    for name in ("lessonbuild/templates/nbconvert/lesson-page/index.md.j2", "lessonbuild/templates/site/home.md.j2",
                 "lessonbuild/defaults/mkdocs.yml", "lessonbuild/defaults/project/dot-gitignore",
                 "lessonbuild/defaults/project/lessons/getting-started/01-sampling-a-wave.md"):
        assert name in names
    metadata = zipfile.ZipFile(wheel).read(next(n for n in names if n.endswith("METADATA"))).decode()
    requires = [line for line in metadata.splitlines() if line.startswith("Requires-Dist:")]
    assert not any("tensorflow" in line for line in requires)  # the course's need, not the tool's
    assert any(line.startswith("Requires-Dist: jupyter-server") and "extra == 'gateway'" in line for line in requires)


@pytest.mark.kernel
def test_a_new_team_inits_builds_and_overrides_a_template(installed, tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "VIRTUAL_ENV", "CI")}  # an author's machine
    env["JUPYTER_PATH"] = str(Path(sys.prefix, "share", "jupyter"))  # the borrowed packages' data files: nbconvert's templates
    found = run(installed / "python", "-c", "import lessonbuild; print(lessonbuild.__file__)", cwd=tmp_path, env=env)
    assert found.stdout.startswith(str(installed.parent))  # the wheel's copy, not this checkout
    assert "init" in run(installed / "lessonbuild", "--help", cwd=tmp_path, env=env).stdout
    run(installed / "lessonbuild", "init", "mycourse", cwd=tmp_path, env=env)
    project = tmp_path / "mycourse"
    built = run(installed / "lessonbuild", cwd=project, env=env)
    assert built.stdout.splitlines()[-1] == "site: site/ (1 lesson)"
    lesson_page = project / "site" / "getting-started" / "01-sampling-a-wave" / "index.html"
    before = lesson_page.read_text()
    (project / "templates" / "site").mkdir(parents=True)
    (project / "templates" / "site" / "course.md.j2").write_text("# {{ course.title }}\n\nOur own course page.\n")
    run(installed / "lessonbuild", cwd=project, env=env)
    assert "Our own course page." in (project / "site" / "getting-started" / "index.html").read_text()
    assert lesson_page.read_text() == before

"""The template layers: the project's templates/ over the packaged defaults, file by file."""
import jinja2
import pytest

from lessonbuild.errors import SourceErrors
from lessonbuild.pipeline.prepare import prepare
from lessonbuild.pipeline.render.templates import DEFAULTS, Templates
from tests.conftest import run_build


def override(root, name: str, text: str):
    path = root / "templates" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def test_every_template_a_build_uses_is_packaged():
    names = {p.relative_to(DEFAULTS).as_posix() for p in DEFAULTS.rglob("*") if p.is_file()}
    assert {"lesson/header.md.j2", "lesson/footer.md.j2", "macros.j2", "new/lesson.md.j2", "site/home.md.j2",
            "site/course.md.j2", "site/assets/lessonbuild.css", "nbconvert/lesson-page/index.md.j2",
            "nbconvert/lesson-page/conf.json"} <= names


def test_a_project_file_wins_and_the_others_still_come_from_the_package(tiny_project):
    override(tiny_project.root, "site/home.md.j2", "# Our own home\n")
    environment = Templates(tiny_project).environment()
    assert environment.get_template("site/home.md.j2").render() == "# Our own home"
    assert environment.get_template("site/course.md.j2").filename == str(DEFAULTS / "site" / "course.md.j2")
    # The default stays reachable under its own name, for an override that extends it.
    assert environment.get_template("default/site/home.md.j2").filename == str(DEFAULTS / "site" / "home.md.j2")


def test_assets_are_the_packaged_ones_with_the_projects_over_them(tiny_project, tmp_path):
    override(tiny_project.root, "site/assets/extra.css", "body { color: red; }\n")
    Templates(tiny_project).copy_assets(tmp_path / "assets")
    assert sorted(p.name for p in (tmp_path / "assets").iterdir()) == ["extra.css", "lessonbuild.css"]


@pytest.mark.kernel
def test_one_overridden_template_changes_the_pages_and_nothing_else(tiny_root):
    assert run_build(tiny_root).returncode == 0
    untouched = (tiny_root / "site" / "tiny" / "01-plots" / "index.html").read_text()
    override(tiny_root, "site/course.md.j2",
             "# {{ course.title }}, our way\n\n{% for u in course.units %}- [{{ u.first.title }}]({{ u.first.slug }}.md)\n{% endfor %}")
    override(tiny_root, "site/home.md.j2", '{% extends "default/site/home.md.j2" %}{% block intro %}\nWelcome aboard.\n{% endblock %}')
    result = run_build(tiny_root)
    assert result.returncode == 0, result.stderr
    assert "our way" in (tiny_root / "site" / "tiny" / "index.html").read_text()
    home = (tiny_root / "site" / "index.html").read_text()
    assert "Welcome aboard." in home and "Tiny Course" in home  # the default's course list, under the new intro
    page = (tiny_root / "site" / "tiny" / "01-plots" / "index.html").read_text()
    assert "hello from the helper" in page and "Notebook only" in page and page.count("<details") == untouched.count("<details")


@pytest.mark.parametrize("name, text, expected", [
    ("nbconvert/lesson-page/index.md.j2", "{%- extends 'markdown/index.md.j2' -%}\n{% block body %}{% if %}{% endblock %}\n",
     "templates/nbconvert/lesson-page/index.md.j2:2: Jinja syntax error"),
    ("site/course.md.j2", "# {{ course.title }}\n{{ course.nope }}\n", "templates/site/course.md.j2:2: template error: UndefinedError"),
    ("site/home.md.j2", "# Home\n\n{% for c in courses %}\n", "templates/site/home.md.j2:3: Jinja syntax error"),
    ("lesson/header.md.j2", "# {{ lesson.title }\n", "templates/lesson/header.md.j2:1: Jinja syntax error"),
    ("macros.j2", "{% macro note(text) %}{{ text }}{% endmacro %}\n{{ 1 / 0 }}\n",
     "templates/macros.j2:2: template error: ZeroDivisionError"),
    ("nbconvert/lesson-page/index.md.j2", "{%- extends 'markdown/index.md.j2' -%}\n"
     "{% block body %}{{ cycler.__init__.__globals__.os.getcwd() }}{{ super() }}{% endblock %}\n",
     "templates/nbconvert/lesson-page/index.md.j2:2: refused by the template sandbox: access to attribute '__init__'"),
    ("site/home.md.j2", "{{ lipsum.__globals__['os'].getcwd() }}\n", "templates/site/home.md.j2:1: refused by the template sandbox"),
])
def test_check_finds_each_template_problem_a_build_would_hit(tiny_project, name, text, expected):
    override(tiny_project.root, name, text)
    with pytest.raises(SourceErrors) as caught:
        prepare(tiny_project)
    assert str(caught.value.errors[0]).startswith(expected), caught.value.errors


def test_a_broken_page_template_stops_the_build_before_any_kernel(tiny_root):
    override(tiny_root, "nbconvert/lesson-page/index.md.j2",
             "{%- extends 'markdown/index.md.j2' -%}\n{% block input %}{{ cell.source | no_such_filter }}{% endblock %}\n")
    result = run_build(tiny_root)
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        "templates/nbconvert/lesson-page/index.md.j2:2: Jinja syntax error: No filter named 'no_such_filter'."
    ]
    assert result.stdout == "" and not (tiny_root / "_build" / "logs").exists()


def test_the_template_lookup_takes_names_relative_to_the_layers(tiny_project):
    with pytest.raises(jinja2.TemplateNotFound):
        Templates(tiny_project).environment().get_template("no/such.j2")


def test_an_asset_that_links_outside_its_folder_is_an_error_not_a_copy(tiny_project, tmp_path):
    from lessonbuild.errors import SourceError

    secret = tmp_path / "secret.txt"
    secret.write_text("hunter2")
    override(tiny_project.root, "site/assets/extra.css", "body {}\n")
    (tiny_project.root / "templates" / "site" / "assets" / "leak.css").symlink_to(secret)
    with pytest.raises(SourceError, match=r"^templates/site/assets/leak.css: a link to a file outside the assets folder"):
        Templates(tiny_project).copy_assets(tmp_path / "site")
    assert not (tmp_path / "site" / "leak.css").exists()
    (tiny_project.root / "templates" / "site" / "assets" / "leak.css").unlink()
    Templates(tiny_project).copy_assets(tmp_path / "site")
    assert (tmp_path / "site" / "extra.css").read_text() == "body {}\n" and (tmp_path / "site" / "lessonbuild.css").exists()

"""The template sandbox: lesson text and templates that try to reach Python, the files around them, or
unbounded work, each refused at its line; what authors write still renders."""
import os
import subprocess
import sys

import pytest

from lessonbuild.errors import SourceErrors
from lessonbuild.pipeline.read import read_courses
from lessonbuild.pipeline.render.notebooks import render_course
from lessonbuild.pipeline.render.sandbox import MAX_TEXT, LessonSandbox, TemplateLimitError
from lessonbuild.project import load_project
from tests.conftest import make_project

FRONT = "---\ntitle: T\n---\n"
ESCAPES = [
    "{{ lipsum.__globals__.os.environ.get('LESSONBUILD_TEST_SECRET') }}",
    "{{ cycler.__init__.__globals__.os.popen('echo owned').read() }}",
    "{{ lesson.path.read_text() }}",
    "{{ course.path.parent.parent.joinpath('pyproject.toml').read_text() }}",
    "{{ ''.__class__.__mro__[1].__subclasses__() }}",
    "{{ data_path.__closure__ }}",
    "{% set x = lesson.front_matter.update({'title': 'changed'}) %}",
]


def render(tmp_path, body: str):
    project = load_project(make_project(tmp_path, {"01-x": FRONT + body}))
    (course,) = read_courses(project)
    return render_course(course, project)[0]


def refusal(tmp_path, body: str) -> str:
    with pytest.raises(SourceErrors) as caught:
        render(tmp_path, body)
    (error,) = caught.value.errors
    return str(error)


@pytest.mark.parametrize("escape", ESCAPES)
@pytest.mark.parametrize("where", ["prose", "code", "statement"])
def test_a_lesson_cannot_reach_python_or_files_from_its_templates(tmp_path, monkeypatch, escape, where):
    monkeypatch.setenv("LESSONBUILD_TEST_SECRET", "hunter2")
    if where != "statement":  # {{ }} in prose or code runs only when it names one of the build's names
        escape = escape.replace("lipsum", "lesson").replace("cycler", "lesson")
    if where == "prose" and "''" in escape:  # names nothing of the build's: shown as written, never run
        rendered = render(tmp_path, f"Text.\n\n{escape}\n")
        assert rendered.notebook.cells[1].source == f"Text.\n\n{escape}"
        return
    if where == "code" and ("''" in escape or "{%" in escape):  # Python's braces, or no Jinja in code: as written
        rendered = render(tmp_path, f"```{{code-cell}} ipython3\ny = '{escape}'\n```\n")
        assert rendered.notebook.cells[1].source == f"y = '{escape}'"
        return
    bodies = {
        "prose": f"Text.\n\n{escape} and {{{{ lesson.title }}}}\n",
            "code": f"```{{code-cell}} ipython3\nx = 1\ny = '{escape}' + '{{{{ lesson.title }}}}'\n```\n",
        "statement": f"Text.\n\n{{% if true %}}\n{escape}\n{{% endif %}}\n",
    }
    message = refusal(tmp_path, bodies[where])
    assert message.startswith("lessons/tiny/01-x.md:"), message
    assert "hunter2" not in message and "owned" not in message
    assert "sandbox" in message or "undefined" in message


def test_a_template_file_cannot_reach_python_either(tmp_path):
    root = make_project(tmp_path, {"01-x": FRONT + "Text.\n"})
    (root / "templates" / "lesson").mkdir(parents=True)
    (root / "templates" / "lesson" / "footer.md.j2").write_text("fine\n{{ lipsum.__globals__['os'].getcwd() }}\n")
    project = load_project(root)
    (course,) = read_courses(project)
    with pytest.raises(SourceErrors) as caught:
        render_course(course, project)
    assert str(caught.value.errors[0]).startswith("templates/lesson/footer.md.j2:2: refused by the template sandbox")


def test_a_template_that_links_outside_its_folder_is_not_found(tmp_path):
    root = make_project(tmp_path, {"01-x": FRONT + "Text.\n"})
    (root / "templates" / "lesson").mkdir(parents=True)
    secret = tmp_path / "secret.txt"
    secret.write_text("hunter2")
    (root / "templates" / "lesson" / "leak.j2").symlink_to(secret)
    (root / "templates" / "lesson" / "footer.md.j2").write_text("{% include 'lesson/leak.j2' %}\n")
    project = load_project(root)
    (course,) = read_courses(project)
    with pytest.raises(SourceErrors) as caught:
        render_course(course, project)
    message = str(caught.value)
    assert "hunter2" not in message
    assert message.startswith("templates/lesson/footer.md.j2:1: refused by the template sandbox: template 'lesson/leak.j2' is a link")


@pytest.mark.parametrize("body", [
    "{% for i in range(100000) %}{% for j in range(100000) %}{% endfor %}{% endfor %}",
    "{% set xs = range(100000) %}{% for a in xs %}{% for b in xs %}{{ '' }}{% endfor %}{% endfor %}",
    "{{ 'x' * 10**9 }}",
    "{{ 7 ** 99999999 }}",
    "{{ 'x' | center(10**9) }}",
    "{{ 'x'.rjust(10**9) }}",
    "{{ '%999999999s' % 'x' }}",
    "{{ '{:>999999999}'.format('x') }}",
    "{% set ns = namespace(s='xx') %}{% for i in range(60) %}{% set ns.s = ns.s ~ ns.s %}{% endfor %}{{ ns.s|length }}",
    "{% for i in range(100000) %}{{ 'x' * 5000 }}{% endfor %}",
])
def test_unbounded_work_is_refused_quickly_at_its_line(tmp_path, body):
    message = refusal(tmp_path, "Text.\n\n{% if true %}\n" + body + "\n{% endif %}\n")
    assert message.startswith("lessons/tiny/01-x.md:") and ": refused by the template sandbox: " in message, message


def test_what_authors_write_still_renders(tmp_path):
    body = ("{% for name in ['a', 'b'] %}- {{ name | upper }} {{ loop.index }}\n{% endfor %}\n+++\n\n"
            "{% if true %}{{ '%5.1f' % 3.14159 }} {{ '{:>4}'.format(7) }} {{ 'x' * 3 }} {{ 2 ** 10 }} "
            "{{ lesson.path.name }} {{ '{:,}'.format(1234567) }} {{ lesson.front_matter.get('n', 10**6) }}{% endif %}\n")
    rendered = render(tmp_path, body)
    assert rendered.notebook.cells[1].source == "- A 1\n- B 2\n"
    assert rendered.notebook.cells[2].source == "  3.1    7 xxx 1024 01-x.md 1,234,567 1000000"


def test_a_renders_budget_is_its_own():
    environment = LessonSandbox()
    loop = environment.from_string("{% for i in range(90000) %}{% for j in range(10) %}{% endfor %}{% endfor %}")
    for _ in range(3):  # 900,000 steps each: under the bound each time, over it together
        assert loop.render() == ""
    with pytest.raises(TemplateLimitError):
        environment.from_string("{{ 'x' * size }}").render(size=MAX_TEXT + 1)


def test_an_unknown_name_in_prose_is_a_warning_and_stays_as_written(tmp_path):
    rendered = render(tmp_path, "Text with {{ no_such_name }} in it.\n\nMath $x^{{p_t}}$ and `{{ example }}`.\n")
    assert rendered.notebook.cells[1].source.startswith("Text with {{ no_such_name }} in it.")
    (warning,) = rendered.warnings
    assert str(warning.where) == "lessons/tiny/01-x.md:4" and "'{{ no_such_name }}' names nothing" in warning.message


def test_a_mistyped_function_in_prose_is_an_error(tmp_path):
    message = refusal(tmp_path, "Text.\n\nSee {{ next_notebok_url() }}.\n")
    assert message.startswith("lessons/tiny/01-x.md:6: unknown function 'next_notebok_url'"), message


def test_strict_check_fails_on_an_unknown_name_in_prose(tmp_path):
    root = make_project(tmp_path, {"01-x": FRONT + "Text with {{ no_such_name }}.\n"})
    command = [sys.executable, "-m", "lessonbuild", "--project", str(root), "check"]
    assert subprocess.run(command, capture_output=True, env=os.environ).returncode == 0
    strict = subprocess.run([*command, "--strict"], capture_output=True, text=True)
    assert strict.returncode == 2 and "lessons/tiny/01-x.md:4: warning: '{{ no_such_name }}' names nothing" in strict.stderr
    assert "Traceback" not in strict.stderr

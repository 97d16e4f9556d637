"""Kept renders: an edit renders that lesson alone, and whatever a render depended on still counts."""
import os

import pytest

from lessonbuild.errors import SourceErrors
from lessonbuild.pipeline.read import read_courses
from lessonbuild.pipeline.render import notebooks as render
from lessonbuild.pipeline.render.notebooks import render_course
from lessonbuild.project import load_project
from tests.conftest import make_project

FIRST = "---\ntitle: First\n---\n\n(the-label)=\n## A section\n\nBody.\n\n```{literalinclude} snippet.py\n```\n"
SECOND = "---\ntitle: Second\n---\n\nSee {ref}`the-label`.\n\n![A plot](plot.png)\n"


@pytest.fixture
def course(tmp_path):
    root = make_project(tmp_path / "p", {"01-first": FIRST, "02-second": SECOND})
    (root / "lessons" / "tiny" / "snippet.py").write_text("print('included')\n")
    (root / "lessons" / "tiny" / "plot.png").write_bytes(b"\x89PNG")
    return root


def rendered(root, monkeypatch) -> tuple[dict[str, str], list[str]]:
    """Each lesson's Markdown as rendered for the site, and which lessons were rendered (not taken as kept)."""
    made = []
    real = render._render_lesson

    def spy(templates, environments, course, lesson, *rest):
        made.append(lesson.slug)
        return real(templates, environments, course, lesson, *rest)

    monkeypatch.setattr(render, "_render_lesson", spy)
    project = load_project(root)
    (course,) = read_courses(project)
    lessons = render_course(course, project)
    text = {r.lesson.slug: "\n".join(c.source for c in r.notebook.cells if c.cell_type == "markdown") for r in lessons}
    return text, made


def test_an_edit_renders_that_lesson_alone_and_references_still_resolve_across_the_course(course, monkeypatch):
    text, made = rendered(course, monkeypatch)
    assert made == ["01-first", "02-second"]
    assert "print('included')" in text["01-first"] and "[A section](01-first.md#the-label)" in text["02-second"]
    text, made = rendered(course, monkeypatch)
    assert made == [] and "[A section](01-first.md#the-label)" in text["02-second"]  # kept, and resolved again
    lesson = course / "lessons" / "tiny" / "01-first.md"
    lesson.write_text(FIRST.replace("## A section", "## A renamed section"))
    text, made = rendered(course, monkeypatch)
    assert made == ["01-first"]
    assert "[A renamed section](01-first.md#the-label)" in text["02-second"]  # the kept lesson sees the new title


def test_a_file_the_render_looked_at_counts_and_a_kept_render_never_hides_an_error(course, monkeypatch):
    rendered(course, monkeypatch)
    snippet = course / "lessons" / "tiny" / "snippet.py"
    snippet.write_text("print('changed')\n")
    os.utime(snippet, ns=(1, 1))  # whatever the clock's resolution, the file is not as the render saw it
    text, made = rendered(course, monkeypatch)
    assert made == ["01-first"] and "print('changed')" in text["01-first"]
    (course / "lessons" / "tiny" / "plot.png").unlink()
    with pytest.raises(SourceErrors, match=r"image 'plot.png' not found"):
        rendered(course, monkeypatch)


def test_a_template_or_settings_change_renders_every_lesson(course, monkeypatch):
    rendered(course, monkeypatch)
    header = course / "templates" / "lesson" / "header.md.j2"
    header.parent.mkdir(parents=True)
    header.write_text("*{{ lesson.title }}, from the header*\n")
    text, made = rendered(course, monkeypatch)
    assert made == ["01-first", "02-second"] and "*Second, from the header*" in text["02-second"]
    (course / "pyproject.toml").write_text("[tool.lessonbuild]\njinja_in_code = false\n")
    assert rendered(course, monkeypatch)[1] == ["01-first", "02-second"]


def test_a_topic_the_course_file_gives_renders_the_lessons_again(course, monkeypatch):
    rendered(course, monkeypatch)
    listing = course / "lessons" / "tiny" / "course.yml"
    listing.write_text(listing.read_text().replace("  - 02-second", "  - tutorial: 02-second\n    topic: Renamed Topic"))
    assert rendered(course, monkeypatch)[1] == ["01-first", "02-second"]

"""Stage 4, publish: executed notebooks into the Markdown pages, images and downloads of the site.

Each lesson page comes from the nbconvert template in templates/nbconvert/lesson-page,
its images are extracted to files beside it, and the executed notebook is published
for download with a zip of the course's data and helper modules. Course and home pages
come from templates/site/. Everything is written under the build folder's docs/.
"""
from __future__ import annotations

import shutil
from pathlib import Path

import jinja2
import nbformat

from .bundle import course_bundle
from .fsutil import fresh_folder, write_atomic
from .model import Course, ExecutedLesson, Page
from .project import Project

PAGE_TEMPLATE = "lesson-page"
HIDDEN_TAGS = {"remove_cell_tags": {"remove-cell"}, "remove_input_tags": {"remove-input"}, "remove_all_outputs_tags": {"remove-output"}}


def publish(courses: list[tuple[Course, list[ExecutedLesson]]], project: Project, site_name: str) -> list[Page]:
    """Write every page of the site into the build's docs folder; return the navigation."""
    docs = fresh_folder(project.build_dir / "docs")
    exporter = _exporter(project)
    pages = _site_templates(project)
    nav = [Page("Home", "index.md")]
    for course, executed in courses:
        children = [Page(course.title, f"{course.slug}/index.md")]
        bundle = _write_bundle(course, project, docs)
        for lesson in executed:
            children.append(_write_lesson(lesson, exporter, docs, bundle, project.settings.colab_url))
        write_atomic(docs / course.slug / "index.md", pages.get_template("course.md.j2").render(course=course))
        nav.append(Page(course.title, f"{course.slug}/", tuple(children)))
    home = pages.get_template("home.md.j2").render(courses=[c for c, _ in courses], site_name=site_name)
    write_atomic(docs / "index.md", home)
    _copy_assets(project, docs)
    return nav


def _exporter(project: Project):
    # Imported here: nbconvert takes 0.4 s to import, and a build with nothing to publish never needs it.
    from nbconvert import MarkdownExporter
    from traitlets.config import Config

    return MarkdownExporter(
        template_name=PAGE_TEMPLATE,
        extra_template_basedirs=[str(project.templates_dir / "nbconvert")],
        config=Config({"TagRemovePreprocessor": {"enabled": True, **HIDDEN_TAGS}}),
    )


def _site_templates(project: Project) -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(project.templates_dir / "site"),
        undefined=jinja2.StrictUndefined,
        keep_trailing_newline=True,
    )


def _write_lesson(executed: ExecutedLesson, exporter, docs: Path, bundle: str | None, colab_url: str) -> Page:
    lesson, course = executed.rendered.lesson, executed.rendered.course
    folder = docs / course.slug
    notebook_name = f"{lesson.slug}.ipynb"
    resources = {
        "unique_key": lesson.slug,
        "output_files_dir": f"{lesson.slug}_files",
        "page": {
            "notebook": notebook_name,
            "bundle": bundle,
            "executed": _execution_line(executed),
            "colab": colab_url.replace("{notebook}", f"{course.slug}/{notebook_name}") if colab_url else "",
        },
    }
    body, resources = exporter.from_notebook_node(executed.notebook, resources=resources)
    for name, data in resources.get("outputs", {}).items():
        write_atomic(folder / name, data)
    write_atomic(folder / f"{lesson.slug}.md", body)
    write_atomic(folder / notebook_name, nbformat.writes(executed.notebook))
    return Page(lesson.title, f"{course.slug}/{lesson.slug}.md")


def _execution_line(executed: ExecutedLesson) -> str:
    info = executed.notebook.metadata.get("lessonbuild", {}).get("execution")
    if not info:
        return ""
    return f"Executed on {info['device']} in {info['seconds']:.1f} s"


def _write_bundle(course: Course, project: Project, docs: Path) -> str | None:
    """A zip of the course's helper modules and data/, so a downloaded notebook runs as it did here."""
    data = course_bundle(project.root / course.path, prefix=f"{course.slug}/")
    if data is None:
        return None
    name = f"{course.slug}-files.zip"
    write_atomic(docs / course.slug / name, data)
    return name


def _copy_assets(project: Project, docs: Path) -> None:
    assets = project.templates_dir / "site" / "assets"
    if assets.is_dir():
        shutil.copytree(assets, docs / "assets")

"""Stage 4, publish: executed notebooks into the Markdown pages, images and downloads of the site.

Each lesson page comes from the nbconvert template `lesson-page`, its images are extracted
to files beside it, and the executed notebook is published for download with a zip of the
course's data and helper modules. Course and home pages come from the site templates. Every
template is the project's own where it has one, the packaged default elsewhere (templates.py).
Everything is written under the build folder's docs/.
"""
from __future__ import annotations

import hashlib
import importlib.util
import json
from pathlib import Path

import nbformat

from .bundle import course_bundle
from .errors import SourceError, SourceErrors
from .fsutil import write_atomic, write_if_changed
from .model import Course, ExecutedLesson, Page, RenderedLesson
from .myst.glue import paste
from .myst.mathml import output_mathml
from .project import Project
from .templates import (
    COURSE_PAGE,
    HOME,
    NBCONVERT,
    PAGE_TEMPLATE,
    Templates,
    template_error,
)

HIDDEN_TAGS = {"remove_cell_tags": {"remove-cell"}, "remove_input_tags": {"remove-input"}, "remove_all_outputs_tags": {"remove-output"}}


def publish(courses: list[tuple[Course, list[ExecutedLesson]]], project: Project, site_name: str) -> list[Page]:
    """Write every page of the site into the build's docs folder; return the navigation.

    A lesson whose page would come out as it did last time (same notebook, templates and links) is
    not exported again: its files stay, untouched. Files no page makes any more are removed.
    """
    docs = project.build_dir / "docs"
    templates = Templates(project)
    pages = templates.environment(keep_trailing_newline=True)
    published = _Published(docs, project.build_dir / PUBLISHED, templates)
    nav = [Page("Home", "index.md")]
    for course, executed in courses:
        bundle = _write_bundle(course, project, docs, published)
        lessons = [_write_lesson(lesson, published, bundle, project.settings.colab_url, project.lessons_dir)
                   for lesson in executed]
        published.write(docs / course.slug / "index.md", pages.get_template(COURSE_PAGE).render(course=course))
        children = (Page(course.title, f"{course.slug}/index.md"), *nav_groups(lessons))
        nav.append(Page(course.title, f"{course.slug}/", children))
    home = pages.get_template(HOME).render(courses=[c for c, _ in courses], site_name=site_name)
    published.write(docs / "index.md", home)
    templates.copy_assets(docs / "assets")
    published.finish(docs / "assets")
    return nav


NAV_GROUP = 20  # lessons a course lists together: a larger course lists them in groups of this many


def nav_groups(lessons: list[Page]) -> list[Page]:
    """A course's lessons as its navigation lists them: as they are, or in groups of NAV_GROUP when there are more.

    With Material's navigation.prune, a page carries the links of its own group and the titles of the
    others: some 50 links in a course of 600 lessons, not 600 on each of its pages."""
    if len(lessons) <= NAV_GROUP:
        return lessons
    return [Page(f"Lessons {start + 1}–{min(start + NAV_GROUP, len(lessons))}", "", tuple(lessons[start:start + NAV_GROUP]))
            for start in range(0, len(lessons), NAV_GROUP)]


PUBLISHED = "published.json"  # in the build folder: each lesson page's inputs digest, and the files it wrote


class _Published:
    """The docs folder as the last publish left it: which lesson pages can stay, and which files are stale."""

    def __init__(self, docs: Path, record: Path, templates: Templates):
        self.docs, self.record, self.templates = docs, record, templates
        try:
            self.last = json.loads(record.read_text(encoding="utf-8")) if docs.is_dir() else {}
        except (OSError, ValueError):
            self.last = {}  # a damaged record: every page is made again
        self.now: dict[str, dict] = {}
        self.kept: set[Path] = set()
        self._exporter = None
        self.salt = f"{templates.digest()} {_nbconvert_install()}"

    @property
    def exporter(self):
        """nbconvert, started only when a page has to be made."""
        if self._exporter is None:
            self._exporter = page_exporter(self.templates)
        return self._exporter

    def unchanged(self, name: str, key: str) -> bool:
        entry = self.last.get(name)
        if entry is None or entry.get("key") != key or not all((self.docs / f).is_file() for f in entry["files"]):
            return False
        self.now[name] = entry
        self.kept.update(self.docs / f for f in entry["files"])
        return True

    def made(self, name: str, key: str, files: list[Path]) -> None:
        self.now[name] = {"key": key, "files": sorted(f.relative_to(self.docs).as_posix() for f in files)}
        self.kept.update(files)

    def write(self, path: Path, data: bytes | str) -> Path:
        write_if_changed(path, data)
        self.kept.add(path)
        return path

    def finish(self, assets: Path) -> None:
        """Remove what no page made this time (a lesson taken out, an image no longer shown); record the pages."""
        for file in [p for p in self.docs.rglob("*") if p.is_file()]:
            if file not in self.kept and not file.is_relative_to(assets):
                file.unlink()
        write_atomic(self.record, json.dumps(self.now, sort_keys=True))


def page_exporter(templates: Templates):
    """nbconvert's Markdown exporter with the lesson-page template, from the project or the package."""
    # Imported here: nbconvert takes 0.4 s to import, and a build with nothing to publish never needs it.
    from nbconvert import MarkdownExporter
    from traitlets.config import Config

    exporter = MarkdownExporter(
        template_name=PAGE_TEMPLATE,
        extra_template_basedirs=templates.nbconvert_folders(),
        config=Config({"TagRemovePreprocessor": {"enabled": True, **HIDDEN_TAGS}}),
    )
    exporter.register_filter("mathml", output_mathml)  # an output's LaTeX as the prose's math is shown
    return exporter


PAGE_TEMPLATE_CHECKED = "page-template.checked"  # in the build folder: the templates' digest when the page template last passed


def preflight(courses: list[tuple[Course, list[RenderedLesson]]], project: Project) -> list[SourceError]:
    """Every page template tried on the rendered, unexecuted lessons: its problems, found before any kernel starts.

    The nbconvert page template is tried again only when a template changed: nbconvert alone takes
    a quarter of a second to import, which `check` should not pay on every run.
    """
    templates = Templates(project)
    pages = templates.environment(keep_trailing_newline=True)
    trials = [(HOME, lambda: pages.get_template(HOME).render(courses=[c for c, _ in courses], site_name="site"))]
    trials += [(COURSE_PAGE, lambda course=course: pages.get_template(COURSE_PAGE).render(course=course)) for course, _ in courses]
    errors = _try_templates(templates, trials)
    checked, digest = project.build_dir / PAGE_TEMPLATE_CHECKED, f"{templates.digest()} {_nbconvert_install()}"
    first = next((lessons[0] for _, lessons in courses if lessons), None)
    if first is None or (checked.exists() and checked.read_text() == digest):
        return errors
    unexecuted = ExecutedLesson(first, first.notebook, 0.0, "", ran=False)
    page_errors = _try_templates(templates, [(f"{NBCONVERT}/{PAGE_TEMPLATE}/index.md.j2",
                                             lambda: _page(unexecuted, page_exporter(templates), None, ""))])
    if not page_errors:
        write_atomic(checked, digest)
    return errors + page_errors


def _nbconvert_install() -> str:
    """Where nbconvert is installed, and when: its own base templates change with it. Found without importing it."""
    origin = importlib.util.find_spec("nbconvert").origin
    return f"{origin}:{Path(origin).stat().st_mtime_ns}"


def _try_templates(templates: Templates, trials: list) -> list[SourceError]:
    errors: list[SourceError] = []
    for name, trial in trials:
        try:
            trial()
        except Exception as exc:  # whatever a template raises is the template's problem
            error = template_error(templates, exc, name, lambda e: f"template error: {type(e).__name__}: {e}")
            if str(error) not in map(str, errors):  # the course page fails alike for every course
                errors.append(error)
    return errors


def _write_lesson(executed: ExecutedLesson, published: _Published, bundle: str | None, colab_url: str,
                  lessons_dir: Path) -> Page:
    lesson, course = executed.rendered.lesson, executed.rendered.course
    page = Page(lesson.short_title, f"{course.slug}/{lesson.slug}.md")
    assets = [published.docs / asset for asset in executed.rendered.assets]  # docs/ mirrors lessons/: relative paths hold
    for asset, target in zip(executed.rendered.assets, assets):
        published.write(target, (lessons_dir / asset).read_bytes())
    key = _page_key(executed, bundle, colab_url, published.salt)
    if published.unchanged(executed.rendered.name, key):
        return page
    folder = published.docs / course.slug
    body, resources = _page(executed, published.exporter, bundle, colab_url)
    files = [published.write(folder / name, data) for name, data in resources.get("outputs", {}).items()]
    files.append(published.write(folder / f"{lesson.slug}.md", body))
    files.append(published.write(folder / f"{lesson.slug}.ipynb", nbformat.writes(executed.notebook)))
    published.made(executed.rendered.name, key, files)
    return page


def _page_key(executed: ExecutedLesson, bundle: str | None, colab_url: str, salt: str) -> str:
    """Everything a lesson's page is made from: its notebook (prose and links as rendered, outputs as executed),
    its downloads, the templates. Named by digests, so that an unchanged page needs no notebook read."""
    parts = [executed.rendered.digest, executed.outputs, str(bundle), colab_url, str(executed.ran), salt]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def _page(executed: ExecutedLesson, exporter, bundle: str | None, colab_url: str) -> tuple[str, dict]:
    """The lesson's page as Markdown, and its extracted images under resources["outputs"]."""
    lesson, course = executed.rendered.lesson, executed.rendered.course
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
    notebook, problems = paste(executed.notebook)  # MyST-NB's glued values, now that the lesson has run
    if problems and executed.ran:
        raise SourceErrors([SourceError(Path(p.where.rsplit(":", 1)[0]), int(p.where.rsplit(":", 1)[1]), str(p)) for p in problems])
    return exporter.from_notebook_node(notebook, resources=resources)


def _execution_line(executed: ExecutedLesson) -> str:
    info = executed.notebook.metadata.get("lessonbuild", {}).get("execution")
    if not info:
        return ""
    return f"Executed on {info['device']} in {info['seconds']:.1f} s"


def _write_bundle(course: Course, project: Project, docs: Path, published: _Published) -> str | None:
    """A zip of the course's helper modules and data/, so a downloaded notebook runs as it did here."""
    data = course_bundle(project.root / course.path, prefix=f"{course.slug}/")
    if data is None:
        return None
    name = f"{course.slug}-files.zip"
    published.write(docs / course.slug / name, data)
    return name

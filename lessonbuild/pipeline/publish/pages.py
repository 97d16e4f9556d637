"""Stage 4, publish: executed notebooks into the Markdown pages, images and downloads of the site.

Each lesson page comes from the nbconvert template `lesson-page`, its images are extracted
to files beside it, and the executed notebook is published for download with a zip of the
course's data and helper modules. Course and home pages come from the site templates. Every
template is the project's own where it has one, the packaged default elsewhere (templates.py).
Everything is written under the build folder's docs/.
"""
from __future__ import annotations

import functools
import hashlib
import html
import importlib.util
import sys
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path, PurePosixPath
from typing import Any, NamedTuple

import nbformat

from lessonbuild.book import TocEntry, page_slug
from lessonbuild.errors import SourceError, SourceErrors, SourceLocation, SourceWarning
from lessonbuild.fsutil import file_stamp, write_atomic
from lessonbuild.model import Course, ExecutedLesson, Lesson, Page, RenderedLesson
from lessonbuild.myst.glue import glued_elsewhere, paste
from lessonbuild.myst.mathml import output_mathml
from lessonbuild.myst.syntax import fenced, served_name
from lessonbuild.pipeline.bundle import course_bundle, course_files, lesson_bundle
from lessonbuild.pipeline.bundle import lesson_files as bundle_files
from lessonbuild.pipeline.figures import BadImage, decoded
from lessonbuild.pipeline.publish.cache import write_cache_store
from lessonbuild.pipeline.publish.downloads import with_setup_cell
from lessonbuild.pipeline.publish.outputs import externalized, for_download
from lessonbuild.pipeline.render.notebooks import rebased_sources
from lessonbuild.pipeline.render.sandbox import sandboxed_like
from lessonbuild.pipeline.render.templates import (
    COURSE_PAGE,
    HOME,
    NBCONVERT,
    PAGE_TEMPLATE,
    Templates,
    template_error,
)
from lessonbuild.project import Project, book_logo, code_stamp, pages_in_folders, site_url
from lessonbuild.state import names
from lessonbuild.state.pages import PublishedPages

HIDDEN_TAGS = {"remove_cell_tags": {"remove-cell"}, "remove_input_tags": {"remove-input"}, "remove_all_outputs_tags": {"remove-output"}}


def publish(courses: list[tuple[Course, list[ExecutedLesson]]], project: Project, site_name: str,
            cache_entries: Sequence[tuple[str, Path]] = ()) -> list[Page]:
    """Write every page of the site into the build's docs folder; return the navigation.

    A lesson whose page would come out as it did last time (same notebook, templates and links) is
    not exported again: its files stay, untouched. Files no page makes any more are removed.
    `cache_entries` (key, file) are published as a read-only cache store, under _cache/.
    """
    templates = Templates(project)
    pages = templates.environment(keep_trailing_newline=True)
    published = PublishedPages(project, f"{templates.digest()} {_nbconvert_install()} {code_stamp()}")
    docs = published.docs
    exporter = functools.cache(lambda: page_exporter(templates))  # nbconvert, started only when a page is made
    nav = [Page("Home", "index.md")]
    url = site_url(project)
    course_pictures = {}
    in_folders = pages_in_folders(project)
    for course, executed in courses:
        downloads = _write_course_files(course, project, url, published)
        course_lessons = {lesson.rendered.lesson.slug: lesson for lesson in executed}  # glue may paste another's
        lessons = [_write_lesson(lesson, published, exporter, downloads, project, course_lessons, in_folders)
                   for lesson in executed]
        if course.toc:
            nav = book_nav(course, dict(zip([e.rendered.lesson.slug for e in executed], lessons, strict=True)))
            _write_book_home(course, project, published)
            continue
        pictures = _write_thumbnails(course, executed, project, published)
        course_page = pages.get_template(COURSE_PAGE).render(course=course, thumbnails=pictures)
        published.write(docs / course.slug / "index.md", course_page)
        children = (Page(course.title, f"{course.slug}/index.md"), *nav_groups(lessons))
        nav.append(Page(course.title, f"{course.slug}/", children))
        if pictures:
            course_pictures[course.slug] = f"{course.slug}/{next(iter(pictures.values()))}"
    if not any(course.toc for course, _ in courses):
        home = pages.get_template(HOME).render(courses=[c for c, _ in courses], site_name=site_name,
                                               thumbnails=course_pictures)
        published.write(docs / "index.md", home)
    if cache_entries:
        write_cache_store(cache_entries, published)
    templates.copy_assets(docs / "assets")
    published.finish(docs / "assets")
    return nav


def book_nav(course: Course, pages: dict[str, Page]) -> list[Page]:
    """A book's navigation as its table of contents has it: parts as sections, chapters with their sections below,
    numbered where the toc says (one count across parts, as Jupyter Book numbers them)."""
    return _toc_pages(course.toc, pages, None, [0])


def _toc_pages(entries: tuple[TocEntry, ...], pages: dict[str, Page], prefix: str | None, count: list[int]) -> list[Page]:
    shown, local = [], 0
    for entry in entries:
        if entry.url:
            shown.append(Page(entry.title or entry.url, entry.url))
            continue
        page = pages.get(page_slug(entry.file)) if entry.file else None
        number = None
        if page is not None and entry.numbered:
            local += 1
            count[0] += prefix is None
            number = str(count[0]) if prefix is None else f"{prefix}.{local}"
        children = _toc_pages(entry.children, pages, number, count)
        if page is None:  # a part's caption over its chapters (or a page that did not read, which has no page)
            shown += [Page(entry.title or "", "", tuple(children))] if entry.file is None else children
            continue
        title = f"{number} {entry.title or page.title}" if number else entry.title or page.title
        own = Page(title, page.path, source=page.source)
        shown.append(Page(title, page.path, (own, *children)) if children else own)
    return shown


def _write_book_home(course: Course, project: Project, published: PublishedPages) -> None:
    """The site's home, where the book's root page is neither index.md nor beside it (`_write_lesson` copies one that
    is beside it, so that what it names relative to its folder still resolves): a page that leads to it. And the
    book's logo, which the theme shows."""
    if project.book is not None and (logo := book_logo(project)) is not None:
        published.write(published.docs / project.book.logo, logo.read_bytes())
    root = page_slug(course.toc[0].file or "")
    if "/" not in root or not (published.docs / f"{root}.md").is_file():
        return  # index.md is the page or its copy; or the root page did not read, and its problem stops the build
    address = root.removesuffix("index") if root.endswith("/index") else f"{root}/"
    title = course.lessons[0].title if course.lessons else course.title
    redirect = f'<meta http-equiv="refresh" content="0; url={html.escape(address)}">'
    published.write(published.docs / "index.md", f"# {course.title}\n\n{redirect}\n\n[{title}]({root}.md)\n")


def _home_copy(course: Course, lesson: Lesson) -> bool:
    """Whether the lesson is a book's root page beside index.md, which the site's home is a copy of."""
    return bool(course.toc) and lesson.slug == page_slug(course.toc[0].file or "") and "/" not in lesson.slug \
        and lesson.slug != "index"


NAV_GROUP = 20  # lessons a course lists together: a larger course lists them in groups of this many


def nav_groups(lessons: list[Page]) -> list[Page]:
    """A course's lessons as its navigation lists them: as they are, or in groups of NAV_GROUP when there are more.

    With Material's navigation.prune, a page carries the links of its own group and the titles of the
    others: some 50 links in a course of 600 lessons, not 600 on each of its pages."""
    if len(lessons) <= NAV_GROUP:
        return lessons
    return [Page(f"Lessons {start + 1}–{min(start + NAV_GROUP, len(lessons))}", "", tuple(lessons[start:start + NAV_GROUP]))
            for start in range(0, len(lessons), NAV_GROUP)]


def page_exporter(templates: Templates):
    """nbconvert's Markdown exporter with the lesson-page template, from the project or the package."""
    # Imported here: nbconvert takes 0.4 s to import, and a build with nothing to publish never needs it.
    from nbconvert import MarkdownExporter
    from traitlets.config import Config

    class SandboxedMarkdownExporter(MarkdownExporter):
        """nbconvert's exporter, its templates (which a project may override) run in the build's Jinja sandbox."""

        def _create_environment(self):
            return sandboxed_like(super()._create_environment())

    exporter = SandboxedMarkdownExporter(
        template_name=PAGE_TEMPLATE,
        extra_template_basedirs=templates.nbconvert_folders(),
        config=Config({"TagRemovePreprocessor": {"enabled": True, **HIDDEN_TAGS}}),
    )
    exporter.register_filter("mathml", output_mathml)  # an output's LaTeX as the prose's math is shown
    exporter.register_filter("fenced", fenced)  # code and text outputs as they are, whatever they hold
    return exporter


def preflight(courses: list[tuple[Course, list[RenderedLesson]]], project: Project) -> list[SourceError]:
    """Every page template tried on the rendered, unexecuted lessons: its problems, found before any kernel starts.

    The nbconvert page template is tried again only when a template changed: nbconvert alone takes
    a quarter of a second to import, which `check` should not pay on every run.
    """
    templates = Templates(project)
    pages = templates.environment(keep_trailing_newline=True)

    def trial(name: str, **context: object) -> tuple[str, Callable[[], object]]:
        return name, lambda: pages.get_template(name).render(**context)  # loading it is part of the trial

    trials = [trial(HOME, courses=[c for c, _ in courses], site_name="site", thumbnails={})]
    trials += [trial(COURSE_PAGE, course=course, thumbnails={}) for course, _ in courses]
    errors = _try_templates(templates, trials)
    checked, digest = project.build_dir / names.PAGE_TEMPLATE_CHECKED, f"{templates.digest()} {_nbconvert_install()}"
    first = next((lessons[0] for _, lessons in courses if lessons), None)
    if first is None or (checked.exists() and checked.read_text() == digest):
        return errors
    unexecuted = ExecutedLesson.unexecuted(first)
    page_errors = _try_templates(templates, [(f"{NBCONVERT}/{PAGE_TEMPLATE}/index.md.j2",
                                             lambda: _page(unexecuted, page_exporter(templates), None, ""))])
    if not page_errors:
        write_atomic(checked, digest)
    return errors + page_errors


def _nbconvert_install() -> str:
    """Where nbconvert is installed, and when: its own base templates change with it. Found without importing it."""
    spec = importlib.util.find_spec("nbconvert")
    origin = spec.origin if spec is not None else None
    return f"{origin}:{Path(origin).stat().st_mtime_ns}" if origin else "nbconvert not found"


def _try_templates(templates: Templates, trials: list) -> list[SourceError]:
    errors: list[SourceError] = []
    for name, trial in trials:
        try:
            trial()
        except SourceErrors as exc:  # the lesson's own problems (an attachment that is no image), at its lines
            errors.extend(exc.errors)
        except Exception as exc:  # noqa: BLE001 - whatever a template raises is the template's problem
            error = template_error(templates, exc, name, lambda e: f"template error: {type(e).__name__}: {e}")
            if str(error) not in map(str, errors):  # the course page fails alike for every course
                errors.append(error)
    return errors


class _Downloads(NamedTuple):
    """What a course's lesson pages offer beside the page: the course's files, and where the site fetches them from."""

    folder: Path  # the course's folder
    files: list[Path]  # what a lesson's code may use of its course (bundle.course_files)
    bundle: str | None  # the zip of those files, beside the course's pages; None without any
    files_url: str  # where a downloaded notebook fetches that zip; empty where mkdocs.yml names no site_url
    key: str  # all of the above, as page keys take it

    def notebook(self, executed: ExecutedLesson) -> nbformat.NotebookNode:
        """The notebook as a learner downloads it: with the setup cell that fetches the files, where it can."""
        if not (self.files_url and self.files):
            return executed.notebook
        return with_setup_cell(executed.notebook, self.files_url, [f.relative_to(self.folder).as_posix() for f in self.files])


def _write_lesson(executed: ExecutedLesson, published: PublishedPages, exporter: Callable[[], Any],
                  downloads: _Downloads, project: Project, course_lessons: dict[str, ExecutedLesson],
                  in_folders: bool) -> Page:
    """The lesson's page, notebook and zip (and the site's home, where it is a copy of a book's root page);
    `in_folders`: each page is published as its own folder's index.html."""
    colab_url, lessons_dir = project.settings.colab_url, project.lessons_dir
    lesson, course = executed.rendered.lesson, executed.rendered.course
    on_site = PurePosixPath(course.site_folder, lesson.slug)  # a book's page keeps its folder
    page = Page(lesson.short_title, f"{on_site}.md", source=lesson.path.as_posix())
    course_folder = project.root / course.path
    for asset in executed.rendered.assets:  # docs/ mirrors lessons/ (a book's root): relative paths hold
        published.write(published.docs / served_name(asset.as_posix()), (lessons_dir / asset).read_bytes())
    lesson_files = bundle_files(executed.rendered, project.root)
    pasted_from = sorted(glued_elsewhere(executed.rendered.notebook))  # their outputs are this page's too
    others = " ".join(course_lessons[slug].outputs for slug in pasted_from if slug in course_lessons)
    key = _page_key(executed, f"{downloads.key} {_stamps(lesson_files)} {others} {in_folders}", colab_url, published.salt)
    if published.unchanged(executed.rendered.name, key):
        return page
    folder, name = published.docs / on_site.parent, on_site.name
    lesson_zip = f"{name}.zip" if lesson_files else None
    elsewhere = {slug: course_lessons[slug] for slug in pasted_from if slug in course_lessons}
    home = _home_copy(course, lesson)
    up = "../" if in_folders and name != "index" else ""  # the page is name/index.html
    bodies, resources = _page(executed, exporter(), lesson_zip, colab_url, elsewhere, ups=(up, "") if home else (up,))
    files = [published.write(folder / output, data) for output, data in resources.get("outputs", {}).items()]
    files.append(published.write(folder / f"{name}.md", bodies[0]))
    if home:
        files.append(published.write(published.docs / "index.md", bodies[1]))
    notebook = nbformat.writes(for_download(downloads.notebook(executed)))
    files.append(published.write(folder / f"{name}.ipynb", notebook))
    if lesson_zip:  # unzip, open, Run All: the notebook in one folder with the files it uses
        data = lesson_bundle(course_folder, lesson_files, f"{lesson.slug}.ipynb", notebook.encode(), prefix=f"{name}/")
        files.append(published.write(folder / lesson_zip, data))
    published.made(executed.rendered.name, key, files)
    return page


def _page_key(executed: ExecutedLesson, downloads: str, colab_url: str, salt: str) -> str:
    """Everything a lesson's page is made from: its notebook (prose and links as rendered, outputs as executed),
    its downloads, the templates. Named by digests, so that an unchanged page needs no notebook read."""
    parts = [executed.rendered.digest, executed.outputs, downloads, colab_url, str(executed.ran), salt]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()


def _page(executed: ExecutedLesson, exporter, lesson_zip: str | None, colab_url: str,
          elsewhere: dict[str, ExecutedLesson] | None = None, ups: tuple[str, ...] = ("",)) -> tuple[list[str], dict]:
    """The lesson's page as Markdown, once for each place it is published (`ups`: what leads from there to the
    page's folder), and its extracted images and large outputs (outputs.py) under resources["outputs"]."""
    lesson, course = executed.rendered.lesson, executed.rendered.course
    name = PurePosixPath(lesson.slug).name
    notebook_name = f"{name}.ipynb"
    resources = {
        "unique_key": name,
        "output_files_dir": f"{name}_files",
        "page": {
            "notebook": notebook_name,
            "lesson_zip": lesson_zip,
            "executed": _execution_line(executed),
            "failed": executed.notebook.metadata.get("lessonbuild", {}).get("failed", ""),
            "colab": _colab(colab_url, course, lesson),
        },
    }
    others = elsewhere or {}  # MyST-NB's glued values, now that the lessons have run
    notebook, problems = paste(executed.notebook, lambda doc: others[doc].notebook if doc in others else None)
    errors = [SourceError.at(problem.where, str(problem)) for problem in problems] if executed.ran else []
    if errors and lesson.front_matter.get("execution", {}).get("allow_errors"):
        # A lesson that may fail may not have glued what it meant to (MyST-NB warns too): its page goes out.
        for error in errors:
            print(SourceWarning(error.location, error.message), file=sys.stderr, flush=True)
        errors = []
    errors += _bad_images(executed) + _shared_file_names(executed)
    if errors:
        raise SourceErrors(errors)
    shown, large = [], {}
    for up in ups:
        page, files = externalized(_rebased(notebook, up), f"{name}_files", up)
        shown.append(page)
        large.update(files)
    body, exported = exporter.from_notebook_node(shown[0], resources=resources)
    exported.setdefault("outputs", {}).update(large)
    return [body if page is shown[0] else exporter.from_notebook_node(page, resources=resources)[0] for page in shown], exported


def _rebased(notebook: Any, up: str) -> Any:
    """The notebook with its prose's raw HTML addresses (`<img src>`, `<a href>`) rebased by `up` (render's `rebased_sources`);
    the same notebook where none changes. Only the page's copy: the notebook learners download keeps them."""
    cells = [nbformat.NotebookNode({**cell, "source": rebased_sources(cell.source, up)})
             if cell.cell_type == "markdown" else cell for cell in notebook.cells]
    if all(new is old or new.source == old.source for new, old in zip(cells, notebook.cells, strict=True)):
        return notebook
    return nbformat.NotebookNode({**notebook, "cells": cells})


# What nbconvert decodes from base64 to files beside the page: these types of an output, every attachment.
ENCODED_OUTPUTS = ("image/png", "image/jpeg", "application/pdf")


def _bad_images(executed: ExecutedLesson) -> list[SourceError]:
    """The lesson's image outputs and attachments that are not what they claim, at their cells: nbconvert would stop
    on bad base64 with a traceback, or publish what is no image, or a decompression bomb for a learner's browser."""
    errors = []
    for index, cell in enumerate(executed.notebook.cells):
        for what, mime, data in _encoded(cell):
            try:
                decoded(data, mime)
            except BadImage as exc:
                where = executed.rendered.location(index) or SourceLocation(executed.rendered.lesson.path)
                errors.append(SourceError.at(where, f"{what}: {exc}"))
    return errors


def _shared_file_names(executed: ExecutedLesson) -> list[SourceError]:
    """Outputs whose metadata names the same file to extract them to, which nbconvert would stop on."""
    errors, seen = [], set()
    for index, cell in enumerate(executed.notebook.cells):
        for output in cell.get("outputs", []):
            name = output.get("metadata", {}).get("filename")
            if name is None:
                continue
            if name in seen:
                where = executed.rendered.location(index) or SourceLocation(executed.rendered.lesson.path)
                errors.append(SourceError.at(where, f"an output names its file '{name}', as an earlier one does "
                                                    "(its metadata's filename): each must name its own"))
            seen.add(name)
    return errors


def _encoded(cell) -> Iterator[tuple[str, str, Any]]:
    """(what it is, its type, its base64 data) of each thing of the cell that nbconvert decodes."""
    for output in cell.get("outputs", []):
        if output.get("output_type") in ("display_data", "execute_result"):
            yield from ((f"the cell's {mime} output", mime, output.data[mime]) for mime in ENCODED_OUTPUTS if mime in output.data)
    for name, bundle in (cell.get("attachments") or {}).items():
        yield from ((f"the cell's attachment '{name}' ({mime})", mime, data) for mime, data in bundle.items())


def _colab(colab_url: str, course: Course, lesson: Lesson) -> str:
    """Where Colab opens the lesson: the course's published notebook; a book's notebook from its own repository
    (where the book's page is a notebook: Colab opens no Markdown)."""
    if not colab_url:
        return ""
    if course.toc:
        return colab_url.replace("{notebook}", lesson.path.as_posix()) if lesson.path.suffix == ".ipynb" else ""
    return colab_url.replace("{notebook}", f"{course.slug}/{lesson.slug}.ipynb")


def _stamps(files: list[Path]) -> str:
    return hashlib.sha256(repr([(str(f), file_stamp(f)) for f in files]).encode()).hexdigest()


def _execution_line(executed: ExecutedLesson) -> str:
    info = executed.notebook.metadata.get("lessonbuild", {}).get("execution")
    if not info:
        return ""
    return f"Executed on {info['device']} in {info['seconds']:.1f} s"


def _write_thumbnails(course: Course, executed: list[ExecutedLesson], project: Project,
                      published: PublishedPages) -> dict[str, str]:
    """Each lesson's first figure, as the course and home pages show it: lesson slug -> path beside the course page."""
    pictures = {}
    for lesson in executed:
        cells = lesson.rendered.notebook.cells
        name = next((c.metadata["figure"] for c in cells if c.cell_type == "code" and "figure" in c.metadata), None)
        figure = project.figures_dir / course.slug / f"{name}.png"
        if name is not None and figure.is_file():
            slug = lesson.rendered.lesson.slug
            published.write(published.docs / course.slug / "thumbnails" / f"{slug}.png", figure.read_bytes())
            pictures[slug] = f"thumbnails/{slug}.png"
    return pictures


def _write_course_files(course: Course, project: Project, url: str, published: PublishedPages) -> _Downloads:
    """The zip of the course's helper modules and data/, made again only when one of them changed."""
    folder = project.root / course.path
    if course.toc:  # a book's pages each carry the files they name (bundle.lesson_files), and there is no course zip
        return _Downloads(folder, [], None, "", "")
    files = course_files(folder, project.root)
    listing = [code_stamp(), *((f.relative_to(folder).as_posix(), file_stamp(f)) for f in files)]
    stamps = hashlib.sha256(repr(listing).encode()).hexdigest()
    name = f"{course.slug}-files.zip" if files else None
    files_url = f"{url}{course.slug}/{name}" if url and name else ""
    downloads = _Downloads(folder, files, name, files_url, f"{name} {stamps} {files_url}")
    if name and not published.unchanged(f"{course.slug} files", stamps):
        data = course_bundle(folder, project.root, prefix=f"{course.slug}/")
        assert data is not None  # the course has files: its name says so
        published.made(f"{course.slug} files", stamps, [published.write(published.docs / course.slug / name, data)])
    return downloads

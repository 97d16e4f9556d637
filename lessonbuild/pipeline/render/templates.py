"""Where each template comes from: the project's templates/ first, then the defaults shipped in the package.

A project overrides a default by putting a file of the same name under its own templates/
(`templates/site/home.md.j2` replaces the home page and nothing else), as MkDocs themes'
`custom_dir` does. Every stage that uses templates finds them through this one lookup.
"""
from __future__ import annotations

import hashlib
from pathlib import Path

import jinja2

from lessonbuild.errors import SourceError
from lessonbuild.fsutil import file_sha256, inside, walk_files, write_if_changed
from lessonbuild.pipeline.render.sandbox import ConfinedLoader, LessonSandbox, refusal
from lessonbuild.project import PACKAGE, TEMPLATES, Project

DEFAULTS = PACKAGE / TEMPLATES
HEADER, FOOTER, MACROS = "lesson/header.md.j2", "lesson/footer.md.j2", "macros.j2"
HOME, COURSE_PAGE = "site/home.md.j2", "site/course.md.j2"
NEW_LESSON = "new/lesson.md.j2"
NBCONVERT = "nbconvert"  # nbconvert template folders live here, each under its own name
PAGE_TEMPLATE = "lesson-page"  # the nbconvert template that turns an executed notebook into a page
ASSETS = "site/assets"  # copied into the site as they are
DEFAULT_PREFIX = "default"  # "default/NAME" is the packaged template NAME, even where the project overrides NAME


class Templates:
    """The template folders of one project, in the order they are searched."""

    def __init__(self, project: Project):
        self.project = project
        self.folders = (project.templates_dir, DEFAULTS)

    def environment(self, **options) -> jinja2.Environment:
        """A sandboxed Jinja environment over every layer (sandbox.py); names not found are errors, never empty text.

        An override can build on the default it replaces: `{% extends "default/site/home.md.j2" %}`.
        """
        layers = ConfinedLoader([str(folder) for folder in self.folders])
        loader = jinja2.ChoiceLoader([layers, jinja2.PrefixLoader({DEFAULT_PREFIX: ConfinedLoader(str(DEFAULTS))})])
        return LessonSandbox(loader=loader, undefined=jinja2.StrictUndefined, autoescape=False, **options)

    def nbconvert_folders(self) -> list[str]:
        """For nbconvert's extra_template_basedirs: it takes files and conf.json from the first folder that has them."""
        return [str(folder / NBCONVERT) for folder in self.folders if (folder / NBCONVERT).is_dir()]

    def digest(self) -> str:
        """The SHA-256 of every file of every layer, by name: it changes when any template does."""
        layers = [f"{index}:{file_sha256(folder)}" for index, folder in enumerate(self.folders)]
        return hashlib.sha256("\n".join(layers).encode()).hexdigest()

    def copy_assets(self, destination: Path) -> None:
        """The packaged assets, then the project's over them, file by file; a link that leads out of its assets
        folder is an error, not a copy of whatever it points at (`/etc/passwd`). A file whose bytes are already
        there is not written again, so the site engine sees it unchanged."""
        chosen: dict[Path, Path] = {}
        for folder in reversed(self.folders):
            assets = folder / ASSETS
            for path in walk_files(assets) if assets.is_dir() else []:
                if inside(path, assets) is None:
                    raise SourceError(self.shown_path(str(path), ""), None,
                                      "a link to a file outside the assets folder: the site would publish it")
                chosen[destination / path.relative_to(assets)] = path
        for target, path in chosen.items():
            write_if_changed(target, path.read_bytes())

    def shown_path(self, filename: str | None, name: str) -> Path:
        """How an error names a template file: relative to the project, or as the package's own."""
        if filename is None:
            return Path(TEMPLATES) / name
        path = Path(filename)
        if path.is_relative_to(DEFAULTS):
            return Path(PACKAGE.name) / TEMPLATES / path.relative_to(DEFAULTS)
        return self.project.relative(path)


def template_error(templates: Templates, exc: Exception, name: str, describe) -> SourceError:
    """A SourceError at the template line where `exc` arose, whichever layer the template came from."""
    if isinstance(exc, jinja2.TemplateNotFound):
        said = exc.message if exc.message and exc.message != exc.name else f"template not found: {exc.name}"
        return SourceError(Path(TEMPLATES) / name, 1, said)
    if isinstance(exc, jinja2.TemplateSyntaxError):
        return SourceError(templates.shown_path(exc.filename, name), exc.lineno or 1, f"Jinja syntax error: {exc.message}")
    filename, line = deepest_template_frame(exc)
    return SourceError(templates.shown_path(filename, name), line or 1, refusal(exc) or describe(exc))


def deepest_template_frame(exc: BaseException, filename: str | None = None) -> tuple[str | None, int | None]:
    """(file, line) of the deepest traceback frame that runs template code (of `filename`, if given)."""
    found: tuple[str | None, int | None] = (None, None)
    tb = exc.__traceback__
    while tb is not None:
        frame = _template_frame(tb)
        if frame is not None and (filename is None or frame[0] == filename):
            found = frame
        tb = tb.tb_next
    return found


def _template_frame(tb) -> tuple[str, int] | None:
    namespace = tb.tb_frame.f_globals
    if "__jinja_exception__" in namespace:  # rewritten by Jinja: already at the template's own line
        return tb.tb_frame.f_code.co_filename, tb.tb_lineno
    template = namespace.get("__jinja_template__")  # raw template code, as make_module runs it
    if template is not None:
        return template.filename or tb.tb_frame.f_code.co_filename, template.get_corresponding_lineno(tb.tb_lineno)
    return None

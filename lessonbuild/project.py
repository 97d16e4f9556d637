"""A lesson project: where its folders are, and its settings ([tool.lessonbuild] in pyproject.toml).

Every folder and file name the build relies on is named here once, and every setting is
declared once: its default, the schema its value must meet, and the help text that `init`
writes beside it.
"""
from __future__ import annotations

import functools
import hashlib
import os
import re
import tomllib
from collections.abc import Iterator
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal, get_args

from lessonbuild.book import Book, find_book
from lessonbuild.errors import NotAProject, SourceError
from lessonbuild.fsutil import BUILD_FOLDER, file_stamp, inside, never_source, walk_files

if TYPE_CHECKING:
    import jsonschema

LESSONS = "lessons"  # lessons/<course>/<slug>.md, with the course's course.yml, helper modules and data/
COURSE_FILE = "course.yml"
DATA = "data"  # a course's data files, beside its lessons
TEMPLATES = "templates"  # the project's own templates, each one overriding the packaged default of that name
FIGURES = "figures"  # figures/<course>/<name>.png, committed
BUILD = BUILD_FOLDER  # "_build": everything generated but the site and the figures
SITE = "site"
MKDOCS_FILE = "mkdocs.yml"
PYPROJECT = "pyproject.toml"
SETTINGS_TABLE = "tool.lessonbuild"
PACKAGE = Path(__file__).resolve().parent
DEFAULT_MKDOCS = PACKAGE / "defaults" / MKDOCS_FILE  # the site settings of a project without its own mkdocs.yml
BOOK_BUILD = "_build/lessonbuild"  # a book's build folder: beside Jupyter Book's own html/ and jupyter_execute/
BOOK_SITE = "_build/site"
BOOK_OWN = ".lessonbuild"  # a book's templates, figures: what a book may add for this build alone


DEFAULT_KERNEL = "python3"  # ipykernel's, installed with the build: the kernel whose environment is the build's
SiteEngine = Literal["mkdocs", "zensical"]
SandboxMode = Literal["auto", "bwrap", "none"]  # see pipeline/execute/sandbox.py
Executor = Literal["local", "dask"]  # where lessons run: this machine's kernels, or a Dask cluster's workers
COLAB_URL = "^(|https://colab\\.research\\.google\\.com/.*\\{notebook\\}.*)$"


def _setting(default: Any, schema: dict[str, Any], help: str) -> Any:
    """A field of Settings: its default, the JSON Schema its value must meet, and the help `init` writes beside it."""
    return field(default=default, metadata={"schema": schema, "help": help})


@dataclass(frozen=True)
class Settings:
    """The project's settings, [tool.lessonbuild] in pyproject.toml: each declared once, here."""

    site_name: str = _setting("Lessons", {"type": "string", "minLength": 1},
                              "the site's name; a project's own mkdocs.yml names it there instead")
    timeout: int = _setting(600, {"type": "integer", "minimum": 1},
                            "seconds one cell may run; a lesson's front matter can set its own")
    kernel: str = _setting(DEFAULT_KERNEL, {"type": "string", "minLength": 1},
                           "the Jupyter kernel lessons run in, unless a lesson's kernelspec names another")
    kernel_env: tuple[str, ...] = _setting((), {"type": "array", "items": {"type": "string"}},
                                           "environment variables, beyond the basic ones, that lesson code may read")
    colab_url: str = _setting("", {"type": "string", "pattern": COLAB_URL},
                              "where Colab opens a published notebook, {notebook} standing for <course>/<lesson>.ipynb; "
                              "empty: no link")
    figure_tolerance: float = _setting(1.0, {"type": "number", "minimum": 0},
                                       "the RMS pixel difference (0-255) a regenerated figure may show before "
                                       "`figures --check` fails")
    jinja_in_code: bool = _setting(True, {"type": "boolean"},
                                   "whether {{ data_path(...) }} and the build's other names work in code cells "
                                   "(false: code is left as written)")
    kernels_per_gpu: int = _setting(1, {"type": "integer", "minimum": 1},
                                    "kernels that share one GPU at once (each takes its memory as it grows)")
    sandbox: SandboxMode = _setting("auto", {"enum": list(get_args(SandboxMode))},
                                    "where lessons' kernels run: \"bwrap\" in bubblewrap's sandbox (Linux; an error "
                                    "where it is missing), \"auto\" in it where it works, \"none\" unconfined")
    kernel_network: bool = _setting(False, {"type": "boolean"},
                                    "whether kernels in the sandbox may use the network (a lesson may ask for it "
                                    "with `lessonbuild: {network: true}` in its front matter)")
    kernel_paths: tuple[str, ...] = _setting((), {"type": "array", "items": {"type": "string"}},
                                             "folders outside the project that kernels in the sandbox may read, "
                                             "which it hides otherwise (the home folder's ~/.keras, say)")
    executor: Executor = _setting("local", {"enum": list(get_args(Executor))},
                                  "where lessons run: \"local\" kernels, or \"dask\" tasks of the Dask cluster whose "
                                  "scheduler --scheduler or DASK_SCHEDULER_ADDRESS names (never a setting: Dask runs "
                                  "what reaches it)")
    cache_url: str = _setting("", {"type": "string"},
                              "a shared cache store that lessons' executed results are read from (and written to "
                              "with --cache-push): a folder, s3://, gs://, or https:// (a published site's _cache/); "
                              "empty: the published site's own where publish_cache is on; \"none\": none")
    publish_cache: bool = _setting(False, {"type": "boolean"},
                                   "whether the site publishes its lessons' cache entries under _cache/, for clones "
                                   "to read (under mkdocs.yml's site_url, else the GitHub Pages address of origin) "
                                   "where cache_url names no other store")
    site_engine: SiteEngine = _setting("mkdocs", {"enum": list(get_args(SiteEngine))},
                                       "what builds site/ from the pages: MkDocs with Material, or Zensical "
                                       "(incremental; pip install 'lessonbuild[zensical]')")


@dataclass(frozen=True)
class Setting:
    """One setting as `init` and the schema see it."""

    name: str
    default: Any
    schema: dict[str, Any]
    help: str


SETTINGS = tuple(Setting(f.name, f.default, f.metadata["schema"], f.metadata["help"]) for f in fields(Settings))
SETTINGS_SCHEMA = {
    "type": "object",
    "properties": {setting.name: setting.schema for setting in SETTINGS},
    "additionalProperties": False,
}


@dataclass(frozen=True)
class Project:
    """A lesson project (lessons/<course>/...), or a book read in place (`book`): its pages stay where its
    authors put them, and everything the build writes goes under the book's own _build/."""

    root: Path
    settings: Settings = field(default_factory=Settings)
    book: Book | None = None

    @property
    def lessons_dir(self) -> Path:
        return self.root if self.book else self.root / LESSONS

    @property
    def templates_dir(self) -> Path:
        return self.root / BOOK_OWN / TEMPLATES if self.book else self.root / TEMPLATES

    @property
    def figures_dir(self) -> Path:
        return self.root / BOOK_OWN / FIGURES if self.book else self.root / FIGURES

    @property
    def build_dir(self) -> Path:
        return self.root / BOOK_BUILD if self.book else self.root / BUILD

    @property
    def site_dir(self) -> Path:
        return self.root / BOOK_SITE if self.book else self.root / SITE

    @property
    def mkdocs_config(self) -> Path:
        """The project's own site settings; the packaged defaults where it has none."""
        own = self.root / MKDOCS_FILE
        return own if own.exists() else DEFAULT_MKDOCS

    def sources(self) -> tuple[list[Path], list[Path]]:
        """What a build reads: (folders, single files). Watching and the up-to-date stamp both use this list."""
        folders = [self.lessons_dir, self.templates_dir, self.figures_dir, PACKAGE]
        files = [self.root / MKDOCS_FILE, self.root / PYPROJECT]
        if self.book:
            files += [self.root / self.book.config_file, self.root / self.book.toc_file]
        return folders, files

    def walk_sources(self, folder: Path) -> Iterator[Path]:
        """The files of a source folder: what the build writes (_build/) and hidden folders (.git, checkpoints)
        left out, since a book's pages share its root with them."""
        return walk_files(folder, skip=never_source)

    def relative(self, path: Path) -> Path:
        """A path as the author sees it: relative to the project root where it lies inside it. A link is named by its
        own name, not by where it leads (its folders' links are followed: the root may be reached through one)."""
        path = Path(path)
        try:
            return (path.parent.resolve() / path.name).relative_to(self.root.resolve())
        except ValueError:
            return Path(path)


def in_ci() -> bool:
    """Whether the CI variable says the build runs in CI, as CI services set it ("true", "1"); "false", "0" or
    nothing say no."""
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no", "off")


@functools.cache
def code_stamp() -> str:
    """The build's own code, by the names, sizes and times of its files: what the stages kept is theirs alone."""
    files = sorted(p for p in walk_files(PACKAGE) if p.suffix == ".py")
    stamps = [(p.relative_to(PACKAGE).as_posix(), file_stamp(p)) for p in files]
    return hashlib.sha256(repr(stamps).encode()).hexdigest()


def load_project(root: Path) -> Project:
    """The project at `root`: a lesson project, or a Jupyter Book or mystmd project read in place."""
    root = Path(root).resolve()
    if (root / LESSONS).is_dir():
        return Project(root=root, settings=load_settings(root / PYPROJECT))
    book = find_book(root) if root.is_dir() else None
    if book is None:
        raise NotAProject(root)
    settings = load_settings(root / PYPROJECT)
    return Project(root=root, settings=replace(settings, **book_settings(book, settings)), book=book)


def book_settings(book: Book, settings: Settings) -> dict[str, Any]:
    """The project settings a book's own configuration gives: its title, its execution timeout, its Colab button."""
    given: dict[str, Any] = {"site_name": book.title}
    if book.timeout is not None:
        given["timeout"] = book.timeout
    if book.colab_url and not settings.colab_url:
        given["colab_url"] = book.colab_url
    return given


def load_settings(pyproject: Path) -> Settings:
    if not pyproject.exists():
        return Settings()
    text = pyproject.read_text(encoding="utf-8")
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise SourceError(Path(PYPROJECT), _toml_error_line(exc), f"invalid TOML: {exc}") from None
    table = data.get("tool", {}).get("lessonbuild", {})
    error = _settings_problem(table)
    if error is not None:
        raise SourceError(Path(PYPROJECT), *_settings_error(error, text))
    lists = {name: tuple(value) for name, value in table.items() if isinstance(value, list)}  # frozen settings hold tuples
    return Settings(**{**table, **lists})


def _settings_problem(table: dict) -> jsonschema.ValidationError | None:
    """What is wrong with the settings, if anything. Every command reads them, a no-op build too: fastjsonschema's
    compiled check says whether they are valid at a twentieth of jsonschema's import time, and jsonschema,
    imported only then, says what is wrong and where."""
    import fastjsonschema

    try:
        _fast_settings_check()(table)
        return None
    except fastjsonschema.JsonSchemaException:
        import jsonschema

        return jsonschema.exceptions.best_match(jsonschema.Draft202012Validator(SETTINGS_SCHEMA).iter_errors(table))


@functools.cache
def _fast_settings_check():
    import fastjsonschema

    return fastjsonschema.compile(SETTINGS_SCHEMA)


def _settings_error(error: jsonschema.ValidationError, text: str) -> tuple[int, str]:
    """The line of the offending key in [tool.lessonbuild], and the message."""
    keys = [str(key) for key in error.absolute_path]
    if error.validator == "additionalProperties":
        unknown = sorted(set(error.instance) - {setting.name for setting in SETTINGS})[0]
        known = ", ".join(s.name for s in SETTINGS)
        return _line_of_setting(text, unknown), f"{SETTINGS_TABLE}: unknown setting '{unknown}' (known: {known})"
    where = ".".join([SETTINGS_TABLE, *keys])
    return _line_of_setting(text, keys[0] if keys else ""), f"{where}: {error.message}"


def setting_error(project: Project, name: str, message: str) -> SourceError:
    """A problem of one setting's value, found after the settings were read: at its line of pyproject.toml."""
    pyproject = project.root / PYPROJECT
    text = pyproject.read_text(encoding="utf-8") if pyproject.is_file() else ""
    return SourceError(Path(PYPROJECT), _line_of_setting(text, name), f"{SETTINGS_TABLE}.{name}: {message}")


def _line_of_setting(text: str, name: str) -> int:
    """The line of `name = ...` inside the [tool.lessonbuild] table; the table's header if not found there."""
    header, lines = 0, text.splitlines()
    for number, line in enumerate(lines, start=1):
        stripped = line.strip()
        if re.fullmatch(r"\[\s*tool\s*\.\s*lessonbuild\s*\]", stripped):
            header = number
        elif header and stripped.startswith("["):
            break
        elif header and name and re.match(rf"[\"']?{re.escape(name)}[\"']?\s*=", stripped):
            return number
    return header or 1


def _toml_error_line(exc: tomllib.TOMLDecodeError) -> int:
    # tomllib puts "(at line N, column M)" at the end of its message.
    match = re.search(r"at line (\d+)", str(exc))
    return int(match[1]) if match else 1


# Keys of mkdocs.yml that the build sets itself, in the configuration it generates.
BUILD_OWNED_MKDOCS_KEYS = ("docs_dir", "site_dir", "nav")


@functools.cache
def _tolerant_loader() -> type:
    """A loader that reads mkdocs.yml without executing or rejecting its tags (!ENV, !!python/name:...). Made when
    a project has its own mkdocs.yml: a project without one needs no YAML reader."""
    import yaml

    class TolerantLoader(yaml.SafeLoader):
        pass

    TolerantLoader.add_multi_constructor("", lambda loader, suffix, node: None)
    TolerantLoader.add_multi_constructor("tag:yaml.org,2002:python/", lambda loader, suffix, node: None)
    return TolerantLoader


def site_name(project: Project) -> str:
    """The site's name, after checking that mkdocs.yml leaves the build-owned keys to the build."""
    if project.mkdocs_config == DEFAULT_MKDOCS:
        return project.settings.site_name
    return str(mkdocs_settings(project).get("site_name", project.settings.site_name))


def site_url(project: Project) -> str:
    """Where the site is published, from mkdocs.yml's `site_url`, ending in a slash; empty where it does not say."""
    if project.mkdocs_config == DEFAULT_MKDOCS:
        return ""
    url = str(mkdocs_settings(project).get("site_url") or "")
    return url if not url or url.endswith("/") else f"{url}/"


def book_logo(project: Project) -> Path | None:
    """The book's logo, where it names a file inside the book (the site shows it as the theme's logo)."""
    if project.book is None or not project.book.logo:
        return None
    file = inside(project.root / project.book.logo, project.root)
    return file if file is not None and file.is_file() else None


def pages_in_folders(project: Project) -> bool:
    """Whether the site publishes each page as its own folder's index.html (`page/`), as MkDocs does by default."""
    return mkdocs_settings(project).get("use_directory_urls", True) is not False


def mkdocs_settings(project: Project) -> dict:
    """The project's own mkdocs.yml, checked to leave the build-owned keys to the build."""
    path = project.mkdocs_config
    text = path.read_text(encoding="utf-8")
    import yaml

    from lessonbuild.yamldoc import check_bounds

    check_bounds(text, Path(MKDOCS_FILE))  # MkDocs would hang on an alias bomb, and this loader too
    try:
        settings = yaml.load(text, Loader=_tolerant_loader()) or {}
    except yaml.MarkedYAMLError as exc:
        line = 1 + (exc.problem_mark.line if exc.problem_mark else 0)
        raise SourceError(Path(MKDOCS_FILE), line, f"invalid YAML: {exc.problem}") from None
    if not isinstance(settings, dict):
        raise SourceError(Path(MKDOCS_FILE), 1, "expected a YAML mapping of MkDocs settings")
    for key in BUILD_OWNED_MKDOCS_KEYS:
        if key in settings:
            line = next((n for n, text_line in enumerate(text.splitlines(), 1) if text_line.startswith(f"{key}:")), 1)
            message = f"'{key}' is set by the build (pages come from {LESSONS}/); remove it here"
            raise SourceError(Path(MKDOCS_FILE), line, message)
    return settings

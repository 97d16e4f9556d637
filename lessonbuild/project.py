"""Where a project's folders are, and its settings from pyproject.toml's [tool.lessonbuild]."""
from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from pathlib import Path

import jsonschema
import yaml

from .errors import SourceError, UsageError

SETTINGS_SCHEMA = {
    "type": "object",
    "properties": {
        "timeout": {"type": "integer", "minimum": 1},
        "kernel": {"type": "string", "minLength": 1},
        "kernel_env": {"type": "array", "items": {"type": "string"}},
        "colab_url": {"type": "string", "pattern": "^(|https://colab\\.research\\.google\\.com/.*\\{notebook\\}.*)$"},
        "figure_tolerance": {"type": "number", "minimum": 0},
    },
    "additionalProperties": False,
}


@dataclass(frozen=True)
class Settings:
    timeout: int = 600  # seconds one cell may run
    kernel: str = "python3"
    kernel_env: tuple[str, ...] = ()  # extra environment variables lessons may read
    # Where Colab finds the published notebooks, with {notebook} for "<course>/<lesson>.ipynb";
    # empty: no "Open in Colab" link.
    colab_url: str = ""
    figure_tolerance: float = 1.0  # RMS of the pixel difference (0-255) a regenerated figure may show


@dataclass(frozen=True)
class Project:
    root: Path
    settings: Settings = field(default_factory=Settings)

    @property
    def lessons_dir(self) -> Path:
        return self.root / "lessons"

    @property
    def templates_dir(self) -> Path:
        return self.root / "templates"

    @property
    def figures_dir(self) -> Path:
        return self.root / "figures"

    @property
    def build_dir(self) -> Path:
        return self.root / "_build"

    @property
    def site_dir(self) -> Path:
        return self.root / "site"

    @property
    def mkdocs_config(self) -> Path:
        return self.root / "mkdocs.yml"

    def relative(self, path: Path) -> Path:
        """A path as the author sees it: relative to the project root where it lies inside it."""
        try:
            return Path(path).resolve().relative_to(self.root.resolve())
        except ValueError:
            return Path(path)


def load_project(root: Path) -> Project:
    root = Path(root).resolve()
    if not (root / "lessons").is_dir():
        raise UsageError(f"{root}: no lessons/ folder here; is this a lesson project?")
    return Project(root=root, settings=_load_settings(root / "pyproject.toml"))


def _load_settings(pyproject: Path) -> Settings:
    if not pyproject.exists():
        return Settings()
    try:
        data = tomllib.loads(pyproject.read_text(encoding="utf-8"))
    except tomllib.TOMLDecodeError as exc:
        raise SourceError(Path("pyproject.toml"), _toml_error_line(exc), f"invalid TOML: {exc}") from None
    table = data.get("tool", {}).get("lessonbuild", {})
    error = jsonschema.exceptions.best_match(jsonschema.Draft202012Validator(SETTINGS_SCHEMA).iter_errors(table))
    if error is not None:
        where = ".".join(str(p) for p in error.absolute_path)
        key = f"tool.lessonbuild.{where}" if where else "tool.lessonbuild"
        raise SourceError(Path("pyproject.toml"), _line_of_key(pyproject, "lessonbuild"), f"{key}: {error.message}")
    if "kernel_env" in table:
        table = {**table, "kernel_env": tuple(table["kernel_env"])}
    return Settings(**table)


def _toml_error_line(exc: tomllib.TOMLDecodeError) -> int:
    # tomllib puts "(at line N, column M)" at the end of its message.
    text = str(exc)
    marker = "at line "
    if marker in text:
        digits = text.split(marker, 1)[1].split(",", 1)[0].rstrip(")")
        if digits.isdigit():
            return int(digits)
    return 1


def _line_of_key(path: Path, word: str) -> int:
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if word in line:
            return number
    return 1


# Keys of mkdocs.yml that the build sets itself, in the configuration it generates.
BUILD_OWNED_MKDOCS_KEYS = ("docs_dir", "site_dir", "nav")


class _TolerantLoader(yaml.SafeLoader):
    """Reads mkdocs.yml without executing or rejecting its tags (!ENV, !!python/name:...)."""


_TolerantLoader.add_multi_constructor("", lambda loader, suffix, node: None)
_TolerantLoader.add_multi_constructor("tag:yaml.org,2002:python/", lambda loader, suffix, node: None)


def site_name(project: Project) -> str:
    """mkdocs.yml's site_name, after checking it leaves the build-owned keys to the build."""
    path = project.mkdocs_config
    if not path.exists():
        raise UsageError(f"{path.name}: not found; the site's settings live there")
    text = path.read_text(encoding="utf-8")
    try:
        settings = yaml.load(text, Loader=_TolerantLoader) or {}
    except yaml.MarkedYAMLError as exc:
        line = 1 + (exc.problem_mark.line if exc.problem_mark else 0)
        raise SourceError(Path(path.name), line, f"invalid YAML: {exc.problem}") from None
    for key in BUILD_OWNED_MKDOCS_KEYS:
        if key in settings:
            message = f"'{key}' is set by the build (pages come from lessons/); remove it here"
            raise SourceError(Path(path.name), _line_of_key(path, f"{key}:"), message)
    return str(settings.get("site_name", "Lessons"))

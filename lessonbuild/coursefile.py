"""A course's course.yml: its title, its lessons in order (each a tutorial, an exercise or both), and Kaggle settings.

    title: Computer Vision
    kaggle:                                # optional; the `kaggle` target needs it
      owner: ryanholbrook                  # kernels are owner/<slug of their title>
      course_url: https://www.kaggle.com/learn/computer-vision
      data_source: ryanholbrook/computer-vision-resources  # holds data/ and the helper modules
      enable_gpu: true                     # defaults for every kernel of the course
    lessons:
      - 02-convolution-and-relu            # a tutorial only
      - tutorial: 03-maximum-pooling
        exercise:
          lesson: 03-exercise-maximum-pooling
          kaggle: {id: 10283812, enable_internet: true}

The settings each notebook's kernel-metadata.json takes are resolved here, once, so that
every mistake in them is a `course.yml:line` error of `check`, not a surprise at push time.
The commands that add lessons (`new`, `import`) edit the file here too, with ruamel.yaml's
round trip, so that the author's comments, order and quoting survive.
"""
from __future__ import annotations

import io
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ruamel.yaml import YAML
from ruamel.yaml.comments import CommentedMap
from ruamel.yaml.error import MarkedYAMLError

from lessonbuild.errors import SourceError, UsageError
from lessonbuild.fsutil import write_atomic
from lessonbuild.model import KaggleKernel, Lesson, Role
from lessonbuild.project import COURSE_FILE
from lessonbuild.yamldoc import load_yaml, load_yaml_tree, node_line

SLUG = r"^[A-Za-z0-9][A-Za-z0-9_.-]*$"
KAGGLE_REF = r"^[A-Za-z0-9][A-Za-z0-9_-]*/[A-Za-z0-9][A-Za-z0-9_.-]*$"  # owner/name
KERNEL_TITLE_LIMIT = 50  # Kaggle refuses longer kernel titles
COURSE_PAGE = "index"  # the course's own page is index.md, beside its lessons' pages (see publish/pages.py)
SOURCE_LISTS = ("dataset_sources", "competition_sources", "kernel_sources", "model_sources", "keywords")
KERNEL_DEFAULTS: dict[str, Any] = {"enable_gpu": False, "enable_internet": False, "is_private": True}

_STRINGS = {"type": "array", "items": {"type": "string", "minLength": 1}}
KERNEL_SETTINGS = {
    **{flag: {"type": "boolean"} for flag in KERNEL_DEFAULTS},
    **dict.fromkeys(SOURCE_LISTS, _STRINGS),
}
NOTEBOOK_KAGGLE = {
    "type": "object",
    "properties": {
        "slug": {"type": "string", "pattern": KAGGLE_REF},
        "id": {"type": "integer", "minimum": 1},
        "title": {"type": "string", "minLength": 1, "maxLength": KERNEL_TITLE_LIMIT},
        **KERNEL_SETTINGS,
    },
    "additionalProperties": False,
}
NOTEBOOK = {
    "oneOf": [
        {"type": "string", "pattern": SLUG},
        {
            "type": "object",
            "properties": {"lesson": {"type": "string", "pattern": SLUG}, "kaggle": NOTEBOOK_KAGGLE},
            "required": ["lesson"],
            "additionalProperties": False,
        },
    ]
}
LESSON_LIST = {
    "type": "array",
    "minItems": 1,
    "items": {
        "oneOf": [
            {"type": "string", "pattern": SLUG},
            {
                "type": "object",
                "properties": {"tutorial": NOTEBOOK, "exercise": NOTEBOOK, "topic": {"type": "string", "minLength": 1}},
                "additionalProperties": False,
            },
        ]
    },
}
COURSE_SCHEMA = {
    "type": "object",
    "properties": {
        "title": {"type": "string", "minLength": 1},
        "description": {"type": "string"},
        "kaggle": {
            "type": "object",
            "properties": {
                "owner": {"type": "string", "pattern": r"^[A-Za-z0-9][A-Za-z0-9_-]*$"},
                "course_url": {"type": "string", "pattern": r"^https?://"},
                "forum_url": {"type": "string", "pattern": r"^https?://"},
                "data_source": {"type": "string", "pattern": KAGGLE_REF},
                **KERNEL_SETTINGS,
            },
            "additionalProperties": False,
        },
        "lessons": LESSON_LIST,
    },
    "required": ["title", "lessons"],
    "additionalProperties": False,
}

# What `new` and `import` read of a course file before they edit it: the lessons as `check` reads them, an
# empty list too (it is about to grow); the rest is `check`'s business.
EDITABLE_SCHEMA = {"type": "object", "properties": {"lessons": {**LESSON_LIST, "minItems": 0}}}


@dataclass(frozen=True)
class Listed:
    """One notebook as the course file lists it."""

    slug: str
    role: Role
    number: int  # the lesson it belongs to, from 1
    line: int  # in the course file
    kaggle: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class CourseFile:
    path: Path  # relative to the project
    title: str
    description: str
    listed: tuple[Listed, ...]  # in course order
    topics: dict[int, str]  # lesson number -> the topic the file gives, where it gives one
    kaggle: dict[str, Any] | None

    @property
    def lesson_count(self) -> int:
        return max((entry.number for entry in self.listed), default=0)


def read_course_file(text: str, path: Path) -> CourseFile:
    """Parse and check a course file; raise SourceError at the offending line."""
    meta, root = load_yaml_tree(text, path, 1, COURSE_SCHEMA)  # each entry's line is looked up in the tree
    listed: list[Listed] = []
    topics: dict[int, str] = {}
    seen: dict[str, int] = {}  # lesson slug -> the line that first lists it
    for index, entry in enumerate(meta["lessons"]):
        number = index + 1
        if isinstance(entry, str):
            entry = {"tutorial": entry}
        if "tutorial" not in entry and "exercise" not in entry:
            line = 1 + node_line(root, ["lessons", index])
            raise SourceError(path, line, "a lesson names its tutorial, its exercise or both (tutorial: SLUG, exercise: SLUG)")
        if "topic" in entry:
            topics[number] = entry["topic"]
        for role in ("tutorial", "exercise"):
            if role not in entry:
                continue
            notebook = entry[role] if isinstance(entry[role], dict) else {"lesson": entry[role]}
            line = 1 + node_line(root, ["lessons", index, role])  # a plain item: its own line
            if notebook["lesson"] == COURSE_PAGE:
                raise SourceError(path, line, f"a lesson cannot be named '{COURSE_PAGE}': its page would be the "
                                  "course's own page (rename the lesson's file and this entry)")
            if notebook["lesson"] in seen:
                raise SourceError(path, line, f"lesson '{notebook['lesson']}' is listed twice (first at line {seen[notebook['lesson']]})")
            seen[notebook["lesson"]] = line
            listed.append(Listed(notebook["lesson"], role, number, line, notebook.get("kaggle", {})))
    return CourseFile(path, meta["title"], meta.get("description", ""), tuple(listed), topics, meta.get("kaggle"))


def with_kernels(course_file: CourseFile, lessons: dict[str, Lesson]) -> dict[str, KaggleKernel]:
    """The Kaggle kernel of each lesson read (by slug); none when the course file has no kaggle settings."""
    if course_file.kaggle is None:
        return {}
    kernels: dict[str, KaggleKernel] = {}
    lines_of: dict[str, int] = {}  # kernel slug -> the line of the lesson it is the kernel of
    for entry in course_file.listed:
        if entry.slug not in lessons:
            continue
        kernel = kernels[entry.slug] = _kernel(course_file, entry, lessons[entry.slug])
        if kernel.slug in lines_of:
            raise SourceError(course_file.path, entry.line, f"kaggle slug '{kernel.slug}' is the kernel of line "
                              f"{lines_of[kernel.slug]} too: each push would overwrite the other (give one a slug or a title)")
        lines_of[kernel.slug] = entry.line
    return {slug: _resolve_kernel_sources(kernel, kernels) for slug, kernel in kernels.items()}


def _kernel(course_file: CourseFile, entry: Listed, lesson: Lesson) -> KaggleKernel:
    course = course_file.kaggle
    if course is None:  # with_kernels makes no kernels for a course file without kaggle settings
        raise ValueError(f"{course_file.path}: no kaggle settings to make a kernel of")
    own = entry.kaggle
    title = own.get("title", lesson.title)
    if len(title) > KERNEL_TITLE_LIMIT:
        raise SourceError(course_file.path, entry.line, f"Kaggle allows kernel titles of {KERNEL_TITLE_LIMIT} characters; "
                          f"'{title}' has {len(title)} (give this lesson a kaggle title)")
    slug = own.get("slug")
    if slug is None and "owner" not in course:
        message = f"lesson '{entry.slug}' needs a kaggle slug, or the course's kaggle settings an owner"
        raise SourceError(course_file.path, entry.line, message)
    settings = {flag: own.get(flag, course.get(flag, default)) for flag, default in KERNEL_DEFAULTS.items()}
    for name in SOURCE_LISTS:
        settings[name] = sorted(set(course.get(name, [])) | set(own.get(name, [])))
    if "data_source" in course and course["data_source"] not in settings["dataset_sources"]:
        settings["dataset_sources"] = sorted(settings["dataset_sources"] + [course["data_source"]])
    return KaggleKernel(slug=slug or f"{course['owner']}/{title_slug(title)}", title=title, id=own.get("id"), settings=settings)


def _resolve_kernel_sources(kernel: KaggleKernel, kernels: dict[str, KaggleKernel]) -> KaggleKernel:
    """A kernel source may name a lesson of the course: it stands for that lesson's kernel."""
    sources = sorted(kernels[name].slug if name in kernels else name for name in kernel.settings["kernel_sources"])
    return KaggleKernel(kernel.slug, kernel.title, kernel.id, {**kernel.settings, "kernel_sources": sources})


def title_slug(title: str) -> str:
    """A title as a slug, as Kaggle makes one of a kernel's title: lower case, words joined by hyphens, no punctuation."""
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")


# Editing: what `new` and `import` add to a course file.

SLUG_NUMBER = re.compile(r"^(\d+)-")


def course_folder(lessons_dir: Path, course: str) -> Path:
    """The folder of the course named `course`, which must be a plain folder name."""
    if not re.match(SLUG, course):
        raise UsageError(f"course {course!r}: use letters, digits, '.', '_' and '-'")
    folder = lessons_dir / course
    if folder.exists() and not folder.is_dir():
        raise UsageError(f"course {course!r}: {folder.relative_to(lessons_dir.parent).as_posix()} is a file, not a folder")
    return folder


def open_course_file(folder: Path, shown: Path) -> CommentedMap:
    """The course file of `folder` as an editable mapping; a new one for a course that has none yet.

    `shown` is the file's path as errors name it (relative to the project)."""
    path = folder / COURSE_FILE
    if not path.exists():
        return CommentedMap(title=folder.name.replace("-", " ").title(), description="", lessons=[])
    text = path.read_text(encoding="utf-8")
    load_yaml(text, shown, 1, EDITABLE_SCHEMA)  # the checks `check` makes of what is edited, aliases and depth too
    try:
        meta = _round_trip().load(text) or CommentedMap()
    except MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        raise SourceError(shown, 1 + (mark.line if mark else 0), f"invalid YAML: {exc.problem or exc.context}") from None
    if not isinstance(meta, CommentedMap) or not isinstance(meta.get("lessons", []), list):
        raise SourceError(shown, 1, "expected a mapping with a list of lessons; fix it before adding lessons")
    meta.setdefault("lessons", [])
    return meta


def save_course_file(folder: Path, meta: CommentedMap) -> None:
    path = folder / COURSE_FILE
    original = path.read_text(encoding="utf-8") if path.exists() else ""
    buffer = io.StringIO()
    _round_trip(original).dump(meta, buffer)
    write_atomic(path, buffer.getvalue())


def _round_trip(original: str = "") -> YAML:
    round_trip = YAML()
    round_trip.preserve_quotes = True
    round_trip.width = 4096  # never fold an author's long line
    # Keep the author's list style: items flush with `lessons:` or indented under it.
    indented = re.search(r"^lessons:[ \t]*\n(?:[ \t]*#.*\n)*([ \t]+)-", original, re.MULTILINE)
    offset = len(indented[1]) if indented else 0
    round_trip.indent(mapping=2, sequence=offset + 2, offset=offset)
    return round_trip


def listed_slugs(meta: dict) -> list[str]:
    """Every lesson file a course file lists: plain entries, and the tutorials and exercises of the others."""
    slugs = []
    for entry in meta["lessons"]:
        notebooks = [entry] if isinstance(entry, str) else [entry[r] for r in ("tutorial", "exercise") if r in entry]
        slugs += [notebook_slug(notebook) for notebook in notebooks]
    return slugs


def notebook_slug(notebook: str | dict) -> str:
    """A notebook as a course file names it: its slug, or {lesson: slug, kaggle: ...}."""
    return notebook if isinstance(notebook, str) else notebook["lesson"]


def add_lessons(meta: CommentedMap, entries: list[str | dict]) -> None:
    """Append lessons (a slug, or {tutorial: slug, exercise: slug}) to the course's order."""
    meta["lessons"].extend(entries)


def add_exercise(meta: CommentedMap, tutorial: str, exercise: str) -> None:
    """Make `exercise` the exercise of the lesson whose tutorial is `tutorial`, where that lesson stands."""
    for index, entry in enumerate(meta["lessons"]):
        listed_tutorial = entry if isinstance(entry, str) else entry.get("tutorial")
        if listed_tutorial is None or notebook_slug(listed_tutorial) != tutorial:
            continue
        if isinstance(entry, dict) and "exercise" in entry:
            raise UsageError(f"lesson '{tutorial}' has an exercise already")
        if isinstance(entry, str):
            meta["lessons"][index] = CommentedMap(tutorial=entry, exercise=exercise)
        else:
            entry["exercise"] = exercise
        return
    raise UsageError(f"no tutorial '{tutorial}' in this course's {COURSE_FILE}")


def next_slug(lessons: list[str], title: str) -> str:
    """NN-title, NN one past the highest number among `lessons`."""
    numbers = [int(m[1]) for slug in lessons if (m := SLUG_NUMBER.match(slug))]
    return f"{max(numbers, default=0) + 1:02d}-{lesson_slug(title)}"


def exercise_slug(tutorial_slug: str, title: str) -> str:
    """An exercise shares its tutorial's number: 03-maximum-pooling -> 03-exercise-maximum-pooling."""
    return f"{tutorial_slug.split('-', 1)[0]}-{lesson_slug(title)}"


def lesson_slug(title: str) -> str:
    return title_slug(title) or "lesson"

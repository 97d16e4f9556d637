"""`build.py new COURSE "Title" [--exercise-of SLUG]`: a new lesson from templates/new/lesson.md.j2, listed in its course."""
from __future__ import annotations

import json
import re
from pathlib import Path

import jinja2
import yaml

from .errors import UsageError
from .fsutil import write_atomic
from .coursefile import title_slug
from .project import Project

COURSE_SLUG = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")


def new_lesson(project: Project, course: str, title: str, exercise_of: str | None = None) -> Path:
    """Write lessons/COURSE/NN-title.md (NN: one past the highest number there) and list it in course.yml.

    With `exercise_of`, the new notebook is the exercise of that tutorial and shares its number.
    """
    folder, meta = course_file(project, course)
    if exercise_of is None:
        slug = next_slug(listed_slugs(meta), title)
    else:
        slug = exercise_slug(exercise_of, title)
    path = folder / f"{slug}.md"
    if path.exists():
        raise UsageError(f"{project.relative(path).as_posix()} exists already")
    if exercise_of is not None:
        _add_exercise(meta, exercise_of, slug)
    role = "tutorial" if exercise_of is None else "exercise"
    write_atomic(path, _templates(project).get_template("new/lesson.md.j2").render(title=title, course=meta, role=role))
    list_lessons(folder, meta, [slug] if exercise_of is None else [])
    return path


def _templates(project: Project) -> jinja2.Environment:
    environment = jinja2.Environment(loader=jinja2.FileSystemLoader(project.templates_dir), undefined=jinja2.StrictUndefined)
    environment.filters["yaml_string"] = lambda text: json.dumps(text, ensure_ascii=False)  # a JSON string is YAML
    return environment


def _add_exercise(meta: dict, tutorial: str, exercise: str) -> None:
    """Make `exercise` the exercise of the lesson whose tutorial is `tutorial`, in the course file's order."""
    for index, entry in enumerate(meta["lessons"]):
        if _tutorial_of(entry) != tutorial:
            continue
        if isinstance(entry, dict) and "exercise" in entry:
            raise UsageError(f"lesson '{tutorial}' has an exercise already")
        meta["lessons"][index] = {**({"tutorial": entry} if isinstance(entry, str) else entry), "exercise": exercise}
        return
    raise UsageError(f"no tutorial '{tutorial}' in this course's course.yml")


def _tutorial_of(entry: str | dict) -> str | None:
    tutorial = entry if isinstance(entry, str) else entry.get("tutorial")
    return None if tutorial is None else _notebook_slug(tutorial)


def _notebook_slug(notebook: str | dict) -> str:
    """A notebook as a course file names it: its slug, or {lesson: slug, kaggle: ...}."""
    return notebook if isinstance(notebook, str) else notebook["lesson"]


def course_file(project: Project, course: str) -> tuple[Path, dict]:
    """The course's folder and its course.yml settings; new ones for a course that has none yet."""
    if not COURSE_SLUG.match(course):
        raise UsageError(f"course {course!r}: use letters, digits, '.', '_' and '-'")
    folder = project.lessons_dir / course
    path = folder / "course.yml"
    meta = yaml.safe_load(path.read_text(encoding="utf-8")) if path.exists() else None
    meta = meta or {"title": course.replace("-", " ").title(), "description": ""}
    meta.setdefault("lessons", [])
    return folder, meta


def listed_slugs(meta: dict) -> list[str]:
    """Every lesson file a course file lists: plain entries, and the tutorials and exercises of the others."""
    slugs = []
    for entry in meta["lessons"]:
        notebooks = [entry] if isinstance(entry, str) else [entry[r] for r in ("tutorial", "exercise") if r in entry]
        slugs += [_notebook_slug(notebook) for notebook in notebooks]
    return slugs


def next_slug(lessons: list[str], title: str) -> str:
    """NN-title, NN one past the highest number among `lessons`."""
    numbers = [int(m[1]) for slug in lessons if (m := re.match(r"^(\d+)-", slug))]
    return f"{max(numbers, default=0) + 1:02d}-{slugify(title)}"


def list_lessons(folder: Path, meta: dict, entries: list[str | dict]) -> None:
    """Append lessons (a slug, or {tutorial: slug, exercise: slug}) to the course's order in its course.yml."""
    meta["lessons"] = [*meta["lessons"], *entries]
    write_atomic(folder / "course.yml", yaml.safe_dump(meta, sort_keys=False, allow_unicode=True))


def exercise_slug(tutorial_slug: str, title: str) -> str:
    """An exercise shares its tutorial's number: 03-maximum-pooling -> 03-exercise-maximum-pooling."""
    return f"{tutorial_slug.split('-', 1)[0]}-{slugify(title)}"


def slugify(title: str) -> str:
    return title_slug(title) or "lesson"

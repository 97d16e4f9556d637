"""`build.py new COURSE "Title"`: a new lesson from templates/new/lesson.md.j2, listed in its course."""
from __future__ import annotations

import re
from pathlib import Path

import jinja2
import yaml

from .errors import UsageError
from .fsutil import write_atomic
from .project import Project

COURSE_SLUG = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]*$")


def new_lesson(project: Project, course: str, title: str) -> Path:
    """Write lessons/COURSE/NN-title.md (NN: one past the highest number there) and list it in course.yml."""
    if not COURSE_SLUG.match(course):
        raise UsageError(f"course {course!r}: use letters, digits, '.', '_' and '-'")
    folder = project.lessons_dir / course
    course_file = folder / "course.yml"
    meta = yaml.safe_load(course_file.read_text(encoding="utf-8")) if course_file.exists() else None
    meta = meta or {"title": course.replace("-", " ").title(), "description": "", "lessons": []}
    numbers = [int(m[1]) for slug in meta["lessons"] if (m := re.match(r"^(\d+)-", slug))]
    slug = f"{max(numbers, default=0) + 1:02d}-{slugify(title)}"
    path = folder / f"{slug}.md"
    if path.exists():
        raise UsageError(f"{project.relative(path).as_posix()} exists already")
    template = jinja2.Environment(loader=jinja2.FileSystemLoader(project.templates_dir), undefined=jinja2.StrictUndefined)
    write_atomic(path, template.get_template("new/lesson.md.j2").render(title=title, course=meta))
    meta["lessons"] = [*meta["lessons"], slug]
    write_atomic(course_file, yaml.safe_dump(meta, sort_keys=False, allow_unicode=True))
    return path


def slugify(title: str) -> str:
    return re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-") or "lesson"

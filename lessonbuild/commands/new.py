"""`lessonbuild new COURSE "Title" [--exercise-of SLUG]`: a new lesson from the new-lesson template, listed in its course."""
from __future__ import annotations

import argparse
import json
import unicodedata
from pathlib import Path

from lessonbuild.commands import lesson_project
from lessonbuild.errors import UsageError
from lessonbuild.fsutil import write_atomic
from lessonbuild.project import COURSE_FILE, Project

HELP = "write a new lesson from the new-lesson template and list it in its course"
NEEDS_PROJECT = True
EXECUTES = False


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("course", help="the course folder under lessons/ (created if need be)")
    parser.add_argument("title", help="the lesson's title")
    parser.add_argument("--exercise-of", metavar="SLUG", help="write the exercise of this tutorial, listed beside it")


def run(project: Project, args: argparse.Namespace) -> int:
    path = new_lesson(lesson_project(project, "new"), args.course, args.title, exercise_of=args.exercise_of)
    print(f"wrote {project.relative(path).as_posix()}")
    return 0


def new_lesson(project: Project, course: str, title: str, exercise_of: str | None = None) -> Path:
    """Write lessons/COURSE/NN-title.md (NN: one past the highest number there) and list it in course.yml.

    With `exercise_of`, the new notebook is the exercise of that tutorial and shares its number.
    """
    from lessonbuild.coursefile import (  # imported here: see commands/check.py
        add_exercise,
        add_lessons,
        course_folder,
        exercise_slug,
        listed_slugs,
        next_slug,
        open_course_file,
        save_course_file,
    )

    title = _checked_title(title)
    folder = course_folder(project.lessons_dir, course)
    meta = open_course_file(folder, project.relative(folder / COURSE_FILE))
    slug = next_slug(listed_slugs(meta), title) if exercise_of is None else exercise_slug(exercise_of, title)
    path = folder / f"{slug}.md"
    if path.exists():
        raise UsageError(f"{project.relative(path).as_posix()} exists already")
    if exercise_of is None:
        add_lessons(meta, [slug])
    else:
        add_exercise(meta, exercise_of, slug)
    role = "tutorial" if exercise_of is None else "exercise"
    write_atomic(path, _lesson_text(project, title=title, course=meta, role=role))
    save_course_file(folder, meta)
    return path


def _checked_title(title: str) -> str:
    """The title without the spaces around it; one line of text, not nothing."""
    title = title.strip()
    if not title:
        raise UsageError('the lesson needs a title, such as "Loops and Lists"')
    if any(unicodedata.category(character) == "Cc" for character in title):
        raise UsageError(f"title {title!r}: a title is one line, without control characters")
    return title


def _lesson_text(project: Project, **context) -> str:
    from lessonbuild.pipeline.render.templates import NEW_LESSON, Templates, template_error  # see commands/check.py

    templates = Templates(project)
    environment = templates.environment()
    environment.filters["yaml_string"] = lambda text: json.dumps(text, ensure_ascii=False)  # a JSON string is YAML
    try:
        return environment.get_template(NEW_LESSON).render(**context)
    except Exception as exc:  # noqa: BLE001 - whatever the template raises is the template's problem
        raise template_error(templates, exc, NEW_LESSON, lambda e: f"template error: {type(e).__name__}: {e}") from None

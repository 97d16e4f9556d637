"""Each lesson's rendered notebook kept beside the render stage, so that an edit renders that lesson alone.

A lesson's render depends on its own source (as read), on what every template may see of its
course (titles, front matter, order), on the templates, the settings and the build's own code,
and on the files its prose looked at (an include, a CSV table, an image, a data file). The key
covers the first four; the files are recorded with their size and time and looked at again
before a kept render is used. What the render leaves for the whole course to finish (its
labels and its references to labels) is kept with it, so the references are still resolved
across every lesson of the course, as if all of them had been rendered again.
"""
from __future__ import annotations

import hashlib
import pickle
from pathlib import Path
from typing import NamedTuple

from lessonbuild.fsutil import file_stamp, write_atomic
from lessonbuild.model import Course, Lesson, RenderedLesson
from lessonbuild.myst.references import Reference, Target
from lessonbuild.project import Project, code_stamp
from lessonbuild.state import names

FORMAT = 1  # bump when what a kept render holds changes


class Resolvable(NamedTuple):
    """What a rendered lesson leaves for its course to resolve: its labels, and its references to labels."""

    targets: list[Target]
    references: list[Reference]


class RenderCache:
    """The kept renders of one course, for the site."""

    def __init__(self, project: Project, course: Course, context: str):
        self.project, self.course = project, course
        self.folder = project.build_dir / names.RENDER / course.slug
        outline = [(lesson.slug, lesson.path, lesson.front_matter, lesson.role, lesson.number, lesson.readable)
                   for lesson in course.lessons]
        units = [(unit.number, unit.topic, unit.tutorial and unit.tutorial.slug, unit.exercise and unit.exercise.slug)
                 for unit in course.units]  # the topics the link macros show
        course_part = (course.slug, course.path, course.title, course.description, course.kaggle, outline, units)
        self.course_key = _digest(repr((FORMAT, code_stamp(), context, repr(project.settings), course_part)))

    def get(self, lesson: Lesson) -> tuple[RenderedLesson, Resolvable] | None:
        """The lesson's kept render, when its key matches and no file it looked at changed since."""
        try:
            kept = pickle.loads((self.folder / f"{lesson.slug}.pickle").read_bytes())
        except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, ValueError, TypeError):
            return None  # none yet, or not readable: the lesson is rendered
        if kept.get("key") != self._key(lesson) or any(file_stamp(Path(p)) != s for p, s in kept["files"].items()):
            return None
        notebook, origins, data_files, assets, warnings, resolvable = kept["render"]
        rendered = RenderedLesson(self.course, lesson, notebook, origins, data_files=data_files, assets=assets,
                                  warnings=warnings)
        return rendered, Resolvable(*resolvable)

    def put(self, rendered: RenderedLesson, resolvable: Resolvable, looked_at: list[Path]) -> None:
        """Keep a render (before its references are resolved) with the files it looked at."""
        files = [*looked_at, *(self.project.lessons_dir / a for a in rendered.assets),
                 *(self.project.root / d for d in rendered.data_files)]
        render = (rendered.notebook, rendered.cell_origins, rendered.data_files, rendered.assets, rendered.warnings,
                  tuple(resolvable))
        kept = {"key": self._key(rendered.lesson), "files": {str(f): file_stamp(f) for f in files}, "render": render}
        write_atomic(self.folder / f"{rendered.lesson.slug}.pickle", pickle.dumps(kept, protocol=pickle.HIGHEST_PROTOCOL))

    def _key(self, lesson: Lesson) -> str:
        return _digest(self.course_key + repr(lesson))


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()

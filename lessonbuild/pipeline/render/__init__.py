"""Stage 2, render: a course's lessons -> nbformat 4 notebooks through Jinja, one per target."""
from lessonbuild.pipeline.render.notebooks import render_course

__all__ = ["render_course"]

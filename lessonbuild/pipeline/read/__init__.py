"""Stage 1, read: lessons/ -> Course values, each lesson's cells with the source lines they start on."""
from lessonbuild.pipeline.read.lessons import read_courses

__all__ = ["read_courses"]

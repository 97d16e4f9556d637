"""Stage 5, publish: executed lessons -> Markdown pages, images and the learners' downloads for the site engine."""
from lessonbuild.pipeline.publish.pages import publish

__all__ = ["publish"]

"""A learntools track folder as a course to import: its lessons in order, titles, topics and Kaggle kernels.

The folder holds `track_meta.py` (read as data by trackmeta.py), the raw notebooks under
`raw/`, and one configuration per way of rendering it (`prod.yaml`, `testing.yaml`). The
course is what learntools' own renderer makes of it in PROD: the same titles (a lesson's
topic in title case, "Exercise: " before an exercise's), the same kernel slugs and ids, the
same sources and flags.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from titlecase import titlecase

from lessonbuild.coursefile import KERNEL_TITLE_LIMIT, SOURCE_LISTS
from lessonbuild.errors import SourceError, SourceLocation, SourceWarning
from lessonbuild.importers.trackmeta import TrackMeta, read_track_meta
from lessonbuild.yamldoc import value_or_none

TRACK_META = "track_meta.py"
RAW = "raw"
SLUG_DROPS = str.maketrans("", "", "(),:&")  # what learntools takes out of a title to make a kernel slug


@dataclass
class PlannedNotebook:
    source: Path
    title: str
    kaggle: dict[str, Any]  # the notebook's own kernel settings for the course file


@dataclass
class PlannedLesson:
    tutorial: PlannedNotebook | None
    exercise: PlannedNotebook | None
    topic: str | None = None


@dataclass
class TrackPlan:
    title: str
    kaggle: dict[str, Any]  # the course-wide kaggle settings
    lessons: list[PlannedLesson]
    warnings: list[SourceWarning] = field(default_factory=list)


def is_track(folder: Path) -> bool:
    return folder.is_dir() and (folder / TRACK_META).is_file()


def plan_track(folder: Path, shown: Path) -> TrackPlan:
    """The course that the track in `folder` describes; `shown` is the folder as messages name it."""
    meta = read_track_meta(folder / TRACK_META, shown / TRACK_META)
    config = _prod_config(folder)
    author = config.get("author") or meta.track.get("author_username")
    notebooks = [_notebook(folder, shown, meta, config, entry, author) for entry in meta.notebooks]
    by_file = {entry["filename"]: planned for entry, planned in zip(meta.notebooks, notebooks, strict=False)}
    for planned in notebooks:  # a kernel source named by its notebook's file stands for that notebook's kernel
        if "kernel_sources" in planned.kaggle:
            planned.kaggle["kernel_sources"] = [by_file[s].kaggle["slug"] if s in by_file else s
                                                for s in planned.kaggle["kernel_sources"]]
    plan = TrackPlan(meta.track.get("course_name") or folder.name, _course_kaggle(meta, config, author), [])
    for index, lesson in enumerate(meta.lessons):
        roles = {e["type"]: by_file[e["filename"]] for e in meta.notebooks if e.get("lesson_idx") == index}
        plan.lessons.append(PlannedLesson(roles.get("tutorial"), roles.get("exercise"), lesson.get("topic")))
    _make_titles_unique([nb for lesson in plan.lessons for nb in (lesson.tutorial, lesson.exercise) if nb])
    plan.warnings += _left_out(folder, shown, meta)
    return plan


def _prod_config(folder: Path) -> dict[str, Any]:
    """The configuration learntools renders for learners: prod.yaml, else the first that is not for testing."""
    candidates = sorted(folder.glob("*.yaml"), key=lambda p: (p.name != "prod.yaml", p.name))
    for path in candidates:
        config = value_or_none(path.read_text(encoding="utf-8")) or {}
        if isinstance(config, dict) and not config.get("testing", False):
            return config
    return {}


def _course_kaggle(meta: TrackMeta, config: dict, author: str | None) -> dict[str, Any]:
    settings = {"owner": author, "course_url": meta.track.get("course_url"), "forum_url": meta.track.get("course_forum_url")}
    settings = {key: value for key, value in settings.items() if value}
    if meta.track.get("enable_gpu"):
        settings["enable_gpu"] = True
    settings["is_private"] = not config.get("public", not config.get("development", False))
    return settings


def _notebook(folder: Path, shown: Path, meta: TrackMeta, config: dict, entry: dict, author: str | None) -> PlannedNotebook:
    where = shown / TRACK_META
    if "filename" not in entry or entry.get("type") not in ("tutorial", "exercise", "extra"):
        raise SourceError(where, 1, f"a notebook needs a filename and a type (tutorial, exercise or extra): {entry}")
    title = entry.get("title") or _lesson_title(meta, entry, where)
    suffix = config.get("suffix", "")
    title = f"{title} {suffix}" if suffix else title
    kernel_title = title[: KERNEL_TITLE_LIMIT - 1] if len(title) > KERNEL_TITLE_LIMIT else title  # as learntools cuts it
    owner = entry.get("author") or author
    kaggle: dict[str, Any] = {"slug": entry.get("slug") or f"{owner}/{_kernel_slug(kernel_title)}"}
    if "scriptid" in entry:
        kaggle["id"] = entry["scriptid"]
    if kernel_title != title:
        kaggle["title"] = kernel_title
    # One source written as a plain string is a list of one (learntools would take its letters for sources).
    kaggle.update({name: [entry[name]] if isinstance(entry[name], str) else list(entry[name])
                   for name in SOURCE_LISTS if entry.get(name)})
    for flag in ("enable_gpu", "enable_internet"):
        if entry.get(flag) is not None:
            kaggle[flag] = bool(entry[flag])
    return PlannedNotebook(folder / RAW / entry["filename"], title, kaggle)


def _lesson_title(meta: TrackMeta, entry: dict, where: Path) -> str:
    index = entry.get("lesson_idx")
    if index is None or not 0 <= index < len(meta.lessons) or "topic" not in meta.lessons[index]:
        raise SourceError(where, 1, f"notebook {entry['filename']} has neither a title nor a lesson with a topic")
    prefix = "Exercise: " if entry["type"] == "exercise" else ""
    return prefix + _title_case(meta.lessons[index]["topic"])


def _title_case(topic: str) -> str:
    # titlecase keeps acronyms and words like "eBay", but not "t-SNE" at the end of a topic: learntools keeps it by hand.
    if topic.endswith("t-SNE"):
        return titlecase(topic[: topic.rindex(" ")]) + " t-SNE"
    return titlecase(topic)


def _kernel_slug(title: str) -> str:
    return "-".join(title.translate(SLUG_DROPS).lower().split())


def _make_titles_unique(notebooks: list[PlannedNotebook]) -> None:
    seen: dict[str, int] = {}
    for notebook in notebooks:
        count = seen[notebook.title] = seen.get(notebook.title, 0) + 1
        if count > 1:
            notebook.title = f"{notebook.title} ({count})"


def _left_out(folder: Path, shown: Path, meta: TrackMeta) -> list[SourceWarning]:
    """The raw notebooks learntools does not render as lessons: not imported, each named."""
    lesson_files = {e["filename"] for e in meta.notebooks if e.get("type") in ("tutorial", "exercise")}
    extras = {e["filename"] for e in meta.notebooks if e.get("type") == "extra"}
    warnings = []
    for path in sorted((folder / RAW).glob("*.ipynb")):
        if path.name in extras:
            where = SourceLocation(shown / RAW / path.name, None)
            warnings.append(SourceWarning(where, "an 'extra' notebook of the track, not a lesson: not imported"))
        elif path.name not in lesson_files:
            warnings.append(SourceWarning(SourceLocation(shown / RAW / path.name, None), f"not listed in {TRACK_META}: not imported"))
    return warnings

"""Stage 4, figures: the images that figure cells draw, as deterministic PNG files and attachments.

A code cell with the option `figure: NAME` draws figure NAME. After execution its image
output is re-encoded without metadata (same pixels, same bytes), attached to every Markdown
cell that shows it through `figure("NAME")` (so a downloaded notebook shows it offline), and
written to figures/<course>/NAME.png. `check_figures` compares regenerated figures with
the committed ones (matplotlib's own image comparison: RMS of the pixel difference).
"""
from __future__ import annotations

import base64
import binascii
import hashlib
import io
import re
import warnings
from dataclasses import dataclass
from pathlib import Path

import nbformat
from PIL import Image

from lessonbuild.errors import SourceError, SourceErrors, SourceLocation
from lessonbuild.fsutil import fresh_folder, inside, write_atomic
from lessonbuild.model import ExecutedLesson
from lessonbuild.project import Project
from lessonbuild.state import names

ATTACHMENT = re.compile(r"\(attachment:([A-Za-z0-9][A-Za-z0-9_-]*)\.png\)")
IMAGE_FORMATS = {"image/png": {"PNG"}, "image/jpeg": {"JPEG", "MPO"}}  # as Pillow names what each type may hold


class BadImage(ValueError):
    """Image data that is not the whole image it claims to be, or one too large to open: why, in words."""


def decoded(data: str | list[str], mime: str) -> bytes:
    """The bytes of a notebook's base64 data (an output's, an attachment's); where `mime` is PNG or JPEG, checked to
    be such an image (checked_image). BadImage where they are not what they claim."""
    text = "".join(data) if isinstance(data, list) else str(data)
    try:
        raw = base64.b64decode("".join(text.split()), validate=True)
    except (binascii.Error, ValueError):
        raise BadImage("its data is not valid base64") from None
    return checked_image(raw, mime) if mime in IMAGE_FORMATS else raw


def checked_image(data: bytes, mime: str = "image/png") -> bytes:
    """`data`, where it is a whole image of type `mime` of at most Image.MAX_IMAGE_PIXELS pixels; BadImage elsewhere.

    The size is checked before any pixel is decoded: a small file may declare 100000x100000 of them (a decompression
    bomb). Then every pixel is: checksums can be right over data that decodes to nothing."""
    kind = mime.partition("/")[2].upper()
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)  # Pillow's own limit, as an error
            with Image.open(io.BytesIO(data)) as image:
                found = image.format
                image.load()
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise BadImage(f"its {kind} image is too large to open: {exc}") from None
    except Image.UnidentifiedImageError:
        raise BadImage(f"its data is no {kind} image") from None
    except Exception as exc:  # noqa: BLE001 - whatever Pillow raises on these bytes says they are no whole image
        raise BadImage(f"its {kind} image is cut short or damaged ({exc})") from None
    if found not in IMAGE_FORMATS[mime]:
        raise BadImage(f"its data is a {found} image, not {kind}")
    return data


def committed_figure(path: Path, figures: Path) -> bytes:
    """The bytes of a figure under figures/, where it is a whole PNG there (not a link out of it); BadImage elsewhere."""
    if inside(path, figures) is None:
        raise BadImage(f"a link to {path.resolve()}, outside figures/: the site would publish it")
    return checked_image(path.read_bytes())


@dataclass(frozen=True)
class Figure:
    course: str
    name: str
    png: bytes
    tolerance: float | None = None  # the RMS its cell allows (`figure_tolerance`); None: the project's setting

    def path(self, project: Project) -> Path:
        return project.figures_dir / self.course / f"{self.name}.png"


def extract_figures(lessons: list[ExecutedLesson], committed: Path) -> tuple[list[ExecutedLesson], list[Figure]]:
    """The lessons with their figures attached where the prose shows them, and the figures.

    A lesson that was not executed shows the figures committed under `committed`.
    """
    done: list[ExecutedLesson] = []
    figures: list[Figure] = []
    errors: list[SourceError] = []
    for executed in lessons:
        try:
            drawn = _drawn(executed, committed / executed.rendered.course.slug)
        except SourceError as exc:
            errors.append(exc)
            continue
        tolerances = {c.metadata["figure"]: c.metadata.get("figure_tolerance") for c in executed.rendered.notebook.cells
                      if c.cell_type == "code" and "figure" in c.metadata}
        figures.extend(Figure(executed.rendered.course.slug, name, png, tolerances.get(name)) for name, png in drawn.items())
        done.append(_with_figures(executed, drawn) if drawn else executed)
    if errors:
        raise SourceErrors(errors)
    return done, figures


def save_figures(figures: list[Figure], project: Project, redraw: bool = False) -> list[Path]:
    """Write the figures that changed; return their paths. A build leaves a committed figure that differs from
    what its cell drew within its tolerance as committed (so a fresh clone's build leaves `git status` clean);
    `redraw` (figures --update) writes every one whose bytes changed."""
    changed = []
    scratch = project.build_dir / names.FIGURES_CHECK
    for figure in figures:
        path = figure.path(project)
        if path.exists() and (path.read_bytes() == figure.png or (not redraw and _compare(figure, scratch, project) is None)):
            continue
        write_atomic(path, figure.png)
        changed.append(path)
    return changed


def _with_figures(executed: ExecutedLesson, drawn: dict[str, bytes]) -> ExecutedLesson:
    figures = hashlib.sha256(b"".join(hashlib.sha256(drawn[name]).digest() for name in sorted(drawn))).hexdigest()
    return executed.with_notebook(lambda notebook: _attach(notebook, drawn), outputs=f"{executed.outputs} {figures}")


def _drawn(executed: ExecutedLesson, committed: Path) -> dict[str, bytes]:
    drawn = {}
    # The rendered notebook says which cells draw figures: a lesson without any has its cached notebook left unread.
    figure_cells = [(i, c.metadata["figure"]) for i, c in enumerate(executed.rendered.notebook.cells)
                    if c.cell_type == "code" and "figure" in c.metadata]
    for index, name in figure_cells:
        cell = executed.notebook.cells[index]
        images = [o.data["image/png"] for o in cell.outputs if "image/png" in o.get("data", {})]
        location = executed.rendered.location(index)
        if location is None:  # only the build's own template cells have no origin, and none of them draws a figure
            raise ValueError(f"{executed.rendered.lesson.path}: figure cell '{name}' has no lesson line")
        if not executed.ran:
            drawn[name] = _committed(committed / f"{name}.png", location, name)
        elif not images:
            raise SourceError.at(location, f"figure cell '{name}' drew no image (end it with a figure, or plt.show())")
        else:
            try:
                drawn[name] = normalized_png(decoded(images[-1], "image/png"))
            except BadImage as exc:
                raise SourceError.at(location, f"figure cell '{name}' drew an image/png output that is no figure: {exc}") from None
    return drawn


def _committed(path: Path, location: SourceLocation, name: str) -> bytes:
    """A lesson that was not executed shows its committed figure: there must be one, and a whole PNG."""
    if not path.exists():
        raise SourceError.at(location, f"figure '{name}' is not in figures/ and the lesson was not executed")
    figures = path.parent.parent  # figures/<course>/NAME.png, in the project's folder
    try:
        return committed_figure(path, figures)
    except BadImage as exc:
        message = f"{exc}; `lessonbuild figures --update` draws it again"
        raise SourceError(path.relative_to(figures.parent), None, message) from None


def normalized_png(data: bytes) -> bytes:
    """The same pixels as PNG bytes that depend on nothing else: no software tag, no time, no gamma chunk."""
    with Image.open(io.BytesIO(data)) as image:
        output = io.BytesIO()
        image.save(output, format="PNG", compress_level=9)
    return output.getvalue()


def _attach(notebook, drawn: dict[str, bytes]):
    """The notebook with the drawn figures attached to the Markdown cells that show them: a new notebook sharing
    every cell it leaves alone (copying a course's notebooks whole would cost more than the rest of a prose edit)."""
    cells = []
    for cell in notebook.cells:
        shown = [name for name in ATTACHMENT.findall(cell.source) if name in drawn] if cell.cell_type == "markdown" else []
        if shown:
            attachments = {f"{n}.png": {"image/png": base64.b64encode(drawn[n]).decode()} for n in shown}
            cell = nbformat.NotebookNode({**cell, "attachments": nbformat.from_dict(attachments)})
        cells.append(cell)
    return nbformat.NotebookNode({**notebook, "cells": cells})


@dataclass(frozen=True)
class Drift:
    """A committed figure that its cell no longer draws the same (or at all)."""

    path: Path  # relative to the project
    reason: str
    diff_image: Path | None = None

    def __str__(self) -> str:
        where = f"; side by side in {self.diff_image.as_posix()}" if self.diff_image else ""
        return f"{self.path.as_posix()}: {self.reason}{where}"


def check_figures(figures: list[Figure], project: Project) -> list[Drift]:
    """Compare regenerated figures with the committed ones by pixels, RMS within the project's tolerance."""
    scratch = fresh_folder(project.build_dir / names.FIGURES_CHECK)
    fresh_folder(project.build_dir / names.FIGURES_DIFF)  # the diffs of this check alone: CI keeps the folder as an artifact
    drifts = [_compare(figure, scratch, project) for figure in figures]
    drawn = {figure.path(project) for figure in figures}
    for orphan in sorted(set(project.figures_dir.glob("*/*.png")) - drawn):
        drifts.append(Drift(project.relative(orphan), "no figure cell draws this figure any more"))
    return [drift for drift in drifts if drift is not None]


def _compare(figure: Figure, scratch: Path, project: Project) -> Drift | None:
    # Imported here: matplotlib's testing tools take a quarter second to import, and only a check needs them.
    from matplotlib.testing.compare import compare_images
    from matplotlib.testing.exceptions import ImageComparisonFailure

    committed = figure.path(project)
    relative = committed.relative_to(project.root)  # as its name says, not where a link leads
    if not committed.exists():
        return Drift(relative, "not committed yet (build.py figures --update writes it)")
    if committed.read_bytes() == figure.png:
        return None
    try:
        committed_figure(committed, project.figures_dir)
    except BadImage as exc:  # matplotlib's comparison would fail on it with a traceback
        return Drift(relative, f"cannot be compared: {exc} (`lessonbuild figures --update` draws it again)")
    regenerated = scratch / figure.course / f"{figure.name}.png"
    write_atomic(regenerated, figure.png)
    try:
        tolerance = project.settings.figure_tolerance if figure.tolerance is None else figure.tolerance
        result = compare_images(str(committed), str(regenerated), tol=tolerance, in_decorator=True)
    except ImageComparisonFailure as exc:  # different sizes: no pixel-wise difference to draw
        return Drift(relative, f"regenerated figure differs: {str(exc).splitlines()[0]}")
    if result is None:
        return None
    diff = project.build_dir / names.FIGURES_DIFF / figure.course / f"{figure.name}.png"
    write_atomic(diff, _side_by_side(committed, regenerated, Path(str(result["diff"]))))
    message = f"regenerated figure differs (RMS {result['rms']:.2f} > tolerance {result['tol']})"
    return Drift(relative, message, project.relative(diff))


def _side_by_side(*paths: Path) -> bytes:
    """Committed | regenerated | difference, in one image."""
    images = [Image.open(path).convert("RGB") for path in paths]
    width = sum(image.width for image in images)
    canvas = Image.new("RGB", (width, max(image.height for image in images)), "white")
    left = 0
    for image in images:
        canvas.paste(image, (left, 0))
        left += image.width
    output = io.BytesIO()
    canvas.save(output, format="PNG")
    return output.getvalue()

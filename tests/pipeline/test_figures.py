import base64
import io
import struct
import zlib
from pathlib import Path

import nbformat
import pytest
from PIL import Image, PngImagePlugin

from lessonbuild.errors import SourceErrors
from lessonbuild.model import ExecutedLesson, RenderedLesson
from lessonbuild.pipeline.figures import check_figures, extract_figures, normalized_png, save_figures
from tests.conftest import run_build


def png_with_metadata(colour="red", text="matplotlib 3.x") -> bytes:
    info = PngImagePlugin.PngInfo()
    info.add_text("Software", text)
    output = io.BytesIO()
    Image.new("RGB", (4, 3), colour).save(output, format="PNG", pnginfo=info)
    return output.getvalue()


def executed_with(outputs, figure="dots", prose="![Dots](attachment:dots.png)"):
    """A one-lesson stand-in for the execute stage's result (a unit test of this stage alone)."""
    code = nbformat.v4.new_code_cell("draw()", metadata={"figure": figure}, outputs=outputs)
    notebook = nbformat.v4.new_notebook(cells=[code, nbformat.v4.new_markdown_cell(prose)])
    course = type("Course", (), {"slug": "c"})()
    rendered = RenderedLesson(course, None, notebook, [("lessons/c/l.md", (7,)), ("lessons/c/l.md", (9,))])
    return ExecutedLesson(rendered, notebook, 1.0, "CPU")


def image_output(png: bytes):
    return nbformat.v4.new_output("display_data", data={"image/png": base64.b64encode(png).decode(), "text/plain": "<Figure>"})


def test_normalized_png_keeps_pixels_and_drops_metadata():
    first, second = normalized_png(png_with_metadata(text="one")), normalized_png(png_with_metadata(text="two"))
    assert first == second
    assert b"Software" not in first
    assert Image.open(io.BytesIO(first)).getpixel((0, 0)) == (255, 0, 0)


def test_figures_are_attached_where_the_prose_shows_them(tmp_path):
    (lesson,), (figure,) = extract_figures([executed_with([image_output(png_with_metadata())])], Path('figures'))
    assert (figure.course, figure.name) == ("c", "dots")
    attachment = lesson.notebook.cells[1].attachments["dots.png"]["image/png"]
    assert base64.b64decode(attachment) == figure.png
    nbformat.validate(lesson.notebook)


def test_a_figure_cell_that_draws_nothing_is_an_error_at_its_line():
    with pytest.raises(SourceErrors) as caught:
        extract_figures([executed_with([nbformat.v4.new_output("stream", text="no image")])], Path("figures"))
    assert str(caught.value) == "lessons/c/l.md:7: figure cell 'dots' drew no image (end it with a figure, or plt.show())"


def test_save_writes_only_changed_figures(tiny_project):
    (_, figures) = extract_figures([executed_with([image_output(png_with_metadata())])], Path('figures'))
    assert save_figures(figures, tiny_project) == [tiny_project.figures_dir / "c" / "dots.png"]
    assert save_figures(figures, tiny_project) == []


def test_a_build_keeps_a_committed_figure_that_differs_within_its_tolerance_and_an_update_redraws_it(tiny_project):
    committed = Image.new("RGB", (40, 30), (200, 0, 0))
    near = committed.copy()
    near.putpixel((0, 0), (201, 0, 0))  # another machine's antialiasing: the same figure to a reader
    far = Image.new("RGB", (40, 30), (0, 0, 200))
    as_png = {}
    for name, image in (("committed", committed), ("near", near), ("far", far)):
        output = io.BytesIO()
        image.save(output, format="PNG")
        as_png[name] = normalized_png(output.getvalue())
    (_, [figure]) = extract_figures([executed_with([image_output(as_png["committed"])])], Path("figures"))
    path = figure.path(tiny_project)
    save_figures([figure], tiny_project)
    drawn = {name: type(figure)(figure.course, figure.name, png) for name, png in as_png.items()}
    assert save_figures([drawn["near"]], tiny_project) == [] and path.read_bytes() == as_png["committed"]
    assert save_figures([drawn["near"]], tiny_project, redraw=True) == [path] and path.read_bytes() == as_png["near"]
    assert save_figures([drawn["far"]], tiny_project) == [path] and path.read_bytes() == as_png["far"]


@pytest.mark.kernel
def test_a_build_the_site_engine_refuses_writes_no_figure(tiny_root):
    assert run_build(tiny_root).returncode == 0
    committed = (tiny_root / "figures" / "tiny" / "bars.png").read_bytes()
    lesson = tiny_root / "lessons" / "tiny" / "01-plots.md"
    lesson.write_text(lesson.read_text().replace('color="tab:blue"', 'color="tab:red"'))
    config = tiny_root / "mkdocs.yml"
    config.write_text(config.read_text() + "\nmarkdown_extensions:\n  - no_such_extension_here\n")
    result = run_build(tiny_root)
    assert result.returncode != 0 and "figure:" not in result.stdout
    assert (tiny_root / "figures" / "tiny" / "bars.png").read_bytes() == committed


@pytest.mark.kernel
def test_two_regenerations_write_the_same_bytes_and_the_page_shows_the_figure(tiny_root):
    assert run_build(tiny_root).returncode == 0
    figure = tiny_root / "figures" / "tiny" / "bars.png"
    first = figure.read_bytes()
    result = run_build(tiny_root, "--force")
    assert result.returncode == 0 and "figure:" not in result.stdout  # nothing changed on disk
    assert result.stdout.splitlines()[0].endswith("(forced)")  # drawn again, not taken from the cache
    assert figure.read_bytes() == first
    page = (tiny_root / "site" / "tiny" / "01-plots" / "index.html").read_text()
    assert 'alt="Three bars"' in page and "The first three values." in page
    assert "plt.bar" not in page  # the figure cell itself is removed from the page
    notebook = nbformat.read(tiny_root / "site" / "tiny" / "01-plots.ipynb", as_version=4)
    (cell,) = [c for c in notebook.cells if "attachments" in c]
    assert base64.b64decode(cell.attachments["bars.png"]["image/png"]) == first


@pytest.mark.kernel
def test_figures_check_finds_drift_and_update_accepts_it(tiny_root):
    assert run_build(tiny_root).returncode == 0
    check = run_build(tiny_root, "figures", "--check", "--force")  # drawn again, not the cached image
    assert check.returncode == 0, check.stderr
    assert check.stdout.splitlines()[0].endswith("(forced)") and check.stdout.splitlines()[-1] == "1 figures match figures/"
    lesson = tiny_root / "lessons" / "tiny" / "01-plots.md"
    lesson.write_text(lesson.read_text().replace('color="tab:blue"', 'color="tab:red"'))
    committed = (tiny_root / "figures" / "tiny" / "bars.png").read_bytes()
    check = run_build(tiny_root, "figures", "--check")
    assert check.returncode == 1
    drift = check.stdout.splitlines()[-1]
    assert drift.startswith("figures/tiny/bars.png: regenerated figure differs (RMS ")
    assert drift.endswith("side by side in _build/figures-diff/tiny/bars.png")
    assert (tiny_root / "_build" / "figures-diff" / "tiny" / "bars.png").exists()
    assert (tiny_root / "figures" / "tiny" / "bars.png").read_bytes() == committed  # a check writes nothing
    update = run_build(tiny_root, "figures", "--update")
    assert update.returncode == 0 and "figure: figures/tiny/bars.png updated" in update.stdout
    recheck = run_build(tiny_root, "figures", "--check", "--force")
    assert recheck.returncode == 0 and recheck.stdout.splitlines()[0].endswith("(forced)"), recheck.stdout


@pytest.mark.kernel
def test_a_figure_no_cell_draws_is_drift(tiny_root):
    assert run_build(tiny_root).returncode == 0
    (tiny_root / "figures" / "tiny" / "old.png").write_bytes(png_with_metadata())
    check = run_build(tiny_root, "figures", "--check")
    assert check.returncode == 1
    assert "figures/tiny/old.png: no figure cell draws this figure any more" in check.stdout


@pytest.mark.kernel
def test_in_ci_a_drifted_figure_fails_the_build_which_writes_nothing_and_a_cell_may_allow_more(tiny_root):
    import os

    assert run_build(tiny_root).returncode == 0
    committed = (tiny_root / "figures" / "tiny" / "bars.png").read_bytes()
    site_page = (tiny_root / "site" / "tiny" / "01-plots" / "index.html").read_text()
    lesson = tiny_root / "lessons" / "tiny" / "01-plots.md"
    lesson.write_text(lesson.read_text().replace('color="tab:blue"', 'color="tab:red"').replace("Done.", "Done again."))
    ci = {**os.environ, "CI": "true"}
    result = run_build(tiny_root, env=ci)
    assert result.returncode == 1
    assert result.stderr.startswith("figures/tiny/bars.png: regenerated figure differs (RMS ")
    assert (tiny_root / "_build" / "figures-diff" / "tiny" / "bars.png").exists()  # what CI keeps as an artifact
    assert (tiny_root / "figures" / "tiny" / "bars.png").read_bytes() == committed
    assert (tiny_root / "site" / "tiny" / "01-plots" / "index.html").read_text() == site_page  # nothing published
    assert run_build(tiny_root, "--no-frozen-figures", env=ci).returncode == 0  # said otherwise: written, as at home
    assert (tiny_root / "figures" / "tiny" / "bars.png").read_bytes() != committed
    (tiny_root / "figures" / "tiny" / "bars.png").write_bytes(committed)
    lesson.write_text(lesson.read_text().replace(":figure: bars", ":figure: bars\n:figure_tolerance: 200"))
    result = run_build(tiny_root, env=ci)  # this cell allows the difference: the build passes, figures/ stays
    assert result.returncode == 0, result.stderr
    assert (tiny_root / "figures" / "tiny" / "bars.png").read_bytes() == committed


def declaring(width: int, height: int, pixels: bytes = zlib.compress(b"\0" * 1000)) -> bytes:
    """A PNG of a few hundred bytes whose header declares width x height pixels (a decompression bomb, where they are
    many), its chunks' checksums right over whatever `pixels` holds."""
    def chunk(kind: bytes, data: bytes) -> bytes:
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")


def test_a_figure_cell_whose_image_is_no_png_or_a_bomb_is_an_error_at_its_line():
    jpeg = io.BytesIO()
    Image.new("RGB", (4, 3), "red").save(jpeg, format="JPEG")
    drawn = {
        "not base64": nbformat.v4.new_output("display_data", data={"image/png": "@@ not base64 @@"}),
        "a JPEG": image_output(jpeg.getvalue()),
        "no image": image_output(b"<script>alert(1)</script>"),
        "a bomb": image_output(declaring(100_000, 100_000)),
        "no pixels": image_output(declaring(4, 3, b"not deflated data")),
    }
    messages = {}
    for name, output in drawn.items():
        with pytest.raises(SourceErrors) as caught:
            extract_figures([executed_with([output])], Path("figures"))
        messages[name] = str(caught.value)
    prefix = "lessons/c/l.md:7: figure cell 'dots' drew an image/png output that is no figure: "
    assert messages == {
        "not base64": prefix + "its data is not valid base64",
        "a JPEG": prefix + "its data is a JPEG image, not PNG",
        "no image": prefix + "its data is no PNG image",
        "a bomb": prefix + "its PNG image is too large to open: Image size (10000000000 pixels) exceeds limit of "
                           f"{2 * Image.MAX_IMAGE_PIXELS} pixels, could be decompression bomb DOS attack.",
        "no pixels": prefix + "its PNG image is cut short or damaged (broken data stream when reading image file)",
    }


def test_a_committed_figure_cut_in_half_or_linked_out_is_one_line_where_it_is_shown_or_compared(tiny_project):
    noise = io.BytesIO()
    Image.effect_noise((200, 100), 50).save(noise, format="PNG")
    whole = noise.getvalue()
    figures = tiny_project.figures_dir / "c"
    figures.mkdir(parents=True)
    (figures / "dots.png").write_bytes(whole[: len(whole) // 2])
    unexecuted = executed_with([])
    unexecuted = ExecutedLesson(unexecuted.rendered, unexecuted.notebook, 0.0, "", ran=False)
    with pytest.raises(SourceErrors) as caught:
        extract_figures([unexecuted], tiny_project.figures_dir)  # --no-execute shows the committed figure
    assert str(caught.value) == ("figures/c/dots.png: its PNG image is cut short or damaged (image file is truncated); "
                                 "`lessonbuild figures --update` draws it again")
    (_, figures_drawn) = extract_figures([executed_with([image_output(png_with_metadata("blue"))])], Path("figures"))
    assert [str(drift) for drift in check_figures(figures_drawn, tiny_project)] == [
        "figures/c/dots.png: cannot be compared: its PNG image is cut short or damaged (image file is truncated) "
        "(`lessonbuild figures --update` draws it again)"]
    (figures / "dots.png").unlink()
    (tiny_project.root.parent / "passwd").write_text("root:x:0:0\n")  # a file of the machine, outside the project
    (figures / "dots.png").symlink_to(tiny_project.root.parent / "passwd")
    assert [str(drift) for drift in check_figures(figures_drawn, tiny_project)] == [
        f"figures/c/dots.png: cannot be compared: a link to {(tiny_project.root.parent / 'passwd').resolve()}, outside figures/: "
        "the site would publish it "
        "(`lessonbuild figures --update` draws it again)"]

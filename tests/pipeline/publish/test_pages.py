import base64
import html.parser
import json
import zipfile

import nbformat
import pytest
from PIL import Image

from lessonbuild.errors import SourceErrors
from lessonbuild.model import ExecutedLesson
from lessonbuild.pipeline.publish import publish
from lessonbuild.pipeline.site import build_site
from lessonbuild.project import load_project
from tests.conftest import ESCAPES_LESSON, executed_from_fixtures, make_project, run_build
from tests.pipeline.test_figures import declaring


@pytest.fixture
def published(tiny_project):
    """The tiny lesson published from its kept run (tests/fixtures/executed/): no kernel starts."""
    nav = publish(executed_from_fixtures(tiny_project), tiny_project, "Test Site")
    return tiny_project.build_dir / "docs", nav


def test_lesson_page_holds_text_code_and_extracted_images(published):
    docs, _ = published
    page = (docs / "tiny" / "01-plots.md").read_text()
    assert page.startswith("# Plots")
    assert "```python\nimport helper\nprint(helper.greeting())\n```" in page
    assert "hello from the helper" in page
    images = sorted((docs / "tiny" / "01-plots_files").glob("*.png"))
    assert len(images) == 1 and images[0].read_bytes().startswith(b"\x89PNG")
    assert f"](01-plots_files/{images[0].name})" in page


def test_hidden_input_is_collapsed_behind_a_toggle(published):
    docs, _ = published
    page = (docs / "tiny" / "01-plots.md").read_text()
    hidden = page.split('<details class="lesson-hidden" markdown="1">', 1)[1].split("</details>", 1)[0]
    assert "<summary>Show code</summary>" in hidden and "plt.plot(values)" in hidden
    assert "#$HIDE_INPUT$" not in page


def test_downloads_the_executed_notebook_and_the_course_files(published):
    docs, _ = published
    page = (docs / "tiny" / "01-plots.md").read_text()
    assert "[Download this lesson (.zip)](01-plots.zip){ .lesson-download } · [Notebook only](01-plots.ipynb)" in page
    assert "Executed on CPU in" in page
    notebook = nbformat.read(docs / "tiny" / "01-plots.ipynb", as_version=4)
    nbformat.validate(notebook)
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    assert code[0].outputs[0].text == "hello from the helper\n"
    assert "image/png" in code[1].outputs[0].data
    with zipfile.ZipFile(docs / "tiny" / "tiny-files.zip") as bundle:
        assert sorted(bundle.namelist()) == ["tiny/data/values.txt", "tiny/helper.py"]
    with zipfile.ZipFile(docs / "tiny" / "01-plots.zip") as lesson:  # the notebook in one folder with what it uses
        assert sorted(lesson.namelist()) == ["01-plots/01-plots.ipynb", "01-plots/data/values.txt", "01-plots/helper.py"]
        assert lesson.read("01-plots/01-plots.ipynb") == (docs / "tiny" / "01-plots.ipynb").read_bytes()
    assert not [c for c in notebook.cells if c.metadata.get("lessonbuild", {}).get("role") == "setup"]  # no site_url


def test_course_and_home_pages_and_navigation(published):
    docs, nav = published
    assert "**1. [Plots](01-plots.md)**<br>\nA lesson without TensorFlow." in (docs / "tiny" / "index.md").read_text()
    home = (docs / "index.md").read_text()
    assert home.startswith("# Test Site") and "[Tiny Course](tiny/index.md)" in home
    assert [page.title for page in nav] == ["Home", "Tiny Course"]
    assert [child.path for child in nav[1].children] == ["tiny/index.md", "tiny/01-plots.md"]


def test_open_in_colab_when_the_project_says_where(tiny_project):
    from lessonbuild.project import Settings

    url = "https://colab.research.google.com/github/team/course/blob/gh-pages/{notebook}"
    project = type(tiny_project)(root=tiny_project.root, settings=Settings(colab_url=url))
    publish(executed_from_fixtures(project), project, "Test Site")
    page = (project.build_dir / "docs" / "tiny" / "01-plots.md").read_text()
    assert "[Open in Colab](https://colab.research.google.com/github/team/course/blob/gh-pages/tiny/01-plots.ipynb)" in page


def test_no_colab_link_by_default(published):
    docs, _ = published
    assert "Colab" not in (docs / "tiny" / "01-plots.md").read_text()


@pytest.mark.kernel
def test_an_exercise_is_a_page_beside_its_tutorial(learntools_root):
    result = run_build(learntools_root)
    assert result.returncode == 0, result.stderr
    site = learntools_root / "site" / "pooling"
    course = (site / "index.html").read_text()
    first = course.index('href="01-pooling-by-hand/"')
    assert first < course.index('href="01-exercise-pooling-by-hand/"') < course.index('href="02-strides/"')
    exercise = (site / "01-exercise-pooling-by-hand" / "index.html").read_text()
    assert "exercise for lesson 1 of 2" in exercise
    assert 'href="../02-strides/"' in exercise  # #$KEEP_GOING$, as a link between pages
    assert (site / "01-exercise-pooling-by-hand.ipynb").exists()


@pytest.mark.kernel
def test_a_prose_edit_publishes_that_lesson_alone_and_a_removed_lesson_leaves_no_page(tmp_path):
    from tests.conftest import make_project

    lessons = {f"0{n}-l": f"# Lesson {n}\n\nProse {n}.\n\n```{{code-cell}} ipython3\nprint({n})\n```\n" for n in (1, 2, 3)}
    root = make_project(tmp_path, lessons)
    assert run_build(root).returncode == 0
    docs = root / "_build" / "docs" / "tiny"
    before = {p.name: p.stat().st_mtime_ns for p in docs.iterdir()}
    site_before = {p: p.stat().st_ino for p in (root / "site").rglob("*") if p.is_file()}
    page = docs / "02-l.md"
    other = _cache_entry(root, "01-l")
    other.write_bytes(b"x" * other.stat().st_size)  # were it read, it would be found damaged and run again
    (root / "lessons" / "tiny" / "02-l.md").write_text(lessons["02-l"].replace("Prose 2.", "Prose two."))
    result = run_build(root)
    assert result.returncode == 0 and "tiny/02-l: cached" in result.stdout  # a prose edit executes nothing
    assert "tiny/01-l: cached" in result.stdout and "damaged" not in result.stderr  # nor reads another lesson's entry
    after = {p.name: p.stat().st_mtime_ns for p in docs.iterdir()}
    assert [name for name in sorted(after) if after[name] != before.get(name)] == ["02-l.ipynb", "02-l.md", "02-l.zip"]
    assert "Prose two." in page.read_text()
    assert "Prose two." in (root / "site" / "tiny" / "02-l" / "index.html").read_text()
    made_again = sorted(p.relative_to(root / "site").as_posix() for p, inode in site_before.items() if p.stat().st_ino != inode)
    assert made_again == ["404.html", "search/search_index.json", "sitemap.xml", "sitemap.xml.gz", "tiny/02-l.ipynb", "tiny/02-l.zip",
                          "tiny/02-l/index.html"]  # the site engine, too, made that page alone again
    (root / "lessons" / "tiny" / "01-l.md").write_text(lessons["01-l"].replace("Prose 1.", "Prose one."))
    result = run_build(root)  # now its page needs the damaged entry: found, removed, and the lesson run again
    assert result.returncode == 0, result.stderr
    assert "damaged cache entry" in result.stderr and "tiny/01-l: executed in " in result.stdout
    assert "Prose one." in (root / "site" / "tiny" / "01-l" / "index.html").read_text()
    (root / "lessons" / "tiny" / "course.yml").write_text("title: Tiny Course\nlessons:\n  - 01-l\n  - 02-l\n")
    (root / "lessons" / "tiny" / "03-l.md").unlink()
    assert run_build(root).returncode == 0
    assert not (docs / "03-l.md").exists() and not (docs / "03-l.ipynb").exists()
    assert not (root / "site" / "tiny" / "03-l").exists()


def _cache_entry(root, slug: str):
    key = json.loads((root / "_build" / "cache" / "last" / "tiny" / f"{slug}.json").read_text())["key"]
    return root / "_build" / "cache" / "entries" / key[:2] / f"{key}.ipynb"


class _Elements(html.parser.HTMLParser):
    """The text of every <pre> block of a page (entities decoded) and the text of every <script> element."""

    def __init__(self):
        super().__init__()
        self.pre: list[str] = []
        self.scripts: list[str] = []
        self.open: list[list[str]] = []

    def handle_starttag(self, tag, attrs):
        if tag in ("pre", "script"):
            self.open.append([tag, ""])

    def handle_endtag(self, tag):
        if self.open and self.open[-1][0] == tag:
            kind, text = self.open.pop()
            (self.pre if kind == "pre" else self.scripts).append(text)

    def handle_data(self, data):
        if self.open:
            self.open[-1][1] += data


def test_code_and_outputs_that_hold_fences_or_markup_show_as_text_on_the_built_page(tmp_path):
    """The kept run of ESCAPES_LESSON (a real kernel's outputs) published and built by MkDocs: no line of a cell's
    code, stream, traceback or text result closes its block, and none of their markup reaches the page."""
    project = load_project(make_project(tmp_path / "project", {"02-escapes": ESCAPES_LESSON}))
    site = build_site(publish(executed_from_fixtures(project), project, "Test Site"), project)
    page = (site / "tiny" / "02-escapes" / "index.html").read_text()
    elements = _Elements()
    elements.feed(page)
    assert not [script for script in elements.scripts if "alert" in script]
    shown = "\n".join(elements.pre)
    for name in ("stream", "source", "error", "plain", "tilde", "colon", "stderr", "ansi"):
        assert f"<script>alert('{name}')</script>" in shown, name
    assert "```\n<script>alert('stream')</script>\n```" in shown  # the fences inside are text too
    assert '<b class="declared">declared by the notebook</b>' in page  # HTML the notebook declared stays HTML
    assert "The end of the lesson." in page


def test_image_outputs_and_attachments_that_are_not_what_they_claim_are_one_line_each_at_their_cells(tiny_project):
    [(course, [kept])] = executed_from_fixtures(tiny_project)
    notebook = nbformat.from_dict(kept.notebook)
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    code[0].outputs = [nbformat.v4.new_output("display_data", data={"image/png": "this is not base64!!!"}),
                       nbformat.v4.new_output("display_data", data={"image/jpeg": code[1].outputs[0].data["image/png"]}),
                       nbformat.v4.new_output("display_data", data={"image/png": base64.b64encode(declaring(100_000, 100_000)).decode()})]
    prose = next(cell for cell in notebook.cells if cell.cell_type == "markdown" and "A second" in cell.source)
    prose.attachments = {"x.png": {"image/png": base64.b64encode(b"<script>alert(1)</script>").decode()}}
    hostile = ExecutedLesson(kept.rendered, notebook, kept.seconds, kept.device)
    with pytest.raises(SourceErrors) as caught:
        publish([(course, [hostile])], tiny_project, "Test Site")
    assert [str(error) for error in caught.value.errors] == [
        "lessons/tiny/01-plots.md:11: the cell's image/png output: its data is not valid base64",
        "lessons/tiny/01-plots.md:11: the cell's image/jpeg output: its data is a PNG image, not JPEG",
        "lessons/tiny/01-plots.md:11: the cell's image/png output: its PNG image is too large to open: Image size "
        f"(10000000000 pixels) exceeds limit of {2 * Image.MAX_IMAGE_PIXELS} pixels, could be decompression bomb DOS attack.",
        "lessons/tiny/01-plots.md:17: the cell's attachment 'x.png' (image/png): its data is no PNG image",
    ]
    assert not (tiny_project.build_dir / "docs" / "tiny" / "01-plots_files").exists()  # nothing of it published



def test_two_outputs_that_name_one_file_are_one_line_at_the_second(tiny_project):
    [(course, [kept])] = executed_from_fixtures(tiny_project)
    notebook = nbformat.from_dict(kept.notebook)
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    image = code[1].outputs[0].data["image/png"]
    for cell in code[:2]:  # nbconvert would stop with "Filenames need to be unique"
        cell.outputs = [nbformat.v4.new_output("display_data", data={"image/png": image}, metadata={"filename": "plot.png"})]
    with pytest.raises(SourceErrors) as caught:
        publish([(course, [ExecutedLesson(kept.rendered, notebook, kept.seconds, kept.device)])], tiny_project, "Test Site")
    assert [str(error) for error in caught.value.errors] == [
        "lessons/tiny/01-plots.md:21: an output names its file 'plot.png', as an earlier one does (its metadata's "
        "filename): each must name its own"]

"""End to end on the real Maximum Pooling lesson, with TensorFlow, through the command line."""
import re

import nbformat
import pytest


pytestmark = pytest.mark.tensorflow
FIGURES = ("show-extraction", "max-pooling", "two-dots", "two-dots-far")


@pytest.fixture
def built(maximum_pooling_build):
    return maximum_pooling_build


def test_one_line_per_lesson(built):
    _, result = built
    lines = sorted(result.stdout.splitlines()[:3])
    slugs = ["02-convolution-and-relu", "03-maximum-pooling", "04-sliding-window"]
    for line, slug in zip(lines, slugs):
        assert re.match(rf"computer-vision/{slug}: executed in [\d.]+ s on (CPU|GPU: .+) \(first run\)$", line)
    assert result.stdout.splitlines()[-1] == "site: site/ (3 lessons)"


def test_page_shows_the_figures_the_code_draws(built):
    root, _ = built
    page = root / "site" / "computer-vision" / "03-maximum-pooling"
    html = (page / "index.html").read_text()
    sources = re.findall(r'<img alt="Output of the code above" src="([^"]+)"', html)
    assert len(sources) == 2  # Input / Filter / Detect, then the condensed map
    for name in FIGURES:
        (source,) = re.findall(rf'<img alt="[^"]+" src="([^"]*/{name}.png)"', html)
        sources.append(source)
        assert (root / "figures" / "computer-vision" / f"{name}.png").exists()
    for source in sources:
        image = (page / source).resolve()
        assert image.read_bytes().startswith(b"\x89PNG")
    assert not re.search(r'<img[^>]+src="https?:', html)  # nothing loads from the network


def test_hidden_cell_is_collapsed_and_the_notebook_downloads(built):
    root, _ = built
    html = (root / "site" / "computer-vision" / "03-maximum-pooling" / "index.html").read_text()
    details = html.split('<details class="lesson-hidden">', 1)[1].split("</details>", 1)[0]
    assert "Show code" in details and ">conv2d<" in details  # highlighted, so one token per span
    assert "#$HIDE_INPUT$" not in html
    assert 'href="../03-maximum-pooling.ipynb"' in html
    notebook = nbformat.read(root / "site" / "computer-vision" / "03-maximum-pooling.ipynb", as_version=4)
    nbformat.validate(notebook)
    images = [o for c in notebook.cells if c.cell_type == "code" for o in c.outputs if "image/png" in o.get("data", {})]
    assert len(images) == 6  # two from the lesson's code, four from its figure cells
    attached = {name for c in notebook.cells for name in c.get("attachments", {})}
    assert attached == {f"{name}.png" for name in FIGURES}
    assert notebook.metadata.lessonbuild.execution["tensorflow"].startswith("2.")
    text = "".join(o.get("text", "") for c in notebook.cells if c.cell_type == "code" for o in c.outputs)
    assert "oneDNN" not in text and "cuda" not in text.lower()


def test_course_and_home_pages(built):
    root, _ = built
    course = (root / "site" / "computer-vision" / "index.html").read_text()
    positions = [course.index(f'href="{slug}/"') for slug in ("02-convolution-and-relu", "03-maximum-pooling", "04-sliding-window")]
    assert positions == sorted(positions)  # in the order of course.yml
    assert "Computer Vision" in (root / "site" / "index.html").read_text()

"""The Maximum Pooling page in a real browser: headless Chromium driven by playwright, the site served on 127.0.0.1."""
from __future__ import annotations

import nbformat
import pytest

from tests.conftest import REPOSITORY, served

pytestmark = [pytest.mark.tensorflow, pytest.mark.browser]
SCREENSHOTS = REPOSITORY / "_build" / "screenshots"


@pytest.fixture(scope="module")
def served_site(maximum_pooling_build):
    root, _ = maximum_pooling_build
    with served(root / "site") as url:
        yield url


@pytest.fixture
def page(browser, served_site):
    page = browser.new_page(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    page.console_errors = []
    page.on("console", lambda message: message.type == "error" and page.console_errors.append(message.text))
    page.on("pageerror", lambda error: page.console_errors.append(str(error)))
    page.goto(f"{served_site}/computer-vision/03-maximum-pooling/")
    page.wait_for_load_state("networkidle")
    yield page
    page.close()


def test_every_image_loads(page):
    images = page.eval_on_selector_all("article img", "images => images.map(i => [i.src, i.complete && i.naturalWidth])")
    assert len(images) == 6  # the two the code draws and the four diagrams
    assert [src for src, width in images if not width] == []
    assert page.console_errors == []


def test_the_hidden_cell_is_collapsed_and_opens_on_a_click(page):
    hidden = page.locator("details.lesson-hidden").first
    assert hidden.get_attribute("open") is None
    code = hidden.locator("pre").first
    assert not code.is_visible()
    hidden.locator("summary").click()
    assert hidden.get_attribute("open") is not None
    assert code.is_visible() and "tf.nn.conv2d" in code.inner_text()


def test_the_notebook_link_downloads_a_notebook_that_validates(page, tmp_path):
    with page.expect_download() as download:
        page.get_by_role("link", name="Notebook only").click(modifiers=["Alt"])
    path = tmp_path / "lesson.ipynb"
    download.value.save_as(path)
    notebook = nbformat.read(path, as_version=4)
    nbformat.validate(notebook)
    assert notebook.metadata.title == "Maximum Pooling"


def test_screenshots_in_light_and_dark(page):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SCREENSHOTS / "maximum-pooling-light.png", full_page=True)
    page.locator("label[for='__palette_1']").click()  # Material's palette toggle
    assert page.evaluate("document.body.getAttribute('data-md-color-scheme')") == "slate"
    page.screenshot(path=SCREENSHOTS / "maximum-pooling-dark.png", full_page=True)
    assert page.console_errors == []


def test_the_lesson_download_comes_first_and_holds_the_notebook_with_its_files(page, tmp_path):
    import zipfile

    links = page.locator(".lesson-links a")
    assert links.first.inner_text() == "Download this lesson (.zip)"
    with page.expect_download() as download:
        links.first.click()
    path = tmp_path / "lesson.zip"
    download.value.save_as(path)
    names = set(zipfile.ZipFile(path).namelist())
    assert {"03-maximum-pooling/03-maximum-pooling.ipynb", "03-maximum-pooling/visiontools.py",
            "03-maximum-pooling/data/car_feature.jpg"} <= names


@pytest.mark.parametrize("scheme", ["light", "dark"])
@pytest.mark.parametrize("width", [1280, 390])
def test_home_and_course_pages_show_the_course_with_its_figures_on_a_desktop_and_a_phone(browser, served_site, width, scheme):
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page = browser.new_page(viewport={"width": width, "height": 900}, color_scheme=scheme)
    page.goto(f"{served_site}/")
    card = page.locator(".course-cards li", has_text="Computer Vision")
    assert "4 lessons" in card.inner_text() and "train one" in card.inner_text()
    shown_pages = {"home": page.url}
    card.locator("a").first.click()
    page.wait_for_url("**/computer-vision/")
    shown_pages["course"] = page.url
    for name, url in shown_pages.items():
        page.goto(url)
        for image in page.locator("article img").all():  # thumbnails load lazily: each is scrolled to
            image.scroll_into_view_if_needed()
        page.wait_for_load_state("networkidle")
        loaded = page.eval_on_selector_all("article img", "images => images.map(i => i.complete && i.naturalWidth > 0)")
        assert loaded and all(loaded), name
        assert page.evaluate("document.documentElement.scrollWidth") <= width, name  # nothing wider than the screen
        if scheme == "dark":  # figures drawn on white keep a white ground on the dark palette
            ground = page.eval_on_selector("article img", "image => getComputedStyle(image).backgroundColor")
            assert ground == "rgb(255, 255, 255)", name
        page.screenshot(path=SCREENSHOTS / f"{name}-{width}px-{scheme}.png", full_page=True)
    lessons = page.locator(".lesson-item")
    assert lessons.count() == 4 and lessons.nth(3).locator("img.lesson-thumbnail").count() == 1
    assert "Stack convolution, ReLU and pooling" in lessons.nth(3).inner_text()
    page.close()

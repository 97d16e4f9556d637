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
        page.get_by_role("link", name="Download notebook").click(modifiers=["Alt"])
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

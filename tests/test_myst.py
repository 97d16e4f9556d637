"""MyST's prose directives as the site shows them."""
from lessonbuild.myst import to_site
from tests.conftest import make_project, run_build

LESSON = """\
(intro)=
# Directives

```{note}
A **note**.
```

:::{tip} Keep this in mind
:class: dropdown
Hidden until opened.

```{warning}
Nested inside the tip.
```
:::

````{admonition} Custom title
```python
print("a code block inside")
```
````

```{code-block} python
:caption: ignored here
x = {"a": 1}
```

```{toctree}
other
```

```{mystery-box}
Shown plainly.
```
"""


def test_admonitions_dropdowns_code_and_targets():
    shown, unknown = to_site(LESSON)
    assert shown.startswith('<a id="intro"></a>\n# Directives')
    assert '<div class="admonition note" markdown="1">\n<p class="admonition-title">Note</p>\n\nA **note**.\n\n</div>' in shown
    assert '<details class="tip" markdown="1">\n<summary>Keep this in mind</summary>\n\nHidden until opened.' in shown
    assert '<div class="admonition warning" markdown="1">' in shown  # nested, to any depth
    assert '<p class="admonition-title">Custom title</p>\n\n```python\nprint("a code block inside")\n```' in shown
    assert '```python\nx = {"a": 1}\n```' in shown and "toctree" not in shown
    assert '<div class="myst-mystery-box" markdown="1">\n\nShown plainly.\n\n</div>' in shown
    assert "```{" not in shown and ":::{" not in shown
    assert unknown == [(32, "mystery-box")]


def test_figures_and_images_become_images_with_their_caption():
    shown, _ = to_site("```{figure} images/a.png\n:alt: A plot\nThe caption.\n```\n\n:::{image} b.png\n:::\n")
    assert shown == "![A plot](images/a.png)\n\n*The caption.*\n\n![](b.png)\n"


def test_a_page_with_directives_builds_and_shows_no_raw_syntax(tmp_path):
    root = make_project(tmp_path, {"01-d": LESSON.replace("```{mystery-box}\nShown plainly.\n```\n", "")})
    result = run_build(root, "--no-execute")
    assert result.returncode == 0, result.stderr
    page = (root / "site" / "tiny" / "01-d" / "index.html").read_text()
    assert '<div class="admonition note">' in page and "<strong>note</strong>" in page
    assert '<details class="tip">' in page and "<summary>Keep this in mind</summary>" in page
    assert "{note}" not in page and ":::" not in page and "(intro)=" not in page
    assert 'id="intro"' in page


def test_an_unknown_directive_is_a_warning_and_strict_stops(tmp_path):
    root = make_project(tmp_path, {"01-d": "# D\n\n```{mystery-box}\nShown plainly.\n```\n"})
    checked = run_build(root, "check")
    assert checked.returncode == 0
    assert checked.stderr == "lessons/tiny/01-d.md:3: warning: unknown directive '{mystery-box}': its content is shown as prose\n"
    assert run_build(root, "check", "--strict").returncode == 2


def test_a_directive_in_a_list_item_stays_in_it():
    shown, _ = to_site("1. First:\n\n   ```{note}\n   Inside the item.\n   ```\n2. Second.\n")
    assert shown == ('1. First:\n\n   <div class="admonition note" markdown="1">\n   <p class="admonition-title">Note</p>\n\n'
                     '   Inside the item.\n\n   </div>\n2. Second.\n')

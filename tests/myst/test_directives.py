"""MyST's directives as the site's components."""
from pathlib import Path

from lessonbuild.errors import SourceLocation
from lessonbuild.myst.page import PageProse
from tests.conftest import make_project, preview_page, run_build


def warnings_of(page: PageProse) -> list[tuple[str, str]]:
    """The page's warnings, each at `path:line`."""
    return [(str(where), message) for where, message in page.warnings]


def to_site(markdown: str, page: PageProse | None = None) -> tuple[str, list]:
    """The translated text and the (line, directive) of each unknown directive."""
    page = page or PageProse("lesson")
    shown = page.translate(markdown, lambda line: SourceLocation(Path("lesson.md"), line))
    unknown = [(where.line, message.split("'")[1][1:-1]) for where, message in page.warnings
               if message.startswith("unknown directive")]
    return shown, unknown

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
    assert shown.startswith('<a id="intro"></a>\n\n# Directives')
    assert '<div class="admonition note" markdown="1">\n<p class="admonition-title">Note</p>\n\nA **note**.\n\n</div>' in shown
    assert '<details class="tip" markdown="1">\n<summary>Keep this in mind</summary>\n\nHidden until opened.' in shown
    assert '<div class="admonition warning" markdown="1">' in shown  # nested, to any depth
    assert '<p class="admonition-title">Custom title</p>\n\n```python\nprint("a code block inside")\n```' in shown
    assert '```python title="ignored here"\nx = {"a": 1}\n```' in shown and "toctree" not in shown
    assert '<div class="myst-mystery-box" markdown="1">\n\nShown plainly.\n\n</div>' in shown
    assert "```{" not in shown and ":::{" not in shown
    assert unknown == [(32, "mystery-box")]


def test_figures_are_numbered_with_their_caption_and_images_keep_their_size():
    page = PageProse("lesson")
    shown, _ = to_site("```{figure} images/a.png\n:alt: A plot\n:name: fig-a\nThe *caption*.\n```\n\n"
                       ":::{image} b.png\n:width: 200px\n:::\n\n```{figure} c.png\n```\n", page)
    assert '<figure class="myst-figure align-center" id="fig-a" markdown="1">\n\n![A plot](images/a.png)\n\n' in shown
    assert "Fig. 1: The *caption*." in shown and "Fig. 2" in shown
    assert '![](b.png){ width="200px" }' in shown
    assert [(t.label, t.kind, t.number, t.text) for t in page.targets] == [("fig-a", "figure", 1, "The caption.")]


def test_a_page_with_directives_builds_and_shows_no_raw_syntax(tmp_path):
    page = preview_page(tmp_path, "01-d", LESSON.replace("```{mystery-box}\nShown plainly.\n```\n", ""))
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


def test_a_directive_in_a_list_item_stays_in_it_as_pythons_markdown_reads_it():
    shown, _ = to_site("1. First:\n\n   ```{note}\n   Inside **the** item.\n   ```\n2. Second.\n   - nested\n\n     more\n")
    assert shown == ('1. First:\n\n    !!! note "Note"\n\n        Inside **the** item.\n\n2. Second.\n    - nested\n\n        more\n')


def test_a_dropdown_in_a_quote_and_a_list_page_in_the_browser_shape(tmp_path):
    lesson = ("# L\n\n- Item:\n\n  :::{tip} Look\n  :class: dropdown\n  Hidden *text*.\n  :::\n- Next\n  - nested\n\n"
              "> ```{warning}\n> Careful.\n> ```\n")
    page = preview_page(tmp_path, "01-l", lesson)
    item = page.split("<li>", 1)[1].split("</li>", 1)[0]
    assert '<details class="tip">' in item and "<summary>Look</summary>" in item and "<em>text</em>" in item
    assert "<li>\n<p>Next</p>\n<ul>\n<li>nested</li>" in page  # a two-space nested list stays nested
    assert '<blockquote>\n<div class="admonition warning">' in page and ":::" not in page


def test_code_blocks_keep_caption_line_numbers_and_emphasis():
    shown, _ = to_site("```{code-block} python\n:caption: demo.py\n:linenos:\n:emphasize-lines: 1,3-4\nx = 1\n```\n")
    assert shown == '```python title="demo.py" linenums="1" hl_lines="1 3-4"\nx = 1\n```\n'


def test_tabs_are_radio_buttons_with_markdown_content():
    shown, _ = to_site("::::{tab-set}\n:::{tab-item} Python\nUse **pip**.\n:::\n:::{tab-item} Conda\nUse conda.\n:::\n::::\n")
    assert shown.count('<div class="myst-tab-item" markdown="1">') == 2
    assert '<label><input type="radio" name="tabs-lesson-1" checked> Python</label>\n\nUse **pip**.' in shown
    assert '<label><input type="radio" name="tabs-lesson-1"> Conda</label>' in shown


def test_cards_in_a_grid_keep_title_header_body_and_footer():
    shown, _ = to_site("::::{grid} 2\n:::{grid-item-card} Title\n:link: other.md\nHead\n^^^\nBody\n+++\nFoot\n:::\n::::\n")
    assert '<div class="grid cards myst-grid" markdown="1">' in shown
    assert '<div class="card" markdown="1">\n\n**[Title](other.md)**\n\nHead\n\nBody\n\n---\n\nFoot' in shown


def test_exercises_are_numbered_and_solutions_folded_with_the_exercise_named():
    page = PageProse("lesson")
    shown, _ = to_site(":::{exercise} Pooling\n:label: ex-pool\nPool it.\n:::\n\n:::{solution} ex-pool\nLike this.\n:::\n", page)
    assert '<div class="admonition exercise" id="ex-pool" markdown="1">\n<p class="admonition-title">Exercise 1 (Pooling)</p>' in shown
    assert '<details class="solution" markdown="1">\n<summary>Solution to \ue0000\ue001</summary>\n\nLike this.' in shown
    assert page.references[0].role == "title" and page.targets[0].number == 1


def test_gated_exercises_and_solutions_span_cells_and_an_unclosed_one_is_closed_with_a_warning():
    page = PageProse("lesson")
    first, _ = to_site("```{solution-start} ex\n```\n", page)
    last, _ = to_site("```{solution-end}\n```\n", page)
    assert first.startswith('<details class="solution" markdown="1">') and "</details>" not in first
    assert last == "</details>\n" and page.finish() == ""
    to_site("```{exercise-start}\n```\n", page)
    assert page.finish() == "</div>"
    assert warnings_of(page) == [("lesson.md:1", "opened here and never closed: closed at the end of the lesson")]


def test_list_and_csv_tables_are_numbered_pipe_tables():
    page = PageProse("lesson")
    shown, _ = to_site("```{list-table} Sizes\n:header-rows: 1\n:name: tbl\n* - Name\n  - Size\n* - a|b\n  - $n^2$\n```\n\n"
                       "```{csv-table} More\n:header: \"x\", \"y\"\n1, \"two, three\"\n```\n", page)
    assert ('<p class="myst-table-caption" id="tbl" markdown="1">Table 1: Sizes</p>\n\n| Name | Size |\n|---|---|\n'
            '| a\\|b | <span class="math-inline"><math') in shown
    assert "Table 2: More</p>\n\n| x | y |\n|---|---|\n| 1 | two, three |" in shown
    assert [(t.label, t.number) for t in page.targets] == [("tbl", 1)]


def test_included_files_are_code_or_translated_prose_and_a_missing_one_is_a_warning(tmp_path):
    (tmp_path / "snippet.py").write_text("import math\n# start\nx = math.pi\ny = 2\n# end\n")
    (tmp_path / "part.md").write_text("Included with $x$.\n")
    page = PageProse("lesson", folder=tmp_path, lessons=tmp_path)
    shown, _ = to_site("```{literalinclude} snippet.py\n:start-after: # start\n:end-before: # end\n:emphasize-lines: 1\n```\n\n"
                       "```{literalinclude} snippet.py\n:lines: 1,3-\n```\n\n```{include} part.md\n```\n\n"
                       "```{literalinclude} ../outside.py\n```\n", page)
    assert '```python hl_lines="1"\nx = math.pi\ny = 2\n```' in shown
    assert "```python\nimport math\nx = math.pi\ny = 2\n# end\n```" in shown
    assert "Included with <span class=\"math-inline\"><math" in shown
    assert warnings_of(page) == [("lesson.md:14", "'{literalinclude}' ../outside.py: no such file beside the lesson (inside lessons/)")]


def test_an_included_file_that_is_no_utf8_text_or_leads_out_is_a_warning_and_huge_lines_stop_at_its_end(tmp_path):
    lessons = tmp_path / "lessons"
    lessons.mkdir()
    (lessons / "latin.py").write_bytes('x = "\u00e9"\n'.encode("latin-1"))
    (lessons / "figure.png").write_bytes(b"\x89PNG\r\n\x1a\n\0\0\0\rIHDR")
    (lessons / "short.py").write_text("a = 1\nb = 2\n")
    (lessons / "environ.txt").symlink_to("/proc/self/environ")
    page = PageProse("lesson", folder=lessons, lessons=lessons)
    shown, _ = to_site("```{literalinclude} latin.py\n```\n\n```{include} figure.png\n```\n\n"
                       "```{csv-table}\n:file: latin.py\n```\n\n```{literalinclude} environ.txt\n```\n\n"
                       "```{literalinclude} short.py\n:lines: 2-1000000000000\n```\n", page)
    assert "```python\nb = 2\n```" in shown  # at once: the range stops at the file's last line
    assert warnings_of(page) == [
        ("lesson.md:1", "'{literalinclude}' latin.py: line 1 of the file: not UTF-8 text (byte 0xe9); save it as UTF-8; shown as nothing"),
        ("lesson.md:4", "'{include}' figure.png: line 3 of the file: a binary file (it holds NUL bytes), not text; shown as nothing"),
        ("lesson.md:7", "'{csv-table}' :file: latin.py: line 1 of the file: not UTF-8 text (byte 0xe9); save it as UTF-8; "
                        "shown as nothing"),
        ("lesson.md:7", "'{csv-table}' has no rows"),
        ("lesson.md:11", "'{literalinclude}' environ.txt: no such file beside the lesson (inside lessons/)"),
    ]


def test_a_csv_table_from_a_file_and_numbering_turned_off(tmp_path):
    (tmp_path / "rates.csv").write_text("rate,years\n5%,14.2\n")
    page = PageProse("lesson", folder=tmp_path, lessons=tmp_path, numbering={"table": False})
    shown, _ = to_site("```{csv-table} Rates\n:file: rates.csv\n:header-rows: 1\n```\n\n```{figure} a.png\nA plot.\n```\n", page)
    assert '<p class="myst-table-caption" markdown="1">Rates</p>\n\n| rate | years |\n|---|---|\n| 5% | 14.2 |' in shown
    assert "Fig. 1: A plot." in shown  # only tables were turned off


def test_buttons_embeds_diagrams_and_rubrics_have_rules_and_eval_rst_is_unknown():
    page = PageProse("lesson")
    shown, unknown = to_site(
        "```{button-link} https://example.org/\nVisit\n```\n\n```{iframe} https://example.org/embed\n```\n\n"
        "```{video} file:///etc/passwd\n```\n\n```{mermaid}\ngraph LR; A-->B\n```\n\n```{rubric} Notes\n```\n\n"
        "```{eval-rst}\n.. note:: rst\n```\n", page)
    assert '<a class="md-button" href="https://example.org/">Visit</a>' in shown
    assert '<iframe src="https://example.org/embed"' in shown and "<video" not in shown and "file://" not in shown
    assert "```mermaid\ngraph LR; A-->B\n```" in shown and '<p class="rubric"><strong>Notes</strong></p>' in shown
    assert unknown == [(18, "eval-rst")]
    assert ("lesson.md:8", "'{video}' file:///etc/passwd: only http(s) addresses and files beside the lesson are embedded") \
        in warnings_of(page)


def test_a_button_or_an_embed_takes_no_script_address_and_no_style_from_the_lesson():
    page = PageProse("lesson")
    shown, _ = to_site("```{button-link} javascript:alert(1)\nClick\n```\n\n```{video} clip.mp4\n:width: 1px; position:fixed\n```\n\n"
                       "```{button-ref} intro\n```\n", page)
    assert "javascript:" not in shown and "position:fixed" not in shown
    assert '<video controls src="clip.mp4" style="max-width: 100%">' in shown and [f for f, _ in page.files] == ["clip.mp4"]
    assert [(r.role, r.target, r.attributes) for r in page.references] == [("ref", "intro", "{ .md-button }")]
    assert warnings_of(page) == [("lesson.md:1", "'{button-link}' javascript:alert(1): only http(s), mailto and relative "
                                  "addresses are linked")]


def test_a_button_ref_takes_the_reference_its_ref_type_names():
    page = PageProse("lesson")
    to_site("```{button-ref} b\n:ref-type: doc\nGo\n```\n\n```{button-ref} x\n:ref-type: any\n```\n\n"
            "```{button-ref} y\n:ref-type: odd\n```\n", page)
    assert [(r.role, r.target, r.text) for r in page.references] == [("doc", "b", "Go"), ("link", "x", None), ("ref", "y", None)]
    assert warnings_of(page) == [("lesson.md:10", "'{button-ref}' :ref-type: odd: one of ref, doc, any, myst is meant; read as ref")]


def test_tabbed_items_are_tabs_of_their_set_as_tab_items_are():
    shown, unknown = to_site("````{tab-set}\n```{tabbed} One\nFirst.\n```\n```{tab-item} Two\nSecond.\n```\n````\n")
    assert "One</label>" in shown and "Two</label>" in shown and "First." in shown and unknown == []


def test_a_markdown_figure_is_numbered_with_its_image_and_caption_and_a_footbibliography_is_the_pages_works():
    page = PageProse("lesson")
    shown = page.translate("```{figure-md} fig-md\n![a picture](pic.png)\n\nThe *caption*.\n```\n",
                           lambda line: SourceLocation(Path("lesson.md"), line))
    assert shown.startswith('<figure class="myst-figure align-center" id="fig-md" markdown="1">\n\n![a picture](pic.png)')
    assert "The *caption*." in shown and [(t.label, t.number) for t in page.targets] == [("fig-md", 1)]
    assert page.warnings == []
    page.translate("```{footbibliography}\n```\n", lambda line: SourceLocation(Path("lesson.md"), line))
    assert page.bibliography_at is not None and page.warnings == []


def test_a_badge_is_a_label_the_site_styles():
    from lessonbuild.myst.roles import role

    assert role("bdg-primary", "new", PageProse("l"), SourceLocation(Path("l.md"), 1)) == \
        '<span class="lesson-badge lesson-badge-primary">new</span>'

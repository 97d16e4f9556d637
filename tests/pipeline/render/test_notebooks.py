import os
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest

from lessonbuild.errors import SourceErrors
from lessonbuild.pipeline.read import read_courses
from lessonbuild.pipeline.render.notebooks import render_course
from lessonbuild.project import load_project
from tests.conftest import REPOSITORY, make_project, preview_page, run_build


def render_one(tmp_path, lesson_text):
    project = load_project(make_project(tmp_path, {"01-x": lesson_text}))
    (course,) = read_courses(project)
    return render_course(course, project)[0]


def render_error(tmp_path, lesson_text) -> str:
    with pytest.raises(SourceErrors) as caught:
        render_one(tmp_path, lesson_text)
    (error,) = caught.value.errors
    return str(error)


def test_the_notebook_validates_and_keeps_tags(tiny_project):
    (course,) = read_courses(tiny_project)
    (rendered,) = render_course(course, tiny_project)
    notebook = rendered.notebook
    nbformat.validate(notebook)
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    assert code[1].metadata.tags == ["hide-input"]
    assert "open('data/values.txt')" in code[1].source
    assert notebook.metadata.kernelspec.name == "python3"


def test_header_and_footer_come_from_templates(tiny_project):
    (course,) = read_courses(tiny_project)
    (rendered,) = render_course(course, tiny_project)
    cells = rendered.notebook.cells
    assert cells[0].source.startswith("# Plots")
    assert "Tiny Course, lesson 1 of 1" in cells[0].source
    assert "lessons/tiny/01-plots.md" in cells[-1].source
    assert rendered.cell_origins[0] is None and rendered.cell_origins[-1] is None


RENDER_ONE = """
import sys, nbformat
from lessonbuild.project import load_project
from lessonbuild.pipeline.read import read_courses
from lessonbuild.pipeline.render.notebooks import render_course
project = load_project(sys.argv[1])
sys.stdout.write(nbformat.writes(render_course(read_courses(project)[0], project)[0].notebook))
"""


def test_rendering_gives_the_same_notebook_in_every_process(tiny_project):
    # Each process its own hash seed: an order that follows a set's or a dict's hashing would show.
    notebooks = set()
    for seed in ("1", "2"):
        environment = {**os.environ, "PYTHONHASHSEED": seed}
        result = subprocess.run([sys.executable, "-c", RENDER_ONE, str(tiny_project.root)], capture_output=True,
                                text=True, env=environment, cwd=REPOSITORY)
        assert result.returncode == 0, result.stderr
        notebooks.add(result.stdout)
    assert len(notebooks) == 1 and '"cell_type": "code"' in notebooks.pop()


def test_macros_from_the_templates_folder(tmp_path):
    rendered = render_one(tmp_path, "---\ntitle: T\n---\n{{ macros.note('careful') }}\n")
    assert "> **Note:** careful" in rendered.notebook.cells[1].source


@pytest.mark.parametrize(
    "body, expected",
    [
        ("Text.\n\n{% if %}\n", "lessons/tiny/01-x.md:6: Jinja syntax error"),
        ("```{code-cell} ipython3\nx = 1\ny = {{ lesson.title ~ nowhere }}\n```\n",
         "lessons/tiny/01-x.md:6: undefined name in template: 'nowhere' is undefined"),
        ("```{code-cell} ipython3\np = '{{ data_path(\"absent.csv\") }}'\n```\n",
         "lessons/tiny/01-x.md:5: data file 'absent.csv' not found"),
        ("```{code-cell} ipython3\np = '{{ data_path(\"../helper.py\") }}'\n```\n",
         "lessons/tiny/01-x.md:5: data file '../helper.py': a path inside data/"),
        ("Text {{ lesson.title | no_such_filter }}.\n", "lessons/tiny/01-x.md:4: Jinja syntax error: No filter named 'no_such_filter'"),
        ("Text.\n\n{% if true %}{{ 'x' | nope }}{% endif %}\n", "lessons/tiny/01-x.md:6: Jinja error: No filter named 'nope'"),
    ],
)
def test_template_errors_name_the_lesson_line(tmp_path, body, expected):
    assert render_error(tmp_path, "---\ntitle: T\n---\n" + body).startswith(expected)


def test_errors_in_template_files_name_the_template(tmp_path):
    root = make_project(tmp_path, {"01-x": "---\ntitle: T\n---\n"})
    (root / "templates" / "lesson").mkdir(parents=True)
    (root / "templates" / "lesson" / "footer.md.j2").write_text("fine\n{{ lesson.nope }}\n")
    project = load_project(root)
    (course,) = read_courses(project)
    with pytest.raises(SourceErrors) as caught:
        render_course(course, project)
    assert str(caught.value.errors[0]).startswith("templates/lesson/footer.md.j2:2: undefined name in template")


def test_a_figure_shows_by_name_and_an_unknown_one_is_an_error(tmp_path):
    cell = "```{code-cell} ipython3\n:figure: curve\nplot()\n```\n"
    rendered = render_one(tmp_path / "a", "---\ntitle: T\n---\n" + cell + '{{ figure("curve", alt="A curve", caption="It rises.") }}\n')
    assert rendered.notebook.cells[2].source == "![A curve](attachment:curve.png)\n\n*It rises.*"
    error = render_error(tmp_path / "b", "---\ntitle: T\n---\n" + cell + '\n{{ figure("curve-2") }}\n')
    assert error == "lessons/tiny/01-x.md:9: unknown figure 'curve-2' (figures drawn in this lesson: curve)"


def test_learntools_macros_in_a_lesson(tmp_path):
    project = load_project(make_project(tmp_path, {
        "01-a": "---\ntitle: A\n---\nOn to [the next one](#$NEXT_NOTEBOOK_URL$).\n\n#$YOURTURN$\n\n"
                "```{code-cell} ipython3\nx = 1\n#_RM_\ny = 2\n```\n```{code-cell} ipython3\n#%%RM%%\nsecret()\n```\n"
                "Between.\n\n```{code-cell} ipython3\n#%%RM_BELOW%%\n```\nGone.\n",
        "02-b": "---\ntitle: B\n---\nBack to [the first](#$TUTORIAL_URL(1)$).\n",
    }))
    (course,) = read_courses(project)
    first, second = render_course(course, project)
    sources = [cell.source for cell in first.notebook.cells[1:-1]]
    assert sources[0].startswith("On to [the next one](02-b.md).\n\n# Your Turn #")
    assert sources[1:] == ["x = 1", "Between."]
    assert second.notebook.cells[1].source == "Back to [the first](01-a.md)."


def test_a_link_past_the_last_lesson_is_an_error_at_its_line(tmp_path):
    error = render_error(tmp_path, "---\ntitle: T\n---\n\n[Next](#$NEXT_NOTEBOOK_URL$)\n")
    assert error == "lessons/tiny/01-x.md:5: #$NEXT_NOTEBOOK_URL$: this is the course's last lesson"


def test_a_link_to_a_page_that_is_no_lesson_is_a_warning_and_plain_text(tmp_path):
    ok = render_one(tmp_path / "a", "---\ntitle: T\n---\nSee [this](01-x.md#part), [the web](https://example.org/a.md).\n\n## Part\n")
    assert "See [this](#part), [the web](https://example.org/a.md)." in ok.notebook.cells[1].source and ok.warnings == ()
    dangling = render_one(tmp_path / "b", "---\ntitle: T\n---\nFirst line.\nSee [that page](02-missing.md).\n")
    assert dangling.notebook.cells[1].source == "First line.\nSee that page."
    assert [str(w) for w in dangling.warnings] == [
        "lessons/tiny/01-x.md:5: warning: link to '02-missing.md', which is no lesson: shown as text"]


def test_a_link_to_a_lessons_notebook_is_a_link_to_its_page_and_to_no_lesson_a_warning(tmp_path):
    body = "See [this](01-x.ipynb#Big-O-Notation) and [that](02-sorting.ipynb).\n\n## Big-O Notation\n"
    rendered = render_one(tmp_path, "---\ntitle: T\n---\n" + body)  # Jupyter's anchor, as the site's engine makes it
    assert rendered.notebook.cells[1].source.startswith("See [this](#big-o-notation) and that.")
    assert [str(w) for w in rendered.warnings] == [
        "lessons/tiny/01-x.md:4: warning: link to '02-sorting.ipynb', which is no lesson: shown as text"]


def test_an_image_of_the_prose_must_be_there_and_reaches_the_site(tmp_path):
    body = "![A grid](data/values.txt) and <img src=\"../tiny/helper.py\"> and ![web](https://example.org/x.png)\n"
    rendered = render_one(tmp_path / "a", "---\ntitle: T\n---\n" + body)
    assert rendered.assets == (Path("tiny/data/values.txt"), Path("tiny/helper.py"))
    error = render_error(tmp_path / "b", "---\ntitle: T\n---\nText.\n\n![Gone](images/cool.jpg)\n")
    assert error == "lessons/tiny/01-x.md:6: image 'images/cool.jpg' not found (a file beside the lesson, inside lessons/)"


def test_an_image_named_with_a_star_is_the_best_of_the_formats_present(tmp_path):
    body = ("![Fish](images/fish.*) and <img src=\"images/fish.*\" width=\"20\">\n\n"
            "```{figure} images/fish.*\n:alt: A fish\n\nA caption.\n```\n\n![Gone](images/gone.*)\n")
    root = make_project(tmp_path, {"01-x": "---\ntitle: T\n---\n" + body})
    images = root / "lessons" / "tiny" / "images"
    images.mkdir()
    for suffix in (".gif", ".png"):
        (images / f"fish{suffix}").write_bytes(b"an image")
    project = load_project(root)
    (course,) = read_courses(project)
    with pytest.raises(SourceErrors) as caught:
        render_course(course, project)
    assert [str(e) for e in caught.value.errors] == [
        "lessons/tiny/01-x.md:12: image 'images/gone.*' not found (a file beside the lesson, inside lessons/)"]
    (root / "lessons" / "tiny" / "01-x.md").write_text("---\ntitle: T\n---\n" + body.replace("![Gone](images/gone.*)\n", ""))
    (course,) = read_courses(project)
    (rendered,) = render_course(course, project)
    source = rendered.notebook.cells[1].source
    assert "![Fish](images/fish.png)" in source and '<img src="images/fish.png" width="20">' in source
    assert "images/fish.*" not in "".join(cell.source for cell in rendered.notebook.cells)
    assert rendered.assets == (Path("tiny/images/fish.png"),)
    (images / "fish.svg").write_bytes(b"<svg/>")  # sharper than any bitmap: chosen first
    (course,) = read_courses(project)
    (rendered,) = render_course(course, project)
    assert rendered.assets == (Path("tiny/images/fish.svg"),)


def test_learntools_links_reach_the_sites_own_pages(learntools_root):
    project = load_project(learntools_root)
    (course,) = read_courses(project)
    tutorial, exercise, strides = render_course(course, project)
    text = "\n".join(cell.source for cell in tutorial.notebook.cells)
    assert "[next lesson](02-strides.md)" in text
    assert "[Fork the exercise](01-exercise-pooling-by-hand.md), or [read on](01-exercise-pooling-by-hand.md)." in text
    assert "**[Open the exercise](01-exercise-pooling-by-hand.md)** and try Pooling by Hand on your own." in text
    assert exercise.notebook.cells[0].source.startswith("# Exercise: Pooling by Hand\n\n*Pooling, exercise for lesson 1 of 2.*")
    assert "On to the next lesson: **[Strides](02-strides.md)**." in "\n".join(c.source for c in exercise.notebook.cells)
    assert "[its exercise](01-exercise-pooling-by-hand.md)" in strides.notebook.cells[1].source
    hidden = [cell.metadata for cell in tutorial.notebook.cells if cell.cell_type == "code"]
    assert [m.get("tags") for m in hidden] == [["hide-input"], ["hide-output"], ["hide-cell"], None]
    assert not any(key.startswith("_kg_") for m in hidden for key in m)  # Kaggle's flags are for the kaggle target


def test_exercise_links_need_an_exercise(tmp_path):
    error = render_error(tmp_path, "---\ntitle: T\n---\n\nSee [it](#$EXERCISE_URL(1)$).\n")
    assert error == "lessons/tiny/01-x.md:5: lesson 1 has no exercise (the course file lists none for it)"
    error = render_error(tmp_path / "b", "---\ntitle: T\n---\n\n[Lesson 3](#$TUTORIAL_URL(3)$)\n")
    assert error == "lessons/tiny/01-x.md:5: #$TUTORIAL_URL(3)$: the course has lessons 1 to 1"


def with_kaggle_owner(tmp_path, lesson_text: str):
    """A one-lesson project whose course file has kaggle settings; the project and its course file."""
    project = load_project(make_project(tmp_path, {"01-x": lesson_text}))
    course_file = project.lessons_dir / "tiny" / "course.yml"
    course_file.write_text(course_file.read_text() + "kaggle: {owner: team}\n")
    return project, course_file


def test_for_kaggle_data_comes_from_the_courses_dataset(tmp_path):
    lesson = "---\ntitle: T\n---\n\n```{code-cell} ipython3\nopen('{{ data_path(\"values.txt\") }}')\n```\n"
    project, course_file = with_kaggle_owner(tmp_path, lesson)
    (course,) = read_courses(project)
    # Without a dataset of the course's own, data/ mirrors the kernel's inputs (an imported course's layout).
    (rendered,) = render_course(course, project, target="kaggle")
    assert "open('/kaggle/input/values.txt')" in rendered.notebook.cells[0].source
    course_file.write_text(course_file.read_text().replace("owner: team", "owner: team, data_source: team/tiny-files"))
    (course,) = read_courses(project)
    (rendered,) = render_course(course, project, target="kaggle")
    code = [cell for cell in rendered.notebook.cells if cell.cell_type == "code"]
    assert code[0].source == "import sys\nsys.path.append('/kaggle/input/tiny-files')  # the course's helper modules"
    assert code[1].source == "open('/kaggle/input/tiny-files/data/values.txt')"


def test_a_link_macro_in_running_text_becomes_a_whole_link(learntools_root):
    lesson = learntools_root / "lessons" / "pooling" / "02-strides.md"
    lesson.write_text(lesson.read_text() + "\nStart again at #$TUTORIAL_URL(1)$ or try #$EXERCISE_URL(1)$.\n")
    project = load_project(learntools_root)
    (course,) = read_courses(project)
    strides = render_course(course, project)[2]
    expected = "Start again at [Pooling by Hand](01-pooling-by-hand.md) or try [Exercise: Pooling by Hand](01-exercise-pooling-by-hand.md)."
    assert strides.notebook.cells[-2].source.endswith(expected)


def test_every_problem_of_every_lesson_and_none_caused_by_a_neighbour(tmp_path):
    # 02 does not read (bad YAML in its front matter); 01 links to it, 03 links past the end.
    root = make_project(tmp_path, {
        "01-a": "---\ntitle: A\n---\n[On]({{ lesson.nowhere }}) and [next](#$NEXT_NOTEBOOK_URL$)\n\n+++\n\n{{ data_path('x.csv') }}\n",
        "02-b": "---\ntitle: [B\n---\nText.\n",
        "03-c": "---\ntitle: C\n---\n[Back](#$TUTORIAL_URL(2)$), [on](#$NEXT_NOTEBOOK_URL$)\n\n```{code-cell} ipython3\n#$SHOW$\n```\n",
    })
    result = run_build(root, "check")
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        "lessons/tiny/02-b.md:2: invalid YAML: expected ',' or ']', but got '<stream end>' (while parsing a flow sequence at line 2)",
        "lessons/tiny/03-c.md:7: unknown macro '#$SHOW$' (known: #$NEXT_NOTEBOOK_URL$, #$TUTORIAL_URL$, #$EXERCISE_URL$, "
        "#$EXERCISE_FORKING_URL$, #$YOURTURN$, #$KEEP_GOING$, #$SUBMIT_TO_COMP$, #$HIDE_INPUT$, #$HIDE_OUTPUT$, #$HIDE$)",
        "lessons/tiny/01-a.md:4: undefined name in template: 'lessonbuild.model.Lesson object' has no attribute 'nowhere'",
        "lessons/tiny/01-a.md:8: data file 'x.csv' not found in data/ of this course",
        "lessons/tiny/03-c.md:4: #$NEXT_NOTEBOOK_URL$: this is the course's last lesson",
    ]


PYTHON_BRACES = '''```{code-cell} ipython3
name, t = "x", 3
print(f'{{{name}}}', r'$h_{{{}}}$'.format(t), "{#not a comment#}", {{1: 2}.get(1): 'set'})
template = "{{ greeting }} {% raw %}"
path = '{{ data_path("values.txt") }}'
```
'''


def test_python_braces_reach_the_kernel_byte_for_byte_and_the_builds_names_still_work(tmp_path):
    rendered = render_one(tmp_path, "---\ntitle: T\n---\n" + PYTHON_BRACES)
    (code,) = [cell for cell in rendered.notebook.cells if cell.cell_type == "code"]
    written = PYTHON_BRACES.split("\n", 1)[1].rsplit("```", 1)[0].strip("\n")
    assert code.source == written.replace('{{ data_path("values.txt") }}', "data/values.txt")


def test_a_lesson_can_keep_jinja_out_of_its_code(tmp_path):
    front = "---\ntitle: T\nlessonbuild: {jinja_in_code: false}\n---\n"
    rendered = render_one(tmp_path, front + "```{code-cell} ipython3\npath = '{{ data_path(\"values.txt\") }}'\n```\n")
    assert rendered.notebook.cells[1].source == "path = '{{ data_path(\"values.txt\") }}'"


def test_myst_substitutions_and_attributes_in_prose(tmp_path):
    front = "---\ntitle: T\nsubstitutions:\n  key: the *value*\nmyst:\n  substitutions:\n    other: more\n---\n"
    rendered = render_one(tmp_path, front + "Here is {{ key }} and {{ other }}.\n\n{#intro}\n## A section\n")
    assert rendered.notebook.cells[1].source == "Here is the *value* and more.\n\n{#intro}\n## A section"


def test_the_title_is_shown_once_on_the_site_and_kept_for_kaggle(tmp_path):
    project, _ = with_kaggle_owner(tmp_path, "# Pooling #\n\nProse.\n")
    (course,) = read_courses(project)
    (site,) = render_course(course, project, target="site")
    assert site.notebook.cells[0].source.startswith("# Pooling\n") and site.notebook.cells[1].source == "Prose."
    (kaggle,) = render_course(course, project, target="kaggle")  # Kaggle shows the kernel's title apart: the heading stays
    assert kaggle.notebook.cells[0].source == "# Pooling #\n\nProse."


@pytest.mark.parametrize("opening", [
    "(pooling)=\n\n# Pooling\n\nProse.",  # a label, then a blank line
    "```{raw} jupyter\n<div>a notebook header</div>\n```\n\n# Pooling\n\nProse.",  # QuantEcon's lectures
    "```{code-cell} ipython3\nimport numpy\n```\n\n# Pooling\n\nProse.",  # code before the title
])
def test_the_title_is_shown_once_whatever_stands_before_its_heading(tmp_path, opening):
    rendered = render_one(tmp_path, opening + "\n\n# Another part\n")
    shown = "\n".join(cell.source for cell in rendered.notebook.cells[1:])
    assert rendered.lesson.title == "Pooling" and "# Pooling" not in shown and "Prose." in shown
    assert "## Another part" in shown  # the page's other top headings are its sections, under the header's title
    assert '<a id="pooling">' in shown or "(pooling)" not in opening  # a label before the heading still names the place


def test_prose_keeps_latex_braces_and_jinja_statements_still_work(tmp_path):
    body = ("Math: $\\frac{m_{t+1}}{{p_t}}$ and an example `{{ key1 }}`.\n\n+++\n\n"
            "{% if target == 'site' %}On the site.{% else %}Elsewhere.{% endif %} Comment {## gone ##}here.\n")
    rendered = render_one(tmp_path, "---\ntitle: T\n---\n" + body)
    math, example = rendered.notebook.cells[1].source.split(" and an ")
    assert "<mfrac>" in math and "<msub><mi>p</mi><mi>t</mi></msub>" in math  # LaTeX's {{p_t}} reached the math as written
    assert example == "example `{{ key1 }}`."
    assert rendered.notebook.cells[2].source == "On the site. Comment here."


def test_images_in_comments_and_examples_are_not_the_pages_own(tmp_path):
    body = ("<!-- <img src=\"./images/old.png\"> -->\nAn example: `![x](no.png)`.\n\n"
            "```md\n![An example](images/example.png)\n[a page](elsewhere.md)\n```\n")
    rendered = render_one(tmp_path, "---\ntitle: T\n---\n" + body)
    assert rendered.assets == () and rendered.warnings == ()


def test_raw_html_addresses_are_rebased_for_a_page_in_its_own_folder_and_examples_are_not():
    from lessonbuild.pipeline.render.notebooks import rebased_sources

    prose = ('<img src="a.png"> <video controls src="clip.mp4"></video> ![md](b.png) <img src="/rooted.png">\n'
             '<img src="https://example.org/c.png"> `<img src="code.png">` <!-- <img src="old.png"> -->\n\n'
             '```html\n<img src="example.png">\n```\n')
    shown = rebased_sources(prose, "../")
    assert shown.count('src="../') == 2 and 'src="../a.png"' in shown and 'src="../clip.mp4"' in shown
    assert rebased_sources(prose, "") == prose


def test_an_image_inside_a_myst_directive_is_the_pages_own(tmp_path):
    error = render_error(tmp_path, "---\ntitle: T\n---\n```{toggle}\nHidden.\n\n![](../images/cool.jpg)\n```\n")
    assert error == "lessons/tiny/01-x.md:7: image '../images/cool.jpg' not found (a file beside the lesson, inside lessons/)"


def test_a_lesson_whose_sections_are_level_one_headings_has_them_in_its_table_of_contents(tmp_path):
    lesson = "# Pooling #\n\nIntro.\n\n# Condense #\n\nText.\n\n## Detail\n\nMore.\n\nSetext\n======\n"
    page = preview_page(tmp_path, "01-p", lesson)
    toc = page.split('class="md-nav md-nav--secondary"', 1)[1].split('<div class="md-content"', 1)[0]
    assert [link for link in ("#condense", "#detail", "#setext") if f'href="{link}"' in toc] == ["#condense", "#detail", "#setext"]
    assert page.count("<h1") == 1 and '<h2 id="condense">' in page and '<h3 id="detail">' in page


def test_an_image_after_a_directive_closed_by_a_bare_fence_is_found_and_checked(tmp_path):
    root = make_project(tmp_path, {"01-a": "# A\n\n```{figure} one.png\n```\n\nText\n\n```{figure} two.png\n```\n"})
    (root / "lessons" / "tiny" / "one.png").write_bytes(b"")
    with pytest.raises(SourceErrors) as raised:
        render_course(read_courses(load_project(root))[0], load_project(root))
    assert [str(error) for error in raised.value.errors] == [
        "lessons/tiny/01-a.md:8: image 'two.png' not found (a file beside the lesson, inside lessons/)"]


def test_links_to_sections_are_checked_against_the_pages_headings_and_labels(tmp_path):
    lessons = {
        "01-a": "# A\n\nSee [sorting](02-b.ipynb#Big-O-Notation), [gone](02-b.md#no-such-part), [label](02-b.md#fast),"
                " [here](#intro) and [nowhere](#missing).\n\n## Intro\n",
        "02-b": "# B\n\n## Big-O Notation\n\n(fast)=\n## Quick Sort {#quick}\n\nSee [quick](#quick).\n",
    }
    project = load_project(make_project(tmp_path, lessons))
    first, second = render_course(read_courses(project)[0], project)
    assert first.notebook.cells[1].source.startswith(
        "See [sorting](02-b.md#big-o-notation), [gone](02-b.md), [label](02-b.md#fast), [here](#intro) and [nowhere](#).")
    assert [str(w) for w in first.warnings] == [
        "lessons/tiny/01-a.md:3: warning: link to '#no-such-part' on 02-b.md, which has no heading or label of that "
        "name: links to the page",
        "lessons/tiny/01-a.md:3: warning: link to '#missing' on this page, which has no heading or label of that name: "
        "links to the page"]
    assert "[quick](#quick)" in second.notebook.cells[1].source and second.warnings == ()


def test_a_link_with_a_title_to_a_page_that_is_no_lesson_is_found_too(tmp_path):
    rendered = render_one(tmp_path, '---\ntitle: T\n---\nSee [gone](missing.md "a title").\n')
    assert rendered.notebook.cells[1].source == "See gone."
    assert [w.message for w in rendered.warnings] == ["link to 'missing.md', which is no lesson: shown as text"]


def test_a_link_without_text_shows_the_pages_title_or_the_sections_heading(tmp_path):
    lessons = {"01-a": "# A\n\nSee [](02-b.md) and [](02-b.md#deeper-part).\n", "02-b": "# Second Lesson\n\n## Deeper Part\n"}
    project = load_project(make_project(tmp_path, lessons))
    first, _ = render_course(read_courses(project)[0], project)
    assert first.notebook.cells[1].source.startswith("See [Second Lesson](02-b.md) and [Deeper Part](02-b.md#deeper-part).")


def test_an_html_anchor_is_a_target_and_a_link_text_may_hold_brackets(tmp_path):
    rendered = render_one(tmp_path, "---\ntitle: T\n---\nA sum [[1]](#notes) and [[2]](#gone).\n\n<a id='notes'></a>\n1. A note.\n")
    assert rendered.notebook.cells[1].source.startswith("A sum [[1]](#notes) and [[2]](#).")
    assert [w.message for w in rendered.warnings] == [
        "link to '#gone' on this page, which has no heading or label of that name: links to the page"]


def test_a_quote_escaped_as_commonmark_allows_shows_no_backslash_but_code_keeps_it(tmp_path):
    rendered = render_one(tmp_path, "---\ntitle: T\n---\nLet\\'s say \\\"hi\\\" with `print(\\'x\\')` and \\\\' too.\n")
    assert rendered.notebook.cells[1].source == "Let's say \"hi\" with `print(\\'x\\')` and \\\\' too."


def test_a_link_to_a_file_beside_the_lesson_is_served_and_one_to_no_file_is_its_text(tmp_path):
    rendered = render_one(tmp_path, "---\ntitle: T\n---\nSee [](data/values.txt), [the page](notes.md.txt) and [gone](old.csv).\n")
    assert rendered.notebook.cells[1].source == "See [values.txt](data/values.txt), the page and gone."
    assert rendered.assets == (Path("tiny/data/values.txt"),)
    assert [w.message for w in rendered.warnings] == [
        "link to 'notes.md.txt', which is no file beside the lesson: shown as text",
        "link to 'old.csv', which is no file beside the lesson: shown as text"]


def test_a_missing_image_in_a_book_is_a_warning_and_a_placeholder_until_the_file_is_there(tmp_path):
    from urllib.parse import unquote

    from tests.books import write_jupyter_book

    root = write_jupyter_book(tmp_path / "book")
    page = root / "chapter1" / "more" / "a.md"
    page.write_text("# More A\n\n![A chart](charts/gone.png)\n\n```{figure} ../../images/gone.*\nLost.\n```\n")
    project = load_project(root)
    (course,) = read_courses(project)
    rendered = next(r for r in render_course(course, project) if r.lesson.path == Path("chapter1/more/a.md"))
    shown = "".join(cell.source for cell in rendered.notebook.cells)
    assert "charts/gone.png" not in shown.replace("image%20not%20found%3A%20charts%2Fgone.png", "")
    assert unquote(shown).count("image not found: ") == 2 and "](data:image/svg+xml," in shown
    assert [str(w) for w in rendered.warnings] == [
        "chapter1/more/a.md:3: warning: image 'charts/gone.png' not found beside the page: shown as a placeholder",
        "chapter1/more/a.md:5: warning: image '../../images/gone.*' not found beside the page: shown as a placeholder"]
    (page.parent / "charts").mkdir()
    (page.parent / "charts" / "gone.png").write_bytes((root / "images" / "logo.png").read_bytes())
    (course,) = read_courses(project)
    rendered = next(r for r in render_course(course, project) if r.lesson.path == Path("chapter1/more/a.md"))
    assert Path("chapter1/more/charts/gone.png") in rendered.assets and len(rendered.warnings) == 1


def test_a_file_that_raw_html_links_to_is_served_and_rebased_for_a_page_in_a_folder(tmp_path):
    from lessonbuild.pipeline.render.notebooks import rebased_sources

    body = ('<a href="data/values.txt">the data</a>, <a href="02-b.md">a page</a>, <a href="gone.csv">x</a>, '
            '<a href=".env">secrets</a>\n')
    (tmp_path / "lessons" / "tiny").mkdir(parents=True)
    (tmp_path / "lessons" / "tiny" / ".env").write_text("TOKEN=x\n")  # a hidden file: never served
    rendered = render_one(tmp_path, "---\ntitle: T\n---\n" + body)
    assert rendered.assets == (Path("tiny/data/values.txt"),) and rendered.warnings == ()
    assert rebased_sources(body, "../") == body.replace('href="', 'href="../')
    assert rebased_sources('<a href="#top">up</a> <a href="https://x.org/a">web</a>', "../") == (
        '<a href="#top">up</a> <a href="https://x.org/a">web</a>')

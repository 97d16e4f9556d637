"""The kaggle target, end to end through the command line: learntools-style notebooks imported, rendered for Kaggle."""
import base64
import io
import json

import nbformat
from PIL import Image

from tests.conftest import run_build, with_kaggle_settings

KAGGLE = "https://www.kaggle.com"
TUTORIAL_1 = f"{KAGGLE}/code/learn-team/pooling-by-hand"
TUTORIAL_2 = f"{KAGGLE}/code/learn-team/strides"
EXERCISE_1 = f"{KAGGLE}/kernels/fork/12345"


def kernel(root, slug):
    folder = root / "_build" / "kaggle" / "pooling" / slug
    notebook = nbformat.read(folder / f"{slug}.ipynb", as_version=4)
    nbformat.validate(notebook)
    return notebook, json.loads((folder / "kernel-metadata.json").read_text())


def test_a_course_without_kaggle_settings_is_bad_input(learntools_root):
    result = run_build(learntools_root, "build", "--target", "kaggle")
    assert result.returncode == 2
    assert result.stderr == "lessons/pooling/course.yml:1: no course file has kaggle settings (a 'kaggle:' section with an owner)\n"


def test_every_notebook_gets_a_folder_ready_for_kaggle_kernels_push(learntools_root):
    result = run_build(with_kaggle_settings(learntools_root), "build", "--target", "kaggle")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "kaggle: _build/kaggle/pooling/01-pooling-by-hand/ (learn-team/pooling-by-hand)",
        "kaggle: _build/kaggle/pooling/01-exercise-pooling-by-hand/ (learn-team/exercise-pooling-by-hand)",
        "kaggle: _build/kaggle/pooling/02-strides/ (learn-team/strides)",
        "3 kernels; push one with: kaggle kernels push -p FOLDER",
    ]
    _, metadata = kernel(learntools_root, "01-exercise-pooling-by-hand")
    assert metadata == {
        "id": "learn-team/exercise-pooling-by-hand", "id_no": 12345, "title": "Exercise: Pooling by Hand",
        "code_file": "01-exercise-pooling-by-hand.ipynb", "language": "python", "kernel_type": "notebook",
        "is_private": True, "enable_gpu": True, "enable_internet": True,
        "dataset_sources": ["learn-team/pooling-data"], "competition_sources": [], "kernel_sources": [],
        "model_sources": [], "keywords": [],
    }
    _, metadata = kernel(learntools_root, "02-strides")
    assert (metadata["id"], metadata["enable_internet"], "id_no" in metadata) == ("learn-team/strides", False, False)


def test_the_tutorial_speaks_kaggles_language(learntools_root):
    assert run_build(with_kaggle_settings(learntools_root), "build", "--target", "kaggle").returncode == 0
    notebook, _ = kernel(learntools_root, "01-pooling-by-hand")
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    hidden = [(c.metadata.get("_kg_hide-input", False), c.metadata.get("_kg_hide-output", False)) for c in code]
    # the setup cell, then #$HIDE_INPUT$, #$HIDE_OUTPUT$, #$HIDE$, and a plain cell; #%%RM%% cells and all below #%%RM_BELOW%% gone
    assert hidden == [(True, False), (True, False), (False, True), (True, True), (False, False)]
    assert code[0].source == "import sys\nsys.path.append('/kaggle/input/pooling-data')  # the course's helper modules"
    assert code[3].source == "grid = np.loadtxt('/kaggle/input/pooling-data/data/pooling-data/grid.txt')"
    # Each line macro acts on the line after it, as learntools' renderer does; one at the end of a line is a comment.
    assert code[4].source == (
        "print(pooltools.max_pool(grid, 2))\n#print('local run')\nprint('published')\nprint('in production')\n"
        "print('done')  #_RM_"
    )
    text = "\n".join(cell.source for cell in notebook.cells)
    for removed in ("scratch work", "only while writing", "notes to self", "authors", "testing copy", "checked", "size"):
        assert removed not in text
    assert "#$" not in text and "#%%" not in text
    assert f"The [next lesson]({TUTORIAL_2}) adds strides." in text
    assert f"[Fork the exercise]({EXERCISE_1}), or [read on]({EXERCISE_1})." in text
    assert f"# Your Turn #\n\n**[Open the exercise]({EXERCISE_1})**" in text
    assert notebook.cells[-1].source == "---\n\n*Part of the course [Pooling](https://www.kaggle.com/learn/pooling).*"


def test_the_exercise_opens_with_its_course_and_tutorial_and_links_on(learntools_root):
    assert run_build(with_kaggle_settings(learntools_root), "build", "--target", "kaggle").returncode == 0
    notebook, _ = kernel(learntools_root, "01-exercise-pooling-by-hand")
    assert notebook.cells[0].source.startswith(
        f"**An exercise of the course [Pooling](https://www.kaggle.com/learn/pooling), to practise what the tutorial "
        f"[Pooling by Hand]({TUTORIAL_1}) shows.**"
    )
    text = "\n".join(cell.source for cell in notebook.cells)
    assert f"In [the tutorial]({TUTORIAL_1}) you pooled" in text
    assert f"# Keep Going #\n\nOn to the next lesson: **[Strides]({TUTORIAL_2})**." in text
    strides, _ = kernel(learntools_root, "02-strides")
    # In running text a link macro is the address, as on Kaggle Learn.
    assert strides.cells[1].source.endswith(f"Back to [pooling]({TUTORIAL_1}), or practise it in [its exercise]({EXERCISE_1}), "
                                            f"forked at {EXERCISE_1}.")
    code = [cell for cell in notebook.cells if cell.cell_type == "code"]
    assert code[2].source.startswith("____ = 3\nanswer = ") and code[3].source == "#q1.hint()\n#q1.solution()"
    assert not any("assert_check_failed" in cell.source for cell in code)
    # Kaggle's own flags and nested metadata of the raw notebook come through; the record of its last run does not.
    assert code[1].metadata["_kg_hide-input"] and code[1].metadata["_kg_hide-output"]
    assert code[1].metadata["jupyter"] == {"outputs_hidden": True} and code[1].metadata["papermill"]["status"] == "completed"
    assert "execution" not in code[1].metadata
    assert "Save and Run All" in text and "**Submit**" in text  # #$SUBMIT_TO_COMP$


def test_figures_come_from_figures_and_a_failed_render_keeps_the_last_kernels(tiny_root):
    course_file = tiny_root / "lessons" / "tiny" / "course.yml"
    course_file.write_text(course_file.read_text() + "kaggle: {owner: team, data_source: team/tiny-data}\n")
    result = run_build(tiny_root, "build", "--target", "kaggle")
    assert result.returncode == 2
    assert "lessons/tiny/01-plots.md:32: figure 'bars' is not in figures/ and the lesson was not executed" in result.stderr
    png = io.BytesIO()
    Image.new("RGB", (4, 3), "red").save(png, format="PNG")
    (tiny_root / "figures" / "tiny").mkdir(parents=True)
    (tiny_root / "figures" / "tiny" / "bars.png").write_bytes(png.getvalue())
    assert run_build(tiny_root, "build", "--target", "kaggle").returncode == 0
    folder = tiny_root / "_build" / "kaggle" / "tiny" / "01-plots"
    notebook = nbformat.read(folder / "01-plots.ipynb", as_version=4)
    (shown,) = [cell for cell in notebook.cells if "attachment:bars.png" in cell.source]
    assert base64.b64decode(shown.attachments["bars.png"]["image/png"]) == png.getvalue()
    (drawing,) = [cell for cell in notebook.cells if cell.metadata.get("figure") == "bars"]
    assert drawing.metadata["_kg_hide-input"] and drawing.metadata["_kg_hide-output"]  # remove-cell: folded, still run

    lesson = tiny_root / "lessons" / "tiny" / "01-plots.md"
    lesson.write_text(lesson.read_text().replace("Some prose.", "Some prose. #$NO_SUCH_MACRO$"))
    result = run_build(tiny_root, "build", "--target", "kaggle")
    assert result.returncode == 2 and "lessons/tiny/01-plots.md:8: unknown macro '#$NO_SUCH_MACRO$'" in result.stderr
    assert nbformat.read(folder / "01-plots.ipynb", as_version=4) == notebook

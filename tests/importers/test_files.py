"""What an imported lesson's code needs: helper modules and data files, found and copied, or warned about."""
import shutil

from tests.conftest import REPOSITORY, SEED_TEXT, run_build


def import_export(tmp_path, text: str, course: str):
    """A project with no lessons yet, and `text` (a flattened export) imported into `course` through the command line."""
    root = tmp_path / "project"
    (root / "lessons").mkdir(parents=True)
    source = tmp_path / f"{course}.txt"
    source.write_text(text)
    return root, source, run_build(root, "import", str(source), "--course", course)


def test_the_seed_takes_its_module_and_image_from_another_course(tmp_path):
    root = tmp_path / "project"
    vision = root / "lessons" / "vision"
    (vision / "data").mkdir(parents=True)
    (vision / "visiontools.py").write_text("SHOW = True\n")
    (vision / "data" / "car_feature.jpg").write_bytes(b"\xff\xd8 not really a jpeg")
    seed = tmp_path / "seed.txt"
    seed.write_text(SEED_TEXT)
    result = run_build(root, "import", str(seed), "--course", "imported")
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "copied lessons/vision/visiontools.py to lessons/imported/ (imported by the lesson)",
        "copied lessons/vision/data/car_feature.jpg to lessons/imported/data/car_feature.jpg (read by the lesson)",
        "imported lessons/imported/01-maximum-pooling.md",
    ]
    text = (root / "lessons" / "imported" / "01-maximum-pooling.md").read_text()
    assert "\n# image_path = '/kaggle/input/computer-vision-resources/car_feature.jpg'\n" in text  # a comment stays
    assert "\nimage_path = '{{ data_path(\"car_feature.jpg\") }}'\n" in text
    assert (root / "lessons" / "imported" / "data" / "car_feature.jpg").read_bytes() == b"\xff\xd8 not really a jpeg"


def test_what_is_not_found_is_a_warning_at_its_source_line(tmp_path):
    root, source, result = import_export(tmp_path, (
        "<!--TITLE: Notes-->\nProse.\n\nIn [1]:\nimport json\nimport no_such_helper_module\n\n"
        "rows = open('/home/someone/rows.csv')\nmore = open('/kaggle/input/set/more.csv')\n"
    ), "notes")
    assert result.returncode == 0
    assert result.stderr.splitlines() == [
        f"{source}:6: warning: module 'no_such_helper_module' is neither installed nor found beside the source "
        "or in another course: put no_such_helper_module.py in lessons/notes/",
        f"{source}:8: warning: '/home/someone/rows.csv' is not in the project; left as it is",
        f"{source}:9: warning: 'set/more.csv' not found: put it in lessons/notes/data/",
    ]
    shutil.copy(REPOSITORY / "mkdocs.yml", root / "mkdocs.yml")
    check = run_build(root, "check")
    assert check.returncode == 2
    assert check.stderr == "lessons/notes/01-notes.md:12: data file 'set/more.csv' not found in data/ of this course\n"


def test_two_datasets_files_of_one_name_stay_two_and_folders_come_along(tmp_path):
    root = tmp_path / "project"
    (root / "lessons").mkdir(parents=True)
    shutil.copy(REPOSITORY / "mkdocs.yml", root / "mkdocs.yml")
    inputs = tmp_path / "src"
    for dataset, rows in (("houses", "1,2\n"), ("flats", "3,4\n")):
        (inputs / dataset).mkdir(parents=True)
        (inputs / dataset / "train.csv").write_text(rows)
    (inputs / "images" / "train").mkdir(parents=True)
    (inputs / "images" / "train" / "a.png").write_bytes(b"png")
    source = tmp_path / "src" / "lesson.txt"
    source.write_text(
        "<!--TITLE: Two Sets-->\nProse.\n\nIn [1]:\nimport os\n"
        "houses = open('../input/houses/train.csv').read()\nflats = open('/kaggle/input/flats/train.csv').read()\n"
        "images = sorted(os.listdir('../input/images/train/'))\nprint(houses, flats, images)\n"
    )
    result = run_build(root, "import", str(source), "--course", "sets")
    assert result.returncode == 0, result.stderr
    data = root / "lessons" / "sets" / "data"
    assert (data / "houses" / "train.csv").read_text() == "1,2\n" and (data / "flats" / "train.csv").read_text() == "3,4\n"
    assert (data / "images" / "train" / "a.png").read_bytes() == b"png"
    text = (root / "lessons" / "sets" / "01-two-sets.md").read_text()
    assert "open('{{ data_path(\"houses/train.csv\") }}')" in text and "open('{{ data_path(\"flats/train.csv\") }}')" in text
    assert "os.listdir('{{ data_path(\"images/train/\") }}')" in text  # a folder's trailing slash stays
    assert run_build(root, "check").returncode == 0


def test_the_link_an_exercise_makes_for_its_checking_code_stays_as_written(tmp_path):
    root, _, result = import_export(tmp_path, (
        "<!--TITLE: Setup-->\nProse.\n\nIn [1]:\nimport os\nif not os.path.exists(\"../input/train.csv\"):\n"
        "    os.symlink(\"../input/home-data/train.csv\", \"../input/train.csv\")\n\n"
        "In [2]:\nrows = open('../input/train.csv').read()\n"
    ), "ex")
    assert result.returncode == 0, result.stderr
    text = (root / "lessons" / "ex" / "01-setup.md").read_text()
    assert 'os.path.exists("../input/train.csv")' in text
    assert 'os.symlink("{{ data_path("home-data/train.csv") }}", "../input/train.csv")' in text
    assert "rows = open('{{ data_path(\"home-data/train.csv\") }}').read()" in text  # the link's own file


def notebook_folder(tmp_path):
    """A textbook's notebooks/ with its data/ beside them, a helper module, images in a sibling folder, and links
    between the notebooks (to their headings, as Jupyter names anchors)."""
    import nbformat

    from tests.books import PNG

    book = tmp_path / "textbook"  # a clone of the textbook's repository
    notebooks = book / "notebooks"
    (notebooks / "data").mkdir(parents=True)
    (book / ".git").mkdir()
    (notebooks / "data" / "heights.csv").write_text("189\n170\n")
    (book / "shared").mkdir()
    (book / "shared" / "more.csv").write_text("5\n")
    (book / "images").mkdir()
    (book / "images" / "diagram.png").write_bytes(PNG)
    (notebooks / "helper.py").write_text("def mean(xs):\n    return sum(xs) / len(xs)\n")
    (notebooks / "other.ipynb").write_text("{}")  # a notebook not imported
    cells = nbformat.v4
    first = cells.new_notebook(cells=[
        cells.new_markdown_cell("# Reading Data\n\n![a diagram](../images/diagram.png)\n\nNext: [sorting](02-Sorting.ipynb#Big-O-Notation)"
                                " and [elsewhere](other.ipynb).\n\nThe <a href='../shared/more.csv'>raw numbers</a>."),
        cells.new_code_cell("import helper\nheights = [int(x) for x in open('data/heights.csv')]\n"
                            "more = open('../shared/more.csv').read()\nprint(helper.mean(heights), more.strip())"),
    ])
    second = cells.new_notebook(cells=[cells.new_markdown_cell("# Sorting\n\n## Big-O Notation\n\nBack: [reading](01-Reading.ipynb).")])
    nbformat.write(first, notebooks / "01-Reading.ipynb")
    nbformat.write(second, notebooks / "02-Sorting.ipynb")
    return notebooks


def test_a_folder_of_notebooks_imports_with_its_data_images_helpers_and_links(tmp_path):
    notebooks = notebook_folder(tmp_path)
    root = tmp_path / "project"
    (root / "lessons").mkdir(parents=True)
    result = run_build(root, "import", str(notebooks / "01-Reading.ipynb"), str(notebooks / "02-Sorting.ipynb"),
                       "--course", "text")
    assert result.returncode == 0, result.stderr
    assert result.stderr.splitlines() == [f"{notebooks / '01-Reading.ipynb'}: cell 1: warning: link to 'other.ipynb', "
                                          "a notebook not imported with this one: import it too, or link to it elsewhere"]
    course = root / "lessons" / "text"
    reading = (course / "01-reading-data.md").read_text()
    assert "![a diagram](images/diagram.png)" in reading and (course / "images" / "diagram.png").read_bytes() == \
        (notebooks.parent / "images" / "diagram.png").read_bytes()
    assert "[sorting](02-sorting.md#Big-O-Notation)" in reading
    assert "open('{{ data_path(\"heights.csv\") }}')" in reading and "open('{{ data_path(\"shared/more.csv\") }}')" in reading
    assert (course / "data" / "heights.csv").is_file() and (course / "data" / "shared" / "more.csv").is_file()
    assert (course / "helper.py").is_file() and "<a href='shared/more.csv'>" in reading and (course / "shared" / "more.csv").is_file()
    assert "[reading](01-reading-data.md)" in (course / "02-sorting.md").read_text()
    built = run_build(root, "build")
    assert built.returncode == 0, built.stderr
    page = (root / "site" / "text" / "01-reading-data" / "index.html").read_text()
    assert "179.5 5" in page and 'href="../02-sorting/#big-o-notation"' in page and "<a href='../shared/more.csv'>" in page
    assert (root / "site" / "text" / "shared" / "more.csv").read_text() == "5\n"


def test_a_strangers_notebook_takes_no_file_from_outside_its_repository(tmp_path):
    notebooks = notebook_folder(tmp_path)
    secret = tmp_path / "home" / ".ssh"
    secret.mkdir(parents=True)
    (secret / "id_ed25519.pub").write_text("ssh-ed25519 AAAA the author's key\n")
    (tmp_path / "outside.png").write_bytes(b"not the textbook's")
    import nbformat

    hostile = nbformat.v4.new_notebook(cells=[
        nbformat.v4.new_markdown_cell('# Hostile\n\n![x](../../outside.png) <a href="../../home/.ssh/id_ed25519.pub">key</a>'),
        nbformat.v4.new_code_cell(f"open('{secret / 'id_ed25519.pub'}')\nopen('../../home/.ssh/id_ed25519.pub')"),
    ])
    nbformat.write(hostile, notebooks / "03-Hostile.ipynb")
    root = tmp_path / "project"
    (root / "lessons").mkdir(parents=True)
    result = run_build(root, "import", str(notebooks / "03-Hostile.ipynb"), "--course", "text")
    assert result.returncode == 0, result.stderr
    copied = [p.name for p in (root / "lessons" / "text").rglob("*") if p.is_file()]
    assert sorted(copied) == ["01-hostile.md", "course.yml"]
    assert "image '../../outside.png' not found" in result.stderr and "is not in the project" in result.stderr

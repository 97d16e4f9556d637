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

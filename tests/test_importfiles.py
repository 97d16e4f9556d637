"""What an imported lesson's code needs: helper modules and data files, found and copied, or warned about."""
import shutil

from tests.conftest import REPOSITORY, SEED_TEXT, run_build


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
        "copied lessons/vision/data/car_feature.jpg to lessons/imported/data/ (read by the lesson)",
        "imported lessons/imported/01-maximum-pooling.md",
    ]
    text = (root / "lessons" / "imported" / "01-maximum-pooling.md").read_text()
    assert "\n# image_path = '/kaggle/input/computer-vision-resources/car_feature.jpg'\n" in text  # a comment stays
    assert "\nimage_path = '{{ data_path(\"car_feature.jpg\") }}'\n" in text
    assert (root / "lessons" / "imported" / "data" / "car_feature.jpg").read_bytes() == b"\xff\xd8 not really a jpeg"


def test_what_is_not_found_is_a_warning_at_its_source_line(tmp_path):
    root = tmp_path / "project"
    (root / "lessons").mkdir(parents=True)
    source = tmp_path / "notes.txt"
    source.write_text(
        "<!--TITLE: Notes-->\nProse.\n\nIn [1]:\nimport json\nimport no_such_helper_module\n\n"
        "rows = open('/home/someone/rows.csv')\nmore = open('/kaggle/input/set/more.csv')\n"
    )
    result = run_build(root, "import", str(source), "--course", "notes")
    assert result.returncode == 0
    assert result.stderr.splitlines() == [
        f"{source}:6: warning: module 'no_such_helper_module' is neither installed nor found beside the source "
        "or in another course: put no_such_helper_module.py in lessons/notes/",
        f"{source}:8: warning: '/home/someone/rows.csv' is not in the project; left as it is",
        f"{source}:9: warning: 'more.csv' not found: put it in lessons/notes/data/",
    ]
    shutil.copy(REPOSITORY / "mkdocs.yml", root / "mkdocs.yml")
    check = run_build(root, "check")
    assert check.returncode == 2
    assert check.stderr == "lessons/notes/01-notes.md:12: data file 'more.csv' not found in data/ of this course\n"

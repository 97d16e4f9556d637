"""`clean`: the build folder goes, whatever stands in its place; nothing a link leads to goes with it."""
from tests.conftest import run_build


def test_clean_removes_a_file_or_a_link_where_the_build_folder_goes_and_nothing_it_points_at(tiny_root, tmp_path):
    build = tiny_root / "_build"
    build.write_text("not a folder")
    assert run_build(tiny_root, "clean").returncode == 0 and not build.exists()
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "keep.txt").write_text("someone's file")
    build.symlink_to(elsewhere)
    result = run_build(tiny_root, "clean")
    assert result.returncode == 0, result.stderr
    assert not build.is_symlink() and (elsewhere / "keep.txt").read_text() == "someone's file"

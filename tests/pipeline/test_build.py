"""The build driver, through the command line: what it refuses before any lesson executes."""
from tests.conftest import run_build


def test_a_forced_name_that_names_no_lesson_stops_the_build_before_anything_runs(tiny_root):
    for args in (["--force", "01-plots", "tiny/02-nothing", "plot"], ["figures", "--force", "tiny/02-nothing", "plot"]):
        result = run_build(tiny_root, *args)
        assert (result.returncode, result.stderr, result.stdout) == (
            2, "--force: no lesson named 'tiny/02-nothing', 'plot' (name a lesson as course/slug or by its slug, "
            "such as tiny/01-plots)\n", ""), args
    assert not (tiny_root / "site").exists()

"""`lessonbuild serve` refusing what it cannot serve on, before it builds anything (serving itself: tests/test_server.py)."""
import socket

from tests.conftest import run_build


def test_a_port_that_is_taken_is_one_line_before_anything_is_built(tiny_root):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = run_build(tiny_root, "serve", "--port", str(port))
    assert (result.returncode, result.stderr, result.stdout) == (
        2, f"--port {port}: Address already in use; pick another port, or --port 0 for a free one\n", "")
    assert not (tiny_root / "_build").exists()


def test_a_port_out_of_range_is_refused_by_the_command_line(tiny_root):
    result = run_build(tiny_root, "serve", "--port", "99999")
    assert result.returncode == 2
    assert result.stderr.splitlines()[-1] == "build.py serve: error: argument --port: expected a port from 0 to 65535, not '99999'"

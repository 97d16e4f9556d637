"""The shared cache store: entries checked against their records, stores that are not ones, URLs refused, and
(end to end, with real servers) a clone that builds from a served site's _cache/ or from S3 starting no kernel."""
import contextlib
import os
import re
import shutil
import socket
import subprocess
import sys
import time

import pytest

from lessonbuild.errors import UsageError
from lessonbuild.project import load_project
from lessonbuild.state.store import MARKER, entry_name, github_pages_address, marker, open_store, published_store, record_of
from tests.conftest import TINY_LESSON, make_project, problems, run_build

KEYS = ["aa" + "1" * 62, "bb" + "2" * 62, "cc" + "3" * 62]
SUM_LESSON = """\
---
title: Sums
---

# Sums

Prose about sums.

```{code-cell} ipython3
import os
print(2 + 2, os.environ.get("AWS_SECRET_ACCESS_KEY"))
```
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def serving(command: list[str], port: int):
    """A server started as its own process, once it accepts connections on `port`; stopped after."""
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        for _ in range(300):
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.2):
                break
            assert process.poll() is None, f"{command[0]} stopped"
            time.sleep(0.05)
        yield f"http://127.0.0.1:{port}"
    finally:
        process.terminate()
        process.wait(timeout=10)


def folder_store(root, entries: dict[str, bytes], records: dict[str, bytes] | None = None):
    """A store in a folder, with these entries and (unless given otherwise) their true records."""
    (root / MARKER).parent.mkdir(parents=True, exist_ok=True)
    (root / MARKER).write_bytes(marker())
    for key, data in entries.items():
        (root / entry_name(key, ".ipynb")).parent.mkdir(parents=True, exist_ok=True)
        (root / entry_name(key, ".ipynb")).write_bytes(data)
    for key, record in (records if records is not None else {k: record_of(d) for k, d in entries.items()}).items():
        (root / entry_name(key, ".json")).write_bytes(record)
    return root


def test_an_entry_is_fetched_only_where_it_matches_its_record(tmp_path):
    store_root = folder_store(tmp_path / "store", {KEYS[0]: b"good", KEYS[1]: b"changed"},
                              {KEYS[0]: record_of(b"good"), KEYS[1]: record_of(b"original")})
    wanted = {key: tmp_path / "local" / f"{key}.ipynb" for key in KEYS}
    fetched = open_store(str(store_root), False, tmp_path).fetch(wanted)
    assert fetched.keys == [KEYS[0]] and wanted[KEYS[0]].read_bytes() == b"good"
    assert not wanted[KEYS[1]].exists() and not wanted[KEYS[2]].exists()  # damaged; and one the store lacks
    assert fetched.warnings == [f"warning: cache store {store_root}: entry {KEYS[1][:12]} is 7 bytes, its record says 8: "
                                "the lesson runs here"]


def test_a_folder_that_is_no_store_or_of_another_format_is_one_warning_and_serves_nothing(tmp_path):
    (tmp_path / "empty").mkdir()
    fetched = open_store("empty", False, tmp_path).fetch({KEYS[0]: tmp_path / "x.ipynb"})
    assert fetched.keys == [] and fetched.warnings == [
        f"warning: cache store empty: no {MARKER} there (not a lessonbuild cache): lessons run here"]
    other = folder_store(tmp_path / "other", {KEYS[0]: b"good"})
    (other / MARKER).write_text('{"format": 99}')
    fetched = open_store(str(other), False, tmp_path).fetch({KEYS[0]: tmp_path / "x.ipynb"})
    assert fetched.keys == [] and "store format 99, this one reads 1" in fetched.warnings[0]


def test_an_unreachable_store_is_one_warning_and_then_asked_nothing(tmp_path):
    store = open_store(f"http://127.0.0.1:{free_port()}/_cache/", False, tmp_path)
    first = store.fetch({KEYS[0]: tmp_path / "x.ipynb"})
    assert first.keys == [] and len(first.warnings) == 1 and "cannot be reached (ClientConnectorError" in first.warnings[0]
    assert store.fetch({KEYS[1]: tmp_path / "y.ipynb"}).warnings == []


def test_a_push_makes_the_store_and_replaces_an_entry_only_with_other_bytes(tmp_path):
    entry = tmp_path / "entry.ipynb"
    entry.write_bytes(b"first run")
    store = open_store("shared", True, tmp_path)
    assert store.upload({KEYS[0]: entry}) == (1, [])
    stored = tmp_path / "shared" / entry_name(KEYS[0], ".ipynb")
    assert (tmp_path / "shared" / MARKER).read_bytes() == marker() and stored.read_bytes() == b"first run"
    assert (tmp_path / "shared" / entry_name(KEYS[0], ".json")).read_bytes() == record_of(b"first run")
    os.utime(stored, ns=(0, 0))
    assert store.upload({KEYS[0]: entry}) == (0, []) and stored.stat().st_mtime_ns == 0  # the same bytes: left alone
    entry.write_bytes(b"a newer run")
    assert store.upload({KEYS[0]: entry}) == (1, []) and stored.read_bytes() == b"a newer run"


@pytest.mark.parametrize("url", ["ssh://host/cache", "simplecache::https://example.org/_cache/", "memory://cache",
                                 "github://org:repo@main/"])
def test_a_store_url_of_another_kind_is_refused(tmp_path, url):
    with pytest.raises(UsageError, match="a cache store is a folder or a URL of file://, s3://"):
        open_store(url, False, tmp_path)


@pytest.mark.parametrize(("url", "problem"), [
    ("s3://", "no bucket in it (as s3://BUCKET/PREFIX)"), ("gs:///course", "no bucket in it"),
    ("https://", "no host in it (as https://HOST/PREFIX)"), ("http://[::1]:8000/_cache/", "an IPv6 address"),
])
def test_a_store_url_that_names_no_place_is_refused_at_once(tmp_path, url, problem):
    with pytest.raises(UsageError, match=re.escape(problem)):
        open_store(url, False, tmp_path)


def test_a_password_in_a_store_url_is_never_shown(tmp_path):
    store = open_store(f"http://reader:s3cret@127.0.0.1:{free_port()}/_cache/", False, tmp_path)
    (warning,) = store.fetch({KEYS[0]: tmp_path / "x.ipynb"}).warnings
    assert "s3cret" not in warning and "reader" not in warning and "http://***@127.0.0.1:" in warning


def test_a_published_site_cannot_be_pushed_to(tmp_path):
    with pytest.raises(UsageError, match="read-only"):
        open_store("https://example.org/_cache/", True, tmp_path)


@pytest.mark.parametrize(("remote", "address"), [
    ("https://github.com/Course-Team/cv-lessons", "https://course-team.github.io/cv-lessons/"),  # actions/checkout's
    ("https://github.com/course-team/cv-lessons.git", "https://course-team.github.io/cv-lessons/"),
    ("git@github.com:course-team/cv-lessons.git", "https://course-team.github.io/cv-lessons/"),
    ("ssh://git@github.com/course-team/cv-lessons.git", "https://course-team.github.io/cv-lessons/"),
    ("https://x-access-token:secret@github.com/course-team/cv-lessons", "https://course-team.github.io/cv-lessons/"),
    ("https://github.com/Course-Team/course-team.github.io.git", "https://course-team.github.io/"),  # the owner's site
    ("https://gitlab.com/course-team/cv-lessons.git", ""),
    ("https://github.com.evil.example/course-team/cv-lessons", ""),
    ("/srv/git/cv-lessons.git", ""),
])
def test_a_github_remote_gives_its_pages_address(remote, address):
    assert github_pages_address(remote) == address


def git_repository(root, remote: str):
    subprocess.run(["git", "init", "-q", str(root)], check=True)
    subprocess.run(["git", "-C", str(root), "remote", "add", "origin", remote], check=True)


def test_the_published_store_is_under_site_url_else_under_the_pages_address_of_origin(tiny_root, tmp_path):
    git_repository(tiny_root, "git@github.com:course-team/cv-lessons.git")
    assert published_store(load_project(tiny_root)) == "https://course-team.github.io/cv-lessons/_cache/"
    with (tiny_root / "mkdocs.yml").open("a") as mkdocs:
        mkdocs.write("site_url: https://lessons.example.org/cv\n")
    assert published_store(load_project(tiny_root)) == "https://lessons.example.org/cv/_cache/"
    course = make_project(tmp_path / "monorepo" / "course", {"01-plots": TINY_LESSON})
    git_repository(tmp_path / "monorepo", "git@github.com:course-team/everything.git")
    assert published_store(load_project(course)) == ""  # that repository's site is not this course's


def test_a_bad_cache_url_setting_is_an_error_at_its_line(tiny_root):
    (tiny_root / "pyproject.toml").write_text('[tool.lessonbuild]\ntimeout = 60\ncache_url = "ssh://host/x"\n')
    result = run_build(tiny_root)
    assert result.returncode == 2 and result.stderr.startswith("pyproject.toml:3: tool.lessonbuild.cache_url: "), result.stderr


def clone_of(root, target, settings: str = ""):
    """What a fresh clone of the project has: its sources, not its _build/ or site/."""
    target.mkdir()
    for name in ("lessons", "figures", "mkdocs.yml"):
        copy = shutil.copytree if (root / name).is_dir() else shutil.copy
        copy(root / name, target / name)
    (target / "pyproject.toml").write_text(f"[tool.lessonbuild]\n{settings}")
    return target


def two_lessons(root):
    return make_project(root, {"01-plots": TINY_LESSON, "02-sums": SUM_LESSON})


def built_lines(root, *args: str, env=None) -> list[str]:
    result = run_build(root, *args, env=env)
    assert result.returncode == 0, result.stderr
    return result.stdout.splitlines()


@pytest.mark.kernel
def test_a_clone_builds_from_the_published_site_starting_no_kernel_and_runs_only_what_it_changed(tmp_path):
    origin = two_lessons(tmp_path / "origin")
    (origin / "pyproject.toml").write_text("[tool.lessonbuild]\npublish_cache = true\n")
    built_lines(origin)
    assert (origin / "site" / "_cache" / MARKER).is_file()
    with serving([sys.executable, "-m", "http.server", str(port := free_port()), "--bind", "127.0.0.1",
                  "--directory", str(origin / "site")], port) as address:
        clone = clone_of(origin, tmp_path / "clone", f'cache_url = "{address}/_cache/"\n')
        lines = built_lines(clone)
        assert [line.split(" (")[0] for line in lines[:2]] == [
            "tiny/01-plots: cached from the cache store", "tiny/02-sums: cached from the cache store"]
        assert not (clone / "_build" / "logs").exists()  # no kernel started
        assert "4 None" in (clone / "site" / "tiny" / "02-sums" / "index.html").read_text()
        sums = clone / "lessons" / "tiny" / "02-sums.md"
        sums.write_text(sums.read_text().replace("print(2 + 2,", "print(3 + 3,"))
        lines = built_lines(clone)
        assert lines[0].startswith("tiny/01-plots: cached (") and lines[1].startswith("tiny/02-sums: executed in ")
        # A clone that names no store, of a project that publishes its cache, reads the store at its site's address
        beside = clone_of(origin, tmp_path / "beside", "publish_cache = true\n")
        with (beside / "mkdocs.yml").open("a") as mkdocs:
            mkdocs.write(f"site_url: {address}/\n")
        refused = run_build(beside, "--require-cache", "--cache-url", "none")
        assert refused.returncode == 1 and "--require-cache" in refused.stderr
        assert sum("cached from the cache store" in line for line in built_lines(beside, "--require-cache")) == 2
    plots = beside / "lessons" / "tiny" / "01-plots.md"
    plots.write_text(plots.read_text().replace("Some prose.", "Some edited prose."))
    edited = run_build(beside)  # the server is gone: a build with nothing to execute never asks the store
    assert edited.returncode == 0 and "cache store" not in edited.stderr and "executed in" not in edited.stdout


@pytest.mark.kernel
def test_an_unreachable_store_builds_here_unless_the_cache_is_required(tiny_root, tmp_path):
    url = f"http://127.0.0.1:{free_port()}/_cache/"
    result = run_build(tiny_root, "--cache-url", url, "--require-cache")
    assert result.returncode == 1 and "cannot be reached" in result.stderr and "--require-cache" in result.stderr
    result = run_build(tiny_root, "--cache-url", url)
    assert result.returncode == 0 and result.stdout.startswith("tiny/01-plots: executed in ")
    assert [line for line in result.stderr.splitlines() if "cache store" in line] == [
        line for line in result.stderr.splitlines() if line.startswith(f"warning: cache store {url} cannot be reached")]


def object_store_environment(protocol: str, address: str) -> dict[str, str]:
    """The variables that point the store's library at a server on 127.0.0.1, with its kind of credentials."""
    env = {key: value for key, value in os.environ.items() if key != "CI"}
    if protocol == "s3":  # s3fs, through botocore
        return {**env, "AWS_ENDPOINT_URL": address, "AWS_ACCESS_KEY_ID": "testing-key",
                "AWS_SECRET_ACCESS_KEY": "testing-secret", "AWS_DEFAULT_REGION": "us-east-1"}
    # gcsfs: an emulator, which takes any credentials; gcsfs's gRPC probe of a bucket's kind waits 60 s on one
    return {**env, "STORAGE_EMULATOR_HOST": address, "GCSFS_EXPERIMENTAL_ZB_HNS_SUPPORT": "false",
            "GOOGLE_CLOUD_PROJECT": "lessons", "AWS_SECRET_ACCESS_KEY": "testing-secret"}


SERVERS = {  # each started as a process of its own: moto's S3 server, and a Cloud Storage emulator
    "s3": ["-m", "moto.server", "-H", "127.0.0.1", "-p"],
    "gs": ["-m", "gcp_storage_emulator", "start", "--in-memory", "--host", "127.0.0.1", "--port"],
}


@pytest.fixture(params=list(SERVERS))
def object_store(request):
    """An S3 or Cloud Storage server on 127.0.0.1 with a bucket in it: the store's URL and the build's variables."""
    protocol, port = request.param, free_port()
    with serving([sys.executable, *SERVERS[protocol], str(port)], port) as address:
        env = object_store_environment(protocol, address)
        run_on_store(f"{protocol}://lessons-cache", "fs.mkdir(sys.argv[2])", env, "lessons-cache")
        yield f"{protocol}://lessons-cache/course", env


def run_on_store(url: str, code: str, env: dict[str, str], *args: str) -> None:
    """Python code with `fs`, the store's file system as fsspec opens it, run as a client of its own."""
    script = f"import fsspec, sys; fs = fsspec.url_to_fs(sys.argv[1])[0]; {code}"
    subprocess.run([sys.executable, "-c", script, url, *args], env=env, check=True, timeout=120)


@pytest.mark.kernel
def test_an_object_store_serves_a_clone_what_a_trusted_build_pushed_and_kernels_never_see_its_credentials(
        tmp_path, object_store):
    url, env = object_store
    origin = two_lessons(tmp_path / "origin")
    pushed = built_lines(origin, "--cache-url", url, "--cache-push", env=env)
    assert sum("executed in" in line for line in pushed) == 2 and "from the local cache" not in "".join(pushed)
    seeded = two_lessons(tmp_path / "seeded")  # a cache made before the store: a push shares it without a run
    (seeded / "lessons" / "tiny" / "01-plots.md").write_text(TINY_LESSON.replace("print(helper.greeting())", "print(helper.greeting(), 1)"))
    assert sum("executed in" in line for line in built_lines(seeded, env=env)) == 2
    offered = built_lines(seeded, "--cache-url", url, "--cache-push", env=env)
    assert "cache store: 1 lesson from the local cache put in it" in offered and "executed in" not in "".join(offered)
    assert "4 None" in (origin / "site" / "tiny" / "02-sums" / "index.html").read_text()  # the secret stays in the build
    clone = clone_of(origin, tmp_path / "clone", f'cache_url = "{url}"\n')
    assert sum("cached from the cache store" in line for line in built_lines(clone, env=env)) == 2
    entries = url.split("://")[1] + "/entries/*/*.ipynb"
    run_on_store(url, "[fs.pipe_file(path, b'{}') for path in fs.glob(sys.argv[2])]", env, entries)
    damaged = run_build(clone_of(origin, tmp_path / "third", f'cache_url = "{url}"\n'), env=env)
    assert damaged.returncode == 0 and damaged.stdout.count("executed in") == 2
    assert damaged.stderr.count("is 2 bytes, its record says") == 2
    assert all(line.startswith(f"warning: cache store {url}: entry ") for line in problems(damaged.stderr))

"""The live-reload server of `lessonbuild serve`: serve the preview on 127.0.0.1, rebuild on every change, reload the pages.

watchdog reports changes under lessons/, templates/, figures/ and mkdocs.yml; one builder
thread rebuilds (incrementally: only lessons whose code or dependencies changed run again) and
then tells every open page, over a server-sent-events stream, to reload itself.
"""
from __future__ import annotations

import functools
import http.server
import sys
import threading
import time
from pathlib import Path

from watchdog.events import FileSystemEvent, FileSystemEventHandler
from watchdog.observers import Observer

from lessonbuild.errors import UsageError
from lessonbuild.fsutil import never_source
from lessonbuild.project import Project

EVENTS_PATH = "/__lessonbuild/events"
RELOAD_SCRIPT = f'<script>new EventSource("{EVENTS_PATH}").onmessage = () => location.reload();</script>'.encode()
QUIET_PERIOD = 0.3  # seconds without changes before a rebuild: editors save in several steps


class SiteVersion:
    """A counter that open pages wait on; each finished build moves it on."""

    def __init__(self):
        self.number = 0
        self.changed = threading.Condition()

    def bump(self) -> None:
        with self.changed:
            self.number += 1
            self.changed.notify_all()

    def wait_past(self, number: int, timeout: float) -> int:
        with self.changed:
            self.changed.wait_for(lambda: self.number > number, timeout=timeout)
            return self.number


def serve(project: Project, folder: Path, build, port: int = 8000, out=sys.stdout) -> None:
    """Serve `folder` until Ctrl-C. `build` builds it and prints its report, problems included; it raises nothing."""
    version = SiteVersion()
    server = _bound_server(port, _handler(folder, version))  # first: a port that is taken fails before any build
    builder = Builder(build, version, out)
    builder.build_now()
    observer = Observer()
    watcher = _Watcher(builder, project)
    folders, _ = project.sources()
    for watched in dict.fromkeys([*folders, project.root]):  # a book's pages are its root's
        if watched.is_dir():
            observer.schedule(watcher, str(watched), recursive=watched != project.root or project.book is not None)
    observer.start()
    print(f"serving on http://127.0.0.1:{server.server_port}/ (Ctrl-C to stop)", file=out, flush=True)
    try:
        server.serve_forever()
    finally:
        observer.stop()
        server.server_close()


def _bound_server(port: int, handler) -> http.server.ThreadingHTTPServer:
    try:
        server = http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
    except OSError as exc:  # taken by another server, or a port below 1024 for a user who may not have it
        raise UsageError(f"--port {port}: {exc.strerror}; pick another port, or --port 0 for a free one") from None
    server.daemon_threads = True
    return server


class Builder:
    """Runs one build at a time; changes that come during a build start another after it."""

    def __init__(self, build, version: SiteVersion, out):
        self.build, self.version, self.out = build, version, out
        self.pending = threading.Event()
        threading.Thread(target=self._loop, daemon=True, name="rebuild").start()

    def request(self) -> None:
        self.pending.set()

    def build_now(self) -> None:
        self.build()
        self.version.bump()

    def _loop(self) -> None:
        while True:
            self.pending.wait()
            while self.pending.is_set():  # wait for the edits to settle
                self.pending.clear()
                time.sleep(QUIET_PERIOD)
            self.build_now()


class _Watcher(FileSystemEventHandler):
    def __init__(self, builder: Builder, project: Project):
        self.builder, self.project = builder, project

    def on_any_event(self, event: FileSystemEvent) -> None:
        path = Path(str(event.src_path))
        if event.event_type in ("opened", "closed", "closed_no_write") or "__pycache__" in path.parts:
            return
        _, files = self.project.sources()
        if path.name.startswith(".") or (path.parent == self.project.root and path not in files and not self.project.book):
            return  # temporary files of atomic writes, and the rest of the project's top level
        inner = path.relative_to(self.project.root).parts[:-1] if path.is_relative_to(self.project.root) else ()
        if any(never_source(part) for part in inner):
            return  # what the build writes, and hidden folders: a book's root holds them beside its pages
        self.builder.request()


def _handler(site: Path, version: SiteVersion):
    return functools.partial(_LiveReloadHandler, version, directory=str(site))


class _LiveReloadHandler(http.server.SimpleHTTPRequestHandler):
    def __init__(self, version: SiteVersion, *args, **kwargs):
        self.version = version
        super().__init__(*args, **kwargs)

    def log_message(self, *args) -> None:
        pass  # the author watches build lines, not requests

    def do_GET(self) -> None:
        if self.path == EVENTS_PATH:
            return self._events()
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            path = path / "index.html"
        if path.suffix == ".html" and path.is_file():
            return self._html_with_reload(path)
        return super().do_GET()

    def _html_with_reload(self, path: Path) -> None:
        if not self.path.split("?", 1)[0].endswith(("/", ".html")):
            self.send_response(301)
            self.send_header("Location", self.path + "/")
            self.end_headers()
            return
        body = path.read_bytes().replace(b"</body>", RELOAD_SCRIPT + b"</body>", 1)
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        self.wfile.write(body)

    def _events(self) -> None:
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        seen = self.version.number
        try:
            while True:
                now = self.version.wait_past(seen, timeout=15)
                message = b"data: reload\n\n" if now > seen else b": keep-alive\n\n"
                self.wfile.write(message)
                self.wfile.flush()
                seen = now
        except (BrokenPipeError, ConnectionResetError):
            pass

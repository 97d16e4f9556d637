"""The shared cache store (`cache_url`): executed lessons that any clone reads, and that a trusted build adds to.

A store holds entries as the local cache does, by the key of their inputs: `entries/<key[:2]>/<key>.ipynb`, each
with a record `<key>.json` of its size and SHA-256, written after it; `lessonbuild-cache.json` at its root says
that it is one, and in which format. fsspec reads it: a folder (a path or file://), S3 (s3://, s3fs), Google Cloud
Storage (gs://, gcsfs) and a web server (https://, read-only: a published site's _cache/ folder).

The store only fills the local cache: an entry a lookup misses locally is fetched, checked against its record and
renamed into place, and from then on is a local entry. An entry whose record is missing or whose bytes do not
match is a miss; a store that cannot be reached is one warning and a build that executes here. Credentials are
the store's own (AWS_* variables, ~/.aws, gcloud's), read by its fsspec library in the build's process; kernels
never see them (the kernel's environment is the basic variables and kernel_env).

Whoever can write the store decides what its readers publish: only a trusted build pushes (`--cache-push`, as a
workflow on the main branch runs it), never a pull request's.
"""
from __future__ import annotations

import functools
import hashlib
import json
import logging
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from lessonbuild.errors import MissingExtra, UsageError
from lessonbuild.fsutil import write_atomic

if TYPE_CHECKING:
    from lessonbuild.project import Project

STORE_FORMAT = 1  # bump when the store's layout changes (the entries' own format is in their keys)
MARKER = "lessonbuild-cache.json"
SITE_FOLDER = "_cache"  # where a site with publish_cache holds its store: cache_url = "https://<site>/_cache/"
NO_STORE = "none"  # cache_url = "none" or --cache-url none: no store, not even the published site's own
# A GitHub remote, as clone, actions/checkout or ssh write it: its owner and repository name
GITHUB_REMOTE = re.compile(r"(?:https://(?:[^@/]+@)?github\.com/|ssh://git@github\.com/|git@github\.com:|git://github\.com/)"
                           r"(?P<owner>[A-Za-z0-9-]+)/(?P<name>[A-Za-z0-9._-]+?)(?:\.git)?/?")
# The protocols a store may use. Others that fsspec knows (ssh, git, chained `a::b` URLs, memory) are refused: a
# cache URL comes from settings that contributors edit.
PROTOCOLS = ("file", "local", "s3", "gs", "gcs", "http", "https")
NEEDS = {"s3": ("s3fs", "s3"), "gs": ("gcsfs", "gcs"), "gcs": ("gcsfs", "gcs")}  # protocol: (module, lessonbuild's extra)
READ_ONLY = ("http", "https")
RECORD_LIMIT = 4096  # bytes: a record is two numbers; anything larger is not one
BATCH = 8  # entries fetched at once: a store's latency overlaps, and memory holds eight entries at most
CONNECT_SECONDS, READ_SECONDS = 10, 120


@dataclass
class Fetched:
    """What a fetch brought: the keys now in the local cache, and the warnings to print."""

    keys: list[str]
    warnings: list[str]


class RemoteStore:
    """One store, opened once per build. Its marker is read at the first fetch; after a failure to reach it, or
    where it is no store of this format, it is asked nothing more."""

    def __init__(self, url: str, location: str, push: bool, name: str):
        self.url, self.location, self.push, self.name = url, location, push, name  # name: what warnings call it
        self.ready: bool | None = None  # None: not looked at yet

    @functools.cached_property
    def _opened(self) -> tuple[Any, str]:
        """Its file system and root, at the first use: fsspec and its libraries take a fifth of a second to
        import, which a build that finds everything in the local cache never pays."""
        import fsspec

        _quiet_libraries()
        try:
            fs, root = fsspec.core.url_to_fs(self.location, **_options(store_protocol(self.url)))
        except (ValueError, TypeError) as exc:  # a URL its library refuses
            raise UsageError(f"cache_url {shown(self.url)!r}: {exc}") from None
        return fs, root.rstrip("/")

    @property
    def fs(self) -> Any:
        return self._opened[0]

    @property
    def root(self) -> str:
        return self._opened[1]

    def fetch(self, wanted: dict[str, Path]) -> Fetched:
        """Copy into the local cache each entry the store holds of `wanted` (key -> the local entry's path)."""
        fetched = Fetched([], [])
        if not wanted or not self._is_ready(fetched.warnings):
            return fetched
        records = self._read_many({key: self._path(key, ".json") for key in wanted}, fetched.warnings)
        for start in range(0, len(records), BATCH):
            if not self.ready:
                break  # it stopped answering: said once
            chunk = dict(list(records.items())[start:start + BATCH])
            entries = self._read_many({key: self._path(key, ".ipynb") for key in chunk}, fetched.warnings)
            for key, data in entries.items():
                if problem := _mismatch(data, chunk[key]):
                    fetched.warnings.append(f"warning: cache store {self.name}: entry {key[:12]} {problem}: the lesson runs here")
                    continue
                write_atomic(wanted[key], data)
                fetched.keys.append(key)
        return fetched

    def upload(self, entries: dict[str, Path], replace: bool = True) -> tuple[int, list[str]]:
        """Put entries of this build in the store (key -> the local entry). With `replace`, each replaces one of
        the same key (an older run, of packages since updated, that readers would run again) unless the store has
        these very bytes; without, only keys the store lacks are put. How many it stored, and the warnings; after
        a failure, it pushes no more."""
        warnings: list[str] = []
        if not entries or not self.push or not self._is_ready(warnings):
            return 0, warnings
        records = self._read_many({key: self._path(key, ".json") for key in entries}, warnings)
        stored = 0
        for key, entry in entries.items():
            if not self.ready:
                break  # it stopped answering: said once
            if key in records and not replace:
                continue
            data = entry.read_bytes()
            if records.get(key) == (record := record_of(data)):
                continue
            try:
                self.fs.pipe_file(self._path(key, ".ipynb"), data)
                self.fs.pipe_file(self._path(key, ".json"), record)  # last: an entry without its record is never read
                stored += 1
            except Exception as exc:  # noqa: BLE001 - each library raises its own kinds; any of them means "not stored"
                self.ready = False
                warnings.append(f"warning: cache store {self.name}: could not store an entry ({_reason(exc)}): pushing no more")
        return stored, warnings

    def _is_ready(self, warnings: list[str]) -> bool:
        if self.ready is None:
            self.ready = self._marker_is_ours(warnings)
        return self.ready

    def _marker_is_ours(self, warnings: list[str]) -> bool:
        """Whether the store is reachable and says it is a store of this format. A pushing build makes a new one."""
        marker_path = f"{self.root}/{MARKER}"
        found = self._read_many({"marker": marker_path}, warnings)
        if warnings:
            return False  # unreachable: said
        if "marker" not in found and self.push:
            try:
                self.fs.pipe_file(marker_path, marker())
                return True
            except Exception as exc:  # noqa: BLE001 - as in upload
                warnings.append(_unreachable(self.name, exc))
                return False
        if "marker" not in found:
            warnings.append(f"warning: cache store {self.name}: no {MARKER} there (not a lessonbuild cache): lessons run here")
            return False
        if (version := _format_of(found["marker"])) != STORE_FORMAT:
            warnings.append(f"warning: cache store {self.name}: written by another version of lessonbuild (store format "
                            f"{version}, this one reads {STORE_FORMAT}): lessons run here")
            return False
        return True

    def _read_many(self, paths: dict[str, str], warnings: list[str]) -> dict[str, bytes]:
        """The bytes at each path that exists, by the same names. On a failure to reach the store: none, a
        warning, and the store is asked nothing more."""
        fs = self.fs  # outside the try: a URL its library refuses is the user's to fix, not a store out of reach
        try:
            found = {path.rstrip("/"): value for path, value in fs.cat(list(paths.values()), on_error="return").items()}
        except Exception as exc:  # noqa: BLE001 - as in upload
            found = {path.rstrip("/"): exc for path in paths.values()}
        read: dict[str, bytes] = {}
        for name, path in paths.items():
            value = found.get(path.rstrip("/"), FileNotFoundError(path))
            if isinstance(value, bytes):
                read[name] = value
            elif not _is_missing(value):
                warnings.append(_unreachable(self.name, value))
                self.ready = False
                return {}
        return read

    def _path(self, key: str, suffix: str) -> str:
        return f"{self.root}/{entry_name(key, suffix)}"


def entry_name(key: str, suffix: str) -> str:
    """Where an entry (.ipynb) or its record (.json) is, relative to the store's root."""
    return f"entries/{key[:2]}/{key}{suffix}"


def record_of(entry: bytes) -> bytes:
    """An entry's record: what a reader checks the entry against."""
    return json.dumps({"bytes": len(entry), "sha256": hashlib.sha256(entry).hexdigest()}).encode()


def marker() -> bytes:
    """The file at a store's root that says it is one, and of which format."""
    return json.dumps({"format": STORE_FORMAT}).encode()


def open_store(url: str, push: bool, project_root: Path, name: str = "") -> RemoteStore | None:
    """The store at `url` (a path relative to the project, or a URL of PROTOCOLS); None where `url` is empty or
    NO_STORE. A pushing build opens it at once, so that a URL its library refuses stops the build before any lesson
    runs; a reading one opens it at its first miss. `name` is what warnings call it, where not its URL."""
    if not url or url == NO_STORE:
        return None
    protocol = store_protocol(url)
    if push and protocol in READ_ONLY:
        raise UsageError(f"--cache-push: a store at {protocol}:// is read-only (a published site's); push to its source")
    if protocol in NEEDS and _missing(NEEDS[protocol][0]):
        raise MissingExtra(f"cache_url {shown(url)!r}", NEEDS[protocol][1], NEEDS[protocol][0])
    store = RemoteStore(url, url if "://" in url else str((project_root / url).resolve()), push, name or shown(url))
    if push:
        store.fs  # noqa: B018 - opened for its error, if any
    return store


def published_store(project: Project) -> str:
    """The store a site with publish_cache carries, where the project says where its site is: under mkdocs.yml's
    site_url, else under the GitHub Pages address of the project's origin remote (as its workflow publishes it)."""
    from lessonbuild.project import site_url

    site = site_url(project)
    if not site.startswith(("https://", "http://")):
        site = github_pages_address(_origin_remote(project.root))
    return f"{site}{SITE_FOLDER}/" if site else ""


def github_pages_address(remote: str) -> str:
    """Where GitHub Pages publishes the site of the repository at this remote URL; empty for a remote elsewhere."""
    if not (match := GITHUB_REMOTE.fullmatch(remote.strip())):
        return ""
    owner, name = match["owner"].lower(), match["name"]  # Pages' host names are lower case; their paths are not
    return f"https://{owner}.github.io/" if name.lower() == f"{owner}.github.io" else f"https://{owner}.github.io/{name}/"


def _origin_remote(root: Path) -> str:
    """The origin remote of the git repository at `root`: only one whose top it is, since a course in a folder of
    a larger repository is not what that repository's site publishes."""
    if not (root / ".git").exists():
        return ""
    try:
        found = subprocess.run(["git", "-C", str(root), "config", "--get", "remote.origin.url"],
                               capture_output=True, text=True, timeout=10, check=False)
    except (OSError, subprocess.SubprocessError):  # no git on this machine
        return ""
    return found.stdout.strip() if found.returncode == 0 else ""


def store_protocol(url: str) -> str:
    """The protocol of a store's URL ("file" for a path), where it is one a store may use; else UsageError."""
    protocol = url.split("://", 1)[0].lower() if "://" in url else "file"
    if "[" in url and "::" in url:  # fsspec would cut it at the "::" as a chain of two URLs
        raise UsageError(f"cache_url {shown(url)!r}: an IPv6 address cannot be read as a store's host: name it by a host name")
    if "::" in url or protocol not in PROTOCOLS:
        known = ", ".join(f"{name}://" for name in PROTOCOLS if name != "local")
        raise UsageError(f"cache_url {shown(url)!r}: a cache store is a folder or a URL of {known}")
    if protocol not in ("file", "local") and not _host_of(url):
        place = "host" if protocol in READ_ONLY else "bucket"
        raise UsageError(f"cache_url {shown(url)!r}: no {place} in it (as {protocol}://{place.upper()}/PREFIX)")
    return protocol


def shown(url: str) -> str:
    """The URL as messages show it: a password or token in it (https://user:token@host/) left out."""
    from urllib.parse import urlsplit

    try:
        parts = urlsplit(url)
    except ValueError:
        return url
    if "@" not in parts.netloc:
        return url
    return parts._replace(netloc="***@" + parts.netloc.rsplit("@", 1)[1]).geturl()


def _host_of(url: str) -> str:
    from urllib.parse import urlsplit

    try:
        return urlsplit(url).hostname or ""
    except ValueError:  # an unclosed [ of an IPv6 address
        return ""


def _options(protocol: str) -> dict[str, Any]:
    """Each library's own settings for a store that may be slow or gone: a bound on waiting, never a hang."""
    if protocol in ("http", "https"):
        import aiohttp

        # trust_env off: no proxy or .netrc credentials of this machine go to a URL that settings name
        return {"client_kwargs": {"timeout": aiohttp.ClientTimeout(connect=CONNECT_SECONDS, sock_read=READ_SECONDS),
                                  "trust_env": False}}
    if protocol in ("gs", "gcs"):  # gcsfs retries a failed request itself, six times over about 30 s
        import aiohttp

        return {"requests_timeout": aiohttp.ClientTimeout(connect=CONNECT_SECONDS, sock_read=READ_SECONDS)}
    if protocol == "s3":
        return {"config_kwargs": {"connect_timeout": CONNECT_SECONDS, "read_timeout": READ_SECONDS,
                                  "retries": {"max_attempts": 3}}}
    if protocol in ("file", "local"):
        return {"auto_mkdir": True}  # an entry's folder is made as it is written
    return {}


@functools.cache
def _quiet_libraries() -> None:
    """Keep the store libraries' own logging (gcsfs logs a traceback for each request it gives up on) off stderr,
    where Python's last-resort handler would print it: the store says what went wrong in one warning line."""
    for library in ("fsspec", "s3fs", "gcsfs", "aiobotocore", "botocore"):
        logging.getLogger(library).addHandler(logging.NullHandler())


def _missing(module: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(module) is None


def _mismatch(data: bytes, record: bytes) -> str:
    """What is wrong with an entry, against its record; empty where nothing is."""
    try:
        expected = json.loads(record) if len(record) <= RECORD_LIMIT else {}
        size, digest = int(expected["bytes"]), str(expected["sha256"])
    except (ValueError, TypeError, KeyError):
        return "has no readable record"
    if len(data) != size:
        return f"is {len(data)} bytes, its record says {size}"
    if hashlib.sha256(data).hexdigest() != digest:
        return "does not match its record's SHA-256"
    return ""


def _format_of(marker: bytes) -> object:
    try:
        return json.loads(marker[:RECORD_LIMIT]).get("format")
    except (ValueError, AttributeError):
        return None


def _is_missing(value: object) -> bool:
    return isinstance(value, FileNotFoundError) or getattr(value, "status", None) in (403, 404, 410)


def _unreachable(url: str, exc: object) -> str:
    return f"warning: cache store {url} cannot be reached ({_reason(exc)}): lessons run here"


def _reason(exc: object) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    return f"{type(exc).__name__}: {text}"[:200] if text else type(exc).__name__



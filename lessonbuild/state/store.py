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

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from lessonbuild.errors import MissingExtra, UsageError
from lessonbuild.fsutil import write_atomic

STORE_FORMAT = 1  # bump when the store's layout changes (the entries' own format is in their keys)
MARKER = "lessonbuild-cache.json"
SITE_FOLDER = "_cache"  # where a site with publish_cache holds its store: cache_url = "https://<site>/_cache/"
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

    def __init__(self, url: str, fs: Any, root: str, push: bool):
        self.url, self.fs, self.root, self.push = url, fs, root.rstrip("/"), push
        self.ready: bool | None = None  # None: not looked at yet

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
                    fetched.warnings.append(f"warning: cache store {self.url}: entry {key[:12]} {problem}: the lesson runs here")
                    continue
                write_atomic(wanted[key], data)
                fetched.keys.append(key)
        return fetched

    def upload(self, key: str, entry: Path) -> str | None:
        """Put a run of this build in the store: it replaces one of the same key (an older run, of packages since
        updated, that readers would run again), unless the store has these very bytes. A warning where it cannot."""
        warnings: list[str] = []
        if not self.push or not self._is_ready(warnings):
            return warnings[0] if warnings else None
        data = entry.read_bytes()
        record = record_of(data)
        try:
            if self._read_many({key: self._path(key, ".json")}, warnings).get(key) != record and not warnings:
                self.fs.pipe_file(self._path(key, ".ipynb"), data)
                self.fs.pipe_file(self._path(key, ".json"), record)  # last: an entry without its record is never read
        except Exception as exc:  # noqa: BLE001 - each library raises its own kinds; any of them means "not stored"
            self.ready = False
            return f"warning: cache store {self.url}: could not store an entry ({_reason(exc)}): pushing no more"
        return warnings[0] if warnings else None

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
                warnings.append(_unreachable(self.url, exc))
                return False
        if "marker" not in found:
            warnings.append(f"warning: cache store {self.url}: no {MARKER} there (not a lessonbuild cache): lessons run here")
            return False
        if (version := _format_of(found["marker"])) != STORE_FORMAT:
            warnings.append(f"warning: cache store {self.url}: written by another version of lessonbuild (store format "
                            f"{version}, this one reads {STORE_FORMAT}): lessons run here")
            return False
        return True

    def _read_many(self, paths: dict[str, str], warnings: list[str]) -> dict[str, bytes]:
        """The bytes at each path that exists, by the same names. On a failure to reach the store: none, a
        warning, and the store is asked nothing more."""
        try:
            found = {path.rstrip("/"): value for path, value in self.fs.cat(list(paths.values()), on_error="return").items()}
        except Exception as exc:  # noqa: BLE001 - as in upload
            found = {path.rstrip("/"): exc for path in paths.values()}
        read: dict[str, bytes] = {}
        for name, path in paths.items():
            value = found.get(path.rstrip("/"), FileNotFoundError(path))
            if isinstance(value, bytes):
                read[name] = value
            elif not _is_missing(value):
                warnings.append(_unreachable(self.url, value))
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


def open_store(url: str, push: bool, project_root: Path) -> RemoteStore | None:
    """The store at `url` (a path relative to the project, or a URL of PROTOCOLS); None where `url` is empty."""
    if not url:
        return None
    protocol = store_protocol(url)
    if push and protocol in READ_ONLY:
        raise UsageError(f"--cache-push: a store at {protocol}:// is read-only (a published site's); push to its source")
    if protocol in NEEDS and _missing(NEEDS[protocol][0]):
        raise MissingExtra(f"cache_url {url!r}", NEEDS[protocol][1], NEEDS[protocol][0])
    import fsspec

    location = url if "://" in url else str((project_root / url).resolve())
    try:
        fs, root = fsspec.core.url_to_fs(location, **_options(protocol))
    except (ValueError, TypeError) as exc:  # a URL its library cannot read (s3:// with no bucket)
        raise UsageError(f"cache_url {url!r}: {exc}") from None
    return RemoteStore(url, fs, root, push)


def store_protocol(url: str) -> str:
    """The protocol of a store's URL ("file" for a path), where it is one a store may use; else UsageError."""
    protocol = url.split("://", 1)[0].lower() if "://" in url else "file"
    if "::" in url or protocol not in PROTOCOLS:
        known = ", ".join(f"{name}://" for name in PROTOCOLS if name != "local")
        raise UsageError(f"cache_url {url!r}: a cache store is a folder or a URL of {known}")
    return protocol


def _options(protocol: str) -> dict[str, Any]:
    """Each library's own settings for a store that may be slow or gone: a bound on waiting, never a hang."""
    if protocol in ("http", "https"):
        import aiohttp

        # trust_env off: no proxy or .netrc credentials of this machine go to a URL that settings name
        return {"client_kwargs": {"timeout": aiohttp.ClientTimeout(connect=CONNECT_SECONDS, sock_read=READ_SECONDS),
                                  "trust_env": False}}
    if protocol == "s3":
        return {"config_kwargs": {"connect_timeout": CONNECT_SECONDS, "read_timeout": READ_SECONDS,
                                  "retries": {"max_attempts": 3}}}
    if protocol in ("file", "local"):
        return {"auto_mkdir": True}  # an entry's folder is made as it is written
    return {}


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



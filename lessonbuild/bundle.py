"""A course's own files (helper modules and data/) as one zip: for learners, and for remote kernels."""
from __future__ import annotations

import io
import zipfile
from pathlib import Path

from .project import DATA


def course_bundle(folder: Path, prefix: str = "") -> bytes | None:
    """Zip bytes of the course's *.py files and everything under data/; None when it has neither.

    Entries carry a fixed date, so the same files give the same bytes.
    """
    files = sorted(folder.glob("*.py")) + sorted(p for p in (folder / DATA).rglob("*") if p.is_file())
    if not files:
        return None
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for path in files:
            info = zipfile.ZipInfo(prefix + path.relative_to(folder).as_posix(), date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, path.read_bytes())
    return buffer.getvalue()

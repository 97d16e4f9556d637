#!/usr/bin/env python3
"""Import every track of Kaggle's learntools with lessonbuild and compare the `kaggle` target with learntools' own output.

    python scripts/compare_learntools.py --learntools PATH/learntools/notebooks --rendered PATH/rendered [--work DIR]

--rendered holds learntools' own PROD rendering, one folder per track with each rendered
notebook and its kernel metadata as `<stem>.kernel-metadata.json`; make it with learntools'
`prepare_push.py` (its render_track and create_metadata_files_for_cfg, for the track's
prod.yaml) in an environment of its own. Each track is imported into a new project under
--work, checked, and rendered for Kaggle; then each kernel is matched to learntools' by its
slug, and each cell between the header and the footer is sorted into one of the kinds below.
Prints a Markdown table, one row per track.
"""
from __future__ import annotations

import argparse
import collections
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

KINDS = ("identical", "path/URL form", "blank lines", "reads a link's file", "macro text", "other")
FLAGS = ("_kg_hide-input", "_kg_hide-output")
METADATA = ("title", "is_private", "enable_gpu", "enable_internet", "dataset_sources", "competition_sources",
            "kernel_sources", "keywords")
OWN_WORDS = ("# Keep Going #", "To enter your predictions", "# Your Turn #")  # the macros.j2 texts


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--learntools", type=Path, required=True, help="learntools' notebooks/ folder")
    parser.add_argument("--rendered", type=Path, required=True, help="learntools' own PROD output, a folder per track")
    parser.add_argument("--work", type=Path, help="where the projects go (default: a new temporary folder)")
    args = parser.parse_args()
    work = args.work or Path(tempfile.mkdtemp(prefix="learntools-"))
    lessonbuild = [sys.executable, "-m", "lessonbuild"]
    print("| track | notebooks | cells | " + " | ".join(KINDS)
          + " | hide flags differ | metadata differs | live hint/solution (ours / learntools) | check problems |")
    print("|---" * (len(KINDS) + 7) + "|")
    for track in sorted(p for p in args.learntools.iterdir() if (p / "track_meta.py").is_file()):
        print(_row(track, args.rendered / track.name, work / track.name, lessonbuild), flush=True)
    return 0


def _row(track: Path, rendered: Path, root: Path, lessonbuild: list[str]) -> str:
    shutil.rmtree(root, ignore_errors=True)
    (root / "lessons").mkdir(parents=True)
    imported = subprocess.run([*lessonbuild, "import", str(track)], cwd=root, capture_output=True, text=True)
    if imported.returncode:
        return f"| {track.name} | import failed: {imported.stderr.strip().splitlines()[-1]} |"
    checked = subprocess.run([*lessonbuild, "check"], cwd=root, capture_output=True, text=True)
    built = subprocess.run([*lessonbuild, "kaggle"], cwd=root, capture_output=True, text=True)
    if built.returncode:
        return f"| {track.name} | kaggle failed: {built.stderr.strip().splitlines()[0]} |"
    counts = _compare(root / "_build" / "kaggle", _theirs(rendered))
    if not counts["notebooks"]:
        return f"| {track.name} | no learntools output to compare with |"
    cells = " | ".join(str(counts[kind]) for kind in KINDS)
    return (f"| {track.name} | {counts['notebooks']} | {counts['cells']} | {cells} | {counts['flags']} | {counts['metadata']} "
            f"| {counts['live ours']} / {counts['live theirs']} | {len(checked.stderr.splitlines())} |")


def _theirs(rendered: Path) -> dict[str, tuple[dict, Path]]:
    found = {}
    for meta in rendered.glob("*.kernel-metadata.json"):
        metadata = json.loads(meta.read_text())
        found[metadata["id"]] = (metadata, rendered / (meta.name.removesuffix(".kernel-metadata.json") + ".ipynb"))
    return found


def _compare(kernels: Path, theirs: dict) -> collections.Counter:
    counts: collections.Counter = collections.Counter()
    for folder in sorted(kernels.glob("*/*")):
        ours_meta = json.loads((folder / "kernel-metadata.json").read_text())
        if ours_meta["id"] not in theirs:
            continue
        their_meta, their_path = theirs[ours_meta["id"]]
        ours = json.loads((folder / ours_meta["code_file"]).read_text())
        their = json.loads(their_path.read_text())
        counts["notebooks"] += 1
        counts["metadata"] += sum(ours_meta.get(key) != their_meta.get(key) for key in METADATA)
        counts["live ours"] += _live_calls(ours)
        counts["live theirs"] += _live_calls(their)
        exercise = folder.name.split("-", 1)[1].startswith("exercise")  # both open an exercise with a header cell
        for mine, theirs_cell in zip(_body(ours, exercise), _body(their, exercise), strict=False):
            counts["cells"] += 1
            counts["flags"] += any(bool(mine["metadata"].get(f)) != bool(theirs_cell["metadata"].get(f)) for f in FLAGS)
            counts[_kind("".join(mine["source"]), "".join(theirs_cell["source"]))] += 1
    return counts


def _body(notebook: dict, exercise: bool) -> list[dict]:
    """The cells between the header (exercises only) and the footer, which each renderer writes its own way."""
    return notebook["cells"][1 if exercise else 0:-1]


def _kind(mine: str, theirs: str) -> str:
    if mine == theirs:
        return "identical"
    mine_normal = mine.replace("https://www.kaggle.com/code/", "https://www.kaggle.com/").replace("../input/", "/kaggle/input/")
    theirs_normal = theirs.replace("../input/", "/kaggle/input/")
    if mine_normal == theirs_normal:
        return "path/URL form"
    if _lines(mine_normal) == _lines(theirs_normal):
        return "blank lines"
    if any(words in mine for words in OWN_WORDS):
        return "macro text"
    if len(_lines(mine_normal)) == len(_lines(theirs_normal)) and "/kaggle/input/" in mine_normal:
        return "reads a link's file"
    return "other"


def _lines(text: str) -> list[str]:
    return [line.rstrip() for line in text.split("\n") if line.strip()]


def _live_calls(notebook: dict) -> int:
    """Code lines that call .hint() or .solution() and are not commented out."""
    code = ["".join(cell["source"]) for cell in notebook["cells"] if cell["cell_type"] == "code"]
    return sum(1 for source in code for line in source.splitlines()
               if not line.strip().startswith("#") and (".hint()" in line or ".solution()" in line))


if __name__ == "__main__":
    sys.exit(main())

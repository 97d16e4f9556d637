"""Stage 5, site: the site engine builds site/ from the published pages, replacing the old site only on success.

`serve` has its own output instead, the preview in the build folder, built in place and incrementally.

The build writes _build/mkdocs.yml: the project's own mkdocs.yml (or, where it has none, the
packaged default settings under the site_name of its settings), unchanged, followed by
docs_dir, site_dir and nav. No MkDocs plugin of ours is involved, so _build/ is a plain
MkDocs project that any mkdocs.yml-compatible tool can build.
"""
from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

from lessonbuild.errors import MissingExtra, SiteBuildError
from lessonbuild.fsutil import replace_folder, walk_files, write_atomic
from lessonbuild.model import Page
from lessonbuild.project import DEFAULT_MKDOCS, Project, SiteEngine, book_logo, site_name
from lessonbuild.state import names, uptodate

# Each site engine's build command, over the generated mkdocs.yml (both read it). Zensical keeps its own cache in
# the build folder and builds only the pages that changed; MkDocs builds every page every time.
ENGINES = {
    "mkdocs": ["-m", "mkdocs", "build", "--config-file"],
    "zensical": ["-m", "zensical", "build", "--config-file"],
}
DIRTY_WARNING = "A 'dirty' build is being performed"


def require_site_engine(project: Project) -> SiteEngine:
    """The project's site engine, which must be installed (checked before any lesson runs)."""
    engine = project.settings.site_engine
    if importlib.util.find_spec(engine) is None:
        raise MissingExtra(f'site_engine = "{engine}"', engine, engine)
    return engine


def build_site(nav: list[Page], project: Project) -> Path:
    """Build the site from the build's docs folder with the project's site engine, and swap it into site/.

    MkDocs builds into an output of its own that the next build keeps: where the settings, the navigation and
    the pages' names are those it was last built whole from, MkDocs is given --dirty and rewrites only the
    pages whose Markdown changed. site/ is then made beside it from that output."""
    staging = project.build_dir / names.SITE_STAGING
    if require_site_engine(project) == "mkdocs":
        _build_output(nav, project)
        _linked_or_copied(project.build_dir / names.SITE_OUTPUT, project.site_dir, staging)
    else:
        _run_engine(nav, project, names.SITE_STAGING, dirty=False)
    replace_folder(staging, project.site_dir)
    uptodate.remember_site(project)
    return project.site_dir


def _build_output(nav: list[Page], project: Project) -> None:
    """MkDocs' output brought up to date: with --dirty where it was last built whole from the same settings and
    pages, else built anew. Until it succeeds it counts as never built, so a failed build is never taken for a
    base (its pages' warnings would not be seen again)."""
    output, made = project.build_dir / names.SITE_OUTPUT, project.build_dir / names.SITE_OUTPUT_MADE
    docs = project.build_dir / "docs"
    files = sorted(path.relative_to(docs).as_posix() for path in walk_files(docs))
    basis = hashlib.sha256("\n".join([_generated_config(nav, project, names.SITE_OUTPUT), _engine_install(),
                                       *(name for name in files if name.endswith(".md"))]).encode()).hexdigest()
    before = json.loads(made.read_text(encoding="utf-8")) if made.exists() else {}
    made.unlink(missing_ok=True)
    dirty = before.get("basis") == basis and (output / "index.html").exists()
    if not dirty:
        shutil.rmtree(output, ignore_errors=True)
    for gone in set(before.get("files", [])) - set(files) if dirty else ():  # an image no page shows any more
        (output / gone).unlink(missing_ok=True)
    _run_keeping_search(nav, project, names.SITE_OUTPUT, dirty)
    write_atomic(made, json.dumps({"basis": basis, "files": files}))


def _engine_install() -> str:
    """Where MkDocs and its theme are installed, and when: another version renders every page anew."""
    stamps = []
    for package in ("mkdocs", "material"):
        spec = importlib.util.find_spec(package)
        origin = spec.origin if spec is not None else None
        stamps.append(f"{origin}:{os.stat(origin).st_mtime_ns}" if origin else f"{package}: not found")
    return " ".join(stamps)


def _linked_or_copied(output: Path, site: Path, staging: Path) -> None:
    """site/ as the engine's output has it, made at `staging`: a file unchanged since site/ was made is a hard link
    to site/'s own, any other a copy. site/ and the output share no file, so the engine's next build, which
    writes its files in place, cannot touch the site being served until the new one replaces it."""
    shutil.rmtree(staging, ignore_errors=True)
    for source in walk_files(output):
        relative = source.relative_to(output)
        target, old = staging / relative, site / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        if _same_file_state(source, old) and _linked(old, target):
            continue
        shutil.copy2(source, target)  # its time kept: the next build links it again while unchanged


def _same_file_state(source: Path, old: Path) -> bool:
    try:
        first, second = source.stat(), old.stat()
    except OSError:
        return False
    return (first.st_size, first.st_mtime_ns) == (second.st_size, second.st_mtime_ns)


def _linked(old: Path, target: Path) -> bool:
    try:
        os.link(old, target)
        return True
    except OSError:  # another file system, or one without hard links: copied instead
        return False


def build_preview(nav: list[Page], project: Project) -> Path:
    """Build the live preview of `serve` in place, into the build folder; site/ is left as the last build made it.

    Zensical builds only the pages that changed anyway. MkDocs, which builds every page, is given
    --dirty here (pages whose Markdown is older than their HTML are skipped) whenever the navigation is
    the one of the last preview: its dirty build does not update other pages' navigation."""
    folder = preview_folder(project)
    config = project.build_dir / names.PREVIEW_CONFIG
    unchanged = config.exists() and config.read_text(encoding="utf-8") == _generated_config(nav, project, names.PREVIEW)
    dirty = unchanged and (folder / "index.html").exists() and require_site_engine(project) == "mkdocs"
    _run_keeping_search(nav, project, names.PREVIEW, dirty)
    return folder


def _run_keeping_search(nav: list[Page], project: Project, output: str, dirty: bool) -> None:
    """The engine run into `output`; after a dirty run, its search index holds the pages it did not rebuild too."""
    search = project.build_dir / output / "search" / "search_index.json"
    before = json.loads(search.read_text(encoding="utf-8")) if dirty and search.exists() else None
    _run_engine(nav, project, output, dirty=dirty)
    if before is not None and search.exists():
        write_atomic(search, json.dumps(_merged_search(before, json.loads(search.read_text(encoding="utf-8")))))


def _merged_search(before: dict, rebuilt: dict) -> dict:
    """MkDocs' dirty build indexes the pages it rebuilt alone: the other pages' entries come from the index before."""
    pages = {doc["location"].split("#")[0] for doc in rebuilt.get("docs", [])}
    kept = [doc for doc in before.get("docs", []) if doc["location"].split("#")[0] not in pages]
    return {**rebuilt, "docs": kept + rebuilt.get("docs", [])}


def preview_folder(project: Project) -> Path:
    return project.build_dir / names.PREVIEW


def _run_engine(nav: list[Page], project: Project, output: str, dirty: bool) -> None:
    engine = require_site_engine(project)
    config = project.build_dir / (names.PREVIEW_CONFIG if output == names.PREVIEW else names.SITE_CONFIG)
    write_atomic(config, _generated_config(nav, project, output))
    environment = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    dirty = dirty and engine == "mkdocs"
    # MkDocs warns that a dirty build is one, which --strict would make an error: its other warnings fail it here.
    command = [sys.executable, *ENGINES[engine], str(config), *(["--dirty"] if dirty else ["--strict"])]
    result = subprocess.run(command, check=False, capture_output=True, text=True, env=environment, cwd=project.build_dir)
    problems = [line for line in _messages(result.stderr + result.stdout)
                if line.strip() and not line.startswith("INFO") and not (dirty and DIRTY_WARNING in line)]
    if result.returncode != 0 or (dirty and problems) or not (project.build_dir / output / "index.html").exists():
        raise SiteBuildError(f"{engine} build --strict failed:\n" + "\n".join(_as_sources(problems, nav, project)))


def _generated_config(nav: list[Page], project: Project, output: str) -> str:
    own = project.mkdocs_config.read_text(encoding="utf-8").rstrip()
    if project.mkdocs_config == DEFAULT_MKDOCS:
        own = f"site_name: {json.dumps(site_name(project))}\n{own}"  # a JSON string is a YAML string
    if project.book and book_logo(project):  # the theme's logo, which publish put beside the pages
        own = own.replace("\ntheme:\n", f"\ntheme:\n  logo: {json.dumps(project.book.logo)}\n", 1)
    added = {"docs_dir": "docs", "site_dir": output, "nav": [_nav_entry(page) for page in nav]}
    # JSON is YAML, and writing it costs a tenth of PyYAML's emitter for a navigation of hundreds of pages.
    return f"{own}\n\n# Added by the build: the pages it generated.\n" + "\n".join(
        f"{key}: {json.dumps(value, ensure_ascii=False)}" for key, value in added.items()) + "\n"


def _messages(output: str) -> list[str]:
    """The engine's messages, each with its indented lines after it (an INFO's list of pages is the INFO's)."""
    messages: list[str] = []
    for line in output.splitlines():
        if line.startswith((" ", "\t")) and messages:
            messages[-1] += "\n" + line
        else:
            messages.append(line)
    return messages


def _as_sources(lines: list[str], nav: list[Page], project: Project) -> list[str]:
    """The engine's lines with each generated page named by the lesson it comes from: an author fixes `lessons/...`,
    never a file of _build/."""
    sources = {page.path: page.source for page in _all_pages(nav) if page.source}
    docs = f"{project.build_dir / 'docs'}{os.sep}"
    shown = []
    for line in lines:
        line = line.replace(docs, "")
        for path, source in sources.items():
            line = line.replace(f"'{path}'", f"'{source}'")
        shown.append(line)
    return shown


def _all_pages(nav: list[Page]) -> list[Page]:
    return [found for page in nav for found in (page, *_all_pages(list(page.children)))]


def _nav_entry(page: Page):
    if not page.children:
        return {page.title: page.path}
    if not page.path:  # a section of its own, without a page
        return {page.title: [_nav_entry(child) for child in page.children]}
    # The section's first child is its index page, shown as the section itself.
    first, *rest = page.children
    return {page.title: [first.path, *(_nav_entry(child) for child in rest)]}

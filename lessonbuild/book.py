"""A book as its authors lay it out: a Jupyter Book 1 project (`_config.yml` + `_toc.yml`) or a Jupyter Book 2 /
mystmd project (`myst.yml`), read where it is, no file moved or renamed.

The table of contents becomes a tree of entries (a page, a link, or a part's caption holding others), each
page named by its path inside the book, so that what a page says relative to its own folder (images,
`{download}`, links to other pages) resolves as Jupyter Book resolves it. The settings the build honours are
read into one `Book`; a key the build does not know is a warning at its line, and a Sphinx-only setting is
named once as not applied, since no Sphinx runs here.
"""
from __future__ import annotations

import fnmatch
import re
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING, Any, Literal, cast, get_args

from lessonbuild.errors import SourceError, SourceLocation, SourceWarning
from lessonbuild.fsutil import NotText, inside, never_source, read_text

if TYPE_CHECKING:
    import yaml  # read where a book's files are: a lesson project without one needs no YAML reader

JB_CONFIG, JB_TOC, MYST_CONFIG = "_config.yml", "_toc.yml", "myst.yml"
PAGE_SUFFIXES = (".md", ".ipynb")  # what a page may be; a toc entry may leave its suffix out
NAMED_PAGE_SUFFIXES = (*PAGE_SUFFIXES, ".Rmd", ".py")  # jupytext's notebooks too, where the toc names one (no glob)
ExecuteMode = Literal["force", "auto", "cache", "off"]  # Jupyter Book's execute_notebooks

# _config.yml as Jupyter Book 1 documents it: what the build honours, and what it reads and leaves alone.
HONOURED: dict[str, set[str] | None] = {
    **dict.fromkeys(("title", "author", "logo", "copyright", "exclude_patterns", "only_build_toc_files",
                     "bibtex_bibfiles", "description", "email")),
    "execute": {"execute_notebooks", "timeout", "allow_errors", "exclude_patterns", "cache", "run_in_temp",
                "stderr_output", "raise_on_error"},
    "parse": {"myst_enable_extensions", "myst_substitutions", "myst_url_schemes", "myst_dmath_double_inline",
              "myst_heading_anchors", "myst_footnote_transition", "myst_linkify_fuzzy_links"},
    "launch_buttons": {"colab_url", "binderhub_url", "jupyterhub_url", "thebe", "notebook_interface", "deepnote_url"},
    "repository": {"url", "path_to_book", "branch"},
    "html": {"favicon", "use_edit_page_button", "use_repository_button", "use_issues_button", "use_multitoc_numbering",
             "extra_footer", "google_analytics_id", "analytics", "home_page_in_navbar", "baseurl", "comments",
             "announcement", "extra_navbar", "navbar_number_sections"},
    "latex": {"latex_engine", "use_jupyterbook_latex", "latex_documents", "targetname"},
    "sphinx": {"extra_extensions", "local_extensions", "recursive_update", "config"},
}
NOT_APPLIED = ("sphinx", "latex")  # what only Sphinx reads: named once, as not applied
CONFIG_SCHEMA: dict[str, Any] = {"type": "object"}  # every key is looked at below, each with its own line


@dataclass(frozen=True)
class TocEntry:
    """One entry of the table of contents: a page (`file`), a link (`url`), or a caption over its children."""

    title: str | None  # the toc's own title, else the page's
    file: str | None  # the page's path inside the book, with its suffix (POSIX)
    url: str | None = None
    line: int = 1  # of the toc file
    numbered: bool = False
    children: tuple[TocEntry, ...] = ()

    def pages(self) -> list[str]:
        """This entry's page and those below it, in reading order."""
        return ([self.file] if self.file else []) + [page for child in self.children for page in child.pages()]

    def walk(self) -> list[TocEntry]:
        """This entry and those below it, in reading order."""
        return [self, *(found for child in self.children for found in child.walk())]


@dataclass(frozen=True)
class Book:
    """What the build reads of a book: its pages in toc order and the settings it honours."""

    kind: str  # "jupyter-book" or "mystmd"
    toc_file: Path  # relative to the book's root
    config_file: Path
    toc: tuple[TocEntry, ...]  # the first entry is the root page
    title: str
    author: str = ""
    logo: str = ""
    copyright: str = ""
    execute: ExecuteMode = "force"
    timeout: int | None = None
    allow_errors: bool = False
    not_executed: tuple[str, ...] = ()  # patterns of pages that are never executed
    bibliography: tuple[str, ...] = ()  # .bib files, relative to the book's root
    substitutions: dict[str, Any] = field(default_factory=dict)
    colab_url: str = ""  # where Colab opens a page's notebook, {notebook} for its path in the book
    edit_url: str = ""  # where a page's source is edited, {path} for its path in the book
    warnings: tuple[SourceWarning, ...] = ()

    def pages(self) -> list[str]:
        return [page for entry in self.toc for page in entry.pages()]

    def entries(self) -> list[TocEntry]:
        """Every entry of the toc, each before those below it."""
        return [found for entry in self.toc for found in entry.walk()]

    def toc_titles(self) -> dict[str, str]:
        """The titles the toc gives its pages, by page."""
        return {entry.file: entry.title for entry in self.entries() if entry.file and entry.title}

    def executes(self, page: str) -> bool:
        """Whether the build runs the page's code: not with `execute_notebooks: off`, nor for a page excluded."""
        return self.execute != "off" and not any(fnmatch.fnmatch(page, pattern) for pattern in self.not_executed)


def page_slug(page: str) -> str:
    """A page's name in the book: its path without the suffix (`chapter1/intro`)."""
    return PurePosixPath(page).with_suffix("").as_posix()


def find_book(root: Path) -> Book | None:
    """The book at `root`, where the folder holds one; None elsewhere."""
    if (root / JB_TOC).is_file() and (root / JB_CONFIG).is_file():
        return read_jupyter_book(root)
    if (root / JB_TOC).is_file():
        raise SourceError(Path(JB_TOC), 1, f"a Jupyter Book's {JB_TOC} needs its {JB_CONFIG} beside it (title: ...)")
    if (root / MYST_CONFIG).is_file():
        return read_myst_project(root)
    return None


def _document(root: Path, name: str) -> tuple[dict[str, Any], yaml.Node | None]:
    try:
        text = read_text(root / name)
    except NotText as exc:
        raise SourceError(Path(name), exc.line, str(exc)) from None
    from lessonbuild.yamldoc import load_yaml_tree

    return load_yaml_tree(text, Path(name), 1, CONFIG_SCHEMA)


class _Reader:
    """Reads one YAML document's values, each problem at its own line; unknown keys become warnings."""

    def __init__(self, path: Path, root: yaml.Node | None):
        self.path, self.root = path, root
        self.warnings: list[SourceWarning] = []

    def line(self, keys: list[Any]) -> int:
        from lessonbuild.yamldoc import node_line

        return 1 + node_line(self.root, keys)

    def error(self, keys: list[Any], message: str) -> SourceError:
        return SourceError(self.path, self.line(keys), message)

    def warn(self, keys: list[Any], message: str) -> None:
        self.warnings.append(SourceWarning(SourceLocation(self.path, self.line(keys)), message))

    def text(self, data: dict, keys: list[Any], default: str = "") -> str:
        value = data.get(keys[-1], default)
        if value is None:
            return default
        if not isinstance(value, (str, int, float)):
            raise self.error(keys, f"'{'.'.join(map(str, keys))}' must be text")
        return str(value)

    def texts(self, data: dict, keys: list[Any]) -> tuple[str, ...]:
        value = data.get(keys[-1]) or []
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(item, str) for item in value):
            raise self.error(keys, f"'{'.'.join(map(str, keys))}' must be a list of text")
        return tuple(value)

    def mapping(self, data: dict, keys: list[Any]) -> dict:
        value = data.get(keys[-1]) or {}
        if not isinstance(value, dict):
            raise self.error(keys, f"'{'.'.join(map(str, keys))}' must be a mapping")
        return value


def read_jupyter_book(root: Path) -> Book:
    config, config_tree = _document(root, JB_CONFIG)
    reader = _Reader(Path(JB_CONFIG), config_tree)
    _unknown_keys(config, reader)
    execute, parse = reader.mapping(config, ["execute"]), reader.mapping(config, ["parse"])
    mode = str(execute.get("execute_notebooks", "auto")).lower()
    if execute.get("execute_notebooks") is False:
        mode = "off"  # YAML reads a bare `off` as false
    if mode not in get_args(ExecuteMode):
        raise reader.error(["execute", "execute_notebooks"], f"execute_notebooks: '{mode}' is none of force, auto, cache, off")
    toc = read_jupyter_book_toc(root, reader.texts(config, ["exclude_patterns"]))
    return Book(
        kind="jupyter-book", toc_file=Path(JB_TOC), config_file=Path(JB_CONFIG), toc=toc,
        title=reader.text(config, ["title"]) or root.name, author=reader.text(config, ["author"]),
        logo=reader.text(config, ["logo"]), copyright=reader.text(config, ["copyright"]),
        execute=cast(ExecuteMode, mode), timeout=_timeout(execute, reader), allow_errors=bool(execute.get("allow_errors", False)),
        not_executed=reader.texts(execute, ["execute", "exclude_patterns"]),
        bibliography=_book_files(root, reader, config, ["bibtex_bibfiles"]),
        substitutions=reader.mapping(parse, ["parse", "myst_substitutions"]),
        colab_url=_colab_url(config, reader), edit_url=_edit_url(config, reader),
        warnings=tuple(reader.warnings),
    )


def _book_files(root: Path, reader: _Reader, data: dict, keys: list[Any]) -> tuple[str, ...]:
    """Files the settings name (.bib files), each a file inside the book: the build reads and shows them."""
    names = reader.texts(data, keys)
    for index, name in enumerate(names):
        if inside(root / name, root) is None or not (root / name).is_file():
            raise reader.error([*keys, index], f"'{name}' is no file inside the book's folder")
    return names


def _timeout(execute: dict, reader: _Reader) -> int | None:
    value = execute.get("timeout")
    if value is None or value == -1:
        return None  # Jupyter Book's -1: no limit; the project's own limit stays
    if not isinstance(value, int) or isinstance(value, bool) or value < 1:
        raise reader.error(["execute", "timeout"], "execute.timeout must be a whole number of seconds (or -1)")
    return value


def _unknown_keys(config: dict, reader: _Reader) -> None:
    for key, value in config.items():
        if key not in HONOURED:
            reader.warn([key], f"'{key}' is no setting of Jupyter Book's _config.yml: ignored")
            continue
        if key in NOT_APPLIED and value:
            reader.warn([key], f"'{key}' is read only by Sphinx, which this build does not run: not applied")
            continue
        known = HONOURED[key]
        if isinstance(known, set) and isinstance(value, dict):
            for inner in value:
                if inner not in known:
                    reader.warn([key, inner], f"'{key}.{inner}' is no setting of Jupyter Book's _config.yml: ignored")


def _repository(config: dict, reader: _Reader) -> tuple[str, str, str]:
    repository = reader.mapping(config, ["repository"])
    url = reader.text(repository, ["repository", "url"]).rstrip("/")
    path = reader.text(repository, ["repository", "path_to_book"]).strip("/")
    branch = reader.text(repository, ["repository", "branch"], "main")
    return url, path, branch


def _colab_url(config: dict, reader: _Reader) -> str:
    """Jupyter Book's Colab button, as the build's setting: Colab opens the notebook from the book's GitHub source."""
    launch = reader.mapping(config, ["launch_buttons"])
    url, path, branch = _repository(config, reader)
    github = re.match(r"^https://github\.com/(?P<repo>[^/]+/[^/]+?)(\.git)?$", url)
    if not launch.get("colab_url") or github is None:
        return ""
    folder = f"{path}/" if path else ""
    return f"https://colab.research.google.com/github/{github['repo']}/blob/{branch}/{folder}{{notebook}}"


def _edit_url(config: dict, reader: _Reader) -> str:
    url, path, branch = _repository(config, reader)
    if not url.startswith("https://"):
        return ""
    folder = f"{path}/" if path else ""
    return f"{url}/edit/{branch}/{folder}{{path}}"


def read_jupyter_book_toc(root: Path, excluded: tuple[str, ...] = ()) -> tuple[TocEntry, ...]:
    """`_toc.yml` in either format Jupyter Book 1 reads (sphinx-external-toc's jb-book and jb-article, and its
    own `subtrees`/`entries`): the root page first, then the parts, chapters and sections below it."""
    toc, tree = _document(root, JB_TOC)
    reader = _Reader(Path(JB_TOC), tree)
    if "root" not in toc:
        raise reader.error([], f"{JB_TOC} names no root page (root: intro)")
    pages = _PageFinder(root, Path(JB_TOC), excluded)
    numbered = bool((toc.get("defaults") or {}).get("numbered") or (toc.get("options") or {}).get("numbered"))
    first = TocEntry(None, pages.find(str(toc["root"]), reader.line(["root"])), line=reader.line(["root"]))
    toc_format = toc.get("format", "jb-book")
    if toc_format not in ("jb-book", "jb-article"):
        raise reader.error(["format"], f"toc format '{toc_format}' is neither jb-book nor jb-article")
    return (first, *_jb_children(toc, [], reader, pages, numbered))


CHILD_KEYS = ("parts", "chapters", "sections", "subtrees", "entries")


def _jb_children(node: dict, keys: list[Any], reader: _Reader, pages: _PageFinder, numbered: bool) -> list[TocEntry]:
    """The entries below a toc node, whichever of jb-book's (parts, chapters, sections) or the generic format's
    (subtrees, entries) keys holds them."""
    entries: list[TocEntry] = []
    for key in CHILD_KEYS:
        items = node.get(key)
        if items is None:
            continue
        if not isinstance(items, list):
            raise reader.error([*keys, key], f"'{key}' must be a list of entries")
        for index, item in enumerate(items):
            entries.extend(_jb_entry(item, [*keys, key, index], reader, pages, numbered))
    return entries


def _jb_entry(item: Any, keys: list[Any], reader: _Reader, pages: _PageFinder, numbered: bool) -> list[TocEntry]:
    line = reader.line(keys)
    if not isinstance(item, dict):
        raise reader.error(keys, "a toc entry is a mapping with one of file, glob, url or caption")
    numbered = bool(item.get("numbered", numbered))
    children = tuple(_jb_children(item, keys, reader, pages, numbered))
    title = item.get("title") if isinstance(item.get("title"), str) else None
    if "file" in item:
        return [TocEntry(title, pages.find(str(item["file"]), line), line=line, numbered=numbered, children=children)]
    if "glob" in item:
        return [TocEntry(None, page, line=line, numbered=numbered) for page in pages.glob(str(item["glob"]), line)]
    if "url" in item:
        return [TocEntry(title or str(item["url"]), None, url=str(item["url"]), line=line)]
    if "caption" in item or children:  # a part: its caption over its chapters
        return [TocEntry(str(item.get("caption") or ""), None, line=line, numbered=numbered, children=children)]
    raise reader.error(keys, "a toc entry needs one of file, glob, url or caption")


class _PageFinder:
    """A toc's names of pages as the files they name: `intro` is intro.md or intro.ipynb; each file once."""

    def __init__(self, root: Path, toc: Path, excluded: tuple[str, ...]):
        self.root, self.toc, self.excluded = root, toc, excluded
        self.listed: set[str] = set()

    def find(self, name: str, line: int) -> str:
        name = PurePosixPath(name.strip("/")).as_posix()
        suffix = PurePosixPath(name).suffix
        candidates = [name] if suffix in NAMED_PAGE_SUFFIXES else [f"{name}{s}" for s in NAMED_PAGE_SUFFIXES]
        found = next((c for c in candidates if (self.root / c).is_file()), None)
        if found is None:
            if suffix == ".rst" or (self.root / f"{name}.rst").is_file():
                raise SourceError(self.toc, line, f"page '{name}' is reStructuredText, which this build does not read "
                                  "(MyST Markdown or a notebook: .md, .ipynb)")
            raise SourceError(self.toc, line, f"page '{name}' not found (looked for {', '.join(candidates)})")
        if ".." in PurePosixPath(found).parts or inside(self.root / found, self.root) is None:
            raise SourceError(self.toc, line, f"page '{name}' is outside the book's folder")
        if self.is_excluded(found):
            raise SourceError(self.toc, line, f"page '{name}' is in a hidden or build folder, or excluded by exclude_patterns")
        if found in self.listed:
            raise SourceError(self.toc, line, f"page '{found}' is listed twice in the table of contents")
        twin = next((page for page in self.listed if page_slug(page) == page_slug(found)), None)
        if twin is not None:
            raise SourceError(self.toc, line, f"pages '{twin}' and '{found}' would both be {page_slug(found)}/ on the "
                              "site: list one of them")
        self.listed.add(found)
        return found

    def glob(self, pattern: str, line: int) -> list[str]:
        """The pages a `glob:` names, in name order, leaving out those listed already and those excluded."""
        if not pattern.strip() or PurePosixPath(pattern).is_absolute() or ".." in PurePosixPath(pattern).parts:
            raise SourceError(self.toc, line, f"glob '{pattern}' must name pages inside the book's folder")
        try:
            matches = sorted(p.relative_to(self.root).as_posix() for p in self.root.glob(pattern)
                             if p.suffix in PAGE_SUFFIXES and p.is_file())
        except ValueError as exc:  # a pattern pathlib refuses
            raise SourceError(self.toc, line, f"glob '{pattern}': {exc}") from None
        slugs = {page_slug(page) for page in self.listed}
        found = []
        for match in matches:  # a glob takes the first of a page's twins (x.ipynb before x.md), as Sphinx does
            if match in self.listed or page_slug(match) in slugs or self.is_excluded(match):
                continue
            if inside(self.root / match, self.root) is not None:
                found.append(match)
                slugs.add(page_slug(match))
        if not found and not matches:
            raise SourceError(self.toc, line, f"glob '{pattern}' names no page")
        self.listed.update(found)
        return found

    def is_excluded(self, page: str) -> bool:
        """A page the book leaves out: in a hidden or build folder (never a page), or one its settings exclude."""
        if any(never_source(part) for part in PurePosixPath(page).parts):
            return True
        return any(fnmatch.fnmatch(page, pattern) or fnmatch.fnmatch(f"{page}/", pattern) for pattern in self.excluded)


# myst.yml as mystmd documents it: the keys of `project` the build honours, and those it knows and leaves alone.
MYST_HONOURED = {"title", "toc", "bibliography", "authors", "author", "copyright", "github", "jupyter",
                 "exclude", "abbreviations", "numbering", "math", "subject", "description", "keywords",
                 "license", "id", "date", "banner", "thumbnail", "venue", "settings", "open_access",
                 "references", "plugins", "error_rules", "edit_url", "requirements", "resources", "funding",
                 "affiliations", "doi", "arxiv", "short_title", "subtitle", "parts", "downloads", "options",
                 "exports", "index", "bluesky", "twitter", "source_url", "enumerator"}


def read_myst_project(root: Path) -> Book:
    """A mystmd project's myst.yml: `project.toc` (file, pattern, url, title with children), its title,
    authors and bibliography; `exports` are PDFs and Word files, which this build does not make (a warning)."""
    config, tree = _document(root, MYST_CONFIG)
    reader = _Reader(Path(MYST_CONFIG), tree)
    project = reader.mapping(config, ["project"])
    site = reader.mapping(config, ["site"])
    for key in project:
        if key not in MYST_HONOURED:
            reader.warn(["project", key], f"'project.{key}' is no setting of mystmd's myst.yml: ignored")
    if project.get("exports"):
        reader.warn(["project", "exports"], "'project.exports' (PDF, Word, LaTeX) are not made by this build: ignored")
    excluded = reader.texts(project, ["project", "exclude"])
    pages = _PageFinder(root, Path(MYST_CONFIG), excluded)
    if "toc" in project:
        toc = tuple(_myst_entries(project["toc"], ["project", "toc"], reader, pages))
    else:
        toc = tuple(TocEntry(None, page) for page in _myst_default_pages(root, pages))
    if not toc or toc[0].file is None:
        raise reader.error(["project", "toc"] if "toc" in project else [], "the project has no page to start from")
    title = reader.text(project, ["project", "title"]) or reader.text(site, ["site", "title"]) or root.name
    return Book(
        kind="mystmd", toc_file=Path(MYST_CONFIG), config_file=Path(MYST_CONFIG), toc=toc, title=title,
        author=_myst_authors(project.get("authors", project.get("author"))),
        logo=str((site.get("options") or {}).get("logo") or "") if isinstance(site.get("options"), dict) else "",
        copyright=reader.text(project, ["project", "copyright"]),
        execute="auto",  # as `myst build --execute`, but a notebook that has its outputs shows them
        bibliography=_book_files(root, reader, project, ["project", "bibliography"]),
        edit_url=_myst_edit_url(project), warnings=tuple(reader.warnings),
    )


def _myst_entries(items: Any, keys: list[Any], reader: _Reader, pages: _PageFinder) -> list[TocEntry]:
    if not isinstance(items, list):
        raise reader.error(keys, "'toc' must be a list of entries (file, pattern, url, or title with children)")
    entries: list[TocEntry] = []
    for index, item in enumerate(items):
        where = [*keys, index]
        line = reader.line(where)
        if not isinstance(item, dict):
            raise reader.error(where, "a toc entry is a mapping with one of file, pattern, url or title")
        children = tuple(_myst_entries(item["children"], [*where, "children"], reader, pages)) if "children" in item else ()
        title = item.get("title") if isinstance(item.get("title"), str) else None
        if "file" in item:
            entries.append(TocEntry(title, pages.find(str(item["file"]), line), line=line, children=children))
        elif "pattern" in item:
            entries += [TocEntry(None, page, line=line) for page in pages.glob(str(item["pattern"]), line)]
        elif "url" in item:
            entries.append(TocEntry(title or str(item["url"]), None, url=str(item["url"]), line=line))
        elif title is not None:
            entries.append(TocEntry(title, None, line=line, children=children))
        else:
            raise reader.error(where, "a toc entry needs one of file, pattern, url or title")
    return entries


def _myst_default_pages(root: Path, pages: _PageFinder) -> list[str]:
    """mystmd's pages where myst.yml has no toc: every page of the folder, the index (or README) first."""
    found = sorted(p.relative_to(root).as_posix() for suffix in PAGE_SUFFIXES for p in root.rglob(f"*{suffix}"))
    found = [page for page in found if not pages.is_excluded(page)]
    first = next((p for p in ("index.md", "README.md", "index.ipynb") if p in found), None)
    ordered = ([first] if first else []) + [p for p in found if p != first]
    pages.listed.update(ordered)
    return ordered


def _myst_authors(people: Any) -> str:
    people = people if isinstance(people, list) else [people] if people else []
    names = [p.get("name", "") if isinstance(p, dict) else str(p) for p in people]
    return ", ".join(name for name in names if name)


def _myst_edit_url(project: dict) -> str:
    github = project.get("github")
    if not isinstance(github, str) or not github:
        return ""
    url = github if github.startswith("https://") else f"https://github.com/{github}"
    return f"{url.rstrip('/')}/edit/main/{{path}}"

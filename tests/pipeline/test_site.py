import dataclasses
import importlib.util
import json
import os

import pytest

from lessonbuild.errors import MissingExtra, SourceError
from lessonbuild.model import Page
from lessonbuild.pipeline.site import SiteBuildError, build_site, require_site_engine
from lessonbuild.project import site_name


def write_docs(project, pages: dict[str, str]):
    for name, text in pages.items():
        path = project.build_dir / "docs" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def test_builds_site_with_navigation_and_search(tiny_project):
    write_docs(tiny_project, {"index.md": "# Home\n", "c/index.md": "# Course\n", "c/a.md": "# Lesson A\n\nBody of A.\n"})
    nav = [Page("Home", "index.md"), Page("Course", "c/", (Page("Course", "c/index.md"), Page("Lesson A", "c/a.md")))]
    site = build_site(nav, tiny_project)
    html = (site / "c" / "a" / "index.html").read_text()
    assert "<p>Body of A.</p>" in html and 'href="../"' in html
    assert (site / "search" / "search_index.json").exists()
    assert "nav:" in (tiny_project.build_dir / "mkdocs.yml").read_text()


def test_a_failed_mkdocs_build_leaves_the_previous_site(tiny_project):
    tiny_project.site_dir.mkdir()
    (tiny_project.site_dir / "index.html").write_text("previous")
    write_docs(tiny_project, {"index.md": "# Home\n[broken](missing.md)\n"})
    with pytest.raises(SiteBuildError) as caught:
        build_site([Page("Home", "index.md", source="lessons/tiny/home.md")], tiny_project)
    assert "missing.md" in str(caught.value)
    assert "'lessons/tiny/home.md'" in str(caught.value) and "'index.md'" not in str(caught.value)  # the source, not _build/
    assert caught.value.exit_code == 2  # what the lessons say, not the build's own failure
    assert (tiny_project.site_dir / "index.html").read_text() == "previous"


def test_mkdocs_yml_must_leave_nav_to_the_build(tiny_project):
    config = tiny_project.mkdocs_config
    config.write_text(config.read_text() + "nav:\n  - index.md\n")
    with pytest.raises(SourceError) as caught:
        site_name(tiny_project)
    assert str(caught.value).startswith("mkdocs.yml:")
    assert "'nav' is set by the build" in str(caught.value)
    line = int(str(caught.value).split(":")[1])
    assert config.read_text().splitlines()[line - 1] == "nav:"


def zensical_project(project):
    if not os.environ.get("CI"):  # the pinned environment has it: in CI this test must run
        pytest.importorskip("zensical")
    return dataclasses.replace(project, settings=dataclasses.replace(project.settings, site_engine="zensical"))


def test_zensical_builds_the_same_generated_project_and_again_only_what_changed(tiny_project):
    project = zensical_project(tiny_project)
    write_docs(project, {"index.md": "# Home\n", "c/index.md": "# Course\n", "c/a.md": "# Lesson A\n\nBody of *A*.\n",
                         "c/b.md": "# Lesson B\n\n[To A](a.md)\n"})
    nav = [Page("Home", "index.md"), Page("Course", "c/", (Page("Course", "c/index.md"), Page("Lesson A", "c/a.md"),
                                                             Page("Lesson B", "c/b.md")))]
    site = build_site(nav, project)
    assert "<em>A</em>" in (site / "c" / "a" / "index.html").read_text()
    assert 'href="../a/"' in (site / "c" / "b" / "index.html").read_text()
    write_docs(project, {"c/a.md": "# Lesson A\n\nBody of *A*, edited.\n"})
    site = build_site(nav, project)  # from Zensical's cache in the build folder, into a new site folder
    assert "edited" in (site / "c" / "a" / "index.html").read_text() and (site / "c" / "b" / "index.html").exists()


def test_a_broken_link_fails_the_zensical_build_too(tiny_project):
    project = zensical_project(tiny_project)
    write_docs(project, {"index.md": "# Home\n[broken](missing.md)\n"})
    with pytest.raises(SiteBuildError) as caught:
        build_site([Page("Home", "index.md")], project)
    assert "zensical build --strict failed" in str(caught.value)


def test_a_site_engine_that_is_not_installed_is_one_line_before_anything_runs(tiny_project, monkeypatch):
    project = dataclasses.replace(tiny_project, settings=dataclasses.replace(tiny_project.settings, site_engine="zensical"))
    monkeypatch.setattr(importlib.util, "find_spec", lambda name: None)
    with pytest.raises(MissingExtra) as caught:
        require_site_engine(project)
    assert str(caught.value) == ('site_engine = "zensical" needs zensical, which is not installed: '
                                 "pip install 'lessonbuild[zensical]'")


def test_a_large_course_carries_only_its_own_group_of_links_on_each_page(tiny_project):
    from lessonbuild.pipeline.publish.pages import NAV_GROUP, nav_groups

    count = NAV_GROUP * 2 + 5
    write_docs(tiny_project, {"index.md": "# Home\n", "c/index.md": "# Course\n",
                              **{f"c/l{n:02}.md": f"# Lesson {n}\n" for n in range(count)}})
    lessons = [Page(f"Lesson {n}", f"c/l{n:02}.md") for n in range(count)]
    groups = nav_groups(lessons)
    assert [g.title for g in groups] == [f"Lessons 1\u2013{NAV_GROUP}", f"Lessons {NAV_GROUP + 1}\u2013{2 * NAV_GROUP}",
                                         f"Lessons {2 * NAV_GROUP + 1}\u2013{count}"]
    assert nav_groups(lessons[:NAV_GROUP]) == lessons[:NAV_GROUP]
    nav = [Page("Home", "index.md"), Page("Course", "c/", (Page("Course", "c/index.md"), *groups))]
    site = build_site(nav, tiny_project)
    html = (site / "c" / "l00" / "index.html").read_text()
    assert 'href="../l19/"' in html and 'href="../l25/"' not in html  # navigation.prune: the other groups closed
    assert f"Lessons {NAV_GROUP + 1}\u2013{2 * NAV_GROUP}" in html
    assert (site / "c" / "l44" / "index.html").exists()


def test_the_preview_is_built_beside_site_and_mkdocs_rebuilds_only_changed_pages(tiny_project):
    from lessonbuild.pipeline.site import build_preview

    write_docs(tiny_project, {"index.md": "# Home\n", "c/index.md": "# Course\n", "c/a.md": "# A\n\nFirst.\n", "c/b.md": "# B\n"})
    nav = [Page("Home", "index.md"), Page("Course", "c/", (Page("Course", "c/index.md"), Page("A", "c/a.md"), Page("B", "c/b.md")))]
    preview = build_preview(nav, tiny_project)
    assert preview != tiny_project.site_dir and not tiny_project.site_dir.exists()
    untouched = preview / "c" / "b" / "index.html"
    os.utime(untouched, ns=(1, 1))  # so that any rewrite shows
    os.utime(tiny_project.build_dir / "docs" / "c" / "b.md", ns=(0, 0))  # older than its page: --dirty skips it
    write_docs(tiny_project, {"c/a.md": "# A\n\nEdited.\n"})
    build_preview(nav, tiny_project)
    assert "Edited." in (preview / "c" / "a" / "index.html").read_text()
    assert untouched.stat().st_mtime_ns == 1  # a dirty build: B's page was not made again
    search = json.loads((preview / "search" / "search_index.json").read_text())["docs"]
    assert {doc["location"].split("#")[0] for doc in search} >= {"c/a/", "c/b/"}  # the search still finds B
    assert any("Edited." in doc["text"] for doc in search) and not any("First." in doc["text"] for doc in search)
    nav = [*nav, Page("New", "c/b.md")]  # another navigation: every page must show it, so all are made
    build_preview(nav, tiny_project)
    assert untouched.stat().st_mtime_ns != 1


def test_mkdocs_rebuilds_only_changed_pages_and_site_shares_no_file_with_its_output(tiny_project):
    from lessonbuild.state import names

    pages = {"index.md": "# Home\n", "c/index.md": "# Course\n", "c/a.md": "# A\n\nFirst. ![pic](pic.png)\n", "c/b.md": "# B\n"}
    write_docs(tiny_project, pages)
    (tiny_project.build_dir / "docs" / "c" / "pic.png").write_bytes(b"\x89PNG not really")
    nav = [Page("Home", "index.md"), Page("Course", "c/", (Page("Course", "c/index.md"), Page("A", "c/a.md"), Page("B", "c/b.md")))]
    site = build_site(nav, tiny_project)
    output = tiny_project.build_dir / names.SITE_OUTPUT
    b_page = (site / "c" / "b" / "index.html").stat()
    os.utime(tiny_project.build_dir / "docs" / "c" / "b.md", ns=(0, 0))  # older than its page: --dirty skips it
    write_docs(tiny_project, {"c/a.md": "# A\n\nEdited.\n"})
    (tiny_project.build_dir / "docs" / "c" / "pic.png").unlink()  # no page shows it any more
    build_site(nav, tiny_project)
    assert "Edited." in (site / "c" / "a" / "index.html").read_text() and not (site / "c" / "pic.png").exists()
    assert (site / "c" / "b" / "index.html").stat().st_ino == b_page.st_ino  # B's page not made again: kept as it was
    for page in site.rglob("*.html"):
        assert page.stat().st_ino != (output / page.relative_to(site)).stat().st_ino  # a dirty build writes in place
    search = {doc["location"].split("#")[0] for doc in json.loads((site / "search" / "search_index.json").read_text())["docs"]}
    assert search >= {"c/a/", "c/b/"}
    write_docs(tiny_project, {"c/a.md": "# A\n\n[broken](gone.md)\n"})
    with pytest.raises(SiteBuildError):
        build_site(nav, tiny_project)
    assert "Edited." in (site / "c" / "a" / "index.html").read_text()  # the failed build left site/ as it was
    write_docs(tiny_project, {"c/a.md": "# A\n\nFixed.\n"})
    b_output = (output / "c" / "b" / "index.html").stat().st_mtime_ns
    build_site(nav, tiny_project)  # after a failure, a whole build: the failed one is no base for --dirty
    assert (output / "c" / "b" / "index.html").stat().st_mtime_ns != b_output and "Fixed." in (site / "c" / "a" / "index.html").read_text()

"""The GitHub Actions workflows, this repository's and the one `init` writes: a CI that executes and can fail."""
import re

import pytest
import yaml

from tests.conftest import REPOSITORY

OURS = REPOSITORY / ".github" / "workflows" / "lessons.yml"
TEMPLATE = REPOSITORY / "lessonbuild" / "defaults" / "project" / "dot-github" / "workflows" / "lessons.yml"
BUILD = re.compile(r"^(\.venv/bin/python build\.py|lessonbuild)(\s|$)")


def jobs(path):
    return yaml.safe_load(path.read_text())["jobs"]


def runs(job) -> list[str]:
    return [step["run"] for step in job["steps"] if "run" in step]


def builds(job) -> list[str]:
    """The steps that build (execute and publish): not `check`, not `figures`."""
    return [run for run in runs(job) if BUILD.match(run) and not re.search(r"\s(check|figures|clean)(\s|$)", run)]


def uses(job, action: str) -> list[dict]:
    return [step for step in job["steps"] if step.get("uses", "").startswith(action)]


@pytest.mark.parametrize("workflow", [OURS, TEMPLATE], ids=["repository", "init"])
def test_a_pull_request_executes_what_changed_on_a_cpu_runner_from_mains_cache_and_keeps_the_site(workflow):
    (job,) = [job for job in jobs(workflow).values() if job.get("if") == "github.event_name == 'pull_request'"]
    assert "self-hosted" not in str(job["runs-on"])
    assert uses(job, "actions/cache/restore") and not uses(job, "actions/cache@")  # main's cache, read only
    (build,) = builds(job)
    assert "--no-execute" not in build and "--require-cache" not in build and "--no-frozen-figures" not in build
    assert not any("figures --update" in run for run in runs(job))
    paths = {step["with"]["path"]: step.get("if") for step in uses(job, "actions/upload-artifact")}
    assert "site" in paths and paths["_build/figures-diff"] == "failure()"


@pytest.mark.parametrize("workflow", [OURS, TEMPLATE], ids=["repository", "init"])
def test_no_self_hosted_runner_ever_runs_a_pull_request(workflow):
    for name, job in jobs(workflow).items():
        if "self-hosted" in str(job["runs-on"]):
            assert job.get("if") == "github.event_name == 'push'", name


@pytest.mark.parametrize("workflow", [OURS, TEMPLATE], ids=["repository", "init"])
def test_main_executes_in_shards_merges_their_caches_and_deploys_from_the_cache_alone(workflow):
    all_jobs = jobs(workflow)
    execute, publish = all_jobs["execute"], all_jobs["publish"]
    shards = execute["strategy"]["matrix"]["shard"]
    (build,) = builds(execute)
    assert f"--shard ${{{{ matrix.shard }}}}/{len(shards)}" in build and shards == list(range(1, len(shards) + 1))
    assert [step["with"]["path"] for step in uses(execute, "actions/upload-artifact")] == ["_build/cache"]
    assert publish["needs"] == "execute" and publish["if"] == "github.event_name == 'push'"
    (download,) = uses(publish, "actions/download-artifact")
    assert download["with"] == {"pattern": "cache-*", "path": "_build/cache", "merge-multiple": True}
    (build,) = builds(publish)
    assert "--require-cache" in build
    assert publish["concurrency"]["group"] and publish["concurrency"]["cancel-in-progress"] is False
    assert uses(publish, "actions/deploy-pages") and uses(publish, "actions/cache/save")
    steps = [step.get("run", step.get("uses")) for step in publish["steps"]]
    assert steps.index(build) < steps.index("actions/deploy-pages@v4")


def test_this_repository_executes_on_its_gpu_runner_with_device_gpu():
    all_jobs = jobs(OURS)
    for name in ("execute", "publish"):
        assert all_jobs[name]["runs-on"] == ["self-hosted", "gpu"]
        assert builds(all_jobs[name]) and all("--device gpu" in build for build in builds(all_jobs[name]))


def test_this_repositorys_pull_requests_keep_the_browser_tests_screenshots():
    (job,) = [job for job in jobs(OURS).values() if job.get("if") == "github.event_name == 'pull_request'"]
    paths = {step["with"]["path"]: step.get("if") for step in uses(job, "actions/upload-artifact")}
    assert paths["_build/screenshots"] == "always()"


@pytest.mark.parametrize("workflow", [OURS, TEMPLATE], ids=["repository", "init"])
def test_every_job_that_executes_lessons_confines_their_kernels_and_leaves_no_token_to_read(workflow):
    for name, job in jobs(workflow).items():
        for checkout in uses(job, "actions/checkout"):
            assert checkout["with"]["persist-credentials"] is False, name  # no token in .git/config
        executing = [run for run in builds(job) if "--require-cache" not in run and "--no-execute" not in run]
        for build in executing:
            assert "--sandbox bwrap" in build, (name, build)  # a missing bubblewrap stops it, never runs unconfined
        if executing and "self-hosted" not in str(job["runs-on"]):
            assert any("apt-get install" in run and "bubblewrap" in run for run in runs(job)), name


def test_this_repositorys_pull_requests_read_mains_published_cache():
    # publish_cache with no cache_url: a build reads the site's own store, at the Pages address of origin
    settings = (REPOSITORY / "pyproject.toml").read_text()
    assert "publish_cache = true" in settings and not re.search(r"^cache_url\s*=", settings, re.M)
    (job,) = [job for job in jobs(OURS).values() if job.get("if") == "github.event_name == 'pull_request'"]
    (build,) = builds(job)
    assert "--cache-url" not in build and "site_url" not in (REPOSITORY / "mkdocs.yml").read_text()
    (checkout,) = uses(job, "actions/checkout")
    assert "repository" not in checkout.get("with", {})  # origin is this repository, whose Pages site is main's
    assert "--cache-push" not in str(jobs(OURS))  # nothing is pushed: Pages publishes the store

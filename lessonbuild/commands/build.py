"""`lessonbuild build` (the default command): render, execute what changed, publish, and build site/."""
from __future__ import annotations

import argparse

from lessonbuild.commands import execute_options, print_failures
from lessonbuild.pipeline.build import BuildRequest, Shard, build  # light until a build has work to do
from lessonbuild.project import Project, in_ci

HELP = "render, execute and publish every lesson that changed, then build site/"
NEEDS_PROJECT = True
EXECUTES = True


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--target", choices=("site", "kaggle"), default="site",
        help="site: execute and publish site/; kaggle: the same as the kaggle command (default: site)",
    )
    skipping = parser.add_mutually_exclusive_group()
    skipping.add_argument(
        "--no-execute", dest="uncached", action="store_const", const="skip", default="execute",
        help="execute nothing: lessons without a cache entry are published without outputs, with the committed figures",
    )
    skipping.add_argument(
        "--require-cache", dest="uncached", action="store_const", const="fail",
        help="build the site from the cache alone; fail, naming them, if some lessons have no entry",
    )
    parser.add_argument("--shard", type=_shard, metavar="K/N",
                        help="execute only the K-th of N stable slices of the lessons; build no site")
    parser.add_argument(
        "--force", nargs="*", metavar="LESSON",
        help="execute these lessons (course/slug or slug) even if cached; with no name, all of them",
    )
    parser.add_argument("--strict", action="store_true", help="warnings are errors too (as Sphinx's -W; for CI)")
    parser.add_argument("--keep-going", action="store_true",
                        help="publish the site even where lessons fail, each failed page showing its outputs up to "
                        "the error and saying it failed; the build still exits 1 (as make -k)")
    parser.add_argument(
        "--frozen-figures", action=argparse.BooleanOptionalAction, default=None,
        help="never write figures/: a regenerated figure that differs from the committed one fails the build, its "
        "diff image kept in _build/figures-diff/ (default: on where the CI variable is set, as CI services set it)",
    )


def run(project: Project, args: argparse.Namespace) -> int:
    if args.target == "kaggle":
        from lessonbuild.commands import kaggle

        return kaggle.run(project, args)
    frozen = in_ci() if args.frozen_figures is None else args.frozen_figures
    request = BuildRequest(execute_options(args, project), shard=args.shard, junit=args.junit, strict=args.strict,
                           frozen_figures=frozen, keep_going=args.keep_going)
    report = build(project, request)
    print_failures(report.failures)
    return report.exit_code


def _shard(text: str) -> Shard:
    index, _, count = text.partition("/")
    if not (index.isdigit() and count.isdigit() and 1 <= int(index) <= int(count)):
        raise argparse.ArgumentTypeError("expected K/N with 1 <= K <= N, such as 2/4")
    return Shard(int(index), int(count))



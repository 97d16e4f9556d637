"""The command line: parse arguments, call the pipeline, turn its errors into exit codes."""
from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

from . import pipeline
from .errors import BuildError, CellFailure, SourceErrors
from .project import load_project

COMMANDS = ("build", "check", "clean", "figures", "import", "new", "serve")


def main(argv: list[str] | None = None, default_root: Path | None = None) -> int:
    os.environ.setdefault("NBFORMAT_VALIDATOR", "fastjsonschema")  # same schema, several times faster
    args = _parser(default_root or Path.cwd()).parse_args(_with_default_command(argv))
    try:
        return _run(args)
    except KeyboardInterrupt:
        print("interrupted; site/, figures/ and the cache are as they were", file=sys.stderr)
        return 130
    except SourceErrors as exc:
        for error in exc.errors:
            print(error, file=sys.stderr)
        return exc.exit_code
    except BuildError as exc:
        if args.debug:
            raise
        print(exc, file=sys.stderr)
        return exc.exit_code
    except Exception as exc:  # a bug of the build itself: one line, the traceback only on request
        if args.debug:
            raise
        print(f"internal error: {type(exc).__name__}: {exc} (run with --debug for the traceback)", file=sys.stderr)
        return 1


def _run(args: argparse.Namespace) -> int:
    project = load_project(args.project)
    commands = {"check": _check, "import": _import, "new": _new, "clean": _clean, "serve": _serve, "figures": _figures}
    return commands.get(args.command, _build)(project, args)


def _check(project, args) -> int:
    courses = pipeline.check(project, target=args.target)
    count = sum(len(lessons) for _, lessons in courses)
    print(f"{count} lesson{'s' if count != 1 else ''} in {len(courses)} course{'s' if len(courses) != 1 else ''}: no problems")
    return 0


def _import(project, args) -> int:
    from .importer import import_lessons

    report = import_lessons(args.sources, args.course, project)
    for note in report.notes:
        print(note, file=sys.stderr if ": warning: " in note else sys.stdout)
    for path in report.written:
        print(f"imported {project.relative(path).as_posix()}")
    return 0


def _new(project, args) -> int:
    from .scaffold import new_lesson

    path = new_lesson(project, args.course, args.title, exercise_of=args.exercise_of)
    print(f"wrote {project.relative(path).as_posix()}")
    return 0


def _clean(project, args) -> int:
    pipeline.clean(project)
    return 0


def _serve(project, args) -> int:
    from .serve import serve

    run = _run_options(args)

    def build_and_report() -> None:
        for failure in pipeline.build(project, run=run).failures:
            _print_failure(failure, sys.stdout)

    serve(project, build_and_report, port=args.port)
    return 0


def _figures(project, args) -> int:
    report = pipeline.figures(project, update=not args.check, run=_run_options(args))
    for failure in report.failures:
        _print_failure(failure)
    return report.exit_code


def _build(project, args) -> int:
    if args.target == "kaggle":
        pipeline.kaggle(project)
        return 0
    report = pipeline.build(project, run=_run_options(args))
    for failure in report.failures:
        _print_failure(failure)
    return report.exit_code


def _run_options(args: argparse.Namespace) -> pipeline.RunOptions:
    return pipeline.RunOptions(
        force=getattr(args, "force", None),
        jobs=args.jobs,
        device=args.device,
        gateway=args.gateway,
        uncached=getattr(args, "uncached", "execute"),
        shard=getattr(args, "shard", None),
        junit=args.junit,
    )


def _print_failure(failure: CellFailure, out=None) -> None:
    out = out or sys.stderr
    print(failure, file=out)
    if failure.details:
        print(failure.details.rstrip(), file=out)
    elif failure.kernel_log:
        print(f"the kernel's own output is in {failure.kernel_log.as_posix()}", file=out)


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def _shard(text: str) -> tuple[int, int]:
    index, _, count = text.partition("/")
    if not (index.isdigit() and count.isdigit() and 1 <= int(index) <= int(count)):
        raise argparse.ArgumentTypeError("expected K/N with 1 <= K <= N, such as 2/4")
    return int(index), int(count)


def _with_default_command(argv: list[str] | None) -> list[str]:
    argv = list(sys.argv[1:] if argv is None else argv)
    if any(arg in COMMANDS for arg in argv) or any(arg in ("-h", "--help") for arg in argv[:1]):
        return argv
    return ["build", *argv]


def _parser(default_root: Path) -> argparse.ArgumentParser:
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--project", type=Path, default=default_root, help="the project folder (default: %(default)s)")
    common.add_argument("--debug", action="store_true", help="show Python tracebacks of the build itself")
    execution = _execution_options()
    parser = argparse.ArgumentParser(
        prog="build.py",
        description="Build lesson notebooks and the course site. With no command: build.",
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    _add_build(commands.add_parser("build", parents=[common, execution], help="render, execute and publish every lesson, then build site/"))
    _add_figures(commands.add_parser("figures", parents=[common, execution], help="regenerate the figures that figure cells draw into figures/"))
    _add_import(commands.add_parser("import", parents=[common], help="write notebooks (.ipynb) or flattened text exports as lessons of a course"))
    serve = commands.add_parser("serve", parents=[common, execution], help="build, serve site/ on 127.0.0.1 with live reload, rebuild on changes")
    serve.add_argument("--port", type=int, default=8000, help="the port on 127.0.0.1; 0 picks a free one (default: %(default)s)")
    new = commands.add_parser("new", parents=[common], help="write a new lesson from templates/new/lesson.md.j2")
    new.add_argument("course", help="the course folder under lessons/ (created if need be)")
    new.add_argument("title", help="the lesson's title")
    new.add_argument("--exercise-of", metavar="SLUG", help="write the exercise of this tutorial, listed beside it")
    check = commands.add_parser("check", parents=[common], help="read and render every lesson without executing it")
    check.add_argument("--target", choices=("site", "kaggle"), default="site", help="render as for this target (default: site)")
    commands.add_parser("clean", parents=[common], help="remove the build folder and its execution cache (not site/ or figures/)")
    return parser


def _execution_options() -> argparse.ArgumentParser:
    """The options of every command that executes lessons."""
    execution = argparse.ArgumentParser(add_help=False)
    execution.add_argument(
        "--jobs", "-j", type=_positive, default=os.cpu_count() or 1,
        help="lessons to execute at once, each in its own kernel with its share of the cores (default: %(default)s)",
    )
    execution.add_argument(
        "--device", choices=("auto", "cpu", "gpu"), default="auto",
        help="cpu hides GPUs from the kernels; gpu stops unless TensorFlow sees one (default: auto)",
    )
    execution.add_argument(
        "--gateway", metavar="URL",
        help="execute on a Jupyter Kernel Gateway (or Enterprise Gateway) at URL instead of local kernels",
    )
    execution.add_argument("--junit", type=Path, metavar="FILE", help="write one JUnit test case per lesson to FILE")
    return execution


def _add_build(build: argparse.ArgumentParser) -> None:
    build.add_argument(
        "--target", choices=("site", "kaggle"), default="site",
        help="site: execute and publish site/; kaggle: render for Kaggle into _build/kaggle/, one folder per kernel "
        "with its kernel-metadata.json, executing nothing (default: site)",
    )
    skipping = build.add_mutually_exclusive_group()
    skipping.add_argument(
        "--no-execute", dest="uncached", action="store_const", const="skip", default="execute",
        help="execute nothing: lessons without a cache entry are published without outputs, with the committed figures",
    )
    skipping.add_argument(
        "--require-cache", dest="uncached", action="store_const", const="fail",
        help="build the site from the cache alone; fail, naming them, if some lessons have no entry",
    )
    build.add_argument("--shard", type=_shard, metavar="K/N", help="execute only the K-th of N stable slices of the lessons; build no site")
    build.add_argument(
        "--force", nargs="*", metavar="LESSON",
        help="execute these lessons (course/slug or slug) even if cached; with no name, all of them",
    )


def _add_figures(figures: argparse.ArgumentParser) -> None:
    mode = figures.add_mutually_exclusive_group()
    mode.add_argument("--check", action="store_true", help="compare with the committed figures; exit 1 naming those that drifted")
    mode.add_argument("--update", action="store_true", help="write the regenerated figures (the default)")


def _add_import(importer: argparse.ArgumentParser) -> None:
    importer.add_argument("sources", nargs="+", type=Path, metavar="SRC")
    importer.add_argument("--course", required=True, help="the course folder under lessons/ (created if need be)")

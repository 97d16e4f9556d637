"""The command line: arguments -> a command; its errors -> one line and an exit code (errors.report_errors).

`lessonbuild [--project DIR] [--debug] COMMAND [options]`; with no command, `build`. The global
options may stand before or after the command. Each command is a module of `commands/`.
"""
from __future__ import annotations

import argparse
import os
import sys
from importlib import import_module
from pathlib import Path
from types import ModuleType
from typing import get_args
from urllib.parse import urlsplit

from lessonbuild.commands import file_errors_reported
from lessonbuild.errors import UsageError, report_errors
from lessonbuild.pipeline.execute.options import DEVICES, EXECUTORS
from lessonbuild.project import SandboxMode, load_project

DEFAULT_COMMAND = "build"
# In the order `--help` lists them; `import` is a Python keyword, hence the module import_.
COMMAND_NAMES = ("build", "check", "figures", "serve", "new", "import", "kaggle", "init", "clean")
COMMANDS: dict[str, ModuleType] = {
    name: import_module(f"lessonbuild.commands.{name}_" if name == "import" else f"lessonbuild.commands.{name}")
    for name in COMMAND_NAMES
}


def main(argv: list[str] | None = None, default_root: Path | None = None, prog: str | None = None) -> int:
    """Run one command; its exit code: 0 done, 1 the build ran and something failed, 2 bad input or usage."""
    os.environ.setdefault("NBFORMAT_VALIDATOR", "fastjsonschema")  # same schema, several times faster
    argv = list(sys.argv[1:] if argv is None else argv)
    parser = _parser(default_root or Path.cwd(), prog or Path(sys.argv[0]).name)
    args = parser.parse_args(with_default_command(argv))
    return report_errors(lambda: _run(args), debug=args.debug)


def _run(args: argparse.Namespace) -> int:
    command = COMMANDS[args.command]
    with file_errors_reported(None):
        project = load_project(args.project) if command.NEEDS_PROJECT else None
    with file_errors_reported(project):
        return command.run(project, args)


GLOBAL_WITH_VALUE = ("--project",)
GLOBAL_FLAGS = ("--debug", "-h", "--help", "--version")


def with_default_command(argv: list[str]) -> list[str]:
    """`build` put in where the first word that is not a global option is not a command."""
    index = 0
    while index < len(argv):
        word = argv[index]
        if word in GLOBAL_WITH_VALUE:
            index += 2
        elif word.startswith(tuple(f"{option}=" for option in GLOBAL_WITH_VALUE)) or word in GLOBAL_FLAGS:
            index += 1
        else:
            break
    if index < len(argv) and argv[index] in COMMANDS:
        return argv
    if any(word in ("-h", "--help", "--version") for word in argv[:index]):
        return argv
    return [*argv[:index], DEFAULT_COMMAND, *argv[index:]]


def _global_options(parser: argparse.ArgumentParser, default_root: Path | None) -> None:
    """On the main parser with their defaults; on each command without, so a value given before the command stays."""
    default = argparse.SUPPRESS if default_root is None else default_root
    parser.add_argument("--project", type=Path, metavar="DIR", default=default,
                        help="the project folder (default: the current folder)")
    parser.add_argument("--debug", action="store_true", default=argparse.SUPPRESS if default_root is None else False,
                        help="show Python tracebacks of the build itself")


class _VersionAction(argparse.Action):
    """argparse's `version` action, the version looked up only when asked for: reading the installed metadata
    costs a no-op build a tenth of its time."""

    def __init__(self, option_strings, dest=argparse.SUPPRESS, **kwargs):
        super().__init__(option_strings, dest, nargs=0, help="show the version and exit", **kwargs)

    def __call__(self, parser, namespace, values, option_string=None):
        from lessonbuild import __version__

        parser.exit(message=f"lessonbuild {__version__}\n")


def _parser(default_root: Path, prog: str) -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog=prog,
        description="Build lesson sources into executed notebooks and a course site. With no command: build.",
    )
    _global_options(parser, default_root)
    parser.add_argument("--version", action=_VersionAction)
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name, command in COMMANDS.items():
        sub = commands.add_parser(name, help=command.HELP, description=command.HELP)
        _global_options(sub, None)
        if command.EXECUTES:
            _execution_options(sub)
        if hasattr(command, "add_arguments"):
            command.add_arguments(sub)
    return parser


def _execution_options(parser: argparse.ArgumentParser) -> None:
    """The options of every command that executes lessons."""
    parser.add_argument(
        "--jobs", "-j", type=_positive, default=os.cpu_count() or 1,
        help="lessons to execute at once, each in its own kernel with its share of the cores (default: %(default)s)",
    )
    parser.add_argument(
        "--device", choices=DEVICES, default="auto",
        help="auto: lessons that use a GPU library run on this machine's GPUs where it has any; cpu: no kernel sees "
        "a GPU; gpu: as auto, but stop unless there is a GPU, and run again what the cache has from a CPU (default: auto)",
    )
    parser.add_argument("--accept-cpu-cache", action="store_true",
                        help="with --device gpu: let cache entries made on a CPU serve lessons that want a GPU")
    parser.add_argument(
        "--gateway", metavar="URL", type=_gateway_url,
        help="execute on a Jupyter Kernel Gateway (or Enterprise Gateway) at URL instead of local kernels "
        "(needs lessonbuild[gateway])",
    )
    parser.add_argument(
        "--sandbox", choices=get_args(SandboxMode),
        help="where local kernels run: bwrap (bubblewrap's sandbox; an error where it is missing), auto (in it where "
        "it works), none (unconfined) (default: the project's sandbox setting, else auto)",
    )
    parser.add_argument(
        "--executor", choices=EXECUTORS,
        help="local: kernels on this machine; dask: each lesson a task of the Dask cluster --scheduler names "
        "(needs lessonbuild[dask]) (default: the project's executor setting, else local)",
    )
    parser.add_argument("--scheduler", metavar="ADDRESS",
                        help="the Dask scheduler to submit lessons to, as tcp://HOST:8786 (default: DASK_SCHEDULER_ADDRESS)")
    parser.add_argument(
        "--cache-url", metavar="URL", type=_cache_url,
        help="a shared cache store to read executed lessons from: a folder, s3://, gs:// or https:// (a published "
        "site's _cache/), or none (default: the project's cache_url setting, else the published site's own where "
        "publish_cache is on)",
    )
    parser.add_argument("--cache-push", action="store_true",
                        help="put the lessons executed here in the cache store, and the local cache's entries it lacks "
                        "(for a trusted build, never a pull request's)")
    parser.add_argument("--junit", type=_output_file, metavar="FILE", help="write one JUnit test case per lesson to FILE")


def _cache_url(text: str) -> str:
    from lessonbuild.state.store import store_protocol

    try:
        store_protocol(text)
    except UsageError as exc:
        raise argparse.ArgumentTypeError(str(exc).removeprefix("cache_url ")) from None
    return text


def _positive(text: str) -> int:
    if not text.strip().isdigit() or int(text) < 1:
        raise argparse.ArgumentTypeError(f"expected a whole number of at least 1, not {text!r}")
    return int(text)


def _gateway_url(text: str) -> str:
    try:
        parts = urlsplit(text)
        valid = parts.scheme in ("http", "https") and bool(parts.hostname) and parts.port != 0
    except ValueError:  # a port past 65535, a broken [IPv6] address
        valid = False
    if not valid:
        raise argparse.ArgumentTypeError(f"expected an http:// or https:// URL, such as http://127.0.0.1:8888, not {text!r}")
    return text


def _output_file(text: str) -> Path:
    """A file the build will write: checked now, so that a wrong name fails before the lessons run, not after."""
    path = Path(text)
    if path.is_dir():
        raise argparse.ArgumentTypeError(f"{text} is a folder; name the file to write in it, such as {path / 'lessons.xml'}")
    folder = next((parent for parent in path.parents if parent.exists()), Path("."))
    if not folder.is_dir():
        raise argparse.ArgumentTypeError(f"{folder} is a file, not a folder: {text} cannot be written")
    return path

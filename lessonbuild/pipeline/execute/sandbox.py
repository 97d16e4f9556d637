"""Where a local kernel may reach: bubblewrap's sandbox, so that a lesson from a stranger cannot read the
build's secrets, change the project or outlive the build.

A kernel under bubblewrap (bwrap, the sandbox Flatpak runs its apps in) has:

- its own PID namespace: /proc shows the kernel's processes only (not the build's environment), and when
  the kernel ends every process it started ends with it, a daemon included;
- the file system read-only, with the home folder, /tmp, /run and the project's .git hidden behind empty
  folders; what the kernel itself runs on (the Python prefixes, the kernel's spec) is shown again read-only;
- write access to its scratch folder (workspace.py), its sockets and the empty /tmp and home alone;
- no network, unless the lesson's front matter (`lessonbuild: {network: true}`) or `kernel_network` allows it;
- no capabilities, even when the build runs as root, and --die-with-parent: a killed build takes it along.

`sandbox = "auto"` uses it where it works and says once, in one line, when it cannot; "bwrap" makes a
missing one an error; "none" runs kernels as the build's own processes.
"""
from __future__ import annotations

import functools
import glob
import os
import shutil
import site
import subprocess
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from lessonbuild.errors import UsageError
from lessonbuild.project import SandboxMode

BWRAP = "bwrap"
# Hidden from every kernel: /tmp and /run hold other programs' sockets and secrets (a container's /run/secrets).
HIDDEN = ("/tmp", "/run")
# Where the name service lives on systemd hosts: shown again when the kernel may use the network.
RESOLVER = "/run/systemd/resolve"
GPU_DEVICES = ("/dev/nvidia*", "/dev/dri")
NETWORK_ERRORS = ("gaierror", "ConnectionError", "ConnectionRefusedError", "URLError", "NewConnectionError",
                  "MaxRetryError", "Temporary failure in name resolution", "Network is unreachable")
PRINTED_NETWORK_ERRORS = ("Failed to establish a new connection", "No matching distribution found")  # pip's words


@dataclass(frozen=True)
class Bubblewrap:
    """A bubblewrap that works on this machine, and how kernels run under it."""

    executable: str
    as_root: bool

    def command(self, kernel: list[str], confinement: Confinement) -> list[str]:
        """`kernel` (a kernel's command line) as bubblewrap runs it, confined as the module's docstring says."""
        working = confinement.working or confinement.scratch
        return [self.executable, *self._namespaces(confinement), *_mounts(confinement), "--chdir", str(working),
                "--", *kernel]

    def _namespaces(self, confinement: Confinement) -> list[str]:
        # JPY_PARENT_PID names the build, which the kernel's PID namespace cannot see: ipykernel would take itself
        # for an orphan and quit. --die-with-parent does that watching instead.
        options = ["--unshare-pid", "--die-with-parent", "--new-session", "--unsetenv", "JPY_PARENT_PID"]
        if self.as_root:
            options += ["--cap-drop", "ALL"]  # root keeps every capability in the sandbox otherwise (a remount)
        if not confinement.network:
            options.append("--unshare-net")
        return options


@dataclass(frozen=True)
class Confinement:
    """What one kernel may see and write."""

    project: Path  # readable
    scratch: Path  # writable: the kernel's copy of the files it may use
    sockets: Path  # writable: the kernel's ZMQ sockets and connection file
    readable: tuple[Path, ...]  # outside the project, shown read-only: what the kernel runs on
    network: bool = False
    working: Path | None = None  # where in the scratch folder the kernel starts (a book's page: its own folder)


def _mounts(confinement: Confinement) -> list[str]:
    home = Path.home()
    mounts = ["--ro-bind", "/", "/", "--dev", "/dev", "--proc", "/proc"]
    for folder in _hidden():
        mounts += ["--tmpfs", folder]
    if confinement.network:
        mounts += ["--ro-bind-try", RESOLVER, RESOLVER]
    for path in confinement.readable:
        mounts += ["--ro-bind-try", str(path), str(path)]
    mounts += ["--ro-bind", str(confinement.project), str(confinement.project), *_hide_git(confinement.project)]
    for writable in (confinement.scratch, confinement.sockets):
        mounts += ["--bind", str(writable), str(writable)]
    for font_list in glob.glob(str(_matplotlib_cache() / "fontlist-*.json")):
        mounts += ["--ro-bind", font_list, str(home / ".cache" / "matplotlib" / Path(font_list).name)]
    for pattern in GPU_DEVICES:
        for device in glob.glob(pattern):
            mounts += ["--dev-bind-try", device, device]
    return mounts


def _hide_git(project: Path) -> list[str]:
    """The project's .git, whose config holds a CI checkout's token, behind an empty folder (or file)."""
    git = project / ".git"
    if git.is_dir():
        return ["--tmpfs", str(git)]
    if git.is_file():
        return ["--ro-bind", os.devnull, str(git)]
    return []


def _matplotlib_cache() -> Path:
    """Where matplotlib keeps its font list: shown to the kernel, which would spend a second rebuilding it."""
    if os.environ.get("MPLCONFIGDIR"):
        return Path(os.environ["MPLCONFIGDIR"])
    return Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "matplotlib"


def runtime_paths(kernel_argv: Iterable[str], resource_dir: str | None, extra: Iterable[str | Path]) -> tuple[Path, ...]:
    """What a kernel runs on that the hidden folders may hold: the Python prefixes (a pyenv or a venv in the home
    folder), the build's import path and the user's site-packages, the kernel's own executable and spec, the
    programs on PATH, and the paths the settings name."""
    paths = {sys.prefix, sys.base_prefix, sys.exec_prefix, site.getusersitepackages()}
    paths.update(entry for entry in sys.path if os.path.isabs(entry))  # a .pth file's folders: another venv's, say
    for argument in list(kernel_argv)[:1]:
        found = shutil.which(argument)
        if found:
            executable = Path(found).resolve()
            paths.update({str(Path(found).parent.parent), str(executable.parent.parent)})
    for variable in ("LD_LIBRARY_PATH", "PATH"):  # programs a cell runs (`!pip`, a pyenv shim) and their libraries
        paths.update(entry for entry in os.environ.get(variable, "").split(os.pathsep) if os.path.isabs(entry))
    if resource_dir:
        paths.add(resource_dir)
    paths.update(str(Path(path).expanduser()) for path in extra)
    shown = {Path(path) for path in paths if path and Path(path).exists()}
    return tuple(sorted(path for path in shown if not any(Path(folder).is_relative_to(path) for folder in _hidden())))


def _hidden() -> list[str]:
    home = str(Path.home())
    return [*HIDDEN, *([home] if home != "/" else [])]


def choose_sandbox(mode: SandboxMode, say) -> Bubblewrap | None:
    """The sandbox local kernels run in, for `mode`; `say(line)` tells once why "auto" runs them without one."""
    if mode == "none":
        return None
    found, reason = _working_bubblewrap()
    if found is not None:
        return found
    if mode == BWRAP:
        raise UsageError(f"sandbox = \"bwrap\", but {reason} (install bubblewrap: apt-get install bubblewrap)")
    say(f"sandbox: {reason}; kernels run without one (install bubblewrap, or set sandbox = \"none\" to say so)")
    return None


@functools.cache
def _working_bubblewrap() -> tuple[Bubblewrap | None, str]:
    """bubblewrap, tried once: installed is not enough where a container forbids the namespaces it makes."""
    if not sys.platform.startswith("linux"):
        return None, f"bubblewrap runs on Linux only, not on {sys.platform}"
    executable = shutil.which(BWRAP)
    if executable is None:
        return None, "bubblewrap (bwrap) is not installed"
    trial = [executable, "--unshare-pid", "--unshare-net", "--die-with-parent", "--ro-bind", "/", "/",
             "--dev", "/dev", "--proc", "/proc", "true"]
    try:
        result = subprocess.run(trial, capture_output=True, text=True, timeout=30)
    except (OSError, subprocess.TimeoutExpired) as exc:
        return None, f"bubblewrap could not start ({exc})"
    if result.returncode != 0:
        first = (result.stderr.strip().splitlines() or ["no reason given"])[0]
        return None, f"bubblewrap cannot make its namespaces here ({first})"
    return Bubblewrap(executable, as_root=os.geteuid() == 0), ""


def network_hint(error: str, printed: str, confinement: Confinement | None) -> str:
    """What to add to a failing cell's line when it failed for want of the network the sandbox took away: its own
    error says so, or what the cells printed before it does (`!pip install` retries, prints, and goes on)."""
    if confinement is None or confinement.network:
        return ""
    if any(name in error for name in NETWORK_ERRORS):
        return (" (the kernel has no network in its sandbox: allow it with `lessonbuild: {network: true}` in the "
                "lesson's front matter, or kernel_network = true in the settings)")
    if any(name in printed for name in NETWORK_ERRORS + PRINTED_NETWORK_ERRORS):
        return (" (an earlier cell printed that it could not reach the network, which the kernel has not in its "
                "sandbox: allow it with `lessonbuild: {network: true}` in the lesson's front matter, or "
                "kernel_network = true in the settings)")
    return ""

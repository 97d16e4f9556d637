"""One notebook in one fresh kernel, with nbclient: what the execute stage runs for each lesson.

The kernel starts in a scratch copy of the course's helper modules and data (workspace.py), so
`data/` and the helper modules resolve and what the lesson writes stays out of lessons/. Its
environment is reduced to an allowlist so lesson code cannot read the build's secrets, pinned
to the GPU it was placed on (or to none), and TensorFlow's start-up logging is silenced. A failing cell is
reported at the lesson line that raised, with the traceback mapped the same way.
"""
from __future__ import annotations

import ast
import asyncio
import atexit
import base64
import copy
import json
import logging
import os
import re
import site
import sys
import sysconfig
import threading
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from jupyter_client.manager import AsyncKernelManager
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError, CellTimeoutError, DeadKernelError
from nbclient.util import ensure_async
from tornado.httpclient import HTTPClientError

from lessonbuild.errors import CellFailure, DeviceMissing, MissingExtra, SourceLocation, UsageError
from lessonbuild.fsutil import scratch_folder
from lessonbuild.model import ExecutedLesson, RenderedLesson
from lessonbuild.pipeline.bundle import course_bundle
from lessonbuild.pipeline.execute.devices import NO_GPU, Gpu
from lessonbuild.pipeline.execute.sandbox import Bubblewrap, Confinement, network_hint, runtime_paths
from lessonbuild.pipeline.execute.workspace import Workspace, kernel_log_file
from lessonbuild.project import DEFAULT_KERNEL, Project

if TYPE_CHECKING:
    from jupyter_client.client import KernelClient
    from jupyter_client.manager import KernelManager

# Variables a kernel inherits from the build; everything else (tokens, keys) stays out.
INHERITED_ENVIRONMENT = (
    "PATH", "HOME", "USER", "LOGNAME", "SHELL", "TERM", "TMPDIR", "TZ",
    "LANG", "LANGUAGE", "LC_ALL", "LC_CTYPE", "LC_NUMERIC", "LC_MESSAGES",
    "SYSTEMROOT", "XDG_RUNTIME_DIR", "LD_LIBRARY_PATH", "CUDA_VISIBLE_DEVICES", "CUDA_HOME",
)
# Without both, TensorFlow's C++ start-up lines land in the notebook's outputs.
QUIET_TENSORFLOW = {"TF_CPP_MIN_LOG_LEVEL": "2", "TF_ENABLE_ONEDNN_OPTS": "0"}
QUIET_LOG = logging.getLogger("lessonbuild.nbclient")
QUIET_LOG.addHandler(logging.NullHandler())
QUIET_LOG.propagate = False
THREAD_POOL_VARIABLES = (
    "TF_NUM_INTRAOP_THREADS", "TF_NUM_INTEROP_THREADS", "OMP_NUM_THREADS",
    "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMEXPR_NUM_THREADS",
)
ANSI_ESCAPE = re.compile(r"\x1b\[[0-9;]*[A-Za-z]")
CELL_FRAME = re.compile(r"Cell In\[(\d+)\], line (\d+)")

# Run first in a kernel on a gateway, silently: the course's files in a folder of its own, and the variables.
REMOTE_SETUP = """
def _lessonbuild_setup():
    import base64, io, json, os, sys, tempfile, zipfile
    os.environ.update(json.loads({environment!r}))
    folder = tempfile.mkdtemp(prefix="lessonbuild-")
    bundle = base64.b64decode({bundle!r})
    if bundle:
        zipfile.ZipFile(io.BytesIO(bundle)).extractall(folder)
    os.chdir(folder)
    sys.path.insert(0, folder)
_lessonbuild_setup()
del _lessonbuild_setup
"""

# Run in the kernel before a TensorFlow lesson under --device gpu, silently: TensorFlow imported (where the kernel
# has it; else the lesson's own import reports it) without giving the lesson's namespace a name it did not import.
TRY_TENSORFLOW = """
def _lessonbuild_import_tensorflow():
    try:
        import tensorflow
    except ImportError:
        pass
_lessonbuild_import_tensorflow()
del _lessonbuild_import_tensorflow
"""
# Run in the kernel before the lesson, silently: the modules the kernel itself has loaded.
BASELINE_CODE = "import sys as _lessonbuild_sys\n_lessonbuild_baseline = set(_lessonbuild_sys.modules)\ndel _lessonbuild_sys\n"
# Run in the kernel after the lesson, silently: what the lesson ran on, and the distributions (name: version) of
# the modules it imported, which the cache compares with what is installed at the next build.
PROBE_CODE = """
def _lessonbuild_probe():
    import json, platform, sys
    from importlib import metadata
    info = {"python": platform.python_version(), "device": "CPU"}
    imported = {name.partition(".")[0] for name in set(sys.modules) - globals().get("_lessonbuild_baseline", set())}
    owners = metadata.packages_distributions()
    info["distributions"] = {}
    for dist in {dist for name in imported for dist in owners.get(name, ())}:
        try:
            info["distributions"][dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            pass
    tf = sys.modules.get("tensorflow")
    if tf is not None:
        info["tensorflow"] = tf.__version__
        names = [tf.config.experimental.get_device_details(gpu).get("device_name", gpu.name)
                 for gpu in tf.config.list_physical_devices("GPU")]
        if names:
            info["device"] = "GPU: " + ", ".join(names)
    return json.dumps(info)
"""


@dataclass(frozen=True)
class KernelOptions:
    threads: int = 0  # per kernel for TensorFlow, OpenMP and BLAS pools; 0 leaves them to the libraries
    device: str = "auto"  # "cpu" hides GPUs from the kernel; "gpu" requires TensorFlow to see the one it is placed on
    gateway: str | None = None  # a Jupyter Kernel (or Enterprise) Gateway's URL: run the kernels there
    gpu: Gpu | None = None  # the GPU the kernel is placed on: it sees that one alone
    check_tensorflow: bool = False  # with device "gpu": the lesson runs TensorFlow, which must see a GPU in its kernel
    hide_gpus: bool = False  # a kernel placed on no GPU sees none (the GPUs' memory is for the kernels placed there)
    sandbox: Bubblewrap | None = None  # local kernels run in it (sandbox.py); None: as the build's own processes
    cancel: threading.Event = field(default_factory=threading.Event)  # set: shut the kernel down and stop


def run_notebook(rendered: RenderedLesson, project: Project, options: KernelOptions | None = None) -> ExecutedLesson:
    """Execute every code cell of the lesson's notebook; raise CellFailure if one fails.

    Raises KeyboardInterrupt when `options.cancel` is set while it runs.
    """
    options = options or KernelOptions()
    if options.gateway:  # the gateway's kernel gets the course's files in a folder of its own there
        return _run_notebook(rendered, project, options, project.root / rendered.course.path, lambda text: text)
    with Workspace(project, rendered) as workspace:
        executed = _run_notebook(rendered, project, options, workspace.cwd, workspace.as_course_folder, workspace.folder)
        _hide_machine_paths(executed.notebook, machine_paths(workspace.folder, project.root))
        return executed.recorded(written=tuple(workspace.written()))


def _run_notebook(rendered: RenderedLesson, project: Project, options: KernelOptions, folder: Path,
                  as_course_folder, writable: Path | None = None) -> ExecutedLesson:
    """Run the lesson with `folder` as the kernel's working folder; `as_course_folder` maps its paths back. In the
    sandbox the kernel may write in `writable` (the scratch copy `folder` lies in), and only there."""
    notebook = copy.deepcopy(rendered.notebook)
    execution = rendered.lesson.front_matter.get("execution", {})  # MyST-NB's settings of the notebook
    client = NotebookClient(
        notebook,
        timeout=rendered.lesson.front_matter.get("timeout", execution.get("timeout", project.settings.timeout)),
        allow_errors=execution.get("allow_errors", False),
        kernel_name=notebook.metadata.kernelspec.name,
        resources={"metadata": {"path": str(folder)}},
        record_timing=False,  # wall-clock stamps would make every run's notebook differ; seconds suffice
        log=QUIET_LOG,  # failures are reported by the build, at the lesson line
    )
    log_path = kernel_log_file(project, rendered)
    log_path.parent.mkdir(parents=True, exist_ok=True)
    started = time.perf_counter()
    with scratch_folder("lessonbuild-kernel-") as sockets, open(log_path, "wb") as kernel_log:
        environment = kernel_environment(project, folder, options, own_python=client.kernel_name == DEFAULT_KERNEL)
        kernel: dict[str, Any]  # how the kernel starts: a gateway's setup code, or a local kernel's environment and log
        confinement = None  # a gateway's kernels are confined, or not, where they run
        if options.gateway:
            client.km = _gateway_kernel_manager(options.gateway, client.kernel_name)
            kernel = {"setup": _remote_setup_code(project.root / rendered.course.path, project.root, environment)}
        else:
            confinement = _confinement(project, rendered, writable or folder, sockets, folder) if options.sandbox else None
            client.km = _local_kernel_manager(client, sockets, options.sandbox, confinement)
            kernel = {"env": environment, "stderr": kernel_log, "stdout": kernel_log}
        try:
            probe = asyncio.run(_run(client, rendered, kernel, _relative_paths(project.root, as_course_folder), options))
        except RuntimeError as exc:
            if "Kernel died" not in str(exc):
                raise
            atexit.unregister(client._cleanup_kernel)  # nbclient's own clean-up would fail at exit: there is no kernel
            died = CellFailure(SourceLocation(rendered.lesson.path, 1), "the kernel died as it started, before any cell ran")
            raise died.with_kernel_log(None if options.gateway else project.relative(log_path)) from None
        except (OSError, HTTPClientError) as exc:
            if not options.gateway:
                raise
            # The gateway answered when the build started (commands check it): it went away since.
            raise UsageError(f"--gateway {options.gateway}: the gateway stopped answering while {rendered.name} ran "
                             f"({exc})") from None
        except CellFailure as failure:
            failure = failure.with_hint(network_hint(failure.summary, _printed(notebook), confinement)).with_partial(notebook)
            raise failure.with_kernel_log(None if options.gateway else project.relative(log_path)) from None
    seconds = time.perf_counter() - started
    device = _device(probe, options.gpu)
    notebook.metadata["lessonbuild"]["execution"] = {**probe, "device": device, "seconds": round(seconds, 2)}
    return ExecutedLesson(rendered=rendered, notebook=notebook, seconds=seconds, device=device)


def _printed(notebook) -> str:
    """What the notebook's cells printed so far (their stream outputs)."""
    return "".join(output.get("text", "") for cell in notebook.cells for output in cell.get("outputs", [])
                   if output.get("output_type") == "stream")


def machine_paths(scratch: Path, root: Path) -> list[tuple[str, str]]:
    """(path, what a page shows for it): the runner's own folders, which say more than a learner needs (the
    virtual environment, the scratch folder, the project's folder), as short names; longest first, each also as
    IPython writes a path in the home folder (`~/...`)."""
    paths = {str(scratch): ".", str(root): "<project>"}
    paths.update(dict.fromkeys([*site.getsitepackages(), site.getusersitepackages()], "site-packages"))
    paths.update({sysconfig.get_paths()["stdlib"]: "python", sys.prefix: "python", sys.base_prefix: "python"})
    home = str(Path.home())
    shown = [(path, short) for path, short in paths.items() if path not in ("", "/")]
    shown += [("~" + path[len(home):], short) for path, short in shown if home != "/" and path.startswith(home + os.sep)]
    return sorted(shown, key=lambda pair: -len(pair[0]))


def _hide_machine_paths(notebook, paths: list[tuple[str, str]]) -> None:
    """The outputs (streams, tracebacks, results as text) without the runner's folders in them."""

    def hidden(text: str) -> str:
        for path, short in paths:
            text = text.replace(path + os.sep, short + os.sep).replace(path, short)
        return text

    for cell in notebook.cells:
        for output in cell.get("outputs", []):
            if "text" in output:
                output["text"] = hidden(output["text"])
            if "traceback" in output:
                output["traceback"] = [hidden(line) for line in output["traceback"]]
                output["evalue"] = hidden(output.get("evalue", ""))
            if "text/plain" in output.get("data", {}):
                output["data"]["text/plain"] = hidden(output["data"]["text/plain"])


def _device(probe: dict, gpu: Gpu | None) -> str:
    """What the lesson ran on: the GPU it was placed on, unless TensorFlow ran and saw none there."""
    if gpu is not None and (probe["device"].startswith("GPU") or "tensorflow" not in probe):
        return str(gpu)
    return probe["device"]


def kernel_environment(project: Project, folder: Path, options: KernelOptions, own_python: bool = False) -> dict[str, str]:
    """The kernel's variables: the allowed ones of the build's, and the build's own; `folder` is where it runs.
    `own_python`: the kernel runs on the build's Python, whose programs (`!pip`, `!python`) come first on PATH,
    as in an activated environment: an unactivated one's PATH names another Python's."""
    allowed = INHERITED_ENVIRONMENT + tuple(project.settings.kernel_env)
    environment = {name: os.environ[name] for name in allowed if name in os.environ}
    if own_python:
        environment["PATH"] = os.pathsep.join([str(Path(sys.executable).parent), *environment.get("PATH", "").split(os.pathsep)])
    environment.update(QUIET_TENSORFLOW)
    environment["PYTHONPATH"] = str(folder)
    environment["PYTHONHASHSEED"] = "0"
    environment["PYTHONDONTWRITEBYTECODE"] = "1"  # keep __pycache__ out of the lessons folder
    environment["PYDEVD_DISABLE_FILE_VALIDATION"] = "1"  # debugpy's frozen-modules warning, every start
    if options.threads:
        # N kernels at once, each with pools the size of the machine, would fight over the cores.
        environment.update({name: str(options.threads) for name in THREAD_POOL_VARIABLES})
    if options.gpu is not None:
        environment.update(options.gpu.environment)
    elif options.device == "cpu" or options.hide_gpus:
        environment.update(NO_GPU)
    return environment


def _channels(client: NotebookClient) -> KernelClient:
    """The started kernel's client (nbclient sets it when the kernel starts)."""
    if client.kc is None:
        raise RuntimeError("the kernel has not started")
    return client.kc


def _manager(client: NotebookClient) -> KernelManager:
    if client.km is None:
        raise RuntimeError("the kernel has not started")
    return client.km


class ConfinedKernelManager(AsyncKernelManager):
    """A local kernel that bubblewrap starts: the kernel's own command line, wrapped (sandbox.py)."""

    sandbox: Bubblewrap
    confinement: Confinement

    def format_kernel_cmd(self, extra_arguments: list[str] | None = None) -> list[str]:
        command = super().format_kernel_cmd(extra_arguments)
        spec = self.kernel_spec
        readable = runtime_paths(command, spec.resource_dir if spec else None, self.confinement.readable)
        return self.sandbox.command(command, replace(self.confinement, readable=readable))


def _confinement(project: Project, rendered: RenderedLesson, folder: Path, sockets: Path, working: Path) -> Confinement:
    own = rendered.lesson.front_matter.get("lessonbuild", {}).get("network")
    network = project.settings.kernel_network if own is None else own
    return Confinement(project.root.resolve(), folder.resolve(), sockets.resolve(),
                       tuple(Path(path) for path in project.settings.kernel_paths), network, working.resolve())


def _local_kernel_manager(client: NotebookClient, sockets: Path, sandbox: Bubblewrap | None,
                          confinement: Confinement | None) -> KernelManager:
    """A local kernel, talked to over Unix sockets (not reachable from the network, and no TCP warning), with its
    connection file beside them: the sandbox hides the Jupyter runtime folder in the home folder."""
    if sandbox is None or confinement is None:
        manager = client.create_kernel_manager()
    else:
        manager = ConfinedKernelManager(kernel_name=client.kernel_name)
        manager.sandbox, manager.confinement = sandbox, confinement
    if os.name == "posix":
        manager.transport = "ipc"
        manager.ip = str(sockets / "kernel")
        manager.connection_file = str(sockets / "kernel.json")
    return manager


async def _run(client: NotebookClient, rendered: RenderedLesson, kernel: dict, relative, options: KernelOptions) -> dict:
    setup = kernel.pop("setup", None)
    async with client.async_setup_kernel(**kernel):
        watcher = asyncio.create_task(_shut_down_when_cancelled(client, options.cancel))
        try:
            if setup:
                await _run_setup(client, setup, rendered)
            # Before the GPU check, which may import TensorFlow: what the lesson's run imports is counted from here.
            await client.async_wait_for_reply(_channels(client).execute(BASELINE_CODE, silent=True, store_history=False))
            if options.device == "gpu" and options.check_tensorflow:
                await _require_gpu(client, rendered, options.gpu)
            return await _run_cells(client, rendered, relative)
        finally:
            watcher.cancel()
            if options.cancel.is_set():
                raise KeyboardInterrupt  # whatever the cell reported, the build was asked to stop


def require_gateway_client() -> None:
    """Raise MissingExtra unless jupyter_server, an optional part of lessonbuild, is installed."""
    try:
        import jupyter_server.gateway.managers  # noqa: F401
    except ImportError:
        raise MissingExtra("--gateway", "gateway", "jupyter_server") from None


def _gateway_kernel_manager(url: str, kernel_name: str):
    """A kernel manager that starts and talks to kernels on a Jupyter Kernel Gateway."""
    # Imported here: builds without a gateway never need jupyter_server.
    require_gateway_client()
    from jupyter_server.gateway.gateway_client import GatewayClient
    from jupyter_server.gateway.managers import GatewayKernelManager

    GatewayClient.instance().url = url.rstrip("/")
    return GatewayKernelManager(kernel_name=kernel_name)


def _remote_setup_code(course_folder: Path, root: Path, environment: dict[str, str]) -> str:
    """Code that gives a remote kernel what a local one gets from its start: the course's files, the variables."""
    bundle = course_bundle(course_folder, root) or b""
    wanted = {k: v for k, v in environment.items() if k not in INHERITED_ENVIRONMENT and k != "PYTHONPATH"}
    return REMOTE_SETUP.format(bundle=base64.b64encode(bundle).decode(), environment=json.dumps(wanted))


async def _run_setup(client: NotebookClient, code: str, rendered: RenderedLesson) -> None:
    reply = await client.async_wait_for_reply(_channels(client).execute(code, silent=True, store_history=False))
    if reply is None or reply["content"]["status"] != "ok":
        error = reply["content"].get("evalue", "no reply") if reply else "no reply"
        raise CellFailure(SourceLocation(rendered.lesson.path, 1), f"could not prepare the remote kernel: {error}")


async def _shut_down_when_cancelled(client: NotebookClient, cancel: threading.Event) -> None:
    while not cancel.is_set():
        await asyncio.sleep(0.1)
    await ensure_async(_manager(client).shutdown_kernel(now=True))


async def _require_gpu(client: NotebookClient, rendered: RenderedLesson, gpu: Gpu | None) -> None:
    """Stop the build unless TensorFlow in the kernel sees a GPU (a kernel without TensorFlow: its lesson's own
    import says so)."""
    info = await _probe(client, rendered, TRY_TENSORFLOW)
    if "tensorflow" in info and not info["device"].startswith("GPU"):
        placed = f" placed on {gpu}" if gpu else ""
        raise DeviceMissing(f"{rendered.name}: --device gpu, but TensorFlow {info['tensorflow']} in the kernel{placed} "
                            "sees no GPU")


async def _run_cells(client: NotebookClient, rendered: RenderedLesson, relative) -> dict:
    await _record_language_info(client)
    for index, cell in enumerate(client.nb.cells):
        if cell.cell_type != "code":
            continue
        started = time.perf_counter()
        try:
            await client.async_execute_cell(cell, index, execution_count=client.code_cells_executed + 1)
        except CellExecutionError as exc:
            raise _raised(client, rendered, index, exc, relative) from None
        except CellTimeoutError:
            raise _stopped(rendered, index, f"cell timed out after {client.timeout} s") from None
        except DeadKernelError:
            message = "the kernel died while running this cell (a crash, os._exit or running out of memory)"
            raise _stopped(rendered, index, message) from None
        cell.metadata["lessonbuild"] = {"seconds": round(time.perf_counter() - started, 3)}
    return await _probe(client, rendered)


async def _record_language_info(client: NotebookClient) -> None:
    reply = await client.async_wait_for_reply(await ensure_async(_channels(client).kernel_info()))
    if reply is not None and "language_info" in reply["content"]:
        client.nb.metadata["language_info"] = reply["content"]["language_info"]


async def _probe(client: NotebookClient, rendered: RenderedLesson, before: str = "") -> dict:
    msg_id = _channels(client).execute(
        before + PROBE_CODE, silent=True, store_history=False, user_expressions={"info": "_lessonbuild_probe()"}
    )
    reply = await client.async_wait_for_reply(msg_id)
    result = (reply or {}).get("content", {}).get("user_expressions", {}).get("info", {})
    if result.get("status") != "ok":  # the lesson left the kernel unable to run the probe (it deleted json, say)
        content = (reply or {}).get("content", {})
        reason = f"{content.get('ename', result.get('ename', 'no reply'))}: {content.get('evalue', result.get('evalue', ''))}"
        raise CellFailure(SourceLocation(rendered.lesson.path, 1), f"the kernel did not answer the build's probe ({reason})")
    # The expression's value comes back as its repr: a quoted JSON string.
    return json.loads(ast.literal_eval(result["data"]["text/plain"]))


def _origin(rendered: RenderedLesson, index: int, line_in_cell: int | None) -> SourceLocation:
    return rendered.location(index, line_in_cell) or SourceLocation(rendered.lesson.path, 1)


def _relative_paths(root: Path, as_course_folder):
    """A traceback's paths as the author knows them: a helper module's in its course folder, relative to the project."""
    return lambda text: as_course_folder(text).replace(f"{root}{os.sep}", "")


def _raised(client: NotebookClient, rendered: RenderedLesson, index: int, exc: CellExecutionError, relative) -> CellFailure:
    cells_by_count = {c.execution_count: i for i, c in enumerate(client.nb.cells) if c.get("execution_count")}
    errors = [o for o in client.nb.cells[index].outputs if o.output_type == "error"]
    traceback = relative(ANSI_ESCAPE.sub("", "\n".join(errors[-1].traceback) if errors else exc.traceback))
    location = _origin(rendered, index, None)
    for match in CELL_FRAME.finditer(traceback):
        frame_cell = cells_by_count.get(int(match[1]))
        if frame_cell is not None:
            location = _origin(rendered, frame_cell, int(match[2]))

    def to_source(match: re.Match) -> str:
        frame_cell = cells_by_count.get(int(match[1]))
        return match[0] if frame_cell is None else str(_origin(rendered, frame_cell, int(match[2])))

    return CellFailure(location, f"{exc.ename}: {exc.evalue}", CELL_FRAME.sub(to_source, traceback))


def _stopped(rendered: RenderedLesson, index: int, summary: str) -> CellFailure:
    return CellFailure(_origin(rendered, index, None), summary)

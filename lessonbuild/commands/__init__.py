"""One module per command. Each has HELP, NEEDS_PROJECT, EXECUTES, run(project, args) -> exit code and,
if it takes options of its own, add_arguments(parser); commands compose the stages, and stages never
call commands."""
from __future__ import annotations

from importlib import import_module
from types import ModuleType

# In the order `--help` lists them; `import` is a Python keyword, hence the module import_.
NAMES = ("build", "check", "figures", "serve", "new", "import", "kaggle", "init", "clean")
COMMANDS: dict[str, ModuleType] = {
    name: import_module(f"{__name__}.{name}_" if name == "import" else f"{__name__}.{name}") for name in NAMES
}

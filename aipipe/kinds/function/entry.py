"""The entry point of a Python Cloud Function: its code folder holds `main.py`, which defines the handler.

The Python Functions Framework, which runs every Python Cloud Function, loads `main.py` from the root of the
source (cloud.google.com/functions/docs/writing, "Directory structure") and looks the target (`entry_point`,
the spec's `handler`) up in it; GoogleCloudPlatform/functions-framework-python, _function_registry.py:
MissingSourceException "File {source} that is expected to define function doesn't exist", MissingTargetException
"File {source} is expected to contain a function named {target}", and InvalidTargetTypeException when the name
is not a function (so a class does not count). The deploy fails there, after the build. The file is only parsed
(ast), never imported or run: validate reads untrusted specs."""

from __future__ import annotations

import ast
from pathlib import Path

from aipipe.spec.context import CheckContext

ENTRY_FILE = "main.py"
MAX_ENTRY_BYTES = 2_000_000  # larger files are not parsed (the rule is a help, not a gate worth a slow validate)


def defined_names(tree: ast.Module) -> set[str]:
    """Names bound at the top level of a module to what may be a function: defs, assignments and imports."""
    names: set[str] = set()
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            names.add(node.name)
        elif isinstance(node, ast.Assign):
            names.update(target.id for target in node.targets if isinstance(target, ast.Name))
        elif isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            names.add(node.target.id)
        elif isinstance(node, (ast.Import, ast.ImportFrom)):
            names.update((alias.asname or alias.name).split(".")[0] for alias in node.names)
    return names


def check_python_entry(ctx: CheckContext, name: str, folder: Path, handler: str) -> None:
    """`main.py` exists in the (already checked) code folder and binds `handler` at its top level."""
    entry = folder / ENTRY_FILE
    try:
        resolved = entry.resolve()
        if folder.resolve() not in resolved.parents or not resolved.is_file():
            ctx.report(
                "AP409",
                f"a Python Cloud Function's code folder must hold `{ENTRY_FILE}`, which defines the entry point "
                f"`{handler}`; `{folder.name}/{ENTRY_FILE}` does not exist",
                ctx.at(name, "code"),
            )
            return
        if resolved.stat().st_size > MAX_ENTRY_BYTES:
            return
        source = resolved.read_bytes()
    except OSError:
        return  # unreadable: the build reports it; validate does not guess
    try:
        tree = ast.parse(source, filename=str(entry))
    except (SyntaxError, ValueError) as error:
        line = getattr(error, "lineno", None)
        ctx.report(
            "AP409",
            f"`{ENTRY_FILE}` cannot be parsed"
            + (f" (line {line})" if line else "")
            + f": {getattr(error, 'msg', error)}",
            ctx.at(name, "code"),
        )
        return
    if handler not in defined_names(tree):
        ctx.report(
            "AP409",
            f"`{handler}` is not defined at the top level of `{folder.name}/{ENTRY_FILE}` (a `def {handler}(...)` or "
            "an assignment); the handler of a Cloud Function is a name in main.py",
            ctx.at(name, "handler"),
        )

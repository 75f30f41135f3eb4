"""The safe-code primitives every rendered program is built from (the lowest layer of code generation).

Rule: every `{{ value }}` in a template becomes a Python literal (None, bool, int, float, str, list, dict —
exact types only; anything else is a RenderError). The only way to put code into the program is the `Code`
marker, which aipipe builds itself from names the spec model already validated (identifiers, attribute
expressions, `pulumi.Output.concat(...)` of literals and such expressions). After rendering, the program is
parsed and every import, call and name is checked against an allowlist. There is no `|safe` and no raw
string output.
"""

from __future__ import annotations

import ast
import keyword
import math
import re


class RenderError(Exception):
    """A value that cannot be rendered safely, or a program that fails the post-render checks."""


class Code(str):
    """A Python expression built by aipipe from validated names, rendered verbatim. Never build one from
    user text: user text goes through `literal`."""


def literal(value: object) -> str:
    """The Python literal for a plain value; `Code` passes through. Raises RenderError for anything else."""
    kind = type(value)
    if kind is Code:
        return str(value)
    if value is None or kind in (bool, int, str):
        return repr(value)
    if kind is float:
        if not math.isfinite(value):  # type: ignore[arg-type]
            raise RenderError(f"cannot render the non-finite number {value!r}")
        return repr(value)
    if kind in (list, tuple):
        return "[" + ", ".join(literal(item) for item in value) + "]"  # type: ignore[union-attr]
    if kind is dict:
        items = []
        for key, item in value.items():  # type: ignore[union-attr]
            if type(key) is not str:
                raise RenderError(f"cannot render a mapping key of type {type(key).__name__}")
            items.append(f"{literal(key)}: {literal(item)}")
        return "{" + ", ".join(items) + "}"
    raise RenderError(f"cannot render a value of type {kind.__name__}")


_NAME = re.compile(r"[a-z][a-z0-9-]{0,39}")


def identifier(name: str, suffix: str = "") -> Code:
    """The Python variable for a spec resource name (`record-events` -> `record_events`), plus `_suffix`."""
    if not _NAME.fullmatch(name) or (suffix and not re.fullmatch(r"[a-z][a-z0-9_]*", suffix)):
        raise RenderError(f"{name!r} is not a validated resource name")
    text = name.replace("-", "_") + (f"_{suffix}" if suffix else "")
    if keyword.iskeyword(text) or text in _RESERVED_NAMES:
        text += "_"
    return Code(text)


# --- the post-render check ------------------------------------------------------------------------------

# pulumiverse_time: Sleep, the wait for GCP service agents' roles to propagate (aipipe.codegen.gcp_project)
# pulumi_docker_build: Image, a Lambda function's container image (aipipe.kinds.function.package)
_IMPORTS = {
    "json": None,
    "pulumi": None,
    "pulumi_aws": "aws",
    "pulumi_gcp": "gcp",
    "pulumiverse_time": "time",
    "pulumi_docker_build": "docker_build",
}
_CALL_ROOTS = {"pulumi", "aws", "gcp", "json", "time", "docker_build"}
# Methods the program may call on its own variables (components, resources, outputs, config).
_METHODS = {"register_outputs", "apply", "require", "require_secret", "get", "get_secret", "format"}
_BUILTINS = {"dict", "list", "str", "int", "len", "sorted"}
_FORBIDDEN_NAMES = {
    "eval",
    "exec",
    "compile",
    "open",
    "__import__",
    "getattr",
    "setattr",
    "delattr",
    "globals",
    "locals",
    "vars",
    "breakpoint",
    "input",
    "exit",
    "quit",
    "help",
    "memoryview",
    "__builtins__",
}
_RESERVED_NAMES = _CALL_ROOTS | _BUILTINS | _FORBIDDEN_NAMES | {"config", "stack", "project", "tags"}


def check_program(source: str) -> ast.Module:
    """Parse a rendered program and check it against the allowlist; returns the tree or raises RenderError."""
    try:
        tree = ast.parse(source)
    except SyntaxError as error:
        raise RenderError(f"the rendered program is not valid Python: {error}") from error
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name not in _IMPORTS or alias.asname != _IMPORTS[alias.name]:
                    raise RenderError(f"line {node.lineno}: import of {alias.name!r} is not allowed")
        elif isinstance(node, ast.ImportFrom):
            raise RenderError(f"line {node.lineno}: `from ... import` is not allowed")
        elif isinstance(node, ast.Call):
            _check_call(node)
        elif isinstance(node, ast.Name) and node.id in _FORBIDDEN_NAMES:
            raise RenderError(f"line {node.lineno}: use of {node.id!r} is not allowed")
        elif isinstance(node, ast.Attribute) and node.attr.startswith("__"):
            raise RenderError(f"line {node.lineno}: dunder attribute {node.attr!r} is not allowed")
        elif isinstance(node, (ast.Global, ast.Nonlocal, ast.AsyncFunctionDef, ast.Await, ast.Yield)):
            raise RenderError(f"line {node.lineno}: {type(node).__name__} is not allowed")
    _check_names_assigned_once(tree)
    return tree


def _check_names_assigned_once(tree: ast.Module) -> None:
    """Every variable of the program names one thing. A resource's variable comes from its name (`raw-data` ->
    `raw_data`) and a part's from its resource's (`raw` -> `raw_data` for the bucket's `data` part), so a spec
    can name a resource what aipipe names another's part: the second assignment would silently rebind it."""
    first: dict[str, int] = {}
    for node in tree.body:
        targets = node.targets if isinstance(node, ast.Assign) else []
        for target in targets:
            if not isinstance(target, ast.Name):
                continue
            if target.id in first:
                raise RenderError(
                    f"two parts of the program are both named `{target.id}` (lines {first[target.id]} and "
                    f"{node.lineno}): a resource's name is the name aipipe gives a part of another resource "
                    f"(`{target.id.replace('_', '-')}`); rename that resource"
                )
            first[target.id] = node.lineno


def _check_call(node: ast.Call) -> None:
    function = node.func
    if isinstance(function, ast.Name):
        if function.id in _BUILTINS:
            return
        raise RenderError(f"line {node.lineno}: call of {function.id!r} is not allowed")
    if isinstance(function, ast.Attribute):
        root = function
        while isinstance(root, ast.Attribute):
            root = root.value
        if isinstance(root, ast.Name) and root.id in _CALL_ROOTS:
            return
        if function.attr in _METHODS:
            return
        raise RenderError(f"line {node.lineno}: call of method {function.attr!r} is not allowed")
    raise RenderError(f"line {node.lineno}: this kind of call is not allowed")

"""The installed provider SDK (pulumi_aws, pulumi_gcp) read as source text, never imported: `validate` must not
load pulumi (tests/test_fast_paths.py), and reading one resource's module takes milliseconds where importing
the SDK takes seconds.

The index of resource classes is the SDK's own: each package's `__init__.py` hands Pulumi a JSON list of
resource modules (`_utilities.register(resource_modules=...)`) giving, for every type token, the Python
package (`pulumi_aws.lambda_` for `aws:lambda/...`) and the class (`aws:dynamodb/table:Table` -> `Table`). A
class's constructor arguments are the parameters (with their annotations) of `<Class>Args.__init__`, its outputs
the `@pulumi.getter` properties of the class itself, in the module file named after the token's module part
(`dynamodb/table.py`; `appsync/graphQLApi` is `graph_ql_api.py`, so the file is found ignoring underscores).
"""

from __future__ import annotations

import ast
import importlib.util
import json
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

from aipipe.kinds.pulumi_resource.shapes import Argument, shape_of

# What a token and its Python names must look like to be rendered: the codegen renders `<alias>.<module>.<Class>`
# only from names of this form (aipipe.codegen.context.sdk_class), never from the spec's text.
TOKEN = re.compile(r"([a-z][a-z0-9-]*):([A-Za-z0-9_]+(?:/[A-Za-z0-9_]+)?):([A-Za-z][A-Za-z0-9_]*)")
_MODULE = re.compile(r"[a-z][a-z0-9_]*")
_CLASS = re.compile(r"[A-Z][A-Za-z0-9]*")
_REGISTERED = re.compile(r'resource_modules="""(.*?)"""', re.DOTALL)
# the constructor's own parameters: an argument of the same name cannot be passed by keyword
# (lightsail/bucket_resource_access.py has a `resource_name` argument)
_CONSTRUCTOR_OWN = {"resource_name", "opts"}
# every resource has these, from pulumi.CustomResource itself
BASE_OUTPUTS = ("id", "urn")


@dataclass(frozen=True)
class ResourceClass:
    """One resource class of the SDK: where it is, what its constructor takes and what it outputs."""

    token: str
    module: str  # the SDK's subpackage: `dynamodb`, `lambda_`
    class_name: str
    arguments: dict[str, Argument]
    outputs: tuple[str, ...]

    @property
    def path(self) -> str:
        """The class relative to the SDK package, as the program names it: `dynamodb.Table`."""
        return f"{self.module}.{self.class_name}"


@dataclass(frozen=True)
class Sdk:
    """One installed provider SDK: its folder and the resource classes it registers, by type token."""

    package: str  # pulumi_aws
    folder: Path
    # token -> (subpackage, the module part of the token after `/`, class name)
    tokens: dict[str, tuple[str, str, str]] = field(default_factory=dict)

    def modules(self) -> tuple[str, ...]:
        """The token modules of the SDK (`dynamodb`, `lambda`), once each."""
        return tuple(dict.fromkeys(token.split(":")[1].split("/")[0] for token in self.tokens))

    def nested(self, module: str, name: str) -> dict[str, Argument] | None:
        """The arguments of the nested input type `name` of SDK subpackage `module` (`dynamodb`, `TableTtlArgs`,
        from dynamodb/_inputs.py), or None when it is not there as the SDK writes them."""
        name = name.removesuffix("Dict")  # the TypedDict twin takes the same keys
        if not _MODULE.fullmatch(module) or not _CLASS.fullmatch(name):
            return None
        return _read_nested(self.folder / module / "_inputs.py", name)

    def resource(self, token: str) -> ResourceClass | None:
        """The resource class of a type token, or None when the SDK registers no such token (or its module
        file cannot be read as the SDK writes them)."""
        if token not in self.tokens:
            return None
        return _read_class(self.folder, token, *self.tokens[token])


def installed(package: str) -> Sdk | None:
    """The SDK `package` as installed beside aipipe, or None when it is not installed."""
    return _installed(package)


@cache
def _installed(package: str) -> Sdk | None:
    # find_spec of a top-level name locates the package without importing it
    found = importlib.util.find_spec(package)
    if found is None or not found.origin:
        return None
    init = Path(found.origin)
    match = _REGISTERED.search(init.read_text(encoding="utf-8"))
    if match is None:
        return None
    tokens: dict[str, tuple[str, str, str]] = {}
    for module in json.loads(match.group(1)):
        subpackage = str(module.get("fqn", "")).partition(".")[2]
        stem = str(module.get("mod", "")).rpartition("/")[2]
        for token, class_name in dict(module.get("classes", {})).items():
            if TOKEN.fullmatch(token) and _MODULE.fullmatch(subpackage) and _CLASS.fullmatch(class_name):
                tokens[token] = (subpackage, stem, class_name)
    return Sdk(package, init.parent, tokens)


@cache
def _read_class(folder: Path, token: str, subpackage: str, stem: str, class_name: str) -> ResourceClass | None:
    source = _module_file(folder / subpackage, stem)
    if source is None:
        return None
    tree = ast.parse(source.read_text(encoding="utf-8"))
    classes = {node.name: node for node in tree.body if isinstance(node, ast.ClassDef)}
    # `<Class>InitArgs` where `<Class>Args` names a nested input type (s3/bucket_versioning.py)
    arguments = classes.get(f"{class_name}Args") or classes.get(f"{class_name}InitArgs")
    if class_name not in classes or arguments is None:
        return None
    return ResourceClass(
        token,
        subpackage,
        class_name,
        _arguments(arguments),
        BASE_OUTPUTS + tuple(name for name in _getters(classes[class_name]) if name not in BASE_OUTPUTS),
    )


@cache
def _read_nested(inputs: Path, name: str) -> dict[str, Argument] | None:
    text = _source(inputs)
    start = re.search(rf"^class {name}:\n", text, re.MULTILINE) if text else None
    if start is None:
        return None
    # the class ends where the next top-level statement starts: parse only its own lines (an _inputs.py is
    # up to megabytes)
    end = re.compile(r"^\S", re.MULTILINE).search(text, start.end())
    try:
        body = ast.parse(text[start.start() : end.start() if end else len(text)]).body
    except SyntaxError:
        return None  # not written as the SDK writes them: left unchecked
    return _arguments(body[0]) if body and isinstance(body[0], ast.ClassDef) else None


@cache
def _source(path: Path) -> str:
    return path.read_text(encoding="utf-8") if path.is_file() else ""


def _module_file(folder: Path, stem: str) -> Path | None:
    """The module of a token's module part: `table` -> table.py, `graphQLApi` -> graph_ql_api.py."""
    wanted = stem.lower()
    if not folder.is_dir():
        return None
    for path in sorted(folder.glob("*.py")):
        if path.stem.replace("_", "") == wanted:
            return path
    return None


def _arguments(args_class: ast.ClassDef) -> dict[str, Argument]:
    """The keyword-only parameters of `<Class>Args.__init__`: a parameter without a default is required."""
    for node in args_class.body:
        if isinstance(node, ast.FunctionDef) and node.name == "__init__":
            parameters = node.args
            return {
                argument.arg: Argument(argument.arg, default is None, shape_of(argument.annotation))
                for argument, default in zip(parameters.kwonlyargs, parameters.kw_defaults, strict=True)
                if argument.arg not in _CONSTRUCTOR_OWN
            }
    return {}


def _getters(resource_class: ast.ClassDef) -> list[str]:
    """The names of the class's `@pulumi.getter` properties: its outputs."""
    return [
        node.name
        for node in resource_class.body
        if isinstance(node, ast.FunctionDef) and any(_is_getter(decorator) for decorator in node.decorator_list)
    ]


def _is_getter(decorator: ast.expr) -> bool:
    target = decorator.func if isinstance(decorator, ast.Call) else decorator
    return isinstance(target, ast.Attribute) and target.attr == "getter"

"""The Jinja environment that turns a spec into Python source, and the checks that keep that source safe.

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
from pathlib import Path

import jinja2

REPOSITORY_TEMPLATES = Path(__file__).resolve().parent.parent / "templates"
PACKAGED_TEMPLATES = Path(__file__).resolve().parent / "templates"  # where the wheel puts them


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


def make_environment(templates: Path | None = None) -> jinja2.Environment:
    """The Jinja environment for program templates: literal finalize, strict undefined, no autoescape."""
    folder = templates or (PACKAGED_TEMPLATES if PACKAGED_TEMPLATES.is_dir() else REPOSITORY_TEMPLATES)
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(str(folder)),
        finalize=literal,
        undefined=jinja2.StrictUndefined,
        autoescape=False,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


# --- the post-render check ------------------------------------------------------------------------------

_IMPORTS = {"json": None, "pulumi": None, "pulumi_aws": "aws", "pulumi_gcp": "gcp"}
_CALL_ROOTS = {"pulumi", "aws", "gcp", "json"}
# Methods the program may call on its own variables (components, resources, outputs, config).
_METHODS = {"register_outputs", "apply", "require", "require_secret", "get", "get_secret", "format"}
_BUILTINS = {"dict", "list", "str", "int", "len", "sorted"}
_FORBIDDEN_NAMES = {"eval", "exec", "compile", "open", "__import__", "getattr", "setattr", "delattr", "globals",
                    "locals", "vars", "breakpoint", "input", "exit", "quit", "help", "memoryview", "__builtins__"}
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
    return tree


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


# --- the whole project ------------------------------------------------------------------------------------

PULUMI_PACKAGES = {"aws": "pulumi-aws>=7.0,<8", "gcp": "pulumi-gcp>=9.0,<10"}


def render_program(spec, output_dir, endpoint: str | None = None) -> dict[str, str]:
    """The Pulumi project for a validated Spec: {"Pulumi.yaml", "__main__.py", "requirements.txt"} -> text.

    `output_dir` is where the files will live: function code paths are written relative to it, so the
    project runs from there as it is."""
    import yaml

    from aipipe.program.builder import program_context

    context = program_context(spec, Path(output_dir))
    context["endpoint"] = endpoint
    context["endpoint_arguments"] = endpoint_arguments(endpoint) if endpoint else None
    source = make_environment().get_template("program.py.j2").render(**context)
    check_program(source)
    project = {"name": spec.header.name, "runtime": "python",
               "description": spec.header.description or f"aipipe spec {spec.header.name}",
               "config": {key: {"value": value} for key, value in provider_config(spec, endpoint).items()}}
    return {
        "Pulumi.yaml": yaml.safe_dump(project, sort_keys=False),
        "__main__.py": source,
        "requirements.txt": f"pulumi>=3.100,<4\n{PULUMI_PACKAGES[spec.cloud]}\n",
    }


def provider_config(spec, endpoint: str | None = None) -> dict:
    """Provider configuration the program needs: region, the GCP project when the spec names one, and with an
    endpoint (LocalStack) every AWS service pointed at it, credential checks off, path-style S3."""
    config: dict = {f"{spec.cloud}:region": spec.header.region}
    if spec.cloud == "gcp" and spec.header.project:
        config["gcp:project"] = spec.header.project
    if endpoint and spec.cloud == "aws":
        config.update({
            "aws:endpoints": [{service: endpoint for service in EMULATED_SERVICES}],
            "aws:skipCredentialsValidation": True, "aws:skipRequestingAccountId": True,
            "aws:skipMetadataApiCheck": True, "aws:s3UsePathStyle": True,
            "aws:accessKey": "test", "aws:secretKey": "test",
        })
    return config


def endpoint_arguments(endpoint: str) -> Code:
    """Arguments that point an explicit aws.Provider at an emulator, as the stack config does for the default
    provider (explicit providers do not read the stack's `aws:` config)."""
    if not re.fullmatch(r"https?://[^\s'\"\\]+", endpoint):
        raise RenderError(f"the endpoint must be an http(s) URL, got {endpoint!r}")
    services = ", ".join(f"{'lambda_' if service == 'lambda' else service}={literal(endpoint)}"
                         for service in EMULATED_SERVICES)
    return Code(f"endpoints=[aws.ProviderEndpointArgs({services})], skip_credentials_validation=True, "
                "skip_requesting_account_id=True, skip_metadata_api_check=True, s3_use_path_style=True, "
                "access_key='test', secret_key='test'")


# AWS services aipipe's programs call, by their provider endpoint names (aws:endpoints / ProviderEndpointArgs).
EMULATED_SERVICES = ("s3", "iam", "sts", "lambda", "sns", "sqs", "kinesis", "sfn", "cloudwatchlogs",
                     "cloudwatchevents", "datasync")


"""The rules of a `type: pulumi` resource, judged against the installed provider SDK (read, never imported):
the type token names a resource class of the spec's cloud, and `properties` are arguments its constructor
takes, with every required one given and simple values of the type it takes."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Any

from aipipe.clouds.gcp import APIS_OF_MODULE
from aipipe.clouds.registry import CLOUDS
from aipipe.core.diagnostics import Severity
from aipipe.core.suggest import did_you_mean, one_of
from aipipe.kinds.pulumi_resource.sdk import TOKEN, ResourceClass, installed
from aipipe.kinds.pulumi_resource.shapes import FINITE, Problem, mismatches
from aipipe.spec.context import CheckContext

# The argument each cloud's templates fill from the resource's `tags` (aws tags, gcp labels: as every other kind
# renders them), and on aws `region`, which aipipe turns into an explicit provider for that region.
TAG_ARGUMENT = {"aws": "tags", "gcp": "labels"}
OWN_FIELD = {"aws": {"tags": "tags", "region": "region"}, "gcp": {"labels": "tags"}}
UNKNOWN_TOKEN = "AP420"
NOT_AN_ARGUMENT = "AP421"
MISSING_ARGUMENT = "AP422"
WRONG_TYPE = "AP423"
SDK_NOT_READ = "AP424"


def resource_class(cloud: str, token: object) -> ResourceClass | None:
    """The SDK class of a type token on `cloud`, or None when the token is not one of the cloud's installed SDK."""
    if not isinstance(token, str) or token.partition(":")[0] != cloud or cloud not in CLOUDS:
        return None
    sdk = installed(CLOUDS[cloud].sdk_module)
    return sdk.resource(token) if sdk is not None else None


def resource_attributes(cloud: str, resource: Mapping) -> tuple[str, ...]:
    """What `${name.attr}` may read of one resource: its SDK class's outputs (none known: anything goes)."""
    found = resource_class(cloud, resource.get("resource"))
    return found.outputs if found else ()


def check(ctx: CheckContext, name: str, resource: Any) -> None:
    """The token, then each property against the constructor of the class it names."""
    if ctx.cloud is None or ctx.was_dropped(name, "resource"):
        return
    found = _check_token(ctx, name, resource.resource)
    if found is None:
        return
    if not ctx.was_dropped(name, "properties"):
        check_properties(ctx, name, found, resource.properties)
    tags = TAG_ARGUMENT[ctx.cloud]
    if resource.tags and tags not in found.arguments:
        ctx.report(
            NOT_AN_ARGUMENT,
            f"`{found.class_name}` ({found.token}) takes no {tags}, so the resource's `tags` would be lost: "
            "remove them (the top-level tags apply only where a resource takes them)",
            ctx.at(name, "tags"),
            at_key=True,
        )


def _check_token(ctx: CheckContext, name: str, token: str) -> ResourceClass | None:
    at = ctx.at(name, "resource")
    cloud = CLOUDS[ctx.cloud]
    if not TOKEN.fullmatch(token):
        ctx.report(
            "AP202",
            f"`{token}` is not a Pulumi type token; write it as the Pulumi Registry lists it, "
            f"`<provider>:<module>/<resource>:<Class>` (`aws:dynamodb/table:Table`, `gcp:bigquery/dataset:Dataset`)",
            at,
        )
        return None
    provider = token.partition(":")[0]
    if provider != ctx.cloud:
        ctx.report(
            "AP204",
            f"`{token}` is a resource of the `{provider}` provider, but this spec deploys to {ctx.cloud}: its "
            f"program uses {cloud.sdk_module} only, so the token must start with `{ctx.cloud}:`",
            at,
        )
        return None
    sdk = installed(cloud.sdk_module)
    if sdk is None:
        ctx.report(
            SDK_NOT_READ,
            f"{cloud.sdk_module} is not installed, so `resource` and `properties` were not checked (and the program "
            f"cannot run): install it with `pip install '{cloud.sdk_requirement}'`",
            at,
            severity=Severity.WARNING,
        )
        return None
    if token not in sdk.tokens:
        module = token.split(":")[1].split("/")[0]
        in_module = [known for known in sdk.tokens if known.split(":")[1].split("/")[0] == module]
        where = f"module `{module}`" if in_module else f"{cloud.sdk_module} (no module `{module}`)"
        ctx.report(
            UNKNOWN_TOKEN,
            f"`{token}` is not a resource of {where}{did_you_mean(token, in_module or sdk.tokens)}; the resource's "
            "page in the Pulumi Registry shows its type token",
            at,
        )
        return None
    module = sdk.tokens[token][0]
    if ctx.cloud == "gcp" and module not in APIS_OF_MODULE:
        ctx.report(
            "AP204",
            f"`{token}` is served by an API aipipe does not know: a GCP program enables every API it uses, and "
            f"aipipe knows those of the SDK modules {one_of(APIS_OF_MODULE)} (aipipe.clouds.gcp.APIS_OF_MODULE)",
            at,
        )
        return None
    found = sdk.resource(token)
    if found is None:
        ctx.report(
            SDK_NOT_READ,
            f"the class of `{token}` could not be read from {cloud.sdk_module}, so `properties` were not checked",
            at,
            severity=Severity.WARNING,
        )
    return found


def check_properties(ctx: CheckContext, name: str, found: ResourceClass, properties: dict) -> None:
    """Each property is an argument of the class, aipipe's own ones excepted, of the type it takes; every required
    argument is given."""
    own = OWN_FIELD[ctx.cloud or "aws"]
    sdk = installed(CLOUDS[ctx.cloud or "aws"].sdk_module)

    def nested(type_name: str):
        return sdk.nested(found.module, type_name) if sdk is not None else None

    for key, value in properties.items():
        at = ctx.at(name, "properties", key)
        if key in own and key in found.arguments:
            ctx.report(
                NOT_AN_ARGUMENT,
                f"`{key}` is set from the resource's own `{own[key]}` field (merged with aipipe's and the "
                f"spec's); write it there instead of under `properties`",
                at,
                at_key=True,
            )
        elif key not in found.arguments:
            ctx.report(
                NOT_AN_ARGUMENT,
                f"`{found.class_name}` ({found.token}) takes no argument `{key}`{_suggestion(key, found)}",
                at,
                at_key=True,
            )
        else:
            for problem in mismatches(value, found.arguments[key].shape, (), nested):
                _report_problem(ctx, at, key, value, problem)
    for argument in found.arguments.values():
        if argument.required and properties.get(argument.name) is None:
            ctx.report(
                MISSING_ARGUMENT,
                f"`{found.class_name}` ({found.token}) needs the argument `{argument.name}` under `properties`",
                ctx.at(name, "properties") if "properties" in _raw(ctx, name) else ctx.at(name),
                at_key=True,
            )


def _report_problem(ctx: CheckContext, at: tuple, key: str, value: Any, problem: Problem) -> None:
    """A value that does not fit its argument, at the place inside it."""
    where = _spelled(key, problem.path)
    expected = problem.expected.describe() if problem.expected else "another value"
    if problem.kind == "unknown":
        ctx.report(
            NOT_AN_ARGUMENT,
            f"`{_spelled(key, problem.path[:-1])}` is {expected}, which takes no key `{problem.name}`"
            f"{_suggestion_among(problem.name, problem.known)}",
            at + problem.path,
            at_key=True,
        )
    elif problem.kind == "missing":
        ctx.report(
            MISSING_ARGUMENT, f"`{where}` is {expected}, which needs the key `{problem.name}`", at + problem.path
        )
    elif problem.expected == FINITE:
        ctx.report(
            WRONG_TYPE,
            f"`{where}` is YAML's .nan or .inf, which no program can pass",
            at + problem.path,
        )
    else:
        ctx.report(
            WRONG_TYPE, f"`{where}` takes {expected}, not {_describe(_dig(value, problem.path))}", at + problem.path
        )


def _suggestion(key: str, found: ResourceClass) -> str:
    return _suggestion_among(key, tuple(found.arguments))


def _suggestion_among(key: str, known: tuple[str, ...]) -> str:
    """Did-you-mean, and the Python SDK's spelling of a camelCase name (`billingMode` -> `billing_mode`)."""
    snake = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", key).lower()
    if snake != key and snake in known:
        return f" (did you mean `{snake}`? arguments are named as in the Python SDK, in snake_case)"
    return did_you_mean(key, known)


def _raw(ctx: CheckContext, name: str) -> dict:
    raw = ctx.raw_resources().get(name)
    return raw if isinstance(raw, dict) else {}


def _spelled(key: str, inside: tuple) -> str:
    """`attributes[1]`, `tags.team`: where inside an argument's value."""
    return key + "".join(f"[{step}]" if isinstance(step, int) else f".{step}" for step in inside)


def _dig(value: Any, path: tuple) -> Any:
    for step in path:
        value = value[step]
    return value


def _describe(value: Any) -> str:
    if isinstance(value, bool):
        return f"`{str(value).lower()}`"
    if isinstance(value, (int, float)):
        return f"the number {value}"
    if isinstance(value, str):
        return "a string"
    return {list: "a list", dict: "a mapping"}.get(type(value), type(value).__name__)

"""The context the program templates render: resources in dependency order, each with the names, options,
tags and values its template needs (literals and aipipe-built Code only), the program parts that belong to
no single resource, and the stack outputs."""

from __future__ import annotations

import keyword
import re
from pathlib import Path
from typing import Any

from pydantic import BaseModel

from aipipe import __version__
from aipipe.build.forms import IMAGE
from aipipe.clouds.registry import CLOUDS
from aipipe.codegen import gcp_project
from aipipe.codegen.expressions import ExpressionRenderer, stored_secret_variable
from aipipe.codegen.safe import Code, RenderError, identifier
from aipipe.codegen.views import ResourceView
from aipipe.kinds.base import resource_grant
from aipipe.kinds.registry import KINDS
from aipipe.semantics.symbols import Attr, Deployment, Secret
from aipipe.spec.document import Spec
from aipipe.spec.parts import ProgramPart
from aipipe.spec.references import stored_secrets, symbolic
from aipipe.triggers.registry import TRIGGERS, trigger_uses


def dependency_order(spec: Spec) -> list[str]:
    """Resource names so that each comes after everything it refers to (validation built the graph and
    proved it acyclic)."""
    ordered: list[str] = []
    placed: set[str] = set()

    def place(name: str) -> None:
        if name in placed:
            return
        placed.add(name)
        for target in spec.dependencies.get(name, ()):
            place(target)
        ordered.append(name)

    for name in spec.resources:  # file order, dependencies first
        place(name)
    return ordered


def managed_tags(spec: Spec, resource: str | None = None) -> dict[str, str]:
    """Tags aipipe adds so resources can be traced back to the spec, stack (and resource)."""
    return CLOUDS[spec.cloud].tags.managed(spec.header.name, spec.stack, resource)


def provider_variable(region: str) -> Code:
    """The variable of the explicit aws.Provider for a region: `aws_eu_west_1`."""
    return Code("aws_" + region.replace("-", "_"))


class RenderJob:
    """What the kinds' values builders may ask while a program is rendered (aipipe.kinds.base.RenderInputs)."""

    def __init__(self, spec: Spec, artifacts: dict | None = None):
        self.spec = spec
        self.artifacts = artifacts or {}

    def artifact(self, function: str) -> Any:
        """The build artifact of a function; every function has one when the program renders."""
        if function not in self.artifacts:
            raise RenderError(f"function {function!r} has no build artifact (it was not built)")
        return self.artifacts[function]

    def access(self, target: str, role: str, prefix: str = "") -> Any:
        """What gives `role` access to `target`, from the target's kind. Validation refuses any link a kind
        has no access for, so a missing one here is a bug, not a silent no-grant."""
        resource = self.spec.resources[target]
        builder = KINDS[resource.type].access(self.spec.cloud, role)
        if builder is None:
            raise LookupError(f"no {role} access for a {resource.type} on {self.spec.cloud}")
        return builder(target, resource, prefix)

    def grant(self, target: str | None, role: str) -> dict:
        """A grant of `role` on resource `target` (by its kind's IAM member class), or on the project (None)."""
        if target is None:
            return {
                "iam_class": "projects.IAMMember",
                "target_argument": "project",
                "role": role,
                "resource": Deployment("gcp_project_id"),
                "condition": None,
            }
        resource = self.spec.resources[target]
        member = KINDS[resource.type].clouds[self.spec.cloud].iam_member
        if member is None:
            raise LookupError(f"no role can be granted on a {resource.type} on {self.spec.cloud}")
        return resource_grant(*member, role, target, resource, "")


def program_context(spec: Spec, home: Path, artifacts: dict | None = None) -> dict[str, Any]:
    """Everything program.py.j2 renders, for a program that will run from the folder `home`, shipping the
    functions' build `artifacts` (aipipe.build; built here when not given)."""
    if artifacts is None:
        artifacts = built_artifacts(spec)
    cloud = CLOUDS[spec.cloud]
    views: dict[str, ResourceView] = {}
    renderer = ExpressionRenderer(spec, views, Path(home))
    regions: list[str] = []
    # on gcp everything waits for the project setup (aipipe.codegen.gcp_project): APIs, service agents
    project_ready = [Code("*" + gcp_project.READY)] if spec.cloud == "gcp" else []
    for name in dependency_order(spec):
        resource = spec.resources[name]
        kind = KINDS[resource.type]
        user_tags = {key: symbolic(text) for key, text in spec.tags_for(name).items()}
        view = ResourceView(
            name=name,
            type=resource.type,
            template=kind.template(spec.cloud),
            component=identifier(name),
            token=kind.component,
            model=resource,
            depends_on=project_ready + [identifier(target) for target in resource.depends_on],
            tags=renderer.render({**managed_tags(spec), **user_tags, **managed_tags(spec, name)}),
        )
        region = getattr(resource, "region", None)
        if region and region != spec.header.region:
            view.provider = provider_variable(region)
            if region not in regions:
                regions.append(region)
        views[name] = view
    job = RenderJob(spec, artifacts)
    for view in views.values():
        form = KINDS[view.type].clouds[spec.cloud]
        if form.values is not None:
            try:
                view.values = renderer.render(form.values(job, view.name, view.model))
            except LookupError as error:  # what a values builder needs is not there (an SDK not installed)
                raise RenderError(f"resource `{view.name}`: {error}") from error
        # the component's outputs are exactly the attributes `${name.attr}` reads: one table, in the kind
        view.outputs = {
            attribute: renderer.render(Attr(view.name, attribute))
            for attribute in form.attributes_for(dict(view.model))
            if form.attribute_problem is None or form.attribute_problem(dict(view.model), attribute) is None
        }
    parts = [part for kind in KINDS.values() for part in kind.parts(spec.cloud, spec)]
    uses = trigger_uses(spec.resources)
    parts += [part for key, trigger in TRIGGERS.items() for part in trigger.parts(spec.cloud, spec, uses[key])]
    parts = stored_secret_parts(spec) + parts
    return {
        "spec": spec,
        "version": __version__,
        "cloud": spec.cloud,
        "sdk_module": Code(cloud.sdk_module),
        "sdk_alias": Code(cloud.sdk_alias),
        "resources": list(views.values()),
        "by_name": views,
        "providers": [(provider_variable(region), region) for region in regions],
        "managed_tags": managed_tags(spec),
        "parts_before": [_rendered(part, renderer) for part in parts if part.before],
        "parts_after": [_rendered(part, renderer) for part in parts if not part.before],
        "outputs": {name: renderer.value(text) for name, text in spec.header.outputs.items()},
        "sdk": lambda path: sdk_class(cloud.sdk_alias, path),
        "keyword": keyword_argument,
        "project_ready": gcp_project.READY,
        "grants_settling": gcp_project.GRANTS_SETTLING,
        "ids_of": ids_of,
        "variable_of": identifier,  # a program part's variable from its logical name (`function-sources`)
        "imports_docker_build": any(item.package == IMAGE for item in artifacts.values()),
    }


def built_artifacts(spec: Spec) -> dict:
    """Every function's artifact, built now (from the build cache when it can be): for callers that render
    without building first. A build error is a RenderError; an unreachable package index only leaves a
    placeholder, as in `plan`."""
    from aipipe.build.artifacts import build_functions
    from aipipe.core.diagnostics import Severity, has_errors

    report = build_functions(spec, offline_severity=Severity.WARNING)
    if has_errors(report.diagnostics):
        problems = "; ".join(f"{d.file}:{d.line}:{d.column}: {d.code} {d.message}" for d in report.diagnostics)
        raise RenderError(f"the functions could not be built: {problems}")
    return report.artifacts


def ids_of(resources: list[Code]) -> Code:
    """An Output of the ids of rendered resource variables, joined by spaces (what a wait is re-created on)."""
    if not resources or not all(re.fullmatch(r"[a-z_][a-z0-9_]*", str(code)) for code in resources):
        raise RenderError(f"ids_of takes resource variables, got {resources!r}")
    return Code("pulumi.Output.all(" + ", ".join(f"{code}.id" for code in resources) + ').apply(" ".join)')


def stored_secret_parts(spec: Spec) -> list[ProgramPart]:
    """One Secrets Manager secret per secret the spec reads by ARN (`${secret.NAME.arn}`), before anything."""
    resources = {name: _plain(resource) for name, resource in spec.resources.items()}
    names = stored_secrets({"resources": resources, "outputs": spec.header.outputs})
    return [
        ProgramPart(
            "secrets/aws-store.py.j2",
            {
                "name": name,
                "variable": stored_secret_variable(name),
                "description": f"{name} of aipipe project {spec.header.name}, stack {spec.stack}",
                "tags": managed_tags(spec),
                "value": Secret(name),
            },
            before=True,
        )
        for name in names
    ]


def _plain(value: Any) -> Any:
    """A validated model as nested dicts, lists and strings (what `stored_secrets` walks)."""
    if isinstance(value, BaseModel):
        return {key: _plain(item) for key, item in vars(value).items()}
    if isinstance(value, dict):
        return {key: _plain(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [_plain(item) for item in value]
    return value


def sdk_class(alias: str, path: str) -> Code:
    """A class of the provider SDK for templates that pick one from a kind's values (`storage.BucketIAMMember`)."""
    if not re.fullmatch(r"([a-z][a-z0-9_]*\.)+[A-Z][A-Za-z0-9]*", path):
        raise RenderError(f"{path!r} is not a provider SDK class")
    return Code(f"{alias}.{path}")


def keyword_argument(name: str) -> Code:
    """An argument name for templates that pick one from a kind's values (`bucket=`)."""
    if not name.isidentifier() or keyword.iskeyword(name):
        raise RenderError(f"{name!r} is not an argument name")
    return Code(name)


def _rendered(part: ProgramPart, renderer: ExpressionRenderer) -> ProgramPart:
    return ProgramPart(part.template, renderer.render(part.values), part.before)

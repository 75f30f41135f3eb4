"""The context the program templates render: resources in dependency order, each with the names, options,
tags and values its template needs, all as literals or aipipe-built Code."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from aipipe import __version__
from aipipe.codegen.safe import Code, identifier, literal
from aipipe.codegen.expressions import ExpressionBuilder
from aipipe.spec import Spec
from aipipe.spec.function import BucketTrigger

COMPONENT_TYPES = {"bucket": "Bucket", "topic": "Topic", "subscription": "Subscription", "stream": "Stream",
                   "function": "Function", "workflow": "Workflow", "replication": "Replication",
                   "dataflow": "Dataflow"}


@dataclass
class ResourceView:
    """What one type template needs about one spec resource."""

    name: str
    type: str
    template: str
    component: Code  # the ComponentResource variable
    token: str  # its Pulumi type token
    tags: dict[str, str]
    model: Any
    extra: dict[str, Any] = field(default_factory=dict)
    provider: Code | None = None
    depends_on: list[Code] = field(default_factory=list)

    def var(self, suffix: str) -> Code:
        """The variable of a child resource: `raw_bucket`."""
        return identifier(self.name, suffix)

    def child(self, suffix: str = "") -> str:
        """The logical name of a child resource: `raw` or `raw-versioning`."""
        return f"{self.name}-{suffix}" if suffix else self.name

    def opts(self, *, retain: bool = False, depends_on: list[Code] | None = None,
             provider: Code | None | bool = True) -> Code:
        """`pulumi.ResourceOptions(...)` for a child: parent, provider (this resource's unless another is
        given), protect, retain, depends_on."""
        parts = [f"parent={self.component}"]
        chosen = self.provider if provider is True else provider
        if chosen:
            parts.append(f"provider={chosen}")
        if self.model.protect:
            parts.append("protect=True")
        if retain:
            parts.append("retain_on_delete=True")
        dependencies = self.depends_on + list(depends_on or [])
        if dependencies:
            parts.append("depends_on=[" + ", ".join(dependencies) + "]")
        return Code("pulumi.ResourceOptions(" + ", ".join(parts) + ")")


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


def managed_tags(spec: Spec) -> dict[str, str]:
    """Tags aipipe adds everywhere so resources can be traced back to the spec and stack."""
    if spec.cloud == "gcp":
        return {"aipipe-project": spec.header.name, "aipipe-stack": spec.stack}
    return {"aipipe:project": spec.header.name, "aipipe:stack": spec.stack}


def provider_variable(region: str) -> Code:
    """The variable of the explicit aws.Provider for a region: `aws_eu_west_1`."""
    return Code("aws_" + region.replace("-", "_"))


@dataclass
class RenderJob:
    """What the per-type `extras` functions share: the spec, its expressions, every view, and the folder
    the program will run from (function code paths are relative to it)."""

    spec: Spec
    expressions: ExpressionBuilder
    views: dict[str, ResourceView]
    home: Path

    def code_path(self, code: str) -> str:
        """A function's code folder relative to the program's folder, with forward slashes."""
        return Path(os.path.relpath(self.spec.base_dir / code, self.home.resolve())).as_posix()


def _extras_table() -> dict[tuple[str, str], Any]:
    from aipipe.program import aws, gcp

    return {
        ("aws", "function"): aws.function_extras, ("aws", "subscription"): aws.subscription_extras,
        ("aws", "workflow"): aws.workflow_extras, ("aws", "replication"): aws.replication_extras,
        ("gcp", "function"): gcp.function_extras, ("gcp", "subscription"): gcp.subscription_extras,
        ("gcp", "dataflow"): gcp.dataflow_extras,
    }


def program_context(spec: Spec, home: Path) -> dict[str, Any]:
    """Everything program.py.j2 renders, for a program that will run from the folder `home`."""
    from aipipe.program import aws

    expressions = ExpressionBuilder(spec)
    views = []
    regions: list[str] = []
    for name in dependency_order(spec):
        resource = spec.resources[name]
        view = ResourceView(
            name=name, type=resource.type, template=f"{spec.cloud}/{resource.type}.py.j2",
            component=identifier(name), token=f"aipipe:index:{COMPONENT_TYPES[resource.type]}",
            tags={**managed_tags(spec), **expressions.mapping(spec.tags_for(name)),
                  "aipipe:resource" if spec.cloud == "aws" else "aipipe-resource": name},
            model=resource,
            depends_on=[identifier(target) for target in resource.depends_on],
        )
        region = getattr(resource, "region", None)
        if spec.cloud == "aws" and region and region != spec.header.region:
            view.provider = provider_variable(region)
            if region not in regions:
                regions.append(region)
        views.append(view)
    by_name = {view.name: view for view in views}
    job = RenderJob(spec, expressions, by_name, Path(home))
    extras = _extras_table()
    for view in views:
        if (spec.cloud, view.type) in extras:
            view.extra = extras[(spec.cloud, view.type)](view, job)
    context: dict[str, Any] = {}
    if spec.cloud == "aws":
        context["notifications"], context["notification_opts"] = aws.bucket_notifications(spec, by_name, expressions)
    return {
        **context,
        "has_functions": any(view.type == "function" for view in views),
        "storage_events": any(isinstance(t, BucketTrigger) for view in views
                              for t in getattr(view.model, "triggers", [])),
        "spec": spec,
        "version": __version__,
        "cloud": spec.cloud,
        "resources": views,
        "by_name": by_name,
        "providers": [(provider_variable(region), region) for region in regions],
        "managed_tags": managed_tags(spec),
        "outputs": {name: expressions.value(text) for name, text in spec.header.outputs.items()},
        "x": expressions,
        "literal": literal,
        "Code": Code,
    }

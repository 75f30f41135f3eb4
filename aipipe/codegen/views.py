"""What a template sees of one spec resource: its names (component, children, variables), tags, provider,
options, and its values already turned into literals and Code."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from aipipe.codegen.safe import Code, identifier


@dataclass
class ResourceView:
    """One spec resource as its kind's template renders it."""

    name: str
    type: str
    template: str  # the kind's Jinja file for this cloud
    component: Code  # the ComponentResource variable
    token: str  # its Pulumi type token
    tags: dict[str, Any]
    model: Any
    values: dict[str, Any] = field(default_factory=dict)  # rendered: literals and Code only
    outputs: dict[str, Any] = field(default_factory=dict)  # every attribute references may read, rendered
    provider: Code | None = None
    depends_on: list[Code] = field(default_factory=list)

    def var(self, suffix: str) -> Code:
        """The variable of a child resource: `raw_bucket`."""
        return identifier(self.name, suffix)

    def child(self, suffix: str = "") -> str:
        """The logical name of a child resource: `raw` or `raw-versioning`."""
        return f"{self.name}-{suffix}" if suffix else self.name

    def opts(
        self,
        *,
        retain: bool = False,
        depends_on: list[Code] | None = None,
        provider: Code | bool | None = True,
        protect: bool = True,
    ) -> Code:
        """`pulumi.ResourceOptions(...)` for a child: parent, provider (this resource's unless another is
        given), protect (as the spec says, unless `protect=False`), retain, depends_on."""
        parts = [f"parent={self.component}"]
        chosen = self.provider if provider is True else provider
        if chosen:
            parts.append(f"provider={chosen}")
        if self.model.protect and protect:
            parts.append("protect=True")
        if retain:
            parts.append("retain_on_delete=True")
        dependencies = self.depends_on + list(depends_on or [])
        if dependencies:
            parts.append("depends_on=[" + ", ".join(dependencies) + "]")
        return Code("pulumi.ResourceOptions(" + ", ".join(parts) + ")")


def top_level_opts(provider: Code | None, depends_on: list[Code]) -> Code:
    """`pulumi.ResourceOptions(...)` for a resource outside any component (bucket notifications)."""
    parts = ([f"provider={provider}"] if provider else []) + (
        ["depends_on=[" + ", ".join(depends_on) + "]"] if depends_on else []
    )
    return Code("pulumi.ResourceOptions(" + ", ".join(parts) + ")")

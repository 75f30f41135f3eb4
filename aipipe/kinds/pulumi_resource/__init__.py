"""`pulumi` (aws, gcp): any other resource of the cloud's Pulumi provider, named by its type token and built
by its SDK class from `properties` (the escape hatch, modelled on Pulumi YAML's `resources:`). The token, the
argument names and simple value types are checked against the installed SDK without importing it
(aipipe.kinds.pulumi_resource.sdk); its attributes are the class's outputs."""

from __future__ import annotations

from functools import partial
from typing import Any, Literal

from pydantic import Field

from aipipe.kinds.base import CloudForm, GraphShape, Kind
from aipipe.kinds.pulumi_resource.checks import TAG_ARGUMENT, check, resource_attributes, resource_class
from aipipe.semantics.symbols import Child
from aipipe.spec.model import ResourceBase
from aipipe.spec.references import symbolic_data

# the child resource each `type: pulumi` resource renders, and where its attributes come from
ROLE = "resource"


class PulumiResource(ResourceBase):
    """Any other resource of the cloud's Pulumi provider."""

    type: Literal["pulumi"]
    resource: str = Field(
        description="The provider's type token of the resource, as the Pulumi Registry and Pulumi YAML write it "
        "(`aws:dynamodb/table:Table`, `gcp:bigquery/dataset:Dataset`); its provider is the spec's cloud."
    )
    properties: dict[str, Any] = Field(
        default_factory=dict,
        description="The arguments of the resource's constructor in the Python SDK, named in snake_case "
        "(`billing_mode: PAY_PER_REQUEST`); nested input types are mappings. Values may hold references "
        "`${other.attr}`. Tags (aws) and labels (gcp) come from the resource's `tags`, and on aws the region from "
        "its `region`.",
    )


def values(cloud: str, job: Any, name: str, resource: PulumiResource) -> dict:
    """The template's values: the SDK class (from the SDK's own index, never the spec's text), the arguments
    (names checked against the class again here), and the argument taking the tags, if the class has one."""
    found = resource_class(cloud, resource.resource)
    if found is None:
        raise LookupError(
            f"`{resource.resource}` is not a resource class of the installed {cloud} provider SDK: is it installed "
            "(validate warns with AP424 when it is not)?"
        )
    unknown = sorted(set(resource.properties) - set(found.arguments))
    if unknown:
        raise LookupError(f"{found.token} takes no arguments {unknown}")
    tags = TAG_ARGUMENT[cloud]
    return {
        "token": found.token,
        "sdk_class": found.path,
        "arguments": {key: symbolic_data(value) for key, value in resource.properties.items() if value is not None},
        "tags_argument": tags if tags in found.arguments and found.arguments[tags].shape.kind == "dict" else None,
    }


def _attribute(name: str, resource: Any, attribute: str) -> Child:
    """Every attribute is the output of that name of the one resource (validation checked the class has it)."""
    return Child(name, ROLE, attribute)


def _form(cloud: str, service: str) -> CloudForm:
    return CloudForm(
        service,
        {"id": (ROLE, "id"), "urn": (ROLE, "urn")},  # every resource's; the rest depend on its class
        values=partial(values, cloud),
        special_attribute=_attribute,
        resource_attributes=partial(resource_attributes, cloud),
    )


KIND = Kind(
    name="pulumi",
    model=PulumiResource,
    clouds={"aws": _form("aws", "any pulumi-aws resource"), "gcp": _form("gcp", "any pulumi-gcp resource")},
    graph=GraphShape(('["', '"]'), "box"),
    check=check,
)

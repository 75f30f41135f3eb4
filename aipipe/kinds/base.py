"""What a resource kind is made of. Every module of aipipe.kinds defines one `KIND`."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from aipipe.semantics.iam import statement
from aipipe.semantics.kms import key_problem
from aipipe.semantics.symbols import Attr, Child
from aipipe.spec.context import CheckContext
from aipipe.spec.links import Link
from aipipe.spec.model import ResourceBase, region_of
from aipipe.spec.parts import ProgramPart


class RenderInputs(Protocol):
    """What a kind's values builder may ask while the program is rendered (aipipe.codegen provides it)."""

    spec: Any  # the validated Spec

    def access(self, target: str, role: str, prefix: str = "") -> Any:
        """What gives `role` (reads | writes) access to resource `target`, narrowed to a key `prefix`: IAM
        statements on aws, a grant on gcp — from the target's kind."""
        ...

    def artifact(self, function: str) -> Any:
        """The build artifact of a function (aipipe.build.artifacts.Artifact): what its program ships."""
        ...


# (child role, SDK output): `${raw.arn}` on aws is the `arn` of the resource the template calls `bucket`
AttributeSource = tuple[str, str]
# (render inputs, name, model) -> the values its template renders, built from plain data and symbols
ValuesBuilder = Callable[[RenderInputs, str, Any], dict]
# (target name, target model, key prefix) -> what lets a principal read or write that target on this cloud
AccessBuilder = Callable[[str, Any, str], Any]


def arn_statement(actions: list[str], name: str, model: Any, prefix: str) -> list[dict]:
    """Access on aws: `actions` on the resource's ARN (use with functools.partial to fix the actions)."""
    return [statement(actions, [Attr(name, "arn")])]


def resource_grant(iam_class: str, target_argument: str, role: str, name: str, model: Any, prefix: str) -> dict:
    """Access on gcp: `role` granted on the one resource, by the SDK's IAM member class for it."""
    return {
        "iam_class": iam_class,
        "target_argument": target_argument,
        "role": role,
        "resource": Attr(name, "name"),
        "condition": None,
    }


def check_kms_key(ctx: CheckContext, name: str, resource: Any) -> None:
    """A resource's `kms_key` is a key aipipe can grant on, in the resource's region (semantics.kms)."""
    if resource.kms_key:
        problem = key_problem(resource.kms_key, region_of(resource, ctx.data.get("region")))
        if problem:
            ctx.report("AP402", problem, ctx.at(name, "kms_key"))


def _no_links(resource: Any) -> Iterable[Link]:
    return ()


def _no_edges(name: str, resource: Any) -> Iterable[tuple[str, str, str]]:
    return ()


def _no_check(ctx: CheckContext, name: str, resource: Any) -> None:
    return None


def _no_parts(cloud: str, spec: Any) -> list[ProgramPart]:
    return []


@dataclass(frozen=True)
class CloudForm:
    """How a kind exists on one cloud: the service, the attributes references may read and where the program
    finds them, the values its template renders, and how others get access to it."""

    service: str  # "S3 bucket", for documentation
    attributes: Mapping[str, AttributeSource]
    values: ValuesBuilder | None = None
    # reads / writes -> access builder; a kind without one cannot be read (written) on this cloud
    access: Mapping[str, AccessBuilder] = field(default_factory=dict)
    # (name, model, attribute) -> a symbol, or None to use `attributes` (existing buckets, computed ARNs)
    special_attribute: Callable[[str, Any, str], Any] | None = None
    # (the resource as written, attribute) -> why this resource lacks an attribute its kind has, or None
    attribute_problem: Callable[[dict, str], str | None] | None = None
    # (the resource as written) -> the attributes of this one resource, for kinds whose attributes depend on what
    # a resource says (the `pulumi` kind: its SDK class's outputs); () when unknown, and then any is accepted
    resource_attributes: Callable[[Mapping], tuple[str, ...]] | None = None

    def attributes_for(self, resource: Mapping) -> tuple[str, ...]:
        """The attributes `${name.attr}` may read of one resource (as written, or a validated model's fields)."""
        if self.resource_attributes is not None:
            return self.resource_attributes(resource)
        return tuple(self.attributes)

    def attribute(self, name: str, model: Any, attribute: str) -> Any:
        """What `${name.attribute}` stands for, as a symbol (or a plain string when it is known already)."""
        if self.special_attribute is not None:
            special = self.special_attribute(name, model, attribute)
            if special is not None:
                return special
        role, output = self.attributes[attribute]
        return Child(name, role, output)


@dataclass(frozen=True)
class GraphShape:
    """How `aipipe graph` draws resources of the kind."""

    mermaid: tuple[str, str]  # opening and closing of the node
    dot: str


@dataclass(frozen=True)
class Kind:
    """A resource type of the spec language and everything aipipe knows about it."""

    name: str  # what `type:` says
    model: type[ResourceBase]
    clouds: Mapping[str, CloudForm]
    graph: GraphShape
    links: Callable[[Any], Iterable[Link]] = _no_links
    check: Callable[[CheckContext, str, Any], None] = _no_check
    # program parts shared by all resources of the kind (the function source bucket on gcp)
    parts: Callable[[str, Any], list[ProgramPart]] = _no_parts
    # data flows `aipipe graph` draws besides the links: (source, target, label)
    graph_edges: Callable[[str, Any], Iterable[tuple[str, str, str]]] = _no_edges

    @property
    def component(self) -> str:
        """The Pulumi type token of the component each resource of the kind becomes."""
        return "aipipe:index:" + self.name.title().replace("-", "")

    def template(self, cloud: str) -> str:
        """The Jinja file that renders a resource of the kind on `cloud`."""
        return f"{self.name}/{cloud}.py.j2"

    def attributes(self, cloud: str) -> tuple[str, ...]:
        """The attributes `${name.attr}` may read on `cloud` (none when the kind does not exist there)."""
        form = self.clouds.get(cloud)
        return tuple(form.attributes) if form else ()

    def access(self, cloud: str, role: str) -> AccessBuilder | None:
        """How a function gets `role` (reads | writes) access to a resource of the kind on `cloud`."""
        form = self.clouds.get(cloud)
        return form.access.get(role) if form else None

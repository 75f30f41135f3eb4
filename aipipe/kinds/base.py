"""What a resource kind is made of. Every module of aipipe.kinds defines one `KIND`."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any, Protocol

from aipipe.clouds.gcp import ROLES
from aipipe.semantics.iam import statement
from aipipe.semantics.kms import gcp_key_problem, key_problem, kms_location, names_key, spec_key
from aipipe.semantics.symbols import Attr, Child
from aipipe.spec.context import CheckContext
from aipipe.spec.links import Link
from aipipe.spec.model import ResourceBase, region_of
from aipipe.spec.parts import ProgramPart
from aipipe.spec.references import symbolic


class RenderInputs(Protocol):
    """What a kind's values builder may ask while the program is rendered (aipipe.codegen provides it)."""

    spec: Any  # the validated Spec

    def access(self, target: str, role: str, prefix: str = "") -> Any:
        """What gives `role` (reads | writes | deletes) access to resource `target`, narrowed to a key `prefix`: IAM
        statements on aws, a grant on gcp — from the target's kind."""
        ...

    def artifact(self, function: str) -> Any:
        """The build artifact of a function (aipipe.build.artifacts.Artifact): what its program ships."""
        ...

    def grant(self, target: str | None, role: str) -> dict:
        """A grant of any `role` (gcp, `permissions:`) on resource `target` of the spec, or the project (None)."""
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
    """A resource's `kms_key` (aws) is a key aipipe can grant on, in the resource's region (semantics.kms)."""
    if not resource.kms_key:
        return
    region = region_of(resource, ctx.data.get("region"))
    if names_key(resource.kms_key):
        check_spec_key_place(ctx, name, resource.kms_key, region)
        return
    problem = key_problem(resource.kms_key, region)
    if problem:
        ctx.report("AP402", problem, ctx.at(name, "kms_key"))


def check_spec_key_place(ctx: CheckContext, name: str, key_name: str, place: str) -> None:
    """The key of the spec that `name`'s `kms_key` names is where the data is: S3, Kinesis and SNS use keys of
    their own region (aipipe.semantics.kms.key_problem), Cloud Storage keys of the bucket's own location
    (gcp_key_problem). A name that is no `key` is reported by the link check (AP306, AP305)."""
    key = ctx.checkable().get(key_name)
    if key is None or key.type != "key":
        return
    home = ctx.data.get("region") or ""
    if ctx.cloud == "gcp":
        key_place, wanted = (getattr(key, "location", None) or home).lower(), kms_location(place)
        field = "location"
    else:
        key_place, wanted, field = region_of(key, home), place, "region"
    if key_place != wanted:
        ctx.report(
            "AP402",
            f"key `{key_name}` is in `{key_place}` and `{name}` in `{place}`: a key encrypts data of its own "
            f"{field} only; set the key's `{field}: {wanted}` or use another key",
            ctx.at(name, "kms_key"),
        )


def check_gcp_kms_key(ctx: CheckContext, name: str, key: str, location: str | None) -> None:
    """A gcp `kms_key`: a key of the spec in `location`, or a Cloud KMS key id (in `location` when given:
    semantics.kms.gcp_key_problem)."""
    if names_key(key) and location is not None:
        check_spec_key_place(ctx, name, key, location)
    problem = gcp_key_problem(key, location)
    if problem:
        ctx.report("AP402", problem, ctx.at(name, "kms_key"))


def gcp_key_grant(key: str | None, member: Any) -> dict | None:
    """The key role a Google service agent (`member`) needs on a resource's `kms_key` to encrypt with it: Cloud
    Storage's for a bucket's default key (cloud.google.com/storage/docs/encryption/using-customer-managed-keys#
    prereqs: without it every write fails with 403), Pub/Sub's for a topic's (pulumi-gcp pubsub.Topic
    kms_key_name)."""
    if not key:
        return None
    return {"key": kms_key_value(key, "id"), "role": ROLES["use_key"], "member": member}


def kms_key_links(resource: Any) -> Iterable[Link]:
    """The link of a `kms_key` naming a key of the spec (an existing key's ARN or resource name is none)."""
    key = getattr(resource, "kms_key", None)
    if key and names_key(key):
        yield Link(key, ("kms_key",), ("key",), "kms_key")


def kms_key_value(key: str | None, attribute: str) -> Any:
    """What a template passes for `kms_key`: the spec key's `attribute` (arn on aws, id on gcp), or the
    existing key as written (references refused by validation)."""
    if not key:
        return None
    return spec_key(key, attribute) or symbolic(key)


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
    # reads / writes / deletes -> access builder; a kind without one cannot be read (written, deleted) on this cloud
    access: Mapping[str, AccessBuilder] = field(default_factory=dict)
    # (name, model, attribute) -> a symbol, or None to use `attributes` (existing buckets, computed ARNs)
    special_attribute: Callable[[str, Any, str], Any] | None = None
    # (the resource as written, attribute) -> why this resource lacks an attribute its kind has, or None
    attribute_problem: Callable[[dict, str], str | None] | None = None
    # gcp: (the SDK's IAM member class, its argument naming the resource), to grant any role on a resource of
    # the kind (`permissions: [{role: ..., on: name}]`); None: roles cannot be granted on it
    iam_member: tuple[str, str] | None = None
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

    def grantable(self, cloud: str) -> bool:
        """Whether `permissions:` may grant a role on a resource of the kind on `cloud`."""
        form = self.clouds.get(cloud)
        return bool(form and form.iam_member)

    def access(self, cloud: str, role: str) -> AccessBuilder | None:
        """How a function gets `role` (reads | writes | deletes) access to a resource of the kind on `cloud`."""
        form = self.clouds.get(cloud)
        return form.access.get(role) if form else None

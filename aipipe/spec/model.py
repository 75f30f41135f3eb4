"""The base of every spec model: strict, closed to unknown fields, and the fields every resource has.

The models of each resource kind live with their kind (aipipe.kinds), the trigger models with their trigger
kind (aipipe.triggers)."""

from collections.abc import Callable
from typing import Annotated, Any, Union

from pydantic import BaseModel, ConfigDict, Discriminator, Field, StringConstraints, Tag

from aipipe.spec.values import ResourceName, StackName, Text


def empty_list() -> list:
    """`default_factory` of list fields: pydantic reads a default factory's signature when it builds a model, and
    `inspect.signature(list)` parses the builtin's text signature with tokenize (about 0.3 ms a field, paid by
    every `aipipe validate`); a Python function's signature is read at once."""
    return []


Tags = dict[str, Text]


class StrictModel(BaseModel):
    """A spec model: unknown fields are errors, no silent coercion, immutable once validated."""

    model_config = ConfigDict(extra="forbid", strict=True, frozen=True, defer_build=True)


# Tags of every tagged union: pydantic puts them into error locations, where users must not see them.
UNION_TAGS: set[str] = set()
# Tags of unions that are a field's whole value (`retry: {...}` or `retry: [...]`), stripped after a field name too
FIELD_UNION_TAGS: set[str] = set()


def tagged_union(
    members: dict[str, Any], kind_of: Callable[[Any], str | None], error_type: str, message: str, field: bool = False
) -> Any:
    """A union whose member is chosen by `kind_of(value)` returning one of the `members` tags (None: `message`);
    `field` for a union that is a field's value rather than a list's item."""
    UNION_TAGS.update(members)
    if field:
        FIELD_UNION_TAGS.update(members)
    choices = tuple(Annotated[member, Tag(tag)] for tag, member in members.items())
    return Annotated[
        Union[choices],  # type: ignore[valid-type]
        Discriminator(kind_of, custom_error_type=error_type, custom_error_message=message),
    ]


def cloud_only(cloud: str, default: Any = None, description: str = "") -> Any:
    """A field that exists on one cloud only; `checks` rejects it on the other and the schema says so."""
    return Field(default, description=f"({cloud} only) {description}".strip(), json_schema_extra={"x-clouds": [cloud]})


def cloud_required(cloud: str, description: str = "") -> Any:
    """A field that exists on one cloud only and is required there: the kind's check reports it missing (AP201)
    and the schema requires it on that cloud (`x-required-on`)."""
    return Field(
        None,
        description=f"({cloud} only, required) {description}".strip(),
        json_schema_extra={"x-clouds": [cloud], "x-required-on": cloud},
    )


def field_clouds(model: type[BaseModel], name: str) -> list[str] | None:
    """The clouds a field is limited to, or None when it exists on every cloud."""
    extra = model.model_fields[name].json_schema_extra
    return extra.get("x-clouds") if isinstance(extra, dict) else None  # type: ignore[return-value]


def region_of(resource: Any, home: str) -> str:
    """Where a resource lives on aws: its own `region`, else the spec's (`home`); anything without a `region`
    field (or no resource at all) is in the spec's region."""
    return getattr(resource, "region", None) or home


class ResourceBase(StrictModel):
    """Fields every resource has. Subclasses set `type` to a Literal; their kind (aipipe.kinds) says which
    clouds they exist on and which attributes `${name.attr}` may read there."""

    type: str
    description: str | None = None
    tags: Tags = Field(default_factory=dict, description="Merged over the top-level tags.")
    region: str | None = cloud_only("aws", description="Deploy this resource in another region.")
    protect: bool = Field(False, description="Pulumi `protect`: the resource cannot be deleted until unprotected.")
    stacks: list[StackName] | None = Field(
        None,
        min_length=1,
        description="Only these stacks have the resource (`[prod]`); default every stack. Whatever names it must "
        "exist in the same stacks.",
    )
    depends_on: list[ResourceName] = Field(default_factory=empty_list, description="Resources to create first.")
    ignore: list[Annotated[str, StringConstraints(pattern=r"^AP[1-9][0-9]{2}$")]] = Field(
        default_factory=empty_list,
        description="Warnings to suppress for this resource, e.g. [AP502]: any pipeline check (AP5xx), and the "
        "warnings of other codes (AP454); errors are never suppressed.",
    )

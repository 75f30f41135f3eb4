"""Spec strings as Python expressions of the rendered program.

A string without references renders as a literal (with `$${` turned back into `${`). A string holding
references becomes `pulumi.Output.concat(...)` of literals and attribute expressions, or the bare attribute
expression when it is a single reference. Attribute expressions name the variables the type templates
define (`raw_bucket.arn`), so this table and the templates must agree; the plan tests prove they do.
"""

from __future__ import annotations

from aipipe.codegen.safe import Code, identifier, literal
from aipipe.spec.references import parse_references

# (cloud, type) -> attribute -> (variable suffix, Python attribute path). The variable is
# `<resource>_<suffix>`: the primary cloud resource the type template creates.
ATTRIBUTES: dict[tuple[str, str], dict[str, tuple[str, str]]] = {
    ("aws", "bucket"): {"name": ("bucket", "bucket"), "arn": ("bucket", "arn"), "id": ("bucket", "id")},
    ("aws", "topic"): {"id": ("topic", "id"), "name": ("topic", "name"), "arn": ("topic", "arn")},
    ("aws", "subscription"): {"id": ("queue", "id"), "name": ("queue", "name"), "arn": ("queue", "arn"),
                              "url": ("queue", "url")},
    ("aws", "stream"): {"name": ("stream", "name"), "arn": ("stream", "arn")},
    ("aws", "function"): {"name": ("function", "name"), "arn": ("function", "arn")},
    ("aws", "workflow"): {"name": ("state_machine", "name"), "arn": ("state_machine", "arn")},
    ("gcp", "bucket"): {"name": ("bucket", "name"), "url": ("bucket", "url"), "id": ("bucket", "id")},
    ("gcp", "topic"): {"id": ("topic", "id"), "name": ("topic", "name")},
    ("gcp", "subscription"): {"id": ("subscription", "id"), "name": ("subscription", "name")},
    ("gcp", "function"): {"name": ("function", "name"), "url": ("function", "url")},
    ("gcp", "dataflow"): {"id": ("job", "id"), "name": ("job", "name"), "job_id": ("job", "job_id")},
}


def attribute_expression(cloud: str, type_name: str, name: str, attribute: str, resource=None) -> Code:
    """The expression for `${name.attribute}`. Existing buckets and computed attributes are special."""
    existing = getattr(resource, "existing", None)
    if type_name == "bucket" and existing:
        scheme = "s3" if cloud == "aws" else "gs"
        return Code(literal({"name": existing, "id": existing, "arn": f"arn:aws:s3:::{existing}",
                             "url": f"{scheme}://{existing}"}[attribute]))
    if (cloud, type_name, attribute) == ("aws", "bucket", "url"):
        return Code(f'pulumi.Output.concat({literal("s3://")}, {identifier(name, "bucket")}.bucket)')
    if type_name == "replication" and attribute == "arn":
        return Code(f"{identifier(name, 'role' if getattr(resource, 'method', 's3') == 's3' else 'task')}.arn")
    suffix, path = ATTRIBUTES[(cloud, type_name)][attribute]
    return Code(f"{identifier(name, suffix)}.{path}")


class ExpressionBuilder:
    """Turns spec strings into literals or Code for one spec (it knows the types of all resources)."""

    def __init__(self, spec):
        self.spec = spec

    def value(self, text: str) -> str | Code:
        """A literal string, or Code when `text` holds references."""
        references = parse_references(text)
        if not references:
            return text.replace("$${", "${")
        parts: list[str] = []
        rest = text
        for reference in references:
            before, _, rest = rest.partition(reference.text)
            if before:
                parts.append(literal(before.replace("$${", "${")))
            parts.append(self.reference(reference))
        if rest:
            parts.append(literal(rest.replace("$${", "${")))
        if len(parts) == 1 and not parts[0].startswith("'"):
            return Code(parts[0])
        return Code("pulumi.Output.concat(" + ", ".join(parts) + ")")

    def reference(self, reference) -> Code:
        """The expression of one `${...}`."""
        if reference.kind == "secret":
            return Code(f"config.require_secret({literal(reference.target)})")
        if reference.kind == "stack":
            return Code("pulumi.get_stack()")
        if reference.kind == "project":
            return Code("pulumi.get_project()")
        resource = self.spec.resources[reference.target]
        return attribute_expression(self.spec.cloud, resource.type, reference.target, reference.attribute, resource)

    def mapping(self, values: dict[str, str]) -> dict[str, str | Code]:
        """Each value of a mapping through `value`."""
        return {key: self.value(text) for key, text in values.items()}

    def data(self, value):
        """Every string inside nested lists and mappings through `value`; other values unchanged."""
        if isinstance(value, str):
            return self.value(value)
        if isinstance(value, dict):
            return {key: self.data(item) for key, item in value.items()}
        if isinstance(value, list):
            return [self.data(item) for item in value]
        return value

"""`permissions:` — the escape hatch for access aipipe does not derive: extra AWS IAM statements (actions on
resources, with conditions) or extra GCP roles (on the project, or on a resource of the spec), on functions,
workflows and Dataflow jobs. The shapes are checked here offline; broad grants (wildcard actions, a `*`
resource, GCP's basic roles) are AP510 warnings (aipipe.policies.broad_permissions) to be acknowledged with
`ignore: [AP510]`."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Annotated, Any

from pydantic import Field, StringConstraints

from aipipe.core.suggest import did_you_mean
from aipipe.semantics.iam import merge, policy_document
from aipipe.semantics.symbols import Child, Json
from aipipe.spec.context import CheckContext
from aipipe.spec.links import ANY_TYPE, Link
from aipipe.spec.model import StrictModel, empty_list
from aipipe.spec.references import parse_references, symbolic, symbolic_data
from aipipe.spec.values import ResourceName, Text

# An IAM action is `<service prefix>:<action>`; prefixes are lowercase letters, digits and `-` (`textract`,
# `sagemaker`, `execute-api`), actions letters and digits, `*` and `?` as wildcards (docs.aws.amazon.com/IAM/
# latest/UserGuide/reference_policies_elements_action.html)
IAM_ACTION = re.compile(r"[a-z0-9-]+:[A-Za-z0-9*?]+")
# arn:partition:service:region:account-id:resource (docs.aws.amazon.com/IAM/latest/UserGuide/reference-arns.html);
# region and account may be empty (S3, IAM) and any part may hold wildcards
ARN = re.compile(r"arn:(aws|aws-cn|aws-us-gov|aws-iso[a-z-]*|\*):[a-z0-9*?-]+:[a-z0-9*?-]*:([0-9]{12}|[*?]*):\S+")
# docs.aws.amazon.com/IAM/latest/UserGuide/reference_policies_elements_condition_operators.html: every operator
# but Null takes the IfExists suffix; multivalued keys take ForAllValues: / ForAnyValue:
_OPERATORS = frozenset(
    {
        *(
            f"String{op}"
            for op in ("Equals", "NotEquals", "EqualsIgnoreCase", "NotEqualsIgnoreCase", "Like", "NotLike")
        ),
        *(
            f"{kind}{op}"
            for kind in ("Numeric", "Date")
            for op in ("Equals", "NotEquals", "LessThan", "LessThanEquals", "GreaterThan", "GreaterThanEquals")
        ),
        "Bool",
        "BinaryEquals",
        "IpAddress",
        "NotIpAddress",
        *(f"Arn{op}" for op in ("Equals", "Like", "NotEquals", "NotLike")),
    }
)
CONDITION_OPERATORS = _OPERATORS | {operator + "IfExists" for operator in _OPERATORS} | {"Null"}
SET_OPERATOR_PREFIXES = ("ForAllValues:", "ForAnyValue:")
# condition keys: `aws:SourceArn`, `s3:prefix`, `aws:PrincipalTag/team`, `kms:EncryptionContext:purpose`
CONDITION_KEY = re.compile(r"[A-Za-z0-9-]+:[A-Za-z0-9_.:/-]+")
# cloud.google.com/iam/docs/understanding-roles: predefined `roles/...`, custom `projects/<id>/roles/...` and
# `organizations/<number>/roles/...`
GCP_ROLE = re.compile(
    r"roles/[A-Za-z0-9_.]+|projects/[a-z][a-z0-9-]{4,28}[a-z0-9]/roles/[A-Za-z0-9_.]+|organizations/[0-9]+/roles/[A-Za-z0-9_.]+"
)
# cloud.google.com/iam/help/conditions/resource-policies: the resource types whose allow policies accept conditional
# role bindings include Cloud Storage buckets and Resource Manager projects, and no Pub/Sub resource
CONDITIONAL_KINDS = frozenset({"bucket"})
# cloud.google.com/iam/docs/roles-overview#basic: owner, editor and viewer span every service of the project
GCP_BASIC_ROLES = frozenset({"roles/owner", "roles/editor", "roles/viewer"})

ConditionValue = Annotated[str, StringConstraints(max_length=2048)] | bool | int | float


class GcpCondition(StrictModel):
    """An IAM condition on a GCP grant (cloud.google.com/iam/docs/conditions-overview)."""

    title: Annotated[str, StringConstraints(min_length=1, max_length=100)]
    expression: Annotated[str, StringConstraints(min_length=1, max_length=12800)] = Field(
        description='A CEL expression, e.g. `resource.name.startsWith("projects/_/buckets/b/objects/in/")`.'
    )
    description: str | None = None


class Permission(StrictModel):
    """One extra permission. aws: an IAM Allow statement (`actions` on `resources`, optional `conditions`);
    gcp: a `role` granted on the project, or on a `resource` of the spec."""

    actions: list[Annotated[str, StringConstraints(max_length=128)]] | None = Field(
        None,
        min_length=1,
        max_length=100,
        description="(aws) IAM actions, `service:Action` (`textract:AnalyzeDocument`).",
    )
    resources: list[Text] | None = Field(
        None,
        min_length=1,
        max_length=100,
        description="(aws) ARNs the actions apply to; references allowed (`${table.arn}`, `${raw.arn}/in/*`); "
        "`*` only for actions without resource-level permissions (a warning, AP510).",
    )
    conditions: dict[str, dict[str, ConditionValue | list[ConditionValue]]] | None = Field(
        None,
        description="(aws) IAM conditions: operator → key → value(s), e.g. "
        "`{StringEquals: {aws:RequestedRegion: eu-west-1}}`; references allowed in values.",
    )
    role: str | None = Field(
        None, description="(gcp) A role: `roles/aiplatform.user`, or a custom `projects/<id>/roles/<name>`."
    )
    resource: ResourceName | None = Field(
        None, description="(gcp) Grant the role on this resource of the spec instead of the whole project."
    )
    condition: GcpCondition | None = Field(None, description="(gcp) An IAM condition on the grant.")


PermissionList = list[Permission]


def permissions_field() -> Any:
    """The `permissions:` field of the kinds that run code or jobs (function, workflow, dataflow)."""
    return Field(
        default_factory=empty_list,
        max_length=50,
        description="Extra access aipipe does not derive: aws IAM statements (`actions`, `resources`, `conditions`), "
        "gcp roles (`role`, optionally on a `resource` of the spec). Wildcards are AP510 warnings.",
    )


# what makes two IAM members of one member the same binding
BINDING = ("iam_class", "target_argument", "resource", "role", "condition")


def same_binding(grant: dict, other: dict) -> bool:
    """Whether two grants of one member are one GCP binding (role on a resource, under a condition): two IAM member
    resources of one binding would remove it for both when either is deleted, so one is made."""
    return all(grant.get(key) == other.get(key) for key in BINDING)


_AWS_FIELDS = ("actions", "resources", "conditions")
_GCP_FIELDS = ("role", "resource", "condition")


def permission_links(permissions: list[Permission]) -> Iterator[Link]:
    """The resource of the spec each GCP grant is on (which kinds take one is checked by `check_permissions`)."""
    for position, permission in enumerate(permissions):
        if permission.resource:
            yield Link(permission.resource, ("permissions", position, "resource"), ANY_TYPE, "permission")


def check_permissions(ctx: CheckContext, name: str, permissions: list[Permission], grantable: tuple[str, ...]) -> None:
    """Each permission has the shape of the spec's cloud; actions, ARNs, condition operators and keys and roles
    are well-formed. `grantable`: the kinds a GCP role may be granted on."""
    for position, permission in enumerate(permissions):
        here = ("permissions", position)
        fields = permission.model_fields_set
        own, other = (_AWS_FIELDS, _GCP_FIELDS) if ctx.cloud == "aws" else (_GCP_FIELDS, _AWS_FIELDS)
        for field_name in other:
            if field_name in fields:
                ctx.report(
                    "AP205",
                    f"`{field_name}` is a permission field of {'gcp' if ctx.cloud == 'aws' else 'aws'}; on "
                    f"{ctx.cloud} a permission has {', '.join(f'`{f}`' for f in own)}",
                    ctx.at(name, *here, field_name),
                    True,
                )
        if ctx.cloud == "aws":
            _check_aws(ctx, name, here, permission)
        elif ctx.cloud == "gcp":
            _check_gcp(ctx, name, here, permission, grantable)


def _check_aws(ctx: CheckContext, name: str, here: tuple, permission: Permission) -> None:
    if not permission.actions or not permission.resources:
        missing = " and ".join(f"`{f}`" for f in ("actions", "resources") if not getattr(permission, f))
        ctx.report(
            "AP410",
            f"an AWS permission needs {missing}: `{{actions: [textract:AnalyzeDocument], resources: ['*']}}`",
            ctx.at(name, *here),
            True,
        )
    for position, action in enumerate(permission.actions or ()):
        if not IAM_ACTION.fullmatch(action):
            ctx.report(
                "AP410",
                f"`{action}` is not an IAM action; write `service:Action` (`s3:GetObject`, `textract:AnalyzeDocument`)",
                ctx.at(name, *here, "actions", position),
            )
    for position, resource in enumerate(permission.resources or ()):
        references = parse_references(resource)
        literal = not references
        # an ARN written out may name resources inside it (`arn:...:crawler/${crawler.name}`); otherwise the text
        # must begin with a resource's ARN (`${raw.arn}/in/*`), not its URL or name
        first = references[0] if references and resource.startswith("${") else None
        if first is not None and first.form == "resource" and not first.attribute.endswith("arn"):
            ctx.report(
                "AP410",
                f"{first.text} is no ARN (IAM refuses a policy naming a URL or a name as a resource); use the "
                "resource's `arn` (`${queue.arn}`), or build the ARN with `${partition}`, `${region}` and `${account}`",
                ctx.at(name, *here, "resources", position),
            )
        elif literal and resource != "*" and not ARN.fullmatch(resource):
            ctx.report(
                "AP410",
                f"`{resource}` is not an ARN; write `arn:aws:<service>:<region>:<account>:<resource>`, a reference "
                "such as `${table.arn}` or `arn:${partition}:glue:${region}:${account}:job/etl`, or `*`",
                ctx.at(name, *here, "resources", position),
            )
    for operator, keys in (permission.conditions or {}).items():
        if _without_set_prefix(operator) not in CONDITION_OPERATORS:
            ctx.report(
                "AP410",
                f"`{operator}` is not an IAM condition operator{did_you_mean(operator, CONDITION_OPERATORS)} "
                "(StringEquals, StringLike, ArnLike, NumericLessThan, Bool, IpAddress, Null, ..., optionally with "
                "IfExists or ForAnyValue:/ForAllValues:)",
                ctx.at(name, *here, "conditions", operator),
                True,
            )
        for key in keys:
            if not CONDITION_KEY.fullmatch(key):
                ctx.report(
                    "AP410",
                    f"`{key}` is not an IAM condition key; write `service:key` (`aws:SourceArn`, `s3:prefix`)",
                    ctx.at(name, *here, "conditions", operator, key),
                    True,
                )


def _without_set_prefix(operator: str) -> str:
    for prefix in SET_OPERATOR_PREFIXES:
        if operator.startswith(prefix):
            return operator[len(prefix) :]
    return operator


def _check_gcp(ctx: CheckContext, name: str, here: tuple, permission: Permission, grantable: tuple[str, ...]) -> None:
    if permission.role is None:
        ctx.report(
            "AP410", "a GCP permission needs a `role`: `{role: roles/aiplatform.user}`", ctx.at(name, *here), True
        )
    elif not GCP_ROLE.fullmatch(permission.role):
        ctx.report(
            "AP410",
            f"`{permission.role}` is not a GCP role; write `roles/<service>.<role>` or a custom "
            "`projects/<project>/roles/<name>`",
            ctx.at(name, *here, "role"),
        )
    target_type = ctx.types.get(permission.resource or "")
    if permission.condition is not None and target_type and target_type not in CONDITIONAL_KINDS:
        ctx.report(
            "AP410",
            f"a {target_type}'s IAM policy takes no conditional role binding (cloud.google.com/iam/help/conditions/"
            f"resource-policies lists no Pub/Sub resource); drop `condition`, or grant on the project",
            ctx.at(name, *here, "condition"),
            True,
        )
    if target_type and target_type not in grantable:
        ctx.report(
            "AP305",
            f"`{permission.resource}` is a {target_type}, on which aipipe cannot grant a role; grant on the project "
            f"(remove `resource`) or on a {', '.join(grantable)}",
            ctx.at(name, *here, "resource"),
        )


def permissions_policy(permissions: list[Permission]) -> Json | None:
    """The policy document of a resource's AWS permissions (None without any), references as symbols."""
    return policy_document(merge(aws_statements(permissions))) if permissions else None


def aws_statements(permissions: list[Permission]) -> list[dict]:
    """The IAM statements the permissions add, their references as symbols."""
    found = []
    for permission in permissions:
        item: dict = {
            "Effect": "Allow",
            "Action": list(permission.actions or ()),
            "Resource": [symbolic(resource) for resource in permission.resources or ()],
        }
        if permission.conditions:
            item["Condition"] = symbolic_data(permission.conditions)
        found.append(item)
    return found


def _is_broad_arn(resource: str) -> bool:
    """An ARN whose resource part is only a wildcard, or a resource type and a wildcard (`arn:aws:s3:::*`,
    `arn:aws:glue:*:*:*`, `...:table/*`): it names no resource in particular. S3 ARNs have no resource type, so
    `arn:aws:s3:::bucket/*` (the objects of one bucket) is narrow, as is `arn:aws:s3:::bucket/in/*`."""
    parts = resource.split(":", 5)
    if len(parts) < 6 or parts[0] != "arn":
        return False
    if parts[5] in ("*", "*/*"):
        return True
    return parts[2] != "s3" and re.fullmatch(r"[A-Za-z0-9_-]+[/:]\*", parts[5]) is not None


def gcp_grants(inputs: Any, owner: str, permissions: list[Permission], member: Any, derived: list[dict]) -> list[dict]:
    """One IAM member of `member` per permission of resource `owner`: the role on the project or on the resource
    it names (`inputs.grant`, aipipe.kinds.base.RenderInputs), with its condition; none for a binding one of the
    `derived` grants already makes (two IAM members of one binding remove it for both when either is deleted)."""
    found = []
    for position, permission in enumerate(permissions):
        grant = inputs.grant(permission.resource, permission.role)
        if permission.condition:
            grant["condition"] = symbolic_data(permission.condition.model_dump(exclude_none=True))
        if any(same_binding(grant, made) for made in derived):
            continue
        variable = Child(owner, f"permission_{position}")
        found.append({"name": f"{owner}-permission-{position}", "member": member, "variable": variable, **grant})
    return found


def is_broad(permission: Permission, cloud: str | None) -> list[tuple[tuple, str]]:
    """Where a permission grants broadly on `cloud`, as (relative path, why): wildcard actions, a `*` resource
    (aws), basic roles (gcp)."""
    found: list[tuple[tuple, str]] = []
    if cloud == "gcp":
        if permission.role in GCP_BASIC_ROLES:
            found.append((("role",), f"`{permission.role}` is a basic role: it spans every service of the project"))
        return found
    for position, action in enumerate(permission.actions or ()):
        if "*" in action or "?" in action:
            found.append((("actions", position), f"`{action}` is a wildcard: it allows every matching action"))
    for position, resource in enumerate(permission.resources or ()):
        if resource == "*":
            found.append((("resources", position), "`*` applies the actions to every resource of the account"))
        elif _is_broad_arn(resource):
            found.append((("resources", position), f"`{resource}` matches every resource of its service"))
    return found

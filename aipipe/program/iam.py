"""Least-privilege IAM policy statements, generated from `reads`, `writes` and triggers: exact actions on
exact ARNs (bucket access narrowed to a key prefix when the spec gives one). No `*` action, and no `*`
resource except where AWS offers nothing narrower (log delivery for Step Functions)."""

from __future__ import annotations

import json

from aipipe.codegen.expressions import attribute_expression
from aipipe.codegen.safe import Code, literal

# (resource type, access) -> actions. Reading a bucket lists only within the prefix (see _bucket_statements).
ACTIONS: dict[tuple[str, str], list[str]] = {
    ("bucket", "reads"): ["s3:GetObject"],
    ("bucket", "writes"): ["s3:PutObject", "s3:AbortMultipartUpload"],
    ("subscription", "reads"): ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:ChangeMessageVisibility",
                                "sqs:GetQueueAttributes"],
    # no kinesis:SubscribeToShard: that is for enhanced fan-out consumers, which aipipe does not create
    ("stream", "reads"): ["kinesis:DescribeStream", "kinesis:DescribeStreamSummary", "kinesis:GetRecords",
                          "kinesis:GetShardIterator", "kinesis:ListShards"],
    ("stream", "writes"): ["kinesis:PutRecord", "kinesis:PutRecords"],
    ("topic", "writes"): ["sns:Publish"],
}


def concat(*parts: str | Code) -> Code:
    """`pulumi.Output.concat(...)` of literals and expressions."""
    return Code("pulumi.Output.concat(" + ", ".join(literal(part) for part in parts) + ")")


def arn_of(spec, name: str) -> Code:
    resource = spec.resources[name]
    return attribute_expression(spec.cloud, resource.type, name, "arn", resource)


def access_statements(spec, target: str, access: str, prefix: str = "") -> list[dict]:
    """Statements that let a principal `access` (reads | writes) resource `target`."""
    resource = spec.resources[target]
    actions = ACTIONS.get((resource.type, access))
    if not actions:
        return []
    arn = arn_of(spec, target)
    if resource.type != "bucket":
        return [{"Effect": "Allow", "Action": actions, "Resource": [arn]}]
    statements = [{"Effect": "Allow", "Action": actions, "Resource": [concat(arn, f"/{prefix}*")]}]
    if access == "reads":
        listing: dict = {"Effect": "Allow", "Action": ["s3:ListBucket"], "Resource": [arn]}
        if prefix:
            listing["Condition"] = {"StringLike": {"s3:prefix": [f"{prefix}*"]}}
        statements.append(listing)
    return statements


def policy_document(statements: list[dict]) -> Code:
    """The policy as `pulumi.Output.json_dumps(...)`, so ARNs that are Outputs resolve inside it."""
    return Code("pulumi.Output.json_dumps(" + literal({"Version": "2012-10-17", "Statement": statements}) + ")")


def trust_policy(service: str) -> str:
    """The assume-role policy letting an AWS service (`lambda.amazonaws.com`) take a role, as JSON text."""
    return json.dumps({"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Principal": {"Service": service}, "Action": "sts:AssumeRole"}]})


def merge(statements: list[dict]) -> list[dict]:
    """Statements with the same effect, resources and condition folded into one, actions de-duplicated."""
    merged: dict[str, dict] = {}
    for statement in statements:
        key = literal({k: v for k, v in statement.items() if k != "Action"})
        if key in merged:
            merged[key]["Action"] = sorted(set(merged[key]["Action"]) | set(statement["Action"]))
        else:
            merged[key] = {**statement, "Action": sorted(set(statement["Action"]))}
    return list(merged.values())

"""AWS IAM documents as data: statements on symbolic ARNs, merged and wrapped as a policy document, and trust
policies. Least privilege is the rule: exact actions on exact resources, no `*` action, and a `*` resource
only where AWS offers nothing narrower (callers say why beside it)."""

from __future__ import annotations

import json
from typing import Any

from aipipe.semantics.symbols import Json

POLICY_VERSION = "2012-10-17"


def statement(actions: list[str], resources: list[Any], condition: dict | None = None) -> dict:
    """An Allow statement: `actions` on `resources` (ARNs, usually symbols), optionally conditioned."""
    found: dict = {"Effect": "Allow", "Action": actions, "Resource": resources}
    if condition:
        found["Condition"] = condition
    return found


def service_may_send(principal: str, queue_arn: Any, source_arns: Any, account: Any = None) -> dict:
    """A queue policy statement: an AWS service (SNS, S3) may send to the queue, on behalf of the given sources
    only (aws:SourceArn: one ARN or a list), and with `account` only for sources owned by that account
    (aws:SourceAccount: an S3 bucket's ARN names no account, docs.aws.amazon.com/AmazonS3/latest/userguide/
    grant-destinations-permissions-to-s3.html)."""
    condition: dict = {"ArnEquals": {"aws:SourceArn": source_arns}}
    if account is not None:
        condition["StringEquals"] = {"aws:SourceAccount": account}
    return {
        "Effect": "Allow",
        "Principal": {"Service": principal},
        "Action": ["sqs:SendMessage"],
        "Resource": [queue_arn],
        "Condition": condition,
    }


def merge(statements: list[dict]) -> list[dict]:
    """Statements with the same effect, resources and condition folded into one, actions de-duplicated and
    sorted; first appearance decides the order."""
    merged: dict[str, dict] = {}
    for item in statements:
        key = repr({k: v for k, v in item.items() if k != "Action"})
        if key in merged:
            merged[key]["Action"] = sorted(set(merged[key]["Action"]) | set(item["Action"]))
        else:
            merged[key] = {**item, "Action": sorted(set(item["Action"]))}
    return list(merged.values())


def policy_document(statements: list[dict]) -> Json:
    """The policy document (its ARNs resolve when deployed)."""
    return Json({"Version": POLICY_VERSION, "Statement": statements})


def trust_policy(principal: str, condition: dict | None = None) -> Any:
    """The assume-role policy letting an AWS service principal (`lambda.amazonaws.com`) take a role; with a
    `condition` (aws:SourceAccount / aws:SourceArn against the confused deputy: docs.aws.amazon.com/IAM/latest/
    UserGuide/confused-deputy.html) a document whose values may resolve at deploy time."""
    trust: dict = {"Effect": "Allow", "Principal": {"Service": principal}, "Action": "sts:AssumeRole"}
    if condition:
        return Json({"Version": POLICY_VERSION, "Statement": [{**trust, "Condition": condition}]})
    return json.dumps({"Version": POLICY_VERSION, "Statement": [trust]})

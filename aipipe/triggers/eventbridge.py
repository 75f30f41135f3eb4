"""The EventBridge route (aws): a rule on the default event bus of the source's region, matching S3 object events
(or firing on a schedule), with a target. aipipe takes it to start a workflow (the state machine as target,
through a role EventBridge assumes) and to start a function from a bucket it does not own (an `existing` bucket,
whose notification configuration aipipe never writes).

The facts it rests on:
- With EventBridge delivery on, S3 sends every `Object Created` and `Object Deleted` event of the bucket, with
  source `aws.s3`, `detail.bucket.name` and `detail.object.key` (docs.aws.amazon.com/AmazonS3/latest/userguide/
  EventBridge.html and ev-events.html), to the default event bus of the bucket's region (the event's `region`).
- A rule sees the events of its own region and starts targets there: only an event bus may be a target in
  another region (repost.aws/knowledge-center/use-eventbridge-rule-across-regions; PutTargets lists "Event bus
  in a different account or Region" as the one cross-region target).
- A state machine target needs a role (pulumi-aws cloudwatch.EventTarget `role_arn`: "Required if ... Step
  Functions state machine") allowed states:StartExecution (docs.aws.amazon.com/eventbridge/latest/userguide/
  eb-use-identity-based.html). Its trust policy names the rule (aws:SourceArn) and the account
  (aws:SourceAccount), as docs.aws.amazon.com/eventbridge/latest/userguide/cross-service-confused-deputy-
  prevention.html recommends ("For EventBridge event bus rule targets, the value of aws:SourceArn must be the
  rule ARN").
- An event pattern is at most 2048 characters unless the quota is raised, to 4096 at most (pulumi-aws
  cloudwatch.EventRule `event_pattern`, citing docs.aws.amazon.com/eventbridge/latest/userguide/eb-quota.html;
  terraform-provider-aws internal/service/events/rule.go refuses a pattern above 4096).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from aipipe.clouds.aws import AWS
from aipipe.semantics.iam import policy_document, statement, trust_policy
from aipipe.semantics.keys import KeyPattern, eventbridge_key_filter, wildcard_literal
from aipipe.semantics.symbols import Attr, Child, Concat, Deployment, Json
from aipipe.spec.references import split_text, symbolic
from aipipe.triggers.base import TriggerUse

S3_DETAIL_TYPES = {"created": "Object Created", "deleted": "Object Deleted"}
PATTERN_LIMIT = 2048
PATTERN_QUOTA_MAX = 4096
MAX_BUCKET_NAME = 63  # docs.aws.amazon.com/AmazonS3/latest/userguide/bucketnamingrules.html

# Why a rule and what it starts share the bucket's region (the reason `same region` errors give).
SAME_REGION = (
    "S3 delivers a bucket's events to EventBridge in the bucket's region only, and an EventBridge rule starts "
    "targets of its own region only"
)


def bucket_via_eventbridge(resources: Mapping[str, Any], use: TriggerUse) -> bool:
    """Whether a bucket trigger reaches its target through EventBridge rather than an S3 notification: a
    workflow always (S3 notifications cannot start a state machine), a function (or a queue, which validation
    refuses) when the bucket is `existing` (aipipe never writes the notification configuration of a bucket it
    does not own)."""
    bucket = resources.get(use.trigger.bucket)
    return getattr(use.target, "type", None) not in ("function", "queue") or bool(getattr(bucket, "existing", None))


def rule_name(use: TriggerUse) -> str:
    """The logical name of the rule of a trigger, and the base of its companions' names: `<owner>-trigger-<n>`.
    Short on purpose: with Pulumi's random suffix a role name stays within IAM's 64 characters."""
    return f"{use.owner}-trigger-{use.position}"


def rule(use: TriggerUse) -> Child:
    """The rule a trigger's wiring creates, as a child of its target."""
    return Child(use.owner, f"trigger_{use.position}")


def _key_values(trigger) -> list:
    """The `detail.object.key` values of the pattern. Keys written out in full match exactly as S3 would filter
    them (aipipe.semantics.keys); with a reference (`${stack}/incoming/`) prefix and suffix both set, the wildcard
    alone is used: references resolve to names and ARNs, which hold no `*` or `\\` to escape."""
    prefix, suffix = trigger.prefix or "", trigger.suffix or ""
    if all(isinstance(part, str) for part in split_text(prefix) + split_text(suffix)):
        return eventbridge_key_filter(KeyPattern(symbolic(prefix), symbolic(suffix)))
    if not suffix:
        return [{"prefix": symbolic(prefix)}]
    if not prefix:
        return [{"suffix": symbolic(suffix)}]
    escaped = [wildcard_literal(part) if isinstance(part, str) else part for part in _parts(prefix)]
    escaped += ["*"] + [wildcard_literal(part) if isinstance(part, str) else part for part in _parts(suffix)]
    return [{"wildcard": Concat(*escaped)}]


def _parts(text: str) -> list:
    found = symbolic(text)
    return list(found.parts) if isinstance(found, Concat) else [found]


def s3_event_pattern(trigger) -> dict:
    """The pattern of a bucket trigger: S3's events of that bucket, of the trigger's kinds, for its keys."""
    detail: dict = {"bucket": {"name": [Attr(trigger.bucket, "name")]}}
    keys = _key_values(trigger)
    if keys:
        detail["object"] = {"key": keys}
    return {"source": ["aws.s3"], "detail-type": [S3_DETAIL_TYPES[event] for event in trigger.events], "detail": detail}


def pattern_size(trigger, bucket_name: str | None) -> int | None:
    """The length of a bucket trigger's pattern as EventBridge receives it, counting a generated bucket name
    at S3's longest; None when references make it unknowable here."""
    pattern = s3_event_pattern(trigger)
    name = bucket_name or "b" * MAX_BUCKET_NAME
    pattern["detail"]["bucket"]["name"] = [name]
    try:
        return len(json.dumps(pattern, separators=(",", ":")))
    except TypeError:  # a symbol from a reference
        return None


def service_trust(principal: str, source_arn: Any = None) -> Json:
    """A trust policy letting an AWS service assume a role on behalf of this account only (aws:SourceAccount)
    and, when its ARN is known before the role, of one resource only (aws:SourceArn)."""
    condition: dict = {"StringEquals": {"aws:SourceAccount": Deployment("aws_account_id")}}
    if source_arn is not None:
        condition["ArnEquals"] = {"aws:SourceArn": source_arn}
    return trust_policy(principal, condition)


def start_execution(workflow: str) -> dict:
    """What starts a state machine: StartExecution on that one state machine (for express workflows too:
    EventBridge and pipes start them asynchronously with the same action)."""
    return statement(["states:StartExecution"], [Attr(workflow, "arn")])


def workflow_target(use: TriggerUse) -> dict:
    """The values of a rule that starts the workflow `use.owner`: the role EventBridge assumes for this rule
    alone, allowed to start this state machine alone."""
    base = rule_name(use)
    return {
        "position": use.position,
        "rule": rule(use),
        "rule_name": base,
        "role": Child(use.owner, f"trigger_{use.position}_role"),
        "policy": Child(use.owner, f"trigger_{use.position}_policy"),
        "trust_policy": service_trust(AWS.principals["events"], Child(use.owner, f"trigger_{use.position}", "arn")),
        "role_policy": policy_document([start_execution(use.owner)]),
    }

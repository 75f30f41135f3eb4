"""`queue` (aws): an SQS queue of its own — standard or FIFO, encrypted (SSE-SQS by default, or a customer-managed
KMS key), optionally dead-lettering to another queue of the spec, and filled by bucket events (`triggers`).

GCP has no faithful equivalent: a Pub/Sub topic with a pull subscription has no visibility timeout of up to 12 h,
no delivery delay and no FIFO order per queue, so the kind exists on aws only (AP204 on gcp; use a `topic` and a
`subscription` there).

Sources for the limits (pulumi-aws 7 sqs.Queue docstrings, from SetQueueAttributes):
- visibility_timeout_seconds "An integer from 0 to 43200 (12 hours). The default for this attribute is 30."
- message_retention_seconds "from 60 (1 minute) to 1209600 (14 days). The default ... 345600 (4 days)."
- delay_seconds "An integer from 0 to 900 (15 minutes). The default ... 0 seconds."
- name "For a FIFO (first-in-first-out) queue, the name must end with the `.fifo` suffix": pulumi-aws names a
  queue with `fifo_queue` itself (provider/resources.go, aws_sqs_queue auto-name PostTransform adds `.fifo`).
- The dead-letter queue "must be the same type of queue (FIFO or standard) as the source queue" and "created
  using the same AWS account and region as the source queue" (docs.aws.amazon.com/sdk-for-java/v1/
  developer-guide/examples-sqs-dead-letter-queues.html; the SQS console: "a FIFO queue can only use a FIFO DLQ").
- maxReceiveCount "valid range: 1 to 1,000" (docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/
  sqs-configure-dead-letter-queue.html, which also says "a FIFO queue can only use a FIFO DLQ").
- A redrive allow policy `byQueue` names at most 10 source queues (aws_cdk.aws_sqs.RedriveAllowPolicy
  source_queues: "You can specify up to 10 source queues").
"""

from __future__ import annotations

from functools import partial
from typing import Annotated, Literal

from pydantic import Field

from aipipe.core.diagnostics import Severity
from aipipe.kinds.base import CloudForm, GraphShape, Kind, arn_statement, check_kms_key, kms_key_links, kms_key_value
from aipipe.semantics.delivery import LIMITS, SQS_CONSUMER_ACTIONS
from aipipe.semantics.iam import merge, policy_document
from aipipe.semantics.kms import key_statements
from aipipe.semantics.symbols import Attr, Child, Json, Options
from aipipe.spec.context import CheckContext
from aipipe.spec.links import Link
from aipipe.spec.model import ResourceBase, StrictModel, empty_list, region_of
from aipipe.spec.parts import ProgramPart
from aipipe.spec.values import Duration, ResourceName, duration_between
from aipipe.triggers.base import TriggerUse
from aipipe.triggers.registry import Trigger, trigger_kind
from aipipe.triggers.uses import check_repeated_triggers, check_same_region, check_wired, trigger_links, uses_of

VISIBILITY_RANGE = (0, 12 * 3600)
RETENTION_RANGE = LIMITS["aws"].retention_range  # 60 s to 14 d, as for a subscription's queue
DELAY_RANGE = (0, 900)
MAX_RECEIVES_RANGE = (1, 1000)
MAX_REDRIVE_SOURCES = 10


class QueueDeadLetter(StrictModel):
    """Where messages go after too many receives: another queue of the spec (SQS redrive policy)."""

    queue: ResourceName = Field(
        description="The dead-letter queue: a `queue` of this spec, of the same type (FIFO or standard) and region. "
        "It accepts only the queues of the spec that name it (a redrive allow policy)."
    )
    max_receives: Annotated[int, Field(ge=MAX_RECEIVES_RANGE[0], le=MAX_RECEIVES_RANGE[1])] = Field(
        5, description="Receives of a message before it moves to the dead-letter queue (1-1000, default 5)."
    )


class Queue(ResourceBase):
    """An SQS queue (aws only: GCP has no queue with visibility timeouts and delays; use topic + subscription)."""

    type: Literal["queue"]
    # "set the source queue's visibility timeout to at least six times the configuration timeout on your function"
    # (docs.aws.amazon.com/lambda/latest/dg/services-sqs-configure.html); only "less than or equal" is enforced
    visibility_timeout: Annotated[Duration, duration_between(*VISIBILITY_RANGE)] = Field(
        30,
        description="How long a received message stays hidden from other consumers: 0s to 12h (default 30s). A "
        "function it triggers must not run longer (AWS recommends six times the function's timeout).",
    )
    retention: Annotated[Duration, duration_between(*RETENTION_RANGE)] = Field(
        LIMITS["aws"].default_retention, description="How long an unreceived message is kept: 1m to 14d (default 4d)."
    )
    delay: Annotated[Duration, duration_between(*DELAY_RANGE)] = Field(
        0, description="Every message becomes visible this long after it is sent: 0s to 15m (default 0s)."
    )
    fifo: bool = Field(
        False,
        description="A FIFO queue: order per message group and deduplication (its name ends in `.fifo`). S3 cannot "
        "send bucket events to one.",
    )
    content_deduplication: bool = Field(
        False,
        description="With `fifo`: deduplicate by a SHA-256 of the body, so senders need no MessageDeduplicationId.",
    )
    dead_letter: QueueDeadLetter | None = None
    encryption: Literal["sqs", "kms"] = Field(
        "sqs",
        description="At rest: `sqs` SQS-managed keys (SSE-SQS, no KMS permissions needed), `kms` the customer-managed "
        "`kms_key` (senders and consumers get grants on it; S3 sending bucket events needs the key's policy).",
    )
    kms_key: str | None = Field(
        None,
        description="With `encryption: kms`: a `key` of the spec by name, or an existing key's ARN, in the "
        "queue's region.",
    )
    triggers: list[Trigger] = Field(
        default_factory=empty_list,
        max_length=50,
        description="What fills the queue: bucket events (`{bucket: raw, prefix: in/, events: [created]}`), or "
        "every message of an SNS topic (`{topic: events}`: a subscription, in SNS's JSON envelope).",
    )


def check(ctx: CheckContext, name: str, queue: Queue) -> None:
    """Key with kms, deduplication with FIFO, the dead letter's type, region and itself, and the triggers."""
    if ctx.cloud != "aws":
        return  # a queue exists on aws only (AP204 at `type`): its fields' rules would only add noise
    if queue.kms_key and queue.encryption != "kms":
        ctx.report("AP403", "`kms_key` needs `encryption: kms`", ctx.at(name, "kms_key"), True)
    if queue.encryption == "kms" and not queue.kms_key:
        ctx.report(
            "AP403", "`encryption: kms` needs `kms_key` (a customer-managed key's ARN)", ctx.at(name, "encryption")
        )
    check_kms_key(ctx, name, queue)
    if queue.content_deduplication and not queue.fifo:
        ctx.report(
            "AP403",
            "`content_deduplication` applies to FIFO queues only: add `fifo: true` or remove it",
            ctx.at(name, "content_deduplication"),
        )
    _check_dead_letter(ctx, name, queue)
    _check_triggers(ctx, name, queue)


def _check_dead_letter(ctx: CheckContext, name: str, queue: Queue) -> None:
    dead_letter = queue.dead_letter
    if dead_letter is None:
        return
    path = ctx.at(name, "dead_letter", "queue")
    if dead_letter.queue == name:
        ctx.report("AP403", "a queue cannot be its own dead-letter queue; name another `queue`", path)
        return
    target = ctx.checkable().get(dead_letter.queue)
    if getattr(target, "type", None) != "queue":
        return  # a missing or wrong-typed name is the references' check (AP301)
    if target.fifo != queue.fifo:
        kinds = ("FIFO", "standard") if queue.fifo else ("standard", "FIFO")
        ctx.report(
            "AP403",
            f"this is a {kinds[0]} queue and `{dead_letter.queue}` a {kinds[1]} one: SQS needs a dead-letter queue of "
            "the same type",
            path,
        )
    # "must be created using the same AWS account and region as the source queue" (the SDK guide cited above); the
    # current SQS guide (sqs-dead-letter-queues.html) words it as a best practice "for optimal performance"
    home = ctx.data.get("region")
    if region_of(target, home) != region_of(queue, home):
        ctx.report(
            "AP406",
            f"`{dead_letter.queue}` is in {region_of(target, home)} and this queue in {region_of(queue, home)}: SQS "
            "needs the dead-letter queue in the source queue's region",
            path,
        )
    sources = redrive_sources(ctx.checkable(), dead_letter.queue)
    if len(sources) > MAX_REDRIVE_SOURCES and sources[MAX_REDRIVE_SOURCES] == name:
        ctx.report(
            "AP402",
            f"`{dead_letter.queue}` is the dead-letter queue of more than {MAX_REDRIVE_SOURCES} queues, the most its "
            "redrive allow policy can name; give some of them another dead-letter queue",
            path,
        )


def _check_triggers(ctx: CheckContext, name: str, queue: Queue) -> None:
    if ctx.cloud != "aws":
        return
    uses = list(uses_of(name, queue))
    check_repeated_triggers(ctx, uses, "queue")
    for use in uses:
        if not check_wired(ctx, use, "queue", "start a function from the source and let it send to the queue"):
            continue
        trigger_kind(use.trigger).check(ctx, use)
        check_same_region(ctx, use, "queue")
        if trigger_kind(use.trigger).key == "topic":
            _check_topic_source(ctx, queue, use)
        else:
            _check_bucket_source(ctx, queue, use)


def _check_key_policy(ctx: CheckContext, queue: Queue, service: str, principal: str, path) -> None:
    """A service sending to a KMS-encrypted queue needs the key's policy to let it use the key, which aipipe does
    not write: a warning at the trigger."""
    if queue.encryption == "kms":
        ctx.report(
            "AP407",
            f"{service} can send to this KMS-encrypted queue only if the key's policy allows the service principal "
            f"{principal} kms:GenerateDataKey and kms:Decrypt, which aipipe does not write: add that statement to "
            "the key policy, or use `encryption: sqs`",
            path,
            severity=Severity.WARNING,
        )


def _check_topic_source(ctx: CheckContext, queue: Queue, use: TriggerUse) -> None:
    """A standard SNS topic (aipipe's topics are) delivers to standard queues only, and to a KMS-encrypted queue
    only when the key's policy lets SNS use the key (docs.aws.amazon.com/sns/latest/dg/sns-sqs-as-subscriber.html:
    "Amazon SNS FIFO topics can only deliver messages to Amazon SQS FIFO queues" and standard topics to standard
    queues; docs.aws.amazon.com/sns/latest/dg/sns-enable-encryption-for-topic-sqs-queue-subscriptions.html: the
    key policy must allow sns.amazonaws.com kms:GenerateDataKey and kms:Decrypt)."""
    path = use.path + ("topic",)
    if queue.fifo:
        ctx.report("AP407", "a standard SNS topic delivers to standard queues only, and this queue is FIFO", path)
    _check_key_policy(ctx, queue, "SNS", "sns.amazonaws.com", path)


def _check_bucket_source(ctx: CheckContext, queue: Queue, use: TriggerUse) -> None:
    """S3 sends notifications to standard queues only, and to a KMS-encrypted one only when the key's policy lets
    it (docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-properties-s3-bucket-queueconfiguration.html:
    "FIFO queues are not allowed"; docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/
    sqs-key-management.html, "Configure KMS permissions for AWS services": the service needs kms:GenerateDataKey
    and kms:Decrypt in the key policy, which aipipe does not write)."""
    path = use.path + ("bucket",)
    if queue.fifo:
        ctx.report("AP407", "S3 sends bucket events to standard queues only, and this queue is FIFO", path)
    _check_key_policy(ctx, queue, "S3", "s3.amazonaws.com", path)
    bucket = ctx.checkable().get(use.trigger.bucket)
    if getattr(bucket, "existing", None):
        ctx.report(
            "AP407",
            f"`{use.trigger.bucket}` is an existing bucket, whose one notification configuration aipipe never writes "
            "(it would replace its owner's); a queue is filled from buckets of this spec only — trigger a function "
            "from the bucket and let it send to the queue",
            path,
        )


def links(queue: Queue):
    """The dead-letter queue, and each trigger's source."""
    if queue.dead_letter is not None:
        yield Link(queue.dead_letter.queue, ("dead_letter", "queue"), ("queue",), "dead_letter")
    yield from trigger_links(queue)
    yield from kms_key_links(queue)


def redrive_sources(resources: dict, dead_letter_queue: str) -> list[str]:
    """The queues of the spec whose dead-letter queue is `dead_letter_queue`, in the order they are written."""
    return [
        name
        for name, resource in resources.items()
        if getattr(resource, "type", None) == "queue"
        and resource.dead_letter is not None
        and resource.dead_letter.queue == dead_letter_queue
    ]


def aws_values(job, name: str, queue: Queue) -> dict:
    """The SQS template's values: limits in seconds, the FIFO switches, the key, the redrive policy, and the queue
    policy letting each trigger's source (S3) send."""
    wirings = [trigger_kind(use.trigger).wiring[("aws", "queue")](job.spec, use) for use in uses_of(name, queue)]
    statements = merge([wiring["statement"] for wiring in wirings])  # one per bucket, however many prefixes
    dead_letter = queue.dead_letter
    return {
        "visibility_timeout": queue.visibility_timeout,
        "retention": queue.retention,
        "delay": queue.delay,
        "fifo": queue.fifo,
        "content_deduplication": queue.content_deduplication if queue.fifo else None,
        "kms_key": kms_key_value(queue.kms_key, "arn") if queue.encryption == "kms" else None,
        "redrive": {"deadLetterTargetArn": Attr(dead_letter.queue, "arn"), "maxReceiveCount": dead_letter.max_receives}
        if dead_letter
        else None,
        "queue_policy": policy_document(statements) if statements else None,
        "triggers": [wiring for wiring in wirings if "template" in wiring],
    }


def _parts(cloud: str, spec) -> list[ProgramPart]:
    """One redrive allow policy per dead-letter queue, naming exactly the queues that use it. A part of its own:
    each source's redrive policy names the dead-letter queue, so the dead-letter queue's template cannot name
    the sources back (a cycle)."""
    if cloud != "aws":
        return []
    targets = dict.fromkeys(r.dead_letter.queue for r in spec.resources.values() if r.type == "queue" and r.dead_letter)
    return [
        ProgramPart(
            "queue/aws-redrive-allow.py.j2",
            {
                "queue": target,
                "queue_url": Child(target, "queue", "url"),
                "policy": Json(
                    {
                        "redrivePermission": "byQueue",
                        "sourceQueueArns": [Attr(source, "arn") for source in redrive_sources(spec.resources, target)],
                    }
                ),
                "options": Options(target, provider_of=target, top_level=True),
            },
        )
        for target in targets
    ]


def _aws_access(role: str, actions: list[str], name: str, queue: Queue, prefix: str) -> list[dict]:
    """The queue's actions, and with a customer-managed key what SQS needs of the caller on it."""
    key = queue.kms_key if queue.encryption == "kms" else None
    return arn_statement(actions, name, queue, prefix) + key_statements("sqs", role, key)


# SendMessage covers SendMessageBatch, as DeleteMessage and ChangeMessageVisibility their batch versions
# (docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-batch-api.html: "setting permissions for
# SendMessage ... sets permissions for the corresponding batch versions"); GetQueueUrl lets a sender find the
# queue by name (its URL is also `${name.url}`)
SENDER_ACTIONS = ["sqs:GetQueueUrl", "sqs:SendMessage"]

KIND = Kind(
    name="queue",
    model=Queue,
    clouds={
        "aws": CloudForm(
            "SQS queue",
            {"name": ("queue", "name"), "arn": ("queue", "arn"), "url": ("queue", "url")},
            values=aws_values,
            access={
                "reads": partial(_aws_access, "reads", SQS_CONSUMER_ACTIONS),
                "writes": partial(_aws_access, "writes", SENDER_ACTIONS),
            },
        ),
    },
    graph=GraphShape(('[/"', '"/]'), "parallelogram"),
    links=links,
    check=check,
    parts=_parts,
)

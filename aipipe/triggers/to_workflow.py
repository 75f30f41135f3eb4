"""How each trigger kind starts a workflow (aws: a Step Functions state machine). The registry merges `WIRING`
into the trigger kinds' own `wiring`, so a target kind's wiring can live in one module beside the trigger kinds.

- schedule: an EventBridge rule on the schedule, the state machine its target, through a role EventBridge
  assumes for that rule alone (aipipe.triggers.eventbridge).
- bucket: S3 delivers the bucket's events to EventBridge (a bucket aipipe creates gets `eventbridge: true` in
  its one notification configuration; an `existing` bucket's owner turns it on), and a rule in the bucket's
  region matches `Object Created` / `Object Deleted` for that bucket, prefix and suffix. S3's own notifications
  cannot start a state machine: a notification configuration holds Lambda, SQS and SNS destinations and the
  EventBridge switch (docs.aws.amazon.com/AmazonS3/latest/API/API_NotificationConfiguration.html).
- topic: SNS cannot start a state machine either. Subscribe takes http(s), email, email-json, sms, sqs,
  application, lambda and firehose endpoints (docs.aws.amazon.com/sns/latest/api/API_Subscribe.html, Protocol),
  and EventBridge is not among them. Of the two sourced routes — a Lambda function of aipipe's own that calls
  StartExecution, or an SQS queue subscribed to the topic and an EventBridge pipe from the queue to the state
  machine — aipipe takes the second: no code to build, own or patch, and the queue keeps every message until
  an execution has started (the pipe deletes a message only once its target call succeeded,
  docs.aws.amazon.com/eventbridge/latest/userguide/eb-pipes-sqs.html). Pipes start Standard workflows
  asynchronously only (FIRE_AND_FORGET; Express also synchronously: eb-pipes-event-target.html), which is
  what a trigger wants for both. The pipe's role reads the queue (sqs:ReceiveMessage, DeleteMessage,
  GetQueueAttributes: eb-pipes-sqs.html, "Execution role permissions") and starts this state machine only;
  its trust policy names the account (aws:SourceAccount, as pulumi-aws pipes.Pipe's example does: the pipe's
  ARN exists only after the role). The queue lives in the workflow's region with the pipe; SNS delivers to a
  queue of another region, the subscription being made in the topic's
  (docs.aws.amazon.com/sns/latest/dg/sns-cross-region-delivery.html).
- stream: not wired to workflows (validation says to start a function from the stream instead).
"""

from __future__ import annotations

from aipipe.clouds.aws import AWS
from aipipe.semantics.delivery import LIMITS
from aipipe.semantics.iam import policy_document, service_may_send, statement
from aipipe.semantics.symbols import Attr, Child, Json, Options
from aipipe.triggers.base import TriggerUse
from aipipe.triggers.eventbridge import (
    rule_name,
    s3_event_pattern,
    service_trust,
    start_execution,
    workflow_target,
)

# docs.aws.amazon.com/eventbridge/latest/userguide/eb-pipes-sqs.html, "Execution role permissions"
PIPE_SQS_ACTIONS = ["sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:ReceiveMessage"]
# One message, one execution: with batching the execution would receive several messages at once
# (docs.aws.amazon.com/eventbridge/latest/userguide/eb-pipes-batching-concurrency.html: "If the batch size is
# one, then the batch will be a JSON array containing a single JSON object").
PIPE_BATCH_SIZE = 1
EVENTBRIDGE_TEMPLATE = "triggers/eventbridge/aws-workflow.py.j2"


def _schedule(spec, use: TriggerUse) -> dict:
    return {
        "template": EVENTBRIDGE_TEMPLATE,
        **workflow_target(use),
        "schedule": use.trigger.schedule.eventbridge(),
        "pattern": None,
    }


def _bucket(spec, use: TriggerUse) -> dict:
    return {
        "template": EVENTBRIDGE_TEMPLATE,
        **workflow_target(use),
        "schedule": None,
        "pattern": Json(s3_event_pattern(use.trigger)),
    }


def _topic(spec, use: TriggerUse) -> dict:
    owner, position, topic = use.owner, use.position, use.trigger.topic
    queue_arn = Child(owner, f"trigger_{position}_queue", "arn")
    topic_arn = Attr(topic, "arn")
    # exactly this topic may send to the queue (the subscription kind's queue policy, same shape)
    # exactly this topic may send to the queue (as for a subscription's queue)
    queue_policy = policy_document([service_may_send(AWS.principals["sns"], queue_arn, topic_arn)])
    return {
        "template": "triggers/topic/aws-workflow.py.j2",
        "position": position,
        "rule_name": rule_name(use),
        "source": topic,
        "topic_arn": topic_arn,
        "queue": Child(owner, f"trigger_{position}_queue"),
        "queue_policy": queue_policy,
        "queue_policy_var": Child(owner, f"trigger_{position}_queue_policy"),
        # Subscribe is a call on the topic, in the topic's region: the topic's provider; it waits for the queue
        # policy, so no message is refused while the queue does not yet let the topic in
        "subscription_opts": Options(
            owner, depends_on=(Child(owner, f"trigger_{position}_queue_policy"),), provider_of=topic
        ),
        "role": Child(owner, f"trigger_{position}_role"),
        "policy": Child(owner, f"trigger_{position}_policy"),
        "trust_policy": service_trust(AWS.principals["pipes"]),
        "role_policy": policy_document([statement(PIPE_SQS_ACTIONS, [queue_arn]), start_execution(owner)]),
        "source_parameters": {"sqs_queue_parameters": {"batch_size": PIPE_BATCH_SIZE}},
        "target_parameters": {"step_function_state_machine_parameters": {"invocation_type": "FIRE_AND_FORGET"}},
        # a message the pipe keeps failing to start an execution with moves to a dead-letter queue after
        # PIPE_MAX_RECEIVES receives (SQS redrive: docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/
        # sqs-dead-letter-queues.html) instead of cycling until the queue's retention drops it
        "dead_letters": Child(owner, f"trigger_{position}_dead_letters"),
        "dead_letter_retention": LIMITS["aws"].dead_letter_retention,
        "redrive": {
            "deadLetterTargetArn": Child(owner, f"trigger_{position}_dead_letters", "arn"),
            "maxReceiveCount": PIPE_MAX_RECEIVES,
        },
    }


PIPE_MAX_RECEIVES = 5

# (trigger kind, cloud, target kind) -> wiring builder, merged into the trigger kinds by the registry
WIRING = {
    ("schedule", "aws", "workflow"): _schedule,
    ("bucket", "aws", "workflow"): _bucket,
    ("topic", "aws", "workflow"): _topic,
}

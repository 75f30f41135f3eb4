"""Subscription triggers: a function consumes a spec `subscription`, whose own delivery settings (acknowledgement
deadline, retries, dead letter) then govern what becomes of a message the function fails on.

aws: the subscription is an SQS queue subscribed to the SNS topic (aipipe.kinds.subscription, raw message
delivery: a record's body is the published message itself); the trigger is a Lambda event source mapping on that
queue, exactly as a queue trigger's (aipipe.triggers.queue: batch size and window, partial batch failures, the
function's role reading the queue; AP504 holds the function's timeout to the queue's visibility timeout, the
subscription's `ack_deadline`). A message received `dead_letter.max_attempts` times moves to the subscription's
dead-letter queue (SQS's redrive), so the function's `on_failure` does not apply.

gcp: Google's "Direct Pub/Sub trigger (Recommended): Route messages directly to your service or function using
Pub/Sub. You manage the subscription directly, and your service or function receives the standard Pub/Sub push
request" (cloud.google.com/functions/docs/calling/pubsub). The subscription becomes a push subscription to the
function's run.app address (service_config.uri, which internal-only ingress lets Pub/Sub of the same project
through: aipipe.kinds.function.gcp) with an OIDC token of the function's caller account, which may invoke the
function (roles/run.invoker, the function template's grant). pulumi-gcp pubsub.Subscription push_config:
`push_endpoint`, `oidc_token.service_account_email` ("The caller ... must have the iam.serviceAccounts.actAs
permission for the service account"; the audience defaults to the push endpoint URL). Pub/Sub's service agent
mints those tokens: "If the Pub/Sub service agent was created on or before April 8, 2021, and the service
account does not have the Cloud Pub/Sub Service Agent role (roles/pubsub.serviceAgent), grant the Service Account
Token Creator role (roles/iam.serviceAccountTokenCreator) to the service agent" (docs.cloud.google.com/eventarc/
docs/creating-triggers-terraform); aipipe cannot tell a project's age, so it grants that role on the caller
account alone (not the project). The subscription's dead letter, retry policy and ack deadline apply as written
("For push delivery, this value is also used to set the request timeout for the call to the push endpoint":
pulumi-gcp ack_deadline_seconds). A CloudEvent handler works unchanged: functions-framework turns a raw Pub/Sub
push request into a `google.cloud.pubsub.topic.v1.messagePublished` CloudEvent whose data holds `message`
(functions_framework 3.10 __init__._cloud_event_view_func_wrapper, then event_conversion.
background_event_to_cloud_event via marshal_background_event_data and _is_raw_pubsub_payload).

A push subscription names its function, so on gcp the subscription is made after the function (`pushed_to`).
"""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import Field

from aipipe.clouds.gcp import ROLES
from aipipe.semantics.symbols import Child, Deployment
from aipipe.spec.context import CheckContext
from aipipe.spec.model import StrictModel, cloud_only, field_clouds
from aipipe.spec.values import Duration, ResourceName, duration_between
from aipipe.triggers.base import TriggerKind, TriggerUse
from aipipe.triggers.queue import MAX_BATCH, MAX_BATCH_WINDOW, check_batch, mapping_values


class SubscriptionTrigger(StrictModel):
    """Consume a subscription: its messages start the function, with the subscription's delivery settings."""

    subscription: ResourceName = Field(
        description="The `subscription` the function consumes, its one consumer: aws polls its SQS queue (an event "
        "source mapping), gcp pushes each message to the function. Its `ack_deadline`, `retry` and `dead_letter` "
        "decide what becomes of a message the function fails on."
    )
    batch_size: Annotated[int, Field(ge=1, le=MAX_BATCH)] = cloud_only(
        "aws", 10, "Most messages per invocation: 1-10000 (above 10 needs `batch_window`)."
    )
    batch_window: Annotated[Duration, duration_between(0, MAX_BATCH_WINDOW)] | None = cloud_only(
        "aws", None, "Gather messages this long before invoking (0s-5m). Default: invoke as soon as messages arrive."
    )
    partial_failures: bool = cloud_only(
        "aws",
        True,
        'The handler may return `{"batchItemFailures": [{"itemIdentifier": MESSAGE_ID}]}` so only those messages '
        "return to the subscription's queue (ReportBatchItemFailures); otherwise a failure returns the whole batch.",
    )


def consumers(resources: dict, subscription: str) -> list[tuple[str, int]]:
    """(function, trigger position) of every subscription trigger naming `subscription`, in file order."""
    return [
        (name, position)
        for name, resource in resources.items()
        for position, trigger in enumerate(getattr(resource, "triggers", None) or ())
        if isinstance(trigger, SubscriptionTrigger) and trigger.subscription == subscription
    ]


def push_config(spec: Any, subscription: str) -> dict | None:
    """gcp: the push delivery of a subscription a function consumes (its endpoint, the OIDC token's account, and
    the grants to wait for), or None for a pull subscription."""
    found = consumers(spec.resources, subscription)
    if not found:
        return None
    function = found[0][0]
    return {
        "config": {
            "push_endpoint": Child(function, "function", "service_config.uri"),
            "oidc_token": {"service_account_email": Child(function, "caller", "email")},
        },
        # the first push needs the caller's invoker grant and Pub/Sub's right to mint its tokens
        "waits": [Child(function, "invoker"), Child(function, "push_tokens")],
    }


def _check(ctx: CheckContext, use: TriggerUse) -> None:
    """aws: the batch rules of a standard queue; gcp: no batch fields (Pub/Sub pushes one message a request)."""
    if ctx.cloud == "aws":
        check_batch(ctx, use, fifo=False)
        return
    for field in sorted(use.trigger.model_fields_set):
        clouds = field_clouds(SubscriptionTrigger, field)
        if clouds and ctx.cloud not in clouds:
            ctx.report(
                "AP205",
                f"`{field}` is only available on {', '.join(clouds)}: Pub/Sub pushes one message per request; "
                "remove it",
                use.path + (field,),
                True,
            )


def _check_uses(ctx: CheckContext, uses: list[TriggerUse]) -> None:
    """One consumer per subscription (the kind judges its repeats itself, `judges_overlaps`): on gcp a push
    subscription has one endpoint; on aws two event source mappings on one queue would split its messages between
    them, not each get every one (a topic fans out to several subscriptions: give each function its own). On gcp
    nothing may pull from a push subscription: a Dataflow job's `input` or a function's `reads`."""
    first: dict[str, TriggerUse] = {}
    for use in uses:
        name = use.trigger.subscription
        earlier = first.setdefault(name, use)
        if earlier is use:
            continue
        same = next((other for other in uses if other.owner == use.owner and other.trigger.subscription == name), use)
        if same is not use:
            ctx.report(
                "AP407",
                f"a second trigger on subscription `{name}`: a function takes one trigger per subscription; merge it "
                f"into trigger {same.position + 1}",
                use.path,
            )
        else:
            ctx.report(
                "AP407",
                f"`{name}` is already consumed by `{earlier.owner}`: a subscription has one consumer (each message "
                f"goes to one of them); give this function a subscription of its own to the topic",
                use.path + ("subscription",),
            )
    if ctx.cloud == "gcp":
        _check_pulled(ctx, first)


def _check_pulled(ctx: CheckContext, pushed: dict[str, TriggerUse]) -> None:
    for name, resource in ctx.checkable().items():
        if getattr(resource, "type", None) == "dataflow" and resource.input in pushed:
            ctx.report(
                "AP407",
                f"`{resource.input}` pushes its messages to `{pushed[resource.input].owner}`, so Dataflow could not "
                "pull them; give the job a subscription of its own to the topic",
                ctx.at(name, "input"),
            )
        for position, entry in enumerate(getattr(resource, "reads", None) or ()):
            if entry in pushed:
                ctx.report(
                    "AP407",
                    f"`{entry}` pushes its messages to `{pushed[entry].owner}`, so nothing pulls from it; remove it "
                    "from `reads` (or give this function a subscription of its own)",
                    ctx.at(name, "reads", position),
                )


def _aws_function(spec, use: TriggerUse) -> dict:
    return mapping_values(use, use.trigger.subscription)


def _gcp_function(spec, use: TriggerUse) -> dict:
    """The function's side of a push: the Pub/Sub service agent may mint OIDC tokens as the caller account
    (once per function, whatever the number of subscriptions pushing to it)."""
    first = next(p for p, t in enumerate(use.target.triggers) if isinstance(t, SubscriptionTrigger))
    return {
        "template": "triggers/subscription/gcp-function.py.j2",
        "position": use.position,
        "grant_tokens": use.position == first,
        "role": ROLES["push_tokens"],
        "pubsub_agent": Deployment("gcp_pubsub_agent"),
        "caller_name": Child(use.owner, "caller", "name"),
    }


def takes(trigger: SubscriptionTrigger, happened: str, detail) -> bool:
    """Every message the subscription receives (its filter already chose them: aipipe.semantics.filters)."""
    return happened == "message"


TRIGGER = TriggerKind(
    key="subscription",
    model=SubscriptionTrigger,
    source_kinds=("subscription",),
    label=lambda trigger: "consumes",
    check=_check,
    check_uses=_check_uses,
    wiring={("aws", "function"): _aws_function, ("gcp", "function"): _gcp_function},
    consumer_access={"aws": "reads"},
    one_per_source=True,
    takes=takes,
    pushed_to=("gcp",),
    same_region={"aws": "Lambda polls an SQS queue only from a function in the queue's region"},
)

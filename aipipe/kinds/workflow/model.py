"""The `workflow` model: an AWS Step Functions state machine over functions, with retries, catches, parallel."""

from typing import Annotated, Any, Literal

from pydantic import Field

from aipipe.spec.model import ResourceBase, StrictModel, tagged_union
from aipipe.spec.permissions import Permission
from aipipe.spec.values import Duration, ErrorName, ResourceName, StepName
from aipipe.triggers.registry import Trigger


class StepRetry(StrictModel):
    """Retry a failed task: `attempts` more times, waiting `interval`, multiplied by `backoff` each time.
    Lambda's transient service errors are retried on every task anyway; this retries the errors in `errors`."""

    attempts: Annotated[int, Field(ge=0, le=99)] = 3
    interval: Annotated[Duration, Field(ge=1)] = 1
    backoff: Annotated[float, Field(ge=1.0, le=10.0)] = 2.0
    errors: list[ErrorName] = Field(
        default_factory=lambda: ["States.ALL"],
        min_length=1,
        max_length=20,
        description="Errors to retry: the handler's exception class names (`ValueError`, `ThrottledError`) or "
        "Step Functions errors (`States.Timeout`, `States.TaskFailed`); default every error (`States.ALL`).",
    )


class TaskStep(StrictModel):
    """A task that invokes a function, with its own retry, timeout and catch."""

    function: ResourceName
    name: StepName | None = Field(None, description="State name; default: the function name.")
    retry: StepRetry | None = None
    timeout: Duration | None = None
    catch: StepName | None = Field(None, description="Step to go to when this one fails after its retries.")
    end: bool = Field(
        False, description="The workflow succeeds after this step; later steps run only when a `catch` jumps to them."
    )
    handled: bool = Field(
        False,
        description="On a failure handler (a step only a `catch` reaches): the workflow succeeds after it. By "
        "default it ends FAILED once the handler ran.",
    )


class ParallelStep(StrictModel):
    """Branches that run at the same time; each branch is a list of steps."""

    parallel: list[Annotated[list["Step"], Field(min_length=1)]] = Field(min_length=1)
    name: StepName | None = None
    catch: StepName | None = Field(None, description="Step to go to when any branch fails.")
    end: bool = Field(False, description="The workflow succeeds after this step.")
    handled: bool = Field(False, description="On a failure handler: the workflow succeeds after it.")


def _step_kind(value: Any) -> str | None:
    if isinstance(value, str):
        return "function step"
    if isinstance(value, dict):
        return "parallel step" if "parallel" in value else "task step"
    return None


Step = tagged_union(
    {"function step": ResourceName, "task step": TaskStep, "parallel step": ParallelStep},
    _step_kind,
    "step_kind",
    "a step is a function name, `{function: NAME, ...}` or `{parallel: [[...], [...]]}`",
)


class Workflow(ResourceBase):
    """A Step Functions state machine running its steps in order (aws)."""

    type: Literal["workflow"]
    steps: list[Step] = Field(min_length=1, max_length=200)
    kind: Literal["standard", "express"] = "standard"
    logging: bool = Field(True, description="Send execution logs to a CloudWatch log group.")
    permissions: list[Permission] = Field(
        default_factory=list,
        max_length=50,
        description="Extra access aipipe does not derive: aws IAM statements (`actions`, `resources`, `conditions`), "
        "gcp roles (`role`, optionally on a `resource` of the spec). Wildcards are AP510 warnings.",
    )
    # The inputs as AWS documents them: the scheduled event of docs.aws.amazon.com/eventbridge/latest/userguide/
    # eb-run-lambda-schedule.html, S3's EventBridge event of docs.aws.amazon.com/AmazonS3/latest/userguide/
    # ev-events.html, a pipe's SQS batch of .../eventbridge/latest/userguide/eb-pipes-sqs.html (a one-element array
    # at batch size 1: eb-pipes-batching-concurrency.html); aipipe.triggers.to_workflow wires each.
    triggers: list[Trigger] = Field(
        default_factory=list,
        max_length=20,
        description="What starts an execution, and the input it receives. `{schedule: ...}`: an EventBridge rule; "
        "the input is EventBridge's Scheduled Event (`source` `aws.events`, `detail-type` `Scheduled Event`, "
        "`time`, `resources`: [the rule's ARN], `detail`: {}). `{bucket: NAME, events, prefix, suffix}`: the "
        "bucket's S3 events through EventBridge (turned on for a bucket aipipe creates; an `existing` bucket "
        "needs `eventbridge: true`); the input is the EventBridge event (`source` `aws.s3`, `detail-type` "
        "`Object Created` or `Object Deleted`, `detail.bucket.name`, `detail.object.key`, `detail.object.size`, "
        "`detail.reason`). `{topic: NAME}`: an SQS queue subscribed to the topic and an EventBridge pipe, one "
        "execution per message; the input is a JSON array holding one SQS message (`messageId`, `body`: the "
        "published message as sent, `attributes`, `eventSourceARN`). Stream triggers start functions only.",
    )

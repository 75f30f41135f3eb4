"""The `workflow` model: an AWS Step Functions state machine over functions and AWS services, with retries,
catches, parallel branches, choices, waits, maps, pass and fail states (services.py: the service tasks)."""

from typing import Annotated, Any, Literal

from pydantic import Field

from aipipe.kinds.workflow.services import ServiceCall
from aipipe.spec.model import ResourceBase, StrictModel, empty_list, tagged_union
from aipipe.spec.permissions import Permission, permissions_field
from aipipe.spec.values import Duration, ErrorName, ResourceName, StepName
from aipipe.triggers.registry import Trigger

PATH_HELP = "a JSONPath: `$` (the whole input), `$.a.b`, `$['a b']`, `$.items[0]`, or `$$.Execution.Id` (context)"
SHAPE_HELP = "; values that are strings starting with `$` are JSONPaths read from the state's input (`$.key`)."


class StepRetry(StrictModel):
    """Retry a failed step: `attempts` more times, waiting `interval`, multiplied by `backoff` each time.
    Lambda's transient service errors are retried on every function task anyway; this retries `errors`."""

    attempts: Annotated[int, Field(ge=0, le=99)] = 3
    interval: Annotated[Duration, Field(ge=1)] = 1
    backoff: Annotated[float, Field(ge=1.0, le=10.0)] = 2.0
    errors: list[ErrorName] = Field(
        default_factory=lambda: ["States.ALL"],
        min_length=1,
        max_length=20,
        description="Errors to retry: the handler's exception class names (`ValueError`, `ThrottledError`) or "
        "Step Functions errors (`States.Timeout`, `States.TaskFailed`, `Lambda.ServiceException`); default every "
        "error (`States.ALL`).",
    )


class CatchRule(StrictModel):
    """Where the errors in `errors` go once retries are spent."""

    errors: list[ErrorName] = Field(
        default_factory=lambda: ["States.ALL"],
        min_length=1,
        max_length=20,
        description="Errors this rule catches (exception class names, `States.Timeout`, ...); default every error.",
    )
    next: StepName = Field(description="The step to go to (in the same list of steps).")
    result_path: str = Field("$.error", description=f"Where the error goes in the step's input: {PATH_HELP}.")


Retry = tagged_union(
    {"one retry": StepRetry, "retry list": list[StepRetry]},
    lambda value: "retry list" if isinstance(value, list) else "one retry" if isinstance(value, dict) else None,
    "retry_kind",
    "`retry` is `{attempts, interval, backoff, errors}` or a list of them",
    field=True,
)
Catch = tagged_union(
    {"catch step": StepName, "catch list": list[CatchRule]},
    lambda value: "catch list" if isinstance(value, list) else "catch step" if isinstance(value, str) else None,
    "catch_kind",
    "`catch` is a step name or a list of `{errors, next, result_path}`",
    field=True,
)
RETRY_HELP = "One retry, or a list of them tried in order, each for its own `errors` (per-error retry)."
CATCH_HELP = (
    "Step to go to when this one fails after its retries, or a list of `{errors, next, result_path}` rules "
    "checked in order (per-error catch)."
)


class Flow(StrictModel):
    """What every step but `choice` and `fail` has: its name and where it goes next."""

    name: StepName | None = Field(None, description="State name (unique in the workflow).")
    next: StepName | None = Field(
        None, description="The step to go to next (in the same list of steps); default: the step written after."
    )
    end: bool = Field(
        False, description="The workflow succeeds after this step; later steps run only when something jumps to them."
    )
    input_path: str | None = Field(None, description=f"The part of the input the step sees: {PATH_HELP}.")
    output_path: str | None = Field(None, description=f"The part of the step's output passed on: {PATH_HELP}.")


class Handling(Flow):
    """Steps that may fail, be retried and caught, and end a failure handler."""

    retry: Retry | None = Field(None, description=RETRY_HELP)
    catch: Catch | None = Field(None, description=CATCH_HELP)
    handled: bool = Field(
        False,
        description="On a failure handler (a step only a `catch` reaches): the workflow succeeds after it. By "
        "default it ends FAILED once the handler ran.",
    )
    result_selector: dict[str, Any] | None = Field(
        None, description="Build the step's result from its raw result" + SHAPE_HELP
    )
    result_path: str | None = Field(
        None, description=f"Where the result goes in the step's input (default: replaces it): {PATH_HELP}."
    )


class TaskStep(Handling):
    """A task that invokes a function, with its own retry, timeout and catch."""

    function: ResourceName
    name: StepName | None = Field(None, description="State name; default: the function name.")
    timeout: Duration | None = None
    parameters: dict[str, Any] | None = Field(
        None, description="The event the function receives, built from the step's input" + SHAPE_HELP
    )


class ServiceStep(Handling):
    """A task that calls an AWS service directly (services.py lists them with the IAM each needs)."""

    task: ServiceCall
    name: StepName | None = Field(None, description="State name; default: the service and what it names.")
    timeout: Duration | None = None


class ParallelStep(Handling):
    """Branches that run at the same time; each branch is a list of steps."""

    parallel: list[Annotated[list["Step"], Field(min_length=1)]] = Field(min_length=1)
    name: StepName | None = Field(None, description="State name; default: `parallel-` and its position.")


class MapBody(StrictModel):
    """Run steps once per item of a list in the input."""

    items: str = Field("$", description=f"The list to iterate over: {PATH_HELP}.")
    steps: list["Step"] = Field(min_length=1, max_length=200, description="The steps each item runs through.")
    # docs.aws.amazon.com/step-functions/latest/dg/state-map-inline.html: an inline Map (what aipipe renders)
    # "supports up to 40 concurrent iterations"
    max_concurrency: Annotated[int, Field(ge=0, le=40)] = Field(
        0, description="Items run at the same time at most, up to 40 (0: as many as an inline map runs, 40)."
    )
    item_selector: dict[str, Any] | None = Field(
        None, description="The input of each item's run (`$$.Map.Item.Value` is the item)" + SHAPE_HELP
    )


class MapStep(Handling):
    """A map: its steps run for each item; the next step receives the input plus the list of results under the
    map step's name (unless `result_path` says otherwise)."""

    map: MapBody
    name: StepName | None = Field(None, description="State name; default: `map-` and its position.")


class ChoiceCondition(StrictModel):
    """One test of a choice: `variable` and one comparison, or `all`, `any`, `not` over other conditions."""

    variable: str | None = Field(None, description=f"The value tested: {PATH_HELP}.")
    equals: str | int | float | bool | None = Field(None, description="Equal to this string, number or boolean.")
    less_than: str | int | float | bool | None = Field(None, description="Less than this number (or string, in order).")
    greater_than: str | int | float | bool | None = Field(None, description="Greater than this number or string.")
    at_most: str | int | float | bool | None = Field(None, description="Less than or equal to this number or string.")
    at_least: str | int | float | bool | None = Field(
        None, description="Greater than or equal to this number or string."
    )
    matches: str | None = Field(None, description="A string matching this pattern (`*` matches any characters).")
    before: str | None = Field(None, description="A timestamp before this RFC 3339 time (`2026-01-01T00:00:00Z`).")
    after: str | None = Field(None, description="A timestamp after this RFC 3339 time.")
    is_present: bool | None = Field(None, description="Whether the variable exists in the input.")
    is_null: bool | None = Field(None, description="Whether the variable is null.")
    is_string: bool | None = Field(None, description="Whether the variable is a string.")
    is_number: bool | None = Field(None, description="Whether the variable is a number.")
    is_boolean: bool | None = Field(None, description="Whether the variable is a boolean.")
    all_of: list["ChoiceCondition"] | None = Field(None, alias="all", description="Every condition holds.")
    any_of: list["ChoiceCondition"] | None = Field(None, alias="any", description="At least one condition holds.")
    not_: "ChoiceCondition | None" = Field(None, alias="not", description="The condition does not hold.")


class ChoiceRule(StrictModel):
    """Go to `next` when the condition holds (rules are tried in order)."""

    when: ChoiceCondition
    next: StepName


class ChoiceStep(StrictModel):
    """Go to the `next` of the first rule whose condition holds, else to `default`."""

    choice: list[ChoiceRule] = Field(min_length=1, max_length=100)
    default: StepName | None = Field(
        None, description="The step when no rule holds; without it such an input fails with States.NoChoiceMatched."
    )
    name: StepName | None = Field(None, description="State name; default: `choice-` and its position.")
    input_path: str | None = Field(None, description=f"The part of the input the step sees: {PATH_HELP}.")
    output_path: str | None = Field(None, description=f"The part of the input passed on: {PATH_HELP}.")


class WaitStep(Flow):
    """Wait a while, or until a time, then go on with the same input."""

    wait: Duration | None = Field(None, description="How long to wait (`30s`, `5m`, `1h`).")
    wait_until: str | None = Field(
        None,
        description="Wait until this time: an RFC 3339 timestamp (`2026-03-14T01:59:00Z`) or a JSONPath to one "
        "in the input (`$.not_before`).",
    )
    name: StepName | None = Field(None, description="State name; default: `wait-` and its position.")


class PassBody(StrictModel):
    """What a pass step outputs."""

    result: Any = Field(None, description="A fixed value the step outputs (default: its input, as shaped).")


class PassStep(Flow):
    """Pass its input on, shaped by `parameters` or replaced by a fixed `result`."""

    pass_: PassBody = Field(alias="pass")
    name: StepName | None = Field(None, description="State name; default: `pass-` and its position.")
    parameters: dict[str, Any] | None = Field(None, description="The output, built from the input" + SHAPE_HELP)
    result_path: str | None = Field(None, description=f"Where the result goes in the input: {PATH_HELP}.")
    handled: bool = Field(False, description="On a failure handler: the workflow succeeds after it.")


class FailBody(StrictModel):
    """The error an execution fails with."""

    error: ErrorName = Field("aipipe.Failed", description="The error name the execution fails with.")
    cause: str | None = Field(None, max_length=32768, description="A human-readable reason.")


class FailStep(StrictModel):
    """End the execution FAILED with an error and cause (a parent's `catch` can match the error)."""

    fail: FailBody
    name: StepName | None = Field(None, description="State name; default: `fail-` and its position.")


STEP_KEYS = {
    "parallel": "parallel step",
    "choice": "choice step",
    "wait": "wait step",
    "wait_until": "wait step",
    "pass": "pass step",
    "fail": "fail step",
    "map": "map step",
    "task": "service step",
}


def _step_kind(value: Any) -> str | None:
    if isinstance(value, str):
        return "function step"
    if isinstance(value, dict):
        return next((kind for key, kind in STEP_KEYS.items() if key in value), "task step")
    return None


Step = tagged_union(
    {
        "function step": ResourceName,
        "task step": TaskStep,
        "parallel step": ParallelStep,
        "service step": ServiceStep,
        "map step": MapStep,
        "choice step": ChoiceStep,
        "wait step": WaitStep,
        "pass step": PassStep,
        "fail step": FailStep,
    },
    _step_kind,
    "step_kind",
    "a step is a function name, `{function: NAME, ...}`, `{task: {service: ...}}`, `{parallel: [[...], [...]]}`, "
    "`{map: {items, steps}}`, `{choice: [...], default}`, `{wait: 30s}`, `{pass: {}}` or `{fail: {error, cause}}`",
)


class Workflow(ResourceBase):
    """A Step Functions state machine running its steps in order (aws)."""

    type: Literal["workflow"]
    steps: list[Step] = Field(min_length=1, max_length=200)
    kind: Literal["standard", "express"] = "standard"
    logging: bool = Field(True, description="Send execution logs to a CloudWatch log group.")
    permissions: list[Permission] = permissions_field()
    # The inputs as AWS documents them: the scheduled event of docs.aws.amazon.com/eventbridge/latest/userguide/
    # eb-run-lambda-schedule.html, S3's EventBridge event of docs.aws.amazon.com/AmazonS3/latest/userguide/
    # ev-events.html, a pipe's SQS batch of .../eventbridge/latest/userguide/eb-pipes-sqs.html (a one-element array
    # at batch size 1: eb-pipes-batching-concurrency.html); aipipe.triggers.to_workflow wires each.
    triggers: list[Trigger] = Field(
        default_factory=empty_list,
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
